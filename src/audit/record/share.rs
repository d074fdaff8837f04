//! The `share` record and its parts: the consent state found, the legal
//! basis of a cross-border transfer, one line per protected field, the
//! candidate rules' shadow run, and the `share_subjects` records that carry
//! a batch's further subjects.
//!
//! It knows nothing of how a line is sealed or read back (the parent
//! module's), nor of the request: every member is a PII-proof field type
//! or an [`Ident`], so a raw value cannot be put into one.

use serde::{Deserialize, Serialize};

use super::{AuditPath, DisplayName, FieldPath, Ident, RulesVersion, SubjectHash};

/// The consent state the proxy found for (subject, partner).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    Granted,
    Revoked,
    /// The rules name no subject, or the body had none.
    NoSubject,
}

/// Most consent decisions a share record lists (the record stays bounded).
pub const MAX_CONSENT_DECISIONS: usize = 64;

/// A cross-border partner's declared legal basis for the transfer (PIPL
/// Art. 38): the CAC standard contract, a certification, or a security
/// assessment.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportBasis {
    StandardContract,
    Certification,
    Assessment,
}

impl ExportBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportBasis::StandardContract => "standard_contract",
            ExportBasis::Certification => "certification",
            ExportBasis::Assessment => "assessment",
        }
    }
}

/// One protected (or refused) field: where, what, what was done, and which
/// rule or detector decided. Never the value.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub path: FieldPath,
    pub category: Ident,
    pub action: Ident,
    /// Index of the `fields:` entry in the partner's rules file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<u32>,
    /// The `detect:` entry's detector (`cn_resident_id`, `pattern:2`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector: Option<Ident>,
    /// How many values this line stands for: findings of one path pattern
    /// (array indexes as `[*]`), category, action and rule are one line.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: u64,
}

fn one() -> u64 {
    1
}

fn is_one(n: &u64) -> bool {
    *n == 1
}

impl Finding {
    pub fn by_rule(path: FieldPath, category: Ident, action: Ident, rule: u32) -> Finding {
        Finding {
            path,
            category,
            action,
            rule: Some(rule),
            detector: None,
            count: 1,
        }
    }

    pub fn by_detector(
        path: FieldPath,
        category: Ident,
        action: Ident,
        detector: Ident,
    ) -> Finding {
        Finding {
            path,
            category,
            action,
            rule: None,
            detector: Some(detector),
            count: 1,
        }
    }

    /// The same finding for `count` values.
    pub fn times(mut self, count: u64) -> Finding {
        self.count = count;
        self
    }
}

/// A body about to go to a partner; appended (and accepted) before a byte
/// goes upstream.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub id: Ident,
    pub partner: Ident,
    pub method: Ident,
    pub path: AuditPath,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<SubjectHash>,
    /// The request's other subjects (a batch, a duplicated key), beyond
    /// `subject`; more than fit here follow in `share_subjects` records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<SubjectHash>,
    /// `share_subjects` records that follow with more subjects.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub subject_parts: u32,
    pub consent: Consent,
    pub fields: Vec<Finding>,
    /// Values protected in all (the sum of the lines' counts, exact even
    /// where lines were merged to bound the record), when it is not
    /// `fields`' own count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields_total: Option<u64>,
    /// Values protected per JR/T 0171 class (`C1`, `C2`, `C3`), of the
    /// findings whose category has one.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub classes: std::collections::BTreeMap<Ident, u64>,
    pub rules_version: RulesVersion,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// The partner's region is outside the home region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_border: Option<bool>,
    /// The partner's declared legal basis for a cross-border transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_basis: Option<ExportBasis>,
    /// The partner's display name (`name:` in the config).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_name: Option<DisplayName>,
    /// The route's scenario: the purpose the data is shared for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<Ident>,
    /// The consent decisions the share relied on: the consent journal
    /// `seq` of each subject's deciding grant or restore, distinct, in
    /// order (none where no decision covers a subject and the partner's
    /// consent is `revocable`). At most [`MAX_CONSENT_DECISIONS`]; a batch
    /// relying on more counts the rest in `consent_decisions_more`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consent_decisions: Vec<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_decisions_more: Option<u64>,
    /// What the partner's candidate rules, run in shadow on the same
    /// request, would have done differently (only with `candidate_rules`).
    /// Boxed: most shares have none, and records queue by value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate: Option<Box<CandidateSummary>>,
}

/// A candidate policy's shadow run: the fields it would protect
/// differently from the policy in force. Paths, categories and actions,
/// never values; nothing of it was forwarded.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateSummary {
    /// The candidate rules file's version.
    pub rules_version: RulesVersion,
    /// Fields the candidate would protect that are forwarded as they are
    /// now (the candidate's category and action).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub newly_protected: Vec<Finding>,
    /// Fields protected now that the candidate would forward as they are
    /// (the current category and action).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_unprotected: Vec<Finding>,
    /// Fields both protect, differently (the candidate's category and action).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<Finding>,
    /// The candidate would have refused the request with this error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Ident>,
}

/// More subjects of a share whose record could not hold them all, written
/// (before forwarding) right after it: part `part` of the share's
/// `subject_parts`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareSubjects {
    /// The share record's id.
    pub id: Ident,
    pub partner: Ident,
    pub part: u32,
    pub subjects: Vec<SubjectHash>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
