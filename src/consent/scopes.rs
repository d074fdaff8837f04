//! The partners and scenarios of the config serving now, for the admin
//! API's warnings and its `effective` verdicts.

use std::collections::HashMap;

use super::Scope;

/// The partners and scenarios the current config routes to, so the admin
/// API can warn about a decision that names neither (a typo would
/// otherwise be recorded silently and never match).
#[derive(Debug, Clone, Default)]
pub struct Scopes {
    by_partner: HashMap<String, Vec<String>>,
}

impl Scopes {
    pub fn new(partners: impl IntoIterator<Item = (String, Vec<String>)>) -> Scopes {
        Scopes {
            by_partner: partners.into_iter().collect(),
        }
    }

    pub fn from_config(config: &crate::config::Config) -> Scopes {
        Scopes::new(config.partners.iter().map(|p| {
            let scenarios = p.routes.iter().map(|r| r.scenario.to_string()).collect();
            (p.id.to_string(), scenarios)
        }))
    }

    /// Every configured (partner, scenario), sorted.
    pub fn all(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = self
            .by_partner
            .iter()
            .flat_map(|(p, ss)| ss.iter().map(move |s| (p.as_str(), s.as_str())))
            .collect();
        out.sort_unstable();
        out
    }

    /// A warning when `scope` names a partner or scenario not configured.
    pub fn warning(&self, scope: &Scope) -> Option<String> {
        let partner = scope.partner.as_deref()?;
        let Some(scenarios) = self.by_partner.get(partner) else {
            return Some(format!(
                "partner `{partner}` is not in the current config; the decision is recorded and \
                 applies if it is added"
            ));
        };
        let scenario = scope.scenario.as_deref()?;
        (!scenarios.iter().any(|s| s == scenario)).then(|| {
            format!(
                "partner `{partner}` has no scenario `{scenario}` in the current config; the \
                 decision is recorded and applies if it is added"
            )
        })
    }
}
