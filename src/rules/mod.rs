//! A partner's rules file → a compiled [`Policy`].
//!
//! Owns reading one rules file (YAML), checking it with every problem
//! reported as `FILE:LINE:COL: message`, and precomputing everything a
//! request needs: parsed selectors, the normalized key index, compiled
//! detectors and the partner's derived keys. Knows nothing of HTTP, and no
//! I/O beyond reading its own file. A policy that does not compile is never
//! half-used: loading fails as a whole.

pub(crate) mod raw;
mod schema;
pub(crate) mod selector;

pub use schema::rules_schema;

use std::collections::HashMap;
use std::sync::Arc;

use serde_saphyr::Location;

use crate::audit::RulesVersion;
use crate::detect::{BuiltinDetector, DetectorSet};
use crate::ident::Ident;
use crate::protect::{Key32, Keyring, Purpose, Sealer, Suite, Tokenizer};
pub use raw::{ConsentMode, CryptoSuite, Profile, SeparateConsent, UnknownFields};
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
    /// HMAC-SHA256 (HMAC-SM3 under `crypto: sm`) with the partner's hash
    /// key, as hex.
    Hash,
    /// AES-256-GCM envelope `pii:v1:<kid>:<base64url>` (SM4-GCM
    /// `pii:sm1:` under `crypto: sm`).
    Encrypt,
    /// FF1 over the digits, keeping the last `keep_last` (over AES-256,
    /// or SM4 under `crypto: sm`).
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
    /// A default the rules' `profile:` added (not written in the file).
    /// Such a rule protects the values it names, never an object or array
    /// as a whole: what is inside is judged by its own keys and the
    /// detectors, so a C3 value nested under a C2 key (a CVN2 inside
    /// `card: {…}`) is still found and refused.
    pub fn is_profile_default(&self) -> bool {
        matches!(&self.reference, RuleRef::Named { finding, .. } if finding.starts_with("profile:"))
    }

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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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

/// The compiled `subject:` rule.
#[derive(Debug, Clone, Default)]
pub struct SubjectRule {
    /// Indexes into [`Policy::selectors`] of the subject paths.
    pub selectors: Vec<u32>,
    /// Normalized key names whose values are subject ids.
    pub keys: foldhash::HashSet<String>,
    /// A body with findings may go without a subject.
    pub optional: bool,
    pub case: crate::subject::Case,
}

impl SubjectRule {
    pub fn is_selector(&self, selector: u32) -> bool {
        self.selectors.contains(&selector)
    }

    /// No `subject:` at all: the partner's shares are not per subject.
    pub fn is_unset(&self) -> bool {
        self.selectors.is_empty() && self.keys.is_empty()
    }
}

/// A compiled `path_params:` entry.
#[derive(Debug, Clone)]
pub struct PathParam {
    /// The template's segments: `Some(literal)` or `None` for a `{name}`.
    pub segments: Vec<Option<String>>,
    /// The index of the protected segment.
    pub param: usize,
    pub rule: Rule,
}

impl PathParam {
    /// Whether the path's segments have the template's shape.
    pub fn matches(&self, segments: &[&str]) -> bool {
        self.segments.len() == segments.len()
            && self
                .segments
                .iter()
                .zip(segments)
                .all(|(template, segment)| template.as_deref().is_none_or(|t| t == *segment))
    }
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
    PathParam,
}

/// The `keys: builtin` rules: for each category the classifier can name, the
/// first rule (in file order) that covers it, and the category's name as
/// findings report it.
#[derive(Debug, Clone, Default)]
pub struct BuiltinKeys {
    rules: Vec<(crate::vocab::Category, u32, Ident)>,
}

impl BuiltinKeys {
    pub(crate) fn add(&mut self, category: crate::vocab::Category, rule: u32) {
        if !self.rules.iter().any(|(c, ..)| *c == category) {
            self.rules
                .push((category, rule, Ident::fixed(category.name())));
        }
    }

    /// The rule for `category`, and the category as an identifier.
    pub fn rule(&self, category: crate::vocab::Category) -> Option<(u32, &Ident)> {
        self.rules
            .iter()
            .find(|(c, ..)| *c == category)
            .map(|(_, rule, ident)| (*rule, ident))
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub(crate) fn categories(&self) -> impl Iterator<Item = &Ident> {
        self.rules.iter().map(|(.., ident)| ident)
    }
}

/// Where a key-name match points: a field rule, with the category of the
/// dictionary the key came from.
#[derive(Debug, Clone)]
pub struct KeyTarget {
    pub rule: u32,
    pub category: Ident,
}

/// The partner's keys, derived once at load: tokens and hashes in the
/// partner's suite, sealers of both suites (so `decrypt` opens envelopes
/// made before a change of `crypto:`), for every key of the keyring.
pub struct Crypto {
    pub suite: Suite,
    pub hash_key: Key32,
    /// Per kid, in keyring order: the AES sealer, then the SM one.
    pub sealers: Vec<Sealer>,
    /// From the keyring's root key, as `hash_key`: see [`Crypto::derive`].
    tokenizer: Tokenizer,
    active: usize,
}

impl Crypto {
    /// Envelopes name the kid that sealed them, so `encrypt` uses the
    /// active key and opens with any. A token or a hash names nothing, and
    /// opened or compared under another key it gives a wrong value, not an
    /// error: their keys are pinned to the keyring's root (first) key, like
    /// subject hashes, so `keygen --rotate` leaves tokens reversible and
    /// joins on tokens and hashes intact. Re-keying them is a new keyring.
    fn derive(keyring: &Keyring, partner: &str, suite: Suite) -> Self {
        let mut sealers = Vec::new();
        let mut active = 0;
        for (i, kid) in keyring.kids().enumerate() {
            for each in Suite::ALL {
                let key = keyring
                    .derive_for(each, kid, Purpose::Encrypt, partner)
                    .expect("kid comes from the keyring");
                sealers.push(Sealer::with_suite(each, kid, &key, partner));
            }
            if kid == keyring.active_kid() {
                active = i;
            }
        }
        let root = keyring.root_kid();
        let pinned = |purpose| {
            keyring
                .derive_for(suite, root, purpose, partner)
                .expect("the root kid is in the keyring")
        };
        Crypto {
            suite,
            hash_key: pinned(Purpose::Hash),
            sealers,
            tokenizer: Tokenizer::with_suite(suite, &pinned(Purpose::Tokenize), partner),
            active,
        }
    }

    /// The sealer of the active key in the partner's suite.
    pub fn sealer(&self) -> &Sealer {
        let of_suite = usize::from(self.suite == Suite::Sm);
        &self.sealers[self.active * Suite::ALL.len() + of_suite]
    }

    /// The tokenizer, under the root key.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    pub fn sealer_for(&self, suite: Suite, kid: &str) -> Option<&Sealer> {
        self.sealers
            .iter()
            .find(|s| s.kid() == kid && s.suite() == suite)
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
    /// Where the subject's id is: selectors (indexes into `selectors`),
    /// key names, and whether a body may go without one.
    pub subject: SubjectRule,
    pub subject_header: Option<String>,
    /// Normalized key name → rule, for `keys:` rules.
    pub key_index: foldhash::HashMap<String, KeyTarget>,
    /// `keys: builtin` rules, reached through the key classifier.
    pub builtin_keys: BuiltinKeys,
    /// Longest normalized key in `key_index`, in bytes: longer keys skip the lookup.
    pub longest_key: usize,
    pub detectors: DetectorSet,
    /// Per detector spec: its rule (category and action).
    pub detect_rules: Vec<Rule>,
    /// Normalized header / query-parameter name → rule.
    pub header_rules: HashMap<String, Rule>,
    pub query_rules: HashMap<String, Rule>,
    /// Path segments protected by template, in file order.
    pub path_params: Vec<PathParam>,
    pub crypto: Crypto,
    /// Every category this policy can report (envelopes bind one of them).
    pub categories: Vec<Ident>,
    /// How shares depend on the subject's consent (`consent:`).
    pub consent: ConsentMode,
    /// Where `consent:` is written, when it is.
    pub consent_at: Option<Location>,
    /// Every rule with its position, in file order per section.
    pub sites: Vec<RuleSite>,
    /// `profile:`, when the rules take one.
    pub profile: Option<Profile>,
    /// The rules the profile added whose findings refuse the request
    /// (C3 defaults): 403 `forbidden_category`.
    pub forbidden: std::collections::HashSet<RuleRef>,
    /// Which shares need a separate consent grant.
    pub separate_consent: SeparateConsent,
    /// `export:`: cross-border volume accounting.
    pub export: Option<ExportRule>,
    /// What `check` warns of (a rule weakening a profile default): never
    /// stops a load; `check --strict` fails on it.
    pub warnings: Vec<crate::diag::Diagnostic>,
}

/// The compiled `export:`.
#[derive(Debug, Clone, Copy)]
pub struct ExportRule {
    pub basis: crate::compliance::export::Basis,
    pub thresholds: crate::compliance::export::Thresholds,
    pub warn_at: f64,
    /// Where `export:` is written.
    pub at: Location,
}

impl Policy {
    /// Opens an `encrypt` envelope made for this partner with any key of
    /// the keyring and any of the policy's categories.
    pub fn open_envelope(&self, text: &str) -> Option<(crate::protect::ValueKind, Vec<u8>)> {
        let (suite, kid, blob) = crate::protect::actions::parse_envelope(text)?;
        let sealer = self.crypto.sealer_for(suite, kid)?;
        self.categories
            .iter()
            .find_map(|category| sealer.open(category, blob))
    }
}

mod compile;

#[cfg(test)]
mod tests;
