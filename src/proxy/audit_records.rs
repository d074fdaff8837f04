//! The audit records of one request, built from what the proxy knows: the
//! partner's labels, the request id and method, the path with its
//! value-looking segments blanked, the keyed subject hash and the findings
//! (paths, categories, actions, never values).

use http::Method;

use super::PartnerRuntime;
use super::shadow::ShadowResult;
use crate::audit::{
    AuditPath, Blocked, CandidateSummary, Consent, FieldPath, Finding, Label, Outcome, RequestId,
    Share, SubjectHash,
};
use crate::engine::{self, Findings};

/// What every record of one request shares.
pub struct RequestFacts {
    pub id: Option<RequestId>,
    pub method: Option<Label>,
    pub path: AuditPath,
}

impl RequestFacts {
    pub fn new(id: &str, method: &Method, target: &str) -> Self {
        RequestFacts {
            id: RequestId::new(id).ok(),
            method: Label::new(method.as_str()).ok(),
            path: AuditPath::from_request(target),
        }
    }
}

fn label_or_unknown(text: &str) -> Label {
    Label::new(text)
        .or_else(|_| Label::new("unknown"))
        .expect("`unknown` is a valid label")
}

/// One engine finding as the audit log stores it. `fields[N]` names a rule;
/// anything else (`detect:bank_card`, `headers[0]`) is kept as a label.
fn finding(f: &engine::Finding) -> Finding {
    let path = FieldPath::new(&f.path);
    let category = label_or_unknown(&f.category);
    let action = label_or_unknown(f.action);
    let rule = f
        .rule
        .strip_prefix("fields[")
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|n| n.parse::<u32>().ok());
    match rule {
        Some(n) => Finding::by_rule(path, category, action, n),
        None => {
            let name = f.rule.strip_prefix("detect:").unwrap_or(&f.rule);
            let cleaned: String = name.chars().filter(|c| !matches!(c, '[' | ']')).collect();
            Finding::by_detector(path, category, action, label_or_unknown(&cleaned))
        }
    }
}

/// The `share` record; `None` when the request's id or method cannot be
/// recorded (the caller then refuses the request: nothing leaves unaudited).
/// `subject` is the keyed hash, `consent` what the consent gate found.
pub fn share(
    facts: &RequestFacts,
    partner: &PartnerRuntime,
    subject: Option<SubjectHash>,
    consent: Consent,
    findings: &Findings,
    bytes_in: usize,
    bytes_out: usize,
) -> Option<Share> {
    Some(Share {
        id: facts.id.clone()?,
        partner: partner.audit_label.clone(),
        method: facts.method.clone()?,
        path: facts.path.clone(),
        consent,
        subject,
        fields: findings.items.iter().map(finding).collect(),
        rules_version: partner.rules_version.clone(),
        bytes_in: bytes_in as u64,
        bytes_out: bytes_out as u64,
        // Only cross-border shares are marked; a domestic one omits it.
        cross_border: partner.config.cross_border.then_some(true),
        candidate: None,
    })
}

/// The `candidate` member of the share record: the fields the candidate
/// rules would treat differently (paths, categories, actions).
pub fn candidate(shadow: &ShadowResult<'_>) -> CandidateSummary {
    let diff = &shadow.diff;
    CandidateSummary {
        rules_version: shadow.candidate.rules_version.clone(),
        newly_protected: diff.newly_protected.iter().map(finding).collect(),
        left_unprotected: diff.left_unprotected.iter().map(finding).collect(),
        changed: diff.changed.iter().map(|c| finding(&c.candidate)).collect(),
        refused: shadow.refused.map(label_or_unknown),
    }
}

pub fn outcome(
    facts: &RequestFacts,
    partner: &Label,
    status: u16,
    latency_ms: u64,
) -> Option<Outcome> {
    Some(Outcome {
        id: facts.id.clone()?,
        partner: partner.clone(),
        status,
        latency_ms,
        fields: Vec::new(),
    })
}

/// The `blocked` record; `subject` is known once the body was inspected.
pub fn blocked(
    facts: &RequestFacts,
    partner: Option<&Label>,
    subject: Option<SubjectHash>,
    reason: &str,
    status: u16,
) -> Option<Blocked> {
    Some(Blocked {
        id: facts.id.clone()?,
        partner: partner.cloned(),
        method: facts.method.clone()?,
        path: facts.path.clone(),
        subject,
        reason: label_or_unknown(reason),
        status,
        fields: Vec::new(),
    })
}
