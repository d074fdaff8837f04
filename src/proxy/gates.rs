//! The two checks of the share gate that come before the audit record: the
//! partner's quotas and the subject's consent, each turned into a refusal.
//! Knows the HTTP side only; the decisions are the monitor's and the
//! consent store's.

use super::refusal::{Reason, Refusal};
use crate::app::{App, Partner};
use crate::audit::Consent;
use crate::consent::{self, Availability, Refused, SubjectKey};
use crate::monitor::OverQuota;
use crate::rules::ConsentMode;

/// 429 `quota_exceeded` when the request would take the partner over its
/// requests per second or distinct subjects per window.
/// With `cluster: true` the counters are the cluster's (Redis), else this
/// replica's.
pub async fn quota(
    app: &App,
    partner: &Partner,
    subject: Option<&SubjectKey>,
) -> Result<(), Refusal> {
    let config = &partner.config;
    let fingerprint = subject.map(SubjectKey::fingerprint);
    let (quota, anomaly) = (&config.quota, &config.anomaly);
    let admitted = match &app.cluster {
        Some(cluster) if quota.cluster => {
            cluster
                .admit(&app.monitor, &config.id, fingerprint, quota, anomaly)
                .await
        }
        _ => app.monitor.admit(&config.id, fingerprint, quota, anomaly),
    };
    let over = match admitted {
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

/// The consent the share record states, or 403: `consent_revoked` (revoked
/// for this partner and scenario, or the subject was erased) and
/// `consent_required` (`consent: required` without a grant on record, or
/// without a subject at all).
pub fn consent(
    app: &App,
    partner: &Partner,
    scenario: &str,
    subject: Option<&SubjectKey>,
) -> Result<Consent, Refusal> {
    let id = &partner.config.id;
    available(app, partner)?;
    let verdict = subject.map(|key| app.consent.lookup(key, id, scenario));
    let refused = match consent::decide(verdict, partner.policy.consent) {
        Ok(consent) => return Ok(consent),
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

/// 503 `consent_unavailable` when the store cannot vouch for what it
/// knows: before its first full sync nothing is shared; once stale past
/// `max_staleness`, `consent: required` partners are refused (a grant may
/// have been withdrawn on another replica meanwhile), while revocations
/// already known keep applying to everyone.
fn available(app: &App, partner: &Partner) -> Result<(), Refusal> {
    let detail = match app.consent.availability() {
        Availability::Current => return Ok(()),
        Availability::Stale { .. } if partner.policy.consent == ConsentMode::Revocable => {
            return Ok(());
        }
        Availability::NotSynced => "the consent store has not completed its first sync with the \
                                    database: no decision is known yet, so nothing is shared"
            .to_owned(),
        Availability::Stale { for_ms } => format!(
            "partner `{}` shares only with an explicit consent grant, and the consent database \
             has not been heard from for {:.1}s: a grant may have been withdrawn meanwhile",
            partner.config.id,
            for_ms as f64 / 1000.0
        ),
    };
    Err(Refusal::new(Reason::ConsentUnavailable, detail))
}
