//! `subject:` as a rules file writes it: a path (`$.user.user_id`), or the
//! rule form with paths, keys, whether a body may go without one, and
//! whether case tells subjects apart; read by a hand-written `Deserialize`
//! (its schema is `rules::schema`'s).
//!
//! It knows nothing of how a subject id is found or hashed. Any other
//! shape is a deserialize error, so the file does not load.

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// `subject: $.user.user_id`, or the rule form.
#[derive(Debug)]
pub enum RawSubject {
    Path(String),
    Rule(RawSubjectRule),
}

/// The rule form of `subject:`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
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
