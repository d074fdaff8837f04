//! The walk itself: a recursive descent over the bytes that decides, node by
//! node, whether to copy, replace or remove, and writes the output lazily:
//! `input[copied..]` has not been written yet, so untouched stretches cost
//! one `memcpy` at the next edit.

use crate::ident::Ident;
use std::ops::Range;

use super::lex::{self, LexError};
use super::{EngineError, ErrorKind, Finding, Findings, Subject};
use crate::detect::Match;
use crate::protect::ValueKind;
use crate::protect::actions::{hash, mask};
use crate::rules::selector::{self, Edge, Progress};
use crate::rules::{Action, Policy, Rule, UnknownFields};
use crate::vocab;

/// A rule applied to a node, with the category it reports (a `keys:
/// builtin` rule reports the dictionary's category).
#[derive(Clone, Copy)]
struct Applied<'p> {
    rule: &'p Rule,
    category: &'p Ident,
}

/// What the walk knows about the node it is about to read.
#[derive(Clone)]
struct Node<'p> {
    /// This node's selector progress, in `Pass::progress`.
    progress: Range<usize>,
    /// The field rule that matched this node.
    applied: Option<Applied<'p>>,
    /// A mask/tokenize rule of an enclosing container: every scalar inside
    /// gets it.
    forced: Option<Applied<'p>>,
    /// `unknown_fields: drop` is in force here (no enclosing `allow`).
    drop_unknown: bool,
    /// This node is the subject.
    subject: bool,
    /// The nearest enclosing key, in `Pass::keys`.
    key: Option<Range<usize>>,
}

/// What the parent should do with the node just read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Disposition {
    Keep,
    Remove,
}

#[derive(Clone, Copy)]
enum Segment {
    Key(usize, usize),
    Index(usize),
}

struct Pass<'p, 'i> {
    policy: &'p Policy,
    input: &'i [u8],
    /// `input` as text: validated as UTF-8 once, so slicing it later costs
    /// a boundary check rather than a re-validation per string.
    input_text: &'i str,
    pos: usize,
    out: Vec<u8>,
    copied: usize,
    findings: Findings,
    progress: Vec<Progress>,
    matched: Vec<u32>,
    /// Stack of the keys on the current path (decoded, or as output when a
    /// detector rewrote them), for paths and detector context.
    keys: String,
    path: Vec<Segment>,
    path_prefix: Option<&'i str>,
    depth: usize,
    scratch: String,
    normalized: String,
    spans: Vec<Match>,
    /// Above zero while a value is only being skipped (validated).
    skip: u32,
    /// Reverse mode: open envelopes and tokens instead of protecting.
    reveal: bool,
    /// Values restored in reverse mode.
    restored: usize,
}

type Walked = Result<Disposition, EngineError>;

pub(super) fn run(
    policy: &Policy,
    input: &[u8],
    path_prefix: Option<&str>,
    depth: usize,
) -> Result<(Vec<u8>, Findings), EngineError> {
    let pass = new_pass(policy, input, path_prefix, depth, false)?;
    Ok((pass.out, pass.findings))
}

/// Reverses `encrypt` envelopes (anywhere in any string) and `tokenize`
/// fields; returns the document and how many values were restored.
pub(super) fn reveal(policy: &Policy, input: &[u8]) -> Result<(Vec<u8>, usize), EngineError> {
    let pass = new_pass(policy, input, None, 0, true)?;
    Ok((pass.out, pass.restored))
}

fn new_pass<'p, 'i>(
    policy: &'p Policy,
    input: &'i [u8],
    path_prefix: Option<&'i str>,
    depth: usize,
    reveal: bool,
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
        reveal,
        restored: 0,
    };
    if reveal {
        pass.findings.items.clear();
    }
    pass.document()?;
    Ok(pass)
}

impl<'p, 'i> Pass<'p, 'i> {
    fn document(&mut self) -> Result<(), EngineError> {
        self.pos = lex::skip_whitespace(self.input, 0);
        if self.pos == self.input.len() {
            return Err(self.error(self.pos, "EOF while parsing a value"));
        }
        let root_selector = selector::root_match(&self.policy.selectors);
        let mut root = Node {
            progress: 0..self.progress.len(),
            applied: None,
            forced: None,
            drop_unknown: self.policy.unknown_fields == UnknownFields::Drop && !self.reveal,
            subject: false,
            key: None,
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

    fn error(&self, offset: usize, message: &'static str) -> EngineError {
        EngineError::at(self.input, offset, ErrorKind::InvalidJson, message)
    }

    fn lexed<T>(&self, result: Result<T, LexError>) -> Result<T, EngineError> {
        result.map_err(|e| self.error(e.offset, e.message))
    }

    // ---- output ----------------------------------------------------------

    /// Writes `input[copied..start]`, then what `write` emits in place of
    /// `input[start..end]`.
    fn replace(&mut self, start: usize, end: usize, write: impl FnOnce(&mut Vec<u8>)) {
        self.out.extend_from_slice(&self.input[self.copied..start]);
        write(&mut self.out);
        self.copied = end;
    }

    fn delete(&mut self, start: usize, end: usize) {
        self.replace(start, end, |_| {});
    }

    fn checkpoint(&self) -> (usize, usize) {
        (self.out.len(), self.copied)
    }

    fn restore(&mut self, (out_len, copied): (usize, usize)) {
        self.out.truncate(out_len);
        self.copied = copied;
    }

    // ---- findings and paths -------------------------------------------------

    fn current_path(&self) -> String {
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

    fn record(&mut self, category: &Ident, rule: &Rule) {
        let path = self.current_path();
        self.findings.items.push(Finding::of(path, category, rule));
    }

    // ---- values ------------------------------------------------------------

    fn value(&mut self, node: Node<'p>) -> Walked {
        if node.subject && self.findings.subject.is_none() {
            self.capture_subject()?;
        }
        if self.reveal {
            return self.reveal_value(node);
        }
        if let Some(applied) = node.applied {
            return self.apply(node, applied);
        }
        self.walk(node)
    }

    /// Reverse mode: tokenized scalars are detokenized; everything else is
    /// walked so envelopes in strings are opened.
    fn reveal_value(&mut self, node: Node<'p>) -> Walked {
        let tokenized = node
            .applied
            .or(node.forced)
            .filter(|a| matches!(a.rule.action, Action::Tokenize { .. }));
        let start = self.pos;
        match (tokenized, self.input[start]) {
            (Some(applied), b'"') => {
                let (end, escaped) = self.lexed(lex::scan_string(self.input, start))?;
                self.pos = end;
                let Action::Tokenize { keep_last } = applied.rule.action else {
                    unreachable!("filtered above")
                };
                let token = self.decoded(start, end, escaped).to_owned();
                let plain =
                    self.policy
                        .crypto
                        .tokenizer()
                        .detokenize(applied.category, &token, keep_last);
                self.replace(start, end, |out| lex::write_json_string(out, &plain));
                self.restored += 1;
                Ok(Disposition::Keep)
            }
            (Some(applied), b'{' | b'[') => self.walk(Node {
                applied: None,
                forced: Some(applied),
                ..node
            }),
            _ => self.walk(Node {
                applied: None,
                forced: None,
                ..node
            }),
        }
    }

    /// Reverse mode: opens every envelope inside the string at `start..end`.
    fn reveal_string(&mut self, start: usize, end: usize, escaped: bool) {
        let text = self.decoded(start, end, escaped).to_owned();
        if !text.contains(crate::protect::actions::ENVELOPE_PREFIX) {
            return;
        }
        let policy = self.policy;
        if let Some((ValueKind::RawJson, plain)) = policy.open_envelope(&text) {
            self.replace(start, end, |out| out.extend_from_slice(&plain));
            self.restored += 1;
            return;
        }
        let mut rebuilt = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(crate::protect::actions::ENVELOPE_PREFIX) {
            rebuilt.push_str(&rest[..at]);
            let candidate = &rest[at..];
            let len = envelope_len(candidate);
            match policy.open_envelope(&candidate[..len]) {
                Some((_, plain)) => {
                    rebuilt.push_str(&String::from_utf8_lossy(&plain));
                    self.restored += 1;
                }
                None => rebuilt.push_str(&candidate[..len]),
            }
            rest = &candidate[len..];
        }
        rebuilt.push_str(rest);
        self.replace(start, end, |out| lex::write_json_string(out, &rebuilt));
    }

    fn capture_subject(&mut self) -> Result<(), EngineError> {
        let start = self.pos;
        let value = match self.input[start] {
            b'"' => {
                let (end, escaped) = self.lexed(lex::scan_string(self.input, start))?;
                self.decoded(start, end, escaped).to_owned()
            }
            b'-' | b'0'..=b'9' => {
                let end = self.lexed(lex::scan_number(self.input, start))?;
                self.text(start, end).to_owned()
            }
            _ => return Ok(()),
        };
        self.findings.subject = Some(Subject::new(value));
        Ok(())
    }

    /// A node matched by a field rule.
    fn apply(&mut self, node: Node<'p>, applied: Applied<'p>) -> Walked {
        let start = self.pos;
        let container = matches!(self.input[start], b'{' | b'[');
        match applied.rule.action {
            Action::Drop => {
                self.skip_value()?;
                self.record(applied.category, applied.rule);
                Ok(Disposition::Remove)
            }
            Action::Allow => self.walk(Node {
                applied: None,
                drop_unknown: false,
                ..node
            }),
            Action::Mask { .. } | Action::Tokenize { .. } if container => {
                self.record(applied.category, applied.rule);
                self.walk(Node {
                    applied: None,
                    forced: Some(applied),
                    drop_unknown: false,
                    ..node
                })
            }
            _ => {
                let end = self.skip_value()?;
                if self.protect_whole(start, end, applied) {
                    self.record(applied.category, applied.rule);
                }
                Ok(Disposition::Keep)
            }
        }
    }

    /// Replaces the whole value at `start..end` by the rule's output;
    /// `false` for a `null`, which holds nothing to protect.
    fn protect_whole(&mut self, start: usize, end: usize, applied: Applied<'p>) -> bool {
        let (text, kind) = match self.input[start] {
            b'"' => {
                let escaped = memchr::memchr(b'\\', &self.input[start..end]).is_some();
                (
                    self.decoded(start, end, escaped).to_owned(),
                    ValueKind::String,
                )
            }
            b'n' => return false,
            _ => (self.text(start, end).to_owned(), ValueKind::RawJson),
        };
        let protected = protect_text(self.policy, applied, &text, kind);
        self.replace(start, end, |out| lex::write_json_string(out, &protected));
        true
    }

    fn walk(&mut self, node: Node<'p>) -> Walked {
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
    fn skip_value(&mut self) -> Result<usize, EngineError> {
        let node = Node {
            progress: 0..0,
            applied: None,
            forced: None,
            drop_unknown: false,
            subject: false,
            key: None,
        };
        self.skip += 1;
        let walked = self.walk(node);
        self.skip -= 1;
        walked?;
        Ok(self.pos)
    }

    fn string(&mut self, node: Node<'p>) -> Walked {
        let start = self.pos;
        let (end, escaped) = self.lexed(lex::scan_string(self.input, start))?;
        self.pos = end;
        if self.reveal {
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

    fn inspect_string(
        &mut self,
        node: Node<'p>,
        text: &str,
        start: usize,
        end: usize,
        in_place: bool,
    ) -> Walked {
        if let Some(done) = self.nested_json(start, end, text)? {
            return Ok(done);
        }
        self.detect_in_text(node.key, text, start, end, in_place)
    }

    fn number(&mut self, node: Node<'p>) -> Walked {
        let start = self.pos;
        self.pos = self.lexed(lex::scan_number(self.input, start))?;
        let end = self.pos;
        if self.reveal {
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
        self.detect_in_text(node.key, text, start, end, false)
    }

    /// A string whose content is itself a JSON object or array is protected
    /// with the same policy and written back as a string.
    fn nested_json(
        &mut self,
        start: usize,
        end: usize,
        text: &str,
    ) -> Result<Option<Disposition>, EngineError> {
        // Most strings fail on their first byte: test it before trimming.
        if !matches!(
            text.as_bytes().first(),
            Some(b'{' | b'[' | b' ' | b'\n' | b'\r' | b'\t')
        ) {
            return Ok(None);
        }
        let trimmed = text.trim_matches([' ', '\n', '\r', '\t']);
        let looks_nested = (trimmed.starts_with('{') && trimmed.ends_with('}'))
            || (trimmed.starts_with('[') && trimmed.ends_with(']'));
        if !looks_nested || trimmed.len() < 2 {
            return Ok(None);
        }
        let prefix = self.current_path();
        let Ok((inner, findings)) = run(self.policy, text.as_bytes(), Some(&prefix), self.depth)
        else {
            return Ok(None);
        };
        if inner != text.as_bytes() {
            let inner = String::from_utf8(inner).expect("the engine writes UTF-8");
            self.replace(start, end, |out| lex::write_json_string(out, &inner));
        }
        self.findings.items.extend(findings.items);
        if self.findings.subject.is_none() {
            self.findings.subject = findings.subject;
        }
        Ok(Some(Disposition::Keep))
    }

    /// Runs the detectors over `text` (the decoded value at `start..end`)
    /// and replaces each match. `in_place`: the raw bytes equal the text, so
    /// only the matched spans are rewritten; otherwise the whole value is.
    fn detect_in_text(
        &mut self,
        key: Option<Range<usize>>,
        text: &str,
        start: usize,
        end: usize,
        in_place: bool,
    ) -> Walked {
        let policy = self.policy;
        if policy.detectors.is_empty() {
            return Ok(Disposition::Keep);
        }
        let mut spans = std::mem::take(&mut self.spans);
        spans.clear();
        policy
            .detectors
            .scan(key.map(|k| &self.keys[k]), text, &mut spans);
        let result = self.apply_spans(&spans, text, start, end, in_place);
        self.spans = spans;
        result
    }

    fn apply_spans(
        &mut self,
        spans: &[Match],
        text: &str,
        start: usize,
        end: usize,
        in_place: bool,
    ) -> Walked {
        if spans.is_empty() {
            return Ok(Disposition::Keep);
        }
        if self.record_spans(spans) == Disposition::Remove {
            return Ok(Disposition::Remove);
        }
        if in_place {
            let mut escaped = Vec::new();
            for span in spans {
                let replacement = self.protect_span(span, text);
                escaped.clear();
                lex::write_json_string(&mut escaped, &replacement);
                let inner = &escaped[1..escaped.len() - 1];
                self.replace(start + 1 + span.start, start + 1 + span.end, |out| {
                    out.extend_from_slice(inner)
                });
            }
        } else {
            let rebuilt = self.rebuild(spans, text);
            self.replace(start, end, |out| lex::write_json_string(out, &rebuilt));
        }
        Ok(Disposition::Keep)
    }

    /// Records a finding per match; `Remove` if a matching rule drops.
    fn record_spans(&mut self, spans: &[Match]) -> Disposition {
        let policy = self.policy;
        let mut disposition = Disposition::Keep;
        for span in spans {
            let rule = &policy.detect_rules[span.spec];
            self.record(&rule.category, rule);
            if rule.action == Action::Drop {
                disposition = Disposition::Remove;
            }
        }
        disposition
    }

    fn protect_span(&self, span: &Match, text: &str) -> String {
        let rule = &self.policy.detect_rules[span.spec];
        let applied = Applied {
            rule,
            category: &rule.category,
        };
        protect_text(
            self.policy,
            applied,
            &text[span.start..span.end],
            ValueKind::String,
        )
    }

    /// `text` with every match replaced by its protected form.
    fn rebuild(&self, spans: &[Match], text: &str) -> String {
        let mut rebuilt = String::with_capacity(text.len() + 16);
        let mut last = 0;
        for span in spans {
            rebuilt.push_str(&text[last..span.start]);
            rebuilt.push_str(&self.protect_span(span, text));
            last = span.end;
        }
        rebuilt.push_str(&text[last..]);
        rebuilt
    }

    // ---- containers ----------------------------------------------------------

    fn enter(&mut self) -> Result<(), EngineError> {
        self.depth += 1;
        if self.depth > self.policy.max_depth {
            return Err(EngineError::at(
                self.input,
                self.pos,
                ErrorKind::TooDeep,
                "nesting is deeper than max_depth",
            ));
        }
        Ok(())
    }

    fn object(&mut self, node: Node<'p>) -> Walked {
        self.enter()?;
        self.pos += 1;
        let mut members = Members::new(self.pos);
        self.pos = lex::skip_whitespace(self.input, self.pos);
        if self.input.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(members.result(node.drop_unknown));
        }
        loop {
            self.pos = lex::skip_whitespace(self.input, self.pos);
            let member_start = self.pos;
            if self.input.get(member_start) != Some(&b'"') {
                return Err(self.error(member_start, "expected a string key"));
            }
            let (key_end, escaped) = self.lexed(lex::scan_string(self.input, member_start))?;
            self.pos = lex::skip_whitespace(self.input, key_end);
            if self.input.get(self.pos) != Some(&b':') {
                return Err(self.error(self.pos, "expected `:`"));
            }
            self.pos = lex::skip_whitespace(self.input, self.pos + 1);
            let checkpoint = members.begin(self, member_start);
            let disposition = self.member(&node, member_start, key_end, escaped)?;
            members.end(self, member_start, self.pos, disposition, checkpoint);
            self.pos = lex::skip_whitespace(self.input, self.pos);
            match self.input.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => return Err(self.error(self.pos, "expected `,` or `}`")),
                None => return Err(self.error(self.pos, "EOF while parsing an object")),
            }
        }
        self.depth -= 1;
        Ok(members.result(node.drop_unknown))
    }

    /// One `"key": value` member; `self.pos` is at the value.
    fn member(
        &mut self,
        parent: &Node<'p>,
        key_start: usize,
        key_end: usize,
        escaped: bool,
    ) -> Walked {
        if self.skipping() {
            return self.walk(parent.clone());
        }
        // The key is decoded straight onto the key stack: the stack is the
        // one copy paths, selectors and detectors all read.
        let keys_mark = self.keys.len();
        if escaped {
            lex::decode_string(&self.input[key_start + 1..key_end - 1], &mut self.scratch);
            self.keys.push_str(&self.scratch);
        } else {
            self.keys.push_str(self.text(key_start + 1, key_end - 1));
        }
        self.path.push(Segment::Key(keys_mark, self.keys.len()));
        let progress_mark = self.progress.len();
        self.matched.clear();
        selector::advance(
            &self.policy.selectors,
            &mut self.progress,
            parent.progress.clone(),
            Edge::Key(&self.keys[keys_mark..]),
            &mut self.matched,
        );
        let key_rule = key_rule(self.policy, &self.keys[keys_mark..], &mut self.normalized);
        let child = Node {
            progress: progress_mark..self.progress.len(),
            applied: None,
            forced: parent.forced,
            drop_unknown: parent.drop_unknown,
            subject: false,
            key: Some(keys_mark..self.keys.len()),
        };
        let child = self.choose(child, key_rule);
        let result = match self.protect_key(key_start, key_end, keys_mark, parent) {
            Disposition::Remove => self.skip_value().map(|_| Disposition::Remove),
            Disposition::Keep => self.value(child),
        };
        self.progress.truncate(progress_mark);
        self.path.pop();
        self.keys.truncate(keys_mark);
        result
    }

    /// Runs the detectors over a key (a map keyed by phone numbers leaks
    /// through its keys). A rewritten key is written whole and replaces the
    /// stacked one, so paths name the key as it left.
    fn protect_key(
        &mut self,
        start: usize,
        end: usize,
        keys_mark: usize,
        parent: &Node<'p>,
    ) -> Disposition {
        let key = &self.keys[keys_mark..];
        if self.policy.detectors.is_empty() || parent.forced.is_some() || key.len() < 5 {
            return Disposition::Keep;
        }
        if self.reveal {
            return Disposition::Keep;
        }
        let mut spans = std::mem::take(&mut self.spans);
        spans.clear();
        self.policy
            .detectors
            .scan_key(&self.keys[keys_mark..], &mut spans);
        let drops = spans
            .iter()
            .any(|s| self.policy.detect_rules[s.spec].action == Action::Drop);
        let disposition = if spans.is_empty() {
            Disposition::Keep
        } else {
            // The stacked key is rewritten before the findings are recorded:
            // a finding's path must never carry the raw key.
            let rebuilt = if drops {
                String::from("[dropped]")
            } else {
                self.rebuild(&spans, &self.keys[keys_mark..])
            };
            self.keys.truncate(keys_mark);
            self.keys.push_str(&rebuilt);
            if let Some(Segment::Key(_, key_end)) = self.path.last_mut() {
                *key_end = self.keys.len();
            }
            self.record_spans(&spans);
            if drops {
                Disposition::Remove
            } else {
                self.replace(start, end, |out| lex::write_json_string(out, &rebuilt));
                Disposition::Keep
            }
        };
        self.spans = spans;
        disposition
    }

    fn array(&mut self, node: Node<'p>) -> Walked {
        self.enter()?;
        self.pos += 1;
        let mut elements = Members::new(self.pos);
        self.pos = lex::skip_whitespace(self.input, self.pos);
        if self.input.get(self.pos) == Some(&b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(elements.result(node.drop_unknown));
        }
        let mut index = 0;
        loop {
            self.pos = lex::skip_whitespace(self.input, self.pos);
            let element_start = self.pos;
            let checkpoint = elements.begin(self, element_start);
            let disposition = self.element(&node, index)?;
            elements.end(self, element_start, self.pos, disposition, checkpoint);
            index += 1;
            self.pos = lex::skip_whitespace(self.input, self.pos);
            match self.input.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => return Err(self.error(self.pos, "expected `,` or `]`")),
                None => return Err(self.error(self.pos, "EOF while parsing a list")),
            }
        }
        self.depth -= 1;
        Ok(elements.result(node.drop_unknown))
    }

    fn element(&mut self, parent: &Node<'p>, index: usize) -> Walked {
        if self.skipping() {
            return self.walk(parent.clone());
        }
        self.path.push(Segment::Index(index));
        let progress_mark = self.progress.len();
        self.matched.clear();
        selector::advance(
            &self.policy.selectors,
            &mut self.progress,
            parent.progress.clone(),
            Edge::Index(index),
            &mut self.matched,
        );
        let child = Node {
            progress: progress_mark..self.progress.len(),
            applied: None,
            forced: parent.forced,
            drop_unknown: parent.drop_unknown,
            subject: false,
            key: parent.key.clone(),
        };
        let child = self.choose(child, None);
        let result = self.value(child);
        self.progress.truncate(progress_mark);
        self.path.pop();
        result
    }

    // ---- rule selection ------------------------------------------------------

    /// Picks the first rule (in file order) among the path selectors in
    /// `self.matched` and the key rule; notes a subject match.
    fn choose(&mut self, mut node: Node<'p>, key_rule: Option<(u32, &'p Ident)>) -> Node<'p> {
        let policy = self.policy;
        let mut best = key_rule;
        for &selector in &self.matched {
            if Some(selector) == policy.subject_selector {
                node.subject = true;
                continue;
            }
            let rule = policy.selector_rule[selector as usize];
            if best.is_none_or(|(b, _)| rule < b) {
                best = Some((rule, &policy.rules[rule as usize].category));
            }
        }
        if let Some((rule, category)) = best {
            node.applied = Some(Applied {
                rule: &policy.rules[rule as usize],
                category,
            });
        }
        node
    }

    // ---- text helpers --------------------------------------------------------

    fn text(&self, start: usize, end: usize) -> &'i str {
        &self.input_text[start..end]
    }

    /// The decoded content of the string at `start..end` (quotes included).
    fn decoded(&mut self, start: usize, end: usize, escaped: bool) -> &str {
        if escaped {
            lex::decode_string(&self.input[start + 1..end - 1], &mut self.scratch);
            &self.scratch
        } else {
            self.text(start + 1, end - 1)
        }
    }

    fn skipping(&self) -> bool {
        self.skip > 0
    }
}

/// The `keys:` rule for a key name, if any (`normalized` is scratch space).
fn key_rule<'p>(
    policy: &'p Policy,
    key: &str,
    normalized: &mut String,
) -> Option<(u32, &'p Ident)> {
    if policy.key_index.is_empty() || key.len() > policy.longest_key * 4 + 8 {
        return None;
    }
    vocab::normalize_key_into(key, normalized);
    policy
        .key_index
        .get(normalized.as_str())
        .map(|t| (t.rule, &t.category))
}

/// Applies a rule's action to one decoded text.
fn protect_text(policy: &Policy, applied: Applied<'_>, text: &str, kind: ValueKind) -> String {
    let category = applied.category;
    match &applied.rule.action {
        Action::Mask {
            keep_first,
            keep_last,
            mask_char,
        } => mask(text, *keep_first, *keep_last, *mask_char),
        Action::Redact { text } => text.clone(),
        Action::Hash => hash(&policy.crypto.hash_key, text.as_bytes()),
        Action::Encrypt => policy.crypto.sealer().seal(category, kind, text.as_bytes()),
        Action::Tokenize { keep_last } => policy
            .crypto
            .tokenizer()
            .tokenize(category, text, *keep_last),
        Action::Allow | Action::Drop => text.to_owned(),
    }
}

/// Public form of [`protect_text`] for the named-text path.
pub(super) fn protect_with_rule(policy: &Policy, rule: &Rule, text: &str) -> String {
    protect_text(
        policy,
        Applied {
            rule,
            category: &rule.category,
        },
        text,
        ValueKind::String,
    )
}

/// Length of the envelope at the start of `text`: the prefix, a kid, `:`,
/// and base64url characters.
fn envelope_len(text: &str) -> usize {
    let prefix = crate::protect::actions::ENVELOPE_PREFIX.len();
    let body = &text.as_bytes()[prefix..];
    let token = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_';
    let kid = body.iter().take_while(|b| token(b)).count();
    if body.get(kid) != Some(&b':') {
        return prefix;
    }
    let blob = body[kid + 1..].iter().take_while(|b| token(b)).count();
    prefix + kid + 1 + blob
}

fn push_key_segment(path: &mut String, key: &str) {
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

/// Keeps commas right while members of one container are removed: the
/// first kept member must not be preceded by a comma, later ones must.
struct Members {
    /// End of the previous member's value (or just after the opening bracket).
    previous_end: usize,
    first: bool,
    kept: bool,
    /// Members were removed and none kept yet: the next kept member's
    /// leading comma must go.
    pending_comma: bool,
}

impl Members {
    fn new(after_open: usize) -> Self {
        Members {
            previous_end: after_open,
            first: true,
            kept: false,
            pending_comma: false,
        }
    }

    /// Before reading a member: optimistically drops the leading comma if
    /// the member ends up first; returns the state to roll back to.
    fn begin(&mut self, pass: &mut Pass<'_, '_>, start: usize) -> (usize, usize) {
        let checkpoint = pass.checkpoint();
        if self.pending_comma {
            pass.delete(self.previous_end, start);
        }
        checkpoint
    }

    fn end(
        &mut self,
        pass: &mut Pass<'_, '_>,
        start: usize,
        end: usize,
        disposition: Disposition,
        checkpoint: (usize, usize),
    ) {
        match disposition {
            Disposition::Keep => {
                self.pending_comma = false;
                self.kept = true;
            }
            Disposition::Remove => {
                pass.restore(checkpoint);
                if self.first {
                    pass.delete(start, end);
                    self.pending_comma = true;
                } else {
                    pass.delete(self.previous_end, end);
                }
            }
        }
        self.first = false;
        self.previous_end = end;
    }

    /// Under `unknown_fields: drop`, a container with nothing kept goes too.
    fn result(&self, drop_unknown: bool) -> Disposition {
        if drop_unknown && !self.kept {
            Disposition::Remove
        } else {
            Disposition::Keep
        }
    }
}
