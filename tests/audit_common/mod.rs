//! Helpers shared by the `audit_*` integration tests.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pii_proxy::audit::{
    AuditConfig, AuditHandle, AuditPath, Blocked, ChainKey, Consent, Event, FieldPath, Finding,
    FsyncPolicy, Ident, RulesVersion, Seq, Share, SubjectHash,
};

pub fn label(text: &str) -> Ident {
    Ident::new(text).expect("test labels are valid")
}

pub fn finding(path: &str, category: &str, action: &str, rule: u32) -> Finding {
    Finding::by_rule(FieldPath::new(path), label(category), label(action), rule)
}

pub fn share(n: u32, partner: &str, subject: Option<SubjectHash>, fields: Vec<Finding>) -> Share {
    Share {
        id: Ident::new(&format!("req-{n}")).expect("id"),
        partner: label(partner),
        method: label("POST"),
        path: AuditPath::from_request("/v1/query"),
        subject,
        consent: Consent::Granted,
        subjects: Vec::new(),
        subject_parts: 0,
        fields_total: None,
        classes: Default::default(),
        fields,
        rules_version: RulesVersion::of_policy(partner.as_bytes()),
        bytes_in: 1024,
        bytes_out: 1100,
        cross_border: Some(partner != "demo"),
        export_basis: None,
        partner_name: None,
        scenario: None,
        consent_decisions: Vec::new(),
        consent_decisions_more: None,
        candidate: None,
    }
}

pub fn blocked(n: u32, partner: Option<&str>, reason: &str, status: u16) -> Blocked {
    Blocked {
        id: Ident::new(&format!("req-{n}")).expect("id"),
        partner: partner.map(label),
        method: label("POST"),
        path: AuditPath::from_request("/v1/query"),
        subject: None,
        reason: label(reason),
        status,
        fault: None,
        fields: Vec::new(),
    }
}

pub fn simple_share(n: u32) -> Share {
    share(
        n,
        "credit-bureau",
        None,
        vec![finding("$.user.id_number", "id_number", "encrypt", 1)],
    )
}

pub fn config(dir: &Path) -> AuditConfig {
    AuditConfig {
        dir: dir.to_path_buf(),
        fsync: FsyncPolicy::Always,
        ..AuditConfig::default()
    }
}

/// Runs the real writer over `events`, one append at a time, and shuts it
/// down; returns the seqs.
pub fn write_events(config: &AuditConfig, key: ChainKey, events: Vec<Event>) -> Vec<Seq> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let handle = AuditHandle::open_with_key(config, key).expect("open");
        let mut seqs = Vec::new();
        for event in events {
            seqs.push(handle.append(event).await.expect("accepted"));
        }
        handle.shutdown().await.expect("shutdown");
        seqs
    })
}

/// Every complete line of every segment in `dir`, as (path, lines).
pub fn segments(dir: &Path) -> Vec<(PathBuf, Vec<String>)> {
    pii_proxy::audit::segment::list(dir)
        .expect("list")
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).expect("read");
            let lines = text.lines().map(str::to_owned).collect();
            (path, lines)
        })
        .collect()
}

/// The seqs of all complete records under `dir`.
pub fn seqs_in_log(dir: &Path) -> Vec<Seq> {
    let mut seqs = Vec::new();
    for path in pii_proxy::audit::segment::list(dir).expect("list") {
        let data = fs::read(&path).expect("read");
        let (lines, _) = pii_proxy::audit::segment::split_lines(&data);
        for line in lines {
            let value: serde_json::Value = serde_json::from_slice(line).expect("json");
            seqs.push(value["seq"].as_u64().expect("seq"));
        }
    }
    seqs
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run pii-proxy")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A keyring written at test time (never committed) at `path`.
pub fn keyring_at(path: &Path) -> pii_proxy::protect::Keyring {
    let keyring = pii_proxy::protect::Keyring::generate();
    keyring.save(path).expect("save keyring");
    keyring
}

/// Runs the real writer with signed checkpoints (every `every` records)
/// over `events` and shuts it down; returns the seqs.
pub fn write_signed(
    config: &AuditConfig,
    keyring: &pii_proxy::protect::Keyring,
    witnesses: Vec<Box<dyn pii_proxy::audit::Witness>>,
    events: Vec<Event>,
) -> Vec<Seq> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let handle = AuditHandle::open(config, keyring, witnesses).expect("open");
        let mut seqs = Vec::new();
        for event in events {
            seqs.push(handle.append(event).await.expect("accepted"));
        }
        handle.shutdown().await.expect("shutdown");
        seqs
    })
}

pub fn signed_config(dir: &Path, every: u64) -> AuditConfig {
    let mut config = config(dir);
    config.checkpoints.every_records = every;
    config
}
