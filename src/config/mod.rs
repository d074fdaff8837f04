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
mod cluster;
mod partners;
mod raw;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics};

use crate::ident::Ident;
pub use cluster::{SINGLE_REPLICA, default_replica};

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
    /// The keyring file (may not exist yet when `create_keys_if_missing`).
    pub keys: PathBuf,
    /// `keys: {create_if_missing: true}`: `serve` and `mask` create a
    /// development keyring when there is none (the shipped config only).
    pub create_keys_if_missing: bool,
    pub limits: Limits,
    /// How long readiness is off before the proxy listener closes on
    /// SIGTERM. Default: zero.
    pub shutdown_delay: Duration,
    /// In file order; routing picks the longest matching `route`.
    pub partners: Vec<Partner>,
    /// Where the proxy's data lives (ISO 3166 alpha-2); a partner in
    /// another region is cross-border. Default `CN`.
    pub home_region: String,
    /// The consent store's settings, with `journal` resolved.
    pub consent: ConsentConfig,
    /// `host[:port]` partners see as the forwarded host.
    pub public_host: Option<http::uri::Authority>,
    /// This process's name among the replicas (in every audit record).
    pub replica: Ident,
    /// The shared Redis of cluster quotas, when configured.
    pub cluster: Option<ClusterConfig>,
}

/// Where consent decisions are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentConfig {
    /// The append-only journal (JSON Lines), replayed at start. Default:
    /// `consent/journal.jsonl` next to the config file. With a PostgreSQL
    /// store, the journal `consent migrate` imports.
    pub journal: PathBuf,
    /// `store: postgres`: the database every replica shares.
    pub postgres: Option<PostgresConsent>,
}

/// The PostgreSQL consent store's settings.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresConsent {
    /// The URL as written (it may hold a password: never logged whole).
    pub url: String,
    /// A file holding the password, read at start.
    pub password_file: Option<PathBuf>,
    /// Extra CA certificates for the database's TLS certificate.
    pub ca: Option<PathBuf>,
    /// The URL asks for TLS (`sslmode=require`).
    pub tls: bool,
    pub max_staleness: Duration,
    pub connect_timeout: Duration,
}

impl std::fmt::Debug for PostgresConsent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresConsent")
            .field("tls", &self.tls)
            .field("max_staleness", &self.max_staleness)
            .finish_non_exhaustive()
    }
}

/// `cluster:`: what replicas share besides consent.
#[derive(Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    /// Replicas sharing the load (the fallback quota is `limit ÷ replicas`).
    pub replicas: u32,
    /// The Redis URL as written (`redis://` or `rediss://`).
    pub redis: String,
    /// Extra CA certificates for `rediss://`.
    pub ca: Option<PathBuf>,
    /// Longest wait for one quota check before falling back.
    pub timeout: Duration,
}

impl std::fmt::Debug for ClusterConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterConfig")
            .field("replicas", &self.replicas)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// One path prefix of a partner and the scenario (purpose) it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRoute {
    /// Starts and ends with `/`.
    pub path: String,
    /// `default` for the partner's `route:`.
    pub scenario: Ident,
}

/// The scenario of a partner's plain `route:`.
pub const DEFAULT_SCENARIO: &str = "default";

/// Per-partner limits on what the partner's traffic may do; `None` is
/// unlimited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    /// Sustained requests per second (token bucket).
    pub requests_per_second: Option<u32>,
    /// Requests allowed at once; defaults to `requests_per_second`.
    pub burst: Option<u32>,
    /// Distinct subjects per `window`.
    pub distinct_subjects: Option<u32>,
    /// The window distinct subjects are counted in (also the anomaly
    /// baseline's unit). Default 60 s.
    pub window: Duration,
    /// Counted across every replica in the cluster's Redis.
    pub cluster: bool,
}

impl Default for Quota {
    fn default() -> Self {
        Quota {
            requests_per_second: None,
            burst: None,
            distinct_subjects: None,
            window: Duration::from_secs(60),
            cluster: false,
        }
    }
}

/// When a partner's distinct-subject count is an anomaly: above `factor` ×
/// its baseline (an exponentially weighted mean of past windows), at least
/// `min_subjects`, once `warmup_windows` windows have been seen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnomalySettings {
    pub factor: f64,
    pub min_subjects: u32,
    pub warmup_windows: u32,
    /// Weight of the newest window in the baseline, in (0, 1].
    pub smoothing: f64,
}

impl Default for AnomalySettings {
    fn default() -> Self {
        AnomalySettings {
            factor: 4.0,
            min_subjects: 20,
            warmup_windows: 5,
            smoothing: 0.2,
        }
    }
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
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub max_buffered_bytes: usize,
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
            idle_timeout: Duration::from_secs(60),
            max_connections: default_max_connections(),
            max_buffered_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Half the process's soft open-file limit (Linux: `/proc/self/limits`), at
/// most 10000; 1024 where the limit cannot be read.
fn default_max_connections() -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("Max open files"))?;
            line.split_whitespace().nth(3)?.parse::<usize>().ok()
        });
    soft.map_or(1024, |files| (files / 2).clamp(16, 10_000))
}

/// One partner: where its traffic is routed from and to, and how.
#[derive(Debug, Clone)]
pub struct Partner {
    pub id: Ident,
    /// `name:`, the display name share records carry.
    pub name: Option<crate::audit::DisplayName>,
    /// `export_basis:` (required when `cross_border`).
    pub export_basis: Option<crate::audit::ExportBasis>,
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
    /// Every route of the partner: `route:` (scenario `default`) first,
    /// then `routes:` in file order.
    pub routes: Vec<PartnerRoute>,
    /// `region` is set and differs from the config's `home_region`.
    pub cross_border: bool,
    /// Where `region` is written in the config file (for cross-border
    /// diagnostics about the partner's rules).
    pub region_at: Option<serde_saphyr::Location>,
    pub quota: Quota,
    pub anomaly: AnomalySettings,
    /// Caller headers that may leave (lowercase); `None`: all but the
    /// caller's credentials.
    pub forward_headers: Option<Vec<http::HeaderName>>,
    /// The partner's own credential: the header and the file of its value.
    pub upstream_auth: Option<(http::HeaderName, PathBuf)>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContentTypePolicy {
    /// 415: only bodies the engine can inspect leave.
    #[default]
    Refuse,
    /// Forwarded uninspected (counted in metrics).
    Allow,
}

/// Whether responses from the partner are inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ResponsePolicy {
    /// Passed back as the partner sent it.
    #[default]
    Pass,
    /// The partner's policy applied to what comes back, as to a request.
    Inspect,
}

/// The JSON Schema of the config file, from its raw types.
pub fn config_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    generator.root_schema_for::<raw::RawConfig>()
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

    /// Reads the config for `check`: every problem, and the config as far
    /// as it checks (partners with problems left out), so the files it
    /// names can be checked too. `None` when the file cannot be read or is
    /// not the config's YAML shape at all.
    pub fn load_for_check(path: &Path) -> (Option<Config>, Vec<Diagnostic>) {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                let message = format!("cannot read the config file: {e}");
                return (None, vec![Diagnostic::whole_file(path, message)]);
            }
        };
        match serde_saphyr::from_str::<raw::RawConfig>(&text) {
            Ok(raw) => {
                let (config, errors) = check::check_all(raw, path);
                (Some(config), errors)
            }
            Err(e) => (None, vec![Diagnostic::from_yaml(path, &e)]),
        }
    }

    /// The rules and candidate rules files the config at `path` names, read
    /// from its YAML without checking its shape: when the config does not
    /// deserialize, `check` still checks the rules files it names.
    pub fn rules_files_unchecked(path: &Path) -> Vec<PathBuf> {
        let Ok(text) = std::fs::read_to_string(path) else {
            return Vec::new();
        };
        let Ok(value) = serde_saphyr::from_str::<serde_json::Value>(&text) else {
            return Vec::new();
        };
        let base = path.parent().unwrap_or(Path::new(""));
        let partners = value.get("partners").and_then(|p| p.as_array());
        partners
            .into_iter()
            .flatten()
            .flat_map(|p| ["rules", "candidate_rules"].map(|key| p.get(key)))
            .filter_map(|file| file?.as_str().map(|f| base.join(f)))
            .collect()
    }

    /// The partner with this id.
    pub fn partner(&self, id: &str) -> Option<&Partner> {
        self.partners.iter().find(|p| p.id == id)
    }
}
