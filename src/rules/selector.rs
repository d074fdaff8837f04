//! Field selectors: the JSONPath subset rules files use, and key-name sets.
//!
//! Owns parsing `$`, `.name`, `['name']`, `[*]`, `.*`, `[N]` and `..name`
//! into steps, and the step-by-step matching the engine drives as it walks a
//! document (it never builds a tree, so selectors are matched incrementally:
//! each node's set of "where each selector has got to" is derived from its
//! parent's). Knows nothing of actions or of JSON text.

use std::fmt;

/// One step of a path selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `.name` or `['name']`: a member with exactly this key.
    Child(Box<str>),
    /// `[N]`: the N-th element of an array.
    Index(usize),
    /// `[*]` or `.*`: every member or element.
    Wildcard,
    /// `..name`: a member with this key at any depth below.
    Descendant(Box<str>),
}

/// A parsed path such as `$.user.name` or `$..id_number`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathSelector {
    pub steps: Vec<Step>,
}

/// Why a path did not parse, with the byte offset in the path text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (at character {} of the path)",
            self.message,
            self.offset + 1
        )
    }
}

impl PathSelector {
    pub fn parse(text: &str) -> Result<Self, SelectorError> {
        Parser { text, pos: 0 }.parse()
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error<T>(&self, message: impl Into<String>) -> Result<T, SelectorError> {
        Err(SelectorError {
            offset: self.pos,
            message: message.into(),
        })
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn parse(mut self) -> Result<PathSelector, SelectorError> {
        if !self.rest().starts_with('$') {
            return self.error("a path starts with `$`");
        }
        self.pos += 1;
        let mut steps = Vec::new();
        while !self.rest().is_empty() {
            steps.push(self.step()?);
        }
        Ok(PathSelector { steps })
    }

    fn step(&mut self) -> Result<Step, SelectorError> {
        if let Some(rest) = self.rest().strip_prefix("..") {
            self.pos += 2;
            if rest.starts_with('[') {
                self.pos += 1;
                return match self.bracket()? {
                    Step::Child(name) => Ok(Step::Descendant(name)),
                    _ => self.error("`..` takes a key name: `..name` or `..['name']`"),
                };
            }
            return Ok(Step::Descendant(self.name()?));
        }
        if self.rest().starts_with(".*") {
            self.pos += 2;
            return Ok(Step::Wildcard);
        }
        if self.rest().starts_with('.') {
            self.pos += 1;
            return Ok(Step::Child(self.name()?));
        }
        if self.rest().starts_with('[') {
            self.pos += 1;
            return self.bracket();
        }
        self.error("expected `.name`, `['name']`, `[*]`, `[N]` or `..name`")
    }

    /// A bare name after `.` or `..`: up to the next `.` or `[`.
    fn name(&mut self) -> Result<Box<str>, SelectorError> {
        let end = self
            .rest()
            .find(['.', '[', ']', '\'', '"', ' '])
            .unwrap_or(self.rest().len());
        if end == 0 {
            return self.error("expected a key name");
        }
        let name = &self.rest()[..end];
        self.pos += end;
        Ok(name.into())
    }

    /// After `[`: `*]`, `N]`, `'name']` or `"name"]`.
    fn bracket(&mut self) -> Result<Step, SelectorError> {
        let rest = self.rest();
        if let Some(after) = rest.strip_prefix("*]") {
            self.pos = self.text.len() - after.len();
            return Ok(Step::Wildcard);
        }
        if let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') {
            return self.quoted(quote);
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(']') {
            let Ok(index) = rest[..digits].parse() else {
                return self.error("array index is too large");
            };
            self.pos += digits + 1;
            return Ok(Step::Index(index));
        }
        self.error("expected `*`, an index or a quoted key inside `[...]`")
    }

    /// A quoted key; `\\` and `\'`/`\"` are the only escapes.
    fn quoted(&mut self, quote: char) -> Result<Step, SelectorError> {
        self.pos += 1;
        let mut name = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, escaped)) => name.push(escaped),
                    None => break,
                },
                c if c == quote => {
                    let after = &self.rest()[i + 1..];
                    if !after.starts_with(']') {
                        self.pos += i + 1;
                        return self.error("expected `]` after the quoted key");
                    }
                    self.pos += i + 2;
                    return Ok(Step::Child(name.into()));
                }
                c => name.push(c),
            }
        }
        self.error("unterminated quoted key")
    }
}

/// How far one selector has matched along the current path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub selector: u32,
    pub step: u32,
}

/// The edge the walk takes from a container to a child.
#[derive(Debug, Clone, Copy)]
pub enum Edge<'a> {
    Key(&'a str),
    Index(usize),
}

/// Advances every selector's progress over one edge. `progress[parent]`
/// holds the parent's list; the child's list is appended to `progress`, and
/// every selector that matched the child completely is pushed to `matched`.
pub fn advance(
    selectors: &[PathSelector],
    progress: &mut Vec<Progress>,
    parent: std::ops::Range<usize>,
    edge: Edge<'_>,
    matched: &mut Vec<u32>,
) {
    for i in parent {
        let current = progress[i];
        let steps = &selectors[current.selector as usize].steps;
        let next = Progress {
            selector: current.selector,
            step: current.step + 1,
        };
        let advanced = match (&steps[current.step as usize], edge) {
            (Step::Child(name), Edge::Key(key)) => **name == *key,
            (Step::Index(n), Edge::Index(index)) => *n == index,
            (Step::Wildcard, _) => true,
            (Step::Descendant(name), edge) => {
                progress.push(current);
                matches!(edge, Edge::Key(key) if **name == *key)
            }
            _ => false,
        };
        if advanced {
            if next.step as usize == steps.len() {
                matched.push(current.selector);
            } else {
                progress.push(next);
            }
        }
    }
}

/// The progress list at the document root: every selector at its first step
/// (selectors with no steps, `$` itself, are reported by [`root_match`]).
pub fn root_progress(selectors: &[PathSelector]) -> Vec<Progress> {
    (0..selectors.len() as u32)
        .filter(|s| !selectors[*s as usize].steps.is_empty())
        .map(|selector| Progress { selector, step: 0 })
        .collect()
}

/// The first selector that is `$` alone and so matches the whole document.
pub fn root_match(selectors: &[PathSelector]) -> Option<u32> {
    selectors
        .iter()
        .position(|s| s.steps.is_empty())
        .map(|i| i as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(text: &str) -> Vec<Step> {
        PathSelector::parse(text).expect(text).steps
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(steps("$"), vec![]);
        assert_eq!(
            steps("$.user.name"),
            vec![Step::Child("user".into()), Step::Child("name".into())]
        );
        assert_eq!(steps("$['身份证号']"), vec![Step::Child("身份证号".into())]);
        assert_eq!(steps("$[\"a b\"]"), vec![Step::Child("a b".into())]);
        assert_eq!(steps("$['it\\'s']"), vec![Step::Child("it's".into())]);
        assert_eq!(
            steps("$.items[*].card"),
            vec![
                Step::Child("items".into()),
                Step::Wildcard,
                Step::Child("card".into())
            ]
        );
        assert_eq!(
            steps("$.items[12]"),
            vec![Step::Child("items".into()), Step::Index(12)]
        );
        assert_eq!(
            steps("$..id_number"),
            vec![Step::Descendant("id_number".into())]
        );
        assert_eq!(
            steps("$..['手机号']"),
            vec![Step::Descendant("手机号".into())]
        );
        assert_eq!(
            steps("$.a.*"),
            vec![Step::Child("a".into()), Step::Wildcard]
        );
    }

    #[test]
    fn rejects_malformed_paths_with_offsets() {
        for (text, offset) in [
            ("user.name", 0),
            ("$.", 2),
            ("$[", 2),
            ("$['a'", 5),
            ("$[x]", 2),
            ("$.a]", 3),
            ("$..[0]", 6),
        ] {
            let err = PathSelector::parse(text).expect_err(text);
            assert_eq!(err.offset, offset, "{text}: {err}");
        }
    }

    fn matches(selector: &str, path: &[Edge<'_>]) -> bool {
        let selectors = vec![PathSelector::parse(selector).expect(selector)];
        if path.is_empty() {
            return root_match(&selectors).is_some();
        }
        let mut progress = root_progress(&selectors);
        let mut parent = 0..progress.len();
        let mut matched = Vec::new();
        for edge in path {
            matched.clear();
            let start = progress.len();
            advance(&selectors, &mut progress, parent, *edge, &mut matched);
            parent = start..progress.len();
        }
        !matched.is_empty()
    }

    #[test]
    fn matching_follows_jsonpath() {
        use Edge::{Index, Key};
        assert!(matches("$", &[]));
        assert!(matches("$.user.name", &[Key("user"), Key("name")]));
        assert!(!matches("$.user.name", &[Key("user"), Key("nick")]));
        assert!(!matches(
            "$.user.name",
            &[Key("x"), Key("user"), Key("name")]
        ));
        assert!(matches(
            "$..id_number",
            &[Key("a"), Index(3), Key("b"), Key("id_number")]
        ));
        assert!(matches("$..id_number", &[Key("id_number")]));
        assert!(matches(
            "$.items[*].card",
            &[Key("items"), Index(7), Key("card")]
        ));
        assert!(matches("$.items[1]", &[Key("items"), Index(1)]));
        assert!(!matches("$.items[1]", &[Key("items"), Index(2)]));
        assert!(matches(
            "$.a..b.c",
            &[Key("a"), Key("x"), Key("b"), Key("c")]
        ));
    }
}
