//! A response body that keeps the request body open until the response
//! has been sent, and the bounded discard of what an HTTP/2 caller still
//! sends after a refusal.
//!
//! A refusal may go out before the request body was read (a coding that
//! cannot be decoded, a declared length over the limit). The request body
//! is held until the response body ends, so the answer is complete before
//! the stream can be reset. Under HTTP/2 the rest of the body is then read
//! and discarded, up to the body limit and the body read timeout, as nginx
//! discards a refused request body: a stream reset while the caller is
//! still sending is legal (`NO_ERROR`, RFC 9113 §8.1), but clients such as
//! curl 7.x report it as a stream error and drop the response they had.
//! Past either bound the stream is reset (`NO_ERROR`). Under HTTP/1.1 the
//! connection is closed after the response, as before. Knows nothing of
//! what the bodies hold.

use std::pin::Pin;
use std::task::{Context, Poll};

use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};

use super::{BoxError, HttpBody};

/// `body`, then drops `held` when `body` ends (or is dropped).
pub struct HoldUntilSent<H> {
    body: HttpBody,
    held: Option<H>,
}

impl<H> HoldUntilSent<H> {
    pub fn new(body: HttpBody, held: H) -> HoldUntilSent<H> {
        HoldUntilSent {
            body,
            held: Some(held),
        }
    }
}

impl<H: Unpin> Body for HoldUntilSent<H> {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if let Poll::Ready(None) = polled {
            self.held = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        // Not while it holds the request body: hyper would end the
        // response without polling, and the hold would outlive it
        // only by accident.
        self.held.is_none() && self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// An unread HTTP/2 request body, read and discarded in the background
/// when dropped, at most `max_bytes` of it within `max_time`.
pub struct DiscardOnDrop {
    body: Option<Incoming>,
    max_bytes: usize,
    max_time: Duration,
}

impl DiscardOnDrop {
    pub fn new(body: Incoming, max_bytes: usize, max_time: Duration) -> DiscardOnDrop {
        DiscardOnDrop {
            body: Some(body),
            max_bytes,
            max_time,
        }
    }
}

impl Drop for DiscardOnDrop {
    fn drop(&mut self) {
        let (Some(mut body), Ok(runtime)) =
            (self.body.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        let (max_bytes, max_time) = (self.max_bytes, self.max_time);
        runtime.spawn(async move {
            let discard = async {
                let mut seen = 0usize;
                while let Some(Ok(frame)) = body.frame().await {
                    seen += frame.data_ref().map_or(0, Bytes::len);
                    if seen > max_bytes {
                        return;
                    }
                }
            };
            // Either bound ends it; dropping the body then resets the stream.
            let _ = tokio::time::timeout(max_time, discard).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Full};
    use std::sync::Arc;

    #[tokio::test]
    async fn the_held_value_is_dropped_when_the_body_ends_not_before() {
        let held = Arc::new(());
        let body = Full::new(Bytes::from_static(b"{}"))
            .map_err(|never| match never {})
            .boxed();
        let mut hold = HoldUntilSent::new(body, Arc::clone(&held));
        assert_eq!(Arc::strong_count(&held), 2);
        let frame = hold.frame().await.expect("a frame").expect("data");
        assert_eq!(frame.into_data().expect("data"), Bytes::from_static(b"{}"));
        assert_eq!(Arc::strong_count(&held), 2, "held while the body is out");
        assert!(hold.frame().await.is_none());
        assert_eq!(Arc::strong_count(&held), 1, "dropped at the end");
    }
}
