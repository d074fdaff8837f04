//! Distinct subjects per fixed window, the quota on them, and the anomaly
//! rule against a baseline of past windows.
//!
//! The window number and its count share one atomic, so a new window starts
//! with one compare-and-swap. The fingerprints counted in the current window
//! are in a sharded map (one shard lock per request), so a subject is
//! counted once per window. The request that starts a window folds the
//! finished one into the baseline (an exponentially weighted mean, with
//! windows that saw no request counted as zero) and swaps in an empty map,
//! so no request pays for pruning the old one. A request racing that swap
//! can count its subject once more in the new window: the count errs high,
//! never low.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arc_swap::ArcSwap;
use dashmap::mapref::entry::Entry;

use crate::config::AnomalySettings;
use crate::consent::PrehashedMap;

/// What [`DistinctWindow::admit`] decided.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Admission {
    Admitted,
    /// Admitted, and this subject made the window an anomaly (reported once
    /// per window).
    Anomaly {
        subjects: u64,
        baseline: f64,
    },
    /// One subject more than `distinct_subjects` allows; not counted.
    OverQuota,
}

/// `window + 1` in the high half (0: no request yet), distinct subjects
/// counted in that window in the low half.
fn pack(window: u64, count: u64) -> u64 {
    ((window + 1) << 32) | count.min(u64::from(u32::MAX))
}

fn unpack(state: u64) -> (Option<u64>, u64) {
    let tag = state >> 32;
    (tag.checked_sub(1), state & u64::from(u32::MAX))
}

#[derive(Debug, Default)]
pub struct DistinctWindow {
    state: AtomicU64,
    /// Subject fingerprint → the window it was counted in (the current one,
    /// but for a request that raced the swap).
    seen: ArcSwap<PrehashedMap<u64, u64>>,
    /// f64 bits of the baseline.
    baseline: AtomicU64,
    windows_observed: AtomicU64,
    /// `window + 1` of the last anomaly alert.
    alerted: AtomicU64,
    anomalies: AtomicU64,
}

impl DistinctWindow {
    /// Counts `subject` in the window `now_ns` falls in (windows of
    /// `window_ns`), unless that would exceed `limit`.
    pub fn admit(
        &self,
        now_ns: u64,
        window_ns: u64,
        subject: u64,
        limit: Option<u32>,
        anomaly: &AnomalySettings,
    ) -> Admission {
        // Windows are numbered on the monitor's clock; < 2^32 of them
        // (136 years of 1 s windows) fit the packed state.
        let window = (now_ns / window_ns.max(1)).min(u64::from(u32::MAX) - 2);
        let window = self.roll(window, anomaly.smoothing);
        let seen = self.seen.load();
        let (counted_in, count) = match seen.entry(subject) {
            Entry::Occupied(ref seen) if *seen.get() >= window => return Admission::Admitted,
            entry => {
                let Some((counted_in, count)) = self.count_one_more(limit) else {
                    return Admission::OverQuota;
                };
                entry.insert(counted_in);
                (counted_in, count)
            }
        };
        self.check_anomaly(counted_in, count, anomaly)
    }

    /// Moves the state to `window` if it is behind, folding the finished
    /// windows into the baseline. Returns the current window (a racing
    /// request may already have started a later one).
    fn roll(&self, window: u64, smoothing: f64) -> u64 {
        loop {
            let state = self.state.load(Ordering::Acquire);
            let (current, count) = unpack(state);
            if current.is_some_and(|c| c >= window) {
                return current.unwrap_or(window);
            }
            let next = pack(window, 0);
            if self
                .state
                .compare_exchange(state, next, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                continue;
            }
            if let Some(current) = current {
                self.fold(count, window - current - 1, smoothing);
                self.seen.store(Arc::new(PrehashedMap::default()));
            }
            return window;
        }
    }

    /// Adds a finished window of `count` subjects and `empty` windows
    /// without requests to the baseline.
    fn fold(&self, count: u64, empty: u64, smoothing: f64) {
        let observed = self.windows_observed.load(Ordering::Relaxed);
        let previous = f64::from_bits(self.baseline.load(Ordering::Relaxed));
        let mut baseline = if observed == 0 {
            count as f64
        } else {
            smoothing * count as f64 + (1.0 - smoothing) * previous
        };
        let empty_decay = (1.0 - smoothing).powi(i32::try_from(empty).unwrap_or(i32::MAX));
        baseline *= empty_decay;
        self.baseline.store(baseline.to_bits(), Ordering::Relaxed);
        self.windows_observed
            .fetch_add(1 + empty, Ordering::Relaxed);
    }

    /// One more distinct subject in the current window, if under `limit`:
    /// the window it was counted in and the new count.
    fn count_one_more(&self, limit: Option<u32>) -> Option<(u64, u64)> {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            let (window, count) = unpack(state);
            let window = window.expect("roll() started a window before counting");
            if limit.is_some_and(|l| count >= u64::from(l)) {
                return None;
            }
            match self.state.compare_exchange_weak(
                state,
                pack(window, count + 1),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Some((window, count + 1)),
                Err(seen) => state = seen,
            }
        }
    }

    fn check_anomaly(&self, window: u64, count: u64, anomaly: &AnomalySettings) -> Admission {
        let warmed_up = self.windows_observed() >= u64::from(anomaly.warmup_windows);
        let baseline = self.baseline();
        if !warmed_up
            || count < u64::from(anomaly.min_subjects)
            || count as f64 <= anomaly.factor * baseline
        {
            return Admission::Admitted;
        }
        let tag = window + 1;
        let mut alerted = self.alerted.load(Ordering::Relaxed);
        loop {
            if alerted >= tag {
                return Admission::Admitted;
            }
            match self.alerted.compare_exchange_weak(
                alerted,
                tag,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(seen) => alerted = seen,
            }
        }
        self.anomalies.fetch_add(1, Ordering::Relaxed);
        Admission::Anomaly {
            subjects: count,
            baseline,
        }
    }

    /// Distinct subjects counted in the window the latest request fell in.
    pub fn current_subjects(&self) -> u64 {
        unpack(self.state.load(Ordering::Relaxed)).1
    }

    pub fn baseline(&self) -> f64 {
        f64::from_bits(self.baseline.load(Ordering::Relaxed))
    }

    pub fn windows_observed(&self) -> u64 {
        self.windows_observed.load(Ordering::Relaxed)
    }

    pub fn anomalies(&self) -> u64 {
        self.anomalies.load(Ordering::Relaxed)
    }
}
