//! The two checks of the share gate that come before the audit record: the
//! partner's quotas and the subject's consent, each turned into a refusal.
//! Knows the HTTP side only; the decisions are the monitor's and the
//! consent store's.

use super::refusal::{Reason, Refusal};
use super::subjects::RequestSubject;
use crate::app::{App, Partner};
use crate::audit::Consent;
use crate::audit::SubjectHash;
use crate::consent::{self, Availability, Refused, Verdict};
use crate::monitor::OverQuota;
use crate::rules::ConsentMode;

/// 429 `quota_exceeded` when the request would take the partner over its
/// requests per second or distinct subjects per window (every subject of
/// a batch counts). With `cluster: true` the counters are the cluster's
/// (Redis), else this replica's.
pub async fn quota(
    app: &App,
    partner: &Partner,
    subjects: &[RequestSubject],
) -> Result<(), Refusal> {
    let config = &partner.config;
    let fingerprints: Vec<u64> = subjects.iter().map(RequestSubject::fingerprint).collect();
    let (quota, anomaly) = (&config.quota, &config.anomaly);
    let admitted = match &app.cluster {
        Some(cluster) if quota.cluster => {
            cluster
                .admit_all(&app.monitor, &config.id, &fingerprints, quota, anomaly)
                .await
        }
        _ => app
            .monitor
            .admit_all(&config.id, &fingerprints, quota, anomaly),
    };
    match admitted {
        Ok(()) => Ok(()),
        Err(over) => Err(over_quota(app, config, over)),
    }
}

/// The refusal of a request over `over`, with the RateLimit fields of
/// draft-ietf-httpapi-ratelimit-headers-09: the policy that refused,
/// nothing remaining, and when it resets.
fn over_quota(app: &App, config: &crate::config::Partner, over: OverQuota) -> Refusal {
    let (policy, retry_after) = rate_limit_policy(app, &config.quota, over);
    let name = if over == OverQuota::Rate {
        "rate"
    } else {
        "subjects"
    };
    let current = format!("\"{name}\";r=0;t={}", retry_after.max(1));
    let header = |text: String| {
        http::HeaderValue::from_str(&text).expect("quoted names and integers are a header value")
    };
    Refusal::new(Reason::QuotaExceeded, over_quota_detail(config, over))
        .retry_after(retry_after)
        .with_header(RATE_LIMIT_POLICY.clone(), header(policy))
        .with_header(RATE_LIMIT.clone(), header(current))
}

/// The `RateLimit-Policy` of the quota that refused, and the seconds until
/// it admits again: a second for the rate, the rest of the window for
/// distinct subjects.
fn rate_limit_policy(app: &App, quota: &crate::config::Quota, over: OverQuota) -> (String, u64) {
    match over {
        OverQuota::Rate => {
            let burst = quota
                .burst
                .or(quota.requests_per_second)
                .unwrap_or_default();
            (format!("\"rate\";q={burst};w=1"), 1)
        }
        OverQuota::DistinctSubjects => {
            let window_ns = u64::try_from(quota.window.as_nanos())
                .unwrap_or(u64::MAX)
                .max(1);
            let left_ns = window_ns - app.monitor.now_ns() % window_ns;
            let limit = quota.distinct_subjects.unwrap_or_default();
            let window = quota.window.as_secs();
            (
                format!("\"subjects\";q={limit};w={window}"),
                left_ns.div_ceil(1_000_000_000),
            )
        }
    }
}

/// What the caller is told of the quota it went over.
fn over_quota_detail(config: &crate::config::Partner, over: OverQuota) -> String {
    match over {
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
    }
}

static RATE_LIMIT_POLICY: http::HeaderName = http::HeaderName::from_static("ratelimit-policy");
static RATE_LIMIT: http::HeaderName = http::HeaderName::from_static("ratelimit");

/// The consent the share record states and the journal seqs of the
/// decisions it relied on (distinct, in order), or 403: `consent_revoked`
/// (revoked for this partner and scenario, or the subject was erased),
/// `consent_required` (`consent: required` without a grant on record, or
/// without a subject at all) and `separate_consent_required` (`separate`:
/// the share needs a separate grant, and a subject to hold it).
pub fn consent(
    app: &App,
    partner: &Partner,
    scenario: &str,
    subjects: &[RequestSubject],
    separate: bool,
) -> Result<(Consent, Vec<u64>), Refusal> {
    let id = &partner.config.id;
    available(app, partner, separate)?;
    if subjects.is_empty() {
        return consent::decide(None, partner.policy.consent, separate)
            .map(|consent| (consent, Vec::new()))
            .map_err(|refused| refusal(refused, id, scenario, None));
    }
    let mut consent = Consent::Granted;
    let mut decisions = std::collections::BTreeSet::new();
    for subject in subjects {
        // The strictest decision under any spelling the subject may have
        // been recorded by: a change of spelling never fails open.
        let (verdict, decision) = subject
            .keys
            .iter()
            .map(|key| app.consent.lookup_decision(key, id, scenario))
            .max_by_key(|(v, _)| consent::strictness(*v))
            .unwrap_or((Verdict::NoDecision, None));
        consent = consent::decide(Some(verdict), partner.policy.consent, separate)
            .map_err(|refused| refusal(refused, id, scenario, Some(&subject.hash)))?;
        decisions.extend(decision);
    }
    Ok((consent, decisions.into_iter().collect()))
}

/// The 403 of a consent refusal; in a batch it names which subject, by
/// its hash only.
fn refusal(refused: Refused, id: &str, scenario: &str, subject: Option<&SubjectHash>) -> Refusal {
    let who = subject.map_or_else(|| "the subject".to_owned(), |h| format!("subject {h}"));
    let (code, detail) = match refused {
        Refused::Revoked => (
            Reason::ConsentRevoked,
            format!("{who} revoked consent for partner `{id}`, scenario `{scenario}`"),
        ),
        Refused::Erased => (
            Reason::ConsentRevoked,
            format!("{who}'s account was erased: nothing about it is shared"),
        ),
        Refused::NotGranted => (
            Reason::ConsentRequired,
            format!(
                "partner `{id}` shares only with an explicit consent grant, and none is on \
                 record for {who} and scenario `{scenario}`"
            ),
        ),
        Refused::NotSeparate => (
            Reason::SeparateConsentRequired,
            format!(
                "partner `{id}` takes this data only with a separate consent grant (`\"separate\": \
                 true`), and none is in force for {who} and scenario `{scenario}`"
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
    Refusal::new(code, detail)
}

/// 503 `consent_unavailable` when the store cannot vouch for what it
/// knows: before its first full sync nothing is shared; once stale past
/// `max_staleness`, `consent: required` partners are refused (a grant may
/// have been withdrawn on another replica meanwhile), while revocations
/// already known keep applying to everyone.
fn available(app: &App, partner: &Partner, separate: bool) -> Result<(), Refusal> {
    let detail = match app.consent.availability() {
        Availability::Current => return Ok(()),
        Availability::Stale { .. }
            if partner.policy.consent == ConsentMode::Revocable && !separate =>
        {
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
