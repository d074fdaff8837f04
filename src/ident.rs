//! The one rule for every name the proxy writes where people read it:
//! partner ids, scenario names, rule categories, detector names, refusal
//! codes, admin actions and actors, HTTP methods and request ids.
//!
//! Owns [`Ident`] and its rule. Whatever passes it can go into an audit
//! record, a metric label and a log line as it is, so every layer that
//! takes a name from the config (the config check, the rules compiler, the
//! consent store) checks it here, once, and reports the same problem at the
//! same place (`FILE:LINE:COL` at `check`). Knows nothing of where a name
//! is used. Fails closed: a name that breaks the rule is refused, never
//! cleaned up or replaced by a placeholder.
//!
//! The rule: 1 to 128 bytes of letters of any script (`医疗记录`,
//! `medical_record`), ASCII digits and `_ - . :`, starting with a letter or
//! a digit, with no run of 6 or more digits and no `@`. The last two keep
//! out the shapes of ID, card, phone and account numbers and of email
//! addresses: a name that looks like personal data would make every audit
//! record and metric series that carries it look like a leak.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Longest identifier, in bytes.
pub const MAX_LEN: usize = 128;

/// A run of this many digits looks like an ID, card, phone or account number.
pub const DIGIT_RUN_LIMIT: usize = 6;

/// Why a text is not an identifier. The text itself is never repeated: it
/// may be what the rule is there to keep out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentError {
    #[error("must be 1 to {MAX_LEN} bytes long")]
    Length,
    #[error("must start with a letter or a digit")]
    Start,
    #[error("may hold only letters, digits and `_ - . :`")]
    Character,
    #[error(
        "must not hold a run of {DIGIT_RUN_LIMIT} or more digits (it looks like personal data)"
    )]
    DigitRun,
}

/// A checked identifier. Cheap to clone: build it once (at config load),
/// not per request.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ident(Arc<str>);

impl Ident {
    pub fn new(text: &str) -> Result<Ident, IdentError> {
        check(text)?;
        Ok(Ident(text.into()))
    }

    /// A name written in the code (a refusal code, an action, a fixed
    /// word). The unit tests of each module that uses one check it.
    pub fn fixed(text: &'static str) -> Ident {
        Ident::new(text).expect("identifiers written in the code follow the identifier rule")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shared text, for maps and metric labels keyed by `Arc<str>`.
    pub fn shared(&self) -> &Arc<str> {
        &self.0
    }
}

/// Checks `text` against the rule without building an [`Ident`].
pub fn check(text: &str) -> Result<(), IdentError> {
    if text.is_empty() || text.len() > MAX_LEN {
        return Err(IdentError::Length);
    }
    if !text.chars().next().is_some_and(char::is_alphanumeric) {
        return Err(IdentError::Start);
    }
    let allowed =
        |c: char| c.is_alphabetic() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.' | ':');
    if !text.chars().all(allowed) {
        return Err(IdentError::Character);
    }
    if longest_digit_run(text) >= DIGIT_RUN_LIMIT {
        return Err(IdentError::DigitRun);
    }
    Ok(())
}

/// Length of the longest run of ASCII digits in `text`.
pub fn longest_digit_run(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for b in text.bytes() {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Whether `text` has the shape of a personal value: a run of 6 or more
/// digits or an `@`. Paths and other free-form names use it to blank such
/// parts.
pub fn looks_like_a_value(text: &str) -> bool {
    longest_digit_run(text) >= DIGIT_RUN_LIMIT || text.contains('@')
}

impl fmt::Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for Ident {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Ident {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Ident {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Ident {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Ident {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl Serialize for Ident {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Reading applies the rule too, so audit tools read back only what the
/// writer could have written.
impl<'de> Deserialize<'de> for Ident {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ident::new(&text).map_err(|e| serde::de::Error::custom(format!("identifier {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_every_layer_pass() {
        for ok in [
            "demo",
            "credit-bureau",
            "bank-12345",
            "loan_v2",
            "医疗记录",
            "medical_record",
            "POST",
            "consent.revoke:loan",
            "req-42",
            "a",
            "MRN",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn shapes_of_personal_data_and_odd_characters_are_refused() {
        let cases = [
            ("", IdentError::Length),
            ("bank-123456", IdentError::DigitRun),
            ("loan-13800138000", IdentError::DigitRun),
            ("a@b.example", IdentError::Character),
            ("-lead", IdentError::Start),
            ("_lead", IdentError::Start),
            ("two words", IdentError::Character),
            ("a/b", IdentError::Character),
            ("tab\t", IdentError::Character),
            ("zero\u{200b}width", IdentError::Character),
            ("full１２３４５６", IdentError::Character),
        ];
        for (text, expected) in cases {
            assert_eq!(check(text), Err(expected), "{text:?}");
        }
        assert_eq!(check(&"x".repeat(MAX_LEN)), Ok(()));
        assert_eq!(check(&"x".repeat(MAX_LEN + 1)), Err(IdentError::Length));
    }

    #[test]
    fn errors_never_repeat_the_text() {
        let e = Ident::new("id-110101199003077777").expect_err("digit run");
        assert!(!e.to_string().contains("110101"), "{e}");
        let parsed: Result<Ident, _> = serde_json::from_str("\"13800138000\"");
        let e = parsed.expect_err("refused on read");
        assert!(!e.to_string().contains("138001"), "{e}");
    }
}
