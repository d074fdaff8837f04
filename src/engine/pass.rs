//! The walk itself: a recursive descent over the bytes that decides, node by
//! node, whether to copy, replace or remove, and writes the output lazily:
//! `input[copied..]` has not been written yet, so untouched stretches cost
//! one `memcpy` at the next edit.
//!
//! Owns the traversal (containers, members, elements, selector progress,
//! paths, the key stack, nesting depth) and the output. What happens at a
//! value depends on the [`Mode`]: protecting is [`super::protect`]'s,
//! revealing [`super::reveal`]'s.

use crate::ident::Ident;
use crate::vocab::Why;
use std::ops::Range;

use super::lex::{self, LexError};
use super::{EngineError, ErrorKind, Finding, Findings, Known};
use crate::detect::Match;
use crate::rules::selector::{self, Progress};
use crate::rules::{Policy, Rule, UnknownFields};

/// A rule applied to a node, with the category it reports (a `keys:
/// builtin` rule reports the dictionary's category).
#[derive(Clone, Copy)]
pub(super) struct Applied<'p> {
    pub(super) rule: &'p Rule,
    pub(super) category: &'p Ident,
    /// The key words that decided a `keys: builtin` rule (else empty).
    pub(super) why: Why,
}

/// What the walk knows about the node it is about to read.
#[derive(Clone)]
pub(super) struct Node<'p> {
    /// This node's selector progress, in `Pass::progress`.
    pub(super) progress: Range<usize>,
    /// The field rule that matched this node.
    pub(super) applied: Option<Applied<'p>>,
    /// A mask/tokenize rule of an enclosing container: every scalar inside
    /// gets it.
    pub(super) forced: Option<Applied<'p>>,
    /// `unknown_fields: drop` is in force here (no enclosing `allow`).
    pub(super) drop_unknown: bool,
    /// This node is the subject.
    pub(super) subject: bool,
    /// The nearest enclosing key, in `Pass::keys` (the key above it when
    /// it only carries the value: `{"姓名": {"words": …}}`).
    pub(super) key: Option<Range<usize>>,
    /// The key of the object that holds this node's key (`store_info` for
    /// `store_info.address`), in `Pass::keys`.
    pub(super) owner: Option<Range<usize>>,
}

/// What the parent should do with the node just read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Disposition {
    Keep,
    Remove,
}

#[derive(Clone, Copy)]
pub(super) enum Segment {
    Key(usize, usize),
    Index(usize),
}

pub(super) struct Pass<'p, 'i> {
    pub(super) policy: &'p Policy,
    pub(super) input: &'i [u8],
    /// `input` as text: validated as UTF-8 once, so slicing it later costs
    /// a boundary check rather than a re-validation per string.
    pub(super) input_text: &'i str,
    pub(super) pos: usize,
    pub(super) out: Vec<u8>,
    pub(super) copied: usize,
    pub(super) findings: Findings,
    pub(super) progress: Vec<Progress>,
    pub(super) matched: Vec<u32>,
    /// Stack of the keys on the current path (decoded, or as output when a
    /// detector rewrote them), for paths and detector context.
    pub(super) keys: String,
    pub(super) path: Vec<Segment>,
    pub(super) path_prefix: Option<&'i str>,
    pub(super) depth: usize,
    pub(super) scratch: String,
    pub(super) normalized: String,
    pub(super) spans: Vec<Match>,
    /// Above zero while a value is only being skipped (validated).
    pub(super) skip: u32,
    pub(super) mode: Mode,
    /// Values restored in reverse mode.
    pub(super) restored: usize,
    /// Names found by an earlier walk of the document, looked for in free
    /// text (`super::echo`).
    pub(super) known: Known,
    /// What reverse mode found and could not open.
    pub(super) unopened: Vec<super::Unopened>,
    /// Paths of the values reverse mode opened by their shape alone (a
    /// detector's token in free text).
    pub(super) opened_by_shape: Vec<String>,
    /// In reverse mode, inside a value a field rule protected.
    pub(super) rule_protected: bool,
}

pub(super) type Walked = Result<Disposition, EngineError>;

/// What the walk does at the values it reaches.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Apply the policy: protect, drop, detect.
    Protect,
    /// Undo it: open envelopes, detokenize (`decrypt`).
    Reveal,
}

pub(super) fn run(
    policy: &Policy,
    input: &[u8],
    path_prefix: Option<&str>,
    depth: usize,
    known: &Known,
) -> Result<(Vec<u8>, Findings), EngineError> {
    let pass = new_pass(policy, input, path_prefix, depth, Mode::Protect, known)?;
    Ok((pass.out, pass.findings))
}

pub(super) fn new_pass<'p, 'i>(
    policy: &'p Policy,
    input: &'i [u8],
    path_prefix: Option<&'i str>,
    depth: usize,
    mode: Mode,
    known: &Known,
) -> Result<Pass<'p, 'i>, EngineError> {
    let input_text = match std::str::from_utf8(input) {
        Ok(text) => text,
        Err(err) => {
            return Err(EngineError::at(
                input,
                err.valid_up_to(),
                ErrorKind::InvalidJson,
                "invalid UTF-8",
            ));
        }
    };
    let mut pass = Pass {
        policy,
        input,
        input_text,
        pos: 0,
        out: Vec::with_capacity(input.len() + input.len() / 8),
        copied: 0,
        findings: Findings::default(),
        progress: selector::root_progress(&policy.selectors),
        matched: Vec::new(),
        keys: String::new(),
        path: Vec::new(),
        path_prefix,
        depth,
        scratch: String::new(),
        normalized: String::new(),
        spans: Vec::new(),
        skip: 0,
        mode,
        restored: 0,
        known: known.clone(),
        unopened: Vec::new(),
        opened_by_shape: Vec::new(),
        rule_protected: false,
    };
    pass.document()?;
    Ok(pass)
}

impl<'p, 'i> Pass<'p, 'i> {
    pub(super) fn document(&mut self) -> Result<(), EngineError> {
        self.pos = lex::skip_whitespace(self.input, 0);
        if self.pos == self.input.len() {
            return Err(self.error(self.pos, "EOF while parsing a value"));
        }
        let root_selector = selector::root_match(&self.policy.selectors);
        let mut root = Node {
            progress: 0..self.progress.len(),
            applied: None,
            forced: None,
            drop_unknown: self.policy.unknown_fields == UnknownFields::Drop
                && self.mode == Mode::Protect,
            subject: false,
            key: None,
            owner: None,
        };
        if let Some(selector) = root_selector {
            self.matched.push(selector);
            root = self.choose(root, None);
        }
        let start = self.pos;
        let checkpoint = self.checkpoint();
        if self.value(root)? == Disposition::Remove {
            // A removed document leaves as `null`: nothing of it, still JSON.
            self.restore(checkpoint);
            self.replace(start, self.pos, |out| out.extend_from_slice(b"null"));
        }
        self.pos = lex::skip_whitespace(self.input, self.pos);
        if self.pos != self.input.len() {
            return Err(self.error(self.pos, "trailing characters"));
        }
        self.out.extend_from_slice(&self.input[self.copied..]);
        Ok(())
    }

    pub(super) fn error(&self, offset: usize, message: &'static str) -> EngineError {
        EngineError::at(self.input, offset, ErrorKind::InvalidJson, message)
    }

    pub(super) fn lexed<T>(&self, result: Result<T, LexError>) -> Result<T, EngineError> {
        result.map_err(|e| self.error(e.offset, e.message))
    }

    // ---- output ----------------------------------------------------------

    /// Writes `input[copied..start]`, then what `write` emits in place of
    /// `input[start..end]`.
    pub(super) fn replace(&mut self, start: usize, end: usize, write: impl FnOnce(&mut Vec<u8>)) {
        self.out.extend_from_slice(&self.input[self.copied..start]);
        write(&mut self.out);
        self.copied = end;
    }

    pub(super) fn delete(&mut self, start: usize, end: usize) {
        self.replace(start, end, |_| {});
    }

    pub(super) fn checkpoint(&self) -> (usize, usize) {
        (self.out.len(), self.copied)
    }

    pub(super) fn restore(&mut self, (out_len, copied): (usize, usize)) {
        self.out.truncate(out_len);
        self.copied = copied;
    }

    // ---- findings and paths -------------------------------------------------

    pub(super) fn current_path(&self) -> String {
        let prefix = self.path_prefix.unwrap_or("$");
        // Sized up front: a finding's path is built once, without regrowing.
        let size = self.path.iter().fold(prefix.len(), |size, segment| {
            size + match *segment {
                Segment::Key(start, end) => end - start + 4,
                Segment::Index(_) => 22,
            }
        });
        let mut path = String::with_capacity(size);
        path.push_str(prefix);
        for segment in &self.path {
            match *segment {
                Segment::Index(i) => {
                    let mut digits = [0u8; 20];
                    let mut at = digits.len();
                    let mut rest = i;
                    loop {
                        at -= 1;
                        digits[at] = b'0' + (rest % 10) as u8;
                        rest /= 10;
                        if rest == 0 {
                            break;
                        }
                    }
                    path.push('[');
                    path.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
                    path.push(']');
                }
                Segment::Key(start, end) => push_key_segment(&mut path, &self.keys[start..end]),
            }
        }
        path
    }

    pub(super) fn record(&mut self, category: &Ident, rule: &Rule) {
        let path = self.current_path();
        self.findings.items.push(Finding::of(path, category, rule));
    }

    /// [`record`](Self::record) for a field rule, with the key words that
    /// decided it.
    pub(super) fn record_applied(&mut self, applied: Applied<'_>) {
        let path = self.current_path();
        let mut finding = Finding::of(path, applied.category, applied.rule);
        finding.why = applied.why;
        self.findings.items.push(finding);
    }

    // ---- values ------------------------------------------------------------

    pub(super) fn value(&mut self, node: Node<'p>) -> Walked {
        if node.subject {
            self.capture_subject()?;
        }
        if self.mode == Mode::Reveal {
            return self.reveal_value(node);
        }
        if let Some(applied) = node.applied {
            return self.apply(node, applied);
        }
        self.walk(node)
    }

    pub(super) fn walk(&mut self, node: Node<'p>) -> Walked {
        match self.input.get(self.pos) {
            Some(b'{') => self.object(node),
            Some(b'[') => self.array(node),
            Some(b'"') => self.string(node),
            Some(b'-' | b'0'..=b'9') => self.number(node),
            Some(b't' | b'f' | b'n') => {
                self.pos = self.lexed(lex::scan_literal(self.input, self.pos))?;
                Ok(if node.drop_unknown && node.forced.is_none() {
                    Disposition::Remove
                } else {
                    Disposition::Keep
                })
            }
            Some(_) => Err(self.error(self.pos, "expected value")),
            None => Err(self.error(self.pos, "EOF while parsing a value")),
        }
    }

    /// Skips one value, validating it; returns its end. Nothing inside is
    /// matched, detected or written.
    pub(super) fn skip_value(&mut self) -> Result<usize, EngineError> {
        let node = Node {
            progress: 0..0,
            applied: None,
            forced: None,
            drop_unknown: false,
            subject: false,
            key: None,
            owner: None,
        };
        self.skip += 1;
        let walked = self.walk(node);
        self.skip -= 1;
        walked?;
        Ok(self.pos)
    }

    pub(super) fn string(&mut self, node: Node<'p>) -> Walked {
        let start = self.pos;
        let (end, escaped) = self.lexed(lex::scan_string(self.input, start))?;
        self.pos = end;
        if self.mode == Mode::Reveal {
            if !self.skipping() {
                self.reveal_string(start, end, escaped);
            }
            return Ok(Disposition::Keep);
        }
        if let Some(forced) = node.forced {
            self.protect_whole(start, end, forced);
            return Ok(Disposition::Keep);
        }
        if node.drop_unknown {
            return Ok(Disposition::Remove);
        }
        if self.skipping() {
            return Ok(Disposition::Keep);
        }
        if !escaped {
            let text = self.text(start + 1, end - 1);
            return self.inspect_string(node, text, start, end, true);
        }
        // Decoded into a buffer taken from the pass (and given back) so no
        // string is allocated per escaped value.
        let mut decoded = std::mem::take(&mut self.scratch);
        lex::decode_string(&self.input[start + 1..end - 1], &mut decoded);
        let result = self.inspect_string(node, &decoded, start, end, false);
        self.scratch = decoded;
        result
    }

    pub(super) fn number(&mut self, node: Node<'p>) -> Walked {
        let start = self.pos;
        self.pos = self.lexed(lex::scan_number(self.input, start))?;
        let end = self.pos;
        if self.mode == Mode::Reveal {
            return Ok(Disposition::Keep);
        }
        if let Some(forced) = node.forced {
            self.protect_whole(start, end, forced);
            return Ok(Disposition::Keep);
        }
        if node.drop_unknown {
            return Ok(Disposition::Remove);
        }
        if self.skipping() || end - start < 5 {
            return Ok(Disposition::Keep);
        }
        let text = self.text(start, end);
        // `1.38001380e10` is the phone number 13800138000: the detectors
        // read a number's integer value, whatever its spelling.
        match crate::text::integer_spelling(text) {
            Some(integer) => self.detect_in_text(&node, &integer, start, end, false),
            None => self.detect_in_text(&node, text, start, end, false),
        }
    }

    // ---- text helpers --------------------------------------------------------

    pub(super) fn text(&self, start: usize, end: usize) -> &'i str {
        &self.input_text[start..end]
    }

    /// The decoded content of the string at `start..end` (quotes included).
    pub(super) fn decoded(&mut self, start: usize, end: usize, escaped: bool) -> &str {
        if escaped {
            lex::decode_string(&self.input[start + 1..end - 1], &mut self.scratch);
            &self.scratch
        } else {
            self.text(start + 1, end - 1)
        }
    }

    pub(super) fn skipping(&self) -> bool {
        self.skip > 0
    }
}

pub(super) fn push_key_segment(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && !key.as_bytes()[0].is_ascii_digit()
        && if key.is_ascii() {
            key.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        } else {
            key.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        };
    if plain {
        path.push('.');
        path.push_str(key);
    } else {
        path.push_str("['");
        for c in key.chars() {
            if c == '\'' || c == '\\' {
                path.push('\\');
            }
            path.push(c);
        }
        path.push_str("']");
    }
}
