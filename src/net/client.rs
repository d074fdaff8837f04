//! The partner side of the network: one pooled client per partner (rustls
//! with the system roots plus the partner's CA, optional client
//! certificate, SNI from the upstream URL), one deadline over TCP connect
//! and TLS handshake, and the built-in echo partner.
//!
//! Knows nothing of what is sent: the proxy builds the request, this sends
//! it and says how it failed ([`ClientError`]), never with a payload value.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Uri};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use rustls::RootCertStore;
use tokio::net::TcpStream;

use super::tls::{self, TlsError};
use crate::config::{Partner, Scheme, Upstream};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body type of every response the proxy sends and every answer the
/// partner client hands back.
pub type HttpBody = http_body_util::combinators::BoxBody<Bytes, BoxError>;

/// Why a request did not reach the partner or got no answer. The text is
/// the client's error chain: hosts and TLS problems, never a payload value.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the partner did not answer within {}", humantime_serde::re::humantime::format_duration(*.0))]
    Timeout(Duration),
    #[error("{0}")]
    ConnectTimeout(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("{0}")]
    Other(String),
    /// The path or query cannot be part of a URI.
    #[error("the request path or query cannot be forwarded")]
    InvalidPath,
}

/// Where one partner's requests go.
pub enum Target {
    Echo,
    Http {
        client: Box<Client<TimedConnector, Full<Bytes>>>,
        scheme: Scheme,
        authority: Authority,
        base_path: String,
    },
}

impl Target {
    /// Builds the partner's client; its TLS files are read now, not per request.
    pub fn new(
        partner: &Partner,
        roots: &RootCertStore,
        connect_timeout: Duration,
    ) -> Result<Target, TlsError> {
        let Upstream::Http {
            scheme,
            authority,
            base_path,
        } = &partner.upstream
        else {
            return Ok(Target::Echo);
        };
        let identity = partner
            .tls
            .client_identity
            .as_ref()
            .map(|(c, k)| (c.as_path(), k.as_path()));
        let tls_config = tls::client_config(roots, partner.tls.ca.as_deref(), identity)?;
        let mut http = HttpConnector::new();
        // The scheme decides TLS, so the inner connector must accept https URIs.
        http.enforce_http(false);
        http.set_nodelay(true);
        let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls_config);
        let https = match scheme {
            Scheme::Https => builder
                .https_only()
                .enable_http1()
                .enable_http2()
                .wrap_connector(http),
            Scheme::Http => builder.https_or_http().enable_http1().wrap_connector(http),
        };
        let connector = TimedConnector {
            inner: https,
            timeout: connect_timeout,
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(connector);
        Ok(Target::Http {
            client: Box::new(client),
            scheme: *scheme,
            authority: authority.clone(),
            base_path: base_path.clone(),
        })
    }

    /// The URI to send to: the upstream's base path, then the rest of the
    /// caller's path after the route, then the (inspected) query.
    pub fn uri(&self, rest: &str, query: Option<&str>) -> Result<Uri, ClientError> {
        let Target::Http {
            scheme,
            authority,
            base_path,
            ..
        } = self
        else {
            return Ok(Uri::from_static("/"));
        };
        let mut path = format!("{base_path}/{rest}");
        if let Some(q) = query {
            path.push('?');
            path.push_str(q);
        }
        let path_and_query = PathAndQuery::try_from(path).map_err(|_| ClientError::InvalidPath)?;
        Uri::builder()
            .scheme(match scheme {
                Scheme::Https => "https",
                Scheme::Http => "http",
            })
            .authority(authority.clone())
            .path_and_query(path_and_query)
            .build()
            .map_err(|_| ClientError::InvalidPath)
    }

    /// Sends the request; `timeout` bounds everything up to the response
    /// headers.
    pub async fn send(
        &self,
        request: Request<Full<Bytes>>,
        timeout: Duration,
    ) -> Result<Response<HttpBody>, ClientError> {
        let client = match self {
            Target::Echo => return Ok(echo(request)),
            Target::Http { client, .. } => client,
        };
        match tokio::time::timeout(timeout, client.request(request)).await {
            Err(_) => Err(ClientError::Timeout(timeout)),
            Ok(Err(e)) => Err(client_error(&e)),
            Ok(Ok(response)) => Ok(response.map(|b| b.map_err(BoxError::from).boxed())),
        }
    }
}

/// Sorts a client failure by kind, with the whole error chain as its text.
fn client_error(e: &hyper_util::client::legacy::Error) -> ClientError {
    let mut chain = e.to_string();
    let mut source = std::error::Error::source(e);
    let mut timed_out = false;
    while let Some(s) = source {
        timed_out |= s.is::<ConnectTimeout>();
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    if timed_out {
        ClientError::ConnectTimeout(chain)
    } else if e.is_connect() {
        ClientError::Unreachable(chain)
    } else {
        ClientError::Other(chain)
    }
}

/// The built-in partner: answers 200 with exactly the headers and body it
/// received, so the protection applied is visible with a plain `curl`.
fn echo(request: Request<Full<Bytes>>) -> Response<HttpBody> {
    let (parts, body) = request.into_parts();
    let mut response = Response::new(body.map_err(|never| match never {}).boxed());
    *response.headers_mut() = parts.headers;
    response
}

#[derive(Debug)]
struct ConnectTimeout(Duration);

impl std::fmt::Display for ConnectTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no connection (TCP and TLS) within {}",
            humantime_serde::re::humantime::format_duration(self.0)
        )
    }
}

impl std::error::Error for ConnectTimeout {}

/// The HTTPS connector with one deadline over TCP connect and TLS handshake
/// (the plain connector's own timeout would not cover the handshake).
#[derive(Clone)]
pub struct TimedConnector {
    inner: HttpsConnector<HttpConnector>,
    timeout: Duration,
}

type Conn = MaybeHttpsStream<TokioIo<TcpStream>>;

impl tower_service::Service<Uri> for TimedConnector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Conn, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(result) => result,
                Err(_) => Err(Box::new(ConnectTimeout(timeout)) as BoxError),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ContentTypePolicy, PartnerTls, ResponsePolicy};

    fn partner(upstream: Upstream) -> Partner {
        Partner {
            id: crate::ident::Ident::fixed("p"),
            name: None,
            export_basis: None,
            route: "/p/".into(),
            upstream,
            region: None,
            rules: "x".into(),
            candidate_rules: None,
            tls: PartnerTls::default(),
            content_types: ContentTypePolicy::Refuse,
            responses: ResponsePolicy::Pass,
            routes: Vec::new(),
            cross_border: false,
            region_at: None,
            quota: Default::default(),
            anomaly: Default::default(),
            forward_headers: None,
            upstream_auth: None,
        }
    }

    #[test]
    fn uris_join_base_rest_and_query() {
        let p = partner(Upstream::Http {
            scheme: Scheme::Https,
            authority: "api.example:8443".parse().expect("authority"),
            base_path: "/v2".into(),
        });
        let target =
            Target::new(&p, &RootCertStore::empty(), Duration::from_secs(1)).expect("client");
        let uri = target.uri("users/1", Some("a=1")).expect("uri");
        assert_eq!(uri.to_string(), "https://api.example:8443/v2/users/1?a=1");
        assert_eq!(
            target.uri("", None).expect("uri").to_string(),
            "https://api.example:8443/v2/"
        );
    }

    #[tokio::test]
    async fn echo_returns_headers_and_body() {
        let target = Target::Echo;
        let request = Request::builder()
            .header("x-a", "1")
            .body(Full::new(Bytes::from_static(b"{}")))
            .expect("request");
        let response = target
            .send(request, Duration::from_secs(1))
            .await
            .expect("echo");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["x-a"], "1");
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        assert_eq!(&body[..], b"{}");
    }
}
