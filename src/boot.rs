//! Start-up and shutdown of `pii-proxy serve`, one lifecycle for the binary
//! and the tests: read and check every input (the config, keys, both TLS
//! configs, the admin token, every partner's rules and client), open the
//! audit log and replay the consent journal (or start following the consent
//! database, waiting briefly for its first sync), *then* bind both listeners;
//! serve until told to stop; turn readiness off (and keep accepting for
//! `shutdown_delay`, so load balancers notice before connections are
//! refused), drain in-flight requests, stop the admin listener, and close
//! the audit log so every queued record is written.
//!
//! It sits above the proxy and the admin side because it binds their
//! handlers to the listeners, while they run on the [`App`] state below
//! them (the first drawing had it in `app/`; there it would have to import
//! the floors that import `app`). Nothing is bound when any input fails;
//! every input problem is reported at once.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use crate::admin::{self, AdminState};
use crate::app::App;
use crate::app::inputs::{self, Inputs, Mode};
use crate::app::reload::{self, Reloader};
use crate::app::watch::{self, WatchError};
use crate::audit::{AuditError, AuditHandle, SubjectHasher};
use crate::config::Config;
use crate::consent::{ConsentError, ConsentStore};
use crate::diag::Diagnostics;
use crate::monitor::ClusterQuota;
use crate::net::{BindError, Listener};

/// Why `serve` could not start or did not stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum BootError {
    /// The config, rules, keyring, certificates or token: every problem,
    /// as `FILE:LINE:COL: message`.
    #[error("{0}")]
    Inputs(Diagnostics),
    #[error("the audit log cannot be opened: {0}")]
    Audit(AuditError),
    #[error("the consent store cannot be opened: {0}")]
    Consent(ConsentError),
    #[error("the cluster quota client cannot be made: {0}")]
    Cluster(String),
    #[error(transparent)]
    Bind(BindError),
    #[error(transparent)]
    Watch(WatchError),
    #[error("cannot handle signals: {0}")]
    Signals(std::io::Error),
    /// Queued outcome records may not have been written.
    #[error("the audit log did not close cleanly: {0}")]
    AuditClose(AuditError),
}

/// How the process around the proxy wants it run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Reload on SIGHUP (the binary; an in-process proxy in a test leaves
    /// its process's signals alone).
    pub reload_on_sighup: bool,
}

/// Every input gathered and both listeners bound: ready to [`run`](Bound::run).
pub struct Bound {
    app: Arc<App>,
    reloader: Arc<Reloader>,
    proxy: Listener,
    admin: Option<(Listener, Arc<AdminState>)>,
    config: Config,
    options: Options,
    /// With `audit.sink`: the shipper, stopped after the log closes.
    shipper: Option<crate::ship::Shipper>,
}

/// How long shipping goes on after the log is closed at shutdown.
pub const SHIP_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Reads the config at `path` and everything it names, opens the audit log
/// and the consent store, then binds the admin and proxy listeners.
pub async fn bind(path: &Path, options: Options) -> Result<Bound, BootError> {
    let config = Config::load(path).map_err(BootError::Inputs)?;
    let (inputs, audit, journal) = prepare_off_runtime(&config).await?;
    let Inputs {
        keyring,
        proxy_tls,
        admin,
        generation,
        consent_database,
        redis,
    } = inputs;
    let subjects = SubjectHasher::from_keyring(&keyring);
    let consent = match (journal, consent_database) {
        (Some(journal), _) => journal,
        (None, Some(settings)) => open_database(settings, subjects.clone()).await,
        (None, None) => unreachable!("prepare opens the journal unless the store is a database"),
    };
    let cluster = cluster_quota(redis, &config)?;
    let shipper = config.audit.sink.as_ref().and_then(|sink| {
        let replica = &config.audit.checkpoints.replica;
        crate::ship::Shipper::start(&sink.nats, replica, config.audit.dir.clone(), &audit)
    });
    let app = Arc::new(App::new(generation, audit, subjects, consent, cluster));
    let reloader = Arc::new(Reloader::new(path, &config, app.clone()));
    let admin = bind_admin(&config, admin, &reloader).await?;
    let settings = listener_settings(&config);
    let proxy = Listener::bind(config.listen, proxy_tls, settings, "proxy")
        .await
        .map_err(BootError::Bind)?;
    let mut listeners = vec![("proxy", settings.max_connections, proxy.stats())];
    if let Some((admin, _)) = &admin {
        listeners.push(("admin", admin::LISTENER.max_connections, admin.stats()));
    }
    app.metrics
        .register_collector(Box::new(crate::metrics::ListenerCollector { listeners }));
    Ok(Bound {
        app,
        reloader,
        proxy,
        admin,
        config,
        options,
        shipper,
    })
}

/// [`prepare`] on a blocking thread: file reads, rules compilation and
/// replay are blocking work.
async fn prepare_off_runtime(
    config: &Config,
) -> Result<(Inputs, AuditHandle, Option<Arc<ConsentStore>>), BootError> {
    let config = config.clone();
    match tokio::task::spawn_blocking(move || prepare(&config)).await {
        Ok(prepared) => prepared,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// The cluster quota client, with `cluster:` and a Redis client for it.
fn cluster_quota(
    redis: Option<redis::Client>,
    config: &Config,
) -> Result<Option<Arc<ClusterQuota>>, BootError> {
    match (redis, &config.cluster) {
        (Some(client), Some(settings)) => Ok(Some(Arc::new(
            ClusterQuota::new(client, settings.replicas, settings.timeout)
                .map_err(|e| BootError::Cluster(format!("{:?}", e.kind())))?,
        ))),
        _ => Ok(None),
    }
}

/// The admin listener bound, with its state, when the config has one.
async fn bind_admin(
    config: &Config,
    inputs: Option<inputs::AdminInputs>,
    reloader: &Arc<Reloader>,
) -> Result<Option<(Listener, Arc<AdminState>)>, BootError> {
    let (Some(settings), Some(inputs)) = (&config.admin, inputs) else {
        return Ok(None);
    };
    let token = inputs
        .token
        .expect("serving gathers (or creates) the admin token");
    let listener = Listener::bind(settings.listen, inputs.tls, admin::LISTENER, "admin")
        .await
        .map_err(BootError::Bind)?;
    let state = AdminState::new(reloader.clone(), token, config.audit.dir.clone());
    Ok(Some((listener, Arc::new(state))))
}

/// The proxy listener's settings from the config's limits. An HTTP/2
/// connection may open as many streams as bodies fit in the body budget.
fn listener_settings(config: &Config) -> crate::net::Settings {
    let limits = config.limits;
    let bodies = limits.max_buffered_bytes / limits.max_body_bytes.max(1);
    crate::net::Settings {
        header_read_timeout: limits.header_read_timeout,
        idle_timeout: limits.idle_timeout,
        max_connections: limits.max_connections,
        max_concurrent_streams: u32::try_from(bodies.clamp(1, 256)).unwrap_or(256),
    }
}

/// The blocking part of start-up: inputs, then the audit log (without it
/// nothing may be shared), then the consent journal (replayed: no request
/// is served without every decision).
fn prepare(config: &Config) -> Result<(Inputs, AuditHandle, Option<Arc<ConsentStore>>), BootError> {
    let inputs = inputs::gather(config, Mode::Serve).map_err(BootError::Inputs)?;
    let audit = if config.audit.enabled {
        {
            let witnesses = crate::net::witness::from_config(&config.audit.checkpoints.witnesses)
                .map_err(BootError::Audit)?;
            AuditHandle::open(&config.audit, &inputs.keyring, witnesses)
                .map_err(BootError::Audit)?
        }
    } else {
        tracing::warn!(
            config = %config.source.display(),
            "AUDIT LOG DISABLED (audit: {{enabled: false}}): requests are forwarded with \
             no share record. For benchmarking and development only; never in production."
        );
        AuditHandle::disabled()
    };
    if inputs.consent_database.is_some() {
        return Ok((inputs, audit, None));
    }
    let subjects = SubjectHasher::from_keyring(&inputs.keyring);
    let consent =
        ConsentStore::open(&config.consent.journal, subjects).map_err(BootError::Consent)?;
    Ok((inputs, audit, Some(Arc::new(consent))))
}

/// The consent store on the database, after waiting (up to the connect
/// timeout) for its first full sync. A replica whose database is down
/// starts all the same, not ready, refusing every share until it syncs.
async fn open_database(
    settings: crate::consent::postgres::PostgresSettings,
    subjects: SubjectHasher,
) -> Arc<ConsentStore> {
    let wait = settings.connect_timeout;
    let store = Arc::new(ConsentStore::postgres(settings, subjects));
    if !store.wait_synced(wait).await {
        tracing::warn!(
            waited_ms = wait.as_millis() as u64,
            "the consent database is not reachable: serving NOT READY, every share refused \
             (503 consent_unavailable) until the first full sync"
        );
    }
    store
}

impl Bound {
    /// The proxy listener's address (the real port when the config said 0).
    pub fn proxy_addr(&self) -> SocketAddr {
        self.proxy
            .local_addr()
            .expect("a bound TCP listener has an address")
    }

    /// The admin listener's address, when there is one.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin.as_ref().map(|(listener, _)| {
            listener
                .local_addr()
                .expect("a bound TCP listener has an address")
        })
    }

    /// The running state (for tests that look inside).
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Serves until `shutdown` completes, then drains and closes; see the
    /// module documentation. The `listening` lines on stderr come after
    /// every signal handler is installed (a signal sent as soon as they
    /// appear is never the default action, exit) and once the socket
    /// accepts: scripts and tests read the bound ports from them.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), BootError> {
        if self.options.reload_on_sighup {
            reload::reload_on_sighup(self.reloader.clone()).map_err(BootError::Signals)?;
        }
        if self.config.reload.watch {
            watch::watch_sources(self.reloader.clone(), self.config.reload.debounce)
                .map_err(BootError::Watch)?;
        }
        let admin = self
            .admin
            .map(|(listener, state)| start_admin(listener, state));
        let app = self.app.clone();
        let handler = move |req, client| crate::proxy::handle(app.clone(), client, req);
        let shutdown = delayed(shutdown, self.app.clone(), self.config.shutdown_delay);
        // Ready from here on: the socket is bound and queues connections.
        self.app.set_serving(true);
        let address = self
            .proxy
            .local_addr()
            .expect("a bound TCP listener has an address");
        crate::notice::listening("proxy", &format!("{}://{address}", self.proxy.scheme()));
        let draining = self.proxy.serve(handler, shutdown).await;
        // Readiness fails from here on, so load balancers stop sending.
        self.app.set_serving(false);
        tracing::info!(
            connections = draining.connections(),
            "shutting down: finishing in-flight requests"
        );
        let limits = self.config.limits;
        if !draining
            .finish(limits.body_read_timeout + limits.upstream_timeout)
            .await
        {
            tracing::warn!("grace period over; closing the remaining connections");
        }
        // The admin listener outlives the drain, so readiness can say 503 meanwhile.
        if let Some((stop, serving)) = admin {
            let _ = stop.send(());
            if let Ok(draining) = serving.await {
                draining.finish(admin::SHUTDOWN_GRACE).await;
            }
        }
        // Outcome records are queued as answers leave: the writer must have
        // written every one before the process exits.
        let closed = self.app.audit.shutdown().await;
        if let Some(shipper) = self.shipper {
            shipper.finish(SHIP_GRACE).await;
        }
        closed.map_err(BootError::AuditClose)
    }
}

/// `shutdown`, then, for `delay`, readiness off while the listener still
/// accepts: Envoy's drain time, the window a `preStop` hook gives a load
/// balancer to take the pod out before connections are refused.
async fn delayed(shutdown: impl Future<Output = ()>, app: Arc<App>, delay: std::time::Duration) {
    shutdown.await;
    if delay.is_zero() {
        return;
    }
    app.set_serving(false);
    tracing::info!(
        delay_ms = delay.as_millis() as u64,
        "shutting down: readiness off, still accepting until the shutdown delay ends"
    );
    tokio::time::sleep(delay).await;
}

/// Serves the admin listener until the returned sender fires.
fn start_admin(
    listener: Listener,
    state: Arc<AdminState>,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<crate::net::Draining>,
) {
    let address = listener
        .local_addr()
        .expect("a bound TCP listener has an address");
    crate::notice::listening("admin", &format!("{}://{address}", listener.scheme()));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handler = move |req, client: crate::net::ClientInfo| {
        admin::router::handle(state.clone(), client.peer, req)
    };
    let serving = tokio::spawn(listener.serve(handler, async {
        let _ = stopped.await;
    }));
    (stop, serving)
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
