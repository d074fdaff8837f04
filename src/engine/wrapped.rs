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

/// Base64 longer than this is not decoded (an image, not a wrapping).
const MAX_BASE64: usize = 256 * 1024;

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

/// A text of `k=v&k=v` pairs: what stands before them (a URL up to its
/// `?`), the opening and closing braces of `{k=v&k=v}`, and the pairs.
struct Pairs<'t> {
    prefix: &'t str,
    open: &'static str,
    body: &'t str,
    close: &'t str,
}

impl<'t> Pairs<'t> {
    /// `single`: one pair is enough (the text came out of base64).
    fn split(text: &'t str, single: bool) -> Option<Pairs<'t>> {
        if !text.contains('=') || text.len() > 1 << 20 {
            return None;
        }
        let braced = text.len() >= 2 && text.starts_with('{') && text.ends_with('}');
        let (prefix, open, body, close) = if braced {
            ("", "{", &text[1..text.len() - 1], "}")
        } else if let Some(q) = url_query(text) {
            let rest = &text[q..];
            let end = rest.find('#').map_or(rest.len(), |h| h);
            (&text[..q], "", &rest[..end], &rest[end..])
        } else {
            ("", "", text, "")
        };
        let mut count = 0;
        for part in body.split('&') {
            let (name, _) = part.split_once('=')?;
            let plain_name = !name.is_empty()
                && name.len() <= 64
                && !name.contains([' ', '"', '{', '}', ':', '\n', '\t', ',', '，', '。']);
            if !plain_name {
                return None;
            }
            count += 1;
        }
        let enough = count >= 2 || braced || !prefix.is_empty() || (single && count == 1);
        enough.then_some(Pairs {
            prefix,
            open,
            body,
            close,
        })
    }
}

/// Where a URL's query starts (after its `?`), for URL-shaped text.
fn url_query(text: &str) -> Option<usize> {
    let q = text.find('?')?;
    let head = &text[..q];
    let url = head.contains("://") || head.starts_with('/');
    (url && !head.contains([' ', '"'])).then_some(q + 1)
}

/// The text base64 holds, if it is text (UTF-8 without control characters
/// other than line breaks and tabs); binary base64 is not.
/// What every wrapping needs, tested before the value's path is built:
/// base64's length, or a pair's `=`.
fn may_wrap(text: &str) -> bool {
    let len = text.len();
    (len >= 8 && len % 4 == 0 && len <= MAX_BASE64)
        || memchr::memchr(b'=', text.as_bytes()).is_some()
}

fn base64_text(text: &str) -> Option<String> {
    let b = text.as_bytes();
    if b.len() < 8 || b.len() % 4 != 0 || b.len() > MAX_BASE64 {
        return None;
    }
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2
        || !body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
        || body.bytes().all(|c| c.is_ascii_hexdigit())
    {
        return None;
    }
    // The first bytes tell text from an image or a signature.
    let engine = &base64::engine::general_purpose::STANDARD;
    let head = engine.decode(&text[..b.len().min(32)]).ok()?;
    let valid = match std::str::from_utf8(&head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && b.len() > 32,
    };
    if !valid
        || head
            .iter()
            .any(|c| *c < 0x20 && !matches!(c, b'\n' | b'\r' | b'\t'))
    {
        return None;
    }
    let decoded = String::from_utf8(engine.decode(text).ok()?).ok()?;
    let printable = !decoded
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    (printable && !decoded.trim().is_empty()).then_some(decoded)
}

fn has_percent_triplet(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'%', b)
        .any(|i| matches!(b.get(i + 1..i + 3), Some([h, l]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit()))
}

/// `%XX` decoded (`+` stays); `None` if the bytes are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b.get(i..i + 3) {
            Some([b'%', h, l]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                let hex = |c: u8| (c as char).to_digit(16).expect("a hex digit") as u8;
                out.push((hex(*h) << 4) | hex(*l));
                i += 3;
            }
            _ => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// `text` percent-encoded when the original was (every byte but the
/// unreserved ones and the mask character), as written otherwise.
fn encode_like(text: &str, encoded: bool) -> String {
    if !encoded {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'*') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_text_and_binary() {
        let engine = &base64::engine::general_purpose::STANDARD;
        let kv = engine.encode("{phoneNo=13812345678&customerNm=张三}");
        assert_eq!(
            base64_text(&kv).as_deref(),
            Some("{phoneNo=13812345678&customerNm=张三}")
        );
        let jpeg = engine.encode([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1]);
        assert_eq!(base64_text(&jpeg), None);
        assert_eq!(base64_text("d41d8cd98f00b204e9800998ecf8427e"), None);
        assert_eq!(base64_text("20240213213304"), None);
    }

    #[test]
    fn pairs_and_their_wrappings() {
        let p = Pairs::split("{a=1&b=2}", false).expect("braced");
        assert_eq!((p.open, p.body, p.close), ("{", "a=1&b=2", "}"));
        let p = Pairs::split("https://x.example/cb?a=1#top", false).expect("a URL");
        assert_eq!(
            (p.prefix, p.body, p.close),
            ("https://x.example/cb?", "a=1", "#top")
        );
        assert!(Pairs::split("a=1", false).is_none());
        assert!(Pairs::split("a=1", true).is_some());
        assert!(Pairs::split("x = 1 & y = 2", false).is_none());
        assert!(Pairs::split("备注：a=1，b=2", false).is_none());
    }

    #[test]
    fn percent_encoding_round_trips() {
        assert_eq!(
            percent_decode("%E5%BC%A0%E4%B8%89").as_deref(),
            Some("张三")
        );
        assert_eq!(percent_decode("%FF"), None);
        assert_eq!(encode_like("张*", true), "%E5%BC%A0*");
        assert_eq!(encode_like("张*", false), "张*");
    }
}
