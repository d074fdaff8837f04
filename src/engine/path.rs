//! Protection of a request path's segments: `/users/13800138000/cards/…`
//! carries personal data as surely as a body does. A segment named by a
//! `path_params` template gets its rule; every other segment goes through
//! the detectors, with the segment before it as its label (`users`,
//! `id`). Protected segments are written percent-encoded, so the path
//! stays a valid path.
//!
//! A segment cannot be dropped without changing what the path means: a
//! `drop` rule or detector on one refuses the request instead.

use super::codec::{path_segment_decode, path_segment_encode};
use super::named::Place;
use super::protect::protect_with_rule;
use super::{Finding, Findings};
use crate::rules::{Action, Policy, Rule};

/// A segment a `drop` rule matched: the request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DroppedSegment {
    /// Its index in the path.
    pub index: usize,
}

/// Protects `path` (`/a/b/c`, the part after the route); `Ok(None)` when
/// no segment changed.
pub fn protect_path(
    policy: &Policy,
    path: &str,
    findings: &mut Findings,
) -> Result<Option<String>, DroppedSegment> {
    let raw: Vec<&str> = path.split('/').collect();
    let decoded: Vec<String> = raw.iter().map(|s| path_segment_decode(s)).collect();
    let shape: Vec<&str> = decoded.iter().map(String::as_str).collect();
    let templated = templated_segments(policy, &shape);
    // Segments are numbered from the first after the route (`v1` of `/v1/…`).
    let offset = usize::from(shape.first() == Some(&""));
    let mut changed = false;
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (index, segment) in decoded.iter().enumerate() {
        let label = index.checked_sub(1).map(|i| decoded[i].as_str());
        let number = index.saturating_sub(offset);
        let protected = match templated.iter().find(|(i, _)| *i == index) {
            Some((_, rule)) => Some(by_rule(policy, rule, segment, number, findings)?),
            None => by_detectors(policy, label, segment, number, findings)?,
        };
        match protected {
            Some(text) => {
                changed = true;
                out.push(path_segment_encode(&text));
            }
            None => out.push(raw[index].to_owned()),
        }
    }
    Ok(changed.then(|| out.join("/")))
}

/// The segments `path_params` templates name, with their rules.
fn templated_segments<'p>(policy: &'p Policy, segments: &[&str]) -> Vec<(usize, &'p Rule)> {
    let offset = usize::from(segments.first() == Some(&""));
    let body = &segments[offset..];
    policy
        .path_params
        .iter()
        .filter(|p| p.matches(body))
        .map(|p| (p.param + offset, &p.rule))
        .collect()
}

fn finding_path(index: usize) -> String {
    format!("{}$segment[{index}]", Place::Path.prefix())
}

fn by_rule(
    policy: &Policy,
    rule: &Rule,
    segment: &str,
    index: usize,
    findings: &mut Findings,
) -> Result<String, DroppedSegment> {
    if rule.action == Action::Drop {
        return Err(DroppedSegment { index });
    }
    findings
        .items
        .push(Finding::of(finding_path(index), &rule.category, rule));
    Ok(protect_with_rule(policy, rule, segment))
}

fn by_detectors(
    policy: &Policy,
    label: Option<&str>,
    segment: &str,
    index: usize,
    findings: &mut Findings,
) -> Result<Option<String>, DroppedSegment> {
    if policy.detectors.is_empty() || segment.len() < 5 {
        return Ok(None);
    }
    let mut spans = Vec::new();
    policy.detectors.scan(label, segment, &mut spans);
    if spans.is_empty() {
        return Ok(None);
    }
    let mut rebuilt = String::with_capacity(segment.len());
    let mut last = 0;
    for span in &spans {
        let rule = &policy.detect_rules[span.spec];
        if rule.action == Action::Drop {
            return Err(DroppedSegment { index });
        }
        findings
            .items
            .push(Finding::of(finding_path(index), &rule.category, rule));
        rebuilt.push_str(&segment[last..span.start]);
        rebuilt.push_str(&protect_with_rule(
            policy,
            rule,
            &segment[span.start..span.end],
        ));
        last = span.end;
    }
    rebuilt.push_str(&segment[last..]);
    Ok(Some(rebuilt))
}
