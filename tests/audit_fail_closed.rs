//! When the writer cannot write, appends resolve to `Unavailable`, never to
//! a seq for a record that is not in the log; when the disk comes back,
//! the chain continues and verifies.
//!
//! Root ignores permission bits, so the failures are real ones: a full
//! tmpfs (needs `mount`, skipped with a note where it is not allowed) and
//! an audit directory replaced by a file (works anywhere).

mod audit_common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use audit_common::*;
use pii_proxy::audit::{
    AuditConfig, AuditError, AuditHandle, ChainKey, Seq, Share, VerifyOptions, verify,
};

fn assert_log_holds(dir: &Path, acked: &BTreeSet<Seq>) {
    let report = verify(&[dir.to_path_buf()], &VerifyOptions::default()).expect("read");
    assert!(report.is_intact(), "{report}");
    let in_log: BTreeSet<Seq> = seqs_in_log(dir).into_iter().collect();
    let lost: Vec<_> = acked.difference(&in_log).collect();
    assert!(lost.is_empty(), "acknowledged but not in the log: {lost:?}");
}

/// Appends until one succeeds again (the writer retries its open at most
/// every `RETRY_AFTER`); gives up after a generous deadline.
async fn append_until_accepted(handle: &AuditHandle, event: Share) -> Seq {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match handle.append(event.clone()).await {
            Ok(seq) => return seq,
            Err(AuditError::Unavailable(_)) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(error) => panic!("the writer did not come back: {error}"),
        }
    }
}

#[tokio::test]
async fn audit_dir_replaced_by_a_file_refuses_appends() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("audit");
    let moved = root.path().join("audit.moved");
    let config = AuditConfig {
        // Every batch after the first opens a new segment in `dir`.
        rotate_bytes: 1,
        ..config(&dir)
    };
    let handle = AuditHandle::open_with_key(&config, ChainKey::Plain).expect("open");
    let mut acked = BTreeSet::new();
    for n in 0..3 {
        acked.insert(handle.append(simple_share(n)).await.expect("accepted"));
    }

    fs::rename(&dir, &moved).expect("move the audit dir away");
    fs::write(&dir, b"not a directory").expect("put a file in its place");
    for n in 3..6 {
        let refused = handle.append(simple_share(n)).await;
        assert!(
            matches!(refused, Err(AuditError::Unavailable(_))),
            "{refused:?}"
        );
    }
    assert!(!handle.stats().available);
    assert_log_holds(&moved, &acked);

    fs::remove_file(&dir).expect("remove the file");
    fs::rename(&moved, &dir).expect("put the dir back");
    acked.insert(append_until_accepted(&handle, simple_share(6)).await);
    handle.shutdown().await.expect("shutdown");
    assert_log_holds(&dir, &acked);
    assert!(handle.stats().batches_failed >= 3);
}

/// A tmpfs mounted for one test and unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        fs::create_dir_all(at).ok()?;
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then(|| Tmpfs(at.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount").arg(&self.0).status();
        if !unmounted.is_ok_and(|s| s.success()) {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

#[tokio::test]
async fn full_disk_refuses_appends_and_recovers_when_space_returns() {
    let root = tempfile::tempdir().expect("tempdir");
    let mount_point = root.path().join("small");
    let Some(_tmpfs) = Tmpfs::mount(&mount_point, "64k") else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
        return;
    };
    let ballast = mount_point.join("ballast");
    fs::write(&ballast, vec![0u8; 24 * 1024]).expect("ballast");
    let dir = mount_point.join("audit");
    let handle = AuditHandle::open_with_key(&config(&dir), ChainKey::Plain).expect("open");

    let mut acked = BTreeSet::new();
    let mut refusal = None;
    for n in 0..1000 {
        match handle.append(simple_share(n)).await {
            Ok(seq) => {
                acked.insert(seq);
            }
            Err(error) => {
                refusal = Some(error);
                break;
            }
        }
    }
    let refusal = refusal.expect("64 KiB fills up");
    assert!(matches!(refusal, AuditError::Unavailable(_)), "{refusal}");
    assert!(refusal.to_string().contains("No space left"), "{refusal}");
    assert!(acked.len() > 10, "only {} records fit", acked.len());
    let refused_again = handle.append(simple_share(0)).await;
    assert!(refused_again.is_err(), "still full");
    assert!(!handle.stats().available);
    assert_log_holds(&dir, &acked);

    fs::remove_file(&ballast).expect("free space");
    acked.insert(append_until_accepted(&handle, simple_share(1)).await);
    handle.shutdown().await.expect("shutdown");
    assert_log_holds(&dir, &acked);
    assert!(handle.stats().available);
}
