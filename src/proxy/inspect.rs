//! One message through one policy: its headers, query string and decoded
//! body, each protected by the engine, with the findings of all three.
//!
//! The message is only read; what inspection would change comes back as
//! an [`Inspection`] the flow applies. That keeps the real policy and a
//! candidate's shadow run the same call on the same message
//! ([`message`]).

use std::sync::{Arc, LazyLock};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, header};
use tokio::sync::Semaphore;

use super::body::{BodyKind, Decoded};
use super::form::{self, PairAction};
use super::headers::REQUEST_ID;
use super::refusal::{Reason, Refusal};
use crate::engine::{self, EngineError, ErrorKind, Findings, NameOutcome, NamedOutcome, Place};
use crate::metrics::Direction;
use crate::rules::Policy;

/// Bodies above this size are inspected on the blocking pool, so one large
/// document does not stall the other requests on its worker thread.
const BLOCKING_THRESHOLD: usize = 256 * 1024;

/// Large inspections running at once: one per core. Without a bound every
/// large body waiting for a thread would be walked at once on the blocking
/// pool (up to 512 threads), each holding its protected copy and findings
/// before the flow can take them from the body budget; with it, at most
/// this many working sets exist beyond what the budget counts.
static LARGE_INSPECTIONS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

/// The parts of a message a policy inspects.
pub struct Message<'a> {
    /// The request path after the partner's route (requests only).
    pub path: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub query: Option<&'a str>,
    pub body: Option<&'a Decoded>,
    pub direction: Direction,
}

/// What a policy found in a message and what it would change.
#[derive(Default)]
pub struct Inspection {
    pub findings: Findings,
    /// The protected path after the route, when a segment changed.
    pub path: Option<String>,
    /// Headers whose values change: the new values (none: removed).
    pub headers: Vec<(HeaderName, Vec<HeaderValue>)>,
    /// The protected query string, when it changed.
    pub query: Option<String>,
    /// The protected decoded body, when it changed.
    pub body: Option<Bytes>,
}

impl Inspection {
    /// About how many bytes this inspection holds until the request ends:
    /// the protected copies and the findings.
    pub fn heap_bytes(&self) -> usize {
        self.findings.heap_bytes()
            + self.body.as_ref().map_or(0, Bytes::len)
            + self.query.as_ref().map_or(0, String::len)
            + self.path.as_ref().map_or(0, String::len)
    }

    /// Applies the header changes to `headers`.
    pub fn apply_headers(&mut self, headers: &mut HeaderMap) {
        for (name, values) in self.headers.drain(..) {
            headers.remove(&name);
            for value in values {
                headers.append(name.clone(), value);
            }
        }
    }
}

/// Inspects `message` with `policy`: headers (requests only: a partner's
/// response headers are its own), query, then body.
pub async fn message(policy: &Arc<Policy>, message: &Message<'_>) -> Result<Inspection, Refusal> {
    let mut inspection = Inspection::default();
    if let Some(rest) = message.path {
        let slashed = format!("/{rest}");
        let protected = engine::protect_path(policy, &slashed, &mut inspection.findings).map_err(
            |dropped| {
                Refusal::new(
                    Reason::PiiInPath,
                    format!(
                        "path segment {} holds data the partner's rules drop; a segment cannot be \
                         removed, so the request is refused",
                        dropped.index
                    ),
                )
            },
        )?;
        inspection.path = protected.map(|p| p.trim_start_matches('/').to_owned());
    }
    if message.direction == Direction::Request {
        inspection.headers = headers(policy, message.headers, &mut inspection.findings)?;
    }
    if let Some(q) = message.query {
        inspection.query = query(policy, q, &mut inspection.findings)?;
    }
    if let Some(decoded) = message.body {
        inspection.body =
            body(policy, decoded, message.direction, &mut inspection.findings).await?;
    }
    Ok(inspection)
}

fn bad_input(direction: Direction, reason: Reason, detail: String) -> Refusal {
    match direction {
        Direction::Request => Refusal::new(reason, detail),
        // The caller cannot fix a partner's answer: it is a bad gateway.
        Direction::Response => {
            let reason = match reason {
                Reason::InvalidJson => Reason::UpstreamInvalidJson,
                Reason::TooDeep => Reason::UpstreamTooDeep,
                _ => Reason::UpstreamInvalidForm,
            };
            Refusal::new(reason, format!("the partner's response: {detail}"))
        }
    }
}

fn engine_refusal(direction: Direction, e: &EngineError) -> Refusal {
    let reason = match e.kind {
        ErrorKind::InvalidJson => Reason::InvalidJson,
        ErrorKind::TooDeep => Reason::TooDeep,
    };
    bad_input(direction, reason, e.to_string())
}

/// The protected decoded body, `None` when inspection changed nothing.
async fn body(
    policy: &Arc<Policy>,
    decoded: &Decoded,
    direction: Direction,
    findings: &mut Findings,
) -> Result<Option<Bytes>, Refusal> {
    match decoded.kind {
        BodyKind::Json => {
            let protected = if decoded.bytes.len() > BLOCKING_THRESHOLD {
                let policy = policy.clone();
                let input = decoded.bytes.clone();
                let _running = LARGE_INSPECTIONS
                    .acquire()
                    .await
                    .expect("the inspection semaphore is never closed");
                tokio::task::spawn_blocking(move || engine::protect(&policy, &input))
                    .await
                    .map_err(|_| {
                        Refusal::new(Reason::InternalError, "the inspection task failed")
                    })?
            } else {
                engine::protect(policy, &decoded.bytes)
            }
            .map_err(|e| engine_refusal(direction, &e))?;
            findings.merge(protected.findings);
            Ok(protected.changed.then(|| Bytes::from(protected.output)))
        }
        BodyKind::Form => {
            let text = std::str::from_utf8(&decoded.bytes).map_err(|_| {
                bad_input(
                    direction,
                    Reason::InvalidForm,
                    "the form body is not UTF-8".into(),
                )
            })?;
            named_pairs(policy, Place::Form, text, findings)
                .map(|changed| changed.map(Bytes::from))
                .map_err(|e| bad_input(direction, Reason::InvalidForm, format!("form body {e}")))
        }
        BodyKind::Empty | BodyKind::Other => Ok(None),
    }
}

/// The protected query string; `None` when it is unchanged.
fn query(policy: &Policy, query: &str, findings: &mut Findings) -> Result<Option<String>, Refusal> {
    named_pairs(policy, Place::Query, query, findings)
        .map_err(|e| Refusal::new(Reason::InvalidQuery, format!("query string {e}")))
}

fn named_pairs(
    policy: &Policy,
    place: Place,
    text: &str,
    findings: &mut Findings,
) -> Result<Option<String>, form::FormError> {
    form::rewrite(text, |name, value| {
        // The name first: a value's findings are named by the name as it leaves.
        let (name, new_name) = match engine::protect_name(policy, place, name, findings) {
            NameOutcome::Keep => (name.to_owned(), None),
            NameOutcome::Replace(protected) => (protected.clone(), Some(protected)),
            NameOutcome::Drop => return PairAction::Drop,
        };
        match engine::protect_named_text(policy, place, &name, value, findings) {
            NamedOutcome::Keep if new_name.is_none() => PairAction::Keep,
            NamedOutcome::Keep => PairAction::Replace {
                name: new_name,
                value: None,
            },
            NamedOutcome::Replace(v) => PairAction::Replace {
                name: new_name,
                value: Some(v),
            },
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

/// The request headers whose values protection changes, with their new
/// values. A header value that is not UTF-8 cannot be inspected, so it is
/// refused rather than passed on.
fn headers(
    policy: &Policy,
    headers: &HeaderMap,
    findings: &mut Findings,
) -> Result<Vec<(HeaderName, Vec<HeaderValue>)>, Refusal> {
    let mut changes = Vec::new();
    for name in headers.keys().filter(|n| !transport_header(n)) {
        // A header name cannot be rewritten into a protected form that is
        // still a header name: one that carries personal data is refused.
        let mut name_findings = Findings::default();
        if engine::protect_name(policy, Place::Header, name.as_str(), &mut name_findings)
            != NameOutcome::Keep
        {
            return Err(Refusal::new(
                Reason::InvalidHeader,
                "a header name carries personal data; send it as a value",
            ));
        }
        let mut changed = false;
        let mut values = Vec::new();
        for value in headers.get_all(name) {
            let text = std::str::from_utf8(value.as_bytes()).map_err(|_| {
                Refusal::new(
                    Reason::InvalidHeader,
                    format!("header `{name}` is not UTF-8 and cannot be inspected"),
                )
            })?;
            match engine::protect_named_text(policy, Place::Header, name.as_str(), text, findings) {
                NamedOutcome::Keep => values.push(value.clone()),
                NamedOutcome::Replace(new) => {
                    changed = true;
                    values.push(HeaderValue::from_bytes(new.as_bytes()).map_err(|_| {
                        Refusal::new(
                            Reason::InternalError,
                            format!(
                                "the protected value of header `{name}` is not a valid header value"
                            ),
                        )
                    })?);
                }
                NamedOutcome::Drop => changed = true,
            }
        }
        if changed {
            changes.push((name.clone(), values));
        }
    }
    Ok(changes)
}
