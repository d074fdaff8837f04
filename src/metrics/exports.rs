//! Scrape-time metrics of the cross-border export ledger: each judged
//! partner's distinct people this year (all, and with sensitive data),
//! how near the next tier its basis does not cover, and whether that is
//! past the rules' `export.warn_at` (the alert to page on before shares
//! start being refused).

use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::gauge::ConstGauge;

use super::gates::GateCollector;
use crate::consent::exports::{self, Standing};

/// A family's samples of one partner's standing: (`kind` label, value).
type Samples = fn(&Standing) -> Vec<(&'static str, f64)>;

impl GateCollector {
    pub(super) fn encode_exports(
        &self,
        encoder: &mut DescriptorEncoder,
    ) -> Result<(), std::fmt::Error> {
        let standings = self.consent.exports().standings(exports::current_year());
        let families: [(&str, &str, Samples); 3] = [
            (
                "export_subjects",
                "Distinct people whose data the cross-border partner received this calendar year",
                |s| {
                    vec![
                        ("all", s.volume.subjects as f64),
                        ("sensitive", s.volume.sensitive as f64),
                    ]
                },
            ),
            (
                "export_tier_nearness",
                "How near the next tier the partner's export basis does not cover (1 = reached)",
                |s| s.nearness.map(|n| vec![("", n)]).unwrap_or_default(),
            ),
            (
                "export_tier_warning",
                "The partner is past its export.warn_at share of an uncovered tier (1) or not (0)",
                |s| {
                    let near = s.nearness.is_some_and(|n| n >= s.warn_at);
                    vec![("", f64::from(u8::from(near)))]
                },
            ),
        ];
        for (name, help, values) in families {
            let mut family = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
            for standing in &standings {
                for (kind, value) in values(standing) {
                    let partner = ("partner", standing.partner.as_str());
                    let gauge = ConstGauge::new(value);
                    if kind.is_empty() {
                        gauge.encode(family.encode_family(&[partner])?)?;
                    } else {
                        gauge.encode(family.encode_family(&[partner, ("kind", kind)])?)?;
                    }
                }
            }
        }
        Ok(())
    }
}
