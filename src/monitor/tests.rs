use std::time::Duration;

use super::*;
use crate::config::{AnomalySettings, Quota};

const SECOND: u64 = 1_000_000_000;

fn quota(distinct: Option<u32>) -> Quota {
    Quota {
        requests_per_second: None,
        burst: None,
        distinct_subjects: distinct,
        window: Duration::from_secs(10),
        cluster: false,
    }
}

fn anomaly() -> AnomalySettings {
    AnomalySettings {
        factor: 3.0,
        min_subjects: 5,
        warmup_windows: 2,
        smoothing: 0.5,
    }
}

/// Sends `subjects` distinct subjects (numbered from `first`) at `at`.
fn burst(meter: &PartnerMeter, at: u64, first: u64, subjects: u64, q: &Quota) -> usize {
    (first..first + subjects)
        .filter(|s| meter.admit(at, Some(*s), q, &anomaly()).is_err())
        .count()
}

#[test]
fn distinct_subjects_are_counted_once_per_window_and_capped() {
    let meter = PartnerMeter::new("p");
    let q = quota(Some(3));
    let t = 100 * SECOND;
    assert_eq!(burst(&meter, t, 0, 3, &q), 0);
    // The same subjects again: not new, so admitted.
    assert_eq!(burst(&meter, t + SECOND, 0, 3, &q), 0);
    assert_eq!(
        meter.admit(t + SECOND, Some(99), &q, &anomaly()),
        Err(OverQuota::DistinctSubjects)
    );
    assert_eq!(meter.rejected_subjects(), 1);
    assert_eq!(meter.window_subjects(), 3);
    // A refused subject was not counted: it is refused again, not waved through.
    assert!(meter.admit(t + SECOND, Some(99), &q, &anomaly()).is_err());
    // Requests without a subject are not subject-limited.
    assert!(meter.admit(t + SECOND, None, &q, &anomaly()).is_ok());
    // The next window starts from zero.
    assert_eq!(burst(&meter, t + 10 * SECOND, 50, 3, &q), 0);
    assert_eq!(meter.window_subjects(), 3);
}

#[test]
fn the_rate_quota_refuses_beyond_the_burst() {
    let meter = PartnerMeter::new("p");
    let q = Quota {
        requests_per_second: Some(5),
        burst: Some(2),
        ..quota(None)
    };
    let t = 10 * SECOND;
    assert!(meter.admit(t, None, &q, &anomaly()).is_ok());
    assert!(meter.admit(t, None, &q, &anomaly()).is_ok());
    assert_eq!(meter.admit(t, None, &q, &anomaly()), Err(OverQuota::Rate));
    assert_eq!(meter.rejected_rate(), 1);
    assert!(meter.admit(t + SECOND / 5, None, &q, &anomaly()).is_ok());
}

#[test]
fn an_anomaly_is_raised_once_per_window_far_above_the_baseline() {
    let meter = PartnerMeter::new("p");
    let q = quota(None);
    let w = 10 * SECOND;
    // Windows 1..=3 see 4 subjects each: the baseline settles at 4.
    for window in 1..=3 {
        burst(&meter, window * w, window * 100, 4, &q);
    }
    // Window 4 rolls the third into the baseline.
    burst(&meter, 4 * w, 400, 12, &q);
    assert_eq!(meter.windows_observed(), 3);
    assert!((meter.baseline_subjects() - 4.0).abs() < 1e-9);
    assert_eq!(meter.anomalies(), 0, "12 is not above 3 × 4");
    burst(&meter, 4 * w + 1, 500, 1, &q);
    assert_eq!(meter.anomalies(), 1, "13 is");
    burst(&meter, 4 * w + 2, 600, 20, &q);
    assert_eq!(meter.anomalies(), 1, "once per window");

    // The burst raises the baseline (0.5 × 33 + 0.5 × 4); the same volume
    // next window is no longer an anomaly.
    burst(&meter, 5 * w, 1000, 33, &q);
    assert!((meter.baseline_subjects() - 18.5).abs() < 1e-9);
    assert_eq!(meter.anomalies(), 1);
}

#[test]
fn no_anomaly_before_warm_up_or_below_the_floor_and_idle_windows_decay() {
    let meter = PartnerMeter::new("p");
    let q = quota(None);
    let w = 10 * SECOND;
    burst(&meter, w, 0, 1, &q);
    burst(&meter, 2 * w, 100, 30, &q);
    assert_eq!(meter.anomalies(), 0, "one window observed is still warm-up");
    burst(&meter, 3 * w, 200, 30, &q);
    assert_eq!(meter.windows_observed(), 2);
    assert_eq!(meter.anomalies(), 0, "30 is not above 3 × 15.5");
    // Ten idle windows later the baseline has decayed; 4 subjects are under
    // min_subjects, 5 are an anomaly.
    burst(&meter, 14 * w, 300, 4, &q);
    assert_eq!(meter.windows_observed(), 13);
    assert!(meter.baseline_subjects() < 0.1);
    assert_eq!(meter.anomalies(), 0);
    burst(&meter, 14 * w, 304, 1, &q);
    assert_eq!(meter.anomalies(), 1);
}

#[test]
fn the_monitor_keeps_one_meter_per_partner() {
    let monitor = Monitor::new();
    let q = quota(Some(1));
    assert!(monitor.admit("a", Some(1), &q, &anomaly()).is_ok());
    assert!(monitor.admit("b", Some(2), &q, &anomaly()).is_ok());
    assert!(monitor.admit("a", Some(3), &q, &anomaly()).is_err());
    let meters = monitor.meters();
    let names: Vec<&str> = meters.iter().map(|m| m.partner()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(meters[0].rejected_subjects(), 1);
    assert!(Arc::ptr_eq(&monitor.meter("a"), &meters[0]));
}

#[test]
fn concurrent_subjects_are_counted_exactly() {
    let meter = Arc::new(PartnerMeter::new("p"));
    let q = quota(Some(1000));
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let meter = meter.clone();
            std::thread::spawn(move || {
                // Each thread sends 500 subjects, half shared with the next thread.
                (0..500u64)
                    .filter(|i| {
                        let subject = (t * 250 + i) % 1000;
                        meter.admit(SECOND, Some(subject), &q, &anomaly()).is_ok()
                    })
                    .count()
            })
        })
        .collect();
    let admitted: usize = threads.into_iter().map(|t| t.join().expect("thread")).sum();
    assert_eq!(
        admitted, 2000,
        "1000 distinct subjects fit the quota exactly"
    );
    assert_eq!(meter.window_subjects(), 1000);
    assert!(meter.admit(SECOND, Some(5000), &q, &anomaly()).is_err());
}
