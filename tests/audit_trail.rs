//! The audit trail tried as an investigator would, through the binary:
//! signed checkpoints, a witness's copy, tail truncation, a deleted newest
//! segment, an edit with the chain rebuilt, a rewrite of the whole log,
//! one record proven on its own, consistency between two checkpoints, key
//! rotation, and JSON Lines for a SIEM. Keys are generated per test.

mod audit_common;

use std::fs;
use std::path::{Path, PathBuf};

use audit_common::*;
use pii_proxy::audit::{ChainHash, ChainKey, Event, FileWitness, Witness};
use pii_proxy::protect::Keyring;

struct Log {
    _dir: tempfile::TempDir,
    root: PathBuf,
    audit: PathBuf,
    keys: PathBuf,
    witness: PathBuf,
    hash: ChainHash,
    keyed: bool,
}

impl Log {
    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    fn keyring(&self) -> Keyring {
        Keyring::load(&self.keys).expect("keyring")
    }

    fn config(&self) -> pii_proxy::audit::AuditConfig {
        let mut config = signed_config(&self.audit, 4);
        config.rotate_bytes = 2500;
        config.hash = self.hash;
        config.keyed_chain = self.keyed;
        config
    }

    /// Appends `range` share records (ids `req-N`) through the real writer,
    /// with the file witness.
    fn write(&self, range: std::ops::Range<u32>) {
        let witness: Box<dyn Witness> = Box::new(FileWitness::new(self.witness.clone()));
        let events: Vec<Event> = range.map(|n| simple_share(n).into()).collect();
        write_signed(&self.config(), &self.keyring(), vec![witness], events);
        // The witness thread keeps the last checkpoint shortly after it is
        // written; wait for the final one (the shutdown checkpoint).
        let latest = cli(&["audit", "checkpoint", s(&self.audit)]);
        for _ in 0..200 {
            if fs::read_to_string(&self.witness).ok().as_deref() == Some(&stdout(&latest)) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the witness did not keep the newest checkpoint");
    }

    /// `audit prove --id ID` into `proof.json` beside the log.
    fn prove(&self, id: &str) -> PathBuf {
        let proof = self.path("proof.json");
        let out = cli(&[
            "audit",
            "prove",
            "--id",
            id,
            "--out",
            s(&proof),
            s(&self.audit),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        proof
    }

    fn pubkey(&self) -> PathBuf {
        let out = cli(&[
            "audit",
            "pubkey",
            "--replica",
            "single",
            "--keys",
            s(&self.keys),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let path = self.path("pubkey.txt");
        fs::write(&path, stdout(&out)).expect("write pubkey");
        path
    }
}

fn signed_log(records: u32) -> Log {
    signed_log_with(records, ChainHash::Sha256, false)
}

fn signed_log_with(records: u32, hash: ChainHash, keyed: bool) -> Log {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let log = Log {
        audit: root.join("audit"),
        keys: root.join("keys/keyring.json"),
        witness: root.join("witness/checkpoint.txt"),
        root,
        _dir: dir,
        hash,
        keyed,
    };
    keyring_at(&log.keys);
    log.write(0..records);
    log
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf8 path")
}

fn cli(args: &[&str]) -> std::process::Output {
    run(args)
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn segment_files(dir: &Path) -> Vec<PathBuf> {
    pii_proxy::audit::segment::list(dir).expect("segments")
}

fn verify_with(log: &Log, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    args.push(s(&log.audit));
    let out = cli(&args);
    (
        out.status.code(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

#[test]
fn a_signed_log_verifies_and_its_witness_holds_the_newest_checkpoint() {
    let log = signed_log(30);
    assert!(segment_files(&log.audit).len() >= 3, "rotation happened");
    let (code, text) = verify_with(&log, &["--keys", s(&log.keys)]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("signatures verified"), "{text}");
    let pubkey = log.pubkey();
    let (code, text) = verify_with(
        &log,
        &["--pubkey", s(&pubkey), "--checkpoint", s(&log.witness)],
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("checkpoint given: the log holds its"),
        "{text}"
    );
    // What a witness keeps is a C2SP signed note.
    let note = fs::read_to_string(&log.witness).expect("witness file");
    let lines: Vec<&str> = note.lines().collect();
    assert_eq!(lines[0], "pii-proxy/single");
    assert!(lines[1].parse::<u64>().is_ok_and(|n| n > 30), "{note}");
    assert!(note.contains("\n\n\u{2014} pii-proxy/single/k1 "), "{note}");
}

#[test]
fn a_tail_cut_at_a_line_boundary_is_caught_against_the_witness() {
    let log = signed_log(20);
    let newest = segment_files(&log.audit).pop().expect("a segment");
    let text = fs::read_to_string(&newest).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let kept = lines[..lines.len() - 3].join("\n") + "\n";
    fs::write(&newest, kept).expect("cut");
    // The chain alone cannot tell; it says records follow the newest checkpoint.
    let (code, text) = verify_with(&log, &[]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = verify_with(
        &log,
        &["--keys", s(&log.keys), "--checkpoint", s(&log.witness)],
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("records were cut from the end"), "{text}");
}

#[test]
fn a_deleted_newest_segment_is_caught_against_the_witness() {
    let log = signed_log(24);
    let newest = segment_files(&log.audit).pop().expect("a segment");
    fs::remove_file(&newest).expect("delete");
    let (code, text) = verify_with(&log, &["--checkpoint", s(&log.witness)]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("newest segments deleted"), "{text}");
}

/// Re-seals every line from `from` on with the plain chain, as someone with
/// write access to the files (and no key) can.
fn rechain(files: &[PathBuf], edit: impl Fn(u64, &str) -> String) {
    let mut prev: Option<String> = None;
    for file in files {
        let text = fs::read_to_string(file).expect("read");
        let mut out = String::new();
        for line in text.lines() {
            let seq: u64 = serde_json::from_str::<serde_json::Value>(line).expect("json")["seq"]
                .as_u64()
                .expect("seq");
            let open = &line[..line.len() - 75];
            let mut open = edit(seq, open);
            if let Some(prev) = &prev {
                let at = open.len() - 65;
                open.replace_range(at..at + 64, prev);
            }
            let hash = ChainKey::Plain.digest(open.as_bytes()).to_string();
            out.push_str(&format!("{open},\"hash\":\"{hash}\"}}\n"));
            prev = Some(hash);
        }
        fs::write(file, out).expect("rewrite");
    }
}

#[test]
fn an_edit_with_the_chain_rebuilt_fails_at_the_next_checkpoint() {
    let log = signed_log(20);
    rechain(&segment_files(&log.audit), |seq, open| {
        if seq == 3 {
            open.replace("\"bytes_in\":1024", "\"bytes_in\":2")
        } else {
            open.to_owned()
        }
    });
    // Every line matches its hash and links to the one before: only the
    // tree can tell, and it does without any key.
    let (code, text) = verify_with(&log, &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("does not match the records before it"),
        "{text}"
    );
}

#[test]
fn a_rewritten_log_fails_its_public_key_and_its_witness() {
    let log = signed_log(16);
    // The whole log written again, same length, other content, signed by
    // another keyring (the attacker has no key of this replica).
    fs::remove_dir_all(&log.audit).expect("remove");
    let forged = Keyring::generate();
    let events: Vec<Event> = (0..16).map(|n| simple_share(n + 100).into()).collect();
    write_signed(&log.config(), &forged, Vec::new(), events);
    let (code, text) = verify_with(&log, &[]);
    assert_eq!(code, Some(0), "alone it is a consistent log: {text}");
    let pubkey = log.pubkey();
    let (code, text) = verify_with(&log, &["--pubkey", s(&pubkey)]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("no signature by a known key"), "{text}");
    let (code, text) = verify_with(&log, &["--checkpoint", s(&log.witness)]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("the log was rewritten"), "{text}");
}

#[test]
fn one_record_is_proven_alone_and_any_alteration_fails() {
    let log = signed_log(20);
    let proof = log.prove("req-5");
    let pubkey = log.pubkey();
    // Nothing but the proof and the public key: the log is gone.
    fs::remove_dir_all(&log.audit).expect("remove the log");
    let check = |path: &Path| cli(&["audit", "check-proof", s(path), "--pubkey", s(&pubkey)]);
    let out = check(&proof);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("share req-5 to credit-bureau"),
        "{}",
        stdout(&out)
    );

    let original = fs::read_to_string(&proof).expect("proof");
    let value: serde_json::Value = serde_json::from_str(&original).expect("json");
    let altered = |name: &str, change: &dyn Fn(&mut serde_json::Value)| {
        let mut v = value.clone();
        change(&mut v);
        let path = log.path(name);
        fs::write(&path, serde_json::to_string(&v).expect("json")).expect("write");
        let out = check(&path);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stdout(&out));
        stderr(&out)
    };
    let text = altered("record.json", &|v| {
        let record = v["record"]
            .as_str()
            .expect("record")
            .replace("\"bytes_in\":1024", "\"bytes_in\":1025");
        v["record"] = record.into();
    });
    assert!(
        text.contains("not a sealed audit line") || text.contains("not in the signed tree"),
        "{text}"
    );
    let text = altered("checkpoint.json", &|v| {
        let note = v["checkpoint"].as_str().expect("note");
        let mut lines: Vec<String> = note.lines().map(str::to_owned).collect();
        // The root hash's first letter changed (to another letter: a
        // replacement by itself would alter nothing).
        let at = lines[2]
            .find(|c: char| c.is_ascii_alphabetic())
            .expect("a letter in the root hash");
        let other = if lines[2][at..].starts_with('Q') {
            "R"
        } else {
            "Q"
        };
        lines[2].replace_range(at..at + 1, other);
        v["checkpoint"] = (lines.join("\n") + "\n").into();
    });
    assert!(text.contains("does not verify"), "{text}");
    let text = altered("path.json", &|v| {
        let first = v["proof"][0].as_str().expect("hex").to_owned();
        let flipped = if first.starts_with('0') { "1" } else { "0" };
        v["proof"][0] = format!("{flipped}{}", &first[1..]).into();
    });
    assert!(text.contains("not in the signed tree"), "{text}");
    let other = log.path("other.txt");
    let other_keys = log.path("other-keyring.json");
    keyring_at(&other_keys);
    let out = cli(&[
        "audit",
        "pubkey",
        "--replica",
        "single",
        "--keys",
        s(&other_keys),
    ]);
    fs::write(&other, stdout(&out)).expect("write");
    let out = cli(&["audit", "check-proof", s(&proof), "--pubkey", s(&other)]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_newer_checkpoint_is_proven_consistent_with_an_older_one() {
    let log = signed_log(10);
    let old = log.path("old-checkpoint.txt");
    fs::copy(&log.witness, &old).expect("keep the old checkpoint");
    log.write(10..25);
    let proof = log.path("consistency.json");
    let out = cli(&[
        "audit",
        "prove",
        "--consistency",
        s(&old),
        "--out",
        s(&proof),
        s(&log.audit),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let pubkey = log.pubkey();
    let out = cli(&["audit", "check-proof", s(&proof), "--pubkey", s(&pubkey)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("extends the tree of"),
        "{}",
        stdout(&out)
    );
    // After an edit of an early record, the log no longer extends it.
    rechain(&segment_files(&log.audit), |seq, open| {
        if seq == 2 {
            open.replace("\"bytes_out\":1100", "\"bytes_out\":1")
        } else {
            open.to_owned()
        }
    });
    let out = cli(&["audit", "prove", "--consistency", s(&old), s(&log.audit)]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("rewritten"), "{}", stderr(&out));
}

#[test]
fn keygen_rotate_starts_a_new_signing_key_and_old_checkpoints_still_verify() {
    let log = signed_log(8);
    let out = cli(&["keygen", "--rotate", "--out", s(&log.keys)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    log.write(8..16);
    let pubkey = log.pubkey();
    let keys = fs::read_to_string(&pubkey).expect("pubkey");
    assert_eq!(keys.lines().count(), 2, "{keys}");
    assert!(keys.starts_with("pii-proxy/single/k1+") && keys.contains("\npii-proxy/single/k2+"));
    let (code, text) = verify_with(&log, &["--pubkey", s(&pubkey)]);
    assert_eq!(code, Some(0), "{text}");
    let note = fs::read_to_string(&log.witness).expect("witness");
    assert!(note.contains("\u{2014} pii-proxy/single/k2 "), "{note}");
    // Only the old key: the new checkpoints are refused.
    let old_only = log.path("k1.txt");
    fs::write(&old_only, keys.lines().next().expect("k1")).expect("write");
    let (code, _) = verify_with(&log, &["--pubkey", s(&old_only)]);
    assert_eq!(code, Some(1));
}

#[test]
fn search_and_stats_write_json_lines() {
    let log = signed_log(6);
    let out = cli(&["audit", "stats", "--format", "json", s(&log.audit)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(rows[0]["partner"], "credit-bureau");
    assert_eq!(rows[0]["shares"], 6);
    assert!(rows.last().expect("rows")["records"].as_u64() > Some(6));

    // One subject's shares: write a log whose shares name a subject.
    let hasher = pii_proxy::audit::SubjectHasher::from_keyring(&log.keyring());
    let subject = hasher.hash("U-1");
    let events: Vec<Event> = (0..3)
        .map(|n| {
            share(
                n,
                "credit-bureau",
                Some(subject.clone()),
                vec![finding("$.a", "phone", "mask", 0)],
            )
            .into()
        })
        .collect();
    write_signed(&log.config(), &log.keyring(), Vec::new(), events);
    let out = cli(&[
        "audit",
        "search",
        "--subject",
        "U-1",
        "--keys",
        s(&log.keys),
        "--format",
        "json",
        s(&log.audit),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["partner"], "credit-bureau");
    assert_eq!(rows[0]["fields"][0]["category"], "phone");
    assert_eq!(rows[0]["fields"][0]["action"], "mask");
    assert!(!stdout(&out).contains("U-1"));
}

#[test]
fn a_keyed_chain_log_is_checkpointed_and_proven_the_same_way() {
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = dir.path().join("audit");
    let keys = dir.path().join("keyring.json");
    let keyring = keyring_at(&keys);
    let mut config = signed_config(&audit, 4);
    config.keyed_chain = true;
    let events: Vec<Event> = (0..10).map(|n| simple_share(n).into()).collect();
    write_signed(&config, &keyring, Vec::new(), events);
    let out = cli(&["audit", "verify", "--keys", s(&keys), s(&audit)]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("HMAC-SHA256 chain intact"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("signatures verified"),
        "{}",
        stdout(&out)
    );
    // The leaf entry is the plain digest: the proof checks without the chain key.
    let proof = dir.path().join("proof.json");
    let out = cli(&[
        "audit",
        "prove",
        "--id",
        "req-7",
        "--out",
        s(&proof),
        s(&audit),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let pubkey = dir.path().join("pubkey.txt");
    let out = cli(&["audit", "pubkey", "--replica", "single", "--keys", s(&keys)]);
    fs::write(&pubkey, stdout(&out)).expect("write");
    let out = cli(&["audit", "check-proof", s(&proof), "--pubkey", s(&pubkey)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// `audit: {hash: sm3}`: the tree, its checkpoints and its proofs are SM3
/// throughout (keyed chain too: the leaves are the plain SM3 of each
/// record), across a restart, and caught the same way when cut.
#[test]
fn an_sm3_log_has_an_sm3_tree_proven_and_checked_the_same_way() {
    let log = signed_log_with(10, ChainHash::Sm3, true);
    log.write(10..21);
    let (code, text) = verify_with(&log, &["--keys", s(&log.keys)]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("HMAC-SM3 chain intact"), "{text}");
    assert!(text.contains("signatures verified"), "{text}");
    let witnessed = fs::read_to_string(&log.witness).expect("witness");
    assert!(witnessed.lines().any(|l| l == "hash sm3"), "{witnessed}");

    let proof = log.prove("req-13");
    let text = fs::read_to_string(&proof).expect("proof");
    let value: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(value["hash"], "sm3");
    let pubkey = log.pubkey();
    let check = |path: &Path| cli(&["audit", "check-proof", s(path), "--pubkey", s(&pubkey)]);
    let out = check(&proof);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Read as a SHA-256 tree, the same path proves nothing.
    let as_sha256 = log.path("as-sha256.json");
    let mut other = value.clone();
    other["hash"] = "sha256".into();
    fs::write(&as_sha256, other.to_string()).expect("write");
    assert_eq!(check(&as_sha256).status.code(), Some(1));

    let newest = segment_files(&log.audit).pop().expect("a segment");
    let text = fs::read_to_string(&newest).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    fs::write(&newest, lines[..lines.len() - 2].join("\n") + "\n").expect("cut");
    let (code, text) = verify_with(
        &log,
        &["--keys", s(&log.keys), "--checkpoint", s(&log.witness)],
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("records were cut from the end"), "{text}");
}
