//! Content detectors: find personal data inside one piece of text.
//!
//! Owns: the built-in detectors (CN resident ID, bank card, CN mobile, email,
//! IPv4/IPv6, passport, biometric blobs, labelled names/addresses/birth dates)
//! and user `pattern:` regexes, compiled once into a [`DetectorSet`].
//! Knows nothing of JSON or HTTP: the engine hands it decoded text (a string
//! value, a number's text or an object key) and the nearest object key, and
//! gets back byte spans of that text with the index of the spec that matched.
//! Fails closed in the sense that a detector errs towards a match: the engine
//! protects what is found, and a miss is a leak. Overlapping matches are
//! merged rather than dropped, so no detected byte is left out.
//!
//! How a scan runs: one cheap pass ([`prefilter`]) profiles the text (digits,
//! `@`, colons, base64 runs, non-ASCII); text carrying evasions (full-width
//! forms, invisible characters, `%XX`) is normalized on a side buffer whose
//! bytes map back to the original offsets ([`normalize`]); then only the
//! detectors the profile allows run: the numeric chain walker ([`numbers`]:
//! resident IDs, cards, mobiles, IPv4), emails, IPv6, biometric blobs, context
//! labels ([`labels`]) and key-scoped readings ([`keys`]). No regex runs for
//! built-ins. A number stored as a JSON number is scanned from its text like
//! any string; the engine replaces a matched number with a string.
//!
//! Where: what a rules file names ([`spec`]), the set compiled from it
//! (here), one scan's steps ([`scan`]), each detector in its own module.

mod auth_data;
mod bank_card;
mod biometric;
mod dates;
mod email;
mod keys;
mod labels;
mod names;
pub use names::is_pinyin_name_word;
mod net;
mod normalize;
mod numbers;
mod patterns;
mod phone;
mod prefilter;
mod resident_id;
mod scan;
pub mod shape;
mod spec;
mod track_data;
mod values;

pub use spec::{BuiltinDetector, DetectorKind, DetectorSpec, ExtraLabels};

use keys::KeyTable;
use labels::Labels;
use scan::Scope;

/// A span of the scanned text that holds personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// Byte offsets into the scanned text, on `char` boundaries.
    pub start: usize,
    pub end: usize,
    /// Index into the specs the set was built from.
    pub spec: usize,
}

/// The compiled detectors of one policy. `Send + Sync`, built once at load.
/// Its `Debug` shows configuration only (categories, patterns, label and key
/// tables), never scanned text.
#[derive(Debug)]
pub struct DetectorSet {
    categories: Vec<String>,
    /// Spec index of each built-in, by `BuiltinDetector as usize`.
    builtins: [Option<usize>; BuiltinDetector::ALL.len()],
    patterns: patterns::Patterns,
    labels: Option<Labels>,
    keys: Option<KeyTable>,
    numbers: numbers::Wanted,
    today: u32,
    /// Some built-in is enabled.
    any_builtin: bool,
}

impl DetectorSet {
    /// Compiles `specs`. On failure returns every problem with the index of
    /// the spec it belongs to, so the rules loader can give its position.
    pub fn new(specs: &[DetectorSpec], labels: &ExtraLabels) -> Result<Self, Vec<(usize, String)>> {
        let mut set = Self {
            categories: Vec::with_capacity(specs.len()),
            builtins: [None; BuiltinDetector::ALL.len()],
            patterns: patterns::Patterns::default(),
            labels: None,
            keys: None,
            numbers: numbers::Wanted {
                resident_id: false,
                bank_card: false,
                mobile: false,
                ipv4: false,
                today: dates::today_yyyymmdd(),
            },
            today: dates::today_yyyymmdd(),
            any_builtin: false,
        };
        let mut errors = Vec::new();
        for (index, spec) in specs.iter().enumerate() {
            if let Err(message) = set.add(index, spec) {
                errors.push((index, message));
            }
            set.categories
                .push(spec.category.clone().unwrap_or_else(|| match &spec.kind {
                    DetectorKind::Builtin(b) => b.default_category().to_owned(),
                    DetectorKind::Pattern(_) => "custom".to_owned(),
                }));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        set.any_builtin = set.builtins.iter().any(Option::is_some);
        let on = |d: BuiltinDetector| set.builtins[d as usize].is_some();
        set.numbers.resident_id = on(BuiltinDetector::CnResidentId);
        set.numbers.bank_card = on(BuiltinDetector::BankCard);
        set.numbers.mobile = on(BuiltinDetector::CnMobile);
        set.numbers.ipv4 = on(BuiltinDetector::Ipv4);
        let labelled = [
            BuiltinDetector::Name,
            BuiltinDetector::Address,
            BuiltinDetector::BirthDate,
            BuiltinDetector::Passport,
        ];
        if labelled.iter().any(|d| on(*d)) {
            set.labels = Some(Labels::new(labels));
        }
        if labelled
            .iter()
            // The mobile detector asks the key too: digits under
            // `goods_id` are the goods id.
            .chain([&BuiltinDetector::Biometric, &BuiltinDetector::CnMobile])
            .any(|d| on(*d))
        {
            set.keys = Some(KeyTable::new(labels));
        }
        Ok(set)
    }

    fn add(&mut self, index: usize, spec: &DetectorSpec) -> Result<(), String> {
        match &spec.kind {
            DetectorKind::Pattern(source) => self.patterns.add(index, source)?,
            DetectorKind::Builtin(builtin) => {
                let slot = &mut self.builtins[*builtin as usize];
                if slot.is_some() {
                    return Err(format!(
                        "detector `{}` is listed twice; list each detector once",
                        builtin.name()
                    ));
                }
                *slot = Some(index);
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }

    /// The spec of the built-in name detector, when the policy runs it.
    pub fn name_spec(&self) -> Option<usize> {
        self.builtins[BuiltinDetector::Name as usize]
    }

    /// The category reported for matches of spec `spec`.
    pub fn category(&self, spec: usize) -> &str {
        &self.categories[spec]
    }

    /// Appends to `out` the non-overlapping matches in `text`, sorted by
    /// start. `key` is the nearest enclosing object key (decoded), if any,
    /// for key-scoped detectors. Overlapping matches are merged into one
    /// (reported with the spec of the earliest, longest one).
    pub fn scan(&self, key: Option<&str>, text: &str, out: &mut Vec<Match>) {
        self.scan_in(Scope::Value(key, None), text, out);
    }

    /// [`scan`](Self::scan) with the key of the object that holds the value
    /// too (`store_info` for `store_info.address`): an owner that is not a
    /// person makes a plain `name` or `address` under it not personal.
    pub fn scan_owned(
        &self,
        key: Option<&str>,
        owner: Option<&str>,
        text: &str,
        out: &mut Vec<Match>,
    ) {
        self.scan_in(Scope::Value(key, owner), text, out);
    }

    /// [`scan`](Self::scan) for an object key itself (a map keyed by phone
    /// numbers leaks through its keys). Only what is found by its shape
    /// alone is looked for: numbers, emails, IP addresses, user patterns. A
    /// key names a field; it is neither a labelled sentence nor a blob.
    pub fn scan_key(&self, text: &str, out: &mut Vec<Match>) {
        self.scan_in(Scope::Key, text, out);
    }
}

/// Whether `text` is a valid 18-digit (check character `X` allowed) or
/// 15-digit mainland resident ID number, as the `cn_resident_id` detector
/// judges one candidate.
pub fn is_valid_resident_id(text: &str) -> bool {
    let today = dates::today_yyyymmdd();
    resident_id::is_valid_18(text.as_bytes(), today)
        || resident_id::is_valid_15(text.as_bytes(), today)
}

/// Whether `digits` is a card number the `bank_card` detector accepts (Luhn
/// and a known issuer range for its length).
pub fn is_valid_bank_card(digits: &str) -> bool {
    bank_card::is_card(digits.as_bytes())
}

/// Whether `digits` is a mainland mobile number, as the `cn_mobile`
/// detector judges one.
pub fn is_valid_mobile(digits: &str) -> bool {
    phone::is_mobile(digits.as_bytes())
}
