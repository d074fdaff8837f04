//! The one shape of every error answer the proxy and the admin listener
//! give, `{"error": code, "detail": …}` (plus `errors` where there are
//! several), and [`Fault`]: whose side has to change for a retry to succeed.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;
use serde::Serialize;

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

/// The JSON of an error answer, members in this order. `detail` is made by
/// the proxy from positions, sizes and names, never from a payload's values.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub error: &'a str,
    pub detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<&'a [String]>,
}

impl ErrorBody<'_> {
    pub fn to_bytes(&self) -> Bytes {
        Bytes::from(serde_json::to_vec(self).expect("strings serialize"))
    }
}

/// `{"error": code, "detail": detail}` as a JSON response with `status`.
pub fn error_response(status: StatusCode, code: &str, detail: &str) -> Response<Full<Bytes>> {
    let body = ErrorBody {
        error: code,
        detail,
        errors: None,
    };
    json_response(status, body.to_bytes())
}

/// A JSON body with `status` and `Content-Type: application/json`.
pub fn json_response(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn error_bodies_are_stable_json() {
        let response = error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "over 10 bytes",
        );
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
        let errors = ["a".to_owned()];
        let several = ErrorBody {
            error: "config_rejected",
            detail: "1 error",
            errors: Some(&errors),
        };
        assert_eq!(
            &several.to_bytes()[..],
            br#"{"error":"config_rejected","detail":"1 error","errors":["a"]}"#
        );
    }
}
