//! What a rules file can ask of the detectors: the built-in detectors by
//! name (with the category each reports by default), a `pattern:` regex,
//! and the extra context words of `context_words:`.
//!
//! It knows nothing of how a detector scans, and nothing of rules syntax
//! beyond the names: an unknown name is `None` from
//! [`BuiltinDetector::from_name`], for the rules compiler to report.

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
