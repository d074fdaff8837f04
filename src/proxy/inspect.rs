//! The calls into the engine for each part of a message: headers, query
//! string, and the body by kind (JSON or form). Each returns the protected
//! form, and adds to the request's findings.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};

use super::body::BodyKind;
use super::error::Refusal;
use super::form::{self, PairAction};
use super::headers::REQUEST_ID;
use crate::engine::{self, EngineError, Findings, NamedOutcome, Place};
use crate::rules::Policy;

/// Bodies above this size are inspected on the blocking pool, so one large
/// document does not stall the other requests on its worker thread.
const BLOCKING_THRESHOLD: usize = 256 * 1024;

/// Which way a message travels: decides whose fault a bad body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

fn bad_input(direction: Direction, code: &'static str, detail: String) -> Refusal {
    match direction {
        Direction::Request => Refusal::caller(StatusCode::BAD_REQUEST, code, detail),
        // The caller cannot fix a partner's answer: it is a bad gateway.
        Direction::Response => Refusal::partner(
            StatusCode::BAD_GATEWAY,
            code,
            format!("the partner's response: {detail}"),
        ),
    }
}

fn engine_refusal(direction: Direction, e: &EngineError) -> Refusal {
    bad_input(direction, e.code(), e.to_string())
}

/// Protects a decoded body of `kind`. Returns the protected bytes, or the
/// input itself when nothing changed (so untouched bodies stay byte-identical).
pub async fn body(
    policy: &std::sync::Arc<Policy>,
    kind: BodyKind,
    decoded: Bytes,
    direction: Direction,
    findings: &mut Findings,
) -> Result<Bytes, Refusal> {
    match kind {
        BodyKind::Json => {
            let (out, found) = if decoded.len() > BLOCKING_THRESHOLD {
                let policy = policy.clone();
                let input = decoded.clone();
                tokio::task::spawn_blocking(move || engine::protect(&policy, &input))
                    .await
                    .map_err(|_| {
                        Refusal::proxy(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "internal_error",
                            "the inspection task failed",
                        )
                    })?
            } else {
                engine::protect(policy, &decoded)
            }
            .map_err(|e| engine_refusal(direction, &e))?;
            merge(findings, found);
            Ok(if out == decoded {
                decoded
            } else {
                Bytes::from(out)
            })
        }
        BodyKind::Form => {
            let text = std::str::from_utf8(&decoded).map_err(|_| {
                bad_input(
                    direction,
                    "invalid_form",
                    "the form body is not UTF-8".into(),
                )
            })?;
            match named_pairs(policy, Place::Form, text, findings) {
                Ok(Some(out)) => Ok(Bytes::from(out)),
                Ok(None) => Ok(decoded),
                Err(e) => Err(bad_input(
                    direction,
                    "invalid_form",
                    format!("form body {e}"),
                )),
            }
        }
        BodyKind::Empty | BodyKind::Other => Ok(decoded),
    }
}

/// Protects the query string; `None` when it is unchanged.
pub fn query(
    policy: &Policy,
    query: &str,
    findings: &mut Findings,
) -> Result<Option<String>, Refusal> {
    named_pairs(policy, Place::Query, query, findings).map_err(|e| {
        Refusal::caller(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("query string {e}"),
        )
    })
}

fn named_pairs(
    policy: &Policy,
    place: Place,
    text: &str,
    findings: &mut Findings,
) -> Result<Option<String>, form::FormError> {
    form::rewrite(text, |name, value| {
        match engine::protect_named_text(policy, place, name, value, findings) {
            NamedOutcome::Keep => PairAction::Keep,
            NamedOutcome::Replace(v) => PairAction::Replace(v),
            NamedOutcome::Drop => PairAction::Drop,
        }
    })
}

/// Headers the proxy itself owns or that describe the transport: never
/// personal data, and rewriting them would break the message.
fn transport_header(name: &HeaderName) -> bool {
    name == header::HOST
        || name == header::CONTENT_LENGTH
        || name == header::CONTENT_TYPE
        || name == header::CONTENT_ENCODING
        || name == header::EXPECT
        || *name == REQUEST_ID
}

/// Protects request headers in place. A header value that is not UTF-8
/// cannot be inspected, so it is refused rather than passed on.
pub fn headers(
    policy: &Policy,
    headers: &mut HeaderMap,
    findings: &mut Findings,
) -> Result<(), Refusal> {
    let names: Vec<HeaderName> = headers
        .keys()
        .filter(|n| !transport_header(n))
        .cloned()
        .collect();
    for name in names {
        let mut changed = false;
        let mut values = Vec::new();
        for value in headers.get_all(&name) {
            let text = std::str::from_utf8(value.as_bytes()).map_err(|_| {
                Refusal::caller(
                    StatusCode::BAD_REQUEST,
                    "invalid_header",
                    format!("header `{name}` is not UTF-8 and cannot be inspected"),
                )
            })?;
            match engine::protect_named_text(policy, Place::Header, name.as_str(), text, findings) {
                NamedOutcome::Keep => values.push(value.clone()),
                NamedOutcome::Replace(new) => {
                    changed = true;
                    let new = HeaderValue::from_bytes(new.as_bytes()).map_err(|_| {
                        Refusal::proxy(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "internal_error",
                            format!(
                                "the protected value of header `{name}` is not a valid header value"
                            ),
                        )
                    })?;
                    values.push(new);
                }
                NamedOutcome::Drop => changed = true,
            }
        }
        if changed {
            headers.remove(&name);
            for v in values {
                headers.append(name.clone(), v);
            }
        }
    }
    Ok(())
}

fn merge(into: &mut Findings, from: Findings) {
    into.items.extend(from.items);
    if into.subject.is_none() {
        into.subject = from.subject;
    }
}
