//! The `jr-t-0171` profile: what a share does with each class unless the
//! rules file's own `fields:` say otherwise.
//!
//! - C3 (authentication data) never leaves: a finding refuses the request
//!   (403 `forbidden_category`), and the value is dropped besides, so
//!   nothing leaks even where the refusal were bypassed. A rules file that
//!   wants the field gone without refusing says `action: drop` for it.
//! - C2 is masked with the customary display of its category: a card keeps
//!   its first 6 and last 4 digits, a mobile its first 3 and last 4, an ID
//!   number its first and last character, a name its surname; any other C2
//!   value is masked whole.
//! - C1 is shared as is.
//!
//! The limits [`Display::customary_max`] are the loosest customary display
//! of each category: an override keeping more is what `check` warns of.

use super::classes::{Class, class_of};

/// The profile's treatment of one category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    /// Refused (and dropped): C3.
    Forbidden,
    /// Masked, keeping this many characters at each end: C2.
    Mask { keep_first: usize, keep_last: usize },
    /// Shared as is: C1.
    AsIs,
}

impl Display {
    /// The profile's default for `category`, by its class; `None` for a
    /// category without one.
    pub fn default_for(category: &str) -> Option<Display> {
        Some(match class_of(category)? {
            Class::C3 => Display::Forbidden,
            Class::C1 => Display::AsIs,
            Class::C2 => {
                let (keep_first, keep_last) = match category {
                    // Card and account numbers: first 6 (the issuer) and
                    // last 4, the display the card schemes' receipts use.
                    "bank_card" | "account" => (6, 4),
                    "phone" => (3, 4),
                    "id_number" | "passport" => (1, 1),
                    // The surname (one character; two of a compound one
                    // are within `customary_max`).
                    "name" => (1, 0),
                    _ => (0, 0),
                };
                Display::Mask {
                    keep_first,
                    keep_last,
                }
            }
        })
    }

    /// The most characters of a C2 `category` a customary display keeps
    /// at each end: `(first, last)`.
    pub fn customary_max(category: &str) -> (usize, usize) {
        match category {
            "bank_card" | "account" => (6, 4),
            "phone" => (3, 4),
            // ID numbers are shown with 1-3 leading and 1-4 trailing
            // characters in the customary forms.
            "id_number" | "passport" => (3, 4),
            "name" => (2, 0),
            _ => (0, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_class_has_its_default() {
        assert_eq!(Display::default_for("cvn"), Some(Display::Forbidden));
        assert_eq!(
            Display::default_for("bank_card"),
            Some(Display::Mask {
                keep_first: 6,
                keep_last: 4
            })
        );
        assert_eq!(Display::default_for("payment_token"), Some(Display::AsIs));
        assert_eq!(Display::default_for("医疗记录"), None);
    }

    #[test]
    fn every_default_is_within_the_customary_display() {
        for (category, _, _) in super::super::classes::TABLE {
            if let Some(Display::Mask {
                keep_first,
                keep_last,
            }) = Display::default_for(category)
            {
                let (first, last) = Display::customary_max(category);
                assert!(keep_first <= first && keep_last <= last, "{category}");
            }
        }
    }
}
