//! Compiling one rules file: every section checked with its problems
//! positioned, and turned into the parts of a [`Policy`].

use std::collections::HashMap;
use std::path::Path;

use serde_saphyr::{Location, Spanned};

use super::raw::{self, RawAction, RawKeys, RawRules};
use super::{
    Action, BuiltinKeys, Crypto, KeyTarget, PathSelector, Policy, Rule, RuleRef, RuleSite,
    SiteKind, SubjectRule,
};
use crate::audit::RulesVersion;
use crate::detect::{BuiltinDetector, DetectorKind, DetectorSet, DetectorSpec, ExtraLabels};
use crate::diag::{Diagnostic, Diagnostics};
use crate::ident::Ident;
use crate::protect::Keyring;
use crate::vocab::{self, Category};

mod profile;

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

/// The `fields:` section compiled: rules in file order (index = rule
/// number), path selectors with their rule, the key index of `keys:` rules,
/// and every rule's site.
#[derive(Default)]
struct Fields {
    rules: Vec<Rule>,
    selectors: Vec<PathSelector>,
    selector_rule: Vec<u32>,
    key_index: HashMap<String, KeyTarget>,
    builtin_keys: BuiltinKeys,
    sites: Vec<RuleSite>,
}

impl Fields {
    fn compile(checker: &mut Checker<'_>, raw: &RawRules) -> Fields {
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
    fn subject(
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

fn compile(
    checker: &mut Checker<'_>,
    raw: RawRules,
    text: &str,
    partner: &str,
    keyring: &Keyring,
    default_depth: usize,
) -> Option<Policy> {
    let mut fields = Fields::compile(checker, &raw);
    let subject = fields.subject(checker, raw.subject.as_ref());
    let sites = &mut fields.sites;
    let header_rules = compile_named(checker, &raw.headers, SiteKind::Header, sites);
    let query_rules = compile_named(checker, &raw.query, SiteKind::Query, sites);
    let path_params = compile_path_params(checker, &raw.path_params, sites);
    let mut own_sites = Vec::new();
    let (detect_specs, mut detect_rules, locations) = detect_entries(checker, &raw, &mut own_sites);
    fields.sites.extend(own_sites);
    let profile = raw.profile.as_ref().map(|p| (p.value, p.referenced));
    let warnings = match profile {
        Some((profile, _)) => profile::warnings(checker, &raw, &fields.sites, profile),
        None => Vec::new(),
    };
    let defaults = match profile {
        Some((_, at)) => profile::apply(&raw, &mut fields, at),
        None => profile::Defaults::default(),
    };
    let mut specs = detect_specs;
    for (spec, rule) in defaults.detectors {
        specs.push(spec);
        detect_rules.push(rule);
    }
    let detectors = detector_set(checker, &raw, specs, &locations);
    let export = export_rule(checker, &raw);
    let max_depth = match &raw.max_depth {
        Some(depth) if depth.value == 0 => {
            checker.at(&depth.referenced, "`max_depth` must be at least 1");
            default_depth
        }
        Some(depth) => depth.value,
        None => default_depth,
    };
    if !checker.problems.is_empty() {
        return None;
    }
    let Fields {
        rules,
        selectors,
        selector_rule,
        key_index,
        builtin_keys,
        sites,
    } = fields;
    let suite = match raw.crypto.as_ref().map(|c| c.value) {
        Some(super::CryptoSuite::Sm) => crate::protect::Suite::Sm,
        _ => crate::protect::Suite::Aes,
    };
    let separate_consent = match (&raw.separate_consent, profile) {
        (Some(separate), _) => separate.value,
        (None, Some(_)) => super::SeparateConsent::All,
        (None, None) => super::SeparateConsent::None,
    };
    let longest_key = key_index.keys().map(String::len).max().unwrap_or(0);
    let mut categories: Vec<Ident> = rules
        .iter()
        .chain(&detect_rules)
        .chain(header_rules.values())
        .chain(query_rules.values())
        .chain(path_params.iter().map(|p| &p.rule))
        .map(|r| r.category.clone())
        .chain(key_index.values().map(|t| t.category.clone()))
        .chain(builtin_keys.categories().cloned())
        .collect();
    categories.sort();
    categories.dedup();
    Some(Policy {
        partner: partner.into(),
        version: RulesVersion::of_policy(text.as_bytes()),
        unknown_fields: raw.unknown_fields,
        max_depth,
        rules,
        selectors,
        selector_rule,
        subject,
        subject_header: raw.subject_header.map(|h| h.value.to_ascii_lowercase()),
        key_index,
        builtin_keys,
        longest_key,
        detectors: detectors?,
        detect_rules,
        header_rules,
        query_rules,
        path_params,
        crypto: Crypto::derive(keyring, partner, suite),
        categories,
        consent: raw.consent.as_ref().map(|c| c.value).unwrap_or_default(),
        consent_at: raw.consent.as_ref().map(|c| c.referenced),
        sites,
        profile: profile.map(|(p, _)| p),
        forbidden: defaults.forbidden,
        separate_consent,
        export,
        warnings,
    })
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
fn detect_entries(
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
fn detector_set(
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

fn compile_path_params(
    checker: &mut Checker<'_>,
    entries: &[Spanned<raw::RawPathParam>],
    sites: &mut Vec<RuleSite>,
) -> Vec<super::PathParam> {
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
        compiled.push(super::PathParam {
            segments,
            param,
            rule: Rule::new(category, action, reference),
        });
    }
    compiled
}

fn compile_named(
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

impl RawAction {
    fn is_allow(&self) -> bool {
        matches!(self, RawAction::Allow)
    }
}
