//! JSON Schema of the parts of a rules file serde reads by hand (`keys`,
//! an action, a detector name), for the editors' validation and the
//! generated reference. The derives on `raw` cover the rest.
//!
//! Knows nothing of compiling; the schema only describes what the
//! deserializer accepts (the compiler's checks, such as the FF1 domain,
//! stay the judge).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use super::raw::{
    MaskParams, RawAction, RawKeys, RawSubject, RawSubjectRule, RedactParams, TokenizeParams,
};

impl JsonSchema for RawSubject {
    fn schema_name() -> Cow<'static, str> {
        "Subject".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let rule = generator.subschema_for::<RawSubjectRule>();
        json_schema!({
            "description": "A path to the subject id (`$.user.user_id`), or the rule form.",
            "oneOf": [{"type": "string", "minLength": 1}, rule]
        })
    }
}

impl JsonSchema for RawKeys {
    fn schema_name() -> Cow<'static, str> {
        "Keys".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`builtin` (the built-in key dictionary) or a list of object keys.",
            "oneOf": [
                {"const": "builtin", "description": "The built-in key dictionary (English, pinyin, Chinese)."},
                {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}
            ]
        })
    }
}

/// What each action does, as the schema's descriptions say it.
const ACTIONS: &[(&str, &str)] = &[
    (
        "allow",
        "The value as is; under `unknown_fields: drop` it marks the field as necessary.",
    ),
    (
        "mask",
        "Characters replaced by `*`, the first and last ones kept as `{mask: {keep_first, keep_last, char}}` says.",
    ),
    (
        "redact",
        "The value replaced by `[REDACTED]`, or the text of `{redact: {text}}`.",
    ),
    ("drop", "Key and value removed (in an array, the element)."),
    (
        "hash",
        "HMAC-SHA256 with the partner's key, hex: the same value gives the same output for one partner, unlinkable across partners.",
    ),
    (
        "encrypt",
        "AES-256-GCM with a fresh nonce: `pii:v1:<kid>:<base64url>`, opened by `pii-proxy decrypt`.",
    ),
    (
        "tokenize",
        "FF1 over the digits: same length and separators, deterministic per partner and category, reversible by `pii-proxy decrypt`.",
    ),
];

impl JsonSchema for RawAction {
    fn schema_name() -> Cow<'static, str> {
        "Action".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let names: Vec<serde_json::Value> = ACTIONS
            .iter()
            .map(|(name, what)| serde_json::json!({"const": name, "description": what}))
            .collect();
        let with = |name: &str, params: Schema| {
            json_schema!({
                "type": "object",
                "properties": {name: params},
                "required": [name],
                "additionalProperties": false
            })
        };
        let mask = with("mask", generator.subschema_for::<MaskParams>());
        let redact = with("redact", generator.subschema_for::<RedactParams>());
        let tokenize = with("tokenize", generator.subschema_for::<TokenizeParams>());
        json_schema!({
            "description": "An action by name (`encrypt`), or with its parameters (`{mask: {keep_first: 1}}`).",
            "oneOf": [{"oneOf": names}, mask, redact, tokenize]
        })
    }
}

/// The JSON Schema of a rules file.
pub fn rules_schema(generator: &mut SchemaGenerator) -> Schema {
    generator.root_schema_for::<super::raw::RawRules>()
}
