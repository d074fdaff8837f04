//! What one config generation serves with, and what a configured partner
//! is once compiled: its config, its policy and candidate policy (checked
//! against the cross-border rule), the version audit records name, and its
//! client. One `Vec` in config order; routes point into it by index.
//!
//! Built whole by [`Generation::build`] (start-up, reload, `check`, `mask`,
//! `decrypt` all use it) with every problem of every file reported at once,
//! or not at all.

use std::sync::Arc;

use rustls::RootCertStore;

use super::cross_border;
use super::routes::Router;
use crate::audit::RulesVersion;
use crate::config::{self, Config, Limits, Scheme, Upstream};
use crate::consent::Scopes;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ident::Ident;
use crate::net::client::Target;
use crate::net::tls;
use crate::protect::Keyring;
use crate::rules::Policy;

/// Everything one config generation serves with. Requests hold an `Arc` to
/// the generation they started on, so a reload never changes a request
/// midway.
pub struct Generation {
    pub router: Router,
    pub partners: Vec<Partner>,
    pub limits: Limits,
    /// The router's entry `i` (a partner's route or one of its `routes`)
    /// → the partner and scenario it serves.
    pub route_targets: Vec<RouteTarget>,
    /// Configured partners and scenarios, for the consent endpoints'
    /// warnings and lookups.
    pub consent_scopes: Scopes,
    /// The host partners are told the request was for (`public_host`).
    pub public_host: Option<http::uri::Authority>,
}

/// What one route leads to.
#[derive(Debug, Clone)]
pub struct RouteTarget {
    /// Index into [`Generation::partners`].
    pub partner: usize,
    /// The scenario (purpose) consent is decided for.
    pub scenario: Ident,
}

/// One configured partner, compiled and ready to serve.
pub struct Partner {
    pub config: config::Partner,
    pub policy: Arc<Policy>,
    /// The policy's version as audit records carry it.
    pub rules_version: RulesVersion,
    /// The partner's `candidate_rules`, run in shadow on every request.
    pub candidate: Option<Candidate>,
    /// Where its requests go.
    pub target: Target,
    /// The partner's own credential the proxy adds (marked sensitive, so
    /// no debug output shows it).
    pub upstream_auth: Option<(http::HeaderName, http::HeaderValue)>,
}

/// A candidate policy and its version as audit records carry it.
pub struct Candidate {
    pub policy: Arc<Policy>,
    pub rules_version: RulesVersion,
}

impl Generation {
    /// Compiles every partner's rules and candidate rules (each checked
    /// against the cross-border rule) and builds every partner's client.
    /// Blocking file I/O and CPU work: start-up, reload and the commands
    /// all run it. Every problem of every file is reported.
    pub fn build(config: &Config, keyring: &Keyring) -> Result<Generation, Diagnostics> {
        let roots = system_roots_if_needed(config);
        let mut partners = Vec::new();
        let mut problems = Vec::new();
        for partner in &config.partners {
            match Partner::build(config, partner, keyring, &roots) {
                Ok(built) => partners.push(built),
                Err(found) => problems.extend(found),
            }
        }
        if !problems.is_empty() {
            return Err(Diagnostics(problems));
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
                    scenario: route.scenario.clone(),
                });
            }
        }
        Ok(Generation {
            router: Router::new(paths),
            partners,
            limits: config.limits,
            route_targets,
            consent_scopes: Scopes::from_config(config),
            public_host: config.public_host.clone(),
        })
    }

    /// The partner with this id.
    pub fn partner(&self, id: &str) -> Option<&Partner> {
        self.partners.iter().find(|p| p.config.id == id)
    }
}

impl Partner {
    fn build(
        config: &Config,
        partner: &config::Partner,
        keyring: &Keyring,
        roots: &RootCertStore,
    ) -> Result<Partner, Vec<Diagnostic>> {
        let max_depth = config.limits.max_depth;
        let mut problems = Vec::new();
        let policy = match Policy::load(&partner.rules, &partner.id, keyring, max_depth) {
            Ok(policy) => {
                problems.extend(cross_border::problems(config, partner, &policy));
                Some(policy)
            }
            Err(errors) => {
                problems.extend(errors.0);
                None
            }
        };
        let candidate = match &partner.candidate_rules {
            Some(file) => match Policy::load(file, &partner.id, keyring, max_depth) {
                Ok(policy) => Some(policy),
                Err(errors) => {
                    problems.extend(errors.0);
                    None
                }
            },
            None => None,
        };
        let target = Target::new(partner, roots, config.limits.upstream_connect_timeout)
            .map_err(|e| {
                let message = format!("partner `{}`: {e}", partner.id);
                problems.push(Diagnostic::whole_file(&config.source, message));
            })
            .ok();
        let upstream_auth = match &partner.upstream_auth {
            Some((header, file)) => match credential(file) {
                Ok(value) => Some((header.clone(), value)),
                Err(message) => {
                    problems.push(Diagnostic::whole_file(file, message));
                    None
                }
            },
            None => None,
        };
        let (Some(policy), Some(target), true) = (policy, target, problems.is_empty()) else {
            return Err(problems);
        };
        Ok(Partner {
            config: partner.clone(),
            rules_version: policy.version.clone(),
            candidate: candidate.map(|policy| Candidate {
                rules_version: policy.version.clone(),
                policy: Arc::new(policy),
            }),
            policy: Arc::new(policy),
            target,
            upstream_auth,
        })
    }
}

/// A credential file's one line as a header value. The error never quotes
/// the file: it holds a secret.
fn credential(file: &std::path::Path) -> Result<http::HeaderValue, String> {
    crate::secret_file::check(file, "the credential file")?;
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(file).map_err(|e| format!("cannot read the credential: {e}"))?,
    );
    let line = text.trim_end_matches(['\r', '\n']);
    if line.is_empty() || line.contains(['\r', '\n']) {
        return Err("the credential file must hold one non-empty line".into());
    }
    let mut value = http::HeaderValue::from_str(line)
        .map_err(|_| "the credential is not a valid header value".to_owned())?;
    value.set_sensitive(true);
    Ok(value)
}

/// The system's trusted roots when some partner is reached over HTTPS
/// (read once for every partner), else none.
fn system_roots_if_needed(config: &Config) -> RootCertStore {
    let needs_roots = config.partners.iter().any(|p| {
        matches!(
            p.upstream,
            Upstream::Http {
                scheme: Scheme::Https,
                ..
            }
        )
    });
    if needs_roots {
        tls::system_roots()
    } else {
        RootCertStore::empty()
    }
}
