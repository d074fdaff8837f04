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
use crate::monitor::{Monitor, PartnerMeter};

pub struct GateCollector {
    pub consent: Arc<ConsentStore>,
    pub monitor: Arc<Monitor>,
}

impl std::fmt::Debug for GateCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GateCollector")
    }
}

impl Collector for GateCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        self.encode_consent(&mut encoder)?;
        self.encode_partners(&mut encoder)
    }
}

impl GateCollector {
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
