//! The audit sink's gauges (`audit.sink`): lag, spool, shipped position,
//! connection and publish failures, set from the writer's stats at scrape.
//!
//! It knows nothing of NATS: it reads what the shipper reported. Without a
//! sink the series stay 0.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

/// The audit sink's families (`audit.sink`); absent from the exposition
/// values stay 0 without a sink.
#[derive(Debug, Default)]
pub(super) struct SinkGauges {
    lag_records: Gauge,
    lag_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
    spool_bytes: Gauge,
    shipped_seq: Gauge,
    connected: Gauge,
    pub(super) failures: Counter,
}

impl SinkGauges {
    pub(super) fn register(&self, r: &mut Registry) {
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

    pub(super) fn set(&self, sink: &crate::audit::shipping::SinkStats) {
        let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.lag_records.set(int(sink.lag_records));
        self.lag_seconds.set(sink.lag.as_secs_f64());
        self.spool_bytes.set(int(sink.spool_bytes));
        self.shipped_seq.set(int(sink.shipped_seq));
        self.connected.set(i64::from(sink.connected));
    }
}
