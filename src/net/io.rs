//! A connection that the HTTP server and the listener can both write to,
//! and that keeps time: no byte within the first-byte deadline, or no
//! traffic while no request is in flight for the idle timeout, and the
//! connection is closed (a socket that never speaks must not hold a file
//! descriptor forever).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// How long a connection may stay silent.
#[derive(Debug, Clone, Copy)]
pub(super) struct Deadlines {
    /// From accept (or the TLS handshake) to the first byte of a request.
    pub(super) first_byte: Duration,
    /// Without a byte either way while no request is in flight (keep-alive
    /// and HTTP/2 connections between requests).
    pub(super) idle: Duration,
}

/// What the listener's service tells the connection.
#[derive(Default)]
pub(super) struct Activity {
    /// Requests whose answer head has not been produced yet.
    in_flight: AtomicUsize,
    /// Bytes were read since the last write: a request is partly received.
    mid_request: AtomicBool,
    /// Any byte was ever read.
    spoke: AtomicBool,
}

impl Activity {
    /// Counts a request in flight until the guard drops.
    pub(super) fn request(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }
}

/// A request in flight on its connection.
pub(super) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

struct Inner<S> {
    stream: S,
    deadline: Pin<Box<Sleep>>,
}

/// A connection the HTTP server and the listener can both write to, so a
/// response can still be sent after hyper gave the connection up. It also
/// records whether a request is partly received (bytes read since the last
/// write), which tells a late request from an idle keep-alive connection.
pub(super) struct SharedIo<S> {
    inner: Arc<Mutex<Inner<S>>>,
    activity: Arc<Activity>,
    deadlines: Deadlines,
}

impl<S> Clone for SharedIo<S> {
    fn clone(&self) -> Self {
        SharedIo {
            inner: self.inner.clone(),
            activity: self.activity.clone(),
            deadlines: self.deadlines,
        }
    }
}

impl<S> SharedIo<S> {
    pub(super) fn new(stream: S, deadlines: Deadlines) -> Self {
        let deadline = Box::pin(tokio::time::sleep(deadlines.first_byte));
        SharedIo {
            inner: Arc::new(Mutex::new(Inner { stream, deadline })),
            activity: Arc::new(Activity::default()),
            deadlines,
        }
    }

    pub(super) fn activity(&self) -> &Arc<Activity> {
        &self.activity
    }

    pub(super) fn mid_request(&self) -> bool {
        self.activity.mid_request.load(Ordering::Relaxed)
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner<S>) -> R) -> R {
        // Only one task polls a connection at a time, so the lock is never
        // contended; a poisoned lock means a panic mid-poll, and the
        // connection's state is then unknowable.
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }

    /// Traffic: the connection may stay idle for the idle timeout again.
    fn touch(&self, inner: &mut Inner<S>) {
        let next = Instant::now() + self.deadlines.idle;
        inner.deadline.as_mut().reset(next);
    }

    /// `Err` once the connection has been silent too long: before its first
    /// byte, or idle with no request in flight. A deadline that passes while
    /// a request is in flight (a slow partner) is pushed back.
    fn check_deadline(&self, inner: &mut Inner<S>, cx: &mut Context<'_>) -> io::Result<()> {
        while inner.deadline.as_mut().poll(cx).is_ready() {
            if !self.activity.spoke.load(Ordering::Relaxed) {
                let message = "no request arrived within the first-byte deadline";
                return Err(io::Error::new(io::ErrorKind::TimedOut, message));
            }
            if self.activity.in_flight.load(Ordering::Relaxed) == 0 {
                let message = "the connection was idle for the idle timeout";
                return Err(io::Error::new(io::ErrorKind::TimedOut, message));
            }
            self.touch(inner);
        }
        Ok(())
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for SharedIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.with(|inner| {
            let before = buf.filled().len();
            let result = Pin::new(&mut inner.stream).poll_read(cx, buf);
            match result {
                Poll::Ready(Ok(())) if buf.filled().len() > before => {
                    self.activity.spoke.store(true, Ordering::Relaxed);
                    self.activity.mid_request.store(true, Ordering::Relaxed);
                    self.touch(inner);
                    Poll::Ready(Ok(()))
                }
                Poll::Pending => match self.check_deadline(inner, cx) {
                    Ok(()) => Poll::Pending,
                    Err(e) => Poll::Ready(Err(e)),
                },
                other => other,
            }
        })
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for SharedIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.with(|inner| {
            let result = Pin::new(&mut inner.stream).poll_write(cx, data);
            if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
                self.activity.mid_request.store(false, Ordering::Relaxed);
                self.touch(inner);
            }
            result
        })
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.with(|inner| {
            let result = Pin::new(&mut inner.stream).poll_write_vectored(cx, bufs);
            if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
                self.activity.mid_request.store(false, Ordering::Relaxed);
                self.touch(inner);
            }
            result
        })
    }

    fn is_write_vectored(&self) -> bool {
        self.with(|inner| inner.stream.is_write_vectored())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with(|inner| Pin::new(&mut inner.stream).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with(|inner| Pin::new(&mut inner.stream).poll_shutdown(cx))
    }
}
