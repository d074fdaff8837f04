//! The reveal walk, `decrypt`'s reverse of the protect walk: every
//! `encrypt` envelope in any string is opened, and every value a
//! `tokenize` rule covers is detokenized. The walk over the document is
//! the protect walk's (the same selectors find the same fields); what it
//! does at a value is here.
//!
//! Fails closed: an envelope that does not open (another keyring or
//! partner, or altered) is left as it is and listed. A token opened under
//! another key gives other digits, not an error; where the category has a
//! shape (a card's Luhn digit and issuer range, a resident ID's date and
//! check character, a mainland mobile's prefix) a result without it is left
//! tokenized and listed instead of being passed off as the value.

use super::lex;
use super::pass::{Disposition, Mode, Node, Pass, Walked, new_pass};
use super::{EngineError, Revealed, Unopened, UnopenedKind};
use crate::protect::ValueKind;
use crate::protect::suite::find_envelope;
use crate::rules::{Action, Policy};

impl<'p> Pass<'p, '_> {
    /// Reverse mode: tokenized scalars are detokenized; everything else is
    /// walked so envelopes in strings are opened.
    pub(super) fn reveal_value(&mut self, node: Node<'p>) -> Walked {
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
                if has_its_shape(applied.category, &plain) {
                    self.replace(start, end, |out| lex::write_json_string(out, &plain));
                    self.restored += 1;
                } else {
                    self.unopened.push(Unopened {
                        path: self.current_path(),
                        kind: UnopenedKind::Token,
                    });
                }
                Ok(Disposition::Keep)
            }
            (Some(applied), b'{' | b'[') => self.walk(Node {
                applied: None,
                forced: Some(applied),
                ..node
            }),
            (ruled, _) => {
                // A value a field rule protected was never seen by the
                // detectors: no detector token to look for in it.
                let outer = self.rule_protected;
                self.rule_protected |= ruled.is_some();
                let walked = self.walk(Node {
                    applied: None,
                    forced: None,
                    ..node
                });
                self.rule_protected = outer;
                walked
            }
        }
    }

    /// Reverse mode: the string at `start..end` with every envelope in it
    /// opened, a JSON document inside it revealed as the whole document is,
    /// and the tokens a `detect:` rule left in its text detokenized.
    pub(super) fn reveal_string(&mut self, start: usize, end: usize, escaped: bool) {
        let text = self.decoded(start, end, escaped).to_owned();
        let policy = self.policy;
        if find_envelope(&text).is_some()
            && let Some((ValueKind::RawJson, plain)) = policy.open_envelope(&text)
        {
            self.replace(start, end, |out| out.extend_from_slice(&plain));
            self.restored += 1;
            return;
        }
        let revealed = match self.reveal_nested(&text) {
            Some(inner) => Some(inner),
            None => self.reveal_text(&text),
        };
        if let Some(new) = revealed {
            let style = lex::Escapes::of(&self.input[start..end]);
            self.replace(start, end, |out| {
                lex::write_json_string_as(out, &new, style)
            });
        }
    }

    /// `text` with its envelopes opened and, between them, the detectors'
    /// tokens detokenized; `None` when nothing changed.
    fn reveal_text(&mut self, text: &str) -> Option<String> {
        let policy = self.policy;
        let mut rebuilt = String::with_capacity(text.len());
        let mut changed = false;
        let mut rest = text;
        loop {
            let next = find_envelope(rest);
            let gap = &rest[..next.map_or(rest.len(), |(at, _)| at)];
            match self.detokenize_free_text(gap) {
                Some(plain) => {
                    rebuilt.push_str(&plain);
                    changed = true;
                }
                None => rebuilt.push_str(gap),
            }
            let Some((at, prefix)) = next else { break };
            let candidate = &rest[at..];
            let len = envelope_len(candidate, prefix);
            match policy.open_envelope(&candidate[..len]) {
                Some((_, plain)) => {
                    rebuilt.push_str(&String::from_utf8_lossy(&plain));
                    self.restored += 1;
                    changed = true;
                }
                None => {
                    rebuilt.push_str(&candidate[..len]);
                    self.unopened.push(Unopened {
                        path: self.current_path(),
                        kind: UnopenedKind::Envelope,
                    });
                }
            }
            rest = &candidate[len..];
        }
        changed.then_some(rebuilt)
    }

    /// A JSON document held in the string, revealed by the same walk (its
    /// paths after the string's, as the protect walk names them); `None`
    /// when the text is no JSON document or nothing in it changed.
    fn reveal_nested(&mut self, text: &str) -> Option<String> {
        let trimmed = text.trim_start();
        if !(trimmed.starts_with('{') || trimmed.starts_with('['))
            || self.depth + 1 >= self.policy.max_depth
        {
            return None;
        }
        let path = self.current_path();
        let inner = new_pass(
            self.policy,
            text.as_bytes(),
            Some(&path),
            self.depth + 1,
            Mode::Reveal,
            &Default::default(),
        )
        .ok()?;
        self.unopened.extend(inner.unopened);
        self.opened_by_shape.extend(inner.opened_by_shape);
        if inner.restored == 0 {
            return None;
        }
        self.restored += inner.restored;
        String::from_utf8(inner.out).ok()
    }

    /// The tokens a `detect:` rule's `tokenize` left in free text, found
    /// again as digit runs whose detokenized value has the category's shape
    /// (a card's Luhn digit and issuer range, a resident ID's date and check
    /// character, a mainland mobile's prefix). Nothing marks a token in
    /// text, so a digit run that was never one (an order number) opens to
    /// a plausible value (a card about 1.6% of the time, a mobile number 7%): each value opened this way is
    /// listed for a person to check, and `decrypt` exits 1. Categories with
    /// no shape cannot be told from other digits and stay as they are.
    fn detokenize_free_text(&mut self, text: &str) -> Option<String> {
        if self.rule_protected || text.len() < 11 {
            return None;
        }
        let policy = self.policy;
        let tokenizers: Vec<(&str, usize)> = policy
            .detect_rules
            .iter()
            .filter_map(|rule| match rule.action {
                Action::Tokenize { keep_last } if has_a_shape(rule.category.as_str()) => {
                    Some((rule.category.as_str(), keep_last))
                }
                _ => None,
            })
            .collect();
        if tokenizers.is_empty() {
            return None;
        }
        let mut rebuilt = String::with_capacity(text.len());
        let mut copied = 0;
        let mut opened = 0;
        for (at, run) in digit_runs(text) {
            let plain = tokenizers.iter().find_map(|(category, keep_last)| {
                let plain = policy
                    .crypto
                    .tokenizer()
                    .detokenize(category, run, *keep_last);
                (plain != run && has_its_whole_shape(category, &plain)).then_some(plain)
            });
            if let Some(plain) = plain {
                rebuilt.push_str(&text[copied..at]);
                rebuilt.push_str(&plain);
                copied = at + run.len();
                opened += 1;
            }
        }
        if opened == 0 {
            return None;
        }
        rebuilt.push_str(&text[copied..]);
        self.restored += opened;
        let path = self.current_path();
        self.opened_by_shape
            .extend(std::iter::repeat_n(path, opened));
        Some(rebuilt)
    }
}

/// Runs of 11 to 19 digits in `text` (single spaces or hyphens between
/// digits kept in the run, a resident ID's final `X` included), with their
/// byte offsets: where a detector's token can be.
fn digit_runs(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = 0;
        let mut end = i;
        while end < bytes.len() {
            let b = bytes[end];
            if b.is_ascii_digit() {
                digits += 1;
                end += 1;
            } else if (b == b' ' || b == b'-')
                && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
                && end > start
                && bytes[end - 1].is_ascii_digit()
            {
                end += 1;
            } else {
                if (b == b'X' || b == b'x') && digits == 17 {
                    end += 1;
                }
                break;
            }
        }
        if (11..=19).contains(&digits) && !bytes.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            runs.push((start, &text[start..end]));
        }
        i = end.max(start + 1);
    }
    runs
}

/// Length of the envelope at the start of `text` (of either suite, its
/// prefix `prefix` bytes long): the prefix, a kid, `:`, and base64url
/// characters.
fn envelope_len(text: &str, prefix: usize) -> usize {
    let body = &text.as_bytes()[prefix..];
    let token = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_';
    let kid = body.iter().take_while(|b| token(b)).count();
    if body.get(kid) != Some(&b':') {
        return prefix;
    }
    let blob = body[kid + 1..].iter().take_while(|b| token(b)).count();
    prefix + kid + 1 + blob
}

/// Whether a detokenized value has the shape its category promises; `true`
/// for a category with no shape to check.
fn has_its_shape(category: &str, plain: &str) -> bool {
    let digits: String = plain.chars().filter(char::is_ascii_digit).collect();
    match category {
        "bank_card" => crate::detect::is_valid_bank_card(&digits),
        "id_number" => crate::detect::is_valid_resident_id(plain.trim()),
        "phone" if digits.len() == 11 => crate::detect::is_valid_mobile(&digits),
        _ => true,
    }
}

/// Whether `plain` is a value of `category` as a detector finds one in
/// text: the whole shape, length included.
fn has_its_whole_shape(category: &str, plain: &str) -> bool {
    let digits: String = plain.chars().filter(char::is_ascii_digit).collect();
    match category {
        "bank_card" => crate::detect::is_valid_bank_card(&digits),
        "id_number" => crate::detect::is_valid_resident_id(plain.trim()),
        "phone" => digits.len() == 11 && crate::detect::is_valid_mobile(&digits),
        _ => false,
    }
}

/// Whether `decrypt` can tell a value of `category` from other digits.
fn has_a_shape(category: &str) -> bool {
    matches!(category, "bank_card" | "id_number" | "phone")
}

/// Reverses `encrypt` envelopes (anywhere in any string) and `tokenize`
/// fields.
pub(super) fn reveal(policy: &Policy, input: &[u8]) -> Result<Revealed, EngineError> {
    let pass = new_pass(policy, input, None, 0, Mode::Reveal, &Default::default())?;
    Ok(Revealed {
        output: pass.out,
        restored: pass.restored,
        unopened: pass.unopened,
        opened_by_shape: pass.opened_by_shape,
    })
}
