//! Scrape-time metrics of the listeners: connections open, the limit,
//! connections closed at the limit and for silence. Read from each
//! listener's own atomics at every scrape.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

use crate::net::ConnectionStats;

/// Every listener's connection counters, by listener name.
pub struct ListenerCollector {
    pub listeners: Vec<(&'static str, usize, Arc<ConnectionStats>)>,
}

impl std::fmt::Debug for ListenerCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ListenerCollector")
    }
}

type Read = fn(usize, &ConnectionStats) -> u64;

impl Collector for ListenerCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let families: [(&str, &str, MetricType, Read); 4] = [
            (
                "connections",
                "Connections open now, by listener",
                MetricType::Gauge,
                |_, s| s.open.load(Ordering::Relaxed) as u64,
            ),
            (
                "max_connections",
                "Connections a listener keeps open at once (limits.max_connections for the proxy)",
                MetricType::Gauge,
                |limit, _| limit as u64,
            ),
            (
                "connections_refused",
                "Connections closed as soon as accepted because the listener was at max_connections",
                MetricType::Counter,
                |_, s| s.refused_at_limit.load(Ordering::Relaxed),
            ),
            (
                "connections_timed_out",
                "Connections closed for silence: no first byte in time, or idle past idle_timeout",
                MetricType::Counter,
                |_, s| s.timed_out.load(Ordering::Relaxed),
            ),
        ];
        for (name, help, kind, read) in families {
            let mut family = encoder.encode_descriptor(name, help, None, kind)?;
            for (listener, limit, stats) in &self.listeners {
                let labels = [("listener", *listener)];
                let series = family.encode_family(&labels)?;
                let value = read(*limit, stats);
                match kind {
                    MetricType::Counter => ConstCounter::new(value).encode(series)?,
                    _ => {
                        ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX)).encode(series)?
                    }
                }
            }
        }
        Ok(())
    }
}
