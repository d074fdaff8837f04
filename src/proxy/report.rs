//! The end of every request: the response gets its request id, the audit
//! log its last record (`outcome` after a share, `blocked` after a
//! refusal), the metrics their sample and the log its one access line.
//! None of them carries a value from the request.

use std::time::Duration;

use http::Response;

use super::audit_records;
use super::exchange::Exchange;
use super::headers::REQUEST_ID;
use super::refusal::{Reason, Refusal};
use crate::metrics::{RefusalSample, RequestSample};
use crate::net::HttpBody;

/// Turns the flow's result into the response, and reports the request.
pub(super) async fn finish(
    exchange: &Exchange<'_>,
    result: Result<Response<HttpBody>, Refusal>,
) -> Response<HttpBody> {
    let (mut response, refusal) = match result {
        Ok(response) => (response, None),
        Err(refusal) => (refusal.to_response(), Some(refusal)),
    };
    let status = response.status().as_u16();
    last_record(exchange, refusal.as_ref(), status).await;
    response
        .headers_mut()
        .insert(REQUEST_ID.clone(), exchange.request_id.clone());
    let total = exchange.started.elapsed();
    let forwarded = if exchange.shared {
        exchange.bytes_out
    } else {
        0
    };
    exchange.app.metrics.request(&RequestSample {
        partner: exchange.metrics.as_deref(),
        status,
        refusal: refusal.as_ref().map(|r| RefusalSample {
            code: r.code(),
            fault: r.fault().as_str(),
            consent_block: r.reason == Reason::ConsentRevoked,
        }),
        total,
        upstream: exchange.upstream,
        bytes_in: exchange.bytes_in as u64,
        bytes_out: forwarded as u64,
    });
    access_log(exchange, status, total, refusal.as_ref());
    response
}

/// The request's last record. The share record was the one that had to
/// succeed before forwarding; this one is queued without waiting for the
/// write (the answer does not wait on the audit writer twice), and a
/// failure is logged, not turned into an error for a request that already
/// happened.
async fn last_record(exchange: &Exchange<'_>, refusal: Option<&Refusal>, status: u16) {
    let audit = &exchange.app.audit;
    let partner = exchange.partner.map(|p| &p.config.id);
    let appended = match refusal {
        // The log refused the share record: it will not take this one.
        Some(r) if r.reason == Reason::AuditUnavailable => return,
        Some(r) => {
            let subject = exchange.subjects.first().cloned();
            match audit_records::blocked(&exchange.facts, partner, subject, r) {
                Some(record) => audit.append_detached(record).await,
                None => return,
            }
        }
        None => {
            let Some(partner) = partner.filter(|_| exchange.shared) else {
                return;
            };
            let latency_ms = exchange.started.elapsed().as_millis() as u64;
            match audit_records::outcome(&exchange.facts, partner, status, latency_ms) {
                Some(record) => audit.append_detached(record).await,
                None => return,
            }
        }
    };
    if let Err(e) = appended {
        tracing::error!(error = %e, "an outcome or blocked record was not queued");
    }
}

/// The one access line of a request (target `access`): ids, counts, sizes
/// and times, never a value.
fn access_log(exchange: &Exchange<'_>, status: u16, total: Duration, refusal: Option<&Refusal>) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let request_id = exchange.request_id.to_str().unwrap_or("");
    let partner = exchange.partner.map_or("-", |p| p.config.id.as_str());
    let method = exchange.facts.method.as_ref().map_or("-", |m| m.as_str());
    let upstream = exchange.upstream.unwrap_or_default();
    let proxy_ms = ms(total.saturating_sub(upstream));
    let upstream_ms = ms(upstream);
    let (findings, bytes_in, bytes_out) =
        (exchange.findings, exchange.bytes_in, exchange.bytes_out);
    match refusal {
        None => tracing::info!(target: "access", request_id, partner, method, status, proxy_ms,
            upstream_ms, findings, bytes_in, bytes_out, "request"),
        Some(r) => tracing::info!(target: "access", request_id, partner, method, status, proxy_ms,
            upstream_ms, findings, bytes_in, bytes_out, error = r.code(), fault = r.fault().as_str(),
            detail = %r.detail, "request"),
    }
}
