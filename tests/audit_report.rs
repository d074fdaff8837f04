//! `audit report`: one self-contained HTML page per partner and period,
//! checked as text (every section, inline SVG charts, nothing fetched, no
//! script, no personal value) and as a picture: headless Chromium renders
//! it to a PNG that must not be blank. The picture test runs where
//! Chromium is installed (`.ci/run` installs it) and says why it skipped
//! elsewhere.

mod audit_common;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use audit_common::*;
use pii_proxy::audit::{DisplayName, Event, ExportBasis, SubjectHasher};

fn s(path: &Path) -> &str {
    path.to_str().expect("utf8 path")
}

/// A week of traffic for `credit-bureau` (days spread by rewriting `ts`:
/// the report reads records, it does not check the chain), with refusals.
fn week_of_log(dir: &Path) -> PathBuf {
    let audit = dir.join("audit");
    let keyring = keyring_at(&dir.join("keyring.json"));
    let hasher = SubjectHasher::from_keyring(&keyring);
    let mut events: Vec<Event> = Vec::new();
    for n in 0..140u32 {
        let day = n % 7;
        let subject = hasher.hash(&format!("U-{}", n % (5 + day * 3)));
        let fields = vec![
            finding("$.user.id_number", "id_number", "encrypt", 1),
            finding("$.user.mobile", "phone", "mask", 2),
        ];
        let mut record = share(n, "credit-bureau", Some(subject), fields);
        record.partner_name = Some(DisplayName::parse("Credit Bureau Ltd.").expect("name"));
        record.scenario = Some(label(if n % 3 == 0 { "kyc" } else { "loan" }));
        record.export_basis = Some(ExportBasis::StandardContract);
        record.consent_decisions = vec![u64::from(n % 17 + 1)];
        events.push(record.into());
        if n % 9 == 0 {
            events.push(blocked(n, Some("credit-bureau"), "consent_revoked", 403).into());
        }
        if n % 13 == 0 {
            events.push(blocked(n, Some("credit-bureau"), "quota_exceeded", 429).into());
        }
    }
    write_signed(&signed_config(&audit, 50), &keyring, Vec::new(), events);
    for file in pii_proxy::audit::segment::list(&audit).expect("segments") {
        let text = fs::read_to_string(&file).expect("read");
        let spread: String = text
            .lines()
            .map(|line| {
                let seq: u64 =
                    serde_json::from_str::<serde_json::Value>(line).expect("json")["seq"]
                        .as_u64()
                        .expect("seq");
                let at = line.find("\"ts\":\"").expect("ts") + 6;
                let end = at + line[at..].find('"').expect("end of ts");
                let day = 17 + (seq % 7);
                format!(
                    "{}2026-11-{day:02}T10:00:00.000Z{}\n",
                    &line[..at],
                    &line[end..]
                )
            })
            .collect();
        fs::write(&file, spread).expect("rewrite");
    }
    audit
}

fn report(dir: &Path) -> (PathBuf, String) {
    let audit = week_of_log(dir);
    let out_path = dir.join("report.html");
    let out = run(&[
        "audit",
        "report",
        "--partner",
        "credit-bureau",
        "--since",
        "2026-11-17",
        "--until",
        "2026-11-24",
        "--out",
        s(&out_path),
        s(&audit),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = fs::read_to_string(&out_path).expect("report");
    (out_path, page)
}

#[test]
fn the_report_is_one_self_contained_page_with_every_section() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, page) = report(dir.path());
    for section in [
        "Shares per day",
        "Distinct subjects per day",
        "Cross-border shares per day",
        "Refusals per day",
        "Findings by category",
        "Findings by action",
        "Refusals by reason",
        "Consent blocks",
        "Anomalies",
        "Export basis",
        "Rules version",
    ] {
        assert!(page.contains(section), "missing {section}");
    }
    assert!(page.matches("<svg").count() >= 7, "inline charts");
    for fetched in ["<script", "<link", "src=", "@import", "url("] {
        assert!(
            !page.contains(fetched),
            "the page must fetch nothing: {fetched}"
        );
    }
    assert!(page.contains("consent_revoked") && page.contains("quota_exceeded"));
    assert!(
        page.contains("<td class=\"n\">140</td>") || page.contains(">140<"),
        "140 shares"
    );
    assert!(!page.contains("U-1"), "no subject id");
    assert!(page.contains("Credit Bureau Ltd.") && page.contains("standard_contract"));
    assert!(page.contains("kyc") && page.contains("loan"), "purposes");
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Renders `page` with headless Chromium to `png`; stops it by pid.
fn screenshot(browser: &str, page: &Path, png: &Path, profile: &Path) {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=900,1800",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().expect("wait").is_some() {
            return;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish the screenshot in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn headless_chromium_renders_the_report_to_a_picture_that_is_not_blank() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: chromium is not installed (`.ci/run` installs the Debian package)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (page, _) = report(dir.path());
    let png = dir.path().join("report.png");
    screenshot(browser, &page, &png, &dir.path().join("profile"));
    let decoder = png::Decoder::new(fs::File::open(&png).expect("the screenshot exists"));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    let pixels = &buf[..info.buffer_size()];
    let mut colours = HashSet::new();
    let mut inked = 0usize;
    for px in pixels.chunks(channels) {
        colours.insert((px[0], px[1], px[2]));
        inked += usize::from(px[0] < 200 || px[1] < 200 || px[2] < 200);
    }
    let total = pixels.len() / channels;
    assert!(colours.len() > 20, "{} distinct colours", colours.len());
    assert!(inked * 100 > total, "{inked} of {total} pixels drawn");
    if let Some(keep) = std::env::var_os("PII_PROXY_REPORT_SCREENSHOT") {
        fs::copy(&png, keep).expect("keep the screenshot");
    }
}
