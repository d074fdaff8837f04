//! One listener loop, used by the proxy and by the admin listener: accept,
//! TLS handshake under a deadline (ALPN h2 / http/1.1) or plain HTTP/1.1
//! and h2c, hand each request to a handler, and shut down gracefully: stop
//! accepting, then let in-flight requests finish within a grace period.
//!
//! Knows nothing of what the handler does. A request head that arrives too
//! late is answered `408 {"error":"header_timeout"}` rather than closed
//! without a word (see [`SharedIo`]).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use hyper::body::{Body, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use super::error::ErrorBody;
use super::io::{Deadlines, SharedIo};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the listener knows about the connection a request came on.
#[derive(Debug, Clone, Copy)]
pub struct ClientInfo {
    pub peer: SocketAddr,
    pub tls: bool,
}

/// A socket could not be bound.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr} ({name}): {source}")]
pub struct BindError {
    pub addr: SocketAddr,
    pub name: &'static str,
    pub source: io::Error,
}

/// How a listener treats its connections.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Deadline for a TLS handshake, for the first byte of a connection and
    /// for each request head.
    pub header_read_timeout: Duration,
    /// A connection with no request in flight and no traffic for this long
    /// is closed (HTTP/1 keep-alive and HTTP/2 alike).
    pub idle_timeout: Duration,
    /// Connections open at once; one more is closed as soon as it is
    /// accepted (and counted), so file descriptors stay for the partners'
    /// connections, the audit log and the admin listener.
    pub max_connections: usize,
    /// Streams one HTTP/2 connection may have open at once.
    pub max_concurrent_streams: u32,
}

/// What a listener has done, for the metrics.
#[derive(Debug, Default)]
pub struct ConnectionStats {
    /// Connections open now.
    pub open: AtomicUsize,
    /// Connections closed at accept because `max_connections` were open.
    pub refused_at_limit: AtomicU64,
    /// Connections closed for silence (first byte, idle).
    pub timed_out: AtomicU64,
}

/// A bound listener, ready to [`serve`](Listener::serve).
pub struct Listener {
    tcp: TcpListener,
    tls: Option<TlsAcceptor>,
    settings: Settings,
    stats: Arc<ConnectionStats>,
}

impl Listener {
    /// Binds `addr`; `name` says which listener it is in errors (`proxy`, `admin`).
    pub async fn bind(
        addr: SocketAddr,
        tls: Option<Arc<ServerConfig>>,
        settings: Settings,
        name: &'static str,
    ) -> Result<Listener, BindError> {
        let tcp =
            TcpListener::bind(addr)
                .await
                .map_err(|source| BindError { addr, name, source })?;
        Ok(Listener {
            tcp,
            tls: tls.map(TlsAcceptor::from),
            settings,
            stats: Arc::default(),
        })
    }

    /// The listener's counters (shared: they keep counting while it serves).
    pub fn stats(&self) -> Arc<ConnectionStats> {
        self.stats.clone()
    }

    /// The bound address (the real port when the config said port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }

    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// Accepts connections and serves them with `handler` until `shutdown`
    /// completes; then stops accepting (the socket closes) and returns the
    /// connections still open, to [`Draining::finish`].
    pub async fn serve<H, F, B>(self, handler: H, shutdown: impl Future<Output = ()>) -> Draining
    where
        H: Fn(Request<Incoming>, ClientInfo) -> F + Clone + Send + Sync + 'static,
        F: Future<Output = Response<B>> + Send + 'static,
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.settings.header_read_timeout)
            // A caller may shut its write side once the request is sent
            // (`nc -N`, HTTP/1.0 clients): it still gets its answer, as from
            // nginx. hyper's default closes on that EOF without answering.
            .half_close(true);
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(self.settings.max_concurrent_streams);
        let builder = Arc::new(builder);
        let graceful = GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = self.tcp.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let Some(open) = Open::admit(&self.stats, self.settings.max_connections) else {
                            // Dropping the stream closes it at once.
                            continue;
                        };
                        let connection = Connection {
                            builder: builder.clone(),
                            watcher: graceful.watcher(),
                            tls: self.tls.clone(),
                            settings: self.settings,
                            _open: open,
                        };
                        tokio::spawn(connection.serve(stream, peer, handler.clone()));
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: back off
                        // instead of spinning; the listener stays usable.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                () = &mut shutdown => break,
            }
        }
        Draining { graceful }
    }
}

/// The connections of a listener that stopped accepting.
pub struct Draining {
    graceful: GracefulShutdown,
}

impl Draining {
    /// Connections still open.
    pub fn connections(&self) -> usize {
        self.graceful.count()
    }

    /// Lets in-flight requests finish (idle keep-alive connections close at
    /// once); `false` when `grace` ran out first and the rest were cut.
    pub async fn finish(self, grace: Duration) -> bool {
        tokio::time::timeout(grace, self.graceful.shutdown())
            .await
            .is_ok()
    }
}

/// A connection counted as open while this lives.
struct Open(Arc<ConnectionStats>);

impl Open {
    /// Counts one more open connection, or `None` (counted as refused) at
    /// the limit.
    fn admit(stats: &Arc<ConnectionStats>, limit: usize) -> Option<Open> {
        let admitted = stats
            .open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < limit).then_some(open + 1)
            })
            .is_ok();
        if !admitted {
            stats.refused_at_limit.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        Some(Open(stats.clone()))
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One accepted connection and what serving it needs.
struct Connection {
    builder: Arc<auto::Builder<TokioExecutor>>,
    watcher: Watcher,
    tls: Option<TlsAcceptor>,
    settings: Settings,
    _open: Open,
}

impl Connection {
    async fn serve<H, F, B>(self, stream: TcpStream, peer: SocketAddr, handler: H)
    where
        H: Fn(Request<Incoming>, ClientInfo) -> F + Clone + Send + Sync + 'static,
        F: Future<Output = Response<B>> + Send + 'static,
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let _ = stream.set_nodelay(true);
        let client = ClientInfo {
            peer,
            tls: self.tls.is_some(),
        };
        let Some(acceptor) = self.tls.clone() else {
            return self.http(stream, client, handler).await;
        };
        // The handshake is part of what a caller must finish in time.
        let handshake = self.settings.header_read_timeout;
        match tokio::time::timeout(handshake, acceptor.accept(stream)).await {
            Ok(Ok(stream)) => self.http(stream, client, handler).await,
            Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
            Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
        }
    }

    async fn http<S, H, F, B>(self, stream: S, client: ClientInfo, handler: H)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
        H: Fn(Request<Incoming>, ClientInfo) -> F + Clone + Send + Sync + 'static,
        F: Future<Output = Response<B>> + Send + 'static,
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let deadlines = Deadlines {
            first_byte: self.settings.header_read_timeout,
            idle: self.settings.idle_timeout,
        };
        let io = SharedIo::new(stream, deadlines);
        let activity = io.activity().clone();
        let service = service_fn(move |req| {
            let in_flight = activity.request();
            let answer = handler(req, client);
            async move {
                let answer = answer.await;
                drop(in_flight);
                Ok::<_, std::convert::Infallible>(answer)
            }
        });
        let conn = self
            .builder
            .serve_connection(TokioIo::new(io.clone()), service);
        let Err(e) = self.watcher.watch(conn).await else {
            return;
        };
        let header_timeout = e
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_timeout);
        if silent(&*e) {
            self._open.0.timed_out.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(peer = %client.peer, "connection closed for silence");
        } else if header_timeout && io.mid_request() {
            // hyper closes a connection whose request head is late without a
            // word; callers get the same JSON refusal as for a late body.
            let _ = io.clone().write_all(&header_timeout_response()).await;
            let _ = io.clone().shutdown().await;
        } else {
            tracing::debug!(peer = %client.peer, error = %e, "connection ended with an error");
        }
    }
}

/// Whether a connection ended because our deadlines closed it.
fn silent(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(e);
    while let Some(e) = source {
        if e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::TimedOut)
        {
            return true;
        }
        source = e.source();
    }
    false
}

fn header_timeout_response() -> Vec<u8> {
    let body = ErrorBody {
        error: "header_timeout",
        detail: "the request headers did not arrive in time",
        errors: None,
    }
    .to_bytes();
    let status = StatusCode::REQUEST_TIMEOUT;
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Request Timeout"),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}
