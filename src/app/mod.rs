//! The running process: its state ([`App`]), what a configured partner is
//! once compiled ([`generation`]), its secret inputs ([`keys`], [`token`]),
//! everything read and checked before a socket is bound ([`inputs`]), and
//! how a running process takes a new config ([`reload`], [`watch`]).
//!
//! Knows nothing of how a request is served: the proxy and the admin
//! listener (the floors above) read this state, and `boot` (above them)
//! binds them. Fails closed: a generation is built whole or not at all,
//! and one that does not check never replaces the one serving.

pub(crate) mod budget;
pub(crate) mod cross_border;
pub(crate) mod generation;
pub(crate) mod inputs;
pub(crate) mod keys;
pub(crate) mod reload;
pub(crate) mod routes;
pub(crate) mod token;
pub(crate) mod watch;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use arc_swap::ArcSwap;

use crate::audit::{AuditHandle, SubjectHasher};
use crate::consent::ConsentStore;
use crate::metrics::Metrics;
use crate::monitor::Monitor;
pub use generation::{Candidate, Generation, Partner, RouteTarget};

/// The state every connection shares: the current generation (swapped
/// whole on reload), and what lives across reloads: the audit log, the key
/// subjects are hashed with, the consent store, the quota monitor and the
/// metrics.
pub struct App {
    current: ArcSwap<Generation>,
    /// 1 for the generation built at start, +1 per [`App::replace`].
    generation_number: AtomicU64,
    /// The proxy listener is accepting (false before it starts and while it
    /// drains on shutdown): what readiness reports.
    serving: AtomicBool,
    pub audit: AuditHandle,
    pub subjects: SubjectHasher,
    pub metrics: Arc<Metrics>,
    /// Consent decisions (live across reloads; the admin API writes them).
    pub consent: Arc<ConsentStore>,
    /// Per-partner quotas and anomaly baselines (live across reloads).
    pub monitor: Arc<Monitor>,
    /// Bytes of bodies all requests may hold (fixed at start).
    pub budget: Arc<budget::BodyBudget>,
}

impl App {
    pub fn new(
        generation: Generation,
        audit: AuditHandle,
        subjects: SubjectHasher,
        consent: Arc<ConsentStore>,
    ) -> Self {
        let budget = budget::BodyBudget::new(generation.limits.max_buffered_bytes);
        let metrics = Arc::new(Metrics::new());
        audit.on_fsync(metrics.audit_fsync_observer());
        register_partners(&metrics, &generation);
        let monitor = Arc::new(Monitor::new());
        metrics.register_collector(Box::new(crate::metrics::GateCollector {
            consent: consent.clone(),
            monitor: monitor.clone(),
        }));
        App {
            current: ArcSwap::from_pointee(generation),
            generation_number: AtomicU64::new(1),
            serving: AtomicBool::new(false),
            audit,
            subjects,
            metrics,
            consent,
            monitor,
            budget,
        }
    }

    /// The generation new requests use.
    pub fn current(&self) -> Arc<Generation> {
        self.current.load_full()
    }

    /// Makes `generation` the one new requests use; in-flight requests
    /// finish on the one they started with. Returns its number.
    pub fn replace(&self, generation: Generation) -> u64 {
        register_partners(&self.metrics, &generation);
        self.current.store(Arc::new(generation));
        self.generation_number.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The number of the generation new requests use.
    pub fn generation_number(&self) -> u64 {
        self.generation_number.load(Ordering::SeqCst)
    }

    /// The Prometheus exposition of every family, as `/metrics` serves it.
    pub fn metrics_text(&self) -> String {
        self.metrics
            .render(&self.audit.stats(), self.generation_number())
    }

    pub fn is_serving(&self) -> bool {
        self.serving.load(Ordering::SeqCst)
    }

    /// Set by `boot` when the proxy listener starts accepting and when it
    /// stops (readiness follows it).
    pub fn set_serving(&self, serving: bool) {
        self.serving.store(serving, Ordering::SeqCst);
    }
}

/// Creates every configured partner's series, so partners without traffic
/// show zeroes rather than nothing.
fn register_partners(metrics: &Metrics, generation: &Generation) {
    for partner in &generation.partners {
        metrics.partner(&partner.config.id);
    }
}
