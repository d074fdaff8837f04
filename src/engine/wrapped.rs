//! Text wrapped inside a string value: `k=v&k=v` pairs (a form body, a URL's
//! query, UnionPay's `{k=v&k=v}`, percent-encoded or not), and base64 of
//! text (JSON, pairs, or plain text). Each wrapped value is protected as a
//! member with that key would be (field rules by key, the classifier, the
//! detectors), JSON inside goes through the engine again, and the result
//! is written back in the same wrapping: re-encoded base64, the same
//! percent-encoding, the same braces.
//!
//! Binary base64 (images, signatures, ciphertext) does not decode to text
//! and is left to the detectors (the biometric detector reads images).
//! Wrappings nest up to the policy's `max_depth`; deeper, the string goes
//! to the detectors as text. Findings name the pair's key after the
//! string's path (`$.body.customerInfo.phoneNo`), as JSON held in a string
//! does.

use base64::Engine as _;

use super::codec::{
    Pairs, base64_text, encode_like, has_percent_triplet, may_wrap, percent_decode,
};
use super::pass::{Disposition, Node, Pass, push_key_segment, run};
use super::protect::protect_text;
use super::{EngineError, Finding, Subject, keyed, lex};
use crate::detect::Match;
use crate::protect::ValueKind;
use crate::rules::Action;
use crate::vocab;

/// What became of one wrapped text.
enum Outcome {
    Same,
    Changed(String),
}

impl<'p> Pass<'p, '_> {
    /// Protects the string at `start..end` (decoded `text`) if it is a
    /// wrapping; `None` if it is not one.
    pub(super) fn wrapped(
        &mut self,
        node: &Node<'p>,
        start: usize,
        end: usize,
        text: &str,
    ) -> Result<Option<Disposition>, EngineError> {
        if !may_wrap(text) {
            return Ok(None);
        }
        let path = self.current_path();
        let Some(outcome) = self.unwrap_text(node, &path, text, 0)? else {
            return Ok(None);
        };
        if let Outcome::Changed(new) = outcome {
            let style = lex::Escapes::of(&self.input[start..end]);
            self.replace(start, end, |out| {
                lex::write_json_string_as(out, &new, style)
            });
        }
        Ok(Some(Disposition::Keep))
    }

    /// `text` protected inside its wrapping, or `None` if it wraps nothing.
    fn unwrap_text(
        &mut self,
        node: &Node<'p>,
        path: &str,
        text: &str,
        level: usize,
    ) -> Result<Option<Outcome>, EngineError> {
        if self.depth + level >= self.policy.max_depth {
            return Ok(None);
        }
        if let Some(inner) = base64_text(text) {
            let Some(outcome) = self.inner_text(node, path, &inner, level + 1)? else {
                return Ok(None);
            };
            return Ok(Some(match outcome {
                Outcome::Same => Outcome::Same,
                Outcome::Changed(new) => {
                    Outcome::Changed(base64::engine::general_purpose::STANDARD.encode(new))
                }
            }));
        }
        match Pairs::split(text, false) {
            Some(pairs) => self.protect_pairs(node, path, &pairs, level).map(Some),
            None => Ok(None),
        }
    }

    /// What base64 held: JSON, pairs (one is enough), a wrapping again, or
    /// plain text for the detectors.
    fn inner_text(
        &mut self,
        node: &Node<'p>,
        path: &str,
        inner: &str,
        level: usize,
    ) -> Result<Option<Outcome>, EngineError> {
        if let Some(outcome) = self.json_text(path, inner)? {
            return Ok(Some(outcome));
        }
        if let Some(pairs) = Pairs::split(inner, true) {
            return self.protect_pairs(node, path, &pairs, level).map(Some);
        }
        if let Some(outcome) = self.unwrap_text(node, path, inner, level)? {
            return Ok(Some(outcome));
        }
        let key = node.key.clone().map(|k| self.keys[k].to_owned());
        Ok(Some(self.detect_value(path, key.as_deref(), inner)))
    }

    /// JSON text run through the engine with this policy, or `None`.
    fn json_text(&mut self, path: &str, text: &str) -> Result<Option<Outcome>, EngineError> {
        let trimmed = text.trim_matches([' ', '\n', '\r', '\t']);
        let json = (trimmed.starts_with('{') && trimmed.ends_with('}'))
            || (trimmed.starts_with('[') && trimmed.ends_with(']'));
        if !json || trimmed.len() < 2 {
            return Ok(None);
        }
        let Ok((inner, findings)) = run(
            self.policy,
            text.as_bytes(),
            Some(path),
            self.depth + 1,
            &self.known,
        ) else {
            return Ok(None);
        };
        self.findings.merge(findings);
        Ok(Some(if inner == text.as_bytes() {
            Outcome::Same
        } else {
            Outcome::Changed(String::from_utf8(inner).expect("the engine writes UTF-8"))
        }))
    }

    /// Every pair of `pairs` protected; the text rebuilt around them.
    fn protect_pairs(
        &mut self,
        node: &Node<'p>,
        path: &str,
        pairs: &Pairs<'_>,
        level: usize,
    ) -> Result<Outcome, EngineError> {
        let mut changed = false;
        let key = node.key.clone().map(|k| self.keys[k].to_owned());
        let mut rebuilt = match self.detect_value(path, key.as_deref(), pairs.prefix) {
            Outcome::Same => pairs.prefix.to_owned(),
            Outcome::Changed(new) => {
                changed = true;
                new
            }
        };
        rebuilt.push_str(pairs.open);
        let mut first = true;
        for pair in pairs.body.split('&') {
            let written = match pair.split_once('=') {
                Some((name, value)) => {
                    let new = self.protect_pair(node, path, name, value, level)?;
                    changed |= new.as_deref() != Some(pair);
                    new
                }
                None => Some(pair.to_owned()),
            };
            if let Some(written) = written {
                if !first {
                    rebuilt.push('&');
                }
                rebuilt.push_str(&written);
                first = false;
            }
        }
        rebuilt.push_str(pairs.close);
        Ok(if changed {
            Outcome::Changed(rebuilt)
        } else {
            Outcome::Same
        })
    }

    /// One `name=value` pair protected (`None`: dropped).
    fn protect_pair(
        &mut self,
        node: &Node<'p>,
        path: &str,
        raw_name: &str,
        raw_value: &str,
        level: usize,
    ) -> Result<Option<String>, EngineError> {
        let encoded = has_percent_triplet(raw_value);
        let (Some(name), Some(value)) = (percent_decode(raw_name), percent_decode(raw_value))
        else {
            // Not UTF-8 once decoded (another charset): read as sent.
            return Ok(Some(
                match self.detect_value(path, Some(raw_name), raw_value) {
                    Outcome::Same => format!("{raw_name}={raw_value}"),
                    Outcome::Changed(new) => format!("{raw_name}={new}"),
                },
            ));
        };
        let (name_out, name_dropped) = self.protect_pair_name(path, &name);
        if name_dropped {
            return Ok(None);
        }
        let mut pair_path = path.to_owned();
        push_key_segment(&mut pair_path, name_out.as_deref().unwrap_or(&name));
        if self
            .policy
            .subject
            .keys
            .contains(&vocab::normalize_key(&name))
        {
            self.findings.add_subject(Subject::new(value.clone()));
        }
        let inner = Node {
            key: None,
            owner: None,
            ..node.clone()
        };
        let outcome = match self.nested_value(&inner, &pair_path, &value, level)? {
            Some(outcome) => outcome,
            None => match self.pair_rule(&pair_path, &name, &value) {
                Some(PairRule::Drop) => return Ok(None),
                Some(PairRule::Protected(new)) => Outcome::Changed(new),
                None => self.detect_value(&pair_path, Some(&name), &value),
            },
        };
        let name_written = match name_out {
            Some(new) => encode_like(&new, has_percent_triplet(raw_name)),
            None => raw_name.to_owned(),
        };
        Ok(Some(match outcome {
            Outcome::Same => format!("{name_written}={raw_value}"),
            Outcome::Changed(new) => format!("{name_written}={}", encode_like(&new, encoded)),
        }))
    }

    /// A pair's value that is itself a wrapping or JSON.
    fn nested_value(
        &mut self,
        node: &Node<'p>,
        path: &str,
        value: &str,
        level: usize,
    ) -> Result<Option<Outcome>, EngineError> {
        if let Some(outcome) = self.json_text(path, value)? {
            return Ok(Some(outcome));
        }
        if base64_text(value).is_some() || Pairs::split(value, false).is_some() {
            return self.unwrap_text(node, path, value, level + 1);
        }
        Ok(None)
    }

    /// The field rule a pair's name names, applied to its value.
    fn pair_rule(&mut self, path: &str, name: &str, value: &str) -> Option<PairRule> {
        let policy = self.policy;
        let keyed = keyed::key_rule(policy, name, None, &mut self.normalized)?
            .settle(policy, Some(value))?;
        let rule = &policy.rules[keyed.rule as usize];
        if rule.action == Action::Allow {
            return None;
        }
        self.findings.names.note(keyed.category, value);
        let mut finding = Finding::of(path.to_owned(), keyed.category, rule);
        finding.why = keyed.why;
        self.findings.items.push(finding);
        if rule.action == Action::Drop {
            return Some(PairRule::Drop);
        }
        let applied = super::pass::Applied {
            rule,
            category: keyed.category,
            why: keyed.why,
        };
        Some(PairRule::Protected(protect_text(
            policy,
            applied,
            value,
            ValueKind::String,
        )))
    }

    /// A pair's name run through the shape detectors (a phone number used
    /// as a name): its protected form, and whether a rule drops the pair.
    fn protect_pair_name(&mut self, path: &str, name: &str) -> (Option<String>, bool) {
        let policy = self.policy;
        if policy.detectors.is_empty() || name.len() < 5 {
            return (None, false);
        }
        let mut spans = Vec::new();
        policy.detectors.scan_key(name, &mut spans);
        if spans.is_empty() {
            return (None, false);
        }
        let drops = spans
            .iter()
            .any(|s| policy.detect_rules[s.spec].action == Action::Drop);
        let rebuilt = if drops {
            String::from("[dropped]")
        } else {
            self.rebuild(&spans, name)
        };
        let mut at = path.to_owned();
        push_key_segment(&mut at, &rebuilt);
        self.record_spans_at(&at, &spans);
        (Some(rebuilt), drops)
    }

    /// The detectors over one value (`key` its name): findings at `path`,
    /// the value rebuilt with each match protected, and what a rule drops
    /// cut out (a blob that must not leave, inside a longer text).
    fn detect_value(&mut self, path: &str, key: Option<&str>, value: &str) -> Outcome {
        let policy = self.policy;
        if value.is_empty() || policy.detectors.is_empty() {
            return Outcome::Same;
        }
        let mut spans: Vec<Match> = Vec::new();
        policy.detectors.scan(key, value, &mut spans);
        self.echo_spans(value, &mut spans);
        if spans.is_empty() {
            return Outcome::Same;
        }
        self.record_spans_at(path, &spans);
        let mut rebuilt = String::with_capacity(value.len() + 16);
        let mut last = 0;
        for span in &spans {
            let category = &policy.detect_rules[span.spec].category;
            self.findings
                .names
                .note(category, &value[span.start..span.end]);
            rebuilt.push_str(&value[last..span.start]);
            if policy.detect_rules[span.spec].action != Action::Drop {
                rebuilt.push_str(&self.protect_span(span, value));
            }
            last = span.end;
        }
        rebuilt.push_str(&value[last..]);
        Outcome::Changed(rebuilt)
    }

    /// Records a finding per match at `path`; whether a matching rule drops.
    fn record_spans_at(&mut self, path: &str, spans: &[Match]) -> bool {
        let policy = self.policy;
        let mut drops = false;
        for span in spans {
            let rule = &policy.detect_rules[span.spec];
            self.findings
                .items
                .push(Finding::of(path.to_owned(), &rule.category, rule));
            drops |= rule.action == Action::Drop;
        }
        drops
    }
}

enum PairRule {
    Drop,
    Protected(String),
}
