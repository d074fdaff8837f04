//! User `pattern:` detectors: Rust `regex` syntax, compiled once, each with
//! a literal prefilter when its matches must start with one of a few known
//! strings (`MRN-`), so most texts are turned away by one `memchr`-based
//! search instead of a regex search.
//!
//! Owns the patterns' compilation and search; knows nothing of built-ins or
//! normalization (the caller runs the patterns over the text it chooses).

use aho_corasick::AhoCorasick;
use memchr::memmem::Finder;
use regex::Regex;
use regex_syntax::hir::Hir;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// The compiled user patterns of one policy.
#[derive(Debug, Default)]
pub(crate) struct Patterns {
    list: Vec<Pattern>,
}

#[derive(Debug)]
struct Pattern {
    spec: usize,
    regex: Regex,
    /// No match is shorter (bytes): shorter texts are not searched.
    min_len: usize,
    prefilter: Option<Prefilter>,
}

/// Literals one of which every match of the pattern starts with.
#[derive(Debug)]
enum Prefilter {
    One(Box<Finder<'static>>),
    Many(AhoCorasick),
}

impl Prefilter {
    fn may_match(&self, text: &str) -> bool {
        match self {
            Prefilter::One(finder) => finder.find(text.as_bytes()).is_some(),
            Prefilter::Many(automaton) => automaton.is_match(text),
        }
    }
}

/// More literals than this, and the regex's own search is as good.
const MAX_LITERALS: usize = 32;

impl Patterns {
    /// Compiles `source` as spec `spec`; the message says what is wrong.
    pub fn add(&mut self, spec: usize, source: &str) -> Result<(), String> {
        let regex = Regex::new(source).map_err(|err| format!("invalid pattern: {err}"))?;
        if regex.is_match("") {
            return Err("pattern matches the empty string; it would match everywhere".to_owned());
        }
        // The same syntax and defaults (Unicode on) as `Regex::new`.
        let hir = regex_syntax::Parser::new().parse(source).ok();
        self.list.push(Pattern {
            spec,
            regex,
            min_len: hir
                .as_ref()
                .and_then(|h| h.properties().minimum_len())
                .unwrap_or(0),
            prefilter: hir.as_ref().and_then(prefilter),
        });
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Calls `emit(start, end, spec)` for each non-empty match in `t`.
    pub fn scan(&self, t: &str, emit: &mut impl FnMut(usize, usize, usize)) {
        for pattern in &self.list {
            if t.len() < pattern.min_len
                || pattern.prefilter.as_ref().is_some_and(|p| !p.may_match(t))
            {
                continue;
            }
            for m in pattern.regex.find_iter(t).filter(|m| !m.is_empty()) {
                emit(m.start(), m.end(), pattern.spec);
            }
        }
    }
}

/// The prefix literals of a pattern, when every match must start with one
/// of a few non-empty ones; `None` means the regex always runs.
fn prefilter(hir: &Hir) -> Option<Prefilter> {
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    let literals = seq.literals()?;
    if literals.is_empty()
        || literals.len() > MAX_LITERALS
        || literals.iter().any(|l| l.as_bytes().is_empty())
    {
        return None;
    }
    if let [one] = literals {
        return Some(Prefilter::One(Box::new(
            Finder::new(one.as_bytes()).into_owned(),
        )));
    }
    AhoCorasick::new(literals.iter().map(|l| l.as_bytes()))
        .ok()
        .map(Prefilter::Many)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(source: &str, text: &str) -> Vec<String> {
        let mut patterns = Patterns::default();
        patterns.add(0, source).expect("compiles");
        let mut out = Vec::new();
        patterns.scan(text, &mut |s, e, _| out.push(text[s..e].to_owned()));
        out
    }

    fn prefilter(source: &str) -> Option<Prefilter> {
        super::prefilter(&regex_syntax::Parser::new().parse(source).expect("parses"))
    }

    #[test]
    fn prefilters_only_where_every_match_starts_with_a_literal() {
        assert!(matches!(
            prefilter(r"(?-u:\b)MRN-\d{8}(?-u:\b)"),
            Some(Prefilter::One(_))
        ));
        assert!(matches!(
            prefilter(r"(?i)mrn-\d+"),
            Some(Prefilter::Many(_))
        ));
        assert!(prefilter(r"\d{8}").is_none());
        assert!(prefilter(r"x?\d").is_none());
        assert!(prefilter(r"[a-z]+@corp").is_none());
    }

    #[test]
    fn matches_are_the_regex_matches() {
        let mrn = r"(?-u:\b)MRN-\d{8}(?-u:\b)";
        assert_eq!(found(mrn, "病历号MRN-12345678已归档"), ["MRN-12345678"]);
        assert!(found(mrn, "MRN-1234567").is_empty());
        // Shorter than any match: not searched, and nothing missed.
        assert!(found(r"\d{3}", "12").is_empty());
        assert_eq!(found(r"\d{3}", "123"), ["123"]);
        assert_eq!(
            found(r"(?i)mrn-\d+", "a Mrn-12 b MRN-3"),
            ["Mrn-12", "MRN-3"]
        );
        assert_eq!(
            found(r"EMP\d{6}|STAFF-\d{4}", "STAFF-1234 EMP000001"),
            ["STAFF-1234", "EMP000001"]
        );
    }

    #[test]
    fn bad_patterns_say_why() {
        let mut patterns = Patterns::default();
        assert!(
            patterns
                .add(0, "(")
                .expect_err("refused")
                .contains("invalid pattern")
        );
        assert!(
            patterns
                .add(0, "x*")
                .expect_err("refused")
                .contains("empty string")
        );
    }
}
