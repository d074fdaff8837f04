//! The proxy: an HTTP/1.1 and HTTP/2 server in front of partner APIs. Every
//! request is routed to one configured partner, its body read under limits,
//! decoded, inspected by the partner's compiled policy, and only then sent
//! upstream; the answer comes back the same way.
//!
//! Owns: the listener (TLS, ALPN, h2c), routing, forwarding, the upstream
//! clients, body limits and timeouts, content types and encodings, and the
//! per-request flow ([`flow`]). Knows nothing of rule syntax: it hands bytes
//! to the engine and forwards what comes back. Fails closed: a request that
//! cannot be fully inspected (over a limit, malformed, in an unknown
//! encoding or type) is refused with a JSON error and nothing is forwarded.

pub mod audit_records;
pub mod body;
pub mod encoding;
pub mod error;
pub mod flow;
pub mod form;
pub mod gates;
pub mod headers;
pub mod inspect;
pub mod route;
pub mod server;
pub mod shadow;
pub mod start;
pub mod upstream;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http_body_util::combinators::BoxBody;

use crate::audit::{AuditHandle, Ident, RulesVersion, SubjectHasher};
use crate::config::{Limits, Partner};
use crate::consent::{ConsentStore, Scopes};
use crate::metrics::Metrics;
use crate::monitor::Monitor;
use crate::rules::Policy;

pub use error::{Fault, Refusal};
pub use server::{Server, shutdown_signal};
pub use start::StartError;

/// The body type of every response the proxy sends.
pub type ProxyBody = BoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// Everything one config generation serves with: routes, partners with their
/// compiled policies and clients, limits. Requests hold an `Arc` to the
/// generation they started on, so a reload never changes a request midway.
pub struct Generation {
    pub router: route::Router,
    pub partners: Vec<PartnerRuntime>,
    pub limits: Limits,
    /// The router's entry `i` (a partner's route or one of its `routes`)
    /// → the partner and scenario it serves.
    pub route_targets: Vec<RouteTarget>,
    /// Configured partners and scenarios, for the consent admin API's
    /// warnings and lookups.
    pub consent_scopes: Scopes,
}

/// What one route leads to.
#[derive(Debug, Clone)]
pub struct RouteTarget {
    /// Index into [`Generation::partners`].
    pub partner: usize,
    /// The scenario (purpose) consent is decided for.
    pub scenario: Arc<str>,
}

/// One partner, ready to serve.
pub struct PartnerRuntime {
    pub config: Partner,
    pub policy: Arc<Policy>,
    pub target: upstream::Target,
    /// The partner id and rules version as audit records carry them, built
    /// once here rather than per request.
    pub audit_label: Ident,
    pub rules_version: RulesVersion,
    /// The partner's `candidate_rules`, run in shadow on every request.
    pub candidate: Option<Candidate>,
}

/// A candidate policy and its version as audit records carry it.
pub struct Candidate {
    pub policy: Arc<Policy>,
    pub rules_version: RulesVersion,
}

/// The state shared by all connections: the current generation (swapped
/// whole on reload), and what lives across reloads: the audit log, the key
/// subjects are hashed with, the consent store, the quota monitor and the
/// metrics.
pub struct Proxy {
    current: ArcSwap<Generation>,
    /// 1 for the generation built at start, +1 per [`Proxy::replace`].
    generation_number: AtomicU64,
    /// The listener is accepting (false before it starts and while it
    /// drains on shutdown): what readiness reports.
    serving: AtomicBool,
    pub audit: AuditHandle,
    pub subjects: SubjectHasher,
    pub metrics: Arc<Metrics>,
    /// Consent decisions (live across reloads; the admin API writes them).
    pub consent: Arc<ConsentStore>,
    /// Per-partner quotas and anomaly baselines (live across reloads).
    pub monitor: Arc<Monitor>,
}

impl Proxy {
    pub fn new(
        generation: Generation,
        audit: AuditHandle,
        subjects: SubjectHasher,
        consent: Arc<ConsentStore>,
    ) -> Self {
        let metrics = Arc::new(Metrics::new());
        audit.on_fsync(metrics.audit_fsync_observer());
        register_partners(&metrics, &generation);
        let monitor = Arc::new(Monitor::new());
        metrics.register_collector(Box::new(crate::metrics::GateCollector {
            consent: consent.clone(),
            monitor: monitor.clone(),
        }));
        Proxy {
            current: ArcSwap::from_pointee(generation),
            generation_number: AtomicU64::new(1),
            serving: AtomicBool::new(false),
            audit,
            subjects,
            metrics,
            consent,
            monitor,
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

    pub fn is_serving(&self) -> bool {
        self.serving.load(Ordering::SeqCst)
    }

    pub(crate) fn set_serving(&self, serving: bool) {
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
