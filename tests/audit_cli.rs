//! The investigator commands through the real binary: `audit search` finds
//! one subject's share events by keyed hash, `audit stats` counts per
//! partner, `audit verify --keys` checks a keyed chain.

mod audit_common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use audit_common::*;
use pii_proxy::audit::{AuditConfig, ChainKey, Event, SubjectHasher};
use pii_proxy::protect::Keyring;

const ALICE: &str = "110101199003077777";
const BOB: &str = "440301198512120011";

struct Fixture {
    _root: tempfile::TempDir,
    root: PathBuf,
    audit: String,
    keys: String,
}

/// A keyed log in `<root>/audit` with its keyring in `<root>/keys/keyring.json`.
fn fixture() -> Fixture {
    let root = tempfile::tempdir().expect("tempdir");
    let keys = root.path().join("keys/keyring.json");
    let keyring = Keyring::generate();
    keyring.save(&keys).expect("save keyring");
    let hasher = SubjectHasher::from_keyring(&keyring);
    let (alice, bob) = (Some(hasher.hash(ALICE)), Some(hasher.hash(BOB)));
    let id_and_name = || {
        vec![
            finding("$.user.id_number", "id_number", "encrypt", 1),
            finding("$.user.name", "name", "mask", 0),
        ]
    };
    let events: Vec<Event> = vec![
        share(1, "credit-bureau", alice.clone(), id_and_name()).into(),
        share(2, "credit-bureau", bob.clone(), id_and_name()).into(),
        share(
            3,
            "demo",
            alice.clone(),
            vec![finding("$.phone", "phone", "mask", 2)],
        )
        .into(),
        share(4, "credit-bureau", alice, id_and_name()).into(),
        blocked(5, Some("credit-bureau"), "consent_revoked", 403).into(),
        blocked(6, None, "no_route", 404).into(),
        share(7, "demo", bob, Vec::new()).into(),
    ];
    let audit = root.path().join("audit");
    let config = AuditConfig {
        keyed_chain: true,
        ..config(&audit)
    };
    write_events(&config, ChainKey::Keyed(keyring.audit_chain_key()), events);
    Fixture {
        root: root.path().to_path_buf(),
        audit: audit.to_str().expect("utf8").to_owned(),
        keys: keys.to_str().expect("utf8").to_owned(),
        _root: root,
    }
}

fn events_listed(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.contains("  seq ")).collect()
}

#[test]
fn search_lists_one_subjects_share_events() {
    let f = fixture();
    let output = run(&[
        "audit",
        "search",
        "--subject",
        ALICE,
        "--keys",
        &f.keys,
        &f.audit,
    ]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    let listed = events_listed(&out);
    assert_eq!(listed.len(), 3, "{out}");
    assert!(listed[0].contains("credit-bureau  POST /v1/query  seq 1  id req-1"));
    assert!(listed[0].contains("id_number→encrypt, name→mask"));
    assert!(listed[1].contains("demo") && listed[1].contains("phone→mask"));
    assert!(out.contains("3 share events for hmac:"));
    assert!(!out.contains(ALICE), "the raw subject is not echoed");

    let output = run(&[
        "audit",
        "search",
        "--subject",
        ALICE,
        "--partner",
        "demo",
        "--keys",
        &f.keys,
        &f.audit,
    ]);
    assert_eq!(events_listed(&stdout(&output)).len(), 1);

    for (since, expected) in [("2000-01-01", 3), ("2999-01-01T00:00:00Z", 0)] {
        let output = run(&[
            "audit",
            "search",
            "--subject",
            ALICE,
            "--since",
            since,
            "--keys",
            &f.keys,
            &f.audit,
        ]);
        assert_eq!(events_listed(&stdout(&output)).len(), expected, "{since}");
    }

    let output = run(&[
        "audit",
        "search",
        "--subject",
        "nobody",
        "--keys",
        &f.keys,
        &f.audit,
    ]);
    assert!(stdout(&output).contains("0 share events"));
}

#[test]
fn search_reads_the_subject_from_stdin_and_keys_from_the_default_path() {
    let f = fixture();
    let mut child = bin()
        .current_dir(&f.root)
        .args(["audit", "search", "--subject", "-", "audit"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{BOB}").expect("write subject");
    drop(stdin);
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        events_listed(&stdout(&output)).len(),
        2,
        "{}",
        stdout(&output)
    );
}

#[test]
fn search_with_a_missing_keyring_fails_clearly() {
    let f = fixture();
    let missing = Path::new(&f.root).join("nope.json");
    let output = run(&[
        "audit",
        "search",
        "--subject",
        ALICE,
        "--keys",
        missing.to_str().expect("utf8"),
        &f.audit,
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nope.json"));
}

#[test]
fn stats_counts_per_partner() {
    let f = fixture();
    let output = run(&["audit", "stats", &f.audit]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    let expected = [
        "partner (no partner): 0 share events, 0 distinct subjects, 0 cross-border, 1 blocked",
        "  blocked: no_route 1",
        "partner credit-bureau: 3 share events, 2 distinct subjects, 3 cross-border, 1 blocked",
        "  categories: id_number 3, name 3",
        "  actions: encrypt 3, mask 3",
        "  blocked: consent_revoked 1",
        "partner demo: 2 share events, 2 distinct subjects, 0 cross-border, 0 blocked",
        "  categories: phone 1",
        "  actions: mask 1",
        "7 records, 3 partners",
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), expected, "{out}");
}

#[test]
fn keyed_log_verifies_only_with_its_keyring() {
    let f = fixture();
    let output = run(&["audit", "verify", "--keys", &f.keys, &f.audit]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("HMAC-SHA256 chain intact"));

    let output = run(&["audit", "verify", &f.audit]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("pass --keys"),
        "{}",
        stdout(&output)
    );

    let other = Path::new(&f.root).join("other.json");
    Keyring::generate().save(&other).expect("save");
    let output = run(&[
        "audit",
        "verify",
        "--keys",
        other.to_str().expect("utf8"),
        &f.audit,
    ]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn verify_of_a_missing_path_is_an_error_not_a_verdict() {
    let output = run(&["audit", "verify", "/nonexistent/audit"]);
    assert_eq!(output.status.code(), Some(2));
}
