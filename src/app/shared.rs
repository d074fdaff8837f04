//! The inputs of what replicas share: the consent database's connection
//! settings (URL, password file, TLS on the proxy's one rustls provider)
//! and the cluster Redis client (`rediss://` with an optional CA). Read and
//! checked with the other inputs, before any socket is bound; nothing here
//! connects (a replica starts while its database is down, not ready).

use std::path::Path;

use crate::config::{ClusterConfig, Config, PostgresConsent};
use crate::consent::postgres::PostgresSettings;
use crate::diag::Diagnostic;
use crate::net::tls;

/// The consent database's settings, or the problems with them (reported
/// against the config file: the URL is never quoted, it may hold a
/// password).
pub fn postgres_settings(
    config: &Config,
    pg: &PostgresConsent,
    problems: &mut Vec<Diagnostic>,
) -> Option<PostgresSettings> {
    let source = &config.source;
    let Ok(mut parsed) = pg.url.parse::<tokio_postgres::Config>() else {
        problems.push(Diagnostic::whole_file(
            source,
            "consent.url is not a PostgreSQL URL",
        ));
        return None;
    };
    parsed.connect_timeout(pg.connect_timeout);
    parsed.application_name(format!("pii-proxy/{}", config.replica));
    if let Some(file) = &pg.password_file {
        match read_secret(file) {
            Ok(password) => {
                parsed.password(password);
            }
            Err(message) => {
                problems.push(Diagnostic::whole_file(file, message));
                return None;
            }
        }
    }
    let tls = if pg.tls {
        let roots = tls::system_roots();
        match tls::client_config(&roots, pg.ca.as_deref(), None) {
            Ok(client) => Some(client),
            Err(e) => {
                let at = pg.ca.as_deref().unwrap_or(source);
                problems.push(Diagnostic::whole_file(
                    at,
                    format!("consent database TLS: {e}"),
                ));
                return None;
            }
        }
    } else {
        None
    };
    Some(PostgresSettings {
        config: parsed,
        tls,
        max_staleness: pg.max_staleness,
        connect_timeout: pg.connect_timeout,
        replica: config.replica.clone(),
    })
}

/// The password in `file`, without its trailing newline.
fn read_secret(file: &Path) -> Result<String, String> {
    crate::secret_file::check(file, "the password file")?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read: {e}"))?;
    let secret = text.trim_end_matches(['\r', '\n']);
    if secret.is_empty() {
        return Err("the password file is empty".into());
    }
    Ok(secret.to_owned())
}

/// The cluster Redis client: `rediss://` verified against `ca` (instead of
/// the system roots) when given.
pub fn redis_client(
    config: &Config,
    cluster: &ClusterConfig,
    problems: &mut Vec<Diagnostic>,
) -> Option<redis::Client> {
    let client = match &cluster.ca {
        Some(ca) => {
            let pem = match std::fs::read(ca) {
                Ok(pem) => pem,
                Err(e) => {
                    problems.push(Diagnostic::whole_file(ca, format!("cannot read: {e}")));
                    return None;
                }
            };
            let certs = redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(pem),
            };
            redis::Client::build_with_tls(cluster.redis.as_str(), certs)
        }
        None => redis::Client::open(cluster.redis.as_str()),
    };
    match client {
        Ok(client) => Some(client),
        Err(e) => {
            problems.push(Diagnostic::whole_file(
                &config.source,
                // The kind, never the text (which can quote the URL).
                format!("cluster.redis: the client cannot be built ({:?})", e.kind()),
            ));
            None
        }
    }
}
