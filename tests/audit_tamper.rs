//! Every kind of tampering is found at the right file and line, by the
//! library and by `pii-proxy audit verify`.

mod audit_common;

use std::fs;
use std::path::{Path, PathBuf};

use audit_common::*;
use pii_proxy::audit::{
    AuditConfig, ChainKey, Event, FsyncPolicy, ProblemKind, VerifyOptions, verify,
};
use sha2::{Digest as _, Sha256};

/// A log of 12 records over at least 3 segments, written by the real writer.
fn log(dir: &Path) -> Vec<(PathBuf, Vec<String>)> {
    let config = AuditConfig {
        rotate_bytes: 2000,
        fsync: FsyncPolicy::Off,
        ..config(dir)
    };
    let events = (0..12).map(|n| Event::from(simple_share(n))).collect();
    write_events(&config, ChainKey::Plain, events);
    let segments = segments(dir);
    assert!(segments.len() >= 3 && segments[0].1.len() >= 3);
    segments
}

fn rewrite(path: &Path, lines: &[String], torn: &str) {
    let mut text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    text.push_str(torn);
    fs::write(path, text).expect("rewrite");
}

/// Checks the library and the binary agree on where the chain breaks.
fn expect_broken(dir: &Path, file: &Path, line: u64, kind: ProblemKind, says: &str) {
    let report = verify(&[dir.to_path_buf()], &VerifyOptions::default()).expect("readable");
    let problem = report.problem.expect("tampering is detected");
    assert_eq!(
        (problem.file.as_path(), problem.line),
        (file, line),
        "{problem}"
    );
    assert_eq!(problem.kind, kind);

    let output = run(&["audit", "verify", dir.to_str().expect("utf8")]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let first = stdout(&output)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    let prefix = format!("{}:{line}: ", file.display());
    assert!(first.starts_with(&prefix), "{first}");
    assert!(first.contains(says), "{first}");
}

#[test]
fn untouched_log_verifies_in_library_and_binary() {
    let dir = tempfile::tempdir().expect("tempdir");
    log(dir.path());
    let report = verify(&[dir.path().to_path_buf()], &VerifyOptions::default()).expect("read");
    assert!(report.is_intact(), "{report}");
    assert_eq!(report.records, 12);
    let output = run(&["audit", "verify", dir.path().to_str().expect("utf8")]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with("OK: 12 records in "));
}

#[test]
fn edited_field_is_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = log(dir.path()).remove(0);
    lines[2] = lines[2].replace("\"bytes_out\":1100", "\"bytes_out\":1");
    rewrite(&path, &lines, "");
    expect_broken(dir.path(), &path, 3, ProblemKind::Edited, "record edited");
}

#[test]
fn deleted_line_is_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = log(dir.path()).remove(0);
    lines.remove(1);
    rewrite(&path, &lines, "");
    let kind = ProblemKind::Missing {
        expected: 2,
        found: 3,
    };
    expect_broken(dir.path(), &path, 2, kind, "record 2 was deleted");
}

#[test]
fn swapped_lines_are_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = log(dir.path()).remove(0);
    lines.swap(1, 2);
    rewrite(&path, &lines, "");
    let kind = ProblemKind::Reordered {
        expected: 2,
        found: 3,
        expected_at: 3,
    };
    expect_broken(dir.path(), &path, 2, kind, "reordered");
}

#[test]
fn duplicated_line_is_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = log(dir.path()).remove(0);
    lines.insert(2, lines[1].clone());
    rewrite(&path, &lines, "");
    let kind = ProblemKind::Repeated {
        expected: 3,
        found: 2,
    };
    expect_broken(dir.path(), &path, 3, kind, "inserted");
}

/// Rehashes a line the way someone with file access but no chain key could.
fn forge(line: &str, edit: impl Fn(&str) -> String) -> String {
    let open = &line[..line.len() - 75];
    let canonical = format!("{}}}", edit(open));
    let hash = hex::encode(Sha256::digest(canonical.as_bytes()));
    format!(
        "{},\"hash\":\"{hash}\"}}",
        &canonical[..canonical.len() - 1]
    )
}

#[test]
fn forged_inserted_line_is_found_at_the_record_after_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = log(dir.path()).remove(0);
    // A well-formed seq 3 chained to record 2: only the next record shows it.
    let forged = forge(&lines[2], |open| {
        open.replace("\"bytes_out\":1100", "\"bytes_out\":7")
    });
    lines.insert(2, forged);
    rewrite(&path, &lines, "");
    let kind = ProblemKind::Repeated {
        expected: 4,
        found: 3,
    };
    expect_broken(dir.path(), &path, 4, kind, "inserted");
}

#[test]
fn truncated_segment_is_found_at_the_next_segment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut segments = log(dir.path());
    let (first, lines) = segments.remove(0);
    let kept = 2;
    let lost_last = lines.len() as u64;
    rewrite(&first, &lines[..kept], "");
    let (second, _) = segments.remove(0);
    let kind = ProblemKind::Missing {
        expected: kept as u64 + 1,
        found: lost_last + 1,
    };
    expect_broken(dir.path(), &second, 1, kind, "truncated away");
}

#[test]
fn removed_segment_is_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let segments = log(dir.path());
    fs::remove_file(&segments[1].0).expect("remove");
    let expected = segments[0].1.len() as u64 + 1;
    let kind = ProblemKind::Missing {
        expected,
        found: expected + segments[1].1.len() as u64,
    };
    expect_broken(dir.path(), &segments[2].0, 1, kind, "deleted");
}

#[test]
fn torn_last_line_is_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = log(dir.path()).pop().expect("segments");
    let last = lines.pop().expect("a record");
    let torn = &last[..last.len() / 2];
    rewrite(&path, &lines, torn);
    let line = lines.len() as u64 + 1;
    let kind = ProblemKind::TornTail {
        bytes: torn.len() as u64,
    };
    expect_broken(dir.path(), &path, line, kind, "torn last line");
}

#[test]
fn keyed_chain_catches_a_forged_line_where_it_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys/keyring.json");
    let keyring = pii_proxy::protect::Keyring::generate();
    keyring.save(&keys).expect("save keyring");
    let audit_dir = dir.path().join("audit");
    let key = ChainKey::Keyed(keyring.audit_chain_key());
    let events = (0..4).map(|n| Event::from(simple_share(n))).collect();
    write_events(&config(&audit_dir), key.clone(), events);
    let (path, mut lines) = segments(&audit_dir).remove(0);
    lines[1] = forge(&lines[1], |open| {
        open.replace("\"bytes_in\":1024", "\"bytes_in\":2")
    });
    rewrite(&path, &lines, "");

    let options = VerifyOptions {
        key,
        ..VerifyOptions::default()
    };
    let problem = verify(std::slice::from_ref(&audit_dir), &options)
        .expect("read")
        .problem
        .expect("forgery found");
    assert_eq!((problem.line, problem.kind), (2, ProblemKind::Edited));
    let output = run(&[
        "audit",
        "verify",
        "--keys",
        keys.to_str().expect("utf8"),
        audit_dir.to_str().expect("utf8"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains(":2: record edited"));
}
