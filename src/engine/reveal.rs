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
            _ => self.walk(Node {
                applied: None,
                forced: None,
                ..node
            }),
        }
    }

    /// Reverse mode: opens every envelope inside the string at `start..end`.
    pub(super) fn reveal_string(&mut self, start: usize, end: usize, escaped: bool) {
        let text = self.decoded(start, end, escaped).to_owned();
        if find_envelope(&text).is_none() {
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
        while let Some((at, prefix)) = find_envelope(rest) {
            rebuilt.push_str(&rest[..at]);
            let candidate = &rest[at..];
            let len = envelope_len(candidate, prefix);
            match policy.open_envelope(&candidate[..len]) {
                Some((_, plain)) => {
                    rebuilt.push_str(&String::from_utf8_lossy(&plain));
                    self.restored += 1;
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
        rebuilt.push_str(rest);
        self.replace(start, end, |out| lex::write_json_string(out, &rebuilt));
    }
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

/// Reverses `encrypt` envelopes (anywhere in any string) and `tokenize`
/// fields.
pub(super) fn reveal(policy: &Policy, input: &[u8]) -> Result<Revealed, EngineError> {
    let pass = new_pass(policy, input, None, 0, Mode::Reveal, &Default::default())?;
    Ok(Revealed {
        output: pass.out,
        restored: pass.restored,
        unopened: pass.unopened,
    })
}
