//! Everything `serve` prepares before binding a socket: the keyring, the
//! inbound TLS config, every partner's policy and client. Any failure stops
//! the start; development keys and certificates are the one thing created
//! when missing, with a loud warning.

use std::sync::Arc;

use rustls::{RootCertStore, ServerConfig};

use super::upstream::Target;
use super::{Candidate, Generation, PartnerRuntime, RouteTarget, route::Router};
use crate::audit::{RulesVersion, SubjectHasher};
use crate::config::{Config, Scheme, Upstream};
use crate::consent::{ConsentError, ConsentStore, Scopes};
use crate::diag::Diagnostics;
use crate::policy_set::{self, PolicySet};
use crate::protect::Keyring;
use crate::tls::{self, TlsError};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the audit log cannot be opened: {0}")]
    Audit(#[from] crate::audit::AuditError),
    /// Rules files or the keyring, as positioned diagnostics.
    #[error("{0}")]
    Rules(Diagnostics),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("the consent store cannot be opened: {0}")]
    Consent(#[from] ConsentError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// Loads the keyring, or writes a fresh development one (loudly) when the
/// file does not exist; one that exists but does not load is an error.
pub fn ensure_keyring(config: &Config) -> Result<Keyring, StartError> {
    policy_set::load_or_create_keyring(&config.keys)
        .map(|(keyring, _created)| keyring)
        .map_err(StartError::Rules)
}

/// Opens the consent journal and replays it; subjects are hashed with the
/// audit log's `subjects` hasher.
pub fn consent_store(
    config: &Config,
    subjects: &SubjectHasher,
) -> Result<Arc<ConsentStore>, StartError> {
    Ok(Arc::new(ConsentStore::open(
        &config.consent.journal,
        subjects.clone(),
    )?))
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

/// Compiles every partner's policy and candidate policy (all rules errors
/// reported together) and builds every partner's client. What both start
/// and reload run: blocking file I/O and CPU work.
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
    let policies = PolicySet::compile(config, keyring).map_err(StartError::Rules)?;
    let mut partners = Vec::new();
    for partner in &config.partners {
        let policy = policies
            .get(&partner.id)
            .expect("the policy set compiles every configured partner")
            .clone();
        let audit_label = partner.id.clone();
        let rules_version = RulesVersion::parse(&policy.version)?;
        let candidate = match policies.candidate(&partner.id) {
            Some(policy) => Some(Candidate {
                rules_version: RulesVersion::parse(&policy.version)?,
                policy: policy.clone(),
            }),
            None => None,
        };
        partners.push(PartnerRuntime {
            config: partner.clone(),
            audit_label,
            rules_version,
            candidate,
            policy,
            target: Target::new(partner, &roots, config.limits.upstream_connect_timeout)?,
        });
    }
    // One router entry per route of every partner; `route_targets[i]`
    // says which partner and scenario entry `i` is.
    let mut paths = Vec::new();
    let mut route_targets = Vec::new();
    for (index, partner) in config.partners.iter().enumerate() {
        for route in &partner.routes {
            paths.push(route.path.as_str());
            route_targets.push(RouteTarget {
                partner: index,
                scenario: Arc::from(route.scenario.as_str()),
            });
        }
    }
    Ok(Generation {
        router: Router::new(paths),
        partners,
        limits: config.limits,
        route_targets,
        consent_scopes: Scopes::from_config(config),
    })
}
