//! The engine against serde_json on the same payloads, in one run.
//!
//! Run: `cargo bench --bench engine` (add `-- --quick` for a fast look).
//! Each group holds one payload size (~1 KB, 64 KB, 4 MB of generated
//! Chinese payment data) and measures, as throughput:
//! - `engine/demo`: the shipped `rules/demo.yaml` (field rules, every
//!   detector, encrypt/tokenize/mask/hash) — the real per-request work;
//! - `engine/passthrough`: a policy that matches nothing (scan + validate);
//! - `serde_json/ignored_any`: validation only;
//! - `serde_json/value_roundtrip`: parse into `Value` and serialize.
//!
//! Results and ratios are kept in `benches/README.md`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pii_proxy::engine::protect;
use pii_proxy::protect::Keyring;
use pii_proxy::rules::Policy;

#[path = "common/payload.rs"]
mod payload;

fn policies() -> (Policy, Policy) {
    let keyring = Keyring::generate();
    let demo = Policy::load(Path::new("rules/demo.yaml"), "demo", &keyring, 128)
        .unwrap_or_else(|e| panic!("rules/demo.yaml must compile:\n{e}"));
    let nothing = Policy::from_yaml(
        Path::new("passthrough.yaml"),
        "fields:\n  - path: $.no.such.field\n    category: x\n    action: drop\n",
        "bench",
        &keyring,
        128,
    )
    .expect("the pass-through policy compiles");
    (demo, nothing)
}

fn bench_sizes(c: &mut Criterion) {
    let (demo, nothing) = policies();
    for (label, size) in [("1KB", 1024), ("64KB", 64 * 1024), ("4MB", 4 * 1024 * 1024)] {
        let body = payload::payload(size, 42);
        let mut group = c.benchmark_group(format!("engine_{label}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        if size > 1 << 20 {
            group.sample_size(10);
        }
        group.bench_function("engine/demo", |b| {
            b.iter(|| protect(&demo, black_box(&body)).expect("valid"))
        });
        group.bench_function("engine/passthrough", |b| {
            b.iter(|| protect(&nothing, black_box(&body)).expect("valid"))
        });
        group.bench_function("serde_json/ignored_any", |b| {
            b.iter(|| {
                serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&body)).expect("valid")
            })
        });
        group.bench_function("serde_json/value_roundtrip", |b| {
            b.iter(|| {
                let value: serde_json::Value =
                    serde_json::from_slice(black_box(&body)).expect("valid");
                serde_json::to_vec(&value).expect("serializes")
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench_sizes);
criterion_main!(benches);
