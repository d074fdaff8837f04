//! Echoes: a name the document protects in one field is protected wherever
//! else the same document repeats it, unlabelled (`"payee_nm": "贺丹建"`
//! beside `"pstsc": "帮贺丹建充值话费"`). A name in free text without a
//! label has no shape a detector can trust (`丁博欣房租押金`), but a name
//! the document itself declared is known exactly.
//!
//! The first pass notes every name it protected ([`Findings`] keeps them,
//! never in `Debug`); when one of them may occur again ([`may_echo`]), the
//! document is walked a second time with the names known, and each
//! occurrence in a value the detectors read becomes a `name` match of the
//! policy's name detector. Knows nothing of where the names came from;
//! without a name detector in the policy, there is nothing to report them
//! with and nothing is added.

use std::fmt;

use super::Findings;
use super::pass::Pass;
use crate::detect::Match;
use crate::ident::Ident;

/// Names noted per document: more only costs time on the second walk.
const MAX_NAMES: usize = 256;

/// Names shorter or longer than this are not echoed: one character is a
/// word, a long text is not a name.
const NAME_CHARS: std::ops::RangeInclusive<usize> = 2..=32;

/// The names one document protected, and whether it wraps text a raw
/// search cannot see (base64). `Debug` never shows them.
#[derive(Clone, Default)]
pub(crate) struct Names(Vec<String>, bool);

impl fmt::Debug for Names {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Names(<{} redacted>)", self.0.len())
    }
}

impl Names {
    pub fn note(&mut self, category: &Ident, value: &str) {
        let value = value.trim();
        let chars = value.chars().count();
        if &**category == "name"
            && NAME_CHARS.contains(&chars)
            && self.0.len() < MAX_NAMES
            && !self.0.iter().any(|n| n == value)
        {
            self.0.push(value.to_owned());
        }
    }

    /// Notes that the document holds text in a wrapping (base64).
    pub fn wrapped(&mut self) {
        self.1 = true;
    }

    pub fn extend(&mut self, other: Names) {
        self.1 |= other.1;
        for name in other.0 {
            if self.0.len() < MAX_NAMES && !self.0.contains(&name) {
                self.0.push(name);
            }
        }
    }

    pub fn into_vec(self) -> Vec<String> {
        self.0
    }
}

/// Whether a second walk can find more: a name occurs twice in the raw
/// document, or the document escapes, percent-encodes or wraps text (where
/// a raw search cannot see it).
pub(super) fn may_echo(input: &[u8], findings: &Findings) -> bool {
    let names = &findings.names.0;
    if names.is_empty() {
        return false;
    }
    let hidden = findings.names.1
        || memchr::memmem::find(input, b"\\u").is_some()
        || memchr::memchr(b'%', input).is_some();
    if hidden {
        return true;
    }
    names.iter().any(|n| {
        memchr::memmem::find_iter(input, n.as_bytes())
            .nth(1)
            .is_some()
    })
}

impl Pass<'_, '_> {
    /// Adds a match for each known name in `text` no other match covers;
    /// `spans` stays in order.
    pub(super) fn echo_spans(&self, text: &str, spans: &mut Vec<Match>) {
        let Some(spec) = self.policy.detectors.name_spec() else {
            return;
        };
        if self.known.is_empty() {
            return;
        }
        let before = spans.len();
        for name in self.known.iter() {
            for start in memchr::memmem::find_iter(text.as_bytes(), name.as_bytes()) {
                let end = start + name.len();
                let free = !spans.iter().any(|s| s.start < end && start < s.end);
                if free {
                    spans.push(Match { start, end, spec });
                }
            }
        }
        if spans.len() != before {
            spans.sort_by_key(|s| s.start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_of_a_name_length_are_noted_and_never_shown() {
        let mut names = Names::default();
        names.note(&Ident::fixed("name"), " 贺丹建 ");
        names.note(&Ident::fixed("name"), "贺丹建");
        names.note(&Ident::fixed("name"), "贺");
        names.note(&Ident::fixed("phone"), "13812345678");
        assert_eq!(names.clone().into_vec(), ["贺丹建"]);
        assert!(!format!("{names:?}").contains("贺丹建"));
    }

    #[test]
    fn a_second_walk_only_when_a_name_can_recur() {
        let mut findings = Findings::default();
        assert!(!may_echo(br#"{"a":"x"}"#, &findings));
        findings.names.note(&Ident::fixed("name"), "贺丹建");
        assert!(!may_echo(r#"{"n":"贺丹建"}"#.as_bytes(), &findings));
        assert!(may_echo(
            r#"{"n":"贺丹建","m":"帮贺丹建充值"}"#.as_bytes(),
            &findings
        ));
        assert!(may_echo(br#"{"n":"\u8d3a\u4e39\u5efa"}"#, &findings));
    }
}
