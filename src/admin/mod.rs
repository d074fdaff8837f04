//! The admin side: a listener separate from the proxy's, for the people and
//! systems that run the proxy rather than those that send traffic through it.
//!
//! Owns the admin listener (loopback by default; TLS required elsewhere),
//! bearer-token authentication compared in constant time ([`token`]),
//! liveness and readiness ([`health`]), the Prometheus exposition of
//! [`crate::metrics`], and reloading config, rules and keys atomically
//! ([`reload`]: `POST /reload`, SIGHUP, file watching in [`watch`]). The
//! endpoints are listed in [`router`], with the place where the consent
//! module's endpoints are mounted.
//!
//! Knows nothing of the engine's insides: it swaps whole generations built
//! by `proxy::start` and reads counters. Fails closed: no token, no admin
//! action; a reload that does not check, or whose audit record is not
//! written, changes nothing.

pub mod health;
pub mod reload;
pub mod router;
pub mod token;
pub mod watch;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub use reload::{ReloadError, Reloaded, Reloader, reload_on_sighup};
pub use token::{AdminToken, TokenError};

use crate::config::{AdminConfig, Config};
use crate::proxy::Proxy;
use crate::tls::{self, TlsError};

/// How long a caller has to send an admin request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long in-flight admin requests may take once shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot listen on {addr} (admin): {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// What every admin request can reach.
pub struct AdminState {
    pub proxy: Arc<Proxy>,
    pub reloader: Arc<Reloader>,
    token: Arc<ArcSwap<AdminToken>>,
    /// The audit directory readiness probes (fixed at start).
    audit_dir: PathBuf,
}

/// A bound admin listener, ready to [`run`](AdminServer::run).
pub struct AdminServer {
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: Arc<AdminState>,
}

impl AdminServer {
    /// Loads (or creates, in development) the token, prepares TLS, and binds
    /// `admin.listen`. Reloads through `reloader` re-read the token file.
    pub async fn bind(
        config: &Config,
        admin: &AdminConfig,
        reloader: Arc<Reloader>,
    ) -> Result<AdminServer, AdminError> {
        let (token, _created) = AdminToken::load_or_create(&reload::token_path(config, admin))?;
        let token = Arc::new(ArcSwap::from_pointee(token));
        reloader.keep_token_fresh(token.clone());
        let tls = match &admin.tls {
            Some(t) => {
                if t.generate_dev_cert && !t.cert.exists() && !t.key.exists() {
                    tls::generate_dev_cert(&t.cert, &t.key)?;
                    tracing::warn!(
                        cert = %t.cert.display(),
                        "NO ADMIN TLS CERTIFICATE FOUND: generated a self-signed development \
                         certificate for localhost. Do not use it in production."
                    );
                }
                let config = tls::server_config(&t.cert, &t.key, t.client_ca.as_deref())?;
                Some(TlsAcceptor::from(Arc::new(config)))
            }
            None => None,
        };
        let listener =
            TcpListener::bind(admin.listen)
                .await
                .map_err(|source| AdminError::Bind {
                    addr: admin.listen,
                    source,
                })?;
        Ok(AdminServer {
            listener,
            tls,
            state: Arc::new(AdminState {
                proxy: reloader.proxy().clone(),
                reloader,
                token,
                audit_dir: config.audit.dir.clone(),
            }),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Serves until `shutdown` completes, then lets in-flight admin
    /// requests finish (briefly).
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT);
        builder.http2().timer(TokioTimer::new());
        let builder = Arc::new(builder);
        let graceful = GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::warn!(error = %e, "admin accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let state = self.state.clone();
            let service = service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(router::handle(state, peer, req).await) }
            });
            let (builder, watcher, tls) = (builder.clone(), graceful.watcher(), self.tls.clone());
            tokio::spawn(async move {
                match tls {
                    None => {
                        let conn = builder.serve_connection(TokioIo::new(stream), service);
                        let _ = watcher.watch(conn).await;
                    }
                    Some(acceptor) => {
                        let handshake =
                            tokio::time::timeout(HEADER_TIMEOUT, acceptor.accept(stream)).await;
                        if let Ok(Ok(stream)) = handshake {
                            let conn = builder.serve_connection(TokioIo::new(stream), service);
                            let _ = watcher.watch(conn).await;
                        }
                    }
                }
            });
        }
        drop(self.listener);
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    }
}
