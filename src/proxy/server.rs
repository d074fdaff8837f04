//! The listener: accepts connections, terminates TLS (ALPN h2/http1.1) or
//! serves plain HTTP/1.1 and h2c (prior knowledge), and shuts down
//! gracefully: stop accepting, let in-flight requests finish, then return.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use super::headers::ClientInfo;
use super::start::{self, StartError};
use super::{Proxy, flow};
use crate::audit::{AuditHandle, SubjectHasher};
use crate::config::{Config, Limits};

/// A bound proxy, ready to [`run`](Server::run).
pub struct Server {
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    proxy: Arc<Proxy>,
    limits: Limits,
}

impl Server {
    /// Prepares keys, TLS, policies and clients, then binds `config.listen`.
    /// Nothing is bound when anything else fails.
    pub async fn bind(config: &Config) -> Result<Server, StartError> {
        let keyring = start::ensure_keyring(config)?;
        let tls = start::server_tls(config)?;
        let generation = start::generation(config, &keyring)?;
        // Opened before binding: without an audit log nothing may be shared.
        let audit = if config.audit.enabled {
            AuditHandle::open(&config.audit, &keyring)?
        } else {
            tracing::warn!(
                config = %config.source.display(),
                "AUDIT LOG DISABLED (audit: {{enabled: false}}): requests are forwarded with \
                 no share record. For benchmarking and development only; never in production."
            );
            AuditHandle::disabled()
        };
        let subjects = SubjectHasher::from_keyring(&keyring);
        // Replayed before binding: no request is served without every decision.
        let consent = start::consent_store(config, &subjects)?;
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| StartError::Bind {
                    addr: config.listen,
                    source,
                })?;
        Ok(Server {
            listener,
            tls: tls.map(TlsAcceptor::from),
            proxy: Arc::new(Proxy::new(generation, audit, subjects, consent)),
            limits: config.limits,
        })
    }

    /// The bound address (the real port when the config said port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// The shared state, for the admin side (reload swaps its generation).
    pub fn proxy(&self) -> Arc<Proxy> {
        self.proxy.clone()
    }

    /// Serves until `shutdown` completes, then stops accepting and waits for
    /// in-flight requests (at most the time one request may take). The proxy
    /// counts as serving (readiness) from this call, not from the first
    /// poll: the socket is bound and queues connections already, so a
    /// listening line printed after the call is never ahead of readiness.
    pub fn run(self, shutdown: impl Future<Output = ()>) -> impl Future<Output = ()> {
        self.proxy.set_serving(true);
        self.serve(shutdown)
    }

    async fn serve(self, shutdown: impl Future<Output = ()>) {
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_read_timeout);
        builder.http2().timer(TokioTimer::new());
        let builder = Arc::new(builder);
        let graceful = GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => self.spawn(stream, peer, builder.clone(), graceful.watcher()),
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
        // Readiness fails from here on, so load balancers stop sending.
        self.proxy.set_serving(false);
        drop(self.listener);
        tracing::info!(
            connections = graceful.count(),
            "shutting down: finishing in-flight requests"
        );
        let grace = self.limits.body_read_timeout + self.limits.upstream_timeout;
        if tokio::time::timeout(grace, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("grace period over; closing the remaining connections");
        }
    }

    fn spawn(
        &self,
        stream: TcpStream,
        peer: SocketAddr,
        builder: Arc<auto::Builder<TokioExecutor>>,
        watcher: Watcher,
    ) {
        let _ = stream.set_nodelay(true);
        let proxy = self.proxy.clone();
        let tls = self.tls.clone();
        let limits = self.limits;
        tokio::spawn(async move {
            let client = ClientInfo {
                peer,
                tls: tls.is_some(),
            };
            match tls {
                None => serve_connection(stream, client, proxy, &builder, watcher).await,
                Some(acceptor) => {
                    // The handshake is part of what a caller must finish in time.
                    match tokio::time::timeout(limits.header_read_timeout, acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(stream)) => {
                            serve_connection(stream, client, proxy, &builder, watcher).await
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
            }
        });
    }
}

async fn serve_connection<S>(
    stream: S,
    client: ClientInfo,
    proxy: Arc<Proxy>,
    builder: &auto::Builder<TokioExecutor>,
    watcher: Watcher,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = SharedIo::new(stream);
    let service = service_fn(move |req| {
        let proxy = proxy.clone();
        async move { Ok::<_, Infallible>(flow::handle(proxy, client, req).await) }
    });
    let conn = builder.serve_connection(TokioIo::new(io.clone()), service);
    let Err(e) = watcher.watch(conn).await else {
        return;
    };
    let header_timeout = e
        .downcast_ref::<hyper::Error>()
        .is_some_and(hyper::Error::is_timeout);
    if header_timeout && io.mid_request() {
        // hyper closes a connection whose request head is late without a
        // word; callers get the same JSON refusal as for a late body.
        let _ = io.clone().write_all(&header_timeout_response()).await;
        let _ = io.clone().shutdown().await;
    } else {
        tracing::debug!(peer = %client.peer, error = %e, "connection ended with an error");
    }
}

fn header_timeout_response() -> Vec<u8> {
    let body =
        br#"{"error":"header_timeout","detail":"the request headers did not arrive in time"}"#;
    let mut out = format!(
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A connection the HTTP server and this module can both write to, so a
/// response can still be sent after hyper gave the connection up. It also
/// records whether a request is partly received (bytes read since the last
/// write), which tells a late request from an idle keep-alive connection.
struct SharedIo<S> {
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
    fn new(stream: S) -> Self {
        SharedIo {
            inner: Arc::new(Mutex::new(stream)),
            mid_request: Arc::new(AtomicBool::new(false)),
        }
    }

    fn mid_request(&self) -> bool {
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

/// Completes on SIGTERM or SIGINT (Ctrl-C). The handlers are installed
/// when this is called, not when first polled, so a signal that arrives
/// right after start-up is not lost to the default action (exit at once).
/// Call it inside the runtime.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send {
    #[cfg(unix)]
    let handlers = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        )
    };
    async move {
        #[cfg(unix)]
        if let (Ok(mut term), Ok(mut int)) = handlers {
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM received"),
                _ = int.recv() => tracing::info!("SIGINT received"),
            }
            return;
        }
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("Ctrl-C received");
        }
    }
}
