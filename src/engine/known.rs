//! The names one document declared (and their romanizations), as the
//! searchers the second walk runs over free text: prebuilt `memmem`
//! finders for a handful of names, one Aho-Corasick automaton for many, so
//! a value costs one search per name (or one scan for all) and never a
//! searcher's set-up. Also answers, before any second walk, whether one
//! would find anything in the texts the first walk's detectors read.
//!
//! Knows nothing of the walk or of where the names came from; holds them
//! only for the document's lifetime and never shows them (`Debug` prints
//! a count).

use std::fmt;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use memchr::memmem::Finder;

/// Up to this many patterns, one finder each; more share an automaton
/// (whose build costs more than a few finders' searches save).
const FINDERS: usize = 16;

#[derive(Clone, Default)]
pub(crate) struct Known(Option<Arc<Searchers>>);

struct Searchers {
    search: Search,
    /// Per pattern: Latin text (lowercase), matched without ASCII case and
    /// as a whole word.
    latin: Vec<bool>,
}

enum Search {
    Finders(Vec<Finder<'static>>),
    Automaton(AhoCorasick),
}

impl fmt::Debug for Known {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Known(<{} redacted>)", self.len())
    }
}

impl Known {
    /// `patterns`: names and their romanizations (Latin ones lowercase).
    pub fn new(patterns: Vec<String>) -> Known {
        if patterns.is_empty() {
            return Known(None);
        }
        let latin = patterns.iter().map(|p| p.is_ascii()).collect();
        let search = if patterns.len() <= FINDERS {
            Search::Finders(
                patterns
                    .iter()
                    .map(|p| Finder::new(p.as_bytes()).into_owned())
                    .collect(),
            )
        } else {
            // A non-contiguous NFA: the automaton lives for one document,
            // and the faster-searching kinds cost more to build than a
            // document's search saves. Names are at most 32 characters and
            // a few hundred: the build cannot fail on size; if it ever did,
            // no echo is found, and the first walk's findings stand.
            match AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::NoncontiguousNFA))
                .ascii_case_insensitive(true)
                .build(&patterns)
            {
                Ok(automaton) => Search::Automaton(automaton),
                Err(_) => return Known(None),
            }
        };
        Known(Some(Arc::new(Searchers { search, latin })))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |k| k.latin.len())
    }

    /// Calls `found(start, end, pattern)` for every occurrence of a pattern
    /// in `text`, overlapping ones too (a Latin match that is not a whole
    /// word must not hide a shorter one beside it).
    pub fn for_each_match(&self, text: &str, mut found: impl FnMut(usize, usize, usize)) {
        let Some(known) = self.0.as_deref() else {
            return;
        };
        let bytes = text.as_bytes();
        let mut report = |start: usize, end: usize, pattern: usize| {
            let boundary = |b: Option<&u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric());
            let whole = !known.latin[pattern]
                || (boundary(start.checked_sub(1).and_then(|i| bytes.get(i)))
                    && boundary(bytes.get(end)));
            if whole {
                found(start, end, pattern);
            }
        };
        match &known.search {
            Search::Automaton(automaton) => {
                for m in automaton.find_overlapping_iter(text) {
                    report(m.start(), m.end(), m.pattern().as_usize());
                }
            }
            Search::Finders(finders) => {
                // Latin letters compare without case: offsets stay, as
                // ASCII changes case in place.
                let folded = (known.latin.iter().any(|l| *l)
                    && bytes.iter().any(u8::is_ascii_uppercase))
                .then(|| text.to_ascii_lowercase());
                for (pattern, finder) in finders.iter().enumerate() {
                    let haystack = match (&folded, known.latin[pattern]) {
                        (Some(folded), true) => folded.as_bytes(),
                        _ => bytes,
                    };
                    let len = finder.needle().len();
                    for start in finder.find_iter(haystack) {
                        report(start, start + len, pattern);
                    }
                }
            }
        }
    }

    /// Whether a pattern occurs in `text` as [`for_each_match`] reports
    /// one: exactly when a second walk over that text would add a match.
    ///
    /// [`for_each_match`]: Self::for_each_match
    pub fn occurs_in(&self, text: &str) -> bool {
        let mut found = false;
        self.for_each_match(text, |_, _, _| found = true);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::super::echo::Names;
    use super::Known;
    use crate::ident::Ident;

    #[test]
    fn names_are_found_as_the_second_walk_would_find_them() {
        let mut noted = Names::default();
        noted.note(&Ident::fixed("name"), "贺丹建");
        let he = noted.into_known();
        assert!(!Known::default().occurs_in("帮贺丹建充值"));
        assert!(he.occurs_in("帮贺丹建充值"));
        assert!(!he.occurs_in("贺丹充值"));
        assert!(he.occurs_in("Paid by HE/DANJIAN"));
        assert!(he.occurs_in("danjian he"));
        assert!(
            !he.occurs_in("Paid by SHE/DANJIANG"),
            "Latin names are whole words"
        );
        let mut spans = Vec::new();
        he.for_each_match("贺丹建 and He Danjian", |s, e, _| spans.push((s, e)));
        spans.sort();
        assert_eq!(spans, [(0, 9), (14, 24)]);
        assert!(!format!("{he:?}").contains("贺丹建"));
    }
}
