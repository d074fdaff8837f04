//! The proxy's Prometheus metrics: one registry with every family the admin
//! listener exposes at `/metrics`, and the cheap recording calls the request
//! flow makes.
//!
//! Owns the family names, their labels and buckets, and the text encoding.
//! Knows nothing of HTTP or of the engine's insides: the flow hands it
//! partner ids, status codes, refusal codes, categories and actions. No
//! label is ever built from a request's content: every label value is a
//! code, a fixed word or an [`Ident`] checked when the config was loaded.
//!
//! Recording never takes the registry lock: each family is a shared handle,
//! and per-partner series are created once per partner and cloned.
//!
//! Extending: another module defines its own families and registers them
//! with [`Metrics::register`] (or a scrape-time [`Collector`] with
//! [`Metrics::register_collector`]), keeping a clone to record into. The
//! consent store's quota and anomaly counters are meant to land there.

use std::collections::HashMap;

use crate::ident::Ident;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Metric, Registry, Unit};

use crate::audit::AuditStats;
use crate::engine;

mod exports;
mod gates;
mod labels;
mod listeners;
mod process;

pub use gates::GateCollector;
pub use listeners::ListenerCollector;

use crate::candidate::{CandidateResult, Difference};
use labels::{
    AdminLabels, CandidateFieldLabels, CandidateRequestLabels, FindingLabels, PartnerLabel,
    RefusalLabels, ReloadLabels, RequestLabels,
};
pub use labels::{Direction, ReloadTrigger};

/// The prefix of every family name.
pub const PREFIX: &str = "pii_proxy";

/// The `Content-Type` of [`Metrics::render`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The partner label of a request no route matched. Not a valid partner id
/// (ids have no parentheses), so it cannot collide with one.
pub const NO_PARTNER: &str = "(none)";

/// Time the proxy itself adds: reading, inspecting, auditing, writing.
const ADDED_LATENCY_BUCKETS: [f64; 15] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5,
];
/// A partner's answer time.
const UPSTREAM_LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
const FSYNC_BUCKETS: [f64; 12] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

type HistogramFamily = Family<PartnerLabel, Histogram, fn() -> Histogram>;

fn added_latency_histogram() -> Histogram {
    Histogram::new(ADDED_LATENCY_BUCKETS)
}

fn upstream_latency_histogram() -> Histogram {
    Histogram::new(UPSTREAM_LATENCY_BUCKETS)
}

/// One partner's pre-created series: recording into them is an atomic add
/// (counters) or a short lock (histograms), with no label lookup.
#[derive(Debug)]
pub struct PartnerMetrics {
    partner: Arc<str>,
    added_latency: Histogram,
    upstream_latency: Histogram,
    bytes_received: Counter,
    bytes_forwarded: Counter,
    consent_blocks: Counter,
}

impl PartnerMetrics {
    /// The partner label as metrics carry it.
    pub fn label(&self) -> &Arc<str> {
        &self.partner
    }
}

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

/// Every family, and the registry that encodes them.
#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    partners: RwLock<HashMap<String, Arc<PartnerMetrics>>>,
    requests: Family<RequestLabels, Counter>,
    in_flight: Gauge,
    added_latency: HistogramFamily,
    upstream_latency: HistogramFamily,
    bytes_received: Family<PartnerLabel, Counter>,
    bytes_forwarded: Family<PartnerLabel, Counter>,
    findings: Family<FindingLabels, Counter>,
    refusals: Family<RefusalLabels, Counter>,
    consent_blocks: Family<PartnerLabel, Counter>,
    candidate_requests: Family<CandidateRequestLabels, Counter>,
    candidate_fields: Family<CandidateFieldLabels, Counter>,
    audit_queue_depth: Gauge,
    audit_queue_capacity: Gauge,
    audit_records: Counter,
    audit_batches_failed: Counter,
    audit_checkpoints: Counter,
    audit_witness_failures: Counter,
    audit_available: Gauge,
    audit_fsync: Histogram,
    sink: SinkGauges,
    config_generation: Gauge,
    config_reloads: Family<ReloadLabels, Counter>,
    config_last_reload_successful: Gauge,
    admin_requests: Family<AdminLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry with every family registered and nothing recorded.
    pub fn new() -> Metrics {
        // The proxy's own families under `pii_proxy_`; the process
        // metrics under their standard unprefixed names.
        let mut registry = Registry::default();
        registry.register_collector(Box::new(process::ProcessCollector));
        let m = Metrics {
            registry: Mutex::new(Registry::default()),
            partners: RwLock::new(HashMap::new()),
            requests: Family::default(),
            in_flight: Gauge::default(),
            added_latency: Family::new_with_constructor(added_latency_histogram),
            upstream_latency: Family::new_with_constructor(upstream_latency_histogram),
            bytes_received: Family::default(),
            bytes_forwarded: Family::default(),
            findings: Family::default(),
            refusals: Family::default(),
            consent_blocks: Family::default(),
            candidate_requests: Family::default(),
            candidate_fields: Family::default(),
            audit_queue_depth: Gauge::default(),
            audit_queue_capacity: Gauge::default(),
            audit_records: Counter::default(),
            audit_batches_failed: Counter::default(),
            audit_checkpoints: Counter::default(),
            audit_witness_failures: Counter::default(),
            audit_available: Gauge::default(),
            audit_fsync: Histogram::new(FSYNC_BUCKETS),
            sink: SinkGauges::default(),
            config_generation: Gauge::default(),
            config_reloads: Family::default(),
            config_last_reload_successful: Gauge::default(),
            admin_requests: Family::default(),
        };
        m.register_all(registry.sub_registry_with_prefix(PREFIX));
        *m.registry.lock().unwrap_or_else(|p| p.into_inner()) = registry;
        m
    }

    fn register_all(&self, r: &mut Registry) {
        self.register_requests(r);
        self.register_audit(r);
        self.register_admin(r);
    }

    /// The build and the families of the request flow.
    fn register_requests(&self, r: &mut Registry) {
        r.register(
            "build",
            "The running build (value 1)",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        r.register(
            "requests",
            "Requests answered, by partner (`(none)` when no route matched) and HTTP status",
            self.requests.clone(),
        );
        r.register(
            "requests_in_flight",
            "Requests being served now",
            self.in_flight.clone(),
        );
        r.register_with_unit(
            "added_latency",
            "Time the proxy itself added to a request (total minus the partner's time), by partner",
            Unit::Seconds,
            self.added_latency.clone(),
        );
        r.register_with_unit(
            "upstream_latency",
            "Time the partner took to answer (to the response head; to the end of the body when responses are inspected), by partner",
            Unit::Seconds,
            self.upstream_latency.clone(),
        );
        r.register_with_unit(
            "received",
            "Request body bytes received from callers (before decoding), by partner",
            Unit::Bytes,
            self.bytes_received.clone(),
        );
        r.register_with_unit(
            "forwarded",
            "Request body bytes forwarded to partners (after protection), by partner",
            Unit::Bytes,
            self.bytes_forwarded.clone(),
        );
        r.register(
            "findings",
            "Values protected, by partner, direction (request or response), category and action",
            self.findings.clone(),
        );
        r.register(
            "refusals",
            "Requests refused, by partner, reason (the public error code) and fault (caller, partner, proxy)",
            self.refusals.clone(),
        );
        r.register(
            "consent_blocks",
            "Requests refused because the subject revoked consent for the partner",
            self.consent_blocks.clone(),
        );
        r.register(
            "candidate_requests",
            "Requests the partner's candidate rules were run on in shadow, by result (same, different, refused)",
            self.candidate_requests.clone(),
        );
        r.register(
            "candidate_fields",
            "Fields the candidate rules would treat differently, by difference (newly_protected, left_unprotected, changed) and category",
            self.candidate_fields.clone(),
        );
    }

    /// The audit writer's families.
    fn register_audit(&self, r: &mut Registry) {
        r.register(
            "audit_queue_depth",
            "Audit records waiting for the writer",
            self.audit_queue_depth.clone(),
        );
        r.register(
            "audit_queue_capacity",
            "Audit records that may wait before requests wait for room",
            self.audit_queue_capacity.clone(),
        );
        r.register(
            "audit_records_written",
            "Audit records written since start",
            self.audit_records.clone(),
        );
        r.register(
            "audit_batches_failed",
            "Audit batches refused since start (requests answered 503 audit_unavailable)",
            self.audit_batches_failed.clone(),
        );
        r.register(
            "audit_available",
            "1 while the audit writer accepts records, 0 after a failed batch until the next good one",
            self.audit_available.clone(),
        );
        r.register(
            "audit_checkpoints_written",
            "Signed audit checkpoints written since start",
            self.audit_checkpoints.clone(),
        );
        r.register(
            "audit_witness_failures",
            "Audit checkpoints a witness did not keep since start (each is logged)",
            self.audit_witness_failures.clone(),
        );
        self.sink.register(r);
        r.register_with_unit(
            "audit_fsync",
            "Time each fsync of an audit segment took",
            Unit::Seconds,
            self.audit_fsync.clone(),
        );
    }

    /// Config generations, reloads and the admin listener.
    fn register_admin(&self, r: &mut Registry) {
        r.register(
            "config_generation",
            "The config generation serving new requests (1 at start, +1 per successful reload)",
            self.config_generation.clone(),
        );
        r.register(
            "config_reloads",
            "Config reloads, by trigger (admin_api, signal, file_watch) and result (ok, rejected)",
            self.config_reloads.clone(),
        );
        r.register(
            "config_last_reload_successful",
            "1 if the last reload succeeded (or none happened), 0 if it was rejected",
            self.config_last_reload_successful.clone(),
        );
        r.register(
            "admin_requests",
            "Requests to the admin listener, by endpoint and status (401 = bad or missing token)",
            self.admin_requests.clone(),
        );
        self.config_last_reload_successful.set(1);
    }

    /// The series of partner `id`, created on first use. Called for every
    /// configured partner when a generation starts serving, so a partner
    /// with no traffic yet still shows zeroes.
    pub fn partner(&self, id: &Ident) -> Arc<PartnerMetrics> {
        if let Some(found) = self
            .partners
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id.as_str())
        {
            return found.clone();
        }
        let mut partners = self.partners.write().unwrap_or_else(|p| p.into_inner());
        partners
            .entry(id.to_string())
            .or_insert_with(|| Arc::new(self.new_partner(id)))
            .clone()
    }

    fn new_partner(&self, id: &Ident) -> PartnerMetrics {
        let label = PartnerLabel {
            partner: id.shared().clone(),
        };
        PartnerMetrics {
            added_latency: self.added_latency.get_or_create(&label).clone(),
            upstream_latency: self.upstream_latency.get_or_create(&label).clone(),
            bytes_received: self.bytes_received.get_or_create(&label).clone(),
            bytes_forwarded: self.bytes_forwarded.get_or_create(&label).clone(),
            consent_blocks: self.consent_blocks.get_or_create(&label).clone(),
            partner: label.partner,
        }
    }

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

    /// A handle to the fsync histogram, for the audit writer's hook (which
    /// runs on the writer thread and must not hold the whole registry).
    pub fn audit_fsync_observer(&self) -> impl Fn(Duration) + Send + Sync + 'static {
        let histogram = self.audit_fsync.clone();
        move |took: Duration| histogram.observe(took.as_secs_f64())
    }

    /// Registers a family defined by another module (keep a clone to record
    /// into). `name` gets the `pii_proxy_` prefix.
    pub fn register(&self, name: &str, help: &str, metric: impl Metric) {
        self.registry
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .sub_registry_with_prefix(PREFIX)
            .register(name, help, metric);
    }

    /// Registers a collector asked for its values at every scrape.
    pub fn register_collector(&self, collector: Box<dyn Collector>) {
        self.registry
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .sub_registry_with_prefix(PREFIX)
            .register_collector(collector);
    }

    /// The exposition text: scrape-time values (audit writer, config
    /// generation) are read first.
    pub fn render(&self, audit: &AuditStats, generation: u64) -> String {
        let gauge = |g: &Gauge, v: u64| {
            g.set(i64::try_from(v).unwrap_or(i64::MAX));
        };
        gauge(&self.audit_queue_depth, audit.queue_depth as u64);
        gauge(&self.audit_queue_capacity, audit.queue_capacity as u64);
        gauge(&self.audit_available, u64::from(audit.available));
        gauge(&self.config_generation, generation);
        let mut out = String::with_capacity(16 * 1024);
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        // Under the lock, so two scrapes cannot both add the same increase.
        let catch_up = |c: &Counter, total: u64| {
            c.inc_by(total.saturating_sub(c.get()));
        };
        catch_up(&self.audit_records, audit.records_written);
        catch_up(&self.audit_checkpoints, audit.checkpoints_written);
        catch_up(&self.audit_witness_failures, audit.witness_failures);
        catch_up(&self.audit_batches_failed, audit.batches_failed);
        if let Some(sink) = &audit.sink {
            self.sink.set(sink);
            catch_up(&self.sink.failures, sink.failures);
        }
        if prometheus_client::encoding::text::encode(&mut out, &registry).is_err() {
            // Encoding into a String only fails if a metric's own encoder
            // does; say so in the exposition rather than serve half of it.
            out.clear();
            let _ = writeln!(out, "# encoding the metrics failed\n# EOF");
        }
        out
    }
}

/// The audit sink's families (`audit.sink`); absent from the exposition
/// values stay 0 without a sink.
#[derive(Debug, Default)]
struct SinkGauges {
    lag_records: Gauge,
    lag_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
    spool_bytes: Gauge,
    shipped_seq: Gauge,
    connected: Gauge,
    failures: Counter,
}

impl SinkGauges {
    fn register(&self, r: &mut Registry) {
        r.register(
            "audit_sink_lag_records",
            "Audit records written locally and not yet acknowledged by the NATS stream",
            self.lag_records.clone(),
        );
        r.register_with_unit(
            "audit_sink_lag",
            "Age of the oldest audit record not yet acknowledged by the NATS stream (0 when none waits)",
            Unit::Seconds,
            self.lag_seconds.clone(),
        );
        r.register_with_unit(
            "audit_sink_spool",
            "Bytes of local audit segments not yet shipped",
            Unit::Bytes,
            self.spool_bytes.clone(),
        );
        r.register(
            "audit_sink_shipped_seq",
            "Seq of the newest audit record acknowledged by the NATS stream, with every one before it",
            self.shipped_seq.clone(),
        );
        r.register(
            "audit_sink_connected",
            "1 while the audit sink's connection to NATS is up",
            self.connected.clone(),
        );
        r.register(
            "audit_sink_publish_failures",
            "Publish rounds to the NATS stream not acknowledged since start (each retried)",
            self.failures.clone(),
        );
    }

    fn set(&self, sink: &crate::audit::shipping::SinkStats) {
        let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.lag_records.set(int(sink.lag_records));
        self.lag_seconds.set(sink.lag.as_secs_f64());
        self.spool_bytes.set(int(sink.spool_bytes));
        self.shipped_seq.set(int(sink.shipped_seq));
        self.connected.set(i64::from(sink.connected));
    }
}

/// Decrements the in-flight gauge when dropped.
pub struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests;
