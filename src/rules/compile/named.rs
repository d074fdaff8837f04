//! The rules for values outside the body compiled: `headers:` and
//! `query:` entries by name (a name the key vocabulary knows needs no
//! category), and `path_params:` by a template's `{name}` segment.
//!
//! It knows nothing of the body's rules or detectors. An empty name, a
//! parameter the template lacks or a broken category or action is a
//! positioned problem, and the entry adds no rule.

use std::collections::HashMap;

use serde_saphyr::Spanned;

use super::Checker;
use crate::ident::Ident;
use crate::rules::raw;
use crate::rules::{PathParam, Rule, RuleRef, RuleSite, SiteKind};
use crate::vocab;

pub(super) fn compile_path_params(
    checker: &mut Checker<'_>,
    entries: &[Spanned<raw::RawPathParam>],
    sites: &mut Vec<RuleSite>,
) -> Vec<PathParam> {
    let mut compiled = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let p = &entry.value;
        let template = p.template.value.trim_matches('/');
        let segments: Vec<Option<String>> = template
            .split('/')
            .map(|s| {
                let param = s.starts_with('{') && s.ends_with('}');
                (!param).then(|| s.to_owned())
            })
            .collect();
        let names: Vec<&str> = template
            .split('/')
            .map(|s| {
                s.strip_prefix('{')
                    .and_then(|n| n.strip_suffix('}'))
                    .unwrap_or("")
            })
            .collect();
        let Some(param) = names.iter().position(|n| *n == p.param.value) else {
            let message = format!(
                "`param: {}` is not a `{{name}}` of the template",
                p.param.value
            );
            checker.at(&p.param.referenced, message);
            continue;
        };
        let Some(category) = checker.category(Some(&p.category), &entry.referenced) else {
            continue;
        };
        let Some(action) = checker.action(&p.action, &category) else {
            continue;
        };
        sites.push(RuleSite {
            category: category.clone(),
            action: action.clone(),
            kind: SiteKind::PathParam,
            at: p.action.referenced,
        });
        let reference = RuleRef::named(format!("path_params[{index}]"));
        compiled.push(PathParam {
            segments,
            param,
            rule: Rule::new(category, action, reference),
        });
    }
    compiled
}

pub(super) fn compile_named(
    checker: &mut Checker<'_>,
    entries: &[Spanned<raw::RawNamed>],
    kind: SiteKind,
    sites: &mut Vec<RuleSite>,
) -> HashMap<String, Rule> {
    let section = if kind == SiteKind::Header {
        "headers"
    } else {
        "query"
    };
    let mut compiled = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let named = &entry.value;
        if named.name.value.trim().is_empty() {
            checker.at(&named.name.referenced, "`name` must not be empty");
            continue;
        }
        let category = match &named.category {
            None => {
                let name = named.name.value.as_str();
                let bare = name
                    .strip_prefix("X-")
                    .or_else(|| name.strip_prefix("x-"))
                    .unwrap_or(name);
                vocab::category_of_key(&vocab::normalize_key(bare)).map(Ident::fixed)
            }
            Some(_) => None,
        };
        let Some(category) =
            category.or_else(|| checker.category(named.category.as_ref(), &entry.referenced))
        else {
            continue;
        };
        let Some(action) = checker.action(&named.action, &category) else {
            continue;
        };
        let label = RuleRef::named(format!("{section}[{index}]"));
        sites.push(RuleSite {
            category: category.clone(),
            action: action.clone(),
            kind,
            at: named.action.referenced,
        });
        compiled
            .entry(vocab::normalize_key(&named.name.value))
            .or_insert(Rule::new(category, action, label));
    }
    compiled
}
