//! The engine against serde_json on the same payloads, in one run.
//!
//! Run: `cargo bench --bench engine` (add `-- --quick` for a fast look).
//! Each group holds one payload size (~1 KB, 64 KB, 4 MB of generated
//! Chinese payment data) and measures, as throughput:
//! - `engine/demo`: the shipped `rules/demo.yaml` (field rules, every
//!   detector, encrypt/tokenize/mask/hash) — the real per-request work;
//! - `engine/demo_sm`: the same rules with `crypto: sm` (SM4-GCM, FF1
//!   over SM4, HMAC-SM3 in software, against AES-NI and SHA extensions);
//! - `engine/passthrough`: a policy that matches nothing (scan + validate);
//! - `serde_json/ignored_any`: validation only;
//! - `serde_json/value_roundtrip`: parse into `Value` and serialize.
//!
//! The `suite` group times one value through each primitive of both
//! suites (seal an ID number, tokenize a card, hash a phone, chain one
//! audit record), so the cost of `crypto: sm` is seen without the walk.
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

fn policies() -> (Policy, Policy, Policy) {
    let keyring = Keyring::generate();
    let demo = Policy::load(Path::new("rules/demo.yaml"), "demo", &keyring, 128)
        .unwrap_or_else(|e| panic!("rules/demo.yaml must compile:\n{e}"));
    let demo_text = std::fs::read_to_string("rules/demo.yaml").expect("rules/demo.yaml");
    let demo_sm = Policy::from_yaml(
        Path::new("rules/demo.yaml"),
        &format!("crypto: sm\n{demo_text}"),
        "demo",
        &keyring,
        128,
    )
    .unwrap_or_else(|e| panic!("rules/demo.yaml with crypto: sm must compile:\n{e}"));
    let nothing = Policy::from_yaml(
        Path::new("passthrough.yaml"),
        "fields:\n  - path: $.no.such.field\n    category: x\n    action: drop\n",
        "bench",
        &keyring,
        128,
    )
    .expect("the pass-through policy compiles");
    (demo, demo_sm, nothing)
}

fn bench_sizes(c: &mut Criterion) {
    let (demo, demo_sm, nothing) = policies();
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
        group.bench_function("engine/demo_sm", |b| {
            b.iter(|| protect(&demo_sm, black_box(&body)).expect("valid"))
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

/// One value through each primitive of both suites.
fn bench_suites(c: &mut Criterion) {
    use pii_proxy::audit::{ChainHash, ChainKey};
    use pii_proxy::protect::suite::keyed_hash;
    use pii_proxy::protect::{Sealer, Suite, Tokenizer, ValueKind};
    let key = zeroize::Zeroizing::new([7u8; 32]);
    let record = payload::payload(400, 7);
    let mut group = c.benchmark_group("suite");
    for suite in Suite::ALL {
        let name = suite.name();
        let sealer = Sealer::with_suite(suite, "k1", &key, "bench");
        group.bench_function(format!("{name}/seal_id_number"), |b| {
            b.iter(|| {
                sealer.seal(
                    "id_number",
                    ValueKind::String,
                    black_box(b"110101199003074578"),
                )
            })
        });
        let tokenizer = Tokenizer::with_suite(suite, &key, "bench");
        group.bench_function(format!("{name}/tokenize_card"), |b| {
            b.iter(|| tokenizer.tokenize("bank_card", black_box("6222021234567890128"), 4))
        });
        group.bench_function(format!("{name}/hash_phone"), |b| {
            b.iter(|| keyed_hash(suite, &key, black_box(b"13812345678")))
        });
        let chain = match suite {
            Suite::Aes => ChainKey::new(ChainHash::Sha256, None),
            Suite::Sm => ChainKey::new(ChainHash::Sm3, None),
        };
        group.bench_function(format!("{name}/chain_record_400B"), |b| {
            b.iter(|| chain.digest(black_box(&record)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_sizes, bench_suites);
criterion_main!(benches);
