//! Retention: old segments compressed (zstd) and, past `retention`,
//! removed only once the checkpoint opening the next segment covers them;
//! `verify`, `search`, `stats` and `prove` read across compressed segments
//! and `verify` starts from the oldest retained checkpoint.

mod audit_common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use audit_common::*;
use pii_proxy::audit::retention::sweep;
use pii_proxy::audit::{ChainKey, Event};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn s(path: &Path) -> &str {
    path.to_str().expect("utf8 path")
}

fn age(path: &Path, by: Duration) {
    let file = fs::File::options().write(true).open(path).expect("open");
    file.set_modified(SystemTime::now() - by).expect("set time");
}

fn segments(dir: &Path) -> Vec<PathBuf> {
    pii_proxy::audit::segment::list(dir).expect("segments")
}

fn signed_log(dir: &Path) -> PathBuf {
    let audit = dir.join("audit");
    let keyring = keyring_at(&dir.join("keyring.json"));
    let mut config = signed_config(&audit, 5);
    config.rotate_bytes = 2000;
    config.compress_after = None;
    let events: Vec<Event> = (0..40).map(|n| simple_share(n).into()).collect();
    write_signed(&config, &keyring, Vec::new(), events);
    audit
}

fn verify_cli(audit: &Path, keys: &Path) -> (Option<i32>, String) {
    let out = run(&["audit", "verify", "--keys", s(keys), s(audit)]);
    (out.status.code(), stdout(&out))
}

#[test]
fn compressed_and_removed_segments_keep_verify_green() {
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = signed_log(dir.path());
    let keys = dir.path().join("keyring.json");
    let files = segments(&audit);
    assert!(files.len() >= 5, "{files:?}");
    let (newest, closed) = files.split_last().expect("segments");
    for file in closed {
        age(file, 10 * DAY);
    }

    let swept = sweep(&audit, None, Some(7 * DAY), SystemTime::now()).expect("sweep");
    assert_eq!(swept.compressed.len(), closed.len());
    let now = segments(&audit);
    assert!(
        now[..now.len() - 1]
            .iter()
            .all(|p| s(p).ends_with(".jsonl.zst")),
        "{now:?}"
    );
    assert_eq!(
        now.last(),
        Some(newest),
        "the newest segment is never touched"
    );
    let (code, text) = verify_cli(&audit, &keys);
    assert_eq!(code, Some(0), "{text}");
    let out = run(&["audit", "stats", s(&audit)]);
    assert!(stdout(&out).contains("40 share events"), "{}", stdout(&out));

    // The two oldest are past retention: removed, each covered by the
    // checkpoint that opens the segment after it.
    for file in &now[..2] {
        age(file, 4 * 365 * DAY);
    }
    let swept = sweep(
        &audit,
        Some(3 * 365 * DAY),
        Some(7 * DAY),
        SystemTime::now(),
    )
    .expect("sweep");
    assert_eq!(swept.removed, now[..2].to_vec());
    let (code, text) = verify_cli(&audit, &keys);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("tree is checked from the checkpoint at seq"),
        "{text}"
    );
    assert!(text.contains("signatures verified"), "{text}");

    // A record in a retained segment is still proven; a removed one is gone.
    let out = run(&["audit", "prove", "--id", "req-39", s(&audit)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["audit", "prove", "--id", "req-0", s(&audit)]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn nothing_is_removed_that_no_checkpoint_covers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = dir.path().join("audit");
    let mut config = config(&audit);
    config.rotate_bytes = 2000;
    // A log without checkpoints: no segment opens with one.
    let events: Vec<Event> = (0..30).map(|n| simple_share(n).into()).collect();
    write_events(&config, ChainKey::Plain, events);
    let files = segments(&audit);
    assert!(files.len() >= 3);
    for file in &files {
        age(file, 4 * 365 * DAY);
    }
    let swept = sweep(&audit, Some(365 * DAY), None, SystemTime::now()).expect("sweep");
    assert!(swept.removed.is_empty(), "{swept:?}");
    assert_eq!(segments(&audit), files);
}

#[test]
fn the_writer_compresses_closed_segments_as_it_rotates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = dir.path().join("audit");
    let keyring = keyring_at(&dir.path().join("keyring.json"));
    let mut config = signed_config(&audit, 5);
    config.rotate_bytes = 2000;
    config.compress_after = Some(Duration::ZERO);
    let events: Vec<Event> = (0..30).map(|n| simple_share(n).into()).collect();
    write_signed(&config, &keyring, Vec::new(), events);
    // The sweep runs on its own thread after each new segment.
    let compressed = || {
        segments(&audit)
            .iter()
            .filter(|p| s(p).ends_with(".zst"))
            .count()
    };
    for _ in 0..500 {
        if compressed() > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(compressed() > 0, "{:?}", segments(&audit));
    // Let a sweep still under way finish before reading.
    let mut last = compressed();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let now = compressed();
        if now == last {
            break;
        }
        last = now;
    }
    let (code, text) = verify_cli(&audit, &dir.path().join("keyring.json"));
    assert_eq!(code, Some(0), "{text}");
}

#[test]
fn with_a_sink_nothing_is_removed_before_it_is_shipped() {
    use pii_proxy::audit::retention::sweep_shipped;
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = signed_log(dir.path());
    let files = segments(&audit);
    assert!(files.len() >= 4, "{files:?}");
    for file in &files[..files.len() - 1] {
        age(file, 10 * DAY);
    }
    let first_seq = |p: &Path| {
        let name = p.file_name().expect("name").to_string_lossy().into_owned();
        pii_proxy::audit::segment::sort_key(&name)
            .expect("segment")
            .0
    };
    // Shipped up to the last record of the first segment only.
    let shipped = first_seq(&files[1]) - 1;
    let swept =
        sweep_shipped(&audit, Some(DAY), None, SystemTime::now(), Some(shipped)).expect("sweep");
    assert_eq!(swept.removed, vec![files[0].clone()]);
    // Nothing shipped (NATS down since the start): nothing removed.
    let swept = sweep_shipped(&audit, Some(DAY), None, SystemTime::now(), Some(0)).expect("sweep");
    assert!(swept.removed.is_empty());
    assert_eq!(segments(&audit), files[1..].to_vec());
}
