//! Content detectors: find personal data inside one piece of text.
//!
//! Owns: the built-in detectors (CN resident ID, bank card, CN mobile, email,
//! IPv4/IPv6, passport, biometric blobs, labelled names/addresses/birth dates)
//! and user `pattern:` regexes, compiled once into a [`DetectorSet`].
//! Knows nothing of JSON or HTTP: the engine hands it decoded text (a string
//! value, a number's text or an object key) and the nearest object key, and
//! gets back byte spans of that text with the index of the spec that matched.
//! Fails closed in the sense that a detector errs towards a match: the engine
//! protects what is found, and a miss is a leak.

use regex::Regex;

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
        }
    }
}

/// Extra label words a rules file adds to the built-in context lists
/// (`context_words:`), per labelled detector.
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
#[derive(Debug)]
pub struct DetectorSet {
    specs: Vec<CompiledSpec>,
}

#[derive(Debug)]
struct CompiledSpec {
    category: String,
    matcher: Matcher,
}

#[derive(Debug)]
enum Matcher {
    Pattern(Regex),
}

impl DetectorSet {
    /// Compiles `specs`. On failure returns every problem with the index of
    /// the spec it belongs to, so the rules loader can give its position.
    pub fn new(
        specs: &[DetectorSpec],
        _labels: &ExtraLabels,
    ) -> Result<Self, Vec<(usize, String)>> {
        let mut compiled = Vec::with_capacity(specs.len());
        let mut errors = Vec::new();
        for (index, spec) in specs.iter().enumerate() {
            let matcher = match &spec.kind {
                DetectorKind::Pattern(source) => match Regex::new(source) {
                    Ok(regex) => Matcher::Pattern(regex),
                    Err(err) => {
                        errors.push((index, format!("invalid pattern: {err}")));
                        continue;
                    }
                },
                DetectorKind::Builtin(builtin) => {
                    errors.push((
                        index,
                        format!(
                            "detector `{}` is not available in this build",
                            builtin.name()
                        ),
                    ));
                    continue;
                }
            };
            let category = spec.category.clone().unwrap_or_else(|| match &spec.kind {
                DetectorKind::Builtin(b) => b.default_category().to_owned(),
                DetectorKind::Pattern(_) => "custom".to_owned(),
            });
            compiled.push(CompiledSpec { category, matcher });
        }
        if errors.is_empty() {
            Ok(Self { specs: compiled })
        } else {
            Err(errors)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// The category reported for matches of spec `spec`.
    pub fn category(&self, spec: usize) -> &str {
        &self.specs[spec].category
    }

    /// Appends to `out` the non-overlapping matches in `text`, sorted by
    /// start. `key` is the nearest enclosing object key (decoded), if any,
    /// for key-scoped detectors.
    pub fn scan(&self, _key: Option<&str>, text: &str, out: &mut Vec<Match>) {
        let first = out.len();
        for (spec, compiled) in self.specs.iter().enumerate() {
            match &compiled.matcher {
                Matcher::Pattern(regex) => out.extend(regex.find_iter(text).map(|m| Match {
                    start: m.start(),
                    end: m.end(),
                    spec,
                })),
            }
        }
        resolve_overlaps(&mut out[first..].to_vec(), out, first);
    }
}

/// Keeps, among overlapping matches, the earliest-starting (then longest).
fn resolve_overlaps(found: &mut [Match], out: &mut Vec<Match>, first: usize) {
    found.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    out.truncate(first);
    let mut last_end = 0;
    for m in found.iter() {
        if m.start >= last_end && m.end > m.start {
            out.push(*m);
            last_end = m.end;
        }
    }
}
