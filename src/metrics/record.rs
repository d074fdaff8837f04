//! The recording calls the request flow, reload and the admin listener
//! make: one finished request, its findings, a candidate run, a reload, an
//! admin request, and the in-flight guard.
//!
//! It knows nothing of HTTP: every label it writes is a code, a fixed word
//! or an [`Ident`] the flow hands it, never a request's content. Recording
//! cannot fail and takes no registry lock.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::metrics::gauge::Gauge;

use super::labels::{
    AdminLabels, CandidateFieldLabels, CandidateRequestLabels, FindingLabels, RefusalLabels,
    ReloadLabels, RequestLabels,
};
use super::{Direction, Metrics, NO_PARTNER, PartnerMetrics, ReloadTrigger};
use crate::candidate::{CandidateResult, Difference};
use crate::engine;
use crate::ident::Ident;

/// What the flow knows about one finished request.
pub struct RequestSample<'a> {
    /// `None` when no route matched.
    pub partner: Option<&'a PartnerMetrics>,
    pub status: u16,
    /// What refused the request, when it was refused.
    pub refusal: Option<RefusalSample>,
    /// From the first byte of the request to the response head.
    pub total: Duration,
    /// Time spent waiting for the partner, when the request reached it.
    pub upstream: Option<Duration>,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// A refusal as the metrics count it.
#[derive(Debug, Clone, Copy)]
pub struct RefusalSample {
    /// The public error code.
    pub code: &'static str,
    /// `caller`, `partner` or `proxy`.
    pub fault: &'static str,
    /// A consent refusal (`consent_revoked`), also counted per partner.
    pub consent_block: bool,
}

impl Metrics {
    /// Counts a request as started; the returned guard counts it finished,
    /// also when the caller goes away mid-request.
    pub fn in_flight(&self) -> InFlight {
        self.in_flight.inc();
        InFlight(self.in_flight.clone())
    }

    /// Records one finished request.
    pub fn request(&self, sample: &RequestSample<'_>) {
        let partner = sample
            .partner
            .map_or_else(|| Arc::from(NO_PARTNER), |p| p.partner.clone());
        self.requests
            .get_or_create(&RequestLabels {
                partner: partner.clone(),
                status: sample.status,
            })
            .inc();
        if let Some(refusal) = sample.refusal {
            self.refusals
                .get_or_create(&RefusalLabels {
                    partner,
                    reason: refusal.code,
                    fault: refusal.fault,
                })
                .inc();
            if refusal.consent_block {
                if let Some(p) = sample.partner {
                    p.consent_blocks.inc();
                }
            }
        }
        let Some(p) = sample.partner else {
            return;
        };
        let upstream = sample.upstream.unwrap_or_default();
        p.added_latency
            .observe(sample.total.saturating_sub(upstream).as_secs_f64());
        if let Some(upstream) = sample.upstream {
            p.upstream_latency.observe(upstream.as_secs_f64());
        }
        p.bytes_received.inc_by(sample.bytes_in);
        p.bytes_forwarded.inc_by(sample.bytes_out);
    }

    /// Counts the values the engine protected in one message.
    pub fn findings(
        &self,
        partner: &PartnerMetrics,
        direction: Direction,
        findings: &[engine::Finding],
    ) {
        for f in findings {
            self.findings
                .get_or_create(&FindingLabels {
                    partner: partner.partner.clone(),
                    direction: direction.as_str(),
                    category: f.category.shared().clone(),
                    action: f.action.shared().clone(),
                })
                .inc();
        }
    }

    /// Counts one shadow run of a partner's candidate rules and the fields
    /// it would treat differently (`(difference, category)` per field).
    pub fn candidate<'a>(
        &self,
        partner: &PartnerMetrics,
        result: CandidateResult,
        differences: impl IntoIterator<Item = (Difference, &'a Ident)>,
    ) {
        let result = match result {
            CandidateResult::Same => "same",
            CandidateResult::Different => "different",
            CandidateResult::Refused => "refused",
        };
        self.candidate_requests
            .get_or_create(&CandidateRequestLabels {
                partner: partner.partner.clone(),
                result,
            })
            .inc();
        for (difference, category) in differences {
            self.candidate_fields
                .get_or_create(&CandidateFieldLabels {
                    partner: partner.partner.clone(),
                    difference: difference.as_str(),
                    category: category.shared().clone(),
                })
                .inc();
        }
    }

    /// Records one reload attempt.
    pub fn reload(&self, trigger: ReloadTrigger, ok: bool) {
        self.config_reloads
            .get_or_create(&ReloadLabels {
                trigger: trigger.as_str(),
                result: if ok { "ok" } else { "rejected" },
            })
            .inc();
        self.config_last_reload_successful.set(i64::from(ok));
    }

    /// Records one admin request; `endpoint` is a fixed name, never a path.
    pub fn admin_request(&self, endpoint: &'static str, status: u16) {
        self.admin_requests
            .get_or_create(&AdminLabels { endpoint, status })
            .inc();
    }
}

/// Decrements the in-flight gauge when dropped.
pub struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}
