//! A rules file's `fields:` section and its `subject:` rule compiled: the
//! rules in file order, the path selectors (the subject's among them), the
//! key index of `keys:` rules and the built-in dictionaries they name, and
//! every rule's site for the profile's warnings.
//!
//! It knows nothing of detectors, named text (headers, query, path
//! parameters) or the profile's defaults. A broken rule is a positioned
//! problem on the `Checker` and adds no rule: the file does not compile.

use serde_saphyr::{Location, Spanned};

use super::Checker;
use crate::ident::Ident;
use crate::rules::raw::{self, RawKeys, RawRules};
use crate::rules::{
    Action, BuiltinKeys, KeyTarget, PathSelector, Rule, RuleRef, RuleSite, SiteKind, SubjectRule,
};
use crate::vocab::{self, Category};

/// The `fields:` section compiled: rules in file order (index = rule
/// number), path selectors with their rule, the key index of `keys:` rules,
/// and every rule's site.
#[derive(Default)]
pub(super) struct Fields {
    pub(super) rules: Vec<Rule>,
    pub(super) selectors: Vec<PathSelector>,
    pub(super) selector_rule: Vec<u32>,
    pub(super) key_index: foldhash::HashMap<String, KeyTarget>,
    pub(super) builtin_keys: BuiltinKeys,
    pub(super) sites: Vec<RuleSite>,
}

impl Fields {
    pub(super) fn compile(checker: &mut Checker<'_>, raw: &RawRules) -> Fields {
        let mut fields = Fields::default();
        for (index, field) in raw.fields.iter().enumerate() {
            fields.add(checker, index as u32, field);
        }
        fields
    }

    fn add(&mut self, checker: &mut Checker<'_>, number: u32, field: &Spanned<raw::RawField>) {
        let f = &field.value;
        let category = match (&f.category, &f.keys) {
            (None, Some(keys)) if matches!(keys.value, RawKeys::Builtin) => {
                Some(Ident::fixed("builtin"))
            }
            (category, _) => checker.category(category.as_ref(), &field.referenced),
        };
        let action = category
            .as_deref()
            .and_then(|c| checker.action(&f.action, c));
        match (&f.path, &f.keys) {
            (Some(_), Some(keys)) => checker.at(
                &keys.referenced,
                "a field rule has `path` or `keys`, not both",
            ),
            (None, None) => checker.at(&field.referenced, "a field rule needs `path` or `keys`"),
            (Some(path), None) => match PathSelector::parse(&path.value) {
                Ok(selector) => {
                    self.selectors.push(selector);
                    self.selector_rule.push(number);
                }
                Err(err) => checker.at(&path.referenced, format!("invalid path: {err}")),
            },
            (None, Some(keys)) => {
                let named = category.clone().unwrap_or_else(|| Ident::fixed("unnamed"));
                if matches!(keys.value, RawKeys::Builtin) {
                    for c in builtin_categories(checker, keys, &named) {
                        self.builtin_keys.add(c, number);
                    }
                }
                for (key, key_category) in key_list(checker, keys, &named) {
                    let target = KeyTarget {
                        rule: number,
                        category: key_category,
                    };
                    self.key_index
                        .entry(vocab::normalize_key(&key))
                        .or_insert(target);
                }
            }
        }
        if let (Some(category), Some(action)) = (category, action) {
            self.sites.extend(field_sites(f, &category, &action));
            self.rules
                .push(Rule::new(category, action, RuleRef::Field(number)));
        }
    }

    /// Adds a subject path as one more selector (with no rule); its index
    /// among the selectors.
    fn subject_path(
        &mut self,
        checker: &mut Checker<'_>,
        path: &str,
        at: &Location,
    ) -> Option<u32> {
        match PathSelector::parse(path) {
            Ok(selector) => {
                self.selectors.push(selector);
                self.selector_rule.push(u32::MAX);
                Some((self.selectors.len() - 1) as u32)
            }
            Err(err) => {
                checker.at(at, format!("invalid subject path: {err}"));
                None
            }
        }
    }

    /// The `subject:` rule; no `subject:` leaves shares not per subject
    /// (and so optional).
    pub(super) fn subject(
        &mut self,
        checker: &mut Checker<'_>,
        raw: Option<&Spanned<raw::RawSubject>>,
    ) -> SubjectRule {
        let Some(raw) = raw else {
            return SubjectRule {
                optional: true,
                ..SubjectRule::default()
            };
        };
        let at = raw.referenced;
        match &raw.value {
            raw::RawSubject::Path(path) => SubjectRule {
                selectors: self.subject_path(checker, path, &at).into_iter().collect(),
                ..SubjectRule::default()
            },
            raw::RawSubject::Rule(rule) => {
                if rule.paths.is_empty() && rule.keys.is_empty() {
                    checker.at(&at, "`subject` needs `paths` or `keys`");
                }
                let selectors = rule
                    .paths
                    .iter()
                    .filter_map(|p| self.subject_path(checker, p, &at))
                    .collect();
                SubjectRule {
                    selectors,
                    keys: rule.keys.iter().map(|k| vocab::normalize_key(k)).collect(),
                    optional: rule.optional,
                    case: rule.case,
                }
            }
        }
    }
}

/// The sites of one compiled field rule: a `keys: builtin` rule of
/// category `builtin` stands for every built-in category.
fn field_sites(f: &raw::RawField, category: &Ident, action: &Action) -> Vec<RuleSite> {
    let site = |category: Ident, kind| RuleSite {
        category,
        action: action.clone(),
        kind,
        at: f.action.referenced,
    };
    match &f.keys {
        None => vec![site(category.clone(), SiteKind::Path)],
        Some(keys) if matches!(keys.value, RawKeys::Builtin) && &**category == "builtin" => {
            vocab::BUILTIN_CATEGORIES
                .iter()
                .map(|c| site(Ident::fixed(c), SiteKind::Keys))
                .collect()
        }
        Some(_) => vec![site(category.clone(), SiteKind::Keys)],
    }
}

/// The key names of a `keys:` rule with the category each stands for.
fn key_list(
    checker: &mut Checker<'_>,
    keys: &Spanned<RawKeys>,
    category: &Ident,
) -> Vec<(String, Ident)> {
    match &keys.value {
        RawKeys::List(list) if list.is_empty() => {
            checker.at(&keys.referenced, "`keys` lists no key names");
            Vec::new()
        }
        RawKeys::List(list) => list.iter().map(|k| (k.clone(), category.clone())).collect(),
        // Built-in keys are not listed: the classifier reads every key.
        RawKeys::Builtin => Vec::new(),
    }
}

/// The categories a `keys: builtin` rule covers: one, or every built-in
/// one for category `builtin`; a category without a dictionary is a problem.
fn builtin_categories(
    checker: &mut Checker<'_>,
    keys: &Spanned<RawKeys>,
    category: &Ident,
) -> Vec<Category> {
    if **category == *"builtin" {
        return Category::ALL
            .iter()
            .copied()
            .filter(|c| c.has_keys())
            .collect();
    }
    match Category::from_name(category).filter(|c| c.has_keys()) {
        Some(c) => vec![c],
        None => {
            checker.at(
                &keys.referenced,
                format!(
                    "no built-in key dictionary for category `{category}`; built-in: {}",
                    vocab::BUILTIN_CATEGORIES.join(", ")
                ),
            );
            Vec::new()
        }
    }
}
