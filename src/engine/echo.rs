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
use std::sync::Arc;

use aho_corasick::AhoCorasick;

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

    /// The names and their romanizations, for the second walk, in one
    /// automaton.
    pub fn into_known(self) -> Known {
        let mut patterns: Vec<String> = self
            .0
            .into_iter()
            .map(|n| {
                if n.is_ascii() {
                    n.to_ascii_lowercase()
                } else {
                    n
                }
            })
            .collect();
        let romanized: Vec<String> = patterns.iter().flat_map(|n| romanizations(n)).collect();
        for name in romanized {
            if !patterns.contains(&name) {
                patterns.push(name);
            }
        }
        Known::new(patterns)
    }
}

/// The names a second walk looks for: one Aho-Corasick automaton over all
/// of them, so each value is scanned once whatever the number of names
/// (a searcher per name and value made the second walk quadratic).
#[derive(Clone, Default)]
pub(crate) struct Known(Option<Arc<KnownNames>>);

struct KnownNames {
    /// Latin letters match without ASCII case; Chinese is unaffected.
    automaton: AhoCorasick,
    /// Per pattern: whether it is Latin text, matched as whole words.
    latin: Vec<bool>,
}

impl Known {
    fn new(patterns: Vec<String>) -> Known {
        if patterns.is_empty() {
            return Known(None);
        }
        let latin = patterns.iter().map(|p| p.is_ascii()).collect();
        // Names are at most 32 characters and 256 + romanizations: the
        // build cannot fail on size; if it ever did, no echo is found,
        // which the first walk's findings already bound.
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&patterns)
            .map(|automaton| Known(Some(Arc::new(KnownNames { automaton, latin }))))
            .unwrap_or_default()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |k| k.latin.len())
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
    if names.iter().any(|n| {
        memchr::memmem::find_iter(input, n.as_bytes())
            .nth(1)
            .is_some()
    }) {
        return true;
    }
    // A Chinese name written again in Latin letters (`陈静涛`, `CHEN/JINGTAO`).
    let romanized: Vec<String> = names.iter().flat_map(|n| romanizations(n)).collect();
    if romanized.is_empty() {
        return false;
    }
    let folded = input.to_ascii_lowercase();
    romanized
        .iter()
        .any(|r| memchr::memmem::find(&folded, r.as_bytes()).is_some())
}

impl Pass<'_, '_> {
    /// Adds a match for each known name in `text` no other match covers;
    /// `spans` stays in order.
    pub(super) fn echo_spans(&self, text: &str, spans: &mut Vec<Match>) {
        let Some(spec) = self.policy.detectors.name_spec() else {
            return;
        };
        let Some(known) = self.known.0.as_deref() else {
            return;
        };
        let before = spans.len();
        let bytes = text.as_bytes();
        // Every occurrence, overlapping ones too: a Latin match that fails
        // the word test must not hide a shorter one beside it.
        for found in known.automaton.find_overlapping_iter(text) {
            let (start, end) = (found.start(), found.end());
            let latin = known.latin[found.pattern().as_usize()];
            let boundary = |b: Option<&u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric());
            let whole = !latin
                || (boundary(start.checked_sub(1).and_then(|i| bytes.get(i)))
                    && boundary(bytes.get(end)));
            let free = !spans.iter().any(|s| s.start < end && start < s.end);
            if whole && free {
                spans.push(Match { start, end, spec });
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
        assert_eq!(
            names.clone().into_known().len(),
            4,
            "贺丹建 and 3 romanizations"
        );
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
        assert!(may_echo(
            r#"{"n":"贺丹建","m":"Paid by HE/DANJIAN"}"#.as_bytes(),
            &findings
        ));
    }
}
