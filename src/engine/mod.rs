//! The engine: one pass over a JSON body that applies a partner's compiled
//! policy and reports what it did.
//!
//! Owns matching selectors and key names as it walks, calling the detectors
//! on values no field rule matched, applying actions, and writing the output
//! into one buffer. Bytes no rule touches are copied through unchanged
//! (spacing, key order, number text, escapes). Knows nothing of HTTP or
//! files: `(policy, bytes) → (bytes, findings)`, a pure function. Fails
//! closed: input `serde_json` would refuse is refused with its position,
//! and no partial output is ever returned.

mod codec;
mod containers;
mod echo;
mod keyed;
mod known;
mod lex;
mod members;
mod named;
mod pass;
mod path;
mod protect;
mod reveal;
mod wrapped;

use std::fmt;

/// Names a walk looks for in free text (see [`echo`]).
pub(crate) use known::Known;

use serde::Serialize;

pub use lex::write_json_string;
pub use named::{NameOutcome, NamedOutcome, Place, protect_name, protect_named_text};
pub use path::{DroppedSegment, protect_path};

use crate::ident::Ident;
use crate::rules::{Policy, RuleRef};
pub use crate::vocab::Why;

/// What the engine did to one value: never the value itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// JSONPath of the value (`$.user.id_number`, `$.items[0].card`), or
    /// `header:Name` / `query:name` / `form:name` for named text.
    pub path: String,
    pub category: Ident,
    pub action: Ident,
    /// The rule or detector that matched (`fields[2]`, `detect:bank_card`).
    pub rule: RuleRef,
    /// For a `keys: builtin` rule: the words of the key that decided its
    /// category (`["cust", "nm"]`), never the value.
    #[serde(skip_serializing_if = "Why::is_empty")]
    pub why: Why,
}

impl Finding {
    /// The finding of `rule` (reporting `category`) at `path`.
    pub(crate) fn of(path: String, category: &Ident, rule: &crate::rules::Rule) -> Self {
        Finding {
            path,
            category: category.clone(),
            action: rule.action_name.clone(),
            rule: rule.reference.clone(),
            why: Why::default(),
        }
    }
}

/// The value that identifies the data subject. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    pub fn new(value: String) -> Self {
        Subject(value)
    }

    /// The raw value, for hashing (consent lookup, audit). Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Subject(<redacted>)")
    }
}

/// Everything the engine found in one document.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub items: Vec<Finding>,
    /// Every value the rules' `subject:` selects, in document order (a
    /// batch has many; a duplicated key gives two).
    pub subjects: Vec<Subject>,
    /// The names protected, for the second walk ([`echo`]); never shown
    /// and emptied before the findings leave the engine.
    pub(crate) names: echo::Names,
}

/// Subjects kept from one message: more would only fill memory (a
/// message with this many is refused by any sane quota anyway).
pub const MAX_SUBJECTS: usize = 10_000;

impl Findings {
    /// The first finding of a rule the policy's profile forbids (its
    /// request is refused `forbidden_category`), if any.
    pub fn forbidden<'f>(&'f self, policy: &crate::rules::Policy) -> Option<&'f Finding> {
        if policy.forbidden.is_empty() {
            return None;
        }
        self.items
            .iter()
            .find(|f| policy.forbidden.contains(&f.rule))
    }

    /// Adds the findings of another part of the same message.
    pub fn merge(&mut self, other: Findings) {
        self.items.extend(other.items);
        self.names.extend(other.names);
        self.subjects.extend(other.subjects);
        self.subjects.truncate(MAX_SUBJECTS);
    }

    /// About how many bytes these findings hold on the heap: what the
    /// proxy takes from its body budget for them, since a body dense with
    /// personal values holds several times its size in findings.
    pub fn heap_bytes(&self) -> usize {
        let paths: usize = self.items.iter().map(|f| f.path.capacity()).sum();
        self.items.capacity() * std::mem::size_of::<Finding>()
            + paths
            + self.subjects.capacity() * std::mem::size_of::<Subject>()
    }

    pub(crate) fn add_subject(&mut self, subject: Subject) {
        if self.subjects.len() < MAX_SUBJECTS {
            self.subjects.push(subject);
        }
    }
}

/// A document after [`protect`].
#[derive(Debug)]
pub struct Protected {
    pub output: Vec<u8>,
    pub findings: Findings,
    /// `output` differs from the input (a value protected or dropped, a
    /// field removed as unnecessary): callers keep the input bytes otherwise.
    pub changed: bool,
}

/// Why a document was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not JSON that serde_json would accept.
    InvalidJson,
    /// Nested deeper than the policy's `max_depth`.
    TooDeep,
}

/// A refused document: where, and why, never with a value from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError {
    pub kind: ErrorKind,
    /// Byte offset of the problem.
    pub offset: usize,
    /// 1-based line and column (column counted in bytes).
    pub line: usize,
    pub column: usize,
    pub message: &'static str,
}

impl EngineError {
    /// The stable public error code (`invalid_json`, `too_deep`).
    pub fn code(&self) -> &'static str {
        match self.kind {
            ErrorKind::InvalidJson => "invalid_json",
            ErrorKind::TooDeep => "too_deep",
        }
    }

    fn at(input: &[u8], offset: usize, kind: ErrorKind, message: &'static str) -> Self {
        let before = &input[..offset.min(input.len())];
        let line = memchr::memchr_iter(b'\n', before).count() + 1;
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        EngineError {
            kind,
            offset,
            line,
            column: offset - line_start + 1,
            message,
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {} column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for EngineError {}

/// Reverses what `policy` did where it can (what a partner holding the keys
/// can do): opens every `encrypt` envelope, detokenizes `tokenize` fields
/// (in JSON held in strings too) and the tokens `detect:` rules left in
/// free text; lists what it found and could not open, and what it opened
/// by shape alone.
pub fn decrypt_document(policy: &Policy, input: &[u8]) -> Result<Revealed, EngineError> {
    reveal::reveal(policy, input)
}

/// What `decrypt` gives back.
#[derive(Debug)]
pub struct Revealed {
    pub output: Vec<u8>,
    /// Values opened or detokenized.
    pub restored: usize,
    /// What was found and left as it was, in document order.
    pub unopened: Vec<Unopened>,
    /// Paths of values opened by their shape alone: a `detect:` rule's
    /// token in free text, which nothing marks, so a digit run that was
    /// never a token can open to a plausible value. For a person to check.
    pub opened_by_shape: Vec<String>,
}

/// A protected value `decrypt` could not open, named by its path alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unopened {
    pub path: String,
    pub kind: UnopenedKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnopenedKind {
    /// An envelope the keyring does not open for this partner.
    Envelope,
    /// A token that does not detokenize to its category's shape.
    Token,
}

impl UnopenedKind {
    pub fn describe(self) -> &'static str {
        match self {
            UnopenedKind::Envelope => {
                "an envelope these keys do not open (another keyring or partner, or altered)"
            }
            UnopenedKind::Token => {
                "a token that does not open to its category's shape under these keys (made under another keyring or for another partner)"
            }
        }
    }
}

/// Applies `policy` to the JSON document `input`: the protected document
/// and the findings, or the reason it was refused.
pub fn protect(policy: &Policy, input: &[u8]) -> Result<Protected, EngineError> {
    let (mut output, mut findings) = pass::run(policy, input, None, 0, &Known::default())?;
    if let Some(known) = std::mem::take(&mut findings.names).echoes() {
        // The names the first walk protected, found again where the
        // document repeats them unlabelled.
        (output, findings) = pass::run(policy, input, None, 0, &known)?;
    }
    findings.names = echo::Names::default();
    let changed = output != input;
    Ok(Protected {
        output,
        findings,
        changed,
    })
}

#[cfg(test)]
mod tests;
