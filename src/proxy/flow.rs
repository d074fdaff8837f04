//! The per-request flow, one step per arrow of DESIGN.md's picture:
//!
//! 1. target check and routing (never an open proxy);
//! 2. body read under the size and time limits;
//! 3. decode (`Content-Encoding`), classify (`Content-Type`, sniffing);
//! 4. inspection by the partner's policy: headers, query, body;
//! 5. share gate ([`share_gate`], nothing may leave before it): the
//!    partner's quotas, the subject's consent for the route's scenario
//!    (both in [`super::gates`]), then the audit record;
//! 6. forward to the partner (or the built-in echo);
//! 7. the response: hop-by-hop removal, optional inspection.
//!
//! Any step can refuse; a refusal is a JSON error and nothing is forwarded.

use std::sync::Arc;
use std::time::{Duration, Instant};

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
use super::shadow::{Shadow, ShadowResult};
use super::{Generation, PartnerRuntime, Proxy, ProxyBody, route};
use crate::audit::SubjectHash;
use crate::config::{ContentTypePolicy, ResponsePolicy};
use crate::engine::Findings;
use crate::metrics::{self, CandidateResult, PartnerMetrics, RequestSample};

/// What the access log line and the metrics say about one request: never
/// a value.
#[derive(Default)]
struct Outcome {
    partner: Option<String>,
    audit_label: Option<crate::audit::Ident>,
    metrics: Option<Arc<PartnerMetrics>>,
    /// The share record was accepted: an outcome record follows.
    shared: bool,
    findings: usize,
    bytes_in: usize,
    bytes_out: usize,
    /// Time spent waiting for the partner, once the request was sent.
    upstream: Option<Duration>,
    /// The keyed subject hash, once inspection found a subject.
    subject: Option<SubjectHash>,
}

/// Serves one request: the protected exchange with the partner, or a JSON
/// refusal. Every response carries the request id.
pub async fn handle(
    proxy: Arc<Proxy>,
    client: ClientInfo,
    req: Request<Incoming>,
) -> Response<ProxyBody> {
    let started = Instant::now();
    let _in_flight = proxy.metrics.in_flight();
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
    let total = started.elapsed();
    let status = response.status().as_u16();
    let forwarded = if outcome.shared { outcome.bytes_out } else { 0 };
    proxy.metrics.request(&RequestSample {
        partner: outcome.metrics.as_deref(),
        status,
        refusal: refusal.as_ref().map(|r| (r.code, r.fault.as_str())),
        total,
        upstream: outcome.upstream,
        bytes_in: outcome.bytes_in as u64,
        bytes_out: forwarded as u64,
    });
    access_log(
        &request_id,
        &method,
        status,
        total,
        &outcome,
        refusal.as_ref(),
    );
    response
}

/// The one access line of a request (target `access`): ids, counts, sizes
/// and times, never a value.
fn access_log(
    request_id: &HeaderValue,
    method: &http::Method,
    status: u16,
    total: Duration,
    outcome: &Outcome,
    refusal: Option<&Refusal>,
) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let request_id = request_id.to_str().unwrap_or("");
    let partner = outcome.partner.as_deref().unwrap_or("-");
    let upstream = outcome.upstream.unwrap_or_default();
    let proxy_ms = ms(total.saturating_sub(upstream));
    let upstream_ms = ms(upstream);
    let (findings, bytes_in, bytes_out) = (outcome.findings, outcome.bytes_in, outcome.bytes_out);
    match refusal {
        None => tracing::info!(target: "access", request_id, partner, %method, status, proxy_ms,
            upstream_ms, findings, bytes_in, bytes_out, "request"),
        Some(r) => tracing::info!(target: "access", request_id, partner, %method, status, proxy_ms,
            upstream_ms, findings, bytes_in, bytes_out, error = r.code, fault = r.fault.as_str(),
            detail = %r.detail, "request"),
    }
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
        (Some(r), partner) => {
            let subject = outcome.subject.clone();
            match audit_records::blocked(facts, partner.as_ref(), subject, r.code, status) {
                Some(record) => proxy.audit.append_detached(record).await,
                None => return,
            }
        }
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
    let target = &generation.route_targets[routed.partner];
    let partner = &generation.partners[target.partner];
    outcome.partner = Some(partner.config.id.to_string());
    outcome.audit_label = Some(partner.audit_label.clone());
    outcome.metrics = Some(proxy.metrics.partner(&partner.config.id));
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
    let mut shadow = partner.candidate.as_ref().map(Shadow::new);
    if let Some(shadow) = &mut shadow {
        shadow.headers(&parts.headers);
    }
    inspect::headers(&partner.policy, &mut parts.headers, &mut findings)?;
    let query = match parts.uri.query() {
        Some(q) => {
            let protected = inspect::query(&partner.policy, q, &mut findings)?;
            if let Some(shadow) = &mut shadow {
                shadow.query(q);
            }
            Some(protected.unwrap_or_else(|| q.to_string()))
        }
        None => None,
    };
    let protected = protect_body(
        partner,
        &parts.headers,
        raw,
        &codings,
        limits.max_body_bytes,
        Direction::Request,
        &mut findings,
    )
    .await?;
    if let (Some(shadow), Some((kind, decoded))) = (&mut shadow, protected.inspected) {
        shadow.body(kind, decoded).await;
    }
    let body = protected.bytes;
    outcome.findings = findings.items.len();
    outcome.bytes_out = body.len();

    let shadow = shadow.map(|s| s.finish(&findings));
    share_gate(
        proxy,
        facts,
        partner,
        &target.scenario,
        &findings,
        shadow.as_ref(),
        outcome,
    )
    .await?;
    if let Some(m) = &outcome.metrics {
        proxy
            .metrics
            .findings(m, metrics::Direction::Request, &findings.items);
        if let Some(shadow) = &shadow {
            record_candidate(proxy, m, shadow);
        }
    }

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
    let sent = partner.target.send(upstream, limits.upstream_timeout).await;
    outcome.upstream = Some(started.elapsed());
    let response = sent?;
    let remaining = limits.upstream_timeout.saturating_sub(started.elapsed());
    respond(
        proxy,
        partner,
        response,
        limits.max_body_bytes,
        remaining,
        outcome,
    )
    .await
}

fn record_candidate(proxy: &Proxy, partner: &PartnerMetrics, shadow: &ShadowResult<'_>) {
    let result = match (shadow.refused, shadow.diff.is_empty()) {
        (Some(_), _) => CandidateResult::Refused,
        (None, true) => CandidateResult::Same,
        (None, false) => CandidateResult::Different,
    };
    proxy
        .metrics
        .candidate(partner, result, shadow.diff.differences());
}

/// The point before which nothing leaves: the partner's quotas (429
/// `quota_exceeded`), the subject's consent for this partner and scenario
/// (403 `consent_revoked` / `consent_required`), then the audit log must
/// accept the `share` record (503 `audit_unavailable` otherwise). A refusal
/// here forwards nothing and is recorded as `blocked` with the hashed subject.
async fn share_gate(
    proxy: &Proxy,
    facts: &RequestFacts,
    partner: &PartnerRuntime,
    scenario: &str,
    findings: &Findings,
    shadow: Option<&ShadowResult<'_>>,
    outcome: &mut Outcome,
) -> Result<(), Refusal> {
    let (subject, key) = match &findings.subject {
        Some(s) => {
            let (hash, digest) = proxy.subjects.hash_with_digest(s.expose());
            (
                Some(hash),
                Some(crate::consent::SubjectKey::from_digest(digest)),
            )
        }
        None => (None, None),
    };
    outcome.subject = subject.clone();
    super::gates::quota(proxy, partner, key.as_ref())?;
    let consent = super::gates::consent(proxy, partner, scenario, key.as_ref())?;
    let unavailable = |detail: String| {
        Refusal::proxy(StatusCode::SERVICE_UNAVAILABLE, "audit_unavailable", detail)
    };
    let mut record = audit_records::share(
        facts,
        partner,
        subject,
        consent,
        findings,
        outcome.bytes_in,
        outcome.bytes_out,
    )
    .ok_or_else(|| unavailable("the request cannot be described in an audit record".into()))?;
    record.candidate = shadow.map(|s| Box::new(audit_records::candidate(s)));
    proxy
        .audit
        .append(record)
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    outcome.shared = true;
    Ok(())
}

/// A body after [`protect_body`].
struct Protected {
    /// What leaves: the original bytes when inspection changed nothing.
    bytes: Bytes,
    /// The decoded body as the engine saw it (for a shadow run), if any.
    inspected: Option<(BodyKind, Bytes)>,
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
) -> Result<Protected, Refusal> {
    if raw.is_empty() {
        return Ok(Protected {
            bytes: raw,
            inspected: None,
        });
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
    let bytes = if protected == decoded {
        raw
    } else {
        let encoded = encoding::encode(&protected, codings).map_err(|e| {
            Refusal::proxy(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                format!("re-encoding the body failed: {e}"),
            )
        })?;
        Bytes::from(encoded)
    };
    Ok(Protected {
        bytes,
        inspected: Some((kind, decoded)),
    })
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
    proxy: &Proxy,
    partner: &PartnerRuntime,
    response: Response<ProxyBody>,
    max: usize,
    remaining: Duration,
    outcome: &mut Outcome,
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
    let waiting = Instant::now();
    let collected = tokio::time::timeout(remaining, collect_limited(incoming, max)).await;
    if let Some(upstream) = &mut outcome.upstream {
        *upstream += waiting.elapsed();
    }
    let raw = match collected {
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
    .await?
    .bytes;
    if let Some(m) = &outcome.metrics {
        proxy
            .metrics
            .findings(m, metrics::Direction::Response, &findings.items);
    }
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
