//! The audit writer's throughput: records per second through
//! [`AuditHandle`], with the same-run baseline of a disabled log (the
//! caller's side alone, nothing written).
//!
//! Run: `cargo bench --bench audit` (add `-- --quick` for a fast look).
//! Each iteration appends 1,024 share records (one finding each, like a
//! ~1 KB request) from 64 concurrent tasks, as 64 requests in flight would:
//! - `disabled`: `audit: {enabled: false}` — no writer, the baseline;
//! - `fsync_off` / `fsync_batch`: acknowledged appends (what the share
//!   record before forwarding costs), group-committed by the writer thread,
//!   with signed checkpoints as `serve` writes them (every 10,000 records
//!   or 60 s; the Merkle frontier kept per record);
//! - `fsync_batch_no_checkpoints`: the same without checkpoints, the
//!   same-run baseline of what checkpoints cost;
//! - `fsync_batch_request_pairs`: what requests do, each an acknowledged
//!   share record then a detached outcome record (queued, not awaited),
//!   timed until the writer has written every record (one acknowledged
//!   record at the end, as the next request's share would, flushes them);
//! - `checkpoints_paired` (printed, not a criterion benchmark): rounds
//!   alternating between a log with checkpoints and one without, the
//!   median ratio of their throughputs: what checkpoints cost, resolved
//!   finer than separate measurements can be on a shared machine.
//!
//! Throughput is in records (elements) per second; last results in
//! `benches/README.md`. What the proxy pays per request for its audit log, end to end, is the
//! load harness's "audit on / off" ratio (`benches/README.md`, "Load").

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use pii_proxy::audit::{
    AuditConfig, AuditHandle, AuditPath, ChainKey, Consent, FieldPath, Finding, FsyncPolicy, Ident,
    RulesVersion, SINGLE_REPLICA, Share, SubjectHasher,
};
use pii_proxy::protect::Keyring;

const RECORDS: usize = 1024;
const TASKS: usize = 64;

fn label(text: &str) -> Ident {
    Ident::new(text).expect("bench labels are valid")
}

fn share(subjects: &SubjectHasher, n: usize) -> Share {
    Share {
        id: Ident::new(&format!("bench-{n}")).expect("id"),
        partner: label("demo"),
        method: label("POST"),
        path: AuditPath::from_request("/v1/payments"),
        subject: Some(subjects.hash(&format!("U-{n:08}"))),
        consent: Consent::Granted,
        subjects: Vec::new(),
        subject_parts: 0,
        fields_total: None,
        classes: Default::default(),
        fields: vec![Finding::by_rule(
            FieldPath::new("$.user.id_number"),
            label("id_number"),
            label("encrypt"),
            1,
        )],
        rules_version: RulesVersion::of_policy(b"bench"),
        bytes_in: 779,
        bytes_out: 1051,
        cross_border: None,
        export_basis: None,
        partner_name: None,
        scenario: None,
        consent_decisions: Vec::new(),
        consent_decisions_more: None,
        candidate: None,
    }
}

async fn append_all(handle: &AuditHandle, records: &[Share]) {
    let chunk = records.len() / TASKS;
    let tasks: Vec<_> = records
        .chunks(chunk)
        .map(|part| {
            let handle = handle.clone();
            let part = part.to_vec();
            tokio::spawn(async move {
                for record in part {
                    black_box(handle.append(record).await.expect("accepted"));
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
}

/// Half the records acknowledged, half detached, in pairs per task.
async fn append_pairs(handle: &AuditHandle, records: &[Share]) {
    let target = handle.stats().records_written + records.len() as u64;
    let tasks: Vec<_> = records
        .chunks(records.len() / TASKS)
        .map(|part| {
            let handle = handle.clone();
            let part = part.to_vec();
            tokio::spawn(async move {
                for pair in part.chunks(2) {
                    black_box(handle.append(pair[0].clone()).await.expect("accepted"));
                    if let Some(outcome) = pair.get(1) {
                        handle
                            .append_detached(outcome.clone())
                            .await
                            .expect("queued");
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    // One acknowledged record more: the writer takes detached records
    // before the channel's, so once it is written, so is every outcome
    // (without it, the last ones would wait out DETACHED_FLUSH).
    handle.append(records[0].clone()).await.expect("accepted");
    assert!(handle.stats().records_written > target);
}

fn open(dir: &std::path::Path, fsync: FsyncPolicy, checkpoints: bool) -> AuditHandle {
    // Every record names its replica, as `serve` writes them with or
    // without checkpoints (without it the baseline's lines are shorter).
    let config = AuditConfig {
        dir: dir.to_path_buf(),
        fsync,
        replica: Some(label(SINGLE_REPLICA)),
        ..AuditConfig::default()
    };
    if !checkpoints {
        return AuditHandle::open_with_key(&config, ChainKey::Plain).expect("the bench log opens");
    }
    // Generated per run, never stored: the bench only needs a signer.
    let keyring = Keyring::generate();
    AuditHandle::open(&config, &keyring, Vec::new()).expect("the bench log opens")
}

/// Writes back every dirty page before a measurement: the previous log's
/// gigabyte of unsynced writes would otherwise be flushed during the next
/// one (under `fsync: off` whichever benchmark ran second was ~0.6x the
/// first, whatever it measured).
fn settle_page_cache() {
    let synced = std::process::Command::new("sync").status();
    assert!(synced.is_ok_and(|s| s.success()), "sync(1) runs");
}

fn bench_writer(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let subjects = SubjectHasher::new(&[7; 32]);
    let records: Vec<Share> = (0..RECORDS).map(|n| share(&subjects, n)).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("audit_writer");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.measurement_time(Duration::from_secs(5));

    let disabled = AuditHandle::disabled();
    group.bench_function("disabled", |b| {
        b.iter(|| runtime.block_on(append_all(&disabled, &records)))
    });
    for (name, fsync, checkpoints) in [
        // The pair without the disk's fsync latency, which varies more
        // between runs than checkpoints cost: what checkpointing costs the
        // writer's CPU.
        ("fsync_off_no_checkpoints", FsyncPolicy::Off, false),
        ("fsync_off", FsyncPolicy::Off, true),
        // Right before its pair, so both see the same machine.
        ("fsync_batch_no_checkpoints", FsyncPolicy::Batch, false),
        ("fsync_batch", FsyncPolicy::Batch, true),
    ] {
        settle_page_cache();
        let log_dir = dir.path().join(name);
        let handle = open(&log_dir, fsync, checkpoints);
        group.bench_function(name, |b| {
            b.iter(|| runtime.block_on(append_all(&handle, &records)))
        });
        runtime.block_on(handle.shutdown()).expect("shutdown");
        std::fs::remove_dir_all(&log_dir).expect("the bench log is removed");
    }
    settle_page_cache();
    let handle = open(&dir.path().join("pairs"), FsyncPolicy::Batch, true);
    group.bench_function("fsync_batch_request_pairs", |b| {
        b.iter(|| runtime.block_on(append_pairs(&handle, &records)))
    });
    runtime.block_on(handle.shutdown()).expect("shutdown");
    group.finish();
}

/// Rounds of the paired comparison, each 1,024 records per log.
const PAIRED_ROUNDS: usize = 400;

/// What checkpoints cost the writer, as one paired figure. Separate
/// measurements of the two logs differ by up to ±20% from one run to the
/// next on a shared 2-core machine (scheduling of 64 tasks, the writer
/// thread and the kernel), four times the 5% being measured; here rounds
/// alternate between a log with checkpoints and one without (ABBA, so
/// neither always goes first), both open at once, and the median of the
/// per-round ratios is printed with its quartiles.
fn paired_checkpoint_cost(
    runtime: &tokio::runtime::Runtime,
    records: &[Share],
    fsync: FsyncPolicy,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    settle_page_cache();
    let with = open(&dir.path().join("with"), fsync, true);
    let without = open(&dir.path().join("without"), fsync, false);
    let time = |handle: &AuditHandle| {
        let started = std::time::Instant::now();
        runtime.block_on(append_all(handle, records));
        started.elapsed().as_secs_f64()
    };
    // Warm both writers and their files first.
    for _ in 0..20 {
        time(&with);
        time(&without);
    }
    let mut ratios: Vec<f64> = (0..PAIRED_ROUNDS)
        .map(|round| {
            let (with_s, without_s) = if round % 2 == 0 {
                (time(&with), time(&without))
            } else {
                let without_s = time(&without);
                (time(&with), without_s)
            };
            // Throughput with ÷ throughput without.
            without_s / with_s
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |q: usize| ratios[(ratios.len() - 1) * q / 4];
    let checkpoints = with.stats().checkpoints_written;
    println!(
        "audit_writer/checkpoints_paired/{fsync:?}: with ÷ without checkpoints, \
         median {:.3} (quartiles {:.3}–{:.3}) over {PAIRED_ROUNDS} rounds of {} records, \
         {checkpoints} checkpoints written",
        at(2),
        at(1),
        at(3),
        records.len(),
    );
    runtime.block_on(with.shutdown()).expect("shutdown");
    runtime.block_on(without.shutdown()).expect("shutdown");
}

/// The paired comparison unless the command line names benchmarks it is
/// not one of (`cargo bench --bench audit -- fsync_off` skips it).
fn bench_paired() {
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with('-'));
    if filter.is_some_and(|f| !"audit_writer/checkpoints_paired".contains(f.as_str())) {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let subjects = SubjectHasher::new(&[7; 32]);
    let records: Vec<Share> = (0..RECORDS).map(|n| share(&subjects, n)).collect();
    paired_checkpoint_cost(&runtime, &records, FsyncPolicy::Batch);
    paired_checkpoint_cost(&runtime, &records, FsyncPolicy::Off);
}

criterion_group!(benches, bench_writer);

fn main() {
    benches();
    bench_paired();
    Criterion::default().configure_from_args().final_summary();
}
