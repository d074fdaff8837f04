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
pub mod shape;
mod track_data;
mod values;

use std::cell::RefCell;

use keys::KeyTable;
use labels::{LabelKind, Labels};
use normalize::Normalized;
use numbers::Numeric;
use prefilter::Profile;

/// One entry of a rules file's `detect:` list, as the detectors need it.
#[derive(Debug, Clone)]
pub struct DetectorSpec {
    pub kind: DetectorKind,
    /// Category reported for matches; `None` uses the detector's default.
    pub category: Option<String>,
}

#[derive(Debug, Clone)]
pub enum DetectorKind {
    Builtin(BuiltinDetector),
    /// A user regex (Rust `regex` syntax) matched against the text.
    Pattern(String),
}

/// The detectors a rules file can name with `detector:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum BuiltinDetector {
    CnResidentId,
    BankCard,
    CnMobile,
    Email,
    Ipv4,
    Ipv6,
    Passport,
    Biometric,
    Name,
    Address,
    BirthDate,
    CardCvn,
    CardExpiry,
    TrackData,
    Secret,
}

impl BuiltinDetector {
    pub const ALL: &'static [BuiltinDetector] = &[
        Self::CnResidentId,
        Self::BankCard,
        Self::CnMobile,
        Self::Email,
        Self::Ipv4,
        Self::Ipv6,
        Self::Passport,
        Self::Biometric,
        Self::Name,
        Self::Address,
        Self::BirthDate,
        Self::CardCvn,
        Self::CardExpiry,
        Self::TrackData,
        Self::Secret,
    ];

    /// The name used in rules files.
    pub fn name(self) -> &'static str {
        match self {
            Self::CnResidentId => "cn_resident_id",
            Self::BankCard => "bank_card",
            Self::CnMobile => "cn_mobile",
            Self::Email => "email",
            Self::Ipv4 => "ipv4",
            Self::Ipv6 => "ipv6",
            Self::Passport => "passport",
            Self::Biometric => "biometric",
            Self::Name => "name",
            Self::Address => "address",
            Self::BirthDate => "birth_date",
            Self::CardCvn => "card_cvn",
            Self::CardExpiry => "card_expiry",
            Self::TrackData => "track_data",
            Self::Secret => "auth_secret",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|d| d.name() == name)
    }

    /// The category a match reports unless the rules file names another.
    pub fn default_category(self) -> &'static str {
        match self {
            Self::CnResidentId => "id_number",
            Self::BankCard => "bank_card",
            Self::CnMobile => "phone",
            Self::Email => "email",
            Self::Ipv4 | Self::Ipv6 => "ip_address",
            Self::Passport => "passport",
            Self::Biometric => "biometric",
            Self::Name => "name",
            Self::Address => "address",
            Self::BirthDate => "birth_date",
            Self::CardCvn => "cvn",
            Self::CardExpiry => "card_expiry",
            Self::TrackData => "track_data",
            Self::Secret => "auth_secret",
        }
    }
}

/// Extra label words a rules file adds to the built-in context lists
/// (`context_words:`), per labelled detector. They also count as object keys
/// of that kind.
#[derive(Debug, Clone, Default)]
pub struct ExtraLabels {
    pub name: Vec<String>,
    pub address: Vec<String>,
    pub birth_date: Vec<String>,
    pub passport: Vec<String>,
}

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

/// What a scanned text is: a value (with its nearest key and the key of
/// the object holding it) or a key.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Value(Option<&'a str>, Option<&'a str>),
    Key,
}

/// Per-thread buffers, so a scan allocates nothing once warm.
#[derive(Default)]
struct Scratch {
    normalized: Normalized,
    hits: Vec<labels::Hit>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Normalized copies above this size are not kept between scans.
const KEEP_SCRATCH_BYTES: usize = 1 << 20;

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
            .chain([&BuiltinDetector::Biometric])
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

    fn scan_in(&self, scope: Scope<'_>, text: &str, out: &mut Vec<Match>) {
        let first = out.len();
        let builtins = self.any_builtin;
        if text.is_empty() || (!builtins && self.patterns.is_empty()) {
            return;
        }
        let profile = Profile::of(text.as_bytes());
        if !self.may_find(scope, text, profile) {
            // Nothing built in can match (`SUCCESS`, `merchant_code`):
            // only the user patterns look, at the text as sent.
            self.scan_patterns(text, &mut |start, end, spec| {
                out.push(Match { start, end, spec })
            });
            settle(out, first);
            return;
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.scan_with(scope, text, profile, &mut scratch, out),
            Err(_) => self.scan_with(scope, text, profile, &mut Scratch::default(), out),
        });
        settle(out, first);
    }

    /// Whether any built-in could match `text`, from its profile alone: an
    /// early way out for the identifiers and codes most keys and many values
    /// are. Text that may carry evasions always goes the long way.
    fn may_find(&self, scope: Scope<'_>, text: &str, profile: Profile) -> bool {
        let value = matches!(scope, Scope::Value(..));
        // Labelled secrets are short and may be plain ASCII (`pwd=abcd`).
        let auth = value && self.auth_data().any();
        let keyed = matches!(scope, Scope::Value(Some(_), _)) && (self.keys.is_some() || auth);
        self.any_builtin
            && (keyed
                || profile.has_non_ascii()
                || profile.has_percent()
                || profile.digits >= 4
                || profile.has_at()
                || profile.colons >= 2
                || (auth && (profile.has_letters() || profile.digits >= 3))
                || (value
                    && (text.len() >= biometric::MIN_BASE64 && profile.has_base64()
                        || profile.may_hold_labels())))
    }

    fn scan_with(
        &self,
        scope: Scope<'_>,
        text: &str,
        profile: Profile,
        scratch: &mut Scratch,
        out: &mut Vec<Match>,
    ) {
        let bytes = text.as_bytes();
        let builtins = self.any_builtin;
        let Scratch { normalized, hits } = scratch;
        self.scan_patterns(text, &mut |start, end, spec| {
            out.push(Match { start, end, spec })
        });
        let fits_offsets = u32::try_from(text.len()).is_ok();
        if fits_offsets && normalize::needed(bytes, profile.has_non_ascii(), profile.has_percent())
        {
            normalized.build(text);
            let view = normalized.text.as_str();
            // User patterns see the evasions undone too, like the built-ins.
            self.scan_patterns(view, &mut |s, e, spec| {
                let (start, end) = normalized.original(s, e);
                out.push(Match { start, end, spec });
            });
            if builtins {
                let profile = Profile::of(view.as_bytes());
                self.scan_view(scope, view, profile, hits, &mut |s, e, d| {
                    if let Some(spec) = self.builtins[d as usize] {
                        let (start, end) = normalized.original(s, e);
                        out.push(Match { start, end, spec });
                    }
                });
            }
            if normalized.text.capacity() > KEEP_SCRATCH_BYTES {
                *normalized = Normalized::default();
            }
        } else if builtins {
            self.scan_view(scope, text, profile, hits, &mut |start, end, d| {
                if let Some(spec) = self.builtins[d as usize] {
                    out.push(Match { start, end, spec });
                }
            });
        }
    }

    /// Runs the user patterns over `t`, reporting non-empty spans of `t`.
    fn scan_patterns(&self, t: &str, emit: &mut impl FnMut(usize, usize, usize)) {
        self.patterns.scan(t, emit);
    }

    /// Runs the built-ins the profile allows over `t`, reporting spans of `t`.
    fn scan_view(
        &self,
        scope: Scope<'_>,
        t: &str,
        profile: Profile,
        hits: &mut Vec<labels::Hit>,
        emit: &mut impl FnMut(usize, usize, BuiltinDetector),
    ) {
        let mut class = keys::KeyClass::default();
        if let (Scope::Value(Some(key), owner), Some(table)) = (scope, &self.keys) {
            class = table.classify(key, owner, t.len());
            if !class.is_empty() {
                let mut whole = false;
                keys::scan_keyed(class, t, (0, t.len()), self.today, &mut |s, e, d| {
                    whole |= t[..s].trim().is_empty() && t[e..].trim().is_empty();
                    emit(s, e, d);
                });
                // The key claimed all of the value: nothing is left to find.
                if whole {
                    return;
                }
            }
        }
        self.scan_shapes(t, profile, emit);
        if let Scope::Value(key, _) = scope {
            if profile.has_non_ascii() && !class.not_personal() && self.on(BuiltinDetector::Address)
            {
                // An address is strong enough alone, under any key that is
                // not a known non-address (`OcrAddress`, `jtzz`, `detail`).
                let value = t.trim();
                if shape::address_alone(value) {
                    let s = t.len() - t.trim_start().len();
                    emit(s, s + value.len(), BuiltinDetector::Address);
                    auth_data::scan(self.auth_data(), key, t, emit);
                    return;
                }
            }
            self.scan_context(t, profile, hits, emit);
            auth_data::scan(self.auth_data(), key, t, emit);
        }
    }

    fn on(&self, d: BuiltinDetector) -> bool {
        self.builtins[d as usize].is_some()
    }

    fn auth_data(&self) -> auth_data::Enabled {
        auth_data::Enabled {
            cvn: self.on(BuiltinDetector::CardCvn),
            expiry: self.on(BuiltinDetector::CardExpiry),
            track: self.on(BuiltinDetector::TrackData),
            secret: self.on(BuiltinDetector::Secret),
        }
    }

    /// The detectors a value's shape alone decides: numbers (with their
    /// checksums), emails, IPv6 addresses.
    fn scan_shapes(
        &self,
        t: &str,
        profile: Profile,
        emit: &mut impl FnMut(usize, usize, BuiltinDetector),
    ) {
        let b = t.as_bytes();
        let n = self.numbers;
        let numeric = n.resident_id || n.bank_card || n.mobile;
        if (numeric && profile.digits >= 11) || (n.ipv4 && profile.digits >= 4 && profile.dots >= 3)
        {
            numbers::scan_numbers(b, n, &mut |s, e, kind| {
                let d = match kind {
                    Numeric::ResidentId => BuiltinDetector::CnResidentId,
                    Numeric::BankCard => BuiltinDetector::BankCard,
                    Numeric::Mobile => BuiltinDetector::CnMobile,
                    Numeric::Ipv4 => BuiltinDetector::Ipv4,
                };
                emit(s, e, d);
            });
        }
        if profile.has_at() && self.on(BuiltinDetector::Email) {
            email::scan_emails(b, |s, e| emit(s, e, BuiltinDetector::Email));
        }
        if profile.colons >= 2 && self.on(BuiltinDetector::Ipv6) {
            net::scan_ipv6(b, |s, e| emit(s, e, BuiltinDetector::Ipv6));
        }
    }

    /// The detectors that need a value's context (not run on keys):
    /// biometric blobs, labelled names, addresses, dates and passports, and
    /// query strings inside a value.
    fn scan_context(
        &self,
        t: &str,
        profile: Profile,
        hits: &mut Vec<labels::Hit>,
        emit: &mut impl FnMut(usize, usize, BuiltinDetector),
    ) {
        let b = t.as_bytes();
        if t.len() >= biometric::MIN_BASE64
            && profile.has_base64()
            && self.on(BuiltinDetector::Biometric)
            && prefilter::has_base64_run(b, biometric::MIN_BASE64, biometric::MIN_DIGITS_BLOB)
        {
            biometric::scan_blobs(b, |s, e| emit(s, e, BuiltinDetector::Biometric));
        }
        if let Some(labels) = &self.labels {
            if t.len() >= 4
                && profile.may_hold_labels()
                && (profile.has_non_ascii() || prefilter::has_letter_pair(b))
            {
                let enabled = labels::Enabled {
                    name: self.on(BuiltinDetector::Name),
                    address: self.on(BuiltinDetector::Address),
                    birth_date: self.on(BuiltinDetector::BirthDate),
                    passport: self.on(BuiltinDetector::Passport),
                };
                labels.scan(t, enabled, self.today, hits, &mut |s, e, kind| {
                    let d = match kind {
                        LabelKind::Name | LabelKind::Role => BuiltinDetector::Name,
                        LabelKind::Address => BuiltinDetector::Address,
                        LabelKind::BirthDate => BuiltinDetector::BirthDate,
                        LabelKind::Passport | LabelKind::Stop => BuiltinDetector::Passport,
                    };
                    emit(s, e, d);
                });
            }
        }
        if let Some(table) = &self.keys {
            // A query string or form body; prose with an `=` in it is not
            // one, unless it carries `?` or `&` (a decoded `%20` is a space).
            if profile.has_equals()
                && (!profile.has_space() || memchr::memchr2(b'&', b'?', b).is_some())
            {
                keys::scan_query(table, t, self.today, emit);
            }
        }
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

/// Sorts `out[first..]` by start (longest first) and merges overlaps, so a
/// span two detectors half-share is protected whole.
fn settle(out: &mut Vec<Match>, first: usize) {
    let found = &mut out[first..];
    if found.len() < 2 {
        return;
    }
    found.sort_unstable_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut kept = first;
    for i in first..out.len() {
        let m = out[i];
        if kept > first && m.start < out[kept - 1].end {
            let last = &mut out[kept - 1];
            last.end = last.end.max(m.end);
        } else {
            out[kept] = m;
            kept += 1;
        }
    }
    out.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all() -> &'static DetectorSet {
        static SET: std::sync::LazyLock<DetectorSet> = std::sync::LazyLock::new(build);
        &SET
    }

    fn build() -> DetectorSet {
        let mut specs: Vec<DetectorSpec> = BuiltinDetector::ALL
            .iter()
            .map(|d| DetectorSpec {
                kind: DetectorKind::Builtin(*d),
                category: None,
            })
            .collect();
        specs.push(DetectorSpec {
            kind: DetectorKind::Pattern(r"(?-u:\b)MRN-\d{8}(?-u:\b)".to_owned()),
            category: None,
        });
        DetectorSet::new(&specs, &ExtraLabels::default()).expect("compiles")
    }

    /// The scan without the early way out, for comparison.
    fn full(set: &DetectorSet, scope: Scope<'_>, text: &str) -> Vec<Match> {
        let mut out = Vec::new();
        let profile = Profile::of(text.as_bytes());
        set.scan_with(scope, text, profile, &mut Scratch::default(), &mut out);
        settle(&mut out, 0);
        out
    }

    fn pieces() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "1", "3", "8", "0", "4", "X", " ", "-", ".", ":", "@", "=", "&", "%31", "a", "Z", "_",
            "姓名", "：", "张", "dob", "name", "E", "/9j/", "MRN-", "passport", "１",
        ]);
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn the_early_way_out_never_changes_a_result(text in pieces(), keyed in any::<bool>()) {
            let set = all();
            let scopes = [
                Scope::Value(None, None),
                Scope::Value(keyed.then_some("passportNo"), None),
                Scope::Key,
            ];
            for scope in scopes {
                let mut fast = Vec::new();
                set.scan_in(scope, &text, &mut fast);
                prop_assert_eq!(fast, full(set, scope, &text), "{:?}", text);
            }
        }
    }
}
