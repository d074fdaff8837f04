//! The investigator commands through the real binary: `audit search` finds
//! one subject's share events by keyed hash, `audit stats` counts per
//! partner, `audit verify --keys` checks a keyed chain; several replicas'
//! logs are verified chain by chain and searched and counted together.

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
    assert!(
        listed[1].contains("demo") && listed[1].contains("phone→mask"),
        "{out}"
    );
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

/// Two replicas' logs (`r1`, `r2`) signed with their own keys from one
/// keyring, each of `shares` shares of ALICE to `demo`.
fn two_replicas(root: &Path, shares: u32) -> (String, Vec<String>) {
    let keys = root.join("keys/keyring.json");
    let keyring = keyring_at(&keys);
    let alice = Some(SubjectHasher::from_keyring(&keyring).hash(ALICE));
    let mut dirs = Vec::new();
    for (r, replica) in ["r1", "r2"].into_iter().enumerate() {
        let dir = root.join(replica);
        let mut config = signed_config(&dir, 3);
        config.replica = Some(label(replica));
        config.checkpoints.replica = replica.into();
        let events: Vec<Event> = (0..shares)
            .map(|n| share(n * 2 + r as u32, "demo", alice.clone(), Vec::new()).into())
            .collect();
        write_signed(&config, &keyring, Vec::new(), events);
        dirs.push(dir.to_str().expect("utf8").to_owned());
    }
    (keys.to_str().expect("utf8").to_owned(), dirs)
}

#[test]
fn verify_checks_each_replicas_chain_and_names_the_broken_one() {
    let root = tempfile::tempdir().expect("tempdir");
    let (keys, dirs) = two_replicas(root.path(), 7);
    let out = run(&["audit", "verify", "--keys", &keys, &dirs[0], &dirs[1]]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("replica r1:\n  OK: "), "{text}");
    assert!(text.contains("replica r2:\n  OK: "), "{text}");
    assert!(text.contains("(signatures verified)"), "{text}");
    assert!(text.ends_with("all 2 chains intact\n"), "{text}");
    // One chain: the report is exactly as it always was.
    let single = stdout(&run(&["audit", "verify", "--keys", &keys, &dirs[0]]));
    assert!(single.starts_with("OK: "), "{single}");

    // r2's third record edited: r2 is named broken, r1 still intact.
    let segment = pii_proxy::audit::segment::list(Path::new(&dirs[1])).expect("list")[0].clone();
    let text = std::fs::read_to_string(&segment).expect("read");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[2] = lines[2].replace("\"demo\"", "\"dem0\"");
    std::fs::write(&segment, lines.join("\n") + "\n").expect("write");
    let out = run(&["audit", "verify", "--keys", &keys, &dirs[0], &dirs[1]]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("replica r1:\n  OK: "), "{text}");
    assert!(text.contains(":3: "), "the broken record is named: {text}");
    assert!(text.ends_with("BROKEN: 1 of 2 chains (r2)\n"), "{text}");
}

#[test]
fn search_and_stats_merge_several_replicas_by_time() {
    let root = tempfile::tempdir().expect("tempdir");
    let (keys, dirs) = two_replicas(root.path(), 4);
    let out = run(&[
        "audit",
        "search",
        "--subject",
        ALICE,
        "--keys",
        &keys,
        "--format",
        "json",
        &dirs[0],
        &dirs[1],
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let events: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(events.len(), 8, "both replicas' shares");
    let times: Vec<time::OffsetDateTime> = events
        .iter()
        .map(|e| {
            let ts = e["ts"].as_str().expect("ts");
            time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339)
                .expect("RFC 3339")
        })
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "ordered by time");
    let stats = stdout(&run(&["audit", "stats", &dirs[0], &dirs[1]]));
    assert!(stats.contains("8 share events"), "{stats}");
}
