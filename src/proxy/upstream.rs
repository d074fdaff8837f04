//! The request that goes to the partner, built from the inspected one: the
//! upstream URI (the partner's base path, the rest of the caller's path
//! after the route, the protected query), the caller's headers less the
//! transport's own, the forwarding headers and the request id; and the
//! partner client's failures as refusals.

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::request::Parts;
use http::uri::Authority;
use http::{Request, Response};
use http_body_util::Full;

use super::headers::{self, REQUEST_ID};
use super::refusal::{Reason, Refusal};
use crate::app::Partner;
use crate::engine::{NameOutcome, Place};
use crate::net::client::ClientError;
use crate::net::{ClientInfo, HttpBody};

/// What the upstream request is made of, besides the caller's head.
pub struct Outgoing<'a> {
    /// The caller's path after the route prefix.
    pub rest: &'a str,
    /// The query as inspected.
    pub query: Option<&'a str>,
    pub body: Bytes,
    /// The caller declared a body (`Content-Length` or `Transfer-Encoding`).
    pub declared_body: bool,
    /// The config's `public_host`.
    pub public_host: Option<&'a Authority>,
    pub client: ClientInfo,
    pub request_id: &'a HeaderValue,
}

/// The request to send to `partner`, from the caller's (inspected) head.
pub fn build(
    partner: &Partner,
    parts: Parts,
    out: Outgoing<'_>,
) -> Result<Request<Full<Bytes>>, Refusal> {
    let uri = partner
        .target
        .uri(out.rest, out.query)
        .map_err(|e| Refusal::new(Reason::InvalidPath, e.to_string()))?;
    let forwarded_host = forwarded_host(partner, &parts, out.public_host);
    let mut outgoing = caller_headers(partner, parts.headers);
    headers::add_forwarded(&mut outgoing, out.client, forwarded_host.as_ref());
    outgoing.insert(REQUEST_ID.clone(), out.request_id.clone());
    if let Some((name, value)) = &partner.upstream_auth {
        outgoing.insert(name.clone(), value.clone());
    }
    if out.declared_body || !out.body.is_empty() {
        outgoing.insert(header::CONTENT_LENGTH, HeaderValue::from(out.body.len()));
    }
    let mut request = Request::builder()
        .method(parts.method)
        .uri(uri)
        .body(Full::new(out.body))
        .map_err(|_| Refusal::new(Reason::InternalError, "cannot build the upstream request"))?;
    *request.headers_mut() = outgoing;
    Ok(request)
}

/// The caller's own credentials: never sent to a partner unless its
/// `forward_headers` names them.
fn credential(name: &HeaderName) -> bool {
    name == header::AUTHORIZATION || name == header::COOKIE || name.as_str().starts_with("proxy-")
}

/// The caller's headers that may leave for `partner`: all but the
/// transport's own and the caller's credentials, or only those the
/// partner's `forward_headers` names.
fn caller_headers(partner: &Partner, mut headers: HeaderMap) -> HeaderMap {
    for name in [header::HOST, header::EXPECT, header::CONTENT_LENGTH] {
        headers.remove(name);
    }
    let keep = |name: &HeaderName| match &partner.config.forward_headers {
        Some(allowed) => {
            allowed.contains(name)
                || name == header::CONTENT_TYPE
                || name == header::CONTENT_ENCODING
        }
        None => !credential(name),
    };
    let withheld: Vec<HeaderName> = headers.keys().filter(|n| !keep(n)).cloned().collect();
    for name in withheld {
        headers.remove(name);
    }
    headers
}

/// The host partners are told the request was for: the configured
/// `public_host`, else the caller's `Host` (or HTTP/2 `:authority`) when it
/// is a plain `host[:port]` in which no detector of the partner's policy
/// finds anything; otherwise none.
fn forwarded_host(
    partner: &Partner,
    parts: &Parts,
    public_host: Option<&Authority>,
) -> Option<HeaderValue> {
    if let Some(host) = public_host {
        return HeaderValue::from_str(host.as_str()).ok();
    }
    let sent = match parts.headers.get(header::HOST) {
        Some(host) => host.to_str().ok()?.to_owned(),
        None => parts.uri.authority()?.as_str().to_owned(),
    };
    let authority: Authority = sent.parse().ok()?;
    if authority.as_str() != sent || sent.contains('@') {
        return None;
    }
    let mut findings = crate::engine::Findings::default();
    let clean = crate::engine::protect_name(
        &partner.policy,
        Place::Header,
        authority.host(),
        &mut findings,
    ) == NameOutcome::Keep;
    clean.then(|| HeaderValue::from_str(&sent).ok()).flatten()
}

/// Sends `request` to the partner within `timeout` (to the response head).
pub async fn send(
    partner: &Partner,
    request: Request<Full<Bytes>>,
    timeout: std::time::Duration,
) -> Result<Response<HttpBody>, Refusal> {
    partner
        .target
        .send(request, timeout)
        .await
        .map_err(|e| refusal(&e))
}

/// 504 for a timeout, 502 for anything else, with the client's error chain
/// as detail: it names hosts and TLS problems, never the payload.
fn refusal(e: &ClientError) -> Refusal {
    let reason = match e {
        ClientError::Timeout(_) => Reason::UpstreamTimeout,
        ClientError::ConnectTimeout(_) => Reason::UpstreamConnectTimeout,
        ClientError::Unreachable(_) => Reason::UpstreamUnreachable,
        ClientError::Other(_) | ClientError::InvalidPath => Reason::UpstreamError,
    };
    Refusal::new(reason, e.to_string())
}
