//! The consent and quota checks every request pays, against baselines in
//! the same run.
//!
//! Run: `cargo bench --bench consent` (add `-- --quick` for a fast look).
//! Setup writes a real journal of 1,000,000 decisions (one per subject) and
//! opens the store from it (the replay time is printed once), then measures:
//! - `consent_lookup_1M/store_hit` and `/store_miss`: `ConsentStore::lookup`
//!   for a subject with decisions (scanning them) and one without;
//! - `consent_lookup_1M/std_hashmap_sip_hit`: a `std` `HashMap` (SipHash)
//!   probe with the same 32-byte keys: what a plain map costs;
//! - `consent_lookup_1M/subject_hmac`: hashing the raw subject id, which
//!   the audit record needs anyway;
//! - `consent_lookup_1M/subject_key_from_hex`: parsing `hmac:<hex>` back to
//!   bytes (what the admin API and the journal replay do; the request path
//!   takes the bytes from the hasher instead);
//! - `consent_lookup_1M/hmac_then_lookup`: the request path's whole consent
//!   step: hash once (for the audit record and the key), then look up.
//! - `quota/seen_subject` and `/new_subject`: `Monitor::admit` with a rate
//!   and a distinct-subject quota (clock read included), for a subject
//!   already counted in the window and one that is not;
//! - `quota/atomic_fetch_add`: one contended-free atomic increment.
//!
//! Results are kept in `benches/README.md`.

use std::collections::HashMap;
use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use pii_proxy::audit::SubjectHasher;
use pii_proxy::config::{AnomalySettings, Quota};
use pii_proxy::consent::journal::Entry;
use pii_proxy::consent::{ConsentStore, Op, SubjectKey};
use pii_proxy::monitor::Monitor;

const SUBJECTS: usize = 1_000_000;
/// Keys looked up in rotation, spread over the map (which is far larger
/// than the CPU caches).
const PROBES: usize = 4096;

fn subject(i: usize) -> String {
    format!("user-{i:08}")
}

/// A journal of one revoke per subject (half scoped to a scenario), opened
/// as the proxy opens it at start.
fn store(dir: &std::path::Path, hasher: &SubjectHasher) -> ConsentStore {
    let path = dir.join("journal.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("journal"));
    for i in 0..SUBJECTS {
        let entry = Entry {
            seq: i as u64 + 1,
            ts: "2026-11-23T05:00:00.000Z".into(),
            op: Op::Revoke,
            subject: hasher.hash(&subject(i)),
            partner: Some("credit-bureau".into()),
            scenario: (i % 2 == 0).then(|| "loan".into()),
            separate: false,
        };
        serde_json::to_writer(&mut out, &entry).expect("entry");
        out.write_all(b"\n").expect("newline");
    }
    out.flush().expect("flush");
    drop(out);
    let started = Instant::now();
    let store = ConsentStore::open(&path, hasher.clone()).expect("replay");
    eprintln!(
        "replayed {} decisions in {:.2?}",
        store.decisions_recorded(),
        started.elapsed()
    );
    store
}

/// Spread-out indexes so consecutive probes hit different parts of the map.
fn probe_indexes() -> Vec<usize> {
    (0..PROBES).map(|i| (i * 7919 + 13) % SUBJECTS).collect()
}

fn bench_lookup(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let hasher = SubjectHasher::new(&[9; 32]);
    let store = store(dir.path(), &hasher);
    let hits: Vec<SubjectKey> = probe_indexes()
        .iter()
        .map(|i| SubjectKey::of(&hasher.hash(&subject(*i))))
        .collect();
    let misses: Vec<SubjectKey> = (0..PROBES)
        .map(|i| SubjectKey::of(&hasher.hash(&format!("nobody-{i}"))))
        .collect();
    let plain: HashMap<[u8; 32], bool> = (0..SUBJECTS)
        .map(|i| {
            let hash = hasher.hash(&subject(i));
            let mut key = [0u8; 32];
            hex::decode_to_slice(&hash.as_str()[5..], &mut key).expect("hex");
            (key, true)
        })
        .collect();
    let plain_keys: Vec<[u8; 32]> = probe_indexes()
        .iter()
        .map(|i| {
            let mut key = [0u8; 32];
            hex::decode_to_slice(&hasher.hash(&subject(*i)).as_str()[5..], &mut key).expect("hex");
            key
        })
        .collect();
    let raw: Vec<String> = probe_indexes().iter().map(|i| subject(*i)).collect();

    let mut group = c.benchmark_group("consent_lookup_1M");
    let mut n = 0usize;
    let mut next = || {
        n = (n + 1) % PROBES;
        n
    };
    group.bench_function("store_hit", |b| {
        b.iter(|| store.lookup(black_box(&hits[next()]), "credit-bureau", "loan"))
    });
    group.bench_function("store_miss", |b| {
        b.iter(|| store.lookup(black_box(&misses[next()]), "credit-bureau", "loan"))
    });
    group.bench_function("std_hashmap_sip_hit", |b| {
        b.iter(|| plain.get(black_box(&plain_keys[next()])).copied())
    });
    group.bench_function("subject_hmac", |b| {
        b.iter(|| hasher.hash(black_box(&raw[next()])))
    });
    let hashes: Vec<_> = raw.iter().map(|r| hasher.hash(r)).collect();
    group.bench_function("subject_key_from_hex", |b| {
        b.iter(|| SubjectKey::of(black_box(&hashes[next()])))
    });
    group.bench_function("hmac_then_lookup", |b| {
        b.iter(|| {
            let (hash, digest) = hasher.hash_with_digest(black_box(&raw[next()]));
            let verdict = store.lookup(&SubjectKey::from_digest(digest), "credit-bureau", "loan");
            (hash, verdict)
        })
    });
    group.finish();
}

fn bench_quota(c: &mut Criterion) {
    let monitor = Monitor::new();
    let quota = Quota {
        requests_per_second: Some(u32::MAX),
        burst: Some(u32::MAX),
        distinct_subjects: Some(u32::MAX),
        window: Duration::from_secs(1),
        cluster: false,
    };
    let anomaly = AnomalySettings::default();
    let counter = std::sync::atomic::AtomicU64::new(0);
    let mut group = c.benchmark_group("quota");
    let mut seen = 0u64;
    group.bench_function("seen_subject", |b| {
        b.iter(|| {
            seen = (seen + 1) % 64;
            monitor.admit("credit-bureau", black_box(Some(seen)), &quota, &anomaly)
        })
    });
    // A fresh fingerprint every time; the 1 s window prunes the map.
    let mut fresh = 1u64 << 40;
    group.bench_function("new_subject", |b| {
        b.iter(|| {
            fresh = fresh.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(1);
            monitor.admit("credit-bureau", black_box(Some(fresh)), &quota, &anomaly)
        })
    });
    group.bench_function("atomic_fetch_add", |b| {
        b.iter(|| counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    });
    group.finish();
}

criterion_group!(benches, bench_lookup, bench_quota);
criterion_main!(benches);
