//! The body budget: how many bytes of request and response bodies all
//! requests together may hold in memory (`limits.max_buffered_bytes`).
//! Bodies are buffered whole for inspection, so without a global bound a
//! few hundred large uploads would take the process's memory; with it, the
//! request that would pass the bound is refused (503 `overloaded`) and the
//! others go on.
//!
//! Knows nothing of HTTP: the proxy takes bytes as it reads and decodes,
//! and gives them back when the request ends (dropping its [`Held`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The process-wide budget, shared by every request.
#[derive(Debug)]
pub struct BodyBudget {
    limit: usize,
    used: AtomicUsize,
    /// Takes refused because the budget was spent.
    refused: AtomicU64,
}

/// Bytes one request holds; given back when it drops.
#[derive(Debug)]
pub struct Held {
    budget: Arc<BodyBudget>,
    bytes: usize,
}

impl BodyBudget {
    pub fn new(limit: usize) -> Arc<BodyBudget> {
        Arc::new(BodyBudget {
            limit,
            used: AtomicUsize::new(0),
            refused: AtomicU64::new(0),
        })
    }

    /// An empty holding for one request.
    pub fn hold(self: &Arc<Self>) -> Held {
        Held {
            budget: self.clone(),
            bytes: 0,
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes held by all requests now.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    fn take(&self, bytes: usize) -> bool {
        let taken = self
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&total| total <= self.limit)
            })
            .is_ok();
        if !taken {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
        taken
    }
}

impl Held {
    /// Takes `bytes` more; `false` (nothing taken) when the budget cannot
    /// cover them.
    pub fn grow(&mut self, bytes: usize) -> bool {
        if bytes == 0 {
            return true;
        }
        let taken = self.budget.take(bytes);
        if taken {
            self.bytes += bytes;
        }
        taken
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holdings_are_bounded_together_and_given_back() {
        let budget = BodyBudget::new(100);
        let mut a = budget.hold();
        let mut b = budget.hold();
        assert!(a.grow(60));
        assert!(!b.grow(50), "the two would pass the limit");
        assert!(b.grow(40));
        assert_eq!((budget.used(), budget.refused()), (100, 1));
        drop(a);
        assert_eq!(budget.used(), 40);
        assert!(b.grow(60));
        drop(b);
        assert_eq!(budget.used(), 0);
    }
}
