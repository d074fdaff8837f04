//! Which field rule a key names: a `keys:` list by the key's normalized
//! name, or a `keys: builtin` rule through the key classifier
//! (`vocab::meaning`, with the key of the enclosing object as its owner),
//! the value's shape deciding where the key only suggests a category
//! (`detect::shape`). Shared by JSON members and `k=v` pairs.
//!
//! Knows nothing of the walk: it is handed a key, its owner and, when the
//! verdict needs it, the value's decoded text. Fails towards protection
//! only as far as the classifier does: a key it cannot read is left to the
//! detectors.

use crate::detect::shape;
use crate::ident::Ident;
use crate::rules::Policy;
use crate::vocab::{self, Category, Why};

/// A key's rule before the value is seen.
#[derive(Clone, Copy)]
pub(super) struct KeyRule<'p> {
    pub rule: u32,
    pub category: &'p Ident,
    pub why: Why,
    /// From the classifier: its category, and whether the key alone decides.
    pub builtin: Option<(Category, bool)>,
}

impl<'p> KeyRule<'p> {
    /// Whether the value must be looked at before the rule applies (the
    /// key only suggests the category, or the value can refine it).
    pub fn needs_value(&self) -> bool {
        match self.builtin {
            Some((_, false)) => true,
            Some((category, true)) => matches!(
                category,
                Category::Name
                    | Category::Address
                    | Category::IdNumber
                    | Category::BankCard
                    | Category::Passport
            ),
            None => false,
        }
    }

    /// The rule once the value is known (`None`: a container, or a value
    /// that is not a scalar): whether it applies, and the category it
    /// reports (a resident ID under a card key is an ID number).
    pub fn settle(self, policy: &'p Policy, value: Option<&str>) -> Option<KeyRule<'p>> {
        let Some((category, strong)) = self.builtin else {
            return Some(self);
        };
        match value {
            // A container under a place key (`location: {latitude, …}`)
            // is a place whole: a job title (`position`) is never one.
            None if strong || category == Category::Location => Some(self),
            None => None,
            Some(v) if !strong && !shape::fits(category, v) => None,
            Some(v) if shape::contradicts(category, v) => None,
            Some(v) => {
                let refined = shape::refine(category, v);
                match policy.builtin_keys.rule(refined) {
                    Some((rule, ident)) if refined != category => Some(KeyRule {
                        rule,
                        category: ident,
                        builtin: Some((refined, true)),
                        ..self
                    }),
                    _ => Some(self),
                }
            }
        }
    }
}

/// The rule `key` names (inside an object keyed `owner`), the lower in file
/// order when a `keys:` list and the classifier both name one.
/// `normalized` is scratch space.
pub(super) fn key_rule<'p>(
    policy: &'p Policy,
    key: &str,
    owner: Option<&str>,
    normalized: &mut String,
) -> Option<KeyRule<'p>> {
    let listed = listed_rule(policy, key, normalized);
    let builtin = if policy.builtin_keys.is_empty() {
        None
    } else {
        vocab::meaning(key, owner).verdict().and_then(|v| {
            policy
                .builtin_keys
                .rule(v.category)
                .map(|(rule, category)| KeyRule {
                    rule,
                    category,
                    why: v.why,
                    builtin: Some((v.category, v.strong)),
                })
        })
    };
    match (listed, builtin) {
        (Some(l), Some(b)) => Some(if b.rule < l.rule { b } else { l }),
        (l, b) => l.or(b),
    }
}

fn listed_rule<'p>(policy: &'p Policy, key: &str, normalized: &mut String) -> Option<KeyRule<'p>> {
    if policy.key_index.is_empty() || key.len() > policy.longest_key * 4 + 8 {
        return None;
    }
    vocab::normalize_key_into(key, normalized);
    policy.key_index.get(normalized.as_str()).map(|t| KeyRule {
        rule: t.rule,
        category: &t.category,
        why: Why::default(),
        builtin: None,
    })
}
