//! The audit records of one request, built from what the proxy knows: the
//! partner's labels, the request id and method, the path with its
//! value-looking segments blanked, the keyed subject hash and the findings
//! (paths, categories, actions, never values).

use http::Method;

use super::refusal::Refusal;
use super::shadow::ShadowResult;
use crate::app::Partner;
use crate::audit::{
    AuditPath, Blocked, CandidateSummary, Consent, FieldPath, Finding, Ident, Outcome, Share,
    SubjectHash,
};
use crate::engine::{self, Findings};
use crate::rules::RuleRef;

/// What every record of one request shares.
pub struct RequestFacts {
    pub id: Option<Ident>,
    pub method: Option<Ident>,
    pub path: AuditPath,
}

impl RequestFacts {
    pub fn new(id: &str, method: &Method, target: &str) -> Self {
        RequestFacts {
            id: Ident::new(id).ok(),
            method: Some(method_ident(method)),
            path: AuditPath::from_request(target),
        }
    }
}

/// The method as audit records carry it: the registered methods by name,
/// any extension method (a token the caller chose, which could spell a
/// name) as `extension`.
fn method_ident(method: &Method) -> Ident {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::CONNECT,
        Method::OPTIONS,
        Method::TRACE,
        Method::PATCH,
    ];
    if KNOWN.contains(method) {
        Ident::new(method.as_str()).unwrap_or_else(|_| Ident::fixed("extension"))
    } else {
        Ident::fixed("extension")
    }
}

/// One engine finding as the audit log stores it: every part was made an
/// identifier when the rules were compiled.
fn finding(f: &engine::Finding) -> Finding {
    let path = FieldPath::new(&f.path);
    let (category, action) = (f.category.clone(), f.action.clone());
    match &f.rule {
        RuleRef::Field(n) => Finding::by_rule(path, category, action, *n),
        RuleRef::Named { audit, .. } => Finding::by_detector(path, category, action, audit.clone()),
    }
}

/// The `share` record; `None` when the request's id or method cannot be
/// recorded (the caller then refuses the request: nothing leaves unaudited).
/// `subject` is the keyed hash, `consent` what the consent gate found.
pub fn share(
    facts: &RequestFacts,
    partner: &Partner,
    subject: Option<SubjectHash>,
    consent: Consent,
    findings: &Findings,
    bytes_in: usize,
    bytes_out: usize,
) -> Option<Share> {
    Some(Share {
        id: facts.id.clone()?,
        partner: partner.config.id.clone(),
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
        export_basis: partner
            .config
            .export_basis
            .filter(|_| partner.config.cross_border),
        partner_name: partner.config.name.clone(),
        // Set by the share gate, which knows the route and the decision.
        scenario: None,
        consent_decision: None,
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
        refused: shadow.refused.map(|reason| Ident::fixed(reason.code())),
    }
}

pub fn outcome(
    facts: &RequestFacts,
    partner: &Ident,
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
    partner: Option<&Ident>,
    subject: Option<SubjectHash>,
    refusal: &Refusal,
) -> Option<Blocked> {
    Some(Blocked {
        id: facts.id.clone()?,
        partner: partner.cloned(),
        method: facts.method.clone()?,
        path: facts.path.clone(),
        subject,
        reason: Ident::fixed(refusal.code()),
        status: refusal.status().as_u16(),
        fault: Some(Ident::fixed(refusal.fault().as_str())),
        fields: Vec::new(),
    })
}
