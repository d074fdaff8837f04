//! Refusals: every way a request is turned away. [`Reason`] is the closed
//! list; each reason has one HTTP status, one stable public code and one
//! [`Fault`]. A [`Refusal`] is a reason with a detail that the proxy writes
//! from positions, sizes and names, never from a payload's values.

use http::StatusCode;
use http_body_util::BodyExt;

use crate::net::{Fault, HttpBody, error_response};

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    // The request itself.
    NoRoute,
    ConnectRefused,
    AbsoluteUriRefused,
    InvalidPath,
    InvalidHeader,
    InvalidQuery,
    BodyTooLarge,
    BodyTimeout,
    BodyReadError,
    UnsupportedContentEncoding,
    InvalidContentEncoding,
    UnsupportedMediaType,
    InvalidJson,
    TooDeep,
    InvalidForm,
    // The share gate.
    QuotaExceeded,
    ConsentRevoked,
    ConsentRequired,
    // The partner and its answer.
    UpstreamTimeout,
    UpstreamConnectTimeout,
    UpstreamUnreachable,
    UpstreamError,
    UpstreamBodyTooLarge,
    UpstreamUnsupportedContentEncoding,
    UpstreamInvalidContentEncoding,
    UpstreamUnsupportedMediaType,
    /// The partner's answer is not the JSON it claims (same code as the
    /// caller's, with the partner's status and fault).
    UpstreamInvalidJson,
    UpstreamTooDeep,
    UpstreamInvalidForm,
    // The proxy.
    AuditUnavailable,
    InternalError,
}

impl Reason {
    /// Every reason, for tests and documentation.
    pub const ALL: [Reason; 31] = [
        Reason::NoRoute,
        Reason::ConnectRefused,
        Reason::AbsoluteUriRefused,
        Reason::InvalidPath,
        Reason::InvalidHeader,
        Reason::InvalidQuery,
        Reason::BodyTooLarge,
        Reason::BodyTimeout,
        Reason::BodyReadError,
        Reason::UnsupportedContentEncoding,
        Reason::InvalidContentEncoding,
        Reason::UnsupportedMediaType,
        Reason::InvalidJson,
        Reason::TooDeep,
        Reason::InvalidForm,
        Reason::QuotaExceeded,
        Reason::ConsentRevoked,
        Reason::ConsentRequired,
        Reason::UpstreamTimeout,
        Reason::UpstreamConnectTimeout,
        Reason::UpstreamUnreachable,
        Reason::UpstreamError,
        Reason::UpstreamBodyTooLarge,
        Reason::UpstreamUnsupportedContentEncoding,
        Reason::UpstreamInvalidContentEncoding,
        Reason::UpstreamUnsupportedMediaType,
        Reason::UpstreamInvalidJson,
        Reason::UpstreamTooDeep,
        Reason::UpstreamInvalidForm,
        Reason::AuditUnavailable,
        Reason::InternalError,
    ];

    /// The HTTP status, the public code and whose fault it is.
    const fn parts(self) -> (StatusCode, &'static str, Fault) {
        use Fault::{Caller, Partner, Proxy};
        match self {
            Reason::NoRoute => (StatusCode::NOT_FOUND, "no_route", Caller),
            Reason::ConnectRefused => (StatusCode::BAD_REQUEST, "connect_refused", Caller),
            Reason::AbsoluteUriRefused => (StatusCode::BAD_REQUEST, "absolute_uri_refused", Caller),
            Reason::InvalidPath => (StatusCode::BAD_REQUEST, "invalid_path", Caller),
            Reason::InvalidHeader => (StatusCode::BAD_REQUEST, "invalid_header", Caller),
            Reason::InvalidQuery => (StatusCode::BAD_REQUEST, "invalid_query", Caller),
            Reason::BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", Caller),
            Reason::BodyTimeout => (StatusCode::REQUEST_TIMEOUT, "body_timeout", Caller),
            Reason::BodyReadError => (StatusCode::BAD_REQUEST, "body_read_error", Caller),
            Reason::UnsupportedContentEncoding => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_content_encoding",
                Caller,
            ),
            Reason::InvalidContentEncoding => {
                (StatusCode::BAD_REQUEST, "invalid_content_encoding", Caller)
            }
            Reason::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                Caller,
            ),
            Reason::InvalidJson => (StatusCode::BAD_REQUEST, "invalid_json", Caller),
            Reason::TooDeep => (StatusCode::BAD_REQUEST, "too_deep", Caller),
            Reason::InvalidForm => (StatusCode::BAD_REQUEST, "invalid_form", Caller),
            Reason::QuotaExceeded => (StatusCode::TOO_MANY_REQUESTS, "quota_exceeded", Caller),
            Reason::ConsentRevoked => (StatusCode::FORBIDDEN, "consent_revoked", Caller),
            Reason::ConsentRequired => (StatusCode::FORBIDDEN, "consent_required", Caller),
            Reason::UpstreamTimeout => (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout", Partner),
            Reason::UpstreamConnectTimeout => (
                StatusCode::GATEWAY_TIMEOUT,
                "upstream_connect_timeout",
                Partner,
            ),
            Reason::UpstreamUnreachable => {
                (StatusCode::BAD_GATEWAY, "upstream_unreachable", Partner)
            }
            Reason::UpstreamError => (StatusCode::BAD_GATEWAY, "upstream_error", Partner),
            Reason::UpstreamBodyTooLarge => {
                (StatusCode::BAD_GATEWAY, "upstream_body_too_large", Partner)
            }
            Reason::UpstreamUnsupportedContentEncoding => (
                StatusCode::BAD_GATEWAY,
                "upstream_unsupported_content_encoding",
                Partner,
            ),
            Reason::UpstreamInvalidContentEncoding => (
                StatusCode::BAD_GATEWAY,
                "upstream_invalid_content_encoding",
                Partner,
            ),
            Reason::UpstreamUnsupportedMediaType => (
                StatusCode::BAD_GATEWAY,
                "upstream_unsupported_media_type",
                Partner,
            ),
            Reason::UpstreamInvalidJson => (StatusCode::BAD_GATEWAY, "invalid_json", Partner),
            Reason::UpstreamTooDeep => (StatusCode::BAD_GATEWAY, "too_deep", Partner),
            Reason::UpstreamInvalidForm => (StatusCode::BAD_GATEWAY, "invalid_form", Partner),
            Reason::AuditUnavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "audit_unavailable", Proxy)
            }
            Reason::InternalError => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", Proxy),
        }
    }

    pub const fn status(self) -> StatusCode {
        self.parts().0
    }

    /// The stable public code (`{"error": code}`, metrics, audit records).
    pub const fn code(self) -> &'static str {
        self.parts().1
    }

    pub const fn fault(self) -> Fault {
        self.parts().2
    }
}

/// A refused request: the reason and a detail for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Reason,
    pub detail: String,
}

impl Refusal {
    pub fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Refusal {
            reason,
            detail: detail.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.reason.status()
    }

    pub fn code(&self) -> &'static str {
        self.reason.code()
    }

    pub fn fault(&self) -> Fault {
        self.reason.fault()
    }

    /// `{"error": code, "detail": detail}` with the reason's status.
    pub fn to_response(&self) -> http::Response<HttpBody> {
        error_response(self.status(), self.code(), &self.detail)
            .map(|body| body.map_err(|never| match never {}).boxed())
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status().as_u16(),
            self.code(),
            self.detail
        )
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_an_identifier_code_and_an_error_status() {
        for reason in Reason::ALL {
            crate::ident::check(reason.code()).expect("codes are identifiers");
            let status = reason.status();
            assert!(
                status.is_client_error() || status.is_server_error(),
                "{reason:?}"
            );
            let partner = reason.fault() == Fault::Partner;
            assert_eq!(
                partner,
                status == StatusCode::BAD_GATEWAY || status == StatusCode::GATEWAY_TIMEOUT,
                "{reason:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_refusal_answers_with_its_status_and_stable_json() {
        let response = Refusal::new(Reason::BodyTooLarge, "over 10 bytes").to_response();
        assert_eq!(response.status(), 413);
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
