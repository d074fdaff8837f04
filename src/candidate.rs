//! Candidate rules: what a partner's candidate policy would do differently
//! from its current one on the same message, so a rules change can be
//! judged on real traffic before it is switched on.
//!
//! Owns the comparison of two findings lists, field by field (a field is a
//! finding's path). Knows nothing of HTTP, of how the findings were made, or
//! of values: it compares paths, categories and actions only. The proxy runs
//! the candidate in shadow (its output is discarded) and feeds both lists
//! here; `pii-proxy mask --diff` does the same for one file.
//!
//! What it cannot see: `unknown_fields: drop` removes fields without a
//! finding, so switching that setting shows up in the output, not here.

use std::collections::HashMap;

use crate::engine::Finding;
use crate::ident::Ident;

/// How a candidate policy's shadow run compared with the real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateResult {
    /// Same fields protected the same way.
    Same,
    /// At least one field protected differently (or not at all).
    Different,
    /// The candidate would have refused the request.
    Refused,
}

/// A kind of difference between the candidate and the current policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Difference {
    NewlyProtected,
    LeftUnprotected,
    Changed,
}

impl Difference {
    pub fn as_str(self) -> &'static str {
        match self {
            Difference::NewlyProtected => "newly_protected",
            Difference::LeftUnprotected => "left_unprotected",
            Difference::Changed => "changed",
        }
    }
}

/// A field both policies protect, differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub current: Finding,
    pub candidate: Finding,
}

/// The differences, each list in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyDiff {
    /// The candidate would protect these fields; the current policy leaves
    /// them as they are. (The candidate's findings.)
    pub newly_protected: Vec<Finding>,
    /// The current policy protects these fields; the candidate would leave
    /// them as they are. (The current policy's findings.)
    pub left_unprotected: Vec<Finding>,
    /// Both protect these fields, with another category or action.
    pub changed: Vec<Changed>,
}

impl PolicyDiff {
    pub fn is_empty(&self) -> bool {
        self.newly_protected.is_empty()
            && self.left_unprotected.is_empty()
            && self.changed.is_empty()
    }

    /// Every difference as `(kind, category)`, for counting.
    pub fn differences(&self) -> impl Iterator<Item = (Difference, &Ident)> {
        let newly = self
            .newly_protected
            .iter()
            .map(|f| (Difference::NewlyProtected, &f.category));
        let left = self
            .left_unprotected
            .iter()
            .map(|f| (Difference::LeftUnprotected, &f.category));
        let changed = self
            .changed
            .iter()
            .map(|c| (Difference::Changed, &c.candidate.category));
        newly.chain(left).chain(changed)
    }
}

/// One field's findings, deduplicated: a detector matching twice inside one
/// string is still one protected field.
struct Field<'a> {
    findings: Vec<&'a Finding>,
}

impl Field<'_> {
    fn treatment(&self) -> Vec<(&str, &str)> {
        let mut t: Vec<(&str, &str)> = self
            .findings
            .iter()
            .map(|f| (f.category.as_str(), f.action.as_str()))
            .collect();
        t.sort_unstable();
        t.dedup();
        t
    }
}

/// Fields in first-seen order, with their findings.
fn by_path(findings: &[Finding]) -> (Vec<&str>, HashMap<&str, Field<'_>>) {
    let mut order = Vec::new();
    let mut fields: HashMap<&str, Field<'_>> = HashMap::new();
    for f in findings {
        fields
            .entry(&f.path)
            .or_insert_with(|| {
                order.push(f.path.as_str());
                Field {
                    findings: Vec::new(),
                }
            })
            .findings
            .push(f);
    }
    (order, fields)
}

/// Deduplicated findings of one field, one per (category, action).
fn distinct<'a>(field: &Field<'a>) -> impl Iterator<Item = &'a Finding> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    field.findings.clone().into_iter().filter(move |f| {
        let key = (f.category.as_str(), f.action.as_str());
        let new = !seen.contains(&key);
        if new {
            seen.push(key);
        }
        new
    })
}

/// Compares what two policies did to the same message.
pub fn compare(current: &[Finding], candidate: &[Finding]) -> PolicyDiff {
    let (current_order, current_fields) = by_path(current);
    let (candidate_order, candidate_fields) = by_path(candidate);
    let mut diff = PolicyDiff::default();
    for path in &current_order {
        let now = &current_fields[path];
        match candidate_fields.get(path) {
            None => diff.left_unprotected.extend(distinct(now).cloned()),
            Some(next) if now.treatment() != next.treatment() => diff.changed.push(Changed {
                current: now.findings[0].clone(),
                candidate: next.findings[0].clone(),
            }),
            Some(_) => {}
        }
    }
    for path in &candidate_order {
        if !current_fields.contains_key(path) {
            diff.newly_protected
                .extend(distinct(&candidate_fields[path]).cloned());
        }
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleRef;

    fn finding(path: &str, category: &'static str, action: &'static str) -> Finding {
        Finding {
            path: path.into(),
            category: Ident::fixed(category),
            action: Ident::fixed(action),
            rule: RuleRef::Field(0),
            why: Default::default(),
        }
    }

    #[test]
    fn same_findings_make_no_difference() {
        let a = [
            finding("$.name", "name", "mask"),
            finding("$.id", "id_number", "encrypt"),
        ];
        assert!(compare(&a, &a).is_empty());
    }

    #[test]
    fn each_kind_of_difference_is_named_by_path() {
        let current = [
            finding("$.name", "name", "mask"),
            finding("$.card", "bank_card", "tokenize"),
            finding("$.note", "phone", "mask"),
            finding("$.note", "phone", "mask"),
        ];
        let candidate = [
            finding("$.card", "bank_card", "encrypt"),
            finding("$.note", "phone", "mask"),
            finding("$.mobile", "phone", "mask"),
            finding("$.mobile", "phone", "mask"),
        ];
        let diff = compare(&current, &candidate);
        assert_eq!(
            diff.newly_protected,
            vec![finding("$.mobile", "phone", "mask")]
        );
        assert_eq!(
            diff.left_unprotected,
            vec![finding("$.name", "name", "mask")]
        );
        assert_eq!(diff.changed.len(), 1);
        assert_eq!(diff.changed[0].current.action, "tokenize");
        assert_eq!(diff.changed[0].candidate.action, "encrypt");
        let kinds: Vec<_> = diff.differences().map(|(d, c)| (d, c.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (Difference::NewlyProtected, "phone"),
                (Difference::LeftUnprotected, "name"),
                (Difference::Changed, "bank_card"),
            ]
        );
    }
}
