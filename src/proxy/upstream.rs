//! The request that goes to the partner, built from the inspected one: the
//! upstream URI (the partner's base path, the rest of the caller's path
//! after the route, the protected query), the caller's headers less the
//! transport's own, the forwarding headers and the request id; and the
//! partner client's failures as refusals.

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::request::Parts;
use http::{Request, Response};
use http_body_util::Full;

use super::headers::{self, REQUEST_ID};
use super::refusal::{Reason, Refusal};
use crate::app::Partner;
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
    // HTTP/2 callers name the host in :authority rather than Host.
    let original_host = parts.headers.get(header::HOST).cloned().or_else(|| {
        let authority = parts.uri.authority()?;
        HeaderValue::from_str(authority.as_str()).ok()
    });
    let mut outgoing = parts.headers;
    outgoing.remove(header::HOST);
    outgoing.remove(header::EXPECT);
    outgoing.remove(header::CONTENT_LENGTH);
    headers::add_forwarded(&mut outgoing, out.client, original_host.as_ref());
    outgoing.insert(REQUEST_ID.clone(), out.request_id.clone());
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
