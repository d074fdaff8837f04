//! The real binary: `check` and `serve` refuse cross-border configs with
//! positioned errors, `serve` replays the consent journal before serving,
//! and its log reports anomalies without a raw value.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use pii_proxy::audit::SubjectHasher;
use pii_proxy::consent::{ConsentStore, Op, Scope};
use pii_proxy::protect::Keyring;

const WEAK_RULES: &str = "\
subject: $.user.user_id
consent: revocable
fields:
  - path: $.user.id_number
    category: id_number
    action: allow
  - path: $.card
    category: bank_card
    action: {mask: {keep_first: 6, keep_last: 4}}
detect:
  - detector: cn_resident_id
    action: encrypt
";

const STRONG_RULES: &str = "\
subject: $.user.user_id
consent: required
fields:
  - path: $.user.id_number
    category: id_number
    action: encrypt
  - path: $.card
    category: bank_card
    action: {mask: {keep_last: 4}}
detect:
  - detector: cn_resident_id
    action: encrypt
  - detector: bank_card
    action: {tokenize: {keep_last: 4}}
  - detector: biometric
    action: drop
";

fn abroad_config(upstream: &str) -> String {
    format!(
        "listen: 127.0.0.1:0\nhome_region: CN\npartners:\n  - id: abroad\n    route: /abroad/\n    upstream: {upstream}\n    region: US\n    rules: rules/abroad.yaml\n    export_basis: standard_contract\n"
    )
}

fn write(dir: &Path, config: &str, rules: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("rules")).expect("rules dir");
    std::fs::write(dir.join("rules/abroad.yaml"), rules).expect("rules");
    let path = dir.join("pii-proxy.yaml");
    std::fs::write(&path, config).expect("config");
    dev_keyring(dir);
    path
}

fn run(args: &[&str], config: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .expect("run pii-proxy");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_and_serve_refuse_a_cross_border_partner_over_plain_http() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write(
        dir.path(),
        &abroad_config("http://partner.example"),
        STRONG_RULES,
    );
    for command in ["check", "serve"] {
        let (code, stderr) = run(&[command], &config);
        assert_eq!(code, 1, "{command}: {stderr}");
        let expected = format!(
            "{}:6:15: partner `abroad` is cross-border (region US, home region CN): its upstream must be https://",
            config.display()
        );
        assert!(stderr.contains(&expected), "{command}: {stderr}");
    }
}

#[test]
fn check_and_serve_name_every_unprotected_rule_of_a_cross_border_partner() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write(
        dir.path(),
        &abroad_config("https://partner.example"),
        WEAK_RULES,
    );
    let rules = dir.path().join("rules/abroad.yaml");
    for command in ["check", "serve"] {
        let (code, stderr) = run(&[command], &config);
        assert_eq!(code, 1, "{command}: {stderr}");
        let expected = [
            format!(
                "{}:2:10: partner `abroad` is cross-border (region US, home region CN): its rules must declare `consent: required`",
                rules.display()
            ),
            format!(
                "{}:6:13: partner `abroad` is cross-border (region US, home region CN): `id_number` values must be protected",
                rules.display()
            ),
            format!(
                "{}:9:13: partner `abroad` is cross-border (region US, home region CN): `bank_card` values must be protected",
                rules.display()
            ),
            format!(
                "{}:7:13: partner `abroad` is cross-border (region US, home region CN) and its rules let values leave",
                config.display()
            ),
        ];
        for line in &expected {
            assert!(
                stderr.contains(line),
                "{command}: missing\n{line}\nin\n{stderr}"
            );
        }
        assert!(
            stderr.contains("detector: bank_card") && stderr.contains("detector: biometric"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("detector: cn_resident_id"),
            "present and protecting: {stderr}"
        );
        assert!(stderr.contains("this mask keeps 10 characters"), "{stderr}");
        assert_eq!(
            stderr
                .lines()
                .filter(|l| l.contains("cross-border"))
                .count(),
            5,
            "{stderr}"
        );
    }
    // The same partner at home is fine, and so are strong rules abroad.
    let home = write(
        dir.path(),
        &abroad_config("http://127.0.0.1:9").replace("region: US", "region: CN"),
        WEAK_RULES,
    );
    let (code, stderr) = run(&["check"], &home);
    assert_eq!(code, 0, "{stderr}");
    let strong = write(
        dir.path(),
        &abroad_config("https://partner.example"),
        STRONG_RULES,
    );
    let (code, stderr) = run(&["check"], &strong);
    assert_eq!(code, 0, "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_replays_the_journal_and_logs_anomalies_without_values() {
    const SUBJECT: &str = "110101199003077777";
    const OTHER: &str = "13800138000";
    let dir = tempfile::tempdir().expect("temp dir");
    let extra =
        "    anomaly: {factor: 2, min_subjects: 2, warmup_windows: 0}\n    quota: {window: 24h}\n";
    let config = write_config(dir.path(), &one_partner("builtin:echo", "", extra));
    // A decision made before this proxy ever ran, with the keyring it will use.
    let keyring = Keyring::generate();
    keyring
        .save(&dir.path().join("keys/keyring.json"))
        .expect("keyring");
    {
        let store = ConsentStore::open(
            &dir.path().join("consent/journal.jsonl"),
            SubjectHasher::from_keyring(&keyring),
        )
        .expect("journal");
        let scope = Scope {
            partner: Some("p".into()),
            scenario: None,
            separate: false,
        };
        store
            .record(&store.hash(SUBJECT), Op::Revoke, &scope)
            .expect("revoke");
    }
    let mut proxy = BinaryProxy::serve(&config);
    let url = format!("http://{}/p/x", proxy.addr);
    let body = |subject: &str| format!(r#"{{"user":{{"user_id":"{subject}"}}}}"#);
    let refused = send(&h1_client(), post(&url, "application/json", body(SUBJECT))).await;
    refused.assert_refused(403, "consent_revoked");
    assert!(!refused.text().contains(SUBJECT));
    let allowed = send(&h1_client(), post(&url, "application/json", body(OTHER))).await;
    assert_eq!(allowed.status, 200);

    let status = proxy.terminate();
    assert!(status.success(), "{status:?}");
    let log = strip_ansi(&proxy.stderr_text());
    assert!(
        log.contains("consent journal replayed") && log.contains("decisions=1"),
        "{log}"
    );
    assert!(
        log.contains("anomaly"),
        "two distinct subjects over a zero baseline: {log}"
    );
    assert!(log.contains("window_subjects=2"), "{log}");
    for raw in [SUBJECT, OTHER] {
        assert!(!log.contains(raw), "`{raw}` reached the log: {log}");
    }
}

/// The log without terminal colour codes (`ESC [ … m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
