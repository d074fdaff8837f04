//! The rules file as written: serde types deserialized straight from the
//! YAML text (so every value keeps its line and column), unknown keys
//! rejected. Checked and compiled into a `Policy` by the parent module.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A partner's rules file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    /// Where the data subject's id is (whose data this is): consent checks,
    /// quotas and audit records, stored hashed. A path (`$.user.user_id`),
    /// or `{paths: [...], keys: [user_id, userId], optional: false, case:
    /// sensitive}`. Every occurrence is a subject, each checked. A body with
    /// findings and no subject is refused unless `optional: true`.
    #[serde(default)]
    pub subject: Option<Spanned<RawSubject>>,
    /// Header carrying the subject when the body does not.
    #[serde(default)]
    pub subject_header: Option<Spanned<String>>,
    /// `revocable` (default): data is shared unless the subject revoked
    /// consent for this partner and scenario. `required`: only with an
    /// explicit grant on record (cross-border partners must say so).
    #[serde(default)]
    pub consent: Option<Spanned<ConsentMode>>,
    /// `allow` (default) forwards fields no rule names; `drop` removes them
    /// (minimum necessary: only named fields leave).
    #[serde(default)]
    pub unknown_fields: UnknownFields,
    /// Maximum nesting of arrays and objects (default: the config's limit).
    #[serde(default)]
    pub max_depth: Option<Spanned<usize>>,
    /// Field rules, first match wins.
    #[serde(default)]
    pub fields: Vec<Spanned<RawField>>,
    /// Content detectors run over every value no field rule matched.
    #[serde(default)]
    pub detect: Vec<Spanned<RawDetect>>,
    /// Extra label words for the labelled detectors (name, address, ...).
    #[serde(default)]
    pub context_words: RawContextWords,
    /// Protected request headers, by name.
    #[serde(default)]
    pub headers: Vec<Spanned<RawNamed>>,
    /// Protected query parameters, by name.
    #[serde(default)]
    pub query: Vec<Spanned<RawNamed>>,
    /// Protected path segments, by template:
    /// `{template: /v1/users/{id}, param: id, category: id_number, action: tokenize}`.
    /// The template is matched against the path after the partner's route;
    /// the detectors look at every other segment.
    #[serde(default)]
    pub path_params: Vec<Spanned<RawPathParam>>,
}

/// One protected path segment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPathParam {
    /// `/literal/{name}/...`: literal segments must match exactly,
    /// `{name}` matches any one segment.
    pub template: Spanned<String>,
    /// Which `{name}` of the template is protected.
    pub param: Spanned<String>,
    pub category: Spanned<String>,
    /// How the segment is written (`drop` cannot remove a segment: such a
    /// request is refused 400 `pii_in_path`).
    pub action: Spanned<RawAction>,
}

/// How a partner's shares depend on the subject's consent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMode {
    /// Shared unless revoked (or the subject was erased).
    #[default]
    Revocable,
    /// Shared only with an explicit grant; a request without a subject is
    /// refused.
    Required,
}

impl ConsentMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentMode::Revocable => "revocable",
            ConsentMode::Required => "required",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownFields {
    #[default]
    Allow,
    Drop,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    #[serde(default)]
    pub path: Option<Spanned<String>>,
    #[serde(default)]
    pub keys: Option<Spanned<RawKeys>>,
    #[serde(default)]
    pub category: Option<Spanned<String>>,
    pub action: Spanned<RawAction>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDetect {
    #[serde(default)]
    pub detector: Option<Spanned<String>>,
    #[serde(default)]
    pub pattern: Option<Spanned<String>>,
    #[serde(default)]
    pub category: Option<Spanned<String>>,
    pub action: Spanned<RawAction>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNamed {
    pub name: Spanned<String>,
    #[serde(default)]
    pub category: Option<Spanned<String>>,
    pub action: Spanned<RawAction>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContextWords {
    #[serde(default)]
    pub name: Vec<String>,
    #[serde(default)]
    pub address: Vec<String>,
    #[serde(default)]
    pub birth_date: Vec<String>,
    #[serde(default)]
    pub passport: Vec<String>,
}

/// `subject: $.user.user_id`, or the rule form.
#[derive(Debug)]
pub enum RawSubject {
    Path(String),
    Rule(RawSubjectRule),
}

/// The rule form of `subject:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubjectRule {
    /// Paths whose values are subject ids.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Key names whose values are subject ids, at any depth (matched like
    /// `keys:` rules: case, `_`, `-` and camelCase insensitive).
    #[serde(default)]
    pub keys: Vec<String>,
    /// A body with findings but no subject may be shared (audited as
    /// `no_subject`). Default false: such a body is refused.
    #[serde(default)]
    pub optional: bool,
    /// Whether ids differing only in case are one subject.
    #[serde(default)]
    pub case: crate::subject::Case,
}

impl<'de> Deserialize<'de> for RawSubject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SubjectVisitor;
        impl<'de> Visitor<'de> for SubjectVisitor {
            type Value = RawSubject;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a path, or `{paths, keys, optional, case}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawSubject, E> {
                Ok(RawSubject::Path(v.to_owned()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<RawSubject, A::Error> {
                let rule = RawSubjectRule::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawSubject::Rule(rule))
            }
        }
        deserializer.deserialize_any(SubjectVisitor)
    }
}

/// `keys: builtin` or `keys: [mobile, 手机号]`.
#[derive(Debug, Clone)]
pub enum RawKeys {
    Builtin,
    List(Vec<String>),
}

impl<'de> Deserialize<'de> for RawKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeysVisitor;
        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = RawKeys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`builtin` or a list of key names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawKeys, E> {
                match v {
                    "builtin" => Ok(RawKeys::Builtin),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element::<String>()? {
                    keys.push(key);
                }
                Ok(RawKeys::List(keys))
            }
        }
        deserializer.deserialize_any(KeysVisitor)
    }
}

/// An action as written: `encrypt`, or `{mask: {keep_first: 1}}`.
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaskParams {
    #[serde(default)]
    pub keep_first: usize,
    #[serde(default)]
    pub keep_last: usize,
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedactParams {
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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenizeParams {
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
