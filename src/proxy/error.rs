//! Refusals: every way a request can be turned away, as an HTTP status, a
//! stable public code, a detail that never quotes a body value, and whose
//! fault it was.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};

use super::ProxyBody;

/// Who has to change something for the request to succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The internal service that sent the request.
    Caller,
    /// The partner's API (unreachable, slow, malformed answer).
    Partner,
    /// The proxy itself (a bug or a broken dependency such as the audit log).
    Proxy,
}

impl Fault {
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::Caller => "caller",
            Fault::Partner => "partner",
            Fault::Proxy => "proxy",
        }
    }
}

/// A refused request. `detail` is built by the proxy from positions, sizes
/// and names, never from the payload's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub fault: Fault,
}

impl Refusal {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        detail: impl Into<String>,
        fault: Fault,
    ) -> Self {
        Refusal {
            status,
            code,
            detail: detail.into(),
            fault,
        }
    }

    pub fn caller(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(status, code, detail, Fault::Caller)
    }

    pub fn partner(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(status, code, detail, Fault::Partner)
    }

    pub fn proxy(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(status, code, detail, Fault::Proxy)
    }

    /// `{"error": code, "detail": detail}` with the refusal's status.
    pub fn to_response(&self) -> Response<ProxyBody> {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            error: &'a str,
            detail: &'a str,
        }
        let body = Body {
            error: self.code,
            detail: &self.detail,
        };
        let bytes = Bytes::from(serde_json::to_vec(&body).expect("two strings serialize"));
        let mut response = Response::new(Full::new(bytes).map_err(|never| match never {}).boxed());
        *response.status_mut() = self.status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refusal_body_is_stable_json() {
        let r = Refusal::caller(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "over 10 bytes",
        );
        let response = r.to_response();
        assert_eq!(response.status(), 413);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        assert_eq!(
            &body[..],
            br#"{"error":"body_too_large","detail":"over 10 bytes"}"#
        );
    }
}
