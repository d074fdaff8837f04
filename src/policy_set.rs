//! Every partner's compiled policy, built from a checked config and a
//! keyring: what `serve`, `check`, `mask` and `decrypt` all start from.
//!
//! Owns the load-time wiring of config → rules files → `Policy` (with the
//! cross-border check of [`crate::cross_border`]), and the
//! development keyring that is created (loudly) when none exists. Knows
//! nothing of HTTP. Fails closed: one broken rules file fails the whole set.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::protect::Keyring;
use crate::rules::Policy;

/// Compiled policies by partner id, and the candidate policies of the
/// partners that name `candidate_rules`.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    by_partner: HashMap<String, Arc<Policy>>,
    candidates: HashMap<String, Arc<Policy>>,
}

impl PolicySet {
    /// Compiles every partner's rules and candidate rules; all problems of
    /// all files are reported.
    pub fn compile(config: &Config, keyring: &Keyring) -> Result<PolicySet, Diagnostics> {
        let mut set = PolicySet::default();
        let mut problems = Vec::new();
        let max_depth = config.limits.max_depth;
        for partner in &config.partners {
            match Policy::load(&partner.rules, &partner.id, keyring, max_depth) {
                Ok(policy) => {
                    problems.extend(crate::cross_border::problems(config, partner, &policy));
                    set.by_partner
                        .insert(partner.id.to_string(), Arc::new(policy));
                }
                Err(errors) => problems.extend(errors.0),
            }
            let Some(candidate) = &partner.candidate_rules else {
                continue;
            };
            match Policy::load(candidate, &partner.id, keyring, max_depth) {
                Ok(policy) => {
                    set.candidates
                        .insert(partner.id.to_string(), Arc::new(policy));
                }
                Err(errors) => problems.extend(errors.0),
            }
        }
        if problems.is_empty() {
            Ok(set)
        } else {
            Err(Diagnostics(problems))
        }
    }

    pub fn get(&self, partner: &str) -> Option<&Arc<Policy>> {
        self.by_partner.get(partner)
    }

    /// The partner's candidate policy, when it names `candidate_rules`.
    pub fn candidate(&self, partner: &str) -> Option<&Arc<Policy>> {
        self.candidates.get(partner)
    }
}

/// Loads the keyring at `path`, or — when there is none — creates a
/// development keyring there and says so loudly on stderr. Returns whether
/// it was created.
pub fn load_or_create_keyring(path: &Path) -> Result<(Keyring, bool), Diagnostics> {
    if path.exists() {
        return Keyring::load(path)
            .map(|k| (k, false))
            .map_err(|e| one(path, e.to_string()));
    }
    let keyring = Keyring::generate();
    keyring.save(path).map_err(|e| one(path, e.to_string()))?;
    eprintln!(
        "WARNING: no keyring at {}; created a new DEVELOPMENT keyring there (mode 0600).\n\
         WARNING: values encrypted, tokenized or hashed with it are only as safe as that file.\n\
         WARNING: in production, create and guard the keyring with `pii-proxy keygen`.",
        path.display()
    );
    Ok((keyring, true))
}

/// Loads the keyring if it exists; otherwise a throwaway one, so `check`
/// can validate rules without creating files.
pub fn load_keyring_for_check(path: &Path) -> Result<Keyring, Diagnostics> {
    if path.exists() {
        Keyring::load(path).map_err(|e| one(path, e.to_string()))
    } else {
        Ok(Keyring::generate())
    }
}

fn one(path: &Path, message: String) -> Diagnostics {
    Diagnostics(vec![Diagnostic::whole_file(path, message)])
}
