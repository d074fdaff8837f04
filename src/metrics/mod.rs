//! The proxy's Prometheus metrics: one registry with every family the admin
//! listener exposes at `/metrics`, and the cheap recording calls the request
//! flow makes.
//!
//! Owns the family names ([`families`]), their labels and buckets, the
//! recording calls ([`record`]) and the text encoding (here).
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
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Metric, Registry};

use crate::audit::AuditStats;
use crate::ident::Ident;

mod exports;
mod families;
mod gates;
mod labels;
mod listeners;
mod process;
mod record;
mod sink;

pub use gates::GateCollector;
pub use listeners::ListenerCollector;
pub use record::{RefusalSample, RequestSample};

use labels::{
    AdminLabels, CandidateFieldLabels, CandidateRequestLabels, FindingLabels, PartnerLabel,
    RefusalLabels, ReloadLabels, RequestLabels,
};
pub use labels::{Direction, ReloadTrigger};
use sink::SinkGauges;

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

#[cfg(test)]
mod tests;
