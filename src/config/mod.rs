//! The proxy config file (`pii-proxy.yaml`): listeners, TLS, partners and
//! their routes, limits, and the paths of keys, rules and audit log.
//!
//! Owns: reading the file ([`raw`]), checking it and turning it into a
//! [`Config`] whose every path is resolved and every value valid. Knows
//! nothing of HTTP or JSON payloads, and does not read rules files (only
//! checks that they exist). Fails closed: a config with any error is
//! rejected as a whole, with every error reported as `FILE:LINE:COL: message`,
//! before a socket is bound.

mod check;
mod raw;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics};

/// The default config file name, looked up in the working directory.
pub const DEFAULT_CONFIG: &str = "pii-proxy.yaml";

/// A checked config: every path absolute or relative to the working
/// directory (resolved against the config file's directory), every value valid.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file this config was read from.
    pub source: PathBuf,
    pub listen: SocketAddr,
    pub tls: Option<ServerTls>,
    /// Plain HTTP on a non-loopback address was explicitly allowed.
    pub allow_plaintext_non_loopback: bool,
    pub admin: Option<AdminConfig>,
    pub reload: ReloadConfig,
    /// The audit module's settings, with `dir` resolved.
    pub audit: crate::audit::AuditConfig,
    /// The keyring file (may not exist yet: `serve` creates a development one).
    pub keys: PathBuf,
    pub limits: Limits,
    /// In file order; routing picks the longest matching `route`.
    pub partners: Vec<Partner>,
}

/// Inbound TLS material.
#[derive(Debug, Clone)]
pub struct ServerTls {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_ca: Option<PathBuf>,
    /// Neither `cert` nor `key` exists and the listener is on loopback:
    /// `serve` generates a self-signed development pair there, loudly.
    pub generate_dev_cert: bool,
}

/// The admin listener (served by the admin module).
#[derive(Debug, Clone)]
pub struct AdminConfig {
    pub listen: SocketAddr,
    pub token_file: Option<PathBuf>,
    /// Required on a non-loopback address.
    pub tls: Option<ServerTls>,
}

/// Reloading besides `POST /reload` and SIGHUP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReloadConfig {
    /// Reload when a watched file (config, rules, keyring) changes.
    pub watch: bool,
    /// Quiet time after a change before reloading.
    pub debounce: Duration,
}

impl Default for ReloadConfig {
    fn default() -> Self {
        ReloadConfig {
            watch: false,
            debounce: Duration::from_millis(500),
        }
    }
}

/// Limits applied to every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub max_depth: usize,
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub upstream_connect_timeout: Duration,
    pub upstream_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 8 * 1024 * 1024,
            max_depth: 128,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            upstream_connect_timeout: Duration::from_secs(5),
            upstream_timeout: Duration::from_secs(30),
        }
    }
}

/// One partner: where its traffic is routed from and to, and how.
#[derive(Debug, Clone)]
pub struct Partner {
    pub id: String,
    /// Starts and ends with `/`.
    pub route: String,
    pub upstream: Upstream,
    pub region: Option<String>,
    pub rules: PathBuf,
    /// Rules run in shadow beside `rules` (never enforced).
    pub candidate_rules: Option<PathBuf>,
    pub tls: PartnerTls,
    pub content_types: ContentTypePolicy,
    pub responses: ResponsePolicy,
}

/// Where a partner's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upstream {
    /// Answers with the body and headers it received (demo and tests).
    Echo,
    /// A partner API. `base_path` has no trailing `/` (empty for the root).
    Http {
        scheme: Scheme,
        /// `host[:port]` exactly as written.
        authority: http::uri::Authority,
        base_path: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

/// Outbound TLS material for one partner.
#[derive(Debug, Clone, Default)]
pub struct PartnerTls {
    pub ca: Option<PathBuf>,
    /// Client certificate chain and key, presented when set (mTLS).
    pub client_identity: Option<(PathBuf, PathBuf)>,
}

/// What to do with a body that is neither JSON nor form data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentTypePolicy {
    /// 415: only bodies the engine can inspect leave.
    #[default]
    Refuse,
    /// Forwarded uninspected (counted in metrics).
    Allow,
}

/// Whether responses from the partner are inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponsePolicy {
    #[default]
    Pass,
    Inspect,
}

impl Config {
    /// Reads and checks the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, Diagnostics> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Diagnostics(vec![Diagnostic::whole_file(
                path,
                format!("cannot read the config file: {e}"),
            )])
        })?;
        Config::parse(&text, path)
    }

    /// Checks config text as if read from `path` (relative paths in it
    /// resolve against `path`'s directory).
    pub fn parse(text: &str, path: &Path) -> Result<Config, Diagnostics> {
        let raw: raw::RawConfig = serde_saphyr::from_str(text)
            .map_err(|e| Diagnostics(vec![Diagnostic::from_yaml(path, &e)]))?;
        check::check(raw, path)
    }

    /// The partner with this id.
    pub fn partner(&self, id: &str) -> Option<&Partner> {
        self.partners.iter().find(|p| p.id == id)
    }
}
