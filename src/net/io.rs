//! A connection that the HTTP server and the listener can both write to.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection the HTTP server and the listener can both write to, so a
/// response can still be sent after hyper gave the connection up. It also
/// records whether a request is partly received (bytes read since the last
/// write), which tells a late request from an idle keep-alive connection.
pub(super) struct SharedIo<S> {
    inner: Arc<Mutex<S>>,
    mid_request: Arc<AtomicBool>,
}

impl<S> Clone for SharedIo<S> {
    fn clone(&self) -> Self {
        SharedIo {
            inner: self.inner.clone(),
            mid_request: self.mid_request.clone(),
        }
    }
}

impl<S> SharedIo<S> {
    pub(super) fn new(stream: S) -> Self {
        SharedIo {
            inner: Arc::new(Mutex::new(stream)),
            mid_request: Arc::new(AtomicBool::new(false)),
        }
    }

    pub(super) fn mid_request(&self) -> bool {
        self.mid_request.load(Ordering::Relaxed)
    }

    fn with<R>(&self, f: impl FnOnce(Pin<&mut S>) -> R) -> R
    where
        S: Unpin,
    {
        // Only one task polls a connection at a time, so the lock is never
        // contended; a poisoned lock means a panic mid-poll, and the
        // connection's state is then unknowable.
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(Pin::new(&mut *guard))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for SharedIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = self.with(|s| s.poll_read(cx, buf));
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.mid_request.store(true, Ordering::Relaxed);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for SharedIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = self.with(|s| s.poll_write(cx, data));
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.mid_request.store(false, Ordering::Relaxed);
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = self.with(|s| s.poll_write_vectored(cx, bufs));
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.mid_request.store(false, Ordering::Relaxed);
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.with(|s| s.is_write_vectored())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with(|s| s.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with(|s| s.poll_shutdown(cx))
    }
}
