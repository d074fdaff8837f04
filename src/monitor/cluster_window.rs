//! The anomaly rule on cluster-wide counts: the same baseline as the local
//! one (an exponentially weighted mean of distinct subjects per window,
//! empty windows counting as zero), fed by the counts Redis returns, so
//! each replica sees the partner's whole traffic. Redis reports the
//! previous window's final count with every check, so a replica that was
//! idle for part of a window folds the cluster's count, not its own.

use std::sync::atomic::Ordering;

use super::{OverQuota, PartnerMeter};
use crate::config::{AnomalySettings, Quota};

#[derive(Debug, Default)]
pub(super) struct ClusterBaseline {
    /// The window of the latest answer, and the cluster's count in it.
    current: Option<(u64, u64)>,
    baseline: f64,
    observed: u64,
    alerted: Option<u64>,
}

impl ClusterBaseline {
    fn fold(&mut self, count: u64, smoothing: f64) {
        self.baseline = if self.observed == 0 {
            count as f64
        } else {
            smoothing * count as f64 + (1.0 - smoothing) * self.baseline
        };
        self.observed += 1;
    }

    /// Moves to `window`, folding the windows that ended.
    fn roll(&mut self, window: u64, previous: u64, smoothing: f64) {
        let Some((seen, seen_count)) = self.current else {
            return;
        };
        if window <= seen {
            return;
        }
        if window - seen > 1 {
            self.fold(seen_count, smoothing);
            let empty = (window - seen - 2).min(1_000);
            for _ in 0..empty {
                self.fold(0, smoothing);
            }
        }
        self.fold(previous, smoothing);
    }
}

impl PartnerMeter {
    /// Counts a refusal Redis decided.
    pub(super) fn refused(&self, over: OverQuota) -> OverQuota {
        let counter = match over {
            OverQuota::Rate => &self.rejected_rate,
            OverQuota::DistinctSubjects => &self.rejected_subjects,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        over
    }

    /// Takes the cluster's `count` of distinct subjects in `window` (and
    /// `previous`, the window before's): the baseline when this count makes
    /// the window an anomaly not yet raised here.
    pub(super) fn cluster_window(
        &self,
        window: u64,
        count: u64,
        previous: u64,
        anomaly: &AnomalySettings,
    ) -> Option<f64> {
        let mut state = self
            .cluster
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.roll(window, previous, anomaly.smoothing);
        let count = match state.current {
            Some((seen, seen_count)) if seen == window => count.max(seen_count),
            Some((seen, _)) if seen > window => return None,
            _ => count,
        };
        state.current = Some((window, count));
        let anomalous = state.observed >= u64::from(anomaly.warmup_windows)
            && count >= u64::from(anomaly.min_subjects)
            && count as f64 > anomaly.factor * state.baseline;
        if !anomalous || state.alerted >= Some(window) {
            return None;
        }
        state.alerted = Some(window);
        Some(state.baseline)
    }

    /// Logs and counts an anomaly of the cluster's traffic.
    pub(super) fn report_anomaly(
        &self,
        subjects: u64,
        baseline: f64,
        quota: &Quota,
        anomaly: &AnomalySettings,
    ) {
        self.cluster_anomalies.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(
            partner = %self.partner,
            window_subjects = subjects,
            baseline_subjects = baseline,
            factor = anomaly.factor,
            window_seconds = quota.window.as_secs(),
            scope = "cluster",
            "anomaly: the partner is receiving data about far more distinct subjects than its \
             baseline (all replicas)"
        );
    }

    /// The cluster's count in its latest window and its baseline, once a
    /// cluster check has answered.
    pub(super) fn cluster_view(&self) -> Option<(u64, f64, u64)> {
        let state = self
            .cluster
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state
            .current
            .map(|(_, count)| (count, state.baseline, state.observed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cluster_baseline_folds_final_counts_and_alerts_once_per_window() {
        let meter = PartnerMeter::new("cb");
        let anomaly = AnomalySettings {
            factor: 2.0,
            min_subjects: 5,
            warmup_windows: 3,
            smoothing: 0.5,
        };
        // Windows 10..13 end with 10 subjects each (the cluster's count).
        for w in 10..14 {
            assert_eq!(meter.cluster_window(w, 3, 10, &anomaly), None);
        }
        let (_, baseline, observed) = meter.cluster_view().expect("seen");
        assert_eq!(observed, 3);
        assert!((baseline - 10.0).abs() < 1e-9, "{baseline}");
        assert_eq!(meter.cluster_window(13, 21, 10, &anomaly), Some(10.0));
        assert_eq!(meter.cluster_window(13, 25, 10, &anomaly), None, "once");
        // An idle stretch decays the baseline with empty windows.
        meter.cluster_window(20, 1, 0, &anomaly);
        let (_, baseline, _) = meter.cluster_view().expect("seen");
        assert!(baseline < 2.0, "{baseline}");
    }
}
