//! Refusals: every way a request is turned away. [`Reason`] is the closed
//! list; each reason has one HTTP status, one stable public code and one
//! [`Fault`]. A [`Refusal`] is a reason with a detail that the proxy writes
//! from positions, sizes and names, never from a payload's values.

use http::{HeaderName, HeaderValue, StatusCode};
use http_body_util::BodyExt;

use crate::net::{Fault, HttpBody, error_response};

/// The closed list of reasons, one line each: variant, HTTP status, public
/// code, fault. The macro keeps [`Reason::ALL`] and the table in step.
macro_rules! reasons {
    ($($(#[$doc:meta])* $variant:ident => ($status:ident, $code:literal, $fault:ident),)*) => {
        /// Why a request was refused.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Reason {
            $($(#[$doc])* $variant,)*
        }

        impl Reason {
            /// Every reason (the tests check each).
            #[cfg(test)]
            pub const ALL: &'static [Reason] = &[$(Reason::$variant,)*];

            /// The HTTP status, the public code and whose fault it is.
            const fn parts(self) -> (StatusCode, &'static str, Fault) {
                match self {
                    $(Reason::$variant => (StatusCode::$status, $code, Fault::$fault),)*
                }
            }
        }
    };
}

reasons! {
    // The request itself.
    NoRoute => (NOT_FOUND, "no_route", Caller),
    ConnectRefused => (BAD_REQUEST, "connect_refused", Caller),
    AbsoluteUriRefused => (BAD_REQUEST, "absolute_uri_refused", Caller),
    InvalidPath => (BAD_REQUEST, "invalid_path", Caller),
    /// The path reaches another route when case-folded: a caller must not
    /// pick a scenario by its spelling.
    AmbiguousRoute => (BAD_REQUEST, "ambiguous_route", Caller),
    /// A path segment a `drop` rule matched: a segment cannot be removed.
    PiiInPath => (BAD_REQUEST, "pii_in_path", Caller),
    InvalidHeader => (BAD_REQUEST, "invalid_header", Caller),
    InvalidQuery => (BAD_REQUEST, "invalid_query", Caller),
    BodyTooLarge => (PAYLOAD_TOO_LARGE, "body_too_large", Caller),
    BodyTimeout => (REQUEST_TIMEOUT, "body_timeout", Caller),
    BodyReadError => (BAD_REQUEST, "body_read_error", Caller),
    UnsupportedContentEncoding => (UNSUPPORTED_MEDIA_TYPE, "unsupported_content_encoding", Caller),
    InvalidContentEncoding => (BAD_REQUEST, "invalid_content_encoding", Caller),
    UnsupportedMediaType => (UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", Caller),
    InvalidJson => (BAD_REQUEST, "invalid_json", Caller),
    TooDeep => (BAD_REQUEST, "too_deep", Caller),
    InvalidForm => (BAD_REQUEST, "invalid_form", Caller),
    // The share gate.
    QuotaExceeded => (TOO_MANY_REQUESTS, "quota_exceeded", Caller),
    ConsentRevoked => (FORBIDDEN, "consent_revoked", Caller),
    ConsentRequired => (FORBIDDEN, "consent_required", Caller),
    /// Findings but no subject, and the rules' `subject:` is not optional.
    SubjectRequired => (FORBIDDEN, "subject_required", Caller),
    /// A category the rules' profile never lets leave (JR/T 0171 C3).
    ForbiddenCategory => (FORBIDDEN, "forbidden_category", Caller),
    /// The share needs a separate consent grant (PIPL Art. 23, 29) and the
    /// subject has none on record.
    SeparateConsentRequired => (FORBIDDEN, "separate_consent_required", Caller),
    /// The cross-border partner's yearly volume reached a tier its
    /// declared `export.basis` does not cover.
    ExportThresholdReached => (FORBIDDEN, "export_threshold_reached", Caller),
    // The partner and its answer.
    UpstreamTimeout => (GATEWAY_TIMEOUT, "upstream_timeout", Partner),
    UpstreamConnectTimeout => (GATEWAY_TIMEOUT, "upstream_connect_timeout", Partner),
    UpstreamUnreachable => (BAD_GATEWAY, "upstream_unreachable", Partner),
    UpstreamError => (BAD_GATEWAY, "upstream_error", Partner),
    UpstreamBodyTooLarge => (BAD_GATEWAY, "upstream_body_too_large", Partner),
    UpstreamUnsupportedContentEncoding => (BAD_GATEWAY, "upstream_unsupported_content_encoding", Partner),
    UpstreamInvalidContentEncoding => (BAD_GATEWAY, "upstream_invalid_content_encoding", Partner),
    UpstreamUnsupportedMediaType => (BAD_GATEWAY, "upstream_unsupported_media_type", Partner),
    /// The partner's answer is not the JSON it claims (the caller's code,
    /// with the partner's status and fault).
    UpstreamInvalidJson => (BAD_GATEWAY, "invalid_json", Partner),
    UpstreamTooDeep => (BAD_GATEWAY, "too_deep", Partner),
    UpstreamInvalidForm => (BAD_GATEWAY, "invalid_form", Partner),
    // The proxy.
    AuditUnavailable => (SERVICE_UNAVAILABLE, "audit_unavailable", Proxy),
    /// The body budget (`limits.max_buffered_bytes`) is spent.
    Overloaded => (SERVICE_UNAVAILABLE, "overloaded", Proxy),
    /// The consent store cannot vouch for its decisions: not synced with
    /// the database yet, or (for `consent: required`) stale past
    /// `max_staleness`.
    ConsentUnavailable => (SERVICE_UNAVAILABLE, "consent_unavailable", Proxy),
    InternalError => (INTERNAL_SERVER_ERROR, "internal_error", Proxy),
}

impl Reason {
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

/// A refused request: the reason, a detail for the caller, and headers
/// that tell it when to retry (`Retry-After`, `RateLimit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Reason,
    pub detail: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Refusal {
    pub fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Refusal {
            reason,
            detail: detail.into(),
            headers: Vec::new(),
        }
    }

    /// The same refusal with one more response header.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// `Retry-After: seconds` (at least 1).
    pub fn retry_after(self, seconds: u64) -> Self {
        self.with_header(http::header::RETRY_AFTER, HeaderValue::from(seconds.max(1)))
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
        let mut response = error_response(self.status(), self.code(), &self.detail)
            .map(|body| body.map_err(|never| match never {}).boxed());
        for (name, value) in &self.headers {
            response.headers_mut().append(name.clone(), value.clone());
        }
        response
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
        for &reason in Reason::ALL {
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
