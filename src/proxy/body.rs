//! Request and response bodies: reading them whole under the size and time
//! limits, and deciding what kind of content they hold.
//!
//! Bodies are buffered because the engine must see all of a body before any
//! of it may leave: a streamed prefix could carry personal data the rest of
//! the document would have told us to protect.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Body;

use super::error::Refusal;

/// Reads a caller's body: 413 as soon as the declared or received size
/// passes `max` (before reading more), 408 when it does not arrive within
/// `timeout`.
pub async fn read_request_body<B>(body: B, max: usize, timeout: Duration) -> Result<Bytes, Refusal>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    // A declared Content-Length over the limit is refused without reading:
    // with `Expect: 100-continue` the caller never even sends the body.
    if body.size_hint().lower() > max as u64 {
        return Err(too_large(max));
    }
    match tokio::time::timeout(timeout, Limited::new(body, max).collect()).await {
        Err(_) => Err(Refusal::caller(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            format!(
                "the request body did not arrive within {}",
                humantime_serde::re::humantime::format_duration(timeout)
            ),
        )),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large(max)),
        Ok(Err(e)) => Err(Refusal::caller(
            StatusCode::BAD_REQUEST,
            "body_read_error",
            format!("the request body could not be read: {e}"),
        )),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

pub fn too_large(max: usize) -> Refusal {
    Refusal::caller(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("the body exceeds max_body_bytes ({max} bytes)"),
    )
}

/// What a body holds, as far as inspection is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// Nothing to inspect.
    Empty,
    /// JSON by its type (`application/json`, `*/*+json`) or by its first byte.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// Anything else: forwarded uninspected only where the partner allows it.
    Other,
}

/// Classifies a decoded body. The error is the detail of a 415 (a JSON or
/// form body in a charset other than UTF-8 cannot be inspected).
pub fn classify(headers: &HeaderMap, body: &[u8]) -> Result<BodyKind, String> {
    if body.is_empty() {
        return Ok(BodyKind::Empty);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or("").trim();
    let declared = if media == "application/json" || media.ends_with("+json") {
        Some(BodyKind::Json)
    } else if media == "application/x-www-form-urlencoded" {
        Some(BodyKind::Form)
    } else {
        None
    };
    if let Some(kind) = declared {
        for param in parts {
            if let Some((name, value)) = param.split_once('=') {
                let value = value.trim().trim_matches('"');
                if name.trim() == "charset" && value != "utf-8" && value != "utf8" {
                    return Err(format!("charset `{value}` cannot be inspected; send UTF-8"));
                }
            }
        }
        return Ok(kind);
    }
    // JSON sent under another type (or none) is still JSON: it is inspected,
    // and refused if malformed, rather than slipping through as opaque data.
    Ok(if sniffs_as_json(body) {
        BodyKind::Json
    } else {
        BodyKind::Other
    })
}

fn sniffs_as_json(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{') | Some(b'[')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use http_body_util::Full;

    fn typed(ct: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_str(ct).expect("ct"));
        h
    }

    #[test]
    fn kinds_by_type_and_by_sniffing() {
        let b = b"a=1";
        assert_eq!(classify(&typed("application/json"), b), Ok(BodyKind::Json));
        assert_eq!(
            classify(&typed("application/problem+json; charset=UTF-8"), b),
            Ok(BodyKind::Json)
        );
        assert_eq!(
            classify(&typed("application/x-www-form-urlencoded"), b),
            Ok(BodyKind::Form)
        );
        assert_eq!(classify(&typed("text/plain"), b), Ok(BodyKind::Other));
        assert_eq!(
            classify(&typed("text/plain"), b" \n{\"a\":1}"),
            Ok(BodyKind::Json)
        );
        assert_eq!(classify(&HeaderMap::new(), b"[1]"), Ok(BodyKind::Json));
        assert_eq!(
            classify(&typed("application/json"), b""),
            Ok(BodyKind::Empty)
        );
        assert!(classify(&typed("application/json; charset=gbk"), b).is_err());
    }

    /// A body that yields its chunks without a declared size, then either
    /// ends or stalls forever.
    struct Chunks {
        chunks: std::collections::VecDeque<Bytes>,
        stall: bool,
    }

    impl Body for Chunks {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
            match self.chunks.pop_front() {
                Some(c) => std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(c)))),
                None if self.stall => std::task::Poll::Pending,
                None => std::task::Poll::Ready(None),
            }
        }
    }

    #[tokio::test]
    async fn declared_and_streamed_sizes_are_limited() {
        let long = Duration::from_secs(60);
        let err = read_request_body(Full::new(Bytes::from(vec![b'x'; 11])), 10, long)
            .await
            .expect_err("declared");
        assert_eq!(err.status, 413);
        let chunks = Chunks {
            chunks: (0..5).map(|_| Bytes::from_static(b"xxx")).collect(),
            stall: false,
        };
        let err = read_request_body(chunks, 10, long)
            .await
            .expect_err("streamed");
        assert_eq!(err.code, "body_too_large");
        let ok = read_request_body(Full::new(Bytes::from_static(b"0123456789")), 10, long).await;
        assert_eq!(ok.expect("at the limit").len(), 10);
    }

    #[tokio::test]
    async fn a_stalled_body_times_out() {
        let body = Chunks {
            chunks: [Bytes::from_static(b"{")].into(),
            stall: true,
        };
        let err = read_request_body(body, 10, Duration::from_millis(20))
            .await
            .expect_err("stalled");
        assert_eq!((err.status.as_u16(), err.code), (408, "body_timeout"));
    }
}
