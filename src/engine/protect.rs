//! The protect walk's work on values: a field rule applied to a node, the
//! detectors run over strings, numbers and keys no rule named, JSON held in
//! strings inspected with the same policy, and a rule's action on one text.

use super::lex;
use super::pass::{Applied, Disposition, Node, Pass, Segment, Walked, run};
use super::{EngineError, Subject};
use crate::detect::Match;
use crate::protect::ValueKind;
use crate::protect::actions::mask;
use crate::protect::suite::keyed_hash;
use crate::rules::{Action, Policy, Rule};
use crate::vocab::Why;

impl<'p> Pass<'p, '_> {
    /// A node matched by a field rule.
    pub(super) fn apply(&mut self, node: Node<'p>, applied: Applied<'p>) -> Walked {
        let start = self.pos;
        // A member's value may be missing at the end of a truncated body.
        let Some(&first) = self.input.get(start) else {
            return Err(self.error(start, "EOF while parsing a value"));
        };
        let container = matches!(first, b'{' | b'[');
        match applied.rule.action {
            Action::Drop => {
                self.skip_value()?;
                self.record_applied(applied);
                Ok(Disposition::Remove)
            }
            Action::Allow => self.walk(Node {
                applied: None,
                drop_unknown: false,
                ..node
            }),
            _ if container && applied.rule.is_profile_default() => self.walk(Node {
                applied: None,
                ..node
            }),
            Action::Mask { .. } | Action::Tokenize { .. } if container => {
                self.record_applied(applied);
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
                    self.record_applied(applied);
                }
                Ok(Disposition::Keep)
            }
        }
    }

    /// Replaces the whole value at `start..end` by the rule's output;
    /// `false` for a `null`, which holds nothing to protect.
    pub(super) fn protect_whole(&mut self, start: usize, end: usize, applied: Applied<'p>) -> bool {
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
        self.findings.names.note(applied.category, &text);
        let style = lex::Escapes::of(&self.input[start..end]);
        self.replace(start, end, |out| {
            lex::write_json_string_as(out, &protected, style)
        });
        true
    }

    pub(super) fn inspect_string(
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
        if let Some(done) = self.wrapped(&node, start, end, text)? {
            return Ok(done);
        }
        self.detect_in_text(&node, text, start, end, in_place)
    }

    /// A string whose content is itself a JSON object or array is protected
    /// with the same policy and written back as a string.
    pub(super) fn nested_json(
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
        let Ok((inner, findings)) = run(
            self.policy,
            text.as_bytes(),
            Some(&prefix),
            self.depth,
            &self.known,
        ) else {
            return Ok(None);
        };
        if inner != text.as_bytes() {
            let inner = String::from_utf8(inner).expect("the engine writes UTF-8");
            let style = lex::Escapes::of(&self.input[start..end]);
            self.replace(start, end, |out| {
                lex::write_json_string_as(out, &inner, style)
            });
        }
        self.findings.merge(findings);
        Ok(Some(Disposition::Keep))
    }

    /// Runs the detectors over `text` (the decoded value at `start..end`)
    /// and replaces each match. `in_place`: the raw bytes equal the text, so
    /// only the matched spans are rewritten; otherwise the whole value is.
    pub(super) fn detect_in_text(
        &mut self,
        node: &Node<'p>,
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
        let key = node.key.clone().map(|k| &self.keys[k]);
        let owner = node.owner.clone().map(|k| &self.keys[k]);
        policy.detectors.scan_owned(key, owner, text, &mut spans);
        self.echo_spans(text, &mut spans);
        let result = self.apply_spans(&spans, text, start, end, in_place);
        self.spans = spans;
        result
    }

    pub(super) fn apply_spans(
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
        for span in spans {
            let category = &self.policy.detect_rules[span.spec].category;
            self.findings
                .names
                .note(category, &text[span.start..span.end]);
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
            let style = lex::Escapes::of(&self.input[start..end]);
            self.replace(start, end, |out| {
                lex::write_json_string_as(out, &rebuilt, style)
            });
        }
        Ok(Disposition::Keep)
    }

    /// Records a finding per match; `Remove` if a matching rule drops.
    pub(super) fn record_spans(&mut self, spans: &[Match]) -> Disposition {
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

    pub(super) fn protect_span(&self, span: &Match, text: &str) -> String {
        let rule = &self.policy.detect_rules[span.spec];
        let applied = Applied {
            rule,
            category: &rule.category,
            why: Why::default(),
        };
        protect_text(
            self.policy,
            applied,
            &text[span.start..span.end],
            ValueKind::String,
        )
    }

    /// `text` with every match replaced by its protected form.
    pub(super) fn rebuild(&self, spans: &[Match], text: &str) -> String {
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

    /// Runs the detectors over a key (a map keyed by phone numbers leaks
    /// through its keys). A rewritten key is written whole and replaces the
    /// stacked one, so paths name the key as it left.
    pub(super) fn protect_key(
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
                let style = lex::Escapes::of(&self.input[start..end]);
                self.replace(start, end, |out| {
                    lex::write_json_string_as(out, &rebuilt, style)
                });
                Disposition::Keep
            }
        };
        self.spans = spans;
        disposition
    }

    pub(super) fn capture_subject(&mut self) -> Result<(), EngineError> {
        let start = self.pos;
        // At the end of a truncated body there is no value: the walk that
        // follows refuses it.
        let value = match self.input.get(start).copied().unwrap_or(b' ') {
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
        self.findings.add_subject(Subject::new(value));
        Ok(())
    }
}

/// Applies a rule's action to one decoded text.
pub(super) fn protect_text(
    policy: &Policy,
    applied: Applied<'_>,
    text: &str,
    kind: ValueKind,
) -> String {
    let category = applied.category;
    match &applied.rule.action {
        Action::Mask {
            keep_first,
            keep_last,
            mask_char,
        } => mask(text, *keep_first, *keep_last, *mask_char),
        Action::Redact { text } => text.clone(),
        Action::Hash => keyed_hash(
            policy.crypto.suite,
            &policy.crypto.hash_key,
            text.as_bytes(),
        ),
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
            why: Why::default(),
        },
        text,
        ValueKind::String,
    )
}
