//! Inputs the fuzz targets (`fuzz/README.md`) found to fail, minimized,
//! each kept as a test of the behaviour the target checks.

use std::path::Path;

use pii_proxy::engine::protect;
use pii_proxy::protect::Keyring;
use pii_proxy::rules::Policy;

fn demo() -> Policy {
    Policy::from_yaml(
        Path::new("rules/demo.yaml"),
        include_str!("../rules/demo.yaml"),
        "demo",
        &Keyring::generate(),
        127,
    )
    .expect("the demo rules compile")
}

/// A key a detector rewrites to another length (`MRN-12345678` redacted):
/// the value's detectors read the key through a range taken before the
/// rewrite, out of bounds of the shorter key (a panic, found by the
/// `engine` target).
#[test]
fn a_key_rewritten_by_a_detector_leaves_its_value_readable() {
    let policy = demo();
    for input in [
        &b"{\"MRN-12345678 abcdef\":\"x\"}"[..],
        // as the fuzzer found it
        b"{\"$MRN-12345678$MRid\":\"u:{\"user46\",\"e1.\x18}",
        b"{\"a\":{\"MRN-12345678 abcdef\":\"13800138000\"}}",
    ] {
        let verdict = protect(&policy, input);
        let serde = serde_json::from_slice::<serde_json::Value>(input);
        assert_eq!(
            verdict.is_ok(),
            serde.is_ok(),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        let Ok(protected) = verdict else { continue };
        let out = String::from_utf8(protected.output).expect("UTF-8");
        assert!(!out.contains("MRN-12345678"), "{out}");
        assert!(!out.contains("13800138000"), "{out}");
        serde_json::from_str::<serde_json::Value>(&out).expect("JSON out");
    }
}

/// A body cut off after a member's colon where a field rule applies
/// (`card`, the demo rules' bank card): refused as invalid JSON, not an
/// index past the end (a panic, found by the `engine` target).
#[test]
fn a_body_cut_after_a_ruled_members_colon_is_refused() {
    let policy = demo();
    for input in [
        &b"{\"card\":"[..],
        b"{\"note\":\"c1234518\",\"card\":",
        b"{\"user\":{\"name\":",
        // after the subject's key (the subject capture read past the end)
        b"{\"user\":{\"user_id\":",
    ] {
        let err = protect(&policy, input).expect_err("truncated JSON is refused");
        assert_eq!(err.code(), "invalid_json");
        assert!(serde_json::from_slice::<serde_json::Value>(input).is_err());
    }
}
