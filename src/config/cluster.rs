//! Checking what several replicas share: the consent store (`journal` or
//! `postgres`), the replica's name, and the `cluster:` Redis of cluster
//! quotas. A database or Redis off this host must be reached over TLS, as
//! the admin listener must be served over it: decisions and counters about
//! subjects do not cross a network in clear.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde_saphyr::Spanned;

use super::check::Checker;
use super::raw::{ConsentStoreKind, RawCluster, RawConsent};
use super::{ClusterConfig, ConsentConfig, PostgresConsent};
use crate::ident::Ident;

pub use crate::audit::SINGLE_REPLICA;
const DEFAULT_MAX_STALENESS: Duration = Duration::from_secs(2);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(250);

/// `localhost`, a loopback IP, or a Unix socket path.
fn loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Checker<'_> {
    pub(super) fn consent(&mut self, raw: Option<&Spanned<RawConsent>>) -> ConsentConfig {
        let default_journal = self.base.join("consent/journal.jsonl");
        let Some(raw) = raw else {
            return ConsentConfig {
                journal: default_journal,
                postgres: None,
            };
        };
        let c = &raw.value;
        let journal = match &c.journal {
            Some(j) if j.value.trim().is_empty() => {
                self.error(&j.referenced, "consent.journal must name a file");
                PathBuf::new()
            }
            Some(j) => self.path(j),
            None => default_journal,
        };
        let kind = c.store.as_ref().map(|s| s.value);
        let postgres = match kind {
            Some(ConsentStoreKind::Postgres) => self.postgres(raw),
            _ => {
                self.only_with_postgres(c);
                None
            }
        };
        ConsentConfig { journal, postgres }
    }

    /// Settings that mean nothing to the journal store are refused there
    /// rather than silently ignored.
    fn only_with_postgres(&mut self, c: &RawConsent) {
        let misplaced = [
            c.url.as_ref().map(|v| (&v.referenced, "url")),
            c.password_file
                .as_ref()
                .map(|v| (&v.referenced, "password_file")),
            c.ca.as_ref().map(|v| (&v.referenced, "ca")),
        ];
        for (at, key) in misplaced.into_iter().flatten() {
            self.error(at, format!("consent.{key} needs `store: postgres`"));
        }
        if c.max_staleness.is_some() || c.connect_timeout.is_some() {
            let at = c.store.as_ref().map(|s| s.referenced);
            let message =
                "consent.max_staleness and consent.connect_timeout need `store: postgres`";
            match at {
                Some(at) => self.error(&at, message),
                None => self.errors.push(crate::diag::Diagnostic::whole_file(
                    self.file_path(),
                    message,
                )),
            }
        }
    }

    fn postgres(&mut self, raw: &Spanned<RawConsent>) -> Option<PostgresConsent> {
        let c = &raw.value;
        let Some(url) = &c.url else {
            self.error(
                &raw.referenced,
                "`store: postgres` needs `url: postgres://user@host:port/database`",
            );
            return None;
        };
        let tls = self.postgres_url(url)?;
        let max_staleness = c.max_staleness.unwrap_or(DEFAULT_MAX_STALENESS);
        if max_staleness < Duration::from_millis(100) {
            self.error(
                &raw.referenced,
                "consent.max_staleness must be at least 100ms",
            );
        }
        let connect_timeout = c.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        if connect_timeout.is_zero() {
            self.error(&raw.referenced, "consent.connect_timeout must be above 0");
        }
        Some(PostgresConsent {
            url: url.value.clone(),
            password_file: c
                .password_file
                .as_ref()
                .map(|p| self.existing_file(p, "consent.password_file")),
            ca: c.ca.as_ref().map(|p| self.existing_file(p, "consent.ca")),
            tls,
            max_staleness,
            connect_timeout,
        })
    }

    /// Whether the URL asks for TLS; an error (never quoting the URL, which
    /// may hold a password) when it does not parse or would send decisions
    /// to another host in clear.
    fn postgres_url(&mut self, url: &Spanned<String>) -> Option<bool> {
        use tokio_postgres::config::{Host, SslMode};
        let Ok(parsed) = url.value.parse::<tokio_postgres::Config>() else {
            self.error(
                &url.referenced,
                "consent.url is not a PostgreSQL URL (postgres://user@host:port/database)",
            );
            return None;
        };
        let tls = parsed.get_ssl_mode() == SslMode::Require;
        let remote = parsed.get_hosts().iter().any(|h| match h {
            Host::Tcp(name) => !loopback_host(name),
            #[cfg(unix)]
            Host::Unix(_) => false,
        });
        if remote && !tls {
            self.error(
                &url.referenced,
                "consent.url names a database off this host: add `sslmode=require` (TLS, \
                 certificate verified); consent decisions must not cross a network in clear",
            );
        }
        if parsed.get_hosts().is_empty() {
            self.error(&url.referenced, "consent.url must name a host");
        }
        Some(tls)
    }

    pub(super) fn replica(&mut self, raw: Option<&Spanned<String>>) -> Ident {
        match raw {
            Some(name) => self
                .ident(name, "replica")
                .unwrap_or_else(|| Ident::new(SINGLE_REPLICA).expect("a valid identifier")),
            None => default_replica(),
        }
    }

    pub(super) fn cluster(&mut self, raw: &Spanned<RawCluster>) -> Option<ClusterConfig> {
        let c = &raw.value;
        if c.replicas.value == 0 {
            self.error(
                &c.replicas.referenced,
                "cluster.replicas must be at least 1",
            );
        }
        self.redis_url(&c.redis)?;
        let timeout = c.timeout.unwrap_or(DEFAULT_REDIS_TIMEOUT);
        if timeout.is_zero() {
            self.error(&raw.referenced, "cluster.timeout must be above 0");
        }
        Some(ClusterConfig {
            replicas: c.replicas.value.max(1),
            redis: c.redis.value.clone(),
            ca: c.ca.as_ref().map(|p| self.existing_file(p, "cluster.ca")),
            timeout,
        })
    }

    fn redis_url(&mut self, url: &Spanned<String>) -> Option<()> {
        use redis::{ConnectionAddr, IntoConnectionInfo};
        let Ok(info) = url.value.as_str().into_connection_info() else {
            self.error(
                &url.referenced,
                "cluster.redis is not a Redis URL (redis://host:port/db or rediss://host:port/db)",
            );
            return None;
        };
        match info.addr() {
            ConnectionAddr::Tcp(host, _) if !loopback_host(host) => self.error(
                &url.referenced,
                "cluster.redis names a server off this host: use `rediss://` (TLS); quota \
                 counters must not cross a network in clear",
            ),
            ConnectionAddr::TcpTls { insecure: true, .. } => self.error(
                &url.referenced,
                "cluster.redis turns certificate verification off (`#insecure`): refused",
            ),
            _ => {}
        }
        Some(())
    }
}

/// The host name when it follows the identifier rule (Kubernetes names
/// each pod's host after the pod), else [`SINGLE_REPLICA`].
pub fn default_replica() -> Ident {
    let host = gethostname::gethostname();
    host.to_str()
        .and_then(|h| Ident::new(h).ok())
        .unwrap_or_else(|| Ident::new(SINGLE_REPLICA).expect("a valid identifier"))
}
