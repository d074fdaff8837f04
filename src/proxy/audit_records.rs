//! The audit records of one request, built from what the proxy knows: the
//! partner's labels, the request id and method, the path with its
//! value-looking segments blanked, the keyed subject hash and the findings
//! (paths, categories, actions, never values).

use http::Method;

use super::refusal::Refusal;
use super::shadow::ShadowResult;
use crate::app::Partner;
use crate::audit::record::MAX_CONSENT_DECISIONS;
use crate::audit::{
    AuditPath, Blocked, CandidateSummary, Consent, FieldPath, Finding, Ident, Outcome, Share,
    ShareSubjects, SubjectHash,
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

/// One engine finding as the audit log stores it, at its own path.
fn finding(f: &engine::Finding) -> Finding {
    finding_at(f, FieldPath::new(&f.path))
}

/// One engine finding as the audit log stores it, at `path`: every other
/// part was made an identifier when the rules were compiled.
fn finding_at(f: &engine::Finding, path: FieldPath) -> Finding {
    let (category, action) = (f.category.clone(), f.action.clone());
    match &f.rule {
        RuleRef::Field(n) => Finding::by_rule(path, category, action, *n),
        RuleRef::Named { audit, .. } => Finding::by_detector(path, category, action, audit.clone()),
    }
}

/// Lines a share record lists findings in; past them, findings are
/// counted per category and action on one line each, so a record stays
/// bounded (a request full of repeated values cannot write megabytes).
pub const MAX_FIELD_LINES: usize = 256;

/// Subjects a share record names itself; more go in `share_subjects`
/// records of this many each.
pub const SUBJECTS_PER_RECORD: usize = 100;

/// A finding's JSON path with array indexes collapsed (`$.items[7].phone`
/// is `$.items[*].phone`): one line per field of a batch, not per element.
fn pattern(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.starts_with('$') || !path.contains('[') {
        return std::borrow::Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && tail.as_bytes().get(digits) == Some(&b']') {
            out.push_str("[*]");
            rest = &tail[digits + 1..];
        } else {
            out.push('[');
            rest = tail;
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The findings as the share record lists them: grouped by path pattern,
/// category, action and rule with counts, at most [`MAX_FIELD_LINES`]
/// lines; and the exact total when it is not the number of lines.
pub fn fields(findings: &[engine::Finding]) -> (Vec<Finding>, Option<u64>) {
    type Key = (String, Ident, Ident, RuleRef);
    let mut lines: Vec<Finding> = Vec::new();
    let mut index: foldhash::HashMap<Key, usize> = Default::default();
    let mut overflow: foldhash::HashMap<(Ident, Ident), usize> = Default::default();
    for f in findings {
        let key = (
            pattern(&f.path).into_owned(),
            f.category.clone(),
            f.action.clone(),
            f.rule.clone(),
        );
        if let Some(&at) = index.get(&key) {
            lines[at].count += 1;
            continue;
        }
        if lines.len() < MAX_FIELD_LINES {
            let line = finding_at(f, FieldPath::new(&key.0));
            index.insert(key, lines.len());
            lines.push(line);
            continue;
        }
        let merged = (f.category.clone(), f.action.clone());
        match overflow.get(&merged) {
            Some(&at) => lines[at].count += 1,
            None => {
                let line = Finding::by_detector(
                    FieldPath::new("*"),
                    merged.0.clone(),
                    merged.1.clone(),
                    Ident::fixed("merged"),
                );
                overflow.insert(merged, lines.len());
                lines.push(line);
            }
        }
    }
    let total = findings.len() as u64;
    let listed = lines.len() as u64;
    (lines, (listed != total).then_some(total))
}

/// The `share` record; `None` when the request's id or method cannot be
/// recorded (the caller then refuses the request: nothing leaves unaudited).
/// `subjects` are the keyed hashes (the first is the record's `subject`,
/// the next [`SUBJECTS_PER_RECORD`] its `subjects`), `consent` what the
/// consent gate found.
pub fn share(
    facts: &RequestFacts,
    partner: &Partner,
    subjects: &[SubjectHash],
    consent: Consent,
    findings: &Findings,
    bytes_in: usize,
    bytes_out: usize,
) -> Option<Share> {
    let (fields, fields_total) = fields(&findings.items);
    let more = subjects.get(1..).unwrap_or_default();
    let listed = more.len().min(SUBJECTS_PER_RECORD);
    let parts = (more.len() - listed).div_ceil(SUBJECTS_PER_RECORD);
    Some(Share {
        id: facts.id.clone()?,
        partner: partner.config.id.clone(),
        method: facts.method.clone()?,
        path: facts.path.clone(),
        consent,
        subject: subjects.first().cloned(),
        subjects: more[..listed].to_vec(),
        subject_parts: u32::try_from(parts).unwrap_or(u32::MAX),
        fields,
        fields_total,
        classes: classes(&findings.items),
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
        consent_decisions: Vec::new(),
        consent_decisions_more: None,
        candidate: None,
    })
}

/// Findings per JR/T 0171 class of their category.
fn classes(findings: &[crate::engine::Finding]) -> std::collections::BTreeMap<Ident, u64> {
    let mut counts = std::collections::BTreeMap::new();
    for finding in findings {
        if let Some(class) = crate::compliance::class_of(&finding.category) {
            *counts.entry(Ident::fixed(class.name())).or_default() += 1;
        }
    }
    counts
}

/// The `share_subjects` records after a share record whose subjects did
/// not fit in it.
pub fn more_subjects(
    facts: &RequestFacts,
    partner: &Partner,
    subjects: &[SubjectHash],
) -> Vec<ShareSubjects> {
    let Some(id) = facts.id.clone() else {
        return Vec::new();
    };
    let beyond = subjects.get(1 + SUBJECTS_PER_RECORD..).unwrap_or_default();
    beyond
        .chunks(SUBJECTS_PER_RECORD)
        .enumerate()
        .map(|(i, chunk)| ShareSubjects {
            id: id.clone(),
            partner: partner.config.id.clone(),
            part: u32::try_from(i + 1).unwrap_or(u32::MAX),
            subjects: chunk.to_vec(),
        })
        .collect()
}

/// The consent decisions a share relied on, bounded: the first
/// [`MAX_CONSENT_DECISIONS`] listed, the rest counted.
pub fn consent_decisions(record: &mut Share, mut decisions: Vec<u64>) {
    if decisions.len() > MAX_CONSENT_DECISIONS {
        record.consent_decisions_more = Some((decisions.len() - MAX_CONSENT_DECISIONS) as u64);
        decisions.truncate(MAX_CONSENT_DECISIONS);
    }
    record.consent_decisions = decisions;
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
