//! Everything the proxy reads and checks before it binds a socket: the
//! keyring, both listeners' TLS configs, the admin token, the generation
//! (every partner's rules, candidate rules, cross-border verdict and
//! client), the consent journal or database settings, and the cluster
//! Redis client. `serve` gathers them to run with;
//! `check` gathers them the same way without creating or changing a file,
//! so a config that checks is one that starts.
//!
//! Every problem of every input is reported, not the first one, each as
//! `FILE:LINE:COL: message` (`FILE:0:0:` for a file as a whole).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;

use super::generation::Generation;
use super::keys::{self, Need};
use super::token::AdminToken;
use crate::config::{AdminConfig, Config, ServerTls};
use crate::consent::journal::Journal;
use crate::diag::{Diagnostic, Diagnostics};
use crate::net::tls;
use crate::protect::Keyring;

/// Whether the inputs are gathered to serve with or only checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `serve`: development keys, certificates and token are created
    /// (loudly) where the config allows it.
    Serve,
    /// `check`: nothing is created or changed.
    Check,
}

/// What `serve` runs with.
pub struct Inputs {
    pub keyring: Keyring,
    /// The proxy listener's TLS (`None`: plain HTTP, or in `check` a
    /// development certificate that would be generated).
    pub proxy_tls: Option<Arc<ServerConfig>>,
    pub admin: Option<AdminInputs>,
    pub generation: Generation,
    /// `consent: {store: postgres}`: how to reach the database.
    pub consent_database: Option<crate::consent::postgres::PostgresSettings>,
    /// `cluster:`: the Redis client of cluster quotas.
    pub redis: Option<redis::Client>,
}

/// The admin listener's inputs.
pub struct AdminInputs {
    pub tls: Option<Arc<ServerConfig>>,
    /// `None` only in `check`, for a development token that would be created.
    pub token: Option<AdminToken>,
}

/// The token file admin requests are checked against: `admin.token_file`,
/// or `admin.token` beside the keyring.
pub fn token_path(config: &Config, admin: &AdminConfig) -> PathBuf {
    admin
        .token_file
        .clone()
        .unwrap_or_else(|| config.keys.with_file_name("admin.token"))
}

/// Reads and checks every input of `config`; see the module documentation.
pub fn gather(config: &Config, mode: Mode) -> Result<Inputs, Diagnostics> {
    let mut problems = Vec::new();
    let need = match (mode, config.create_keys_if_missing) {
        (Mode::Serve, true) => Need::LoadOrCreate,
        (Mode::Check, true) => Need::LoadOrThrowaway,
        (_, false) => Need::Existing,
    };
    let keyring = keys::keyring(&config.keys, need)
        .map_err(|d| problems.extend(d.0))
        .ok();
    let proxy_tls = config
        .tls
        .as_ref()
        .and_then(|t| listener_tls(t, "proxy", mode, &mut problems));
    let admin = config
        .admin
        .as_ref()
        .map(|a| admin_inputs(config, a, mode, &mut problems));
    // Rules are compiled with a throwaway keyring when the real one does
    // not load, so their problems are reported in the same run.
    let throwaway;
    let compile_with = match &keyring {
        Some((keyring, _)) => keyring,
        None => {
            throwaway = Keyring::generate();
            &throwaway
        }
    };
    let generation = Generation::build(config, compile_with)
        .map_err(|d| problems.extend(d.0))
        .ok();
    let consent_database = match &config.consent.postgres {
        Some(pg) => super::shared::postgres_settings(config, pg, &mut problems),
        None => {
            if mode == Mode::Check {
                check_journal(&config.consent.journal, &mut problems);
            }
            None
        }
    };
    let redis = config
        .cluster
        .as_ref()
        .and_then(|c| super::shared::redis_client(config, c, &mut problems));
    match (keyring, generation, problems.is_empty()) {
        (Some((keyring, _)), Some(generation), true) => Ok(Inputs {
            keyring,
            proxy_tls,
            admin,
            generation,
            consent_database,
            redis,
        }),
        _ => Err(Diagnostics(problems)),
    }
}

fn listener_tls(
    settings: &ServerTls,
    listener: &str,
    mode: Mode,
    problems: &mut Vec<Diagnostic>,
) -> Option<Arc<ServerConfig>> {
    match tls::listener_config(settings, listener, mode == Mode::Serve) {
        Ok(config) => config.map(Arc::new),
        Err(e) => {
            problems.push(Diagnostic::whole_file(
                &settings.cert,
                format!("the {listener} listener's TLS: {e}"),
            ));
            None
        }
    }
}

fn admin_inputs(
    config: &Config,
    admin: &AdminConfig,
    mode: Mode,
    problems: &mut Vec<Diagnostic>,
) -> AdminInputs {
    let tls = admin
        .tls
        .as_ref()
        .and_then(|t| listener_tls(t, "admin", mode, problems));
    let path = token_path(config, admin);
    let token = match mode {
        Mode::Serve => AdminToken::load_or_create(&path).map(|(token, _)| Some(token)),
        Mode::Check if path.exists() => AdminToken::load(&path).map(Some),
        Mode::Check => Ok(None),
    };
    let token = token
        .map_err(|e| problems.push(Diagnostic::whole_file(&path, e.to_string())))
        .ok()
        .flatten();
    AdminInputs { tls, token }
}

/// The consent journal must replay: `serve` refuses to start otherwise.
fn check_journal(path: &Path, problems: &mut Vec<Diagnostic>) {
    if let Err(e) = Journal::verify(path) {
        problems.push(Diagnostic::whole_file(path, e.to_string()));
    }
}
