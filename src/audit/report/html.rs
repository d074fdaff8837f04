//! The report page: plain HTML with inline SVG charts drawn by `plotters`
//! (its SVG backend: no fonts to load, no script, nothing fetched), so the
//! file opens anywhere, offline, and can be archived as evidence.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use plotters::prelude::*;

use super::{Period, Summary};

const BLUE: RGBColor = RGBColor(0x2b, 0x6c, 0xb0);
const ORANGE: RGBColor = RGBColor(0xdd, 0x6b, 0x20);
const RED: RGBColor = RGBColor(0xc5, 0x30, 0x30);
const GREEN: RGBColor = RGBColor(0x2f, 0x85, 0x5a);
const PURPLE: RGBColor = RGBColor(0x6b, 0x46, 0xc1);

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A bar chart as an SVG element; a short note instead if it cannot be drawn.
fn bars(title: &str, labels: &[String], values: &[u64], color: RGBColor) -> String {
    let mut svg = String::new();
    let drawn = draw_bars(&mut svg, title, labels, values, color);
    match drawn {
        Ok(()) => svg,
        Err(error) => format!(
            "<p class=\"note\">{}: chart not drawn ({})</p>",
            escape(title),
            escape(&error)
        ),
    }
}

fn draw_bars(
    svg: &mut String,
    title: &str,
    labels: &[String],
    values: &[u64],
    color: RGBColor,
) -> Result<(), String> {
    let root = SVGBackend::with_string(svg, (760, 280)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let top = values.iter().copied().max().unwrap_or(0).max(1);
    let top = top + top / 10 + 1;
    // A segmented range over 0..=last has one segment per bar.
    let last = labels.len().saturating_sub(1) as u32;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(52)
        .build_cartesian_2d((0u32..last).into_segmented(), 0u64..top)
        .map_err(|e| e.to_string())?;
    let step = (labels.len() / 12).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(labels.len().min(24))
        .x_label_formatter(&|x| match x {
            SegmentValue::CenterOf(i) if (*i as usize) % step == 0 => {
                labels.get(*i as usize).cloned().unwrap_or_default()
            }
            _ => String::new(),
        })
        .label_style(("sans-serif", 11))
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(
            Histogram::vertical(&chart)
                .style(color.filled())
                .margin(3)
                .data((0u32..).zip(values.iter().copied())),
        )
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())?;
    drop(chart);
    drop(root);
    Ok(())
}

fn counts_chart(title: &str, counts: &BTreeMap<String, u64>, color: RGBColor) -> String {
    if counts.is_empty() {
        return format!(
            "<h3>{}</h3><p class=\"note\">none in this period</p>",
            escape(title)
        );
    }
    let labels: Vec<String> = counts.keys().cloned().collect();
    let values: Vec<u64> = counts.values().copied().collect();
    bars(title, &labels, &values, color)
}

fn table(head: (&str, &str), counts: &BTreeMap<String, u64>) -> String {
    let mut out = format!("<table><tr><th>{}</th><th>{}</th></tr>", head.0, head.1);
    for (name, count) in counts {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{count}</td></tr>",
            escape(name)
        );
    }
    if counts.is_empty() {
        out.push_str("<tr><td colspan=\"2\" class=\"note\">none</td></tr>");
    }
    out.push_str("</table>");
    out
}

const STYLE: &str = "body{font-family:sans-serif;margin:24px auto;max-width:820px;color:#1a202c;background:#fff}\
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #cbd5e0}\
h3{font-size:15px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #cbd5e0;padding:3px 10px;text-align:left}\
td.n{text-align:right}.note{color:#718096}.facts td:first-child{font-weight:bold}svg{display:block;margin:10px 0}";

fn facts(summary: &Summary, period: &Period) -> String {
    let fmt = |t: Option<time::OffsetDateTime>| {
        t.map(crate::time::format_rfc3339)
            .unwrap_or_else(|| "(open)".into())
    };
    let names: Vec<&str> = summary.display_names.iter().map(String::as_str).collect();
    let rows = [
        ("Partner (recipient)", summary.partner.clone()),
        (
            "Display name",
            if names.is_empty() {
                "(not recorded)".into()
            } else {
                names.join(", ")
            },
        ),
        (
            "Period",
            format!("{} to {}", fmt(period.since), fmt(period.until)),
        ),
        (
            "Records in period",
            format!(
                "{} to {}",
                summary.first.as_deref().unwrap_or("-"),
                summary.last.as_deref().unwrap_or("-")
            ),
        ),
        ("Share events", summary.shares().to_string()),
        ("Distinct subjects", summary.subjects.len().to_string()),
        ("Bytes forwarded", summary.bytes_out.to_string()),
        (
            "Consent decisions relied on",
            summary.consent_decisions.len().to_string(),
        ),
    ];
    let mut out = String::from("<table class=\"facts\">");
    for (name, value) in rows {
        let _ = write!(out, "<tr><td>{name}</td><td>{}</td></tr>", escape(&value));
    }
    out.push_str("</table>");
    out
}

fn per_day(summary: &Summary) -> String {
    let labels: Vec<String> = summary.days.keys().map(|d| d[5..].to_owned()).collect();
    let series =
        |f: &dyn Fn(&super::Day) -> u64| -> Vec<u64> { summary.days.values().map(f).collect() };
    let mut out = String::new();
    out.push_str(&bars(
        "Shares per day",
        &labels,
        &series(&|d| d.shares),
        BLUE,
    ));
    out.push_str(&bars(
        "Distinct subjects per day",
        &labels,
        &series(&|d| d.subjects.len() as u64),
        ORANGE,
    ));
    out.push_str(&bars(
        "Cross-border shares per day",
        &labels,
        &series(&|d| d.cross_border),
        PURPLE,
    ));
    out.push_str(&bars(
        "Refusals per day",
        &labels,
        &series(&|d| d.refusals),
        RED,
    ));
    out
}

fn anomalies(summary: &Summary) -> String {
    let found = summary.anomalies();
    if found.is_empty() {
        return "<p>No day with more than three times the period's median of distinct subjects.</p>".into();
    }
    let mut out =
        String::from("<table><tr><th>Day</th><th>Distinct subjects</th><th>Median day</th></tr>");
    for (day, n, median) in found {
        let _ = write!(
            out,
            "<tr><td>{day}</td><td class=\"n\">{n}</td><td class=\"n\">{median}</td></tr>"
        );
    }
    out.push_str("</table>");
    out
}

/// The whole page.
pub(super) fn page(summary: &Summary, period: &Period) -> String {
    let consent: BTreeMap<String, u64> = summary
        .refusals
        .iter()
        .filter(|(r, _)| super::CONSENT_REASONS.contains(&r.as_str()))
        .map(|(r, n)| (r.clone(), *n))
        .collect();
    let cross_border: u64 = summary.days.values().map(|d| d.cross_border).sum();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Audit report: {p}</title><style>{STYLE}</style></head><body>\
         <h1>Audit report: partner {p}</h1><p class=\"note\">From the pii-proxy audit log. Counts, labels and keyed subject hashes only: no personal value is in the log or here. Check the log first with <code>pii-proxy audit verify</code>.</p>",
        p = escape(&summary.partner)
    );
    out.push_str("<h2>Summary</h2>");
    out.push_str(&facts(summary, period));
    out.push_str("<h2>Over time</h2>");
    out.push_str(&per_day(summary));
    out.push_str("<h2>What was shared</h2>");
    out.push_str(&counts_chart(
        "Findings by category",
        &summary.categories,
        GREEN,
    ));
    out.push_str(&table(("Category", "Findings"), &summary.categories));
    out.push_str(&counts_chart("Findings by action", &summary.actions, BLUE));
    out.push_str(&table(("Action", "Findings"), &summary.actions));
    out.push_str("<h2>Purposes and legal basis</h2>");
    out.push_str(&table(("Scenario (purpose)", "Shares"), &summary.scenarios));
    let _ = write!(out, "<p>Cross-border shares: {cross_border}</p>");
    out.push_str(&table(("Export basis", "Shares"), &summary.export_bases));
    out.push_str(&table(("Rules version", "Shares"), &summary.rules_versions));
    out.push_str("<h2>Refusals</h2>");
    out.push_str(&counts_chart("Refusals by reason", &summary.refusals, RED));
    out.push_str(&table(("Reason", "Refusals"), &summary.refusals));
    out.push_str("<h3>Consent blocks</h3>");
    out.push_str(&table(("Reason", "Refusals"), &consent));
    out.push_str("<h2>Anomalies</h2>");
    out.push_str(&anomalies(summary));
    out.push_str("</body></html>\n");
    out
}
