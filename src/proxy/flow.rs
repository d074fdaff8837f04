//! The per-request flow, one step per arrow of DESIGN.md's picture:
//!
//! 1. target check and routing (never an open proxy);
//! 2. body read under the size and time limits;
//! 3. decode (`Content-Encoding`), classify (`Content-Type`, sniffing);
//! 4. inspection by the partner's policy: headers, query, body;
//! 5. share gate: consent check and audit record (issue 7 / the audit
//!    module plug in here, in [`share_gate`]; nothing may leave before it);
//! 6. forward to the partner (or the built-in echo);
//! 7. the response: hop-by-hop removal, optional inspection.
//!
//! Any step can refuse; a refusal is a JSON error and nothing is forwarded.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;

use super::audit_records::{self, RequestFacts};
use super::body::{self, BodyKind};
use super::encoding::{self, Coding, DecodeError};
use super::error::Refusal;
use super::headers::{self, ClientInfo, REQUEST_ID};
use super::inspect::{self, Direction};
use super::{Generation, PartnerRuntime, Proxy, ProxyBody, route};
use crate::config::{ContentTypePolicy, ResponsePolicy};
use crate::engine::Findings;

/// What the access log line says about one request: never a value.
#[derive(Default)]
struct Outcome {
    partner: Option<String>,
    audit_label: Option<crate::audit::Label>,
    /// The share record was accepted: an outcome record follows.
    shared: bool,
    findings: usize,
    bytes_in: usize,
    bytes_out: usize,
}

/// Serves one request: the protected exchange with the partner, or a JSON
/// refusal. Every response carries the request id.
pub async fn handle(
    proxy: Arc<Proxy>,
    client: ClientInfo,
    req: Request<Incoming>,
) -> Response<ProxyBody> {
    let started = Instant::now();
    let generation = proxy.current();
    let request_id = headers::request_id(req.headers());
    let method = req.method().clone();
    let facts = RequestFacts::new(request_id.to_str().unwrap_or(""), &method, req.uri().path());
    let mut outcome = Outcome::default();
    let result = forward(
        &proxy,
        &generation,
        client,
        &request_id,
        &facts,
        req,
        &mut outcome,
    )
    .await;
    let (mut response, refusal) = match result {
        Ok(response) => (response, None),
        Err(refusal) => (refusal.to_response(), Some(refusal)),
    };
    record_end(
        &proxy,
        &facts,
        &outcome,
        refusal.as_ref(),
        response.status().as_u16(),
        started,
    )
    .await;
    response
        .headers_mut()
        .insert(REQUEST_ID.clone(), request_id.clone());
    let id = request_id.to_str().unwrap_or("");
    let partner = outcome.partner.as_deref().unwrap_or("-");
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    match refusal {
        None => {
            tracing::info!(request_id = id, partner, %method, status, latency_ms, findings = outcome.findings,
            bytes_in = outcome.bytes_in, bytes_out = outcome.bytes_out, "forwarded")
        }
        Some(r) => {
            tracing::info!(request_id = id, partner, %method, status, latency_ms, error = r.code,
            fault = r.fault.as_str(), detail = %r.detail, "refused")
        }
    }
    response
}

/// The request's last record: `outcome` after a share, `blocked` after a
/// refusal. The share record was the one that had to succeed before
/// forwarding; this one is queued without waiting for the write (the
/// answer does not wait on the audit writer twice), and a failure is
/// logged, not turned into an error for a request that already happened.
async fn record_end(
    proxy: &Proxy,
    facts: &RequestFacts,
    outcome: &Outcome,
    refusal: Option<&Refusal>,
    status: u16,
    started: Instant,
) {
    let latency_ms = started.elapsed().as_millis() as u64;
    let appended = match (refusal, &outcome.audit_label) {
        (Some(r), _) if r.code == "audit_unavailable" => return,
        (Some(r), partner) => match audit_records::blocked(facts, partner.as_ref(), r.code, status)
        {
            Some(record) => proxy.audit.append_detached(record).await,
            None => return,
        },
        (None, Some(partner)) if outcome.shared => {
            match audit_records::outcome(facts, partner, status, latency_ms) {
                Some(record) => proxy.audit.append_detached(record).await,
                None => return,
            }
        }
        (None, _) => return,
    };
    if let Err(e) = appended {
        tracing::error!(error = %e, "an outcome or blocked record was not queued");
    }
}

async fn forward(
    proxy: &Proxy,
    generation: &Generation,
    client: ClientInfo,
    request_id: &HeaderValue,
    facts: &RequestFacts,
    req: Request<Incoming>,
    outcome: &mut Outcome,
) -> Result<Response<ProxyBody>, Refusal> {
    route::check_target(&req)?;
    let routed = generation.router.route(req.uri().path()).ok_or_else(|| {
        Refusal::caller(
            StatusCode::NOT_FOUND,
            "no_route",
            "no partner is configured for this path",
        )
    })?;
    let partner = &generation.partners[routed.partner];
    outcome.partner = Some(partner.config.id.clone());
    outcome.audit_label = Some(partner.audit_label.clone());
    let rest = routed.rest.to_string();
    let limits = generation.limits;
    let (mut parts, incoming) = req.into_parts();
    // Known before reading a byte of the body: refuse early.
    let codings = encoding::codings(&parts.headers).map_err(|detail| {
        Refusal::caller(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_content_encoding",
            detail,
        )
    })?;
    let had_body_headers = parts.headers.contains_key(header::CONTENT_LENGTH)
        || parts.headers.contains_key(header::TRANSFER_ENCODING);
    let raw =
        body::read_request_body(incoming, limits.max_body_bytes, limits.body_read_timeout).await?;
    outcome.bytes_in = raw.len();

    let mut findings = Findings::default();
    headers::remove_hop_by_hop(&mut parts.headers);
    inspect::headers(&partner.policy, &mut parts.headers, &mut findings)?;
    let query = match parts.uri.query() {
        Some(q) => Some(
            inspect::query(&partner.policy, q, &mut findings)?.unwrap_or_else(|| q.to_string()),
        ),
        None => None,
    };
    let body = protect_body(
        partner,
        &parts.headers,
        raw,
        &codings,
        limits.max_body_bytes,
        Direction::Request,
        &mut findings,
    )
    .await?;
    outcome.findings = findings.items.len();
    outcome.bytes_out = body.len();

    share_gate(proxy, facts, partner, &findings, outcome).await?;

    let uri = partner.target.uri(&rest, query.as_deref())?;
    // HTTP/2 callers name the host in :authority rather than Host.
    let original_host = parts.headers.get(header::HOST).cloned().or_else(|| {
        let authority = parts.uri.authority()?;
        HeaderValue::from_str(authority.as_str()).ok()
    });
    let mut upstream = Request::builder().method(parts.method).uri(uri);
    let mut outgoing = parts.headers;
    outgoing.remove(header::HOST);
    outgoing.remove(header::EXPECT);
    outgoing.remove(header::CONTENT_LENGTH);
    headers::add_forwarded(&mut outgoing, client, original_host.as_ref());
    outgoing.insert(REQUEST_ID.clone(), request_id.clone());
    if had_body_headers || !body.is_empty() {
        outgoing.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    if let Some(h) = upstream.headers_mut() {
        *h = outgoing;
    }
    let upstream = upstream.body(Full::new(body)).map_err(|_| {
        Refusal::proxy(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "cannot build the upstream request",
        )
    })?;
    let started = Instant::now();
    let response = partner
        .target
        .send(upstream, limits.upstream_timeout)
        .await?;
    let remaining = limits.upstream_timeout.saturating_sub(started.elapsed());
    respond(partner, response, limits.max_body_bytes, remaining).await
}

/// The point before which nothing leaves: the audit log must accept the
/// `share` record first (503 `audit_unavailable` otherwise, nothing
/// forwarded). The consent check (issue 7) belongs here too, before the
/// record: a revoked subject is refused 403 `consent_revoked`.
async fn share_gate(
    proxy: &Proxy,
    facts: &RequestFacts,
    partner: &PartnerRuntime,
    findings: &Findings,
    outcome: &mut Outcome,
) -> Result<(), Refusal> {
    let unavailable = |detail: String| {
        Refusal::proxy(StatusCode::SERVICE_UNAVAILABLE, "audit_unavailable", detail)
    };
    let record = audit_records::share(
        facts,
        partner,
        &proxy.subjects,
        findings,
        outcome.bytes_in,
        outcome.bytes_out,
    )
    .ok_or_else(|| unavailable("the request cannot be described in an audit record".into()))?;
    proxy
        .audit
        .append(record)
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    outcome.shared = true;
    Ok(())
}

/// Decode → classify → inspect → re-encode. Returns the original bytes when
/// inspection changed nothing, so an untouched compressed body leaves as it came.
async fn protect_body(
    partner: &PartnerRuntime,
    headers: &http::HeaderMap,
    raw: Bytes,
    codings: &[Coding],
    max: usize,
    direction: Direction,
    findings: &mut Findings,
) -> Result<Bytes, Refusal> {
    if raw.is_empty() {
        return Ok(raw);
    }
    let decoded = if codings.is_empty() {
        raw.clone()
    } else {
        Bytes::from(
            encoding::decode(&raw, codings, max).map_err(|e| decode_refusal(e, max, direction))?,
        )
    };
    let kind = body::classify(headers, &decoded).map_err(|detail| match direction {
        Direction::Request => Refusal::caller(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            detail,
        ),
        Direction::Response => Refusal::partner(
            StatusCode::BAD_GATEWAY,
            "upstream_unsupported_media_type",
            detail,
        ),
    })?;
    if kind == BodyKind::Other && partner.config.content_types == ContentTypePolicy::Refuse {
        return Err(match direction {
            Direction::Request => Refusal::caller(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "only JSON and form bodies are inspected; this partner refuses other content types",
            ),
            Direction::Response => Refusal::partner(
                StatusCode::BAD_GATEWAY,
                "upstream_unsupported_media_type",
                "the partner answered with a body that is neither JSON nor form data",
            ),
        });
    }
    let protected =
        inspect::body(&partner.policy, kind, decoded.clone(), direction, findings).await?;
    if protected == decoded {
        return Ok(raw);
    }
    let encoded = encoding::encode(&protected, codings).map_err(|e| {
        Refusal::proxy(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            format!("re-encoding the body failed: {e}"),
        )
    })?;
    Ok(Bytes::from(encoded))
}

fn decode_refusal(e: DecodeError, max: usize, direction: Direction) -> Refusal {
    match (e, direction) {
        (DecodeError::TooLarge, Direction::Request) => body::too_large(max),
        (DecodeError::Corrupt(detail), Direction::Request) => {
            Refusal::caller(StatusCode::BAD_REQUEST, "invalid_content_encoding", detail)
        }
        (DecodeError::TooLarge, Direction::Response) => Refusal::partner(
            StatusCode::BAD_GATEWAY,
            "upstream_body_too_large",
            format!("the partner's decoded response exceeds max_body_bytes ({max} bytes)"),
        ),
        (DecodeError::Corrupt(detail), Direction::Response) => Refusal::partner(
            StatusCode::BAD_GATEWAY,
            "upstream_invalid_content_encoding",
            detail,
        ),
    }
}

/// Cleans the partner's response and, for `responses: inspect`, applies the
/// partner's policy to it within what is left of the upstream timeout.
async fn respond(
    partner: &PartnerRuntime,
    response: Response<ProxyBody>,
    max: usize,
    remaining: std::time::Duration,
) -> Result<Response<ProxyBody>, Refusal> {
    let (mut parts, incoming) = response.into_parts();
    headers::remove_hop_by_hop(&mut parts.headers);
    if partner.config.responses == ResponsePolicy::Pass {
        return Ok(Response::from_parts(parts, incoming));
    }
    let codings = encoding::codings(&parts.headers).map_err(|detail| {
        Refusal::partner(
            StatusCode::BAD_GATEWAY,
            "upstream_unsupported_content_encoding",
            detail,
        )
    })?;
    let raw = match tokio::time::timeout(remaining, collect_limited(incoming, max)).await {
        Err(_) => {
            return Err(Refusal::partner(
                StatusCode::GATEWAY_TIMEOUT,
                "upstream_timeout",
                "the partner's response body did not arrive in time",
            ));
        }
        Ok(result) => result?,
    };
    let mut findings = Findings::default();
    let body = protect_body(
        partner,
        &parts.headers,
        raw,
        &codings,
        max,
        Direction::Response,
        &mut findings,
    )
    .await?;
    if !body.is_empty() {
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    Ok(Response::from_parts(
        parts,
        Full::new(body).map_err(|never| match never {}).boxed(),
    ))
}

/// Collects a partner's response body, refusing it past `max` bytes.
async fn collect_limited(mut body: ProxyBody, max: usize) -> Result<Bytes, Refusal> {
    let mut out = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            Refusal::partner(
                StatusCode::BAD_GATEWAY,
                "upstream_error",
                format!("reading the partner's response failed: {e}"),
            )
        })?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > max {
                return Err(decode_refusal(
                    DecodeError::TooLarge,
                    max,
                    Direction::Response,
                ));
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out.freeze())
}
