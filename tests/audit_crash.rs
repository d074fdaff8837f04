//! kill -9 the writer mid-stream: every acknowledged record is in the log,
//! and after the next start the whole log verifies, signed checkpoints
//! included: each restart continues the Merkle tree from the newest
//! checkpoint and opens its segment with a checkpoint over everything
//! before it.
//!
//! The child is this test binary run again with `CHILD_ENV` set, so it runs
//! the real writer (`fsync: always`, small segments so rotations happen
//! under load) and prints `ack <seq>` for every acknowledged record.

mod audit_common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use audit_common::*;
use pii_proxy::audit::{
    AuditConfig, AuditHandle, CheckpointConfig, FsyncPolicy, ProblemKind, VerifyOptions,
    verifiers_from_keyring, verify,
};
use pii_proxy::protect::Keyring;

const CHILD_ENV: &str = "PII_PROXY_AUDIT_CRASH_CHILD";
const ROUNDS: usize = 3;
const ACKS_BEFORE_KILL: usize = 150;

fn child_config(dir: &Path) -> AuditConfig {
    AuditConfig {
        fsync: FsyncPolicy::Always,
        rotate_bytes: 16 * 1024,
        ..signed_config(dir, 25)
    }
}

/// The keyring beside the segments (not a segment name: readers skip it).
fn keys(dir: &Path) -> PathBuf {
    dir.join("keyring.json")
}

/// The child's body; a no-op in a normal test run.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let dir = Path::new(&dir);
        let keyring = Keyring::load(&keys(dir)).expect("keyring");
        let handle = AuditHandle::open(&child_config(dir), &keyring, Vec::new()).expect("open");
        let appenders: Vec<_> = (0..4)
            .map(|task| {
                let handle = handle.clone();
                tokio::spawn(async move {
                    for n in 0.. {
                        let seq = handle
                            .append(simple_share(n * 4 + task))
                            .await
                            .expect("append");
                        // Bypasses the test harness's capture on purpose.
                        let mut out = std::io::stdout().lock();
                        writeln!(out, "ack {seq}").expect("stdout");
                        out.flush().expect("stdout");
                    }
                })
            })
            .collect();
        for appender in appenders {
            appender.await.expect("appender");
        }
    });
}

/// Starts a child, reads acknowledgements until `ACKS_BEFORE_KILL`, then
/// SIGKILLs it. Returns the acknowledged seqs.
fn run_and_kill(dir: &Path) -> Vec<u64> {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("piped");
    let mut acked = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("child stdout");
        if let Some(seq) = line.strip_prefix("ack ") {
            acked.push(seq.parse().expect("seq"));
            if acked.len() == ACKS_BEFORE_KILL {
                break;
            }
        }
    }
    // Child::kill sends SIGKILL on Unix: no destructor, no final fsync.
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    assert_eq!(
        acked.len(),
        ACKS_BEFORE_KILL,
        "the child stopped before it was killed"
    );
    acked
}

#[test]
fn kill_9_loses_no_acknowledged_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keyring = keyring_at(&keys(dir.path()));
    let mut acked = BTreeSet::new();
    for _ in 0..ROUNDS {
        acked.extend(run_and_kill(dir.path()));
        check_after_crash(dir.path(), &acked);
    }

    // The next start handles a torn tail, if any; then the log verifies whole.
    let seqs = write_signed(
        &child_config(dir.path()),
        &keyring,
        Vec::new(),
        vec![simple_share(0).into()],
    );
    let options = VerifyOptions {
        verifiers: Some(verifiers_from_keyring(
            &keyring,
            &CheckpointConfig::default(),
        )),
        ..VerifyOptions::default()
    };
    let report = verify(&[dir.path().to_path_buf()], &options).expect("read");
    assert!(report.is_intact(), "{report}");
    // The shutdown checkpoint is the last record, one after the share.
    assert_eq!(report.last_seq, seqs.last().map(|s| s + 1));
    assert_eq!(report.uncovered, 0, "{report}");
    // Every restart opened its segment with a checkpoint, each every 25 records.
    assert!(report.checkpoints as usize > ROUNDS, "{report}");
    let output = run(&[
        "audit",
        "verify",
        "--keys",
        keys(dir.path()).to_str().expect("utf8"),
        dir.path().to_str().expect("utf8"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("signatures verified"));
}

/// Right after a kill: all acknowledged seqs are there, and the chain is
/// intact up to, at most, a torn last line.
fn check_after_crash(dir: &Path, acked: &BTreeSet<u64>) {
    let in_log: BTreeSet<u64> = seqs_in_log(dir).into_iter().collect();
    let lost: Vec<_> = acked.difference(&in_log).collect();
    assert!(lost.is_empty(), "acknowledged but not in the log: {lost:?}");
    let report = verify(&[PathBuf::from(dir)], &VerifyOptions::default()).expect("read");
    if let Some(problem) = &report.problem {
        assert!(
            matches!(problem.kind, ProblemKind::TornTail { .. }),
            "{report}"
        );
    }
}
