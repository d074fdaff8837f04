//! Investigator views over the log: one subject's share events (`search`)
//! and per-partner counts (`stats`).
//!
//! They read records without checking the chain (run `verify` for that);
//! a torn last line is skipped, any other unreadable line is an error with
//! its file and line. The subject is matched by its keyed hash, so the
//! investigator needs the keyring's subject key, and the raw id never
//! reaches the log or this module's output.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use time::OffsetDateTime;
use time::macros::format_description;

use super::record::{Body, Consent, Record, Share, SubjectHash, json_error};
use super::segment::{expand, read_segment, split_lines};
use super::{AuditError, Seq};

/// What to look for.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub subject: SubjectHash,
    pub partner: Option<String>,
    pub since: Option<OffsetDateTime>,
}

/// One share of the subject's data (a JSON Lines row with `--format json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareEvent {
    pub seq: Seq,
    pub ts: String,
    pub id: String,
    pub partner: String,
    pub method: String,
    pub path: String,
    pub consent: Consent,
    /// (category, action) per finding, in record order.
    #[serde(serialize_with = "category_action")]
    pub fields: Vec<(String, String)>,
    pub rules_version: String,
    pub cross_border: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_basis: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consent_decisions: Vec<u64>,
}

/// `[{"category":…,"action":…}]` in JSON.
fn category_action<S: serde::Serializer>(
    fields: &[(String, String)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Field<'a> {
        category: &'a str,
        action: &'a str,
    }
    serializer.collect_seq(
        fields
            .iter()
            .map(|(category, action)| Field { category, action }),
    )
}

impl fmt::Display for ShareEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}  {}  {} {}  seq {}  id {}",
            self.ts, self.partner, self.method, self.path, self.seq, self.id
        )?;
        if let Some(scenario) = &self.scenario {
            write!(f, "  scenario {scenario}")?;
        }
        for decision in &self.consent_decisions {
            write!(f, "  consent #{decision}")?;
        }
        if self.cross_border {
            f.write_str("  cross-border")?;
            if let Some(basis) = self.export_basis {
                write!(f, " ({basis})")?;
            }
        }
        f.write_str("  ")?;
        if self.fields.is_empty() {
            return f.write_str("no protected fields");
        }
        for (i, (category, action)) in self.fields.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{category}→{action}")?;
        }
        Ok(())
    }
}

/// Parses `--since`: RFC 3339 (`2026-11-23T05:00:00Z`) or a date
/// (`2026-11-23`, midnight UTC).
pub fn parse_since(text: &str) -> Option<OffsetDateTime> {
    if let Some(at) = crate::time::parse_rfc3339(text) {
        return Some(at);
    }
    let date = time::Date::parse(text, format_description!("[year]-[month]-[day]")).ok()?;
    Some(date.midnight().assume_utc())
}

/// The subject's share events in `inputs` (one replica's log or several),
/// oldest first: shares that name
/// it as their subject, among their `subjects`, or in a `share_subjects`
/// record that follows them.
pub fn search(inputs: &[PathBuf], query: &SearchQuery) -> Result<Vec<ShareEvent>, AuditError> {
    let mut events = Vec::new();
    // Shares with more subjects to come, until their parts are read.
    let mut awaiting: HashMap<String, ShareEvent> = HashMap::new();
    for_each_record(inputs, |path, line, record| {
        let share = match &record.body {
            Body::Share(share) => share,
            Body::ShareSubjects(more) => {
                if more.subjects.contains(&query.subject) {
                    if let Some(event) = awaiting.remove(more.id.as_str()) {
                        events.push(event);
                    }
                }
                return Ok(());
            }
            _ => return Ok(()),
        };
        if !in_scope(query, &record.ts, share, (path, line))? {
            return Ok(());
        }
        let event = ShareEvent::of(record, share);
        let named = share.subject.as_ref() == Some(&query.subject)
            || share.subjects.contains(&query.subject);
        if named {
            events.push(event);
        } else if share.subject_parts > 0 {
            awaiting.insert(share.id.to_string(), event);
        }
        Ok(())
    })?;
    // Several replicas' logs interleave by time (parsed: RFC 3339 text
    // drops trailing zeros of the fraction, so it does not sort as the
    // times do); one chain's order is kept among equal times.
    events.sort_by_cached_key(|e| crate::time::parse_rfc3339(&e.ts));
    Ok(events)
}

/// Whether a share is of the partner and not older than the time the
/// query names; a `ts` that is no time is a corrupt record at `at`.
fn in_scope(
    query: &SearchQuery,
    ts: &str,
    share: &Share,
    at: (&Path, u64),
) -> Result<bool, AuditError> {
    if query
        .partner
        .as_ref()
        .is_some_and(|p| p != share.partner.as_str())
    {
        return Ok(false);
    }
    let Some(since) = query.since else {
        return Ok(true);
    };
    let ts = crate::time::parse_rfc3339(ts).ok_or_else(|| AuditError::Corrupt {
        path: at.0.into(),
        line: at.1,
        message: "`ts` is not an RFC 3339 time".into(),
    })?;
    Ok(ts >= since)
}

impl ShareEvent {
    /// The event a share record stands for.
    fn of(record: &Record, share: &Share) -> ShareEvent {
        ShareEvent {
            seq: record.seq,
            ts: record.ts.clone(),
            id: share.id.to_string(),
            partner: share.partner.to_string(),
            method: share.method.to_string(),
            path: share.path.to_string(),
            consent: share.consent,
            fields: share
                .fields
                .iter()
                .map(|f| (f.category.to_string(), f.action.to_string()))
                .collect(),
            rules_version: share.rules_version.to_string(),
            cross_border: share.cross_border.unwrap_or(false),
            export_basis: share.export_basis.map(|b| b.as_str()),
            partner_name: share.partner_name.as_ref().map(|n| n.to_string()),
            scenario: share.scenario.as_ref().map(|s| s.to_string()),
            consent_decisions: share.consent_decisions.clone(),
        }
    }
}

/// Per-partner counts: the "monitoring of third parties' queries" view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub records: u64,
    pub partners: BTreeMap<String, PartnerStats>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PartnerStats {
    pub shares: u64,
    /// Distinct subject hashes in share events.
    pub subjects: u64,
    pub cross_border: u64,
    /// Findings per category in share events.
    pub categories: BTreeMap<String, u64>,
    /// Findings per JR/T 0171 class in share events.
    pub classes: BTreeMap<String, u64>,
    /// Findings per action in share events.
    pub actions: BTreeMap<String, u64>,
    /// Refusals per reason code.
    pub blocked: BTreeMap<String, u64>,
}

/// Partner name used for refusals that matched no partner route.
pub const NO_PARTNER: &str = "(no partner)";

pub fn stats(inputs: &[PathBuf]) -> Result<Stats, AuditError> {
    let mut stats = Stats::default();
    let mut subjects: BTreeMap<String, BTreeSet<SubjectHash>> = BTreeMap::new();
    for_each_record(inputs, |_, _, record| {
        stats.records += 1;
        match &record.body {
            Body::Share(share) => {
                let partner = share.partner.to_string();
                let entry = stats.partners.entry(partner.clone()).or_default();
                entry.shares += 1;
                entry.cross_border += u64::from(share.cross_border == Some(true));
                for finding in &share.fields {
                    *entry
                        .categories
                        .entry(finding.category.to_string())
                        .or_default() += finding.count;
                    *entry.actions.entry(finding.action.to_string()).or_default() += finding.count;
                }
                for (class, count) in &share.classes {
                    *entry.classes.entry(class.to_string()).or_default() += count;
                }
                let set = subjects.entry(partner).or_default();
                set.extend(share.subject.iter().chain(&share.subjects).cloned());
            }
            Body::ShareSubjects(more) => {
                let set = subjects.entry(more.partner.to_string()).or_default();
                set.extend(more.subjects.iter().cloned());
            }
            Body::Blocked(blocked) => {
                let partner = blocked
                    .partner
                    .as_ref()
                    .map_or(NO_PARTNER.to_owned(), |p| p.to_string());
                let entry = stats.partners.entry(partner).or_default();
                *entry.blocked.entry(blocked.reason.to_string()).or_default() += 1;
            }
            Body::Outcome(_) | Body::Admin(_) | Body::Recovery(_) | Body::Checkpoint(_) => {}
        }
        Ok(())
    })?;
    for (partner, set) in subjects {
        if let Some(entry) = stats.partners.get_mut(&partner) {
            entry.subjects = set.len() as u64;
        }
    }
    Ok(stats)
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (partner, p) in &self.partners {
            let blocked: u64 = p.blocked.values().sum();
            writeln!(
                f,
                "partner {partner}: {} share events, {} distinct subjects, {} cross-border, {blocked} blocked",
                p.shares, p.subjects, p.cross_border
            )?;
            write_counts(f, "categories", &p.categories)?;
            write_counts(f, "classes", &p.classes)?;
            write_counts(f, "actions", &p.actions)?;
            write_counts(f, "blocked", &p.blocked)?;
        }
        writeln!(
            f,
            "{} records, {} partners",
            self.records,
            self.partners.len()
        )
    }
}

impl Stats {
    /// One JSON object per partner (JSON Lines, for a SIEM), then one
    /// `{"records": N}` line.
    pub fn json_lines(&self) -> String {
        #[derive(Serialize)]
        struct Row<'a> {
            partner: &'a str,
            #[serde(flatten)]
            stats: &'a PartnerStats,
        }
        let mut out = String::new();
        for (partner, stats) in &self.partners {
            let row = Row { partner, stats };
            out.push_str(&serde_json::to_string(&row).expect("counts serialize"));
            out.push('\n');
        }
        out.push_str(&format!("{{\"records\":{}}}\n", self.records));
        out
    }
}

fn write_counts(
    f: &mut fmt::Formatter<'_>,
    what: &str,
    counts: &BTreeMap<String, u64>,
) -> fmt::Result {
    if counts.is_empty() {
        return Ok(());
    }
    write!(f, "  {what}:")?;
    for (i, (name, count)) in counts.iter().enumerate() {
        let sep = if i == 0 { " " } else { ", " };
        write!(f, "{sep}{name} {count}")?;
    }
    writeln!(f)
}

/// Calls `visit` with every complete record in `inputs`, in chain order.
fn for_each_record(
    inputs: &[PathBuf],
    mut visit: impl FnMut(&Path, u64, &Record) -> Result<(), AuditError>,
) -> Result<(), AuditError> {
    for path in expand(inputs)? {
        let data = read_segment(&path)?;
        let (lines, _torn) = split_lines(&data);
        for (i, line) in lines.iter().enumerate() {
            let at = i as u64 + 1;
            let record: Record = serde_json::from_slice(line).map_err(|e| AuditError::Corrupt {
                path: path.clone(),
                line: at,
                message: json_error(&e),
            })?;
            visit(&path, at, &record)?;
        }
    }
    Ok(())
}
