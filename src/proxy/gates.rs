//! The two checks of the share gate that come before the audit record: the
//! partner's quotas and the subject's consent, each turned into a refusal.
//! Knows the HTTP side only; the decisions are the monitor's and the
//! consent store's.

use super::refusal::{Reason, Refusal};
use crate::app::{App, Partner};
use crate::audit::Consent;
use crate::consent::{self, Refused, SubjectKey};
use crate::monitor::OverQuota;

/// 429 `quota_exceeded` when the request would take the partner over its
/// requests per second or distinct subjects per window.
pub fn quota(app: &App, partner: &Partner, subject: Option<&SubjectKey>) -> Result<(), Refusal> {
    let config = &partner.config;
    let fingerprint = subject.map(SubjectKey::fingerprint);
    let over = match app
        .monitor
        .admit(&config.id, fingerprint, &config.quota, &config.anomaly)
    {
        Ok(()) => return Ok(()),
        Err(over) => over,
    };
    let detail = match over {
        OverQuota::Rate => format!(
            "partner `{}` allows {} requests per second (burst {}); retry later",
            config.id,
            config.quota.requests_per_second.unwrap_or_default(),
            config
                .quota
                .burst
                .or(config.quota.requests_per_second)
                .unwrap_or_default()
        ),
        OverQuota::DistinctSubjects => format!(
            "partner `{}` may receive data about {} distinct subjects per {}s window; this \
             request would add one more",
            config.id,
            config.quota.distinct_subjects.unwrap_or_default(),
            config.quota.window.as_secs()
        ),
    };
    Err(Refusal::new(Reason::QuotaExceeded, detail))
}

/// The consent the share record states and the journal seq of the
/// decision it relied on, or 403: `consent_revoked` (revoked
/// for this partner and scenario, or the subject was erased) and
/// `consent_required` (`consent: required` without a grant on record, or
/// without a subject at all).
pub fn consent(
    app: &App,
    partner: &Partner,
    scenario: &str,
    subject: Option<&SubjectKey>,
) -> Result<(Consent, Option<u64>), Refusal> {
    let id = &partner.config.id;
    let found = subject.map(|key| app.consent.lookup_decision(key, id, scenario));
    let verdict = found.map(|(verdict, _)| verdict);
    let refused = match consent::decide(verdict, partner.policy.consent) {
        Ok(consent) => return Ok((consent, found.and_then(|(_, seq)| seq))),
        Err(refused) => refused,
    };
    let (code, detail) = match refused {
        Refused::Revoked => (
            Reason::ConsentRevoked,
            format!("the subject revoked consent for partner `{id}`, scenario `{scenario}`"),
        ),
        Refused::Erased => (
            Reason::ConsentRevoked,
            "the subject's account was erased: nothing about it is shared".to_owned(),
        ),
        Refused::NotGranted => (
            Reason::ConsentRequired,
            format!(
                "partner `{id}` shares only with an explicit consent grant, and none is on \
                 record for this subject and scenario `{scenario}`"
            ),
        ),
        Refused::NoSubject => (
            Reason::ConsentRequired,
            format!(
                "partner `{id}` shares only with an explicit consent grant, and the request \
                 names no subject (the rules' `subject` / `subject_header` found none)"
            ),
        ),
    };
    Err(Refusal::new(code, detail))
}
