//! Compiling one rules file: every section checked with its problems
//! positioned, and turned into the parts of a [`Policy`]. This file holds
//! the `Checker` every section reports through, the actions' checks, and
//! the order the sections are compiled in; each section is its own module.
//!
//! It knows nothing of requests: a policy is compiled once, at load. Any
//! problem fails the whole file (every problem listed, no policy).

use std::collections::HashMap;
use std::path::Path;

use serde_saphyr::{Location, Spanned};

use super::raw::{RawAction, RawRules};
use super::{Action, Crypto, PathParam, Policy, Rule, SiteKind, SubjectRule};
use crate::audit::RulesVersion;
use crate::detect::DetectorSet;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ident::Ident;
use crate::protect::Keyring;

mod detect;
mod fields;
mod named;
mod profile;

use fields::Fields;

/// Categories whose values have a known least number of digits, for the FF1
/// domain check of `tokenize`.
fn known_min_digits(category: &str) -> Option<usize> {
    match category {
        "id_number" => Some(15),
        "bank_card" => Some(13),
        "phone" => Some(11),
        _ => None,
    }
}

/// Collects diagnostics while compiling one file.
struct Checker<'a> {
    file: &'a Path,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at(&mut self, location: &Location, message: impl Into<String>) {
        // One diagnostic, one line: multi-line messages (regex errors draw
        // a caret under the pattern) are folded.
        let message: String = message.into();
        let folded: Vec<&str> = message
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        self.problems
            .push(Diagnostic::at(self.file, location, folded.join(" ")));
    }

    fn category(
        &mut self,
        category: Option<&Spanned<String>>,
        fallback: &Location,
    ) -> Option<Ident> {
        match category {
            Some(c) => match Ident::new(c.value.trim()) {
                Ok(category) => Some(category),
                Err(e) => {
                    self.at(&c.referenced, format!("category {e}"));
                    None
                }
            },
            None => {
                self.at(
                    fallback,
                    "this rule needs a `category` (e.g. id_number, bank_card, phone, name)",
                );
                None
            }
        }
    }

    fn action(&mut self, raw: &Spanned<RawAction>, category: &str) -> Option<Action> {
        Some(match &raw.value {
            RawAction::Allow => Action::Allow,
            RawAction::Mask(p) => Action::Mask {
                keep_first: p.keep_first,
                keep_last: p.keep_last,
                mask_char: p.char,
            },
            RawAction::Redact(p) => Action::Redact {
                text: p.text.clone(),
            },
            RawAction::Drop => Action::Drop,
            RawAction::Hash => Action::Hash,
            RawAction::Encrypt => Action::Encrypt,
            RawAction::Tokenize(p) => {
                let Some(min_digits) = p.min_digits.or_else(|| known_min_digits(category)) else {
                    self.at(
                        &raw.referenced,
                        format!(
                            "tokenize needs `min_digits` for category `{category}` (known formats: id_number, bank_card, phone)"
                        ),
                    );
                    return None;
                };
                let domain = min_digits.saturating_sub(p.keep_last);
                if domain < crate::protect::actions::FF1_MIN_DIGITS {
                    self.at(
                        &raw.referenced,
                        format!(
                            "tokenize would encrypt only {domain} digits of `{category}` values ({min_digits} digits, keep_last {}); FF1 needs at least 6 (a domain of 10^6)",
                            p.keep_last
                        ),
                    );
                    return None;
                }
                Action::Tokenize {
                    keep_last: p.keep_last,
                }
            }
        })
    }
}

impl Policy {
    /// Reads and compiles `rules_path` for `partner`, with its keys derived
    /// from `keyring`. `max_depth` applies unless the file sets its own.
    pub fn load(
        rules_path: &Path,
        partner: &str,
        keyring: &Keyring,
        max_depth: usize,
    ) -> Result<Policy, Diagnostics> {
        let text = std::fs::read_to_string(rules_path).map_err(|e| {
            Diagnostics(vec![Diagnostic::whole_file(
                rules_path,
                format!("cannot read rules file: {e}"),
            )])
        })?;
        Self::from_yaml(rules_path, &text, partner, keyring, max_depth)
    }

    /// Compiles rules from their text; `file` names them in diagnostics.
    pub fn from_yaml(
        file: &Path,
        text: &str,
        partner: &str,
        keyring: &Keyring,
        max_depth: usize,
    ) -> Result<Policy, Diagnostics> {
        let raw: RawRules = serde_saphyr::from_str(text)
            .map_err(|e| Diagnostics(vec![Diagnostic::from_yaml(file, &e)]))?;
        let mut checker = Checker {
            file,
            problems: Vec::new(),
        };
        let policy = compile(&mut checker, raw, text, partner, keyring, max_depth);
        match policy {
            Some(policy) if checker.problems.is_empty() => Ok(policy),
            _ => Err(Diagnostics(checker.problems)),
        }
    }
}

/// Every section of a rules file compiled, before they make a `Policy`.
struct Sections {
    fields: Fields,
    subject: SubjectRule,
    header_rules: HashMap<String, Rule>,
    query_rules: HashMap<String, Rule>,
    path_params: Vec<PathParam>,
    /// The file's detectors' rules, then the profile's.
    detect_rules: Vec<Rule>,
    /// `None` when a detector did not compile (its problem noted).
    detectors: Option<DetectorSet>,
    forbidden: std::collections::HashSet<super::RuleRef>,
    warnings: Vec<Diagnostic>,
    export: Option<super::ExportRule>,
    max_depth: usize,
}

fn compile(
    checker: &mut Checker<'_>,
    raw: RawRules,
    text: &str,
    partner: &str,
    keyring: &Keyring,
    default_depth: usize,
) -> Option<Policy> {
    let sections = compile_sections(checker, &raw, default_depth);
    if !checker.problems.is_empty() {
        return None;
    }
    assemble(sections, raw, text, partner, keyring)
}

/// Compiles each section in the order its problems are listed: fields,
/// subject, headers, query, path parameters, detectors, the profile's
/// defaults, `export:`, `max_depth:`.
fn compile_sections(checker: &mut Checker<'_>, raw: &RawRules, default_depth: usize) -> Sections {
    let mut fields = Fields::compile(checker, raw);
    let subject = fields.subject(checker, raw.subject.as_ref());
    let sites = &mut fields.sites;
    let header_rules = named::compile_named(checker, &raw.headers, SiteKind::Header, sites);
    let query_rules = named::compile_named(checker, &raw.query, SiteKind::Query, sites);
    let path_params = named::compile_path_params(checker, &raw.path_params, sites);
    let (mut specs, mut detect_rules, locations) = detect::detect_entries(checker, raw, sites);
    let profile = raw.profile.as_ref().map(|p| (p.value, p.referenced));
    let warnings = match profile {
        Some((profile, _)) => profile::warnings(checker, raw, &fields.sites, profile),
        None => Vec::new(),
    };
    let defaults = match profile {
        Some((_, at)) => profile::apply(raw, &mut fields, at),
        None => profile::Defaults::default(),
    };
    for (spec, rule) in defaults.detectors {
        specs.push(spec);
        detect_rules.push(rule);
    }
    let detectors = detect::detector_set(checker, raw, specs, &locations);
    let export = export_rule(checker, raw);
    let max_depth = max_depth(checker, raw, default_depth);
    Sections {
        fields,
        subject,
        header_rules,
        query_rules,
        path_params,
        detect_rules,
        detectors,
        forbidden: defaults.forbidden,
        warnings,
        export,
        max_depth,
    }
}

/// The compiled sections as the partner's `Policy`, its keys derived from
/// `keyring`; `None` when the detectors did not compile.
fn assemble(
    sections: Sections,
    raw: RawRules,
    text: &str,
    partner: &str,
    keyring: &Keyring,
) -> Option<Policy> {
    let categories = categories_of(&sections);
    let separate_consent = separate_consent_of(&raw);
    let suite = suite_of(&raw);
    let Sections {
        fields, detectors, ..
    } = sections;
    let Fields {
        rules,
        selectors,
        selector_rule,
        key_index,
        builtin_keys,
        sites,
    } = fields;
    let longest_key = key_index.keys().map(String::len).max().unwrap_or(0);
    Some(Policy {
        partner: partner.into(),
        version: RulesVersion::of_policy(text.as_bytes()),
        unknown_fields: raw.unknown_fields,
        max_depth: sections.max_depth,
        rules,
        selectors,
        selector_rule,
        subject: sections.subject,
        subject_header: raw.subject_header.map(|h| h.value.to_ascii_lowercase()),
        key_index,
        builtin_keys,
        longest_key,
        detectors: detectors?,
        detect_rules: sections.detect_rules,
        header_rules: sections.header_rules,
        query_rules: sections.query_rules,
        path_params: sections.path_params,
        crypto: Crypto::derive(keyring, partner, suite),
        categories,
        consent: raw.consent.as_ref().map(|c| c.value).unwrap_or_default(),
        consent_at: raw.consent.as_ref().map(|c| c.referenced),
        sites,
        profile: raw.profile.as_ref().map(|p| p.value),
        forbidden: sections.forbidden,
        separate_consent,
        export: sections.export,
        warnings: sections.warnings,
    })
}

/// Every category the compiled rules can report, sorted, once each.
fn categories_of(sections: &Sections) -> Vec<Ident> {
    let fields = &sections.fields;
    let mut categories: Vec<Ident> = fields
        .rules
        .iter()
        .chain(&sections.detect_rules)
        .chain(sections.header_rules.values())
        .chain(sections.query_rules.values())
        .chain(sections.path_params.iter().map(|p| &p.rule))
        .map(|r| r.category.clone())
        .chain(fields.key_index.values().map(|t| t.category.clone()))
        .chain(fields.builtin_keys.categories().cloned())
        .collect();
    categories.sort();
    categories.dedup();
    categories
}

/// `crypto:`: SM when the file says so, AES otherwise.
fn suite_of(raw: &RawRules) -> crate::protect::Suite {
    match raw.crypto.as_ref().map(|c| c.value) {
        Some(super::CryptoSuite::Sm) => crate::protect::Suite::Sm,
        _ => crate::protect::Suite::Aes,
    }
}

/// `separate_consent:` as written, or every share under a profile, or
/// none.
fn separate_consent_of(raw: &RawRules) -> super::SeparateConsent {
    match (&raw.separate_consent, &raw.profile) {
        (Some(separate), _) => separate.value,
        (None, Some(_)) => super::SeparateConsent::All,
        (None, None) => super::SeparateConsent::None,
    }
}

/// `max_depth:`, at least 1, or the config's default.
fn max_depth(checker: &mut Checker<'_>, raw: &RawRules, default_depth: usize) -> usize {
    match &raw.max_depth {
        Some(depth) if depth.value == 0 => {
            checker.at(&depth.referenced, "`max_depth` must be at least 1");
            default_depth
        }
        Some(depth) => depth.value,
        None => default_depth,
    }
}

/// The compiled `export:`; `warn_at` must be a share in (0, 1].
fn export_rule(checker: &mut Checker<'_>, raw: &RawRules) -> Option<super::ExportRule> {
    let export = raw.export.as_ref()?;
    let warn_at = export.value.warn_at.unwrap_or(0.9);
    if !(warn_at > 0.0 && warn_at <= 1.0) {
        checker.at(
            &export.referenced,
            "`export.warn_at` is a share in (0, 1], e.g. 0.9",
        );
    }
    let t = &export.value.thresholds;
    if t.contract_subjects == 0
        || t.contract_sensitive_subjects == 0
        || t.assessment_subjects < t.contract_subjects
        || t.assessment_sensitive_subjects < t.contract_sensitive_subjects
    {
        checker.at(
            &export.referenced,
            "`export.thresholds`: each threshold is at least 1, and an assessment threshold is \
             at least its contract threshold",
        );
    }
    Some(super::ExportRule {
        basis: export.value.basis,
        thresholds: *t,
        warn_at,
        at: export.referenced,
    })
}
