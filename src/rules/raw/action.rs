//! An action as a rules file writes it: a name (`encrypt`) or a one-key
//! map with the action's parameters (`{mask: {keep_first: 1}}`), read by a
//! hand-written `Deserialize` (its schema is `rules::schema`'s).
//!
//! It knows nothing of what an action does to a value, nor of the checks
//! that depend on the category (`tokenize`'s FF1 domain: the compiler's).
//! An unknown name, a second key or a stray parameter is a deserialize
//! error, so the file does not load.

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// An action as written: `encrypt`, or `{mask: {keep_first: 1}}`; its
/// schema is `rules::schema`'s.
#[derive(Debug, Clone)]
pub enum RawAction {
    Allow,
    Mask(MaskParams),
    Redact(RedactParams),
    Drop,
    Hash,
    Encrypt,
    Tokenize(TokenizeParams),
}

/// `mask`: characters replaced, counted in Unicode characters; at least one
/// character (and half of a short value) is always masked.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MaskParams {
    /// Characters kept at the start (`张三丰` with 1 gives `张**`).
    #[serde(default)]
    pub keep_first: usize,
    /// Characters kept at the end (`13812345678` with `keep_first: 3` and
    /// `keep_last: 4` gives `138****5678`).
    #[serde(default)]
    pub keep_last: usize,
    /// The character written in place of each masked one.
    #[serde(default = "default_mask_char")]
    pub char: char,
}

fn default_mask_char() -> char {
    '*'
}

impl Default for MaskParams {
    fn default() -> Self {
        MaskParams {
            keep_first: 0,
            keep_last: 0,
            char: '*',
        }
    }
}

/// `redact`: the whole value replaced by a fixed text.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedactParams {
    /// The text written in place of the value.
    #[serde(default = "default_redaction")]
    pub text: String,
}

fn default_redaction() -> String {
    "[REDACTED]".to_owned()
}

impl Default for RedactParams {
    fn default() -> Self {
        RedactParams {
            text: default_redaction(),
        }
    }
}

/// `tokenize`: FF1 format-preserving encryption of the digits (same length
/// and separators), deterministic per partner and category, reversible by
/// `pii-proxy decrypt`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenizeParams {
    /// Digits kept at the end (a card's last four); at least 6 digits must
    /// remain to encrypt.
    #[serde(default)]
    pub keep_last: usize,
    /// The fewest digits a value of this field has; needed (for the FF1
    /// domain check) when the category has no known format.
    #[serde(default)]
    pub min_digits: Option<usize>,
}

const ACTION_NAMES: &[&str] = &[
    "allow", "mask", "redact", "drop", "hash", "encrypt", "tokenize",
];

impl RawAction {
    fn from_name<E: de::Error>(name: &str) -> Result<Self, E> {
        Ok(match name {
            "allow" => RawAction::Allow,
            "mask" => RawAction::Mask(MaskParams::default()),
            "redact" => RawAction::Redact(RedactParams::default()),
            "drop" => RawAction::Drop,
            "hash" => RawAction::Hash,
            "encrypt" => RawAction::Encrypt,
            "tokenize" => RawAction::Tokenize(TokenizeParams::default()),
            other => return Err(E::unknown_variant(other, ACTION_NAMES)),
        })
    }
}

impl<'de> Deserialize<'de> for RawAction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ActionVisitor;
        impl<'de> Visitor<'de> for ActionVisitor {
            type Value = RawAction;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an action (allow, mask, redact, drop, hash, encrypt, tokenize) or `{action: {parameters}}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawAction, E> {
                RawAction::from_name(v)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawAction, A::Error> {
                let Some(name) = map.next_key::<String>()? else {
                    return Err(de::Error::custom(
                        "an action map needs one key: the action's name",
                    ));
                };
                let action = match name.as_str() {
                    "mask" => RawAction::Mask(map.next_value()?),
                    "redact" => RawAction::Redact(map.next_value()?),
                    "tokenize" => RawAction::Tokenize(map.next_value()?),
                    "allow" | "drop" | "hash" | "encrypt" => {
                        map.next_value::<de::IgnoredAny>()?;
                        RawAction::from_name(&name)?
                    }
                    other => return Err(de::Error::unknown_variant(other, ACTION_NAMES)),
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "an action map has one key; `{extra}` is a second one"
                    )));
                }
                Ok(action)
            }
        }
        deserializer.deserialize_any(ActionVisitor)
    }
}
