//! Echoes: a name the document protects in one field is protected wherever
//! else the same document repeats it, unlabelled (`"payee_nm": "贺丹建"`
//! beside `"pstsc": "帮贺丹建充值话费"`). A name in free text without a
//! label has no shape a detector can trust (`丁博欣房租押金`), but a name
//! the document itself declared is known exactly.
//!
//! The first pass notes every name it protected (`Findings` keeps them,
//! never in `Debug`); when one of them may occur again ([`Known::may_echo`]), the
//! document is walked a second time with the names known, and each
//! occurrence in a value the detectors read becomes a `name` match of the
//! policy's name detector. Knows nothing of where the names came from;
//! without a name detector in the policy, there is nothing to report them
//! with and nothing is added.

use std::fmt;

use super::known::Known;

use super::pass::Pass;
use crate::detect::Match;
use crate::ident::Ident;

/// Names noted per document: more only costs time on the second walk.
const MAX_NAMES: usize = 256;

/// Names shorter or longer than this are not echoed: one character is a
/// word, a long text is not a name.
const NAME_CHARS: std::ops::RangeInclusive<usize> = 2..=32;

/// The names one document protected, and the texts its detectors read
/// (where an echo would be protected), NUL-separated. `Debug` never shows
/// them.
#[derive(Clone, Default)]
pub(crate) struct Names {
    names: Vec<String>,
    read: String,
}

impl fmt::Debug for Names {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Names(<{} redacted>)", self.names.len())
    }
}

impl Names {
    pub fn note(&mut self, category: &Ident, value: &str) {
        let value = value.trim();
        let chars = value.chars().count();
        if &**category == "name"
            && NAME_CHARS.contains(&chars)
            && self.names.len() < MAX_NAMES
            && !self.names.iter().any(|n| n == value)
        {
            self.names.push(value.to_owned());
        }
    }

    /// Notes a text the detectors read: an echo there would be protected
    /// by a second walk.
    pub fn read(&mut self, text: &str) {
        self.read.push_str(text);
        self.read.push('\0');
    }

    pub fn extend(&mut self, other: Names) {
        for name in other.names {
            if self.names.len() < MAX_NAMES && !self.names.contains(&name) {
                self.names.push(name);
            }
        }
        self.read.push_str(&other.read);
    }

    /// The names as the second walk's searchers, if a second walk would
    /// find one of them again in a text the detectors read (where the first
    /// walk did not know it yet).
    pub fn echoes(mut self) -> Option<Known> {
        if self.names.is_empty() || self.read.is_empty() {
            return None;
        }
        let read = std::mem::take(&mut self.read);
        let known = self.into_known();
        known.occurs_in(&read).then_some(known)
    }

    /// The names and their romanizations, as the second walk's searchers.
    pub fn into_known(self) -> Known {
        let mut patterns: Vec<String> = self
            .names
            .into_iter()
            .map(|n| {
                if n.is_ascii() {
                    n.to_ascii_lowercase()
                } else {
                    n
                }
            })
            .collect();
        let mut seen: foldhash::HashSet<String> = patterns.iter().cloned().collect();
        let romanized: Vec<String> = patterns.iter().flat_map(|n| romanizations(n)).collect();
        for name in romanized {
            if seen.insert(name.clone()) {
                patterns.push(name);
            }
        }
        Known::new(patterns)
    }
}

/// The ways a Chinese name is written in Latin letters (lowercased): the
/// surname first as on a passport (`zhu shi`, `zhu/shi`), or last as in
/// English text (`shi zhu`); the given name's syllables joined. Names of
/// other shapes (`艾山·吾买尔`, a compound surname) have no one spelling.
///
/// The Hanyu Pinyin readings come from the `pinyin` crate (its table covers
/// every CJK character); a character with several readings gives its most
/// common one, as ID cards and passports romanize it.
fn romanizations(name: &str) -> Vec<String> {
    use pinyin::ToPinyin;
    let chars: Vec<char> = name.chars().collect();
    if !(2..=3).contains(&chars.len()) || compound_surname(&chars) {
        return Vec::new();
    }
    let mut syllables = Vec::with_capacity(chars.len());
    for c in &chars {
        match c.to_pinyin() {
            Some(p) => syllables.push(p.plain()),
            None => return Vec::new(),
        }
    }
    let surname = syllables[0];
    let given: String = syllables[1..].concat();
    vec![
        format!("{surname} {given}"),
        format!("{surname}/{given}"),
        format!("{given} {surname}"),
    ]
}

/// Two-character surnames (`欧阳`, `司马`): the name splits elsewhere.
fn compound_surname(chars: &[char]) -> bool {
    const COMPOUND: &[&str] = &[
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
        "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "百里",
    ];
    let head: String = chars.iter().take(2).collect();
    COMPOUND.contains(&head.as_str())
}

impl Pass<'_, '_> {
    /// Adds a match for each known name in `text` no other match covers;
    /// `spans` stays in order.
    pub(super) fn echo_spans(&mut self, text: &str, spans: &mut Vec<Match>) {
        let Some(spec) = self.policy.detectors.name_spec() else {
            return;
        };
        if self.known.is_empty() {
            // The first walk: where a second one would look.
            self.findings.names.read(text);
            return;
        }
        let before = spans.len();
        self.known.for_each_match(text, |start, end, _| {
            if !spans.iter().any(|s| s.start < end && start < s.end) {
                spans.push(Match { start, end, spec });
            }
        });
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
        assert_eq!(
            names.clone().into_known().len(),
            4,
            "贺丹建 and 3 romanizations"
        );
        assert!(!format!("{names:?}").contains("贺丹建"));
    }
}
