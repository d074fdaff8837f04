//! The consent endpoints of the admin listener, as one framework-free
//! function: the router hands over method, path, query and body (already
//! read under the admin body limit), and sends back the status and JSON
//! this returns. The decisions themselves are the consent store's.
//!
//! - `POST /consent/grant`, `/consent/revoke`, `/consent/restore` with
//!   `{"subject": "…", "partner": "credit-bureau", "scenario": "loan"}`
//!   (`partner` and `scenario` optional: absent means every partner /
//!   every scenario; a scenario needs its partner); a grant or restore
//!   with `"separate": true` is a separate consent (单独同意, PIPL Art. 23
//!   and 29), what partners whose rules ask for one need;
//! - `POST /consent/erase` with `{"subject": "…"}`: the account was deleted,
//!   nothing about the subject goes to any partner again;
//! - `GET /consent?subject=…` (or `?subject_hash=hmac:…`): the decisions on
//!   record and the resulting verdict for every configured partner and
//!   scenario.
//!
//! Every body may give `subject_hash` (as audit records show it) instead of
//! `subject`, and an `actor` label (a ticket or operator name) for the
//! audit record. The raw subject is hashed at once; no answer, log line or
//! audit record carries it. Each call, lookups included, writes an `admin`
//! audit record (action `consent.<op>`, or `consent.<op>:<scenario>` when
//! scoped to one scenario); an answer is given only once that record is
//! written, except that a decision already in effect is never undone for
//! want of it (503 says so).
//!
//! Errors: `{"error": code, "detail": …}` with 400 `invalid_body` /
//! `invalid_query` / `invalid_scope`, 404 `not_found`, 405
//! `method_not_allowed`, 409 `subject_erased`, 503 `consent_unavailable` /
//! `audit_unavailable` (the router answers 413 `body_too_large`).

use std::sync::Arc;

use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::App;
use crate::audit::{Admin, AuditHandle, Ident, SubjectHash};
use crate::consent::{ConsentError, ConsentStore, Decision, Op, Scope, Scopes, SubjectKey};
use crate::net::ErrorBody;
use crate::subject::Case;

/// A finished answer: status and JSON body.
pub type Answer = (StatusCode, Vec<u8>);

/// Serves one admin request if its path is `/consent` or under
/// `/consent/`; `None` for any other path. `scopes` are the partners and
/// scenarios of the generation serving now.
pub async fn handle(
    app: &App,
    scopes: &Scopes,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Option<Answer> {
    let (store, audit) = (&app.consent, &app.audit);
    let op = match path {
        "/consent" => None,
        "/consent/grant" => Some(Op::Grant),
        "/consent/revoke" => Some(Op::Revoke),
        "/consent/restore" => Some(Op::Restore),
        "/consent/erase" => Some(Op::Erase),
        _ if path.starts_with("/consent/") => {
            return Some(error(
                StatusCode::NOT_FOUND,
                "not_found",
                "known: GET /consent, POST /consent/{grant,revoke,restore,erase}",
            ));
        }
        _ => return None,
    };
    Some(match (op, method) {
        (None, &Method::GET) => lookup(store, audit, scopes, query).await,
        (Some(op), &Method::POST) => decide(store, audit, scopes, op, body).await,
        (None, _) => not_allowed("GET"),
        (Some(_), _) => not_allowed("POST"),
    })
}

fn error(status: StatusCode, code: &str, detail: impl Into<String>) -> Answer {
    let detail = detail.into();
    let body = ErrorBody {
        error: code,
        detail: &detail,
        errors: None,
    };
    (status, body.to_bytes().to_vec())
}

fn not_allowed(allowed: &str) -> Answer {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("this path takes {allowed}"),
    )
}

fn ok(body: serde_json::Value) -> Answer {
    (
        StatusCode::OK,
        serde_json::to_vec(&body).expect("a JSON value serializes"),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    subject_hash: Option<String>,
    #[serde(default)]
    partner: Option<String>,
    #[serde(default)]
    scenario: Option<String>,
    #[serde(default)]
    separate: bool,
    #[serde(default)]
    actor: Option<String>,
}

/// A JSON object with the members of [`DecisionBody`] (serde would also
/// take an array for a struct: refused here). Errors never quote the body.
fn parse_body(body: &[u8]) -> Result<DecisionBody, String> {
    let expected = "expected a JSON object with `subject` (or `subject_hash`) and optionally \
                    `partner`, `scenario`, `actor` (strings) and `separate` (a boolean)";
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body)
        .map_err(|e| format!("{expected}: {}", crate::diag::json_error("the body", &e)))?;
    serde_json::from_value(serde_json::Value::Object(object))
        .map_err(|_| format!("{expected}: a member is unknown or of the wrong type"))
}

/// The subject as the store keys it, from exactly one of a raw id or its hash.
/// A subject as decisions are recorded for it: the hash of its key form
/// (what requests look up and audit records carry), and the hashes of its
/// other spellings a partner may look up (lowercased, for partners whose
/// ids are case insensitive; the id as sent, for lookups of decisions
/// recorded before normalization).
#[derive(Clone)]
struct Subject {
    primary: SubjectHash,
    also: Vec<SubjectHash>,
}

impl Subject {
    fn of_raw(store: &ConsentStore, raw: &str) -> Subject {
        let key = crate::subject::normalize(raw, Case::Sensitive);
        let folded = crate::subject::normalize(raw, Case::Insensitive);
        let mut also = Vec::new();
        for spelling in [folded.as_str(), raw] {
            let hash = store.hash(spelling);
            if spelling != key && !also.contains(&hash) {
                also.push(hash);
            }
        }
        Subject {
            primary: store.hash(&key),
            also,
        }
    }

    fn all(&self) -> impl Iterator<Item = &SubjectHash> {
        std::iter::once(&self.primary).chain(&self.also)
    }
}

fn subject_of(
    store: &ConsentStore,
    raw: Option<&str>,
    hashed: Option<&str>,
    what: &'static str,
) -> Result<Subject, Answer> {
    let bad = |detail: &str| error(StatusCode::BAD_REQUEST, what, detail);
    let from_hash = |hash: SubjectHash| Subject {
        primary: hash,
        also: Vec::new(),
    };
    match (raw, hashed) {
        (Some(raw), None) if !raw.trim().is_empty() => Ok(Subject::of_raw(store, raw)),
        (Some(_), None) => Err(bad("`subject` is empty")),
        (None, Some(hash)) => serde_json::from_value(json!(hash))
            .map(from_hash)
            .map_err(|_| bad("`subject_hash` must be hmac:<64 lowercase hex>")),
        (Some(_), Some(_)) => Err(bad("give `subject` or `subject_hash`, not both")),
        (None, None) => Err(bad("`subject` (or `subject_hash`) is required")),
    }
}

fn actor_of(actor: Option<&str>) -> Result<Option<Ident>, Answer> {
    actor.map(Ident::new).transpose().map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "`actor` must be 1-128 characters of A-Z a-z 0-9 _ - . : / with no run of 6 or more \
             digits",
        )
    })
}

fn action_label(op: &str, scenario: Option<&str>) -> Ident {
    let text = match scenario {
        Some(s) => format!("consent.{op}:{s}"),
        None => format!("consent.{op}"),
    };
    Ident::new(&text).expect("ops and checked scenario names make valid labels")
}

/// A decision request, checked: who, what scope, recorded by whom.
struct Request {
    subject: Subject,
    scope: Scope,
    actor: Option<Ident>,
}

/// Records `op` for the subject under every spelling it may be looked up
/// by; the first (the key form's) result is the answer's.
async fn commit_all(
    store: &Arc<ConsentStore>,
    subject: &Subject,
    op: Op,
    scope: &Scope,
) -> Result<crate::consent::Recorded, ConsentError> {
    let recorded = store.commit(&subject.primary, op, scope).await?;
    for other in &subject.also {
        match store.commit(other, op, scope).await {
            // An erased spelling stays erased: the key form decided.
            Ok(_) | Err(ConsentError::Erased) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(recorded)
}

fn decision_request(store: &ConsentStore, body: &[u8]) -> Result<Request, Answer> {
    let parsed = parse_body(body)
        .map_err(|detail| error(StatusCode::BAD_REQUEST, "invalid_body", detail))?;
    let subject = subject_of(
        store,
        parsed.subject.as_deref(),
        parsed.subject_hash.as_deref(),
        "invalid_body",
    )?;
    let actor = actor_of(parsed.actor.as_deref())?;
    let scope = Scope {
        partner: parsed.partner,
        scenario: parsed.scenario,
        separate: parsed.separate,
    };
    Ok(Request {
        subject,
        scope,
        actor,
    })
}

async fn decide(
    store: &Arc<ConsentStore>,
    audit: &AuditHandle,
    scopes: &Scopes,
    op: Op,
    body: &[u8],
) -> Answer {
    let Request {
        subject,
        scope,
        actor,
    } = match decision_request(store, body) {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    // Durable (journal fsynced, or database transaction committed) before
    // this answers.
    let recorded = match commit_all(store, &subject, op, &scope).await {
        Ok(recorded) => recorded,
        Err(e) => return consent_error(e),
    };
    let record = Admin {
        action: action_label(
            &format!(
                "{}{}",
                op.as_str(),
                if scope.separate { ".separate" } else { "" }
            ),
            scope.scenario.as_deref(),
        ),
        actor,
        partner: scope.partner.as_deref().and_then(|p| Ident::new(p).ok()),
        subject: Some(subject.primary.clone()),
    };
    if let Err(e) = audit.append(record).await {
        let seq = recorded.decision.seq;
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "audit_unavailable",
            format!(
                "the decision (seq {seq}) is recorded and in effect, but its audit record could \
                 not be written: {e}"
            ),
        );
    }
    let warnings: Vec<String> = scopes.warning(&scope).into_iter().collect();
    ok(json!({
        "subject": subject.primary.as_str(),
        "decision": decision_json(&recorded.decision),
        "changed": recorded.changed,
        "warnings": warnings,
    }))
}

fn consent_error(e: ConsentError) -> Answer {
    match e {
        ConsentError::Invalid(detail) => error(StatusCode::BAD_REQUEST, "invalid_scope", detail),
        ConsentError::Erased => error(
            StatusCode::CONFLICT,
            "subject_erased",
            "the subject was erased: its decisions are final",
        ),
        other => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "consent_unavailable",
            format!("nothing was recorded: {other}"),
        ),
    }
}

#[derive(Serialize)]
struct DecisionJson<'a> {
    op: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    partner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    separate: bool,
    seq: u64,
    ts: &'a str,
}

fn decision_json(d: &Decision) -> serde_json::Value {
    serde_json::to_value(DecisionJson {
        op: d.op.as_str(),
        partner: d.partner.as_deref(),
        scenario: d.scenario.as_deref(),
        separate: d.separate,
        seq: d.seq,
        ts: &d.ts,
    })
    .expect("strings and integers make a JSON value")
}

async fn lookup(
    store: &ConsentStore,
    audit: &AuditHandle,
    scopes: &Scopes,
    query: Option<&str>,
) -> Answer {
    let params = match parse_query(query.unwrap_or("")) {
        Ok(params) => params,
        Err(detail) => return error(StatusCode::BAD_REQUEST, "invalid_query", detail),
    };
    let subject = match subject_of(
        store,
        params.subject.as_deref(),
        params.subject_hash.as_deref(),
        "invalid_query",
    ) {
        Ok(subject) => subject,
        Err(answer) => return answer,
    };
    let record = Admin {
        action: action_label("lookup", None),
        actor: None,
        partner: None,
        subject: Some(subject.primary.clone()),
    };
    if let Err(e) = audit.append(record).await {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "audit_unavailable",
            format!("lookups are audited and the audit log refused the record: {e}"),
        );
    }
    let view = store.view(&subject.primary);
    let keys: Vec<SubjectKey> = subject.all().map(SubjectKey::of).collect();
    let effective: Vec<serde_json::Value> = scopes
        .all()
        .into_iter()
        .map(|(partner, scenario)| {
            let verdict = keys
                .iter()
                .map(|key| store.lookup(key, partner, scenario))
                .max_by_key(|v| crate::consent::strictness(*v))
                .unwrap_or(crate::consent::Verdict::NoDecision);
            json!({"partner": partner, "scenario": scenario, "verdict": verdict.as_str()})
        })
        .collect();
    ok(json!({
        "subject": subject.primary.as_str(),
        "erased": view.erased.as_ref().map(decision_json),
        "decisions": view.decisions.iter().map(decision_json).collect::<Vec<_>>(),
        "effective": effective,
    }))
}

#[derive(Default)]
struct LookupParams {
    subject: Option<String>,
    subject_hash: Option<String>,
}

/// `subject=…` or `subject_hash=…`, form-encoded. Errors never quote a value.
fn parse_query(query: &str) -> Result<LookupParams, String> {
    let mut params = LookupParams::default();
    for (index, pair) in query.split('&').filter(|p| !p.is_empty()).enumerate() {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value).ok_or_else(|| {
            format!(
                "query parameter {} is not valid percent-encoded UTF-8",
                index + 1
            )
        })?;
        let slot = match name {
            "subject" => &mut params.subject,
            "subject_hash" => &mut params.subject_hash,
            _ => {
                return Err(format!(
                    "query parameter {} is unknown; give `subject` or `subject_hash`",
                    index + 1
                ));
            }
        };
        if slot.replace(value).is_some() {
            return Err(format!("`{name}` is given twice"));
        }
    }
    Ok(params)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode_and_refuse_without_quoting() {
        let p = parse_query("subject=%E5%BC%A0+x").expect("valid");
        assert_eq!(p.subject.as_deref(), Some("张 x"));
        let e = parse_query("subject=a&subject=110101199003077777")
            .err()
            .expect("twice");
        assert!(!e.contains("110101"), "{e}");
        let e = parse_query("who=110101199003077777")
            .err()
            .expect("unknown");
        assert!(!e.contains("110101"), "{e}");
        assert!(parse_query("subject=%E5%BC").is_err());
        assert!(parse_query("subject=%zz").is_err());
    }
}
