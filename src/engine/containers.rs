//! The walk through containers: objects and their members (keys decoded
//! onto the key stack, selectors advanced, the key's own rule looked up,
//! the key itself run through the detectors), arrays and their elements,
//! and the choice of the rule that applies to the next value.

use std::ops::Range;

use super::keyed::{self, KeyRule};
use super::lex;
use super::members::Members;
use super::pass::{Applied, Disposition, Mode, Node, Pass, Segment, Walked};
use super::{EngineError, ErrorKind};
use crate::detect::shape;
use crate::rules::selector::{self, Edge};
use crate::vocab::{self, Why};

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
        let keys_mark = self.push_key(key_start, key_end, escaped);
        let progress_mark = self.progress.len();
        self.matched.clear();
        selector::advance(
            &self.policy.selectors,
            &mut self.progress,
            parent.progress.clone(),
            Edge::Key(&self.keys[keys_mark..]),
            &mut self.matched,
        );
        // A key that only carries the value (`words`, `value`) stands for
        // the key above it.
        let carrier = parent.key.is_some() && vocab::is_carrier(&self.keys[keys_mark..]);
        let (key, owner) = if carrier {
            (parent.key.clone(), None)
        } else {
            (Some(keys_mark..self.keys.len()), parent.key.clone())
        };
        let key_rule = self.member_rule(key.clone(), owner.clone())?;
        let subject_key = self.is_subject_key(keys_mark);
        let forced = match parent.forced {
            Some(applied) if !carrier && self.keeps_its_region(applied, keys_mark, &owner)? => None,
            forced => forced,
        };
        let child = Node {
            progress: progress_mark..self.progress.len(),
            applied: None,
            forced,
            drop_unknown: parent.drop_unknown,
            subject: subject_key,
            key,
            owner,
        };
        let mut child = self.choose(child, key_rule);
        let key = match self.mode {
            Mode::Protect => self.protect_key(key_start, key_end, keys_mark, parent),
            Mode::Reveal => Disposition::Keep,
        };
        if !carrier {
            // A detector may have rewritten the stacked key (a card number
            // used as a key): the child reads the key as it now stands.
            child.key = Some(keys_mark..self.keys.len());
        }
        let result = match key {
            Disposition::Remove => self.skip_value().map(|_| Disposition::Remove),
            Disposition::Keep => self.value(child),
        };
        self.progress.truncate(progress_mark);
        self.path.pop();
        self.keys.truncate(keys_mark);
        result
    }

    /// Decodes the key at `key_start..key_end` straight onto the key stack
    /// (the one copy paths, selectors and detectors all read) and enters it
    /// in the path; returns where it starts on the stack.
    fn push_key(&mut self, key_start: usize, key_end: usize, escaped: bool) -> usize {
        let keys_mark = self.keys.len();
        if escaped {
            lex::decode_string(&self.input[key_start + 1..key_end - 1], &mut self.scratch);
            self.keys.push_str(&self.scratch);
        } else {
            self.keys.push_str(self.text(key_start + 1, key_end - 1));
        }
        self.path.push(Segment::Key(keys_mark, self.keys.len()));
        keys_mark
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
            owner: parent.owner.clone(),
        };
        let child = self.choose(child, None);
        let result = self.value(child);
        self.progress.truncate(progress_mark);
        self.path.pop();
        result
    }

    /// Whether the member keyed `self.keys[key..]` of an address object
    /// that a `keys: builtin` rule masks is a coarse region, by its key
    /// (`province`, `city`, `town`) or by its value (`{"street": {"name":
    /// "关上街道"}}`), left as it is: masking an address string keeps its
    /// first characters, which are those. So are the members that are no
    /// part of the address (`update_time`, `addr_type`, `area_code`), and a
    /// detail that is a place of business (a shop unit, a warehouse), as
    /// under an address key (`detect::shape::contradicts`). A rule that
    /// names the object by path or key list protects all of it. `self.pos`
    /// is at the value.
    fn keeps_its_region(
        &mut self,
        applied: Applied<'p>,
        key: usize,
        owner: &Option<Range<usize>>,
    ) -> Result<bool, EngineError> {
        if applied.why.is_empty() || applied.category.as_str() != vocab::Category::Address.name() {
            return Ok(false);
        }
        let owner = owner.as_ref().map(|o| &self.keys[o.clone()]);
        if matches!(
            vocab::meaning(&self.keys[key..], owner),
            vocab::Meaning::Region(_)
                | vocab::Meaning::NotPersonal(_)
                | vocab::Meaning::Identifier(_)
        ) {
            return Ok(true);
        }
        let start = self.pos;
        if self.input.get(start) != Some(&b'"') {
            return Ok(false);
        }
        let (end, escaped) = self.lexed(lex::scan_string(self.input, start))?;
        let value = self.decoded(start, end, escaped);
        Ok(shape::contradicts(vocab::Category::Address, value))
    }

    /// The rule the member's key names, settled against its value when the
    /// classifier needs the value's shape (`self.pos` is at the value).
    fn member_rule(
        &mut self,
        key: Option<Range<usize>>,
        owner: Option<Range<usize>>,
    ) -> Result<Option<KeyRule<'p>>, EngineError> {
        let Some(key) = key else { return Ok(None) };
        let policy = self.policy;
        let owner = owner.map(|o| &self.keys[o]);
        let Some(rule) = keyed::key_rule(policy, &self.keys[key], owner, &mut self.normalized)
        else {
            return Ok(None);
        };
        if !rule.needs_value() {
            return Ok(Some(rule));
        }
        // Settled against the value where it lies (no copy: every value
        // under a name or an address key comes through here).
        let start = self.pos;
        Ok(match self.input.get(start) {
            Some(b'"') => {
                let (end, escaped) = self.lexed(lex::scan_string(self.input, start))?;
                rule.settle(policy, Some(self.decoded(start, end, escaped)))
            }
            Some(b'-' | b'0'..=b'9') => {
                let end = self.lexed(lex::scan_number(self.input, start))?;
                rule.settle(policy, Some(self.text(start, end)))
            }
            _ => rule.settle(policy, None),
        })
    }

    /// Picks the first rule (in file order) among the path selectors in
    /// `self.matched` and the key rule; notes a subject match.
    pub(super) fn choose(&mut self, mut node: Node<'p>, key_rule: Option<KeyRule<'p>>) -> Node<'p> {
        let policy = self.policy;
        let mut best = key_rule.map(|k| (k.rule, k.category, k.why));
        for &selector in &self.matched {
            if policy.subject.is_selector(selector) {
                node.subject = true;
                continue;
            }
            let rule = policy.selector_rule[selector as usize];
            if best.is_none_or(|(b, ..)| rule < b) {
                best = Some((rule, &policy.rules[rule as usize].category, Why::default()));
            }
        }
        if let Some((rule, category, why)) = best {
            node.applied = Some(Applied {
                rule: &policy.rules[rule as usize],
                category,
                why,
            });
        }
        node
    }
}
