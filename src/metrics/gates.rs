//! Scrape-time metrics of the share gates: the consent store's size and
//! decisions, and each partner's quota refusals, anomaly alerts and
//! distinct-subject window against its baseline. Read from the stores'
//! own atomics at every scrape, so the request path records nothing extra.

use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

use crate::consent::ConsentStore;
use crate::monitor::{ClusterQuota, Monitor, PartnerMeter};

pub struct GateCollector {
    pub consent: Arc<ConsentStore>,
    pub monitor: Arc<Monitor>,
    pub cluster: Option<Arc<ClusterQuota>>,
}

impl std::fmt::Debug for GateCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GateCollector")
    }
}

impl Collector for GateCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        self.encode_consent(&mut encoder)?;
        self.encode_shared(&mut encoder)?;
        self.encode_exports(&mut encoder)?;
        self.encode_partners(&mut encoder)
    }
}

/// One unlabelled series.
fn one(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: f64,
    counter: bool,
) -> Result<(), std::fmt::Error> {
    if counter {
        let metric = ConstCounter::new(value as u64);
        metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
    } else {
        let metric = ConstGauge::new(value);
        metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
    }
}

impl GateCollector {
    /// The consent database's follower and the cluster quota's fallback.
    fn encode_shared(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        self.encode_database(encoder)?;
        self.encode_cluster_quota(encoder)
    }

    /// The consent database's connection and follower, when there is one.
    fn encode_database(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        if let Some(db) = self.consent.database() {
            let synced = !matches!(
                self.consent.availability(),
                crate::consent::Availability::NotSynced
            );
            for (name, help, value, counter) in [
                (
                    "consent_database_connected",
                    "The consent database connection is up (1) or not (0)",
                    f64::from(u8::from(db.connected())),
                    false,
                ),
                (
                    "consent_database_synced",
                    "The first full sync with the consent database is done (1) or not (0)",
                    f64::from(u8::from(synced)),
                    false,
                ),
                (
                    "consent_database_staleness_seconds",
                    "Seconds since the consent database was last known current",
                    db.staleness().as_secs_f64(),
                    false,
                ),
                (
                    "consent_database_resyncs",
                    "Full syncs with the consent database (the first, then one per reconnect)",
                    db.resyncs() as f64,
                    true,
                ),
                (
                    "consent_database_notifications",
                    "Consent changes received from the database",
                    db.notifications() as f64,
                    true,
                ),
            ] {
                one(encoder, name, help, value, counter)?;
            }
        }
        Ok(())
    }

    /// The cluster quota's Redis counters and this replica's fallback.
    fn encode_cluster_quota(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        if let Some(cluster) = &self.cluster {
            for (name, help, value, counter) in [
                (
                    "quota_cluster_fallback",
                    "Redis is unreachable and this replica enforces limit / replicas (1) or the cluster quota holds (0)",
                    f64::from(u8::from(cluster.falling_back())),
                    false,
                ),
                (
                    "quota_cluster_checks",
                    "Quota checks decided by the cluster's counters in Redis",
                    cluster.cluster_checks() as f64,
                    true,
                ),
                (
                    "quota_local_checks",
                    "Cluster quota checks decided by this replica's share (Redis unreachable)",
                    cluster.local_checks() as f64,
                    true,
                ),
            ] {
                one(encoder, name, help, value, counter)?;
            }
        }
        Ok(())
    }

    /// The consent store's counts.
    fn encode_consent(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let consent = &self.consent;
        for (name, help, value, counter) in [
            (
                "consent_subjects",
                "Subjects with a consent decision",
                consent.subjects(),
                false,
            ),
            (
                "consent_decisions_recorded",
                "Consent decisions journaled since start",
                consent.decisions_recorded(),
                true,
            ),
            (
                "consent_erased_subjects",
                "Subjects erased (account deleted) since start",
                consent.erased_subjects(),
                true,
            ),
            (
                "consent_journal_failures",
                "Consent decisions refused because the journal could not be written",
                consent.journal_failures(),
                true,
            ),
        ] {
            if counter {
                let metric = ConstCounter::new(value);
                metric.encode(encoder.encode_descriptor(
                    name,
                    help,
                    None,
                    metric.metric_type(),
                )?)?;
            } else {
                let metric = ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX));
                metric.encode(encoder.encode_descriptor(
                    name,
                    help,
                    None,
                    metric.metric_type(),
                )?)?;
            }
        }

        Ok(())
    }

    /// Each partner's quota refusals, anomalies and window counts.
    fn encode_partners(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let meters = self.monitor.meters();
        let per_partner = |encoder: &mut DescriptorEncoder,
                           name: &str,
                           help: &str,
                           kind: MetricType,
                           value: &dyn Fn(&PartnerMeter) -> f64|
         -> Result<(), std::fmt::Error> {
            let mut family = encoder.encode_descriptor(name, help, None, kind)?;
            for meter in &meters {
                let labels = [("partner", meter.partner())];
                let series = family.encode_family(&labels)?;
                match kind {
                    MetricType::Counter => ConstCounter::new(value(meter) as u64).encode(series)?,
                    _ => ConstGauge::new(value(meter)).encode(series)?,
                }
            }
            Ok(())
        };
        per_partner(
            encoder,
            "quota_rate_refusals",
            "Requests refused 429 over the partner's requests-per-second quota",
            MetricType::Counter,
            &|m| m.rejected_rate() as f64,
        )?;
        per_partner(
            encoder,
            "quota_subject_refusals",
            "Requests refused 429 over the partner's distinct-subjects quota",
            MetricType::Counter,
            &|m| m.rejected_subjects() as f64,
        )?;
        per_partner(
            encoder,
            "subject_anomalies",
            "Windows in which the partner's distinct subjects rose far above its baseline",
            MetricType::Counter,
            &|m| m.anomalies() as f64,
        )?;
        per_partner(
            encoder,
            "window_distinct_subjects",
            "Distinct subjects the partner queried in the current window",
            MetricType::Gauge,
            &|m| m.window_subjects() as f64,
        )?;
        per_partner(
            encoder,
            "baseline_distinct_subjects",
            "The partner's smoothed distinct subjects per window",
            MetricType::Gauge,
            &PartnerMeter::baseline_subjects,
        )
    }
}
