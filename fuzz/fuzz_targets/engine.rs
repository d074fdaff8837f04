//! Raw bytes through the engine: the shipped demo rules, and a policy that
//! encrypts the whole document followed by `decrypt_document`.
//!
//! Checks: no panic; the same accept/refuse verdict as serde_json; output
//! that serde_json reads whenever it read the input; decrypt gives back the
//! input's value; no fixed personal value left where the demo rules
//! protect (see `oracle.rs`).

#![no_main]

#[path = "oracle.rs"]
mod oracle;

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use pii_proxy::engine::{decrypt_document, protect};
use pii_proxy::protect::Keyring;
use pii_proxy::rules::Policy;
use serde_json::Value;

/// serde_json refuses the 128th nested container: 127 levels keeps the
/// verdicts comparable (as the engine's property tests do).
const SERDE_DEPTH: usize = 127;

fn policy(rules: &str) -> Policy {
    Policy::from_yaml(
        Path::new("fuzz.yaml"),
        rules,
        "fuzz",
        &Keyring::generate(),
        SERDE_DEPTH,
    )
    .expect("rules compile")
}

static DEMO: LazyLock<Policy> = LazyLock::new(|| policy(include_str!("../../rules/demo.yaml")));
static ENCRYPT_ALL: LazyLock<Policy> =
    LazyLock::new(|| policy("fields:\n  - path: $\n    category: x\n    action: encrypt\n"));

fuzz_target!(|input: &[u8]| {
    let expected = serde_json::from_slice::<Value>(input).ok();
    let demo = protect(&DEMO, input);
    assert_eq!(
        demo.is_ok(),
        expected.is_some(),
        "verdict differs from serde_json: {:?}",
        demo.as_ref().err()
    );
    let Some(expected) = expected else { return };
    let protected = demo.expect("accepted: serde_json accepts");
    let out = serde_json::from_slice::<Value>(&protected.output).unwrap_or_else(|e| {
        panic!(
            "demo output is not JSON ({e}): {:?}",
            String::from_utf8_lossy(&protected.output)
        )
    });
    if let Some(place) = oracle::leaked(&out) {
        panic!("a personal value left unprotected at {place}");
    }

    let sealed = protect(&ENCRYPT_ALL, input).expect("the verdict does not depend on the rules");
    serde_json::from_slice::<Value>(&sealed.output).expect("sealed output is JSON");
    let opened = decrypt_document(&ENCRYPT_ALL, &sealed.output).expect("sealed output opens");
    assert!(opened.unopened.is_empty(), "every envelope opens");
    let restored =
        serde_json::from_slice::<Value>(&opened.output).expect("decrypted output is JSON");
    assert_eq!(restored, expected, "decrypt restores the input's value");
});
