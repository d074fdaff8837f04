//! Bodies on both legs: reading them whole under the size and time limits,
//! decoding their `Content-Encoding`, deciding what kind of content they
//! hold, and encoding a protected body the way it came.
//!
//! Bodies are buffered because the engine must see all of a body before any
//! of it may leave: a streamed prefix could carry personal data the rest of
//! the document would have told us to protect.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, header};
use http_body_util::BodyExt;
use hyper::body::Body;

use super::encoding::{self, Coding, DecodeError};
use super::refusal::{Reason, Refusal};
use crate::app::budget::Held;
use crate::config::ContentTypePolicy;
use crate::metrics::Direction;
use crate::net::HttpBody;

/// Reads a caller's body: 413 as soon as the declared or received size
/// passes `max` (before reading more), 408 when it does not arrive within
/// `timeout`, 503 `overloaded` when the body budget cannot hold it (taken
/// into `held` as it arrives, the declared length first).
pub async fn read_request_body<B>(
    body: B,
    max: usize,
    timeout: Duration,
    held: &mut Held,
) -> Result<Bytes, Refusal>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    // A declared Content-Length over the limit is refused without reading:
    // with `Expect: 100-continue` the caller never even sends the body.
    let declared = body.size_hint().lower();
    if declared > max as u64 {
        return Err(too_large(max, Direction::Request));
    }
    if !held.grow(declared as usize) {
        return Err(overloaded());
    }
    match tokio::time::timeout(timeout, collect(body, max, declared as usize, held)).await {
        Err(_) => Err(Refusal::new(
            Reason::BodyTimeout,
            format!(
                "the request body did not arrive within {}",
                humantime_serde::re::humantime::format_duration(timeout)
            ),
        )),
        Ok(result) => result,
    }
}

/// The body's frames, up to `max` bytes; bytes past the `reserved` ones
/// are taken from the budget as they arrive.
async fn collect<B>(
    mut body: B,
    max: usize,
    reserved: usize,
    held: &mut Held,
) -> Result<Bytes, Refusal>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut out = bytes::BytesMut::with_capacity(reserved);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            let e: Box<dyn std::error::Error + Send + Sync> = e.into();
            Refusal::new(
                Reason::BodyReadError,
                format!("the request body could not be read: {e}"),
            )
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if out.len() + data.len() > max {
            return Err(too_large(max, Direction::Request));
        }
        let beyond = (out.len() + data.len()).saturating_sub(reserved.max(out.len()));
        if !held.grow(beyond) {
            return Err(overloaded());
        }
        out.extend_from_slice(&data);
    }
    Ok(out.freeze())
}

/// Reads a partner's response body within `timeout`, refusing it past `max`
/// bytes or past the body budget.
pub async fn read_response_body(
    mut body: HttpBody,
    max: usize,
    timeout: Duration,
    held: &mut Held,
) -> Result<Bytes, Refusal> {
    let collect = async {
        let mut out = bytes::BytesMut::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                Refusal::new(
                    Reason::UpstreamError,
                    format!("reading the partner's response failed: {e}"),
                )
            })?;
            if let Ok(data) = frame.into_data() {
                if out.len() + data.len() > max {
                    return Err(too_large(max, Direction::Response));
                }
                if !held.grow(data.len()) {
                    return Err(overloaded());
                }
                out.extend_from_slice(&data);
            }
        }
        Ok(out.freeze())
    };
    match tokio::time::timeout(timeout, collect).await {
        Ok(result) => result,
        Err(_) => Err(Refusal::new(
            Reason::UpstreamTimeout,
            "the partner's response body did not arrive in time",
        )),
    }
}

/// 503 `overloaded`: the bodies in memory already fill the budget.
pub fn overloaded() -> Refusal {
    Refusal::new(
        Reason::Overloaded,
        "the proxy holds as many request bodies as limits.max_buffered_bytes allows; retry shortly",
    )
    .retry_after(1)
}

pub fn too_large(max: usize, direction: Direction) -> Refusal {
    match direction {
        Direction::Request => Refusal::new(
            Reason::BodyTooLarge,
            format!("the body exceeds max_body_bytes ({max} bytes)"),
        ),
        Direction::Response => Refusal::new(
            Reason::UpstreamBodyTooLarge,
            format!("the partner's decoded response exceeds max_body_bytes ({max} bytes)"),
        ),
    }
}

/// The codings of a message's body; refused (415 from a caller, 502 from a
/// partner) when the proxy cannot undo one.
pub fn codings(headers: &HeaderMap, direction: Direction) -> Result<Vec<Coding>, Refusal> {
    encoding::codings(headers).map_err(|detail| {
        let reason = match direction {
            Direction::Request => Reason::UnsupportedContentEncoding,
            Direction::Response => Reason::UpstreamUnsupportedContentEncoding,
        };
        Refusal::new(reason, detail)
    })
}

/// A body as the engine sees it: decoded, and classified.
pub struct Decoded {
    pub kind: BodyKind,
    pub bytes: Bytes,
}

/// Decodes `raw` and classifies it. `Ok(None)` for an empty body. A body
/// of another kind than JSON or form data is refused where the partner's
/// `content_types` says so.
pub fn decode(
    headers: &HeaderMap,
    raw: &Bytes,
    codings: &[Coding],
    (max, held): (usize, &mut Held),
    content_types: ContentTypePolicy,
    direction: Direction,
) -> Result<Option<Decoded>, Refusal> {
    if raw.is_empty() {
        return Ok(None);
    }
    let bytes = if codings.is_empty() {
        raw.clone()
    } else {
        let decoded = encoding::decode(raw, codings, max).map_err(|e| match e {
            DecodeError::TooLarge => too_large(max, direction),
            DecodeError::Corrupt(detail) => Refusal::new(
                match direction {
                    Direction::Request => Reason::InvalidContentEncoding,
                    Direction::Response => Reason::UpstreamInvalidContentEncoding,
                },
                detail,
            ),
        })?;
        if !held.grow(decoded.len()) {
            return Err(overloaded());
        }
        Bytes::from(decoded)
    };
    let unsupported = |detail: &str| {
        let reason = match direction {
            Direction::Request => Reason::UnsupportedMediaType,
            Direction::Response => Reason::UpstreamUnsupportedMediaType,
        };
        Refusal::new(reason, detail)
    };
    let kind = classify(headers, &bytes).map_err(|detail| unsupported(&detail))?;
    if kind == BodyKind::Other && content_types == ContentTypePolicy::Refuse {
        return Err(unsupported(match direction {
            Direction::Request => {
                "only JSON and form bodies are inspected; this partner refuses other content types"
            }
            Direction::Response => {
                "the partner answered with a body that is neither JSON nor form data"
            }
        }));
    }
    Ok(Some(Decoded { kind, bytes }))
}

/// What leaves: `raw` as it came when inspection changed nothing (an
/// untouched compressed body leaves byte for byte), else the protected
/// body encoded with the same codings.
pub fn encode(raw: Bytes, protected: Option<Bytes>, codings: &[Coding]) -> Result<Bytes, Refusal> {
    let Some(protected) = protected else {
        return Ok(raw);
    };
    if codings.is_empty() {
        return Ok(protected);
    }
    encoding::encode(&protected, codings)
        .map(Bytes::from)
        .map_err(|e| {
            Refusal::new(
                Reason::InternalError,
                format!("re-encoding the body failed: {e}"),
            )
        })
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
        // JSON labelled as a form would be read as one nameless pair and
        // left as it is: a body is inspected as what it is.
        if kind == BodyKind::Form && sniffs_as_json(body) {
            return Ok(BodyKind::Json);
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

    fn budget() -> Held {
        crate::app::budget::BodyBudget::new(1 << 20).hold()
    }

    #[tokio::test]
    async fn declared_and_streamed_sizes_are_limited() {
        let long = Duration::from_secs(60);
        let held = &mut budget();
        let err = read_request_body(Full::new(Bytes::from(vec![b'x'; 11])), 10, long, held)
            .await
            .expect_err("declared");
        assert_eq!(err.status(), 413);
        let chunks = Chunks {
            chunks: (0..5).map(|_| Bytes::from_static(b"xxx")).collect(),
            stall: false,
        };
        let err = read_request_body(chunks, 10, long, held)
            .await
            .expect_err("streamed");
        assert_eq!(err.reason, Reason::BodyTooLarge);
        let ok = read_request_body(Full::new(Bytes::from_static(b"0123456789")), 10, long, held);
        assert_eq!(ok.await.expect("at the limit").len(), 10);
    }

    #[tokio::test]
    async fn bodies_past_the_budget_are_503_overloaded() {
        let long = Duration::from_secs(60);
        let budget = crate::app::budget::BodyBudget::new(15);
        let (mut first, mut second) = (budget.hold(), budget.hold());
        let body = |n| Full::new(Bytes::from(vec![b'x'; n]));
        read_request_body(body(10), 100, long, &mut first)
            .await
            .expect("fits");
        let err = read_request_body(body(10), 100, long, &mut second)
            .await
            .expect_err("over the budget");
        assert_eq!(err.reason, Reason::Overloaded);
        assert!(
            err.headers
                .iter()
                .any(|(n, _)| n == http::header::RETRY_AFTER)
        );
        drop(first);
        read_request_body(body(10), 100, long, &mut budget.hold())
            .await
            .expect("given back");
    }

    #[tokio::test]
    async fn a_stalled_body_times_out() {
        let body = Chunks {
            chunks: [Bytes::from_static(b"{")].into(),
            stall: true,
        };
        let err = read_request_body(body, 10, Duration::from_millis(20), &mut budget())
            .await
            .expect_err("stalled");
        assert_eq!(err.reason, Reason::BodyTimeout);
    }
}
