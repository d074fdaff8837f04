//! The rules file as written: serde types deserialized straight from the
//! YAML text (so every value keeps its line and column), unknown keys
//! rejected. Checked and compiled into a `Policy` by the parent module.
//!
//! Field doc comments are the user documentation of each key: the JSON
//! Schema in `schemas/` and `docs/reference.md` are generated from them
//! (`super::schema` writes the shapes serde reads by hand).

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_saphyr::Spanned;

mod action;
mod subject;
pub use action::{MaskParams, RawAction, RedactParams, TokenizeParams};
pub use subject::{RawSubject, RawSubjectRule};

/// A partner's rules file: what of a request may leave toward that partner
/// and in which form. A value a `fields` rule matches is protected by its
/// action; every other value goes through the `detect` list; a value that
/// neither touches leaves as written (or not at all under
/// `unknown_fields: drop`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    /// Where the data subject's id is (whose data this is): the consent
    /// check looks every subject up, quotas count them, and audit records
    /// carry them as keyed hashes, never as written. A path
    /// (`$.user.user_id`), or `{paths: [...], keys: [user_id, userId],
    /// optional: false, case: sensitive}`. Every occurrence is a subject,
    /// each checked. A body with findings and no subject is refused unless
    /// `optional: true`; without `subject:` shares are not per subject.
    #[serde(default)]
    #[schemars(with = "Option<RawSubject>")]
    pub subject: Option<Spanned<RawSubject>>,
    /// Request header carrying the subject id when the body has none at
    /// `subject` (e.g. `X-User-Id`); matched case-insensitively.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub subject_header: Option<Spanned<String>>,
    /// `revocable` (default): data is shared unless the subject revoked
    /// consent for this partner and scenario. `required`: only with an
    /// explicit grant on record (cross-border partners must say so).
    #[serde(default)]
    #[schemars(with = "Option<ConsentMode>")]
    pub consent: Option<Spanned<ConsentMode>>,
    /// `allow` (default) forwards fields no rule names; `drop` removes them
    /// (minimum necessary: only named fields leave).
    #[serde(default)]
    pub unknown_fields: UnknownFields,
    /// Deepest nesting of arrays and objects a body may have (at least 1);
    /// deeper bodies are refused 400 `too_deep`. Default: the config's
    /// `limits.max_depth` (128).
    #[serde(default)]
    #[schemars(with = "Option<usize>")]
    pub max_depth: Option<Spanned<usize>>,
    /// Field rules, tried in order: the first that matches a value decides
    /// its action.
    #[serde(default)]
    #[schemars(with = "Vec<RawField>")]
    pub fields: Vec<Spanned<RawField>>,
    /// Content detectors run over every string, number and object key no
    /// field rule matched.
    #[serde(default)]
    #[schemars(with = "Vec<RawDetect>")]
    pub detect: Vec<Spanned<RawDetect>>,
    /// Extra label words for the labelled detectors: a value right after
    /// one of them (`持卡人：张三`) is read as that category.
    #[serde(default)]
    pub context_words: RawContextWords,
    /// Request headers to protect, by name (case-insensitive).
    #[serde(default)]
    #[schemars(with = "Vec<RawNamed>")]
    pub headers: Vec<Spanned<RawNamed>>,
    /// Query parameters to protect, by name.
    #[serde(default)]
    #[schemars(with = "Vec<RawNamed>")]
    pub query: Vec<Spanned<RawNamed>>,
    /// Protected path segments, by template:
    /// `{template: /v1/users/{id}, param: id, category: id_number, action: tokenize}`.
    /// The template is matched against the path after the partner's route;
    /// the detectors look at every other segment.
    #[serde(default)]
    #[schemars(with = "Vec<RawPathParam>")]
    pub path_params: Vec<Spanned<RawPathParam>>,
    /// A built-in profile of defaults. `jr-t-0171`: every category takes
    /// its JR/T 0171-2020 class's treatment unless `fields:` says
    /// otherwise: C3 (passwords, PINs, one-time codes, CVN, track data,
    /// card expiry, biometrics) refuses the request 403
    /// `forbidden_category`, C2 is masked with its customary display (card
    /// 6 + 4, mobile 3 + 4, ID number 1 + 1, name keeps the surname), C1
    /// leaves as is; and every share needs a separate consent grant.
    /// `check` warns where a rule weakens a C3 or C2 default.
    #[serde(default)]
    #[schemars(with = "Option<Profile>")]
    pub profile: Option<Spanned<Profile>>,
    /// The cipher suite of `encrypt`, `tokenize` and `hash`: `aes`
    /// (default: AES-256-GCM `pii:v1:` envelopes, FF1 over AES-256,
    /// HMAC-SHA256) or `sm`, the national suite (SM4-GCM `pii:sm1:`
    /// envelopes, FF1 over SM4, HMAC-SM3). `decrypt` opens both.
    #[serde(default)]
    #[schemars(with = "Option<CryptoSuite>")]
    pub crypto: Option<Spanned<CryptoSuite>>,
    /// Which shares need a separate consent grant (PIPL Art. 23, 29; a
    /// grant made with `"separate": true`): `none` (default), `sensitive`
    /// (requests carrying a sensitive category: financial accounts, ID
    /// documents, biometrics, whereabouts, authentication data) or `all`
    /// (the `jr-t-0171` profile's default). Refused 403
    /// `separate_consent_required` otherwise.
    #[serde(default)]
    #[schemars(with = "Option<SeparateConsent>")]
    pub separate_consent: Option<Spanned<SeparateConsent>>,
    /// Cross-border volume accounting (cross-border partners only):
    /// distinct people this calendar year, and those with sensitive data,
    /// counted durably; past the tier `basis` covers, shares are refused
    /// 403 `export_threshold_reached`.
    #[serde(default)]
    #[schemars(with = "Option<RawExport>")]
    pub export: Option<Spanned<RawExport>>,
}

/// The built-in profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum Profile {
    /// JR/T 0171-2020 个人金融信息保护技术规范 (personal financial information).
    #[serde(rename = "jr-t-0171")]
    JrT0171,
}

impl Profile {
    pub fn name(self) -> &'static str {
        match self {
            Profile::JrT0171 => "jr-t-0171",
        }
    }
}

/// The cipher suite a partner's values are protected with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CryptoSuite {
    /// AES-256-GCM, FF1 over AES-256, HMAC-SHA256.
    #[default]
    Aes,
    /// SM4-GCM, FF1 over SM4, HMAC-SM3 (GB/T 32907, GB/T 32905).
    Sm,
}

/// Which shares need a separate consent grant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeparateConsent {
    /// None beyond the `consent:` mode.
    #[default]
    None,
    /// Requests that carry a sensitive category.
    Sensitive,
    /// Every share.
    All,
}

/// `export:`: what covers a cross-border partner's transfers, and where
/// the tiers start.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExport {
    /// `none` (default: only the exempt tier), `standard_contract`,
    /// `certification` or `security_assessment`.
    #[serde(default)]
    pub basis: crate::compliance::export::Basis,
    /// Where the tiers start (defaults: the 2024 Provisions' figures).
    #[serde(default)]
    pub thresholds: crate::compliance::export::Thresholds,
    /// The share of the next uncovered tier from which the partner's
    /// `pii_proxy_export_tier_warning` gauge is 1 (the alert to page on
    /// before shares are refused). Default 0.9.
    #[serde(default)]
    pub warn_at: Option<f64>,
}

/// One protected path segment.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPathParam {
    /// `/literal/{name}/...`: literal segments must match exactly,
    /// `{name}` matches any one segment. Quote it in a flow mapping
    /// (`{template: '/v1/users/{id}', ...}`): YAML reads `{` there.
    #[schemars(with = "String")]
    pub template: Spanned<String>,
    /// Which `{name}` of the template is protected.
    #[schemars(with = "String")]
    pub param: Spanned<String>,
    /// The category findings and audit records report (an identifier).
    #[schemars(with = "String")]
    pub category: Spanned<String>,
    /// How the segment is written (`drop` cannot remove a segment: such a
    /// request is refused 400 `pii_in_path`).
    #[schemars(with = "RawAction")]
    pub action: Spanned<RawAction>,
}

/// How a partner's shares depend on the subject's consent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMode {
    /// Shared unless revoked (or the subject was erased).
    #[default]
    Revocable,
    /// Shared only with an explicit grant; a request without a subject is
    /// refused.
    Required,
}

impl ConsentMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentMode::Revocable => "revocable",
            ConsentMode::Required => "required",
        }
    }
}

/// What happens to a field no rule names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnknownFields {
    /// Forwarded (the detectors still look at it).
    #[default]
    Allow,
    /// Removed: only the fields a rule names leave (minimum necessary).
    Drop,
}

/// One field rule: where (`path` or `keys`, exactly one), what it is
/// (`category`) and what to do with it (`action`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    /// A JSONPath selector: `$`, `.name`, `['名字']`, `[*]`, `.*`, `[N]`,
    /// `..name` (at any depth), e.g. `$.user.name` or `$.items[*].card`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub path: Option<Spanned<String>>,
    /// Object keys matched at any depth, ignoring case, `_`, `-` and
    /// camelCase (`mobile_phone` matches `mobilePhone` and `Mobile-Phone`);
    /// or `builtin`, the built-in key dictionary of `category` (English,
    /// pinyin, Chinese).
    #[serde(default)]
    #[schemars(with = "Option<RawKeys>")]
    pub keys: Option<Spanned<RawKeys>>,
    /// What the value is (`name`, `phone`, `id_number`, `bank_card`, ... or
    /// a name of your own, such as `医疗记录`): written into findings, audit
    /// records and metrics, so it follows the identifier rule. Required,
    /// except with `keys: builtin`: there it picks one category's keys, and
    /// without it every built-in key matches, reporting its own category.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub category: Option<Spanned<String>>,
    /// What is done to a matched value.
    #[schemars(with = "RawAction")]
    pub action: Spanned<RawAction>,
}

/// One content detector: a built-in one (`detector`) or a regular
/// expression of your own (`pattern`), exactly one of the two.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDetect {
    /// A built-in detector; each may be listed once.
    #[serde(default)]
    #[schemars(with = "Option<DetectorName>")]
    pub detector: Option<Spanned<String>>,
    /// A regular expression (Rust `regex` syntax, no look-around) tried on
    /// each value; every match is protected. Needs `category`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub pattern: Option<Spanned<String>>,
    /// The category matches report; a built-in detector has its own default
    /// (`cn_resident_id` reports `id_number`, `cn_mobile` `phone`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub category: Option<Spanned<String>>,
    /// What is done to each match.
    #[schemars(with = "RawAction")]
    pub action: Spanned<RawAction>,
}

/// A request header or query parameter to protect.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNamed {
    /// The header or parameter name (`X-Phone-Number`, `mobile`).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// What the value is, as for a field rule. Default: the name's
    /// category in the built-in key dictionary (an `X-` prefix ignored:
    /// `X-Phone-Number` is `phone`); required for any other name.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub category: Option<Spanned<String>>,
    /// What is done to the value; `drop` removes the header or parameter.
    #[schemars(with = "RawAction")]
    pub action: Spanned<RawAction>,
}

/// Label words added to the built-in lists of the labelled detectors.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawContextWords {
    /// Labels before a person's name (`持卡人`, `beneficiary`).
    #[serde(default)]
    pub name: Vec<String>,
    /// Labels before an address (`收货地址`).
    #[serde(default)]
    pub address: Vec<String>,
    /// Labels before a birth date (`出生日期`).
    #[serde(default)]
    pub birth_date: Vec<String>,
    /// Labels before a passport number (`护照号`).
    #[serde(default)]
    pub passport: Vec<String>,
}

/// `keys: builtin` or `keys: [mobile, 手机号]`; its schema is
/// `super::schema`'s.
#[derive(Debug, Clone)]
pub enum RawKeys {
    Builtin,
    List(Vec<String>),
}

impl<'de> Deserialize<'de> for RawKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeysVisitor;
        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = RawKeys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`builtin` or a list of key names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawKeys, E> {
                match v {
                    "builtin" => Ok(RawKeys::Builtin),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element::<String>()? {
                    keys.push(key);
                }
                Ok(RawKeys::List(keys))
            }
        }
        deserializer.deserialize_any(KeysVisitor)
    }
}

/// The name of a built-in detector, as `detector:` takes it.
pub(super) struct DetectorName;

impl JsonSchema for DetectorName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DetectorName".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = crate::detect::BuiltinDetector::ALL
            .iter()
            .map(|d| d.name())
            .collect();
        schemars::json_schema!({
            "type": "string",
            "description": "A built-in detector: `cn_resident_id` (GB 11643 check character), `bank_card` (Luhn and issuer ranges), `cn_mobile`, `email`, `ipv4`, `ipv6`, `passport`, `biometric` (encoded templates and images), and after a label word `name`, `address`, `birth_date`; authentication data (JR/T 0171 C3): `card_cvn` (CVN/CVV2 under its key or label), `card_expiry` (under its key or label, or next to a card number), `track_data` (magnetic track 1/2 and its chip equivalent), `auth_secret` (passwords, PINs, one-time codes).",
            "enum": names
        })
    }
}
