//! The benches' generated payloads are what they claim to be: valid JSON
//! that serde_json and the engine both accept, at every size the benches
//! use, so a bench never measures a refusal.

use std::path::Path;

use pii_proxy::engine::protect;
use pii_proxy::protect::Keyring;
use pii_proxy::rules::Policy;

#[path = "../benches/common/payload.rs"]
#[allow(dead_code, reason = "the benches use more of the generator")]
mod payload;

#[test]
fn generated_payloads_are_valid_for_serde_json_and_the_engine() {
    let keyring = Keyring::generate();
    let demo = Policy::load(Path::new("rules/demo.yaml"), "demo", &keyring, 128)
        .unwrap_or_else(|e| panic!("rules/demo.yaml must compile:\n{e}"));
    for size in [1024, 16 * 1024, 64 * 1024, 256 * 1024] {
        for seed in [1, 7, 42] {
            let body = payload::payload(size, seed);
            serde_json::from_slice::<serde::de::IgnoredAny>(&body)
                .unwrap_or_else(|e| panic!("size {size} seed {seed}: serde_json: {e}"));
            let pii_proxy::engine::Protected {
                output: out,
                findings,
                ..
            } = protect(&demo, &body)
                .unwrap_or_else(|e| panic!("size {size} seed {seed}: engine: {e:?}"));
            serde_json::from_slice::<serde::de::IgnoredAny>(&out)
                .unwrap_or_else(|e| panic!("size {size} seed {seed}: output: {e}"));
            assert!(!findings.items.is_empty());
        }
    }
}
