//! The admin endpoints and who may call them.
//!
//! | endpoint | method | token | answer |
//! |---|---|---|---|
//! | `/healthz` | GET, HEAD | no | 200 while the process answers |
//! | `/readyz` | GET, HEAD | no | 200 ready, 503 not, with each check |
//! | `/metrics` | GET | yes | Prometheus exposition (OpenMetrics text) |
//! | `/reload` | POST | yes | 200 with the new generation, 422 with the errors |
//! | `/consent`, `/consent/…` | per endpoint | yes | see [`consent`] |
//!
//! Health and readiness are open because load balancers and orchestrators
//! probe without credentials (as Envoy's and Vault's are); they reveal no
//! more than partner ids and upstream host names. Everything else needs
//! `Authorization: Bearer <token>` (401 otherwise), checked before the path
//! is even looked at, so an unauthenticated caller learns nothing of what
//! exists. The query string is never logged: `/consent?subject=` carries a
//! subject id.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use serde::Serialize;

use super::AdminState;
use super::{consent, health};
use crate::app::reload::{ReloadError, Reloaded};
use crate::metrics::{self, ReloadTrigger};
use crate::net::ErrorBody;

/// Largest admin request body: every admin request body is a small JSON
/// object (a consent decision is a few hundred bytes).
pub const MAX_BODY: usize = 16 * 1024;
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The response body type of the admin listener.
pub type AdminBody = Full<Bytes>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Health,
    Ready,
    Metrics,
    Reload,
    Consent,
    Unknown,
}

impl Endpoint {
    fn of(path: &str) -> Endpoint {
        match path {
            "/healthz" => Endpoint::Health,
            "/readyz" => Endpoint::Ready,
            "/metrics" => Endpoint::Metrics,
            "/reload" => Endpoint::Reload,
            "/consent" => Endpoint::Consent,
            p if p.starts_with("/consent/") => Endpoint::Consent,
            _ => Endpoint::Unknown,
        }
    }

    /// The name metrics and logs use (never the path itself).
    fn name(self) -> &'static str {
        match self {
            Endpoint::Health => "healthz",
            Endpoint::Ready => "readyz",
            Endpoint::Metrics => "metrics",
            Endpoint::Reload => "reload",
            Endpoint::Consent => "consent",
            Endpoint::Unknown => "unknown",
        }
    }

    fn is_open(self) -> bool {
        matches!(self, Endpoint::Health | Endpoint::Ready)
    }

    /// The methods the endpoint answers; `None` when the endpoint decides.
    fn methods(self) -> Option<&'static [Method]> {
        const READ: &[Method] = &[Method::GET, Method::HEAD];
        match self {
            Endpoint::Health | Endpoint::Ready => Some(READ),
            Endpoint::Metrics => Some(&[Method::GET]),
            Endpoint::Reload => Some(&[Method::POST]),
            Endpoint::Consent | Endpoint::Unknown => None,
        }
    }
}

/// Serves one admin request.
pub async fn handle(
    state: Arc<AdminState>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Response<AdminBody> {
    let endpoint = Endpoint::of(req.uri().path());
    let method = req.method().clone();
    let response = dispatch(&state, endpoint, req).await;
    let status = response.status().as_u16();
    state.app.metrics.admin_request(endpoint.name(), status);
    if !endpoint.is_open() {
        tracing::info!(target: "admin", %peer, %method, endpoint = endpoint.name(), status, "admin request");
    }
    response
}

async fn dispatch(
    state: &AdminState,
    endpoint: Endpoint,
    req: Request<Incoming>,
) -> Response<AdminBody> {
    if !endpoint.is_open() && !state.token.load().authorizes(req.headers()) {
        tracing::warn!(target: "admin", endpoint = endpoint.name(), "admin request without a valid token");
        let mut response = error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send the admin token as `Authorization: Bearer <token>`",
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"pii-proxy-admin\""),
        );
        return response;
    }
    if let Some(methods) = endpoint.methods() {
        if !methods.contains(req.method()) {
            return method_not_allowed(methods);
        }
    }
    let head = req.method() == Method::HEAD;
    let mut response = match endpoint {
        Endpoint::Health => json(StatusCode::OK, &serde_json::json!({"status": "ok"})),
        Endpoint::Ready => ready(state).await,
        Endpoint::Metrics => metrics_text(state),
        Endpoint::Reload => reload(state).await,
        Endpoint::Consent => consent_request(state, req).await,
        Endpoint::Unknown => not_found(),
    };
    if head {
        *response.body_mut() = Full::new(Bytes::new());
    }
    response
}

async fn ready(state: &AdminState) -> Response<AdminBody> {
    let readiness = health::readiness(&state.app, &state.audit_dir).await;
    let status = if readiness.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json(status, &readiness)
}

fn metrics_text(state: &AdminState) -> Response<AdminBody> {
    let text = state.app.metrics_text();
    let mut response = Response::new(Full::new(Bytes::from(text)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(metrics::CONTENT_TYPE),
    );
    no_store(response)
}

async fn reload(state: &AdminState) -> Response<AdminBody> {
    match state.reloader.reload(ReloadTrigger::AdminApi).await {
        Ok(reloaded) => {
            #[derive(Serialize)]
            struct Body<'a> {
                status: &'static str,
                #[serde(flatten)]
                reloaded: &'a Reloaded,
            }
            json(
                StatusCode::OK,
                &Body {
                    status: "reloaded",
                    reloaded: &reloaded,
                },
            )
        }
        Err(ReloadError::Rejected(diagnostics)) => {
            let errors: Vec<String> = diagnostics.0.iter().map(ToString::to_string).collect();
            let detail = format!(
                "{} error(s) in the new config; the previous config keeps serving",
                errors.len()
            );
            let body = ErrorBody {
                error: "config_rejected",
                detail: &detail,
                errors: Some(&errors),
            };
            json_bytes(StatusCode::UNPROCESSABLE_ENTITY, body.to_bytes())
        }
        Err(ReloadError::AuditUnavailable(detail)) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "audit_unavailable",
            &format!("the reload was not applied: {detail}"),
        ),
    }
}

async fn consent_request(state: &AdminState, req: Request<Incoming>) -> Response<AdminBody> {
    let (parts, body) = req.into_parts();
    let collected =
        tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, MAX_BODY).collect()).await;
    let body = match collected {
        Ok(Ok(body)) => body.to_bytes(),
        Ok(Err(_)) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                &format!("admin request bodies are limited to {MAX_BODY} bytes"),
            );
        }
        Err(_) => {
            return error(
                StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                "the request body did not arrive in time",
            );
        }
    };
    let generation = state.app.current();
    let query = parts.uri.query();
    let path = parts.uri.path();
    let scopes = &generation.consent_scopes;
    match consent::handle(&state.app, scopes, &parts.method, path, query, &body).await {
        Some((status, body)) => json_bytes(status, Bytes::from(body)),
        None => not_found(),
    }
}

fn json(status: StatusCode, value: &impl Serialize) -> Response<AdminBody> {
    let bytes = serde_json::to_vec(value).expect("admin answers are plain data that serializes");
    json_bytes(status, Bytes::from(bytes))
}

/// Every admin answer is JSON that no cache may keep (it can name subjects).
fn json_bytes(status: StatusCode, body: Bytes) -> Response<AdminBody> {
    no_store(crate::net::json_response(status, body))
}

fn no_store(mut response: Response<AdminBody>) -> Response<AdminBody> {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn error(status: StatusCode, code: &str, detail: &str) -> Response<AdminBody> {
    no_store(crate::net::error_response(status, code, detail))
}

fn not_found() -> Response<AdminBody> {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such admin endpoint (known: /healthz, /readyz, /metrics, /reload)",
    )
}

fn method_not_allowed(methods: &[Method]) -> Response<AdminBody> {
    let allow = methods
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        &format!("this endpoint answers {allow}"),
    );
    if let Ok(value) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}
