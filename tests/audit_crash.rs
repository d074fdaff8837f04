//! kill -9 the writer mid-stream: every acknowledged record is in the log,
//! and after the next start the whole log verifies.
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
    AuditConfig, AuditHandle, ChainKey, FsyncPolicy, ProblemKind, VerifyOptions, verify,
};

const CHILD_ENV: &str = "PII_PROXY_AUDIT_CRASH_CHILD";
const ROUNDS: usize = 3;
const ACKS_BEFORE_KILL: usize = 150;

fn child_config(dir: &Path) -> AuditConfig {
    AuditConfig {
        fsync: FsyncPolicy::Always,
        rotate_bytes: 16 * 1024,
        ..config(dir)
    }
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
        let handle = AuditHandle::open_with_key(&child_config(Path::new(&dir)), ChainKey::Plain)
            .expect("open");
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
    let mut acked = BTreeSet::new();
    for _ in 0..ROUNDS {
        acked.extend(run_and_kill(dir.path()));
        check_after_crash(dir.path(), &acked);
    }

    // The next start handles a torn tail, if any; then the log verifies whole.
    let seqs = write_events(
        &child_config(dir.path()),
        ChainKey::Plain,
        vec![simple_share(0).into()],
    );
    let report = verify(&[dir.path().to_path_buf()], &VerifyOptions::default()).expect("read");
    assert!(report.is_intact(), "{report}");
    assert_eq!(report.last_seq, seqs.last().copied());
    let output = run(&["audit", "verify", dir.path().to_str().expect("utf8")]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
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
