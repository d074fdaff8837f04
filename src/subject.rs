//! The subject identifier in its key form: the one spelling consent
//! decisions, quotas and audit records are keyed by, whatever way a caller
//! writes the id.
//!
//! ` u-1`, `ｕ－１` (full-width), `u\u{200B}-1` (a zero-width space inside)
//! and `u-1` are one subject; so are the numbers `4711`, `4711.0` and
//! `4.711e3`. Case is kept unless the partner's rules say its ids are case
//! insensitive. Knows nothing of hashing: the hash is taken of this form.
//!
//! Decisions recorded before this normalization existed were keyed by the
//! id as it was sent. Only their hashes are stored, so they cannot be
//! re-keyed: a lookup also tries the id as sent whenever it differs from
//! its key form ([`Spellings`]), and the strictest decision wins, so a
//! change of spelling never fails open.

use unicode_normalization::UnicodeNormalization;

/// Whether a partner's subject ids are case sensitive (`subject: {case: …}`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Case {
    #[default]
    Sensitive,
    Insensitive,
}

/// The key form of `raw`: trimmed, NFKC (full-width letters and digits are
/// ASCII), without invisible format characters, a number as its integer
/// digits, lowercased when `case` is insensitive.
pub fn normalize(raw: &str, case: Case) -> String {
    let composed: String = raw
        .nfkc()
        .filter(|c| !crate::protect::actions::is_invisible(*c))
        .collect();
    let trimmed = composed.trim();
    let spelled = crate::text::integer_spelling(trimmed)
        .filter(|_| !trimmed.starts_with('-'))
        .unwrap_or_else(|| trimmed.to_owned());
    match case {
        Case::Sensitive => spelled,
        Case::Insensitive => spelled.to_lowercase(),
    }
}

/// The spellings a subject's decisions may be keyed by: its key form, and
/// the id as sent when that differs (a decision recorded before
/// normalization).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spellings {
    pub key: String,
    pub legacy: Option<String>,
}

impl Spellings {
    pub fn of(raw: &str, case: Case) -> Spellings {
        let key = normalize(raw, case);
        let legacy = (key != raw).then(|| raw.to_owned());
        Spellings { key, legacy }
    }

    /// Every spelling, the key form first.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.key.as_str()).chain(self.legacy.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_id_share_one_key_form() {
        for raw in ["u-1", " u-1 ", "ｕ－１", "u\u{200B}-1", "\u{FEFF}u-1"] {
            assert_eq!(normalize(raw, Case::Sensitive), "u-1", "{raw:?}");
        }
        for raw in ["4711", "4711.0", "4.711e3", "４７１１"] {
            assert_eq!(normalize(raw, Case::Sensitive), "4711", "{raw:?}");
        }
        assert_eq!(normalize("U-1", Case::Sensitive), "U-1");
        assert_eq!(normalize("U-1", Case::Insensitive), "u-1");
        assert_eq!(normalize("-4711.0", Case::Sensitive), "-4711.0");
    }

    #[test]
    fn an_id_sent_in_another_spelling_keeps_its_legacy_key() {
        let s = Spellings::of(" u-1", Case::Sensitive);
        assert_eq!(s.all().collect::<Vec<_>>(), ["u-1", " u-1"]);
        let s = Spellings::of("u-1", Case::Sensitive);
        assert_eq!(s.all().collect::<Vec<_>>(), ["u-1"]);
    }
}
