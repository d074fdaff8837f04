//! The walk through containers: objects and their members (keys decoded
//! onto the key stack, selectors advanced, the key's own rule looked up,
//! the key itself run through the detectors), arrays and their elements,
//! and the choice of the rule that applies to the next value.

use super::lex;
use super::members::Members;
use super::pass::{Applied, Disposition, Mode, Node, Pass, Segment, Walked};
use super::{EngineError, ErrorKind};
use crate::ident::Ident;
use crate::rules::Policy;
use crate::rules::selector::{self, Edge};
use crate::vocab;

impl<'p> Pass<'p, '_> {
    /// Whether the key on top of the key stack is one of the rules'
    /// `subject: {keys: [...]}` (compared as `keys:` rules compare).
    fn is_subject_key(&mut self, keys_mark: usize) -> bool {
        let names = &self.policy.subject.keys;
        if names.is_empty() {
            return false;
        }
        let mut normalized = std::mem::take(&mut self.normalized);
        vocab::normalize_key_into(&self.keys[keys_mark..], &mut normalized);
        let found = names.contains(normalized.as_str());
        self.normalized = normalized;
        found
    }

    pub(super) fn enter(&mut self) -> Result<(), EngineError> {
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

    pub(super) fn object(&mut self, node: Node<'p>) -> Walked {
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
    pub(super) fn member(
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
        let subject_key = self.is_subject_key(keys_mark);
        let child = Node {
            progress: progress_mark..self.progress.len(),
            applied: None,
            forced: parent.forced,
            drop_unknown: parent.drop_unknown,
            subject: subject_key,
            key: Some(keys_mark..self.keys.len()),
        };
        let mut child = self.choose(child, key_rule);
        let key = match self.mode {
            Mode::Protect => self.protect_key(key_start, key_end, keys_mark, parent),
            Mode::Reveal => Disposition::Keep,
        };
        // protect_key may have rewritten the stacked key to another length:
        // the value reads the key as it left, never a stale range of it.
        child.key = Some(keys_mark..self.keys.len());
        let result = match key {
            Disposition::Remove => self.skip_value().map(|_| Disposition::Remove),
            Disposition::Keep => self.value(child),
        };
        self.progress.truncate(progress_mark);
        self.path.pop();
        self.keys.truncate(keys_mark);
        result
    }

    pub(super) fn array(&mut self, node: Node<'p>) -> Walked {
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

    pub(super) fn element(&mut self, parent: &Node<'p>, index: usize) -> Walked {
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

    /// Picks the first rule (in file order) among the path selectors in
    /// `self.matched` and the key rule; notes a subject match.
    pub(super) fn choose(
        &mut self,
        mut node: Node<'p>,
        key_rule: Option<(u32, &'p Ident)>,
    ) -> Node<'p> {
        let policy = self.policy;
        let mut best = key_rule;
        for &selector in &self.matched {
            if policy.subject.is_selector(selector) {
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
