//! The audit tree against an independent implementation: a short Python
//! program (`tests/merkle_reference.py`, standard library only, written
//! from RFC 9162's text) reads a real signed log, recomputes every
//! checkpoint's root and a set of inclusion and consistency proofs, and
//! the Rust side must agree on every hash: under SHA-256, and under SM3
//! (`audit: {hash: sm3}`, keyed chain too, whose tree is still the plain
//! SM3 of each record). Skipped, saying why, where python3 is missing.

mod audit_common;

use std::process::Command;

use audit_common::*;
use pii_proxy::audit::merkle::{Frontier, ProofSource};
use pii_proxy::audit::{ChainHash, ChainKey, Digest};

fn python3() -> Option<String> {
    let found = Command::new("python3").arg("--version").output().ok()?;
    found.status.success().then(|| "python3".to_owned())
}

#[test]
fn roots_and_proofs_match_the_python_reference() {
    matches_the_reference(ChainHash::Sha256, false);
}

#[test]
fn sm3_roots_and_proofs_match_the_python_reference() {
    matches_the_reference(ChainHash::Sm3, false);
}

#[test]
fn a_keyed_sm3_chain_has_the_plain_sm3_tree() {
    matches_the_reference(ChainHash::Sm3, true);
}

fn matches_the_reference(hash: ChainHash, keyed: bool) {
    let Some(python) = python3() else {
        eprintln!("skipped: python3 is not installed, so the independent reference cannot run");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = dir.path().join("audit");
    let keyring = keyring_at(&dir.path().join("keyring.json"));
    let mut config = signed_config(&audit, 7);
    config.rotate_bytes = 3000;
    config.hash = hash;
    config.keyed_chain = keyed;
    let events = (0..45).map(|n| simple_share(n).into()).collect();
    write_signed(&config, &keyring, Vec::new(), events);

    // The Rust tree over the same files.
    let files = pii_proxy::audit::segment::list(&audit).expect("segments");
    let tree_hash = hash.tree_hash();
    let mut source = ProofSource::new(Frontier::new(tree_hash));
    for file in &files {
        let data = std::fs::read(file).expect("read");
        for line in pii_proxy::audit::segment::split_lines(&data).0 {
            let open = &line[..line.len() - 75];
            source.push_entry(&ChainKey::new(hash, None).digest(open));
            let record: serde_json::Value = serde_json::from_slice(line).expect("record");
            if record["kind"] == "checkpoint" {
                let stated = record.get("tree_hash").and_then(|h| h.as_str());
                assert_eq!(stated.unwrap_or("sha256"), tree_hash.name());
            }
        }
    }
    let size = source.size();
    let paths: Vec<(u64, u64)> = [(0, 1), (0, size), (size - 1, size), (13, 30), (29, 30)].into();
    let proofs: Vec<(u64, u64)> =
        [(1, size), (7, 30), (16, size), (30, 30), (size - 1, size)].into();

    let mut command = Command::new(python);
    command
        .arg("tests/merkle_reference.py")
        .args((hash == ChainHash::Sm3).then_some("--sm3"))
        .args(&files)
        .arg("--");
    command
        .args(paths.iter().map(|(i, n)| format!("{i}:{n}")))
        .arg("--");
    command.args(proofs.iter().map(|(m, n)| format!("{m}:{n}")));
    let output = command.output().expect("run the reference");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reference: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");

    assert_eq!(reference["leaves"], size);
    let checkpoints = reference["checkpoints"].as_array().expect("list");
    assert!(checkpoints.len() >= 6, "{reference}");
    for cp in checkpoints {
        assert_eq!(cp["stated"], cp["computed"], "{cp}");
        let n = cp["tree_size"].as_u64().expect("size");
        assert_eq!(cp["computed"], source.root(n).expect("root").to_string());
    }
    let hexes =
        |proof: Vec<Digest>| -> Vec<String> { proof.iter().map(Digest::to_string).collect() };
    for (row, (i, n)) in reference["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .zip(&paths)
    {
        let theirs: Vec<String> = serde_json::from_value(row[2].clone()).expect("hexes");
        assert_eq!(
            hexes(source.inclusion(*i, *n).expect("path")),
            theirs,
            "path {i}/{n}"
        );
    }
    for (row, (m, n)) in reference["consistency"]
        .as_array()
        .expect("proofs")
        .iter()
        .zip(&proofs)
    {
        let theirs: Vec<String> = serde_json::from_value(row[2].clone()).expect("hexes");
        assert_eq!(
            hexes(source.consistency(*m, *n).expect("proof")),
            theirs,
            "proof {m}->{n}"
        );
    }
}
