//! Protection of named text outside the JSON body: request headers, query
//! parameters and form fields. The same rules apply as to a JSON member with
//! that key (the rules' `headers:`/`query:` sections first, then `keys:`
//! rules), and the detectors run over whatever no rule named.

use super::keyed;
use super::protect::protect_with_rule;
use super::{Finding, Findings, Subject};
use crate::rules::{Action, Policy, Rule};
use crate::vocab::{self, Why};

/// Where a named value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Header,
    Query,
    Form,
    Path,
}

impl Place {
    pub(super) fn prefix(self) -> &'static str {
        match self {
            Place::Header => "header:",
            Place::Query => "query:",
            Place::Form => "form:",
            Place::Path => "path:",
        }
    }
}

/// What to do with one named value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamedOutcome {
    Keep,
    Replace(String),
    Drop,
}

/// The rule naming `name`: the rules' `headers:` or `query:` section
/// first, then a `keys:` rule (a `keys: builtin` one through the key
/// classifier, the value's shape deciding where the name only suggests a
/// category; it reports the classifier's category).
fn named_rule(policy: &Policy, place: Place, name: &str, value: &str) -> Option<(Rule, Why)> {
    let normalized = vocab::normalize_key(name);
    let section = match place {
        Place::Header => &policy.header_rules,
        Place::Query | Place::Form | Place::Path => &policy.query_rules,
    };
    if let Some(rule) = section.get(&normalized) {
        return Some((rule.clone(), Why::default()));
    }
    let mut scratch = String::new();
    let keyed = keyed::key_rule(policy, name, None, &mut scratch)?.settle(policy, Some(value))?;
    let rule = &policy.rules[keyed.rule as usize];
    Some((
        Rule {
            category: keyed.category.clone(),
            ..rule.clone()
        },
        keyed.why,
    ))
}

/// Applies `policy` to the value of header, query parameter or form field
/// `name`, recording findings (and the subject, for the rules'
/// `subject_header`) into `findings`.
pub fn protect_named_text(
    policy: &Policy,
    place: Place,
    name: &str,
    value: &str,
    findings: &mut Findings,
) -> NamedOutcome {
    note_subject(policy, place, name, value, findings);
    let path = || format!("{}{}", place.prefix(), name);
    if let Some((rule, why)) =
        named_rule(policy, place, name, value).filter(|(r, _)| r.action != Action::Allow)
    {
        let mut finding = Finding::of(path(), &rule.category, &rule);
        finding.why = why;
        findings.items.push(finding);
        if rule.action == Action::Drop {
            return NamedOutcome::Drop;
        }
        return NamedOutcome::Replace(protect_with_rule(policy, &rule, value));
    }
    let mut spans = Vec::new();
    policy.detectors.scan(Some(name), value, &mut spans);
    if spans.is_empty() {
        return NamedOutcome::Keep;
    }
    let mut rebuilt = String::with_capacity(value.len());
    let mut last = 0;
    for span in &spans {
        let rule = &policy.detect_rules[span.spec];
        findings
            .items
            .push(Finding::of(path(), &rule.category, rule));
        if rule.action == Action::Drop {
            return NamedOutcome::Drop;
        }
        rebuilt.push_str(&value[last..span.start]);
        rebuilt.push_str(&protect_with_rule(
            policy,
            rule,
            &value[span.start..span.end],
        ));
        last = span.end;
    }
    rebuilt.push_str(&value[last..]);
    NamedOutcome::Replace(rebuilt)
}

/// Records `value` as the request's subject when the rules name this
/// header (`subject_header`) or this parameter (`subject: {keys: [...]}`,
/// which names query parameters and form fields as it names JSON keys).
fn note_subject(policy: &Policy, place: Place, name: &str, value: &str, findings: &mut Findings) {
    if place == Place::Header
        && policy
            .subject_header
            .as_deref()
            .is_some_and(|h| h.eq_ignore_ascii_case(name))
    {
        findings.add_subject(Subject::new(value.to_owned()));
    }
    if place != Place::Header
        && !policy.subject.keys.is_empty()
        && policy.subject.keys.contains(&vocab::normalize_key(name))
    {
        findings.add_subject(Subject::new(value.to_owned()));
    }
}

/// What to do with the name of a header, query parameter or form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameOutcome {
    Keep,
    /// The name carried personal data: its protected form (each match
    /// replaced as the detectors' rules say).
    Replace(String),
    /// A matching rule drops: the whole pair goes.
    Drop,
}

/// Runs the detectors over a name (`?13800138000=1`, a form field named by
/// a phone number): a name is data too. Findings name the place and the
/// protected name, never the raw one.
pub fn protect_name(
    policy: &Policy,
    place: Place,
    name: &str,
    findings: &mut Findings,
) -> NameOutcome {
    if policy.detectors.is_empty() || name.len() < 5 {
        return NameOutcome::Keep;
    }
    let mut spans = Vec::new();
    policy.detectors.scan_key(name, &mut spans);
    if spans.is_empty() {
        return NameOutcome::Keep;
    }
    let drops = spans
        .iter()
        .any(|s| policy.detect_rules[s.spec].action == Action::Drop);
    let mut rebuilt = String::with_capacity(name.len());
    let mut last = 0;
    for span in &spans {
        let rule = &policy.detect_rules[span.spec];
        rebuilt.push_str(&name[last..span.start]);
        rebuilt.push_str(&protect_with_rule(
            policy,
            rule,
            &name[span.start..span.end],
        ));
        last = span.end;
    }
    rebuilt.push_str(&name[last..]);
    let path = format!(
        "{}{}",
        place.prefix(),
        if drops { "[dropped]" } else { &rebuilt }
    );
    for span in &spans {
        let rule = &policy.detect_rules[span.spec];
        findings
            .items
            .push(Finding::of(path.clone(), &rule.category, rule));
    }
    if drops {
        NameOutcome::Drop
    } else {
        NameOutcome::Replace(rebuilt)
    }
}
