//! A partner's rules file → a compiled [`Policy`].
//!
//! Owns reading one rules file (YAML), checking it with every problem
//! reported as `FILE:LINE:COL: message`, and precomputing everything a
//! request needs: parsed selectors, the normalized key index, compiled
//! detectors and the partner's derived keys. Knows nothing of HTTP, and no
//! I/O beyond reading its own file. A policy that does not compile is never
//! half-used: loading fails as a whole.

pub mod raw;
pub mod selector;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde_saphyr::{Location, Spanned};

use crate::audit::RulesVersion;
use crate::detect::{BuiltinDetector, DetectorKind, DetectorSet, DetectorSpec, ExtraLabels};
use crate::diag::{Diagnostic, Diagnostics};
use crate::ident::Ident;
use crate::protect::{Key32, Keyring, Purpose, Sealer, Tokenizer};
use crate::vocab;
pub use raw::{ConsentMode, UnknownFields};
use raw::{RawAction, RawKeys, RawRules};
pub use selector::PathSelector;

/// What to do with a matched value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Named as necessary and forwarded as is (detectors still look inside).
    Allow,
    Mask {
        keep_first: usize,
        keep_last: usize,
        mask_char: char,
    },
    Redact {
        text: String,
    },
    /// Key and value removed.
    Drop,
    /// HMAC-SHA256 with the partner's hash key, as hex.
    Hash,
    /// AES-256-GCM envelope `pii:v1:<kid>:<base64url>`.
    Encrypt,
    /// FF1 over the digits, keeping the last `keep_last`.
    Tokenize {
        keep_last: usize,
    },
}

impl Action {
    /// The action's name as written in rules files and findings.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Mask { .. } => "mask",
            Action::Redact { .. } => "redact",
            Action::Drop => "drop",
            Action::Hash => "hash",
            Action::Encrypt => "encrypt",
            Action::Tokenize { .. } => "tokenize",
        }
    }
}

/// A compiled rule: what it protects, how, and how findings name it.
#[derive(Debug, Clone)]
pub struct Rule {
    pub category: Ident,
    pub action: Action,
    /// [`Action::name`] as an identifier, made once here rather than per finding.
    pub action_name: Ident,
    pub reference: RuleRef,
}

impl Rule {
    fn new(category: Ident, action: Action, reference: RuleRef) -> Rule {
        Rule {
            category,
            action_name: Ident::fixed(action.name()),
            action,
            reference,
        }
    }
}

/// Which entry of the rules file a finding comes from (never a value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleRef {
    /// The `fields:` entry with this index.
    Field(u32),
    /// A `detect:`, `headers:` or `query:` entry: its name in findings
    /// (`detect:bank_card`, `detect:pattern[0]`, `headers[1]`) and the
    /// identifier audit records carry for it (`bank_card`, `pattern0`,
    /// `headers1`), both made at compile time.
    Named { finding: Arc<str>, audit: Ident },
}

impl RuleRef {
    fn named(finding: String) -> RuleRef {
        let bare = finding.strip_prefix("detect:").unwrap_or(&finding);
        let audit: String = bare.chars().filter(|c| !matches!(c, '[' | ']')).collect();
        RuleRef::Named {
            audit: Ident::new(&audit).expect("rule names are built from fixed words and indexes"),
            finding: finding.into(),
        }
    }
}

impl std::fmt::Display for RuleRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RuleRef::Field(index) => write!(f, "fields[{index}]"),
            RuleRef::Named { finding, .. } => f.write_str(finding),
        }
    }
}

impl serde::Serialize for RuleRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One rule as written, for load-time checks that must point at it (the
/// cross-border check): what it covers, how it protects, and where its
/// `action` is in the rules file.
#[derive(Debug, Clone)]
pub struct RuleSite {
    pub category: Ident,
    pub action: Action,
    pub kind: SiteKind,
    pub at: Location,
}

/// Which section of the rules file a [`RuleSite`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteKind {
    /// A `fields:` entry with `path`.
    Path,
    /// A `fields:` entry with `keys`.
    Keys,
    Detector(BuiltinDetector),
    Pattern,
    Header,
    Query,
}

/// Where a key-name match points: a field rule, with the category of the
/// dictionary the key came from.
#[derive(Debug, Clone)]
pub struct KeyTarget {
    pub rule: u32,
    pub category: Ident,
}

/// The partner's keys, derived once at load.
pub struct Crypto {
    pub hash_key: Key32,
    pub sealers: Vec<Sealer>,
    pub tokenizers: Vec<(String, Tokenizer)>,
    active: usize,
}

impl Crypto {
    fn derive(keyring: &Keyring, partner: &str) -> Self {
        let mut sealers = Vec::new();
        let mut tokenizers = Vec::new();
        let mut active = 0;
        for (i, kid) in keyring.kids().enumerate() {
            let derive = |purpose| {
                keyring
                    .derive(kid, purpose, partner)
                    .expect("kid comes from the keyring")
            };
            sealers.push(Sealer::new(kid, &derive(Purpose::Encrypt), partner));
            tokenizers.push((
                kid.to_owned(),
                Tokenizer::new(&derive(Purpose::Tokenize), partner),
            ));
            if kid == keyring.active_kid() {
                active = i;
            }
        }
        Crypto {
            hash_key: keyring.derive_active(Purpose::Hash, partner),
            sealers,
            tokenizers,
            active,
        }
    }

    /// The sealer of the active key.
    pub fn sealer(&self) -> &Sealer {
        &self.sealers[self.active]
    }

    /// The tokenizer of the active key.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizers[self.active].1
    }

    pub fn sealer_for(&self, kid: &str) -> Option<&Sealer> {
        self.sealers.iter().find(|s| s.kid() == kid)
    }
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crypto")
            .field("active_kid", &self.sealer().kid())
            .finish_non_exhaustive()
    }
}

/// A partner's compiled rules: everything one request needs, built once.
#[derive(Debug)]
pub struct Policy {
    pub partner: Arc<str>,
    /// `sha256:<hex>` of the rules file text: names the rules in audit records.
    pub version: RulesVersion,
    pub unknown_fields: UnknownFields,
    pub max_depth: usize,
    /// Field rules in file order (index = rule number; lower wins).
    pub rules: Vec<Rule>,
    /// Path selectors, and the rule each belongs to.
    pub selectors: Vec<PathSelector>,
    pub selector_rule: Vec<u32>,
    /// Index of the subject selector within `selectors`, if any.
    pub subject_selector: Option<u32>,
    pub subject_header: Option<String>,
    /// Normalized key name → rule, for `keys:` rules.
    pub key_index: HashMap<String, KeyTarget>,
    /// Longest normalized key in `key_index`, in bytes: longer keys skip the lookup.
    pub longest_key: usize,
    pub detectors: DetectorSet,
    /// Per detector spec: its rule (category and action).
    pub detect_rules: Vec<Rule>,
    /// Normalized header / query-parameter name → rule.
    pub header_rules: HashMap<String, Rule>,
    pub query_rules: HashMap<String, Rule>,
    pub crypto: Crypto,
    /// Every category this policy can report (envelopes bind one of them).
    pub categories: Vec<Ident>,
    /// How shares depend on the subject's consent (`consent:`).
    pub consent: ConsentMode,
    /// Where `consent:` is written, when it is.
    pub consent_at: Option<Location>,
    /// Every rule with its position, in file order per section.
    pub sites: Vec<RuleSite>,
}

impl Policy {
    /// Opens an `encrypt` envelope made for this partner with any key of
    /// the keyring and any of the policy's categories.
    pub fn open_envelope(&self, text: &str) -> Option<(crate::protect::ValueKind, Vec<u8>)> {
        let (kid, blob) = crate::protect::actions::parse_envelope(text)?;
        let sealer = self.crypto.sealer_for(kid)?;
        self.categories
            .iter()
            .find_map(|category| sealer.open(category, blob))
    }
}

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

fn compile(
    checker: &mut Checker<'_>,
    raw: RawRules,
    text: &str,
    partner: &str,
    keyring: &Keyring,
    default_depth: usize,
) -> Option<Policy> {
    let mut rules = Vec::new();
    let mut selectors = Vec::new();
    let mut selector_rule = Vec::new();
    let mut key_index: HashMap<String, KeyTarget> = HashMap::new();
    let mut sites = Vec::new();

    for (index, field) in raw.fields.iter().enumerate() {
        let f = &field.value;
        let rule_number = index as u32;
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
                    selectors.push(selector);
                    selector_rule.push(rule_number);
                }
                Err(err) => checker.at(&path.referenced, format!("invalid path: {err}")),
            },
            (None, Some(keys)) => {
                let named = category.clone().unwrap_or_else(|| Ident::fixed("unnamed"));
                for (key, key_category) in key_list(checker, keys, &named) {
                    key_index
                        .entry(vocab::normalize_key(&key))
                        .or_insert(KeyTarget {
                            rule: rule_number,
                            category: key_category,
                        });
                }
            }
        }
        if let (Some(category), Some(action)) = (category, action) {
            sites.extend(field_sites(f, &category, &action));
            rules.push(Rule::new(category, action, RuleRef::Field(rule_number)));
        }
    }

    let subject_selector =
        raw.subject
            .as_ref()
            .and_then(|subject| match PathSelector::parse(&subject.value) {
                Ok(selector) => {
                    selectors.push(selector);
                    selector_rule.push(u32::MAX);
                    Some((selectors.len() - 1) as u32)
                }
                Err(err) => {
                    checker.at(&subject.referenced, format!("invalid subject path: {err}"));
                    None
                }
            });

    let (detectors, detect_rules) = compile_detectors(checker, &raw, &mut sites);
    let header_rules = compile_named(checker, &raw.headers, SiteKind::Header, &mut sites);
    let query_rules = compile_named(checker, &raw.query, SiteKind::Query, &mut sites);
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
    let longest_key = key_index.keys().map(String::len).max().unwrap_or(0);
    let mut categories: Vec<Ident> = rules
        .iter()
        .chain(&detect_rules)
        .chain(header_rules.values())
        .chain(query_rules.values())
        .map(|r| r.category.clone())
        .chain(key_index.values().map(|t| t.category.clone()))
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
        subject_selector,
        subject_header: raw.subject_header.map(|h| h.value.to_ascii_lowercase()),
        key_index,
        longest_key,
        detectors: detectors?,
        detect_rules,
        header_rules,
        query_rules,
        crypto: Crypto::derive(keyring, partner),
        categories,
        consent: raw.consent.as_ref().map(|c| c.value).unwrap_or_default(),
        consent_at: raw.consent.as_ref().map(|c| c.referenced),
        sites,
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
        RawKeys::Builtin if *category == "builtin" => vocab::BUILTIN_CATEGORIES
            .iter()
            .flat_map(|c| {
                let shared = Ident::fixed(c);
                vocab::builtin_keys(c)
                    .unwrap_or(&[])
                    .iter()
                    .map(move |k| (k.to_string(), shared.clone()))
            })
            .collect(),
        RawKeys::Builtin => match vocab::builtin_keys(category) {
            Some(list) => list
                .iter()
                .map(|k| (k.to_string(), category.clone()))
                .collect(),
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
        },
    }
}

fn compile_detectors(
    checker: &mut Checker<'_>,
    raw: &RawRules,
    sites: &mut Vec<RuleSite>,
) -> (Option<DetectorSet>, Vec<Rule>) {
    let mut specs = Vec::new();
    let mut rules = Vec::new();
    let mut locations = Vec::new();
    for entry in &raw.detect {
        let d = &entry.value;
        let (kind, label, default_category) = match (&d.detector, &d.pattern) {
            (Some(name), None) => match BuiltinDetector::from_name(&name.value) {
                Some(builtin) => (
                    DetectorKind::Builtin(builtin),
                    format!("detect:{}", builtin.name()),
                    Some(builtin.default_category()),
                ),
                None => {
                    let known: Vec<&str> = BuiltinDetector::ALL.iter().map(|d| d.name()).collect();
                    checker.at(
                        &name.referenced,
                        format!(
                            "unknown detector `{}`; known: {}",
                            name.value,
                            known.join(", ")
                        ),
                    );
                    continue;
                }
            },
            (None, Some(pattern)) => (
                DetectorKind::Pattern(pattern.value.clone()),
                format!("detect:pattern[{}]", specs.len()),
                None,
            ),
            _ => {
                checker.at(
                    &entry.referenced,
                    "a detect entry has exactly one of `detector` or `pattern`",
                );
                continue;
            }
        };
        let category: Option<Ident> = match (&d.category, default_category) {
            (None, Some(default)) => Some(Ident::fixed(default)),
            (category, _) => checker.category(category.as_ref(), &entry.referenced),
        };
        let Some(category) = category else { continue };
        if d.action.value.is_allow() {
            checker.at(
                &d.action.referenced,
                "a detector's action must protect (`allow` would do nothing)",
            );
            continue;
        }
        let Some(action) = checker.action(&d.action, &category) else {
            continue;
        };
        sites.push(RuleSite {
            category: category.clone(),
            action: action.clone(),
            kind: match &kind {
                DetectorKind::Builtin(builtin) => SiteKind::Detector(*builtin),
                DetectorKind::Pattern(_) => SiteKind::Pattern,
            },
            at: d.action.referenced,
        });
        specs.push(DetectorSpec {
            kind,
            category: Some(category.to_string()),
        });
        rules.push(Rule::new(category, action, RuleRef::named(label)));
        locations.push(match (&d.pattern, &d.detector) {
            (Some(p), _) => p.referenced,
            (_, Some(n)) => n.referenced,
            _ => entry.referenced,
        });
    }
    let words = &raw.context_words;
    let labels = ExtraLabels {
        name: words.name.clone(),
        address: words.address.clone(),
        birth_date: words.birth_date.clone(),
        passport: words.passport.clone(),
    };
    match DetectorSet::new(&specs, &labels) {
        Ok(set) => (Some(set), rules),
        Err(errors) => {
            for (index, message) in errors {
                let location = locations.get(index).copied().unwrap_or(Location::UNKNOWN);
                checker.at(&location, message);
            }
            (None, rules)
        }
    }
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

#[cfg(test)]
mod tests;
