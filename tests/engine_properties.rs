//! Properties of the engine over generated input: byte-exact pass-through,
//! the same accept/refuse verdict as serde_json, no panic on any bytes, and
//! valid JSON out whatever the rules do.

use std::path::Path;

use pii_proxy::engine::protect;
use pii_proxy::protect::Keyring;
use pii_proxy::rules::Policy;
use proptest::prelude::*;

/// serde_json refuses the 128th nested container; a limit of 127 levels
/// makes the engine's verdict comparable.
const SERDE_DEPTH: usize = 127;

fn policy(rules: &str) -> Policy {
    Policy::from_yaml(
        Path::new("t.yaml"),
        rules,
        "p",
        &Keyring::generate(),
        SERDE_DEPTH,
    )
    .expect("rules compile")
}

fn matches_nothing() -> Policy {
    policy("fields:\n  - path: $.no.such.field\n    category: x\n    action: drop\n")
}

fn whitespace() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vec![" ", "\n", "\t", "\r", ""]), 0..3)
        .prop_map(|w| w.concat())
}

/// A string literal with a random mix of raw and escaped characters.
fn string_literal() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 _.-]{0,6}",
        prop::sample::select(vec!["张三", "北京市", "😀", "é", "\u{2028}"]).prop_map(str::to_owned),
        prop::sample::select(vec![
            "\\\"",
            "\\\\",
            "\\/",
            "\\b",
            "\\f",
            "\\n",
            "\\r",
            "\\t",
            "\\u0041",
            "\\u4e2d",
            "\\ud83d\\ude00",
            "\\u0000"
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..5).prop_map(|p| format!("\"{}\"", p.concat()))
}

fn number_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        (any::<i32>(), 0u32..1000, -400i32..400).prop_map(|(i, f, e)| format!("{i}.{f}e{e}")),
        Just("-0".to_owned()),
        Just("0.5E+3".to_owned()),
        Just("123456789012345678901234567890".to_owned()),
        Just("6222021234567890128".to_owned()),
    ]
}

fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        string_literal(),
        number_literal(),
        prop::sample::select(vec!["true", "false", "null"]).prop_map(str::to_owned),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        let member = (
            whitespace(),
            string_literal(),
            whitespace(),
            inner.clone(),
            whitespace(),
        )
            .prop_map(|(a, k, b, v, c)| format!("{a}{k}{b}:{c}{v}"));
        prop_oneof![
            prop::collection::vec(member, 0..6).prop_map(|m| format!("{{{}}}", m.join(","))),
            prop::collection::vec((whitespace(), inner), 0..6).prop_map(|e| format!(
                "[{}]",
                e.into_iter()
                    .map(|(w, v)| format!("{w}{v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
        ]
    })
}

/// Valid documents with a random edit: the shapes of bad input proxies see.
fn mutated_text() -> impl Strategy<Value = Vec<u8>> {
    (
        json_text(),
        any::<prop::sample::Index>(),
        0usize..8,
        any::<u8>(),
    )
        .prop_map(|(text, at, edit, byte)| {
            let mut bytes = text.into_bytes();
            let i = at.index(bytes.len().max(1)).min(bytes.len());
            match edit {
                0 => bytes.insert(i, byte),
                1 if i < bytes.len() => {
                    bytes.remove(i);
                }
                2 if i < bytes.len() => bytes[i] = byte,
                3 => bytes.extend_from_slice(b" x"),
                4 => bytes.insert(i, b','),
                5 => bytes
                    .splice(i..i, b"\\ud800".iter().copied())
                    .for_each(drop),
                6 => bytes.truncate(i),
                _ => bytes.insert(i, 0x1f),
            }
            bytes
        })
}

fn serde_accepts(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn untouched_documents_come_out_byte_identical(text in json_text(), lead in whitespace(), tail in whitespace()) {
        let text = format!("{lead}{text}{tail}");
        prop_assume!(serde_accepts(text.as_bytes()));
        let pii_proxy::engine::Protected { output: out, findings, .. } = protect(&matches_nothing(), text.as_bytes()).expect("valid JSON is accepted");
        prop_assert_eq!(out, text.as_bytes());
        prop_assert!(findings.items.is_empty());
    }

    #[test]
    fn verdict_matches_serde_json_on_valid_input(text in json_text()) {
        prop_assert_eq!(protect(&matches_nothing(), text.as_bytes()).is_ok(), serde_accepts(text.as_bytes()), "{}", text);
    }

    #[test]
    fn verdict_matches_serde_json_on_mutated_input(bytes in mutated_text()) {
        let ours = protect(&matches_nothing(), &bytes);
        prop_assert_eq!(ours.is_ok(), serde_accepts(&bytes), "{:?} -> {:?}", String::from_utf8_lossy(&bytes), ours.err());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let ours = protect(&matches_nothing(), &bytes);
        prop_assert_eq!(ours.is_ok(), serde_accepts(&bytes));
    }

    #[test]
    fn output_is_valid_json_whatever_the_rules_do(text in json_text()) {
        prop_assume!(serde_accepts(text.as_bytes()));
        let protective = policy(
            "unknown_fields: drop\nfields:\n  - path: $..*\n    category: x\n    action: allow\n  - keys: [a, b]\n    category: x\n    action: drop\n  - path: $[*]\n    category: y\n    action: {mask: {keep_first: 1}}\ndetect:\n  - pattern: '[0-9]{3}'\n    category: n\n    action: {mask: {keep_last: 1}}\n  - pattern: 'x'\n    category: z\n    action: drop\n",
        );
        let pii_proxy::engine::Protected { output: out, .. } = protect(&protective, text.as_bytes()).expect("accepted");
        prop_assert!(serde_accepts(&out), "{} -> {}", text, String::from_utf8_lossy(&out));
        let everything = policy("fields:\n  - path: $\n    category: x\n    action: encrypt\n");
        let pii_proxy::engine::Protected { output: sealed, .. } = protect(&everything, text.as_bytes()).expect("accepted");
        let opened = pii_proxy::engine::decrypt_document(&everything, &sealed).expect("opens");
        prop_assert_eq!(opened.restored, usize::from(text != "null"), "null holds nothing to encrypt");
        prop_assert!(opened.unopened.is_empty());
        let value = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).expect("JSON");
        prop_assert_eq!(value(&opened.output), value(text.as_bytes()), "decrypt restores the same value");
    }
}

#[test]
fn known_serde_json_edge_cases_get_the_same_verdict() {
    let cases: &[&[u8]] = &[
        b"",
        b" ",
        b"{}",
        b"[]",
        b"{} x",
        b"[1,]",
        b"{\"a\":1,}",
        b"01",
        b"-",
        b"1.",
        b".5",
        b"1e",
        b"1e+",
        b"-01",
        b"1e309",
        b"-1e309",
        b"1e-400",
        b"123e-9999999999",
        b"0e99999999999999",
        b"\"\\ud800\"",
        b"\"\\udc00\"",
        b"\"\\ud800\\u0041\"",
        b"\"\\ud83d\\ude00\"",
        b"\"\x01\"",
        b"\"\\x\"",
        b"\"\\u12\"",
        b"\xef\xbb\xbf{}",
        b"\"\xff\"",
        b"nul",
        b"true false",
        b"[1 2]",
        b"{\"a\" 1}",
        b"{1:2}",
        b"\"abc",
        b"[",
        b"{\"a\":",
        b"NaN",
        b"Infinity",
        b"  [\n1\n]\n ",
        b"\"\x7f\"",
    ];
    let p = matches_nothing();
    for case in cases {
        assert_eq!(
            protect(&p, case).is_ok(),
            serde_accepts(case),
            "{:?}",
            String::from_utf8_lossy(case)
        );
    }
    let deep_ok = "[".repeat(127) + &"]".repeat(127);
    let deep_bad = "[".repeat(128) + &"]".repeat(128);
    assert_eq!(
        protect(&p, deep_ok.as_bytes()).is_ok(),
        serde_accepts(deep_ok.as_bytes())
    );
    assert_eq!(
        protect(&p, deep_bad.as_bytes()).is_ok(),
        serde_accepts(deep_bad.as_bytes())
    );
    let huge = "9".repeat(400);
    assert_eq!(
        protect(&p, huge.as_bytes()).is_ok(),
        serde_accepts(huge.as_bytes())
    );
}
