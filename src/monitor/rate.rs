//! Requests per second as a token bucket, in its GCRA form: one atomic
//! holding the "theoretical arrival time" of the next request. Lock-free;
//! a refused request takes no token.

use std::sync::atomic::{AtomicU64, Ordering};

const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// A token bucket of `burst` tokens refilled at `rate` per second.
#[derive(Debug, Default)]
pub struct RateLimiter {
    /// When the bucket will be full again, in the monitor's nanoseconds.
    theoretical_arrival: AtomicU64,
}

impl RateLimiter {
    /// Takes one token at `now_ns`, if there is one. `rate` and `burst` are
    /// passed per call so a reload changes them without a reset.
    pub fn admit(&self, now_ns: u64, rate: u32, burst: u32) -> bool {
        let interval = (NANOS_PER_SECOND / u64::from(rate.max(1))).max(1);
        let tolerance = interval.saturating_mul(u64::from(burst.max(1)) - 1);
        let mut current = self.theoretical_arrival.load(Ordering::Relaxed);
        loop {
            let start = current.max(now_ns);
            if start - now_ns > tolerance {
                return false;
            }
            match self.theoretical_arrival.compare_exchange_weak(
                current,
                start + interval,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(seen) => current = seen,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate() {
        let bucket = RateLimiter::default();
        let t0 = 5 * NANOS_PER_SECOND;
        let admitted = (0..10).filter(|_| bucket.admit(t0, 2, 3)).count();
        assert_eq!(admitted, 3, "the burst");
        assert!(!bucket.admit(t0 + NANOS_PER_SECOND / 4, 2, 3));
        assert!(
            bucket.admit(t0 + NANOS_PER_SECOND / 2, 2, 3),
            "one token per 500ms"
        );
        assert!(!bucket.admit(t0 + NANOS_PER_SECOND / 2, 2, 3));
        // A long pause refills to the burst, no further.
        let later = t0 + 100 * NANOS_PER_SECOND;
        assert_eq!((0..10).filter(|_| bucket.admit(later, 2, 3)).count(), 3);
    }

    #[test]
    fn concurrent_takers_share_the_burst_exactly() {
        let bucket = std::sync::Arc::new(RateLimiter::default());
        let t0 = NANOS_PER_SECOND;
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let bucket = bucket.clone();
                std::thread::spawn(move || (0..1000).filter(|_| bucket.admit(t0, 10, 100)).count())
            })
            .collect();
        let total: usize = threads.into_iter().map(|t| t.join().expect("thread")).sum();
        assert_eq!(total, 100);
    }
}
