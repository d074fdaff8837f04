use super::*;
use crate::audit::AuditHandle;
use crate::audit::record::Body;
use crate::audit::record::tests::sample_share;
use crate::audit::verify::{ProblemKind, VerifyOptions, verify};
use std::fs;
use std::path::Path;
use tokio::sync::{Semaphore, oneshot};

fn config(dir: &Path, fsync: FsyncPolicy) -> AuditConfig {
    AuditConfig {
        dir: dir.to_path_buf(),
        fsync,
        ..AuditConfig::default()
    }
}

fn check(dir: &Path, key: ChainKey) -> crate::audit::Report {
    let options = VerifyOptions {
        key,
        ..VerifyOptions::default()
    };
    verify(&[dir.to_path_buf()], &options).expect("readable")
}

async fn append_n(handle: &AuditHandle, n: usize) -> Vec<Seq> {
    let mut seqs = Vec::new();
    for _ in 0..n {
        seqs.push(handle.append(sample_share()).await.expect("accepted"));
    }
    seqs
}

#[tokio::test]
async fn concurrent_appends_get_distinct_seqs_and_one_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    for fsync in [FsyncPolicy::Always, FsyncPolicy::Batch, FsyncPolicy::Off] {
        let sub = dir.path().join(format!("{fsync:?}"));
        let handle =
            AuditHandle::open_with_key(&config(&sub, fsync), ChainKey::Plain).expect("open");
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let handle = handle.clone();
                tokio::spawn(async move { append_n(&handle, 25).await })
            })
            .collect();
        let mut seqs = Vec::new();
        for task in tasks {
            seqs.extend(task.await.expect("task"));
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=200).collect::<Vec<_>>(), "{fsync:?}");
        let stats = handle.stats();
        assert_eq!(stats.records_written, 200);
        assert_eq!(stats.last_seq, 200);
        assert_eq!(stats.queue_depth, 0);
        assert!(stats.available);
        if fsync == FsyncPolicy::Always {
            assert!(stats.last_fsync_latency.is_some());
        }
        handle.shutdown().await.expect("shutdown");
        let report = check(&sub, ChainKey::Plain);
        assert!(report.is_intact(), "{report}");
        assert_eq!(report.records, 200);
    }
}

#[tokio::test]
async fn restart_continues_the_chain_in_a_new_segment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), FsyncPolicy::Batch);
    for round in 0..3u64 {
        let handle = AuditHandle::open_with_key(&config, ChainKey::Plain).expect("open");
        assert_eq!(handle.stats().last_seq, round * 5);
        let seqs = append_n(&handle, 5).await;
        assert_eq!(seqs[0], round * 5 + 1);
        handle.shutdown().await.expect("shutdown");
    }
    let report = check(dir.path(), ChainKey::Plain);
    assert!(report.is_intact(), "{report}");
    assert_eq!((report.files, report.records), (3, 15));
}

#[tokio::test]
async fn size_rotation_splits_segments_and_keeps_the_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = AuditConfig {
        rotate_bytes: 2000,
        ..config(dir.path(), FsyncPolicy::Off)
    };
    let handle = AuditHandle::open_with_key(&config, ChainKey::Plain).expect("open");
    append_n(&handle, 30).await;
    handle.shutdown().await.expect("shutdown");
    let segments = crate::audit::segment::list(dir.path()).expect("list");
    assert!(segments.len() >= 5, "{} segments", segments.len());
    let report = check(dir.path(), ChainKey::Plain);
    assert!(report.is_intact(), "{report}");
    assert_eq!(report.records, 30);
}

#[tokio::test]
async fn torn_tail_is_reported_then_recorded_by_the_next_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), FsyncPolicy::Always);
    let handle = AuditHandle::open_with_key(&config, ChainKey::Plain).expect("open");
    append_n(&handle, 4).await;
    handle.shutdown().await.expect("shutdown");
    let segment = crate::audit::segment::list(dir.path())
        .expect("list")
        .remove(0);
    let mut text = fs::read(&segment).expect("read");
    text.truncate(text.len() - 30);
    fs::write(&segment, &text).expect("tear");

    let report = check(dir.path(), ChainKey::Plain);
    let problem = report.problem.expect("torn");
    assert_eq!(
        (problem.file.as_path(), problem.line),
        (segment.as_path(), 4)
    );
    assert!(matches!(problem.kind, ProblemKind::TornTail { .. }));

    let handle = AuditHandle::open_with_key(&config, ChainKey::Plain).expect("reopen");
    let seq = handle.append(sample_share()).await.expect("append");
    assert_eq!(
        seq, 5,
        "recovery record took seq 4, after the 3 whole records"
    );
    handle.shutdown().await.expect("shutdown");
    let report = check(dir.path(), ChainKey::Plain);
    assert!(report.is_intact(), "{report}");
    assert_eq!(report.recovered, vec![(segment, 4)]);
}

#[tokio::test]
async fn keyed_chain_setting_cannot_change_on_an_existing_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), FsyncPolicy::Off);
    let key = ChainKey::Keyed(zeroize::Zeroizing::new([9; 32]));
    let handle = AuditHandle::open_with_key(&config, key.clone()).expect("open");
    append_n(&handle, 2).await;
    handle.shutdown().await.expect("shutdown");
    let refused = AuditHandle::open_with_key(&config, ChainKey::Plain).expect_err("refused");
    assert!(
        matches!(refused, AuditError::Corrupt { line: 2, .. }),
        "{refused}"
    );
    assert!(check(dir.path(), key).is_intact());
    let unkeyed = check(dir.path(), ChainKey::Plain);
    assert_eq!(unkeyed.problem.map(|p| p.kind), Some(ProblemKind::Edited));
}

#[tokio::test]
async fn appends_after_shutdown_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handle = AuditHandle::open_with_key(&config(dir.path(), FsyncPolicy::Off), ChainKey::Plain)
        .expect("open");
    handle.shutdown().await.expect("shutdown");
    let refused = handle.append(sample_share()).await.expect_err("closed");
    assert!(matches!(refused, AuditError::Unavailable(_)));
}

#[test]
fn open_fails_when_the_directory_cannot_exist() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("file");
    fs::write(&file, b"x").expect("write");
    let config = config(&file.join("audit"), FsyncPolicy::Always);
    assert!(AuditHandle::open_with_key(&config, ChainKey::Plain).is_err());
}

/// `writer` with /dev/full as its segment, where every write fails with
/// ENOSPC; `None` (the test skips) where there is no /dev/full.
fn writing_to_dev_full(mut writer: Writer) -> Option<Writer> {
    let Ok(full) = std::fs::OpenOptions::new().append(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full here");
        return None;
    };
    writer.segment = Some(Segment {
        file: full,
        path: "/dev/full".into(),
        len: 0,
        opened: Instant::now(),
    });
    Some(writer)
}

/// /dev/full fails every write with ENOSPC: the batch is refused, nothing
/// is acknowledged, the chain state stays where it was.
#[test]
fn a_failed_write_acknowledges_nothing_and_keeps_the_chain_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shared = Arc::new(Shared::default());
    let writer = Writer::new(
        &config(dir.path(), FsyncPolicy::Always),
        ChainKey::Plain,
        shared.clone(),
        None,
    );
    let Some(mut writer) = writing_to_dev_full(writer) else {
        return;
    };
    let slots = Arc::new(Semaphore::new(4));
    let mut batch = Vec::new();
    let mut acks = Vec::new();
    for _ in 0..3 {
        let (ack, done) = oneshot::channel();
        let slot = slots.clone().try_acquire_owned().expect("slot");
        batch.push(Pending {
            body: Body::Share(sample_share()),
            ack: Some(ack),
            _slot: slot,
        });
        acks.push(done);
    }
    writer.commit(&mut batch);
    for mut done in acks {
        let result = done.try_recv().expect("resolved");
        assert!(
            matches!(result, Err(AuditError::Unavailable(ref m)) if m.contains("write failed"))
        );
    }
    assert_eq!((writer.chain.next_seq, writer.chain.prev), (1, GENESIS));
    assert_eq!(shared.records_written.load(Ordering::Relaxed), 0);
    assert_eq!(shared.batches_failed.load(Ordering::Relaxed), 1);
    assert!(!shared.available.load(Ordering::Relaxed));
    assert_eq!(slots.available_permits(), 4, "slots are released");
}

/// A refused batch that carried a checkpoint leaves the tree and the
/// entries waiting to join it as they were: the next checkpoint's root is
/// over the records on disk only.
#[test]
fn a_refused_checkpoint_batch_rolls_the_tree_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let writer = Writer::new(
        &config(dir.path(), FsyncPolicy::Off),
        ChainKey::Plain,
        Arc::new(Shared::default()),
        Some(checkpointer(Duration::from_secs(3600), 2)),
    );
    let Some(mut writer) = writing_to_dev_full(writer) else {
        return;
    };
    let entry = |i: u8| crate::audit::merkle::TreeHash::Sha256.digest(&[i]);
    let mut tree = crate::audit::merkle::Frontier::new(crate::audit::merkle::TreeHash::Sha256);
    tree.push_entries(&[entry(1), entry(2), entry(3)]);
    writer.chain.tree = Some(tree.clone());
    writer.chain.entries = vec![entry(4)];
    writer.chain.next_seq = 5;
    let slots = Arc::new(Semaphore::new(4));
    let mut batch: Vec<Pending> = (0..2)
        .map(|_| Pending {
            body: Body::Share(sample_share()),
            ack: None,
            _slot: slots.clone().try_acquire_owned().expect("slot"),
        })
        .collect();
    writer.commit(&mut batch);
    assert_eq!(writer.chain.next_seq, 5);
    assert_eq!(writer.chain.tree.as_ref(), Some(&tree), "the tree before");
    assert_eq!(
        writer.chain.entries,
        vec![entry(4)],
        "the entry still waits"
    );
    tree.push_entries(&[entry(4)]);
    assert_eq!(writer.chain.tree(), Some(&tree));
}

#[tokio::test]
async fn time_rotation_starts_a_segment_per_interval() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = AuditConfig {
        rotate_bytes: 0,
        // Any batch finds the previous segment older than this.
        rotate_interval: Duration::from_nanos(1),
        ..config(dir.path(), FsyncPolicy::Batch)
    };
    let handle = AuditHandle::open_with_key(&config, ChainKey::Plain).expect("open");
    append_n(&handle, 4).await;
    handle.shutdown().await.expect("shutdown");
    let segments = crate::audit::segment::list(dir.path()).expect("list");
    assert_eq!(segments.len(), 4);
    assert!(check(dir.path(), ChainKey::Plain).is_intact());
}

#[tokio::test]
async fn a_disabled_log_accepts_everything_and_records_nothing() {
    let handle = AuditHandle::disabled();
    assert!(!handle.is_enabled());
    assert_eq!(append_n(&handle, 3).await, vec![0, 0, 0]);
    let stats = handle.stats();
    assert!(!stats.enabled);
    assert_eq!((stats.records_written, stats.last_seq), (0, 0));
    handle.shutdown().await.expect("nothing to stop");
    assert_eq!(handle.append(sample_share()).await.expect("still"), 0);
}

#[tokio::test]
async fn an_open_log_reports_itself_enabled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handle = AuditHandle::open_with_key(&config(dir.path(), FsyncPolicy::Off), ChainKey::Plain)
        .expect("open");
    assert!(handle.is_enabled() && handle.stats().enabled);
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn detached_records_are_written_in_order_before_shutdown_returns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handle =
        AuditHandle::open_with_key(&config(dir.path(), FsyncPolicy::Batch), ChainKey::Plain)
            .expect("open");
    handle.append(sample_share()).await.expect("acknowledged");
    for _ in 0..10 {
        handle
            .append_detached(sample_share())
            .await
            .expect("queued");
    }
    handle.shutdown().await.expect("shutdown");
    assert_eq!(handle.stats().records_written, 11);
    let report = check(dir.path(), ChainKey::Plain);
    assert!(report.is_intact(), "{report}");
    assert_eq!(report.records, 11);
    assert!(handle.append_detached(sample_share()).await.is_err());
    AuditHandle::disabled()
        .append_detached(sample_share())
        .await
        .expect("a disabled log takes everything");
}

async fn wait_for_written(handle: &AuditHandle, records: u64) {
    // Bounds a hang; the writer normally takes DETACHED_FLUSH.
    let deadline = Instant::now() + Duration::from_secs(60);
    while handle.stats().records_written < records {
        assert!(Instant::now() < deadline, "{:?}", handle.stats());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_detached_record_is_written_without_another_append() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handle = AuditHandle::open_with_key(&config(dir.path(), FsyncPolicy::Off), ChainKey::Plain)
        .expect("open");
    handle.append(sample_share()).await.expect("acknowledged");
    handle
        .append_detached(sample_share())
        .await
        .expect("queued");
    wait_for_written(&handle, 2).await;
    // Long enough without records that the writer sleeps until woken.
    tokio::time::sleep(STAY_AWAKE + Duration::from_millis(200)).await;
    handle
        .append_detached(sample_share())
        .await
        .expect("queued");
    wait_for_written(&handle, 3).await;
    assert_eq!(handle.stats().queue_depth, 0);
    handle.shutdown().await.expect("shutdown");
    assert!(check(dir.path(), ChainKey::Plain).is_intact());
}

#[tokio::test]
async fn detached_records_are_written_when_the_last_handle_goes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handle =
        AuditHandle::open_with_key(&config(dir.path(), FsyncPolicy::Batch), ChainKey::Plain)
            .expect("open");
    for _ in 0..5 {
        handle
            .append_detached(sample_share())
            .await
            .expect("queued");
    }
    drop(handle);
    // The writer drains and stops on its own thread: wait for its file.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let report = check(dir.path(), ChainKey::Plain);
        if report.records == 5 {
            assert!(report.is_intact(), "{report}");
            break;
        }
        assert!(Instant::now() < deadline, "{report}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn checkpointer(interval: Duration, every: u64) -> Checkpointer {
    let config = crate::audit::CheckpointConfig {
        every_records: every,
        interval,
        ..crate::audit::CheckpointConfig::default()
    };
    let keyring = crate::protect::Keyring::generate();
    Checkpointer::from_keyring(&config, &keyring, Vec::new()).expect("checkpointer")
}

fn kinds(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for path in crate::audit::segment::list(dir).expect("list") {
        let data = fs::read(&path).expect("read");
        for line in crate::audit::segment::split_lines(&data).0 {
            let value: serde_json::Value = serde_json::from_slice(line).expect("json");
            out.push(value["kind"].as_str().expect("kind").to_owned());
        }
    }
    out
}

#[tokio::test]
async fn records_waiting_get_a_checkpoint_after_the_interval() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), FsyncPolicy::Batch);
    let cp = checkpointer(Duration::from_millis(50), 1000);
    let handle = AuditHandle::open_with(&config, ChainKey::Plain, Some(cp)).expect("open");
    append_n(&handle, 3).await;
    for _ in 0..200 {
        if handle.stats().checkpoints_written > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(handle.stats().checkpoints_written, 1);
    assert_eq!(kinds(dir.path()), ["share", "share", "share", "checkpoint"]);
    // No new record, no new checkpoint: an idle log signs nothing.
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(handle.stats().checkpoints_written, 1);
    handle.shutdown().await.expect("shutdown");
    assert_eq!(kinds(dir.path()).len(), 4, "nothing uncovered at shutdown");
}

#[tokio::test]
async fn every_segment_after_the_first_opens_with_a_checkpoint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = AuditConfig {
        rotate_bytes: 1500,
        ..config(dir.path(), FsyncPolicy::Off)
    };
    let cp = checkpointer(Duration::from_secs(3600), 7);
    let handle = AuditHandle::open_with(&config, ChainKey::Plain, Some(cp)).expect("open");
    append_n(&handle, 30).await;
    handle.shutdown().await.expect("shutdown");
    let segments = crate::audit::segment::list(dir.path()).expect("list");
    assert!(segments.len() >= 3);
    for path in &segments[1..] {
        let data = fs::read(path).expect("read");
        let first = crate::audit::segment::split_lines(&data).0[0];
        assert!(first.windows(19).any(|w| w == b"\"kind\":\"checkpoint\""));
    }
    assert_eq!(
        kinds(dir.path()).last().map(String::as_str),
        Some("checkpoint")
    );
}

#[tokio::test]
async fn checkpoints_continue_a_log_written_before_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), FsyncPolicy::Off);
    let legacy = AuditHandle::open_with_key(&config, ChainKey::Plain).expect("open");
    append_n(&legacy, 5).await;
    legacy.shutdown().await.expect("shutdown");
    assert!(!kinds(dir.path()).contains(&"checkpoint".to_owned()));
    // The first start with checkpoints rebuilds the tree from the genesis
    // record and opens its segment with a checkpoint over all five.
    let cp = checkpointer(Duration::from_secs(3600), 100);
    let handle = AuditHandle::open_with(&config, ChainKey::Plain, Some(cp)).expect("open");
    append_n(&handle, 2).await;
    handle.shutdown().await.expect("shutdown");
    let kinds = kinds(dir.path());
    assert_eq!(kinds[5], "checkpoint");
    assert_eq!(kinds.len(), 9);
    let report = check(dir.path(), ChainKey::Plain);
    assert!(report.is_intact(), "{report}");
    assert_eq!(report.checkpoints, 2);
}
