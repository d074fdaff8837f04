//! Reloading the config, rules and keys without a restart, atomically.
//!
//! A reload reads the config file again, loads the keyring, compiles every
//! partner's rules and candidate rules and builds their clients, exactly as
//! start-up does. Only when all of that succeeds, and the audit log has
//! accepted the `admin` record of the reload, is the new generation swapped
//! in (one pointer store): requests already running finish on the old one,
//! new requests get the new one, none sees a mix. Anything that fails
//! rejects the reload as a whole, with every error as `FILE:LINE:COL:
//! message`, and the old generation keeps serving.
//!
//! What a reload cannot change (sockets, TLS on the listeners, the audit
//! log's settings, the keyring path the subject hashes use) is reported as
//! `restart_required` and keeps its start-up value.
//!
//! Reloads are serialized. Triggers: `POST /reload`, SIGHUP, and the file
//! watcher.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use arc_swap::ArcSwap;
use serde::Serialize;

use super::inputs::token_path;
use super::keys::{self, Need};
use super::token::AdminToken;
use super::{App, Generation};
use crate::audit::{Admin, Ident};
use crate::config::{Config, ServerTls};
use crate::diag::{Diagnostic, Diagnostics};
use crate::metrics::ReloadTrigger;

/// A successful reload.
#[derive(Debug, Serialize)]
pub struct Reloaded {
    pub generation: u64,
    pub partners: Vec<PartnerVersion>,
    /// Settings that changed in the file but keep their start-up value
    /// until the process restarts.
    pub restart_required: Vec<&'static str>,
}

/// Which rules a partner serves with after the reload.
#[derive(Debug, Serialize)]
pub struct PartnerVersion {
    pub id: String,
    pub rules_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_rules_version: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The new config, rules or keys do not check: nothing changed.
    #[error("the new config was rejected:\n{0}")]
    Rejected(Diagnostics),
    /// The audit log did not accept the record of the reload: nothing
    /// changed (an admin action that cannot be audited does not happen).
    #[error("{0}")]
    AuditUnavailable(String),
}

/// The settings a running process cannot take from a reload.
#[derive(Debug, Clone, PartialEq)]
struct Fixed {
    listen: std::net::SocketAddr,
    tls: Option<TlsPaths>,
    allow_plaintext_non_loopback: bool,
    admin: Option<(std::net::SocketAddr, Option<TlsPaths>)>,
    audit: crate::audit::AuditConfig,
    keys: PathBuf,
    header_read_timeout: std::time::Duration,
    reload: crate::config::ReloadConfig,
    shutdown_delay: std::time::Duration,
}

type TlsPaths = (PathBuf, PathBuf, Option<PathBuf>);

fn tls_paths(tls: &ServerTls) -> TlsPaths {
    (tls.cert.clone(), tls.key.clone(), tls.client_ca.clone())
}

impl Fixed {
    fn of(config: &Config) -> Fixed {
        Fixed {
            listen: config.listen,
            tls: config.tls.as_ref().map(tls_paths),
            allow_plaintext_non_loopback: config.allow_plaintext_non_loopback,
            admin: config
                .admin
                .as_ref()
                .map(|a| (a.listen, a.tls.as_ref().map(tls_paths))),
            audit: config.audit.clone(),
            keys: config.keys.clone(),
            header_read_timeout: config.limits.header_read_timeout,
            reload: config.reload,
            shutdown_delay: config.shutdown_delay,
        }
    }

    /// The names of the settings that differ.
    fn changed(&self, new: &Fixed) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut check = |differs: bool, name| {
            if differs {
                out.push(name);
            }
        };
        check(self.listen != new.listen, "listen");
        check(self.tls != new.tls, "tls");
        check(
            self.allow_plaintext_non_loopback != new.allow_plaintext_non_loopback,
            "allow_plaintext_non_loopback",
        );
        check(self.admin != new.admin, "admin");
        check(self.audit != new.audit, "audit");
        check(self.keys != new.keys, "keys");
        check(
            self.header_read_timeout != new.header_read_timeout,
            "limits.header_read_timeout",
        );
        check(self.reload != new.reload, "reload");
        check(self.shutdown_delay != new.shutdown_delay, "shutdown_delay");
        out
    }
}

/// Reloads one running proxy from its config file.
pub struct Reloader {
    config_path: PathBuf,
    app: Arc<App>,
    fixed: Fixed,
    /// The admin listener's token, re-read on every reload, once the
    /// listener runs.
    token: OnceLock<Arc<ArcSwap<AdminToken>>>,
    /// The files the last good config was built from (for the watcher).
    sources: std::sync::Mutex<Vec<PathBuf>>,
    serial: tokio::sync::Mutex<()>,
}

/// What one reload read and built, before it is swapped in.
struct Prepared {
    generation: Generation,
    token: Option<AdminToken>,
    fixed: Fixed,
    sources: Vec<PathBuf>,
}

impl Reloader {
    /// `config` is the config the proxy started with, read from `config_path`.
    pub fn new(config_path: &Path, config: &Config, app: Arc<App>) -> Reloader {
        Reloader {
            config_path: config_path.to_path_buf(),
            app,
            fixed: Fixed::of(config),
            token: OnceLock::new(),
            sources: std::sync::Mutex::new(sources(config)),
            serial: tokio::sync::Mutex::new(()),
        }
    }

    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    /// Makes reloads re-read the admin token into `cell`.
    pub fn keep_token_fresh(&self, cell: Arc<ArcSwap<AdminToken>>) {
        let _ = self.token.set(cell);
    }

    /// The config file, rules files, candidate rules files and keyring of
    /// the config now serving.
    pub fn sources(&self) -> Vec<PathBuf> {
        self.sources
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Reloads; see the module documentation.
    pub async fn reload(&self, trigger: ReloadTrigger) -> Result<Reloaded, ReloadError> {
        let _serial = self.serial.lock().await;
        let path = self.config_path.clone();
        let wants_token = self.token.get().is_some();
        let prepared = tokio::task::spawn_blocking(move || prepare(&path, wants_token))
            .await
            .unwrap_or_else(|_| {
                Err(Diagnostics(vec![Diagnostic::whole_file(
                    &self.config_path,
                    "the reload task failed",
                )]))
            });
        let metrics = &self.app.metrics;
        let prepared = match prepared {
            Ok(prepared) => prepared,
            Err(diagnostics) => {
                metrics.reload(trigger, false);
                self.audit("reload_rejected", trigger).await.ok();
                tracing::warn!(
                    trigger = trigger.as_str(),
                    errors = diagnostics.0.len(),
                    "reload rejected; the previous config keeps serving:\n{diagnostics}"
                );
                return Err(ReloadError::Rejected(diagnostics));
            }
        };
        if let Err(e) = self.audit("reload", trigger).await {
            metrics.reload(trigger, false);
            tracing::error!(error = %e, "reload not applied: its audit record was not written");
            return Err(ReloadError::AuditUnavailable(e.to_string()));
        }
        let partners = versions(&prepared.generation);
        let generation = self.app.replace(prepared.generation);
        if let (Some(cell), Some(token)) = (self.token.get(), prepared.token) {
            cell.store(Arc::new(token));
        }
        *self.sources.lock().unwrap_or_else(|p| p.into_inner()) = prepared.sources;
        metrics.reload(trigger, true);
        let restart_required = self.fixed.changed(&prepared.fixed);
        if !restart_required.is_empty() {
            tracing::warn!(
                settings = ?restart_required,
                "these settings changed but apply only after a restart"
            );
        }
        tracing::info!(trigger = trigger.as_str(), generation, "config reloaded");
        Ok(Reloaded {
            generation,
            partners,
            restart_required,
        })
    }

    async fn audit(&self, action: &str, trigger: ReloadTrigger) -> Result<(), String> {
        let record = Admin {
            action: Ident::new(action).map_err(|e| e.to_string())?,
            actor: Ident::new(trigger.as_str()).ok(),
            partner: None,
            subject: None,
        };
        match self.app.audit.append(record).await {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::error!(error = %e, action, "the admin audit record was not written");
                Err(e.to_string())
            }
        }
    }
}

/// Everything a reload reads and compiles (blocking).
fn prepare(path: &Path, wants_token: bool) -> Result<Prepared, Diagnostics> {
    let config = Config::load(path)?;
    let (keyring, _) = keys::keyring(&config.keys, Need::Existing)?;
    let generation = Generation::build(&config, &keyring)?;
    let token = match (&config.admin, wants_token) {
        (Some(admin), true) => {
            let file = token_path(&config, admin);
            Some(
                AdminToken::load(&file)
                    .map_err(|e| Diagnostics(vec![Diagnostic::whole_file(&file, e.to_string())]))?,
            )
        }
        _ => None,
    };
    Ok(Prepared {
        generation,
        token,
        fixed: Fixed::of(&config),
        sources: sources(&config),
    })
}

fn sources(config: &Config) -> Vec<PathBuf> {
    let mut files = vec![config.source.clone(), config.keys.clone()];
    if let Some(admin) = &config.admin {
        files.push(token_path(config, admin));
    }
    for p in &config.partners {
        files.push(p.rules.clone());
        files.extend(p.candidate_rules.clone());
    }
    files
}

fn versions(generation: &Generation) -> Vec<PartnerVersion> {
    generation
        .partners
        .iter()
        .map(|p| PartnerVersion {
            id: p.config.id.to_string(),
            rules_version: p.rules_version.as_str().to_owned(),
            candidate_rules_version: p
                .candidate
                .as_ref()
                .map(|c| c.rules_version.as_str().to_owned()),
        })
        .collect()
}

/// Reloads on every SIGHUP, for the life of the process. The handler is
/// installed when this is called (call it before announcing the listener,
/// so an early SIGHUP is not the default action: exit). Call it inside the
/// runtime.
pub fn reload_on_sighup(reloader: Arc<Reloader>) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangups = signal(SignalKind::hangup())?;
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                tracing::info!("SIGHUP received: reloading");
                // The outcome is logged, counted and audited by `reload`.
                let _ = reloader.reload(ReloadTrigger::Signal).await;
            }
        });
    }
    #[cfg(not(unix))]
    let _ = reloader;
    Ok(())
}
