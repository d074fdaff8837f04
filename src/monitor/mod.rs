//! Monitoring third parties' queries: per-partner quotas (requests per
//! second, distinct subjects per window) and the anomaly alert on a
//! partner's distinct-subject rate.
//!
//! Owns one [`PartnerMeter`] per partner id, kept across config reloads (the
//! limits are read from the generation each request runs on, so a reload
//! changes them without resetting history). Knows nothing of HTTP or of
//! subjects beyond a 64-bit fingerprint of their keyed hash. The hot path is
//! lock-free for the rate (one atomic, GCRA) and sharded for the distinct
//! subjects (one map shard lock and one atomic per request).
//!
//! Fails closed in the sense that matters here: a request over quota is
//! refused (the caller turns [`OverQuota`] into 429 `quota_exceeded`); an
//! anomaly never refuses anything, it raises a `warn` event (numbers only)
//! and a counter.

mod rate;
mod window;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use dashmap::DashMap;

use crate::config::{AnomalySettings, Quota};
pub use rate::RateLimiter;
pub use window::{Admission, DistinctWindow};

/// Which quota a request went over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverQuota {
    /// `requests_per_second` (with its burst).
    Rate,
    /// `distinct_subjects` in the current window.
    DistinctSubjects,
}

/// One partner's meters and counters.
#[derive(Debug)]
pub struct PartnerMeter {
    partner: Arc<str>,
    rate: RateLimiter,
    window: DistinctWindow,
    rejected_rate: std::sync::atomic::AtomicU64,
    rejected_subjects: std::sync::atomic::AtomicU64,
}

impl PartnerMeter {
    pub fn new(partner: &str) -> PartnerMeter {
        PartnerMeter {
            partner: Arc::from(partner),
            rate: RateLimiter::default(),
            window: DistinctWindow::default(),
            rejected_rate: Default::default(),
            rejected_subjects: Default::default(),
        }
    }

    /// Admits one request at `now_ns` (the monitor's clock) about
    /// `subject` (its fingerprint), or says which quota it is over. The
    /// subject is counted (and the anomaly rule applied) only if admitted.
    pub fn admit(
        &self,
        now_ns: u64,
        subject: Option<u64>,
        quota: &Quota,
        anomaly: &AnomalySettings,
    ) -> Result<(), OverQuota> {
        self.admit_all(now_ns, subject.as_slice(), quota, anomaly)
    }

    /// Admits one request about every subject in `subjects` (a batch): the
    /// request counts once against the rate, each subject once in the
    /// window. A subject over `distinct_subjects` refuses the request; the
    /// subjects counted before it stay counted (the count errs high).
    pub fn admit_all(
        &self,
        now_ns: u64,
        subjects: &[u64],
        quota: &Quota,
        anomaly: &AnomalySettings,
    ) -> Result<(), OverQuota> {
        if let Some(rps) = quota.requests_per_second {
            let burst = quota.burst.unwrap_or(rps);
            if !self.rate.admit(now_ns, rps, burst) {
                self.rejected_rate.fetch_add(1, Ordering::Relaxed);
                return Err(OverQuota::Rate);
            }
        }
        let window_ns = u64::try_from(quota.window.as_nanos()).unwrap_or(u64::MAX);
        for &subject in subjects {
            let admission =
                self.window
                    .admit(now_ns, window_ns, subject, quota.distinct_subjects, anomaly);
            match admission {
                Admission::Admitted => {}
                Admission::Anomaly { subjects, baseline } => {
                    tracing::warn!(
                        partner = %self.partner,
                        window_subjects = subjects,
                        baseline_subjects = baseline,
                        factor = anomaly.factor,
                        window_seconds = quota.window.as_secs(),
                        "anomaly: the partner is receiving data about far more distinct subjects \
                         than its baseline"
                    );
                }
                Admission::OverQuota => {
                    self.rejected_subjects.fetch_add(1, Ordering::Relaxed);
                    return Err(OverQuota::DistinctSubjects);
                }
            }
        }
        Ok(())
    }

    // Accessors for metrics (plain numbers; the admin listener exports them).

    pub fn partner(&self) -> &str {
        &self.partner
    }

    /// Requests refused over `requests_per_second` (counter).
    pub fn rejected_rate(&self) -> u64 {
        self.rejected_rate.load(Ordering::Relaxed)
    }

    /// Requests refused over `distinct_subjects` (counter).
    pub fn rejected_subjects(&self) -> u64 {
        self.rejected_subjects.load(Ordering::Relaxed)
    }

    /// Anomaly alerts raised (counter; at most one per window).
    pub fn anomalies(&self) -> u64 {
        self.window.anomalies()
    }

    /// Distinct subjects in the current window (gauge).
    pub fn window_subjects(&self) -> u64 {
        self.window.current_subjects()
    }

    /// The baseline: smoothed distinct subjects per window (gauge).
    pub fn baseline_subjects(&self) -> f64 {
        self.window.baseline()
    }

    /// Completed windows the baseline has seen (counter).
    pub fn windows_observed(&self) -> u64 {
        self.window.windows_observed()
    }
}

/// Every partner's meter, shared by all workers and kept across reloads.
#[derive(Debug)]
pub struct Monitor {
    origin: Instant,
    meters: DashMap<Arc<str>, Arc<PartnerMeter>>,
}

impl Default for Monitor {
    fn default() -> Self {
        Monitor::new()
    }
}

impl Monitor {
    pub fn new() -> Monitor {
        Monitor {
            origin: Instant::now(),
            meters: DashMap::new(),
        }
    }

    /// The monotonic clock meters run on, in nanoseconds since the monitor
    /// was made.
    pub fn now_ns(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// The meter of `partner`, made on first use.
    pub fn meter(&self, partner: &str) -> Arc<PartnerMeter> {
        if let Some(meter) = self.meters.get(partner) {
            return meter.clone();
        }
        self.meters
            .entry(Arc::from(partner))
            .or_insert_with(|| Arc::new(PartnerMeter::new(partner)))
            .clone()
    }

    /// [`PartnerMeter::admit`] for `partner`, now.
    pub fn admit(
        &self,
        partner: &str,
        subject: Option<u64>,
        quota: &Quota,
        anomaly: &AnomalySettings,
    ) -> Result<(), OverQuota> {
        self.admit_all(partner, subject.as_slice(), quota, anomaly)
    }

    /// [`PartnerMeter::admit_all`] for `partner`, now.
    pub fn admit_all(
        &self,
        partner: &str,
        subjects: &[u64],
        quota: &Quota,
        anomaly: &AnomalySettings,
    ) -> Result<(), OverQuota> {
        let now = self.now_ns();
        match self.meters.get(partner) {
            Some(meter) => meter.admit_all(now, subjects, quota, anomaly),
            None => self.meter(partner).admit_all(now, subjects, quota, anomaly),
        }
    }

    /// Every meter, sorted by partner (for `/metrics`).
    pub fn meters(&self) -> Vec<Arc<PartnerMeter>> {
        let mut all: Vec<Arc<PartnerMeter>> = self.meters.iter().map(|m| m.clone()).collect();
        all.sort_by(|a, b| a.partner.cmp(&b.partner));
        all
    }

    /// Anomaly alerts over all partners (counter).
    pub fn anomalies(&self) -> u64 {
        self.meters.iter().map(|m| m.anomalies()).sum()
    }
}

#[cfg(test)]
mod tests;
