//! `audit report`: one partner's share events over a period, gathered
//! from the log ([`gather`]) and rendered as one self-contained HTML page
//! ([`html`]): shares and subjects per day, categories and actions,
//! refusals by reason, consent blocks, anomalies, cross-border volume, and
//! what the standards ask a share record to say (recipient and display
//! name, purposes, legal basis, consent decisions relied on, rules
//! versions).
//!
//! Reads records as `search` and `stats` do (no chain check: run `verify`),
//! so it holds only what a record can hold: labels, counts and hashes,
//! never a personal value. Days are UTC.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use time::OffsetDateTime;

use super::AuditError;
use super::record::{Body, Record};
use super::segment::{expand, read_segment, split_lines};

mod html;

/// The report's period: `since` inclusive, `until` exclusive.
#[derive(Debug, Clone, Default)]
pub struct Period {
    pub since: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
}

/// Counts for one UTC day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Day {
    pub shares: u64,
    pub subjects: BTreeSet<String>,
    pub cross_border: u64,
    pub refusals: u64,
    pub consent_blocks: u64,
}

/// Everything the page shows.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub partner: String,
    pub display_names: BTreeSet<String>,
    pub first: Option<String>,
    pub last: Option<String>,
    /// `YYYY-MM-DD` → counts.
    pub days: BTreeMap<String, Day>,
    pub categories: BTreeMap<String, u64>,
    pub actions: BTreeMap<String, u64>,
    pub scenarios: BTreeMap<String, u64>,
    pub refusals: BTreeMap<String, u64>,
    pub export_bases: BTreeMap<String, u64>,
    pub rules_versions: BTreeMap<String, u64>,
    pub consent_decisions: BTreeSet<u64>,
    pub subjects: BTreeSet<String>,
    pub bytes_out: u64,
}

impl Summary {
    pub fn shares(&self) -> u64 {
        self.days.values().map(|d| d.shares).sum()
    }

    /// Days whose distinct subjects exceed three times the median of the
    /// period's days (and at least 10): the same signal as the monitor's
    /// anomaly alert, read back from the log.
    pub fn anomalies(&self) -> Vec<(&str, u64, u64)> {
        let mut counts: Vec<u64> = self
            .days
            .values()
            .map(|d| d.subjects.len() as u64)
            .collect();
        counts.sort_unstable();
        let median = counts.get(counts.len() / 2).copied().unwrap_or(0);
        self.days
            .iter()
            .map(|(day, d)| (day.as_str(), d.subjects.len() as u64, median))
            .filter(|(_, n, median)| *n >= 10 && *n > 3 * median.max(&1))
            .collect()
    }
}

const CONSENT_REASONS: [&str; 2] = ["consent_revoked", "consent_required"];

fn day_of(ts: &str) -> Option<(OffsetDateTime, String)> {
    let at = crate::time::parse_rfc3339(ts)?;
    let day = format!(
        "{:04}-{:02}-{:02}",
        at.year(),
        u8::from(at.month()),
        at.day()
    );
    Some((at, day))
}

/// Reads the partner's records in the period.
pub fn gather(inputs: &[PathBuf], partner: &str, period: &Period) -> Result<Summary, AuditError> {
    let mut summary = Summary {
        partner: partner.to_owned(),
        ..Summary::default()
    };
    for path in expand(inputs)? {
        let data = read_segment(&path)?;
        let (lines, _) = split_lines(&data);
        for (i, line) in lines.iter().enumerate() {
            let record: Record = serde_json::from_slice(line).map_err(|e| AuditError::Corrupt {
                path: path.clone(),
                line: i as u64 + 1,
                message: super::record::json_error(&e),
            })?;
            let Some((at, day)) = day_of(&record.ts) else {
                continue;
            };
            let inside =
                period.since.is_none_or(|s| at >= s) && period.until.is_none_or(|u| at < u);
            if inside {
                summary.add(&record, day);
            }
        }
    }
    Ok(summary)
}

impl Summary {
    fn add(&mut self, record: &Record, day: String) {
        match &record.body {
            Body::Share(share) if share.partner.as_str() == self.partner => {
                let entry = self.days.entry(day).or_default();
                entry.shares += 1;
                if let Some(subject) = &share.subject {
                    entry.subjects.insert(subject.to_string());
                    self.subjects.insert(subject.to_string());
                }
                if share.cross_border == Some(true) {
                    entry.cross_border += 1;
                }
                for finding in &share.fields {
                    *self
                        .categories
                        .entry(finding.category.to_string())
                        .or_default() += 1;
                    *self.actions.entry(finding.action.to_string()).or_default() += 1;
                }
                let scenario = share
                    .scenario
                    .as_ref()
                    .map_or("(not recorded)".into(), |s| s.to_string());
                *self.scenarios.entry(scenario).or_default() += 1;
                if let Some(basis) = share.export_basis {
                    *self.export_bases.entry(basis.as_str().into()).or_default() += 1;
                }
                *self
                    .rules_versions
                    .entry(share.rules_version.to_string())
                    .or_default() += 1;
                self.consent_decisions.extend(&share.consent_decisions);
                if let Some(name) = &share.partner_name {
                    self.display_names.insert(name.to_string());
                }
                self.bytes_out += share.bytes_out;
                self.seen(&record.ts);
            }
            Body::Blocked(blocked)
                if blocked
                    .partner
                    .as_ref()
                    .is_some_and(|p| p.as_str() == self.partner) =>
            {
                let entry = self.days.entry(day).or_default();
                entry.refusals += 1;
                let reason = blocked.reason.as_str();
                if CONSENT_REASONS.contains(&reason) {
                    entry.consent_blocks += 1;
                }
                *self.refusals.entry(reason.to_owned()).or_default() += 1;
                self.seen(&record.ts);
            }
            _ => {}
        }
    }

    /// The earliest and latest time seen (RFC 3339 UTC text of one shape
    /// sorts as time).
    fn seen(&mut self, ts: &str) {
        if self.first.as_deref().is_none_or(|first| ts < first) {
            self.first = Some(ts.to_owned());
        }
        if self.last.as_deref().is_none_or(|last| ts > last) {
            self.last = Some(ts.to_owned());
        }
    }
}

/// The page for `partner` over `period`.
pub fn render(inputs: &[PathBuf], partner: &str, period: &Period) -> Result<String, AuditError> {
    let summary = gather(inputs, partner, period)?;
    Ok(html::page(&summary, period))
}
