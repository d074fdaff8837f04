//! A rules file's `detect:` section compiled: each entry's detector (a
//! built-in by name, or a pattern), its category and action, and the
//! detector set built from them and any the profile adds.
//!
//! It knows nothing of field rules or the profile's choices, only the specs
//! it is handed. An entry that names no detector, or an action that would
//! not protect, is a positioned problem and adds nothing.

use serde_saphyr::{Location, Spanned};

use super::Checker;
use crate::detect::{BuiltinDetector, DetectorKind, DetectorSet, DetectorSpec, ExtraLabels};
use crate::ident::Ident;
use crate::rules::raw::{self, RawAction, RawRules};
use crate::rules::{Rule, RuleRef, RuleSite, SiteKind};

/// A `detect:` entry's detector: its kind, its name in findings and its
/// default category; `None` (with the problem noted) when it names none.
fn detector_kind(
    checker: &mut Checker<'_>,
    entry: &Spanned<raw::RawDetect>,
    patterns_before: usize,
) -> Option<(DetectorKind, String, Option<&'static str>)> {
    let d = &entry.value;
    match (&d.detector, &d.pattern) {
        (Some(name), None) => match BuiltinDetector::from_name(&name.value) {
            Some(builtin) => Some((
                DetectorKind::Builtin(builtin),
                format!("detect:{}", builtin.name()),
                Some(builtin.default_category()),
            )),
            None => {
                let known: Vec<&str> = BuiltinDetector::ALL.iter().map(|d| d.name()).collect();
                let message = format!(
                    "unknown detector `{}`; known: {}",
                    name.value,
                    known.join(", ")
                );
                checker.at(&name.referenced, message);
                None
            }
        },
        (None, Some(pattern)) => Some((
            DetectorKind::Pattern(pattern.value.clone()),
            format!("detect:pattern[{patterns_before}]"),
            None,
        )),
        _ => {
            checker.at(
                &entry.referenced,
                "a detect entry has exactly one of `detector` or `pattern`",
            );
            None
        }
    }
}

/// One `detect:` entry as a detector spec and its rule, or `None` (with
/// the problem noted).
fn detect_entry(
    checker: &mut Checker<'_>,
    entry: &Spanned<raw::RawDetect>,
    patterns_before: usize,
    sites: &mut Vec<RuleSite>,
) -> Option<(DetectorSpec, Rule)> {
    let d = &entry.value;
    let (kind, label, default_category) = detector_kind(checker, entry, patterns_before)?;
    let category = match (&d.category, default_category) {
        (None, Some(default)) => Ident::fixed(default),
        (category, _) => checker.category(category.as_ref(), &entry.referenced)?,
    };
    if d.action.value.is_allow() {
        checker.at(
            &d.action.referenced,
            "a detector's action must protect (`allow` would do nothing)",
        );
        return None;
    }
    let action = checker.action(&d.action, &category)?;
    sites.push(RuleSite {
        category: category.clone(),
        action: action.clone(),
        kind: match &kind {
            DetectorKind::Builtin(builtin) => SiteKind::Detector(*builtin),
            DetectorKind::Pattern(_) => SiteKind::Pattern,
        },
        at: d.action.referenced,
    });
    let spec = DetectorSpec {
        kind,
        category: Some(category.to_string()),
    };
    Some((spec, Rule::new(category, action, RuleRef::named(label))))
}

/// The file's own `detect:` entries: their specs, rules and positions,
/// in order.
pub(super) fn detect_entries(
    checker: &mut Checker<'_>,
    raw: &RawRules,
    sites: &mut Vec<RuleSite>,
) -> (Vec<DetectorSpec>, Vec<Rule>, Vec<Location>) {
    let mut specs = Vec::new();
    let mut rules = Vec::new();
    let mut locations = Vec::new();
    for entry in &raw.detect {
        let Some((spec, rule)) = detect_entry(checker, entry, specs.len(), sites) else {
            continue;
        };
        specs.push(spec);
        rules.push(rule);
        let d = &entry.value;
        locations.push(match (&d.pattern, &d.detector) {
            (Some(p), _) => p.referenced,
            (_, Some(n)) => n.referenced,
            _ => entry.referenced,
        });
    }
    (specs, rules, locations)
}

/// Compiles the detector specs (the file's, then any the profile adds);
/// a problem is reported at its entry.
pub(super) fn detector_set(
    checker: &mut Checker<'_>,
    raw: &RawRules,
    specs: Vec<DetectorSpec>,
    locations: &[Location],
) -> Option<DetectorSet> {
    let words = &raw.context_words;
    let labels = ExtraLabels {
        name: words.name.clone(),
        address: words.address.clone(),
        birth_date: words.birth_date.clone(),
        passport: words.passport.clone(),
    };
    match DetectorSet::new(&specs, &labels) {
        Ok(set) => Some(set),
        Err(errors) => {
            for (index, message) in errors {
                let location = locations.get(index).copied().unwrap_or(Location::UNKNOWN);
                checker.at(&location, message);
            }
            None
        }
    }
}

impl RawAction {
    fn is_allow(&self) -> bool {
        matches!(self, RawAction::Allow)
    }
}
