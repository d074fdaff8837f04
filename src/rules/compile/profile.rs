//! A rules file's `profile:` compiled: the defaults it adds for every
//! category the file's own rules leave alone, the rules whose findings
//! refuse, and the warnings `check` gives where the file's rules weaken a
//! default.
//!
//! A category the file names anywhere (a field, detector, header, query
//! or path rule) is the file's to decide: the profile adds nothing for it,
//! so an override replaces the default wholly rather than racing it.

use std::collections::HashSet;

use serde_saphyr::Location;

use super::{Checker, Fields};
use crate::compliance::profile::Display;
use crate::compliance::{Class, class_of};
use crate::detect::{BuiltinDetector, DetectorKind, DetectorSpec};
use crate::diag::Diagnostic;
use crate::ident::Ident;
use crate::rules::raw::{Profile, RawRules, SeparateConsent};
use crate::rules::{Action, KeyTarget, Rule, RuleRef, RuleSite, SiteKind};
use crate::vocab;

/// What the profile adds to the compiled rules.
#[derive(Default)]
pub(super) struct Defaults {
    /// Detectors the file does not list, with their rules.
    pub detectors: Vec<(DetectorSpec, Rule)>,
    /// Rules whose findings refuse the request.
    pub forbidden: HashSet<RuleRef>,
}

/// The action a profile default stands for.
fn action_of(display: Display) -> Option<Action> {
    match display {
        Display::Forbidden => Some(Action::Drop),
        Display::Mask {
            keep_first,
            keep_last,
        } => Some(Action::Mask {
            keep_first,
            keep_last,
            mask_char: '*',
        }),
        Display::AsIs => None,
    }
}

/// Every category the file's own rules name.
fn named_categories(raw: &RawRules, sites: &[RuleSite]) -> HashSet<String> {
    let mut named: HashSet<String> = sites.iter().map(|s| s.category.to_string()).collect();
    for entry in &raw.detect {
        let d = &entry.value;
        let category = d.category.as_ref().map(|c| c.value.trim().to_owned());
        let builtin = d
            .detector
            .as_ref()
            .and_then(|n| BuiltinDetector::from_name(&n.value));
        named.extend(category.or_else(|| builtin.map(|b| b.default_category().to_owned())));
    }
    named
}

/// Adds the profile's key rules to `fields` and returns its detectors and
/// forbidden rules. `at` is where `profile:` is written: the profile's
/// rules are reported there.
pub(super) fn apply(raw: &RawRules, fields: &mut Fields, at: Location) -> Defaults {
    let named = named_categories(raw, &fields.sites);
    let mut defaults = Defaults::default();
    add_key_defaults(fields, &named, at, &mut defaults);
    add_detector_defaults(raw, fields, &named, at, &mut defaults);
    defaults
}

fn add_site(fields: &mut Fields, category: &Ident, action: &Action, kind: SiteKind, at: Location) {
    fields.sites.push(RuleSite {
        category: category.clone(),
        action: action.clone(),
        kind,
        at,
    });
}

/// A key rule for every built-in category the file leaves alone, over that
/// category's dictionary.
fn add_key_defaults(
    fields: &mut Fields,
    named: &HashSet<String>,
    at: Location,
    defaults: &mut Defaults,
) {
    for category in vocab::BUILTIN_CATEGORIES {
        let Some(display) = Display::default_for(category).filter(|_| !named.contains(*category))
        else {
            continue;
        };
        let Some(action) = action_of(display) else {
            continue;
        };
        let ident = Ident::fixed(category);
        let reference = RuleRef::named(format!("profile:keys:{category}"));
        if display == Display::Forbidden {
            defaults.forbidden.insert(reference.clone());
        }
        let number = fields.rules.len() as u32;
        for key in vocab::builtin_keys(category).unwrap_or(&[]) {
            let target = KeyTarget {
                rule: number,
                category: ident.clone(),
            };
            fields
                .key_index
                .entry(vocab::normalize_key(key))
                .or_insert(target);
        }
        add_site(fields, &ident, &action, SiteKind::Keys, at);
        fields.rules.push(Rule::new(ident, action, reference));
    }
}

/// A built-in detector for every category the file leaves alone, unless
/// the file lists that detector itself.
fn add_detector_defaults(
    raw: &RawRules,
    fields: &mut Fields,
    named: &HashSet<String>,
    at: Location,
    defaults: &mut Defaults,
) {
    let listed: HashSet<&str> = raw
        .detect
        .iter()
        .filter_map(|d| d.value.detector.as_ref().map(|n| n.value.as_str()))
        .collect();
    for detector in BuiltinDetector::ALL {
        let category = detector.default_category();
        if listed.contains(detector.name()) || named.contains(category) {
            continue;
        }
        let Some(display) = Display::default_for(category) else {
            continue;
        };
        let Some(action) = action_of(display) else {
            continue;
        };
        let ident = Ident::fixed(category);
        let reference = RuleRef::named(format!("profile:{}", detector.name()));
        if display == Display::Forbidden {
            defaults.forbidden.insert(reference.clone());
        }
        add_site(fields, &ident, &action, SiteKind::Detector(*detector), at);
        let spec = DetectorSpec {
            kind: DetectorKind::Builtin(*detector),
            category: Some(category.to_owned()),
        };
        defaults
            .detectors
            .push((spec, Rule::new(ident, action, reference)));
    }
}

/// Why `action` is weaker than the profile's default for `category`.
fn weakness(category: &str, action: &Action) -> Option<String> {
    let class = class_of(category)?;
    match (class, action) {
        (Class::C3, Action::Drop | Action::Redact { .. }) => None,
        (Class::C3, _) => Some(format!(
            "`{category}` is C3 (authentication data), which the jr-t-0171 profile never lets \
             leave; `{}` sends it in some form (use `drop`, or leave it to the profile)",
            action.name()
        )),
        (Class::C2, Action::Allow) => Some(format!(
            "`{category}` is C2; `allow` forwards it as is, where the jr-t-0171 profile masks it"
        )),
        (
            Class::C2,
            Action::Mask {
                keep_first,
                keep_last,
                ..
            },
        ) => {
            let (first, last) = Display::customary_max(category);
            (*keep_first > first || *keep_last > last).then(|| {
                format!(
                    "this mask keeps {keep_first} + {keep_last} characters of `{category}` (C2); \
                     its customary display keeps at most {first} + {last}"
                )
            })
        }
        _ => None,
    }
}

/// The warnings of the file's own rules (and `separate_consent:`) against
/// the profile.
pub(super) fn warnings(
    checker: &Checker<'_>,
    raw: &RawRules,
    sites: &[RuleSite],
    profile: Profile,
) -> Vec<Diagnostic> {
    let Profile::JrT0171 = profile;
    let mut found: Vec<Diagnostic> = sites
        .iter()
        .filter_map(|site| {
            let why = weakness(&site.category, &site.action)?;
            Some(Diagnostic::at(
                checker.file,
                &site.at,
                format!("warning: {why}"),
            ))
        })
        .collect();
    if let Some(separate) = &raw.separate_consent {
        if separate.value < SeparateConsent::All {
            found.push(Diagnostic::at(
                checker.file,
                &separate.referenced,
                "warning: the jr-t-0171 profile asks a separate consent grant for every share \
                 (`separate_consent: all`); this weakens it",
            ));
        }
    }
    found
}
