//! Everything `serve` prepares before binding a socket: the keyring, the
//! inbound TLS config, every partner's policy and client. Any failure stops
//! the start; development keys and certificates are the one thing created
//! when missing, with a loud warning.

use std::sync::Arc;

use rustls::{RootCertStore, ServerConfig};

use super::upstream::Target;
use super::{Generation, PartnerRuntime, route::Router};
use crate::config::{Config, Scheme, Upstream};
use crate::diag::Diagnostics;
use crate::protect::{Keyring, KeyringError};
use crate::rules::Policy;
use crate::tls::{self, TlsError};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Rules(Diagnostics),
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// Loads the keyring, or writes a fresh development one when the file does
/// not exist (never when it exists but does not load: that is an error).
pub fn ensure_keyring(config: &Config) -> Result<Keyring, StartError> {
    if config.keys.exists() {
        return Ok(Keyring::load(&config.keys)?);
    }
    let keyring = Keyring::generate();
    keyring.save(&config.keys)?;
    tracing::warn!(
        path = %config.keys.display(),
        "NO KEYRING FOUND: generated a new development keyring. Values encrypted with it \
         cannot be decrypted with any other key. Do not use generated keys in production."
    );
    Ok(keyring)
}

/// The inbound TLS config, generating a development certificate first when
/// the config asked for one.
pub fn server_tls(config: &Config) -> Result<Option<Arc<ServerConfig>>, StartError> {
    let Some(t) = &config.tls else {
        return Ok(None);
    };
    if t.generate_dev_cert && !t.cert.exists() && !t.key.exists() {
        tls::generate_dev_cert(&t.cert, &t.key)?;
        tracing::warn!(
            cert = %t.cert.display(),
            "NO TLS CERTIFICATE FOUND: generated a self-signed development certificate for \
             localhost. Clients must trust it explicitly. Do not use it in production."
        );
    }
    Ok(Some(Arc::new(tls::server_config(
        &t.cert,
        &t.key,
        t.client_ca.as_deref(),
    )?)))
}

/// Compiles every partner's policy (all rules errors reported together) and
/// builds every partner's client.
pub fn generation(config: &Config, keyring: &Keyring) -> Result<Generation, StartError> {
    let needs_roots = config.partners.iter().any(|p| {
        matches!(
            p.upstream,
            Upstream::Http {
                scheme: Scheme::Https,
                ..
            }
        )
    });
    // Reading the system store once serves every partner.
    let roots = if needs_roots {
        tls::system_roots()
    } else {
        RootCertStore::empty()
    };
    let mut problems = Vec::new();
    let mut partners = Vec::new();
    for partner in &config.partners {
        let policy = Policy::load(
            &partner.rules,
            &partner.id,
            keyring,
            config.limits.max_depth,
        );
        match policy {
            Ok(policy) => {
                let target = Target::new(partner, &roots, config.limits.upstream_connect_timeout)?;
                partners.push(PartnerRuntime {
                    config: partner.clone(),
                    policy: Arc::new(policy),
                    target,
                });
            }
            Err(d) => problems.extend(d.0),
        }
    }
    if !problems.is_empty() {
        return Err(StartError::Rules(Diagnostics(problems)));
    }
    Ok(Generation {
        router: Router::new(config.partners.iter().map(|p| p.route.as_str())),
        partners,
        limits: config.limits,
    })
}
