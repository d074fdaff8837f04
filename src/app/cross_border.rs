//! The cross-border rule: what a partner whose `region` differs from the
//! config's `home_region` needs before anything is shared with it.
//!
//! Owns the load-time check of a cross-border partner's compiled rules
//! against the config (the `http://` upstream refusal is the config
//! module's, since it needs no rules). Knows nothing of HTTP or payloads.
//! Fails closed: `check` and `serve` both run it through
//! [`super::generation::Generation::build`], and any problem stops them,
//! each reported as `FILE:LINE:COL: message` at the rules line to change or,
//! for something missing from the rules, at the partner's `region:` line.
//!
//! A cross-border partner's rules must (and only a cross-border
//! partner's may declare `export:`, counted against the tiers):
//! - declare `consent: required` (an explicit grant per subject);
//! - protect every rule of category `id_number`, `bank_card` or `biometric`
//!   (field, key, header, query or detector): `encrypt`, `tokenize`,
//!   `hash` (keyed HMAC: irreversible without the proxy's key), `redact`,
//!   `drop`, or a `mask` that hides at least half of the shortest such value
//!   (keeps at most 7 characters of an ID number, 6 of a card number, none
//!   of a biometric); `allow` is refused;
//! - when any value can leave without a field rule protecting it
//!   (`unknown_fields: allow`, or a field rule whose action is `allow`, which
//!   forwards the value for the detectors to look inside), run the
//!   `cn_resident_id`, `bank_card` and `biometric` detectors with a
//!   protecting action;
//! - under a compliance `profile:`, declare `export: {basis: …}`.

use std::path::Path;

use serde_saphyr::Location;

use crate::config::{Config, Partner};
use crate::detect::BuiltinDetector;
use crate::diag::Diagnostic;
use crate::rules::{Action, ConsentMode, Policy, SiteKind, UnknownFields};

/// Categories that never cross a border unprotected.
pub const SENSITIVE_CATEGORIES: &[&str] = &["id_number", "bank_card", "biometric"];

/// Detectors a cross-border partner's rules must run when values can leave
/// without a protecting field rule.
pub const REQUIRED_DETECTORS: &[BuiltinDetector] = &[
    BuiltinDetector::CnResidentId,
    BuiltinDetector::BankCard,
    BuiltinDetector::Biometric,
];

/// Most characters a cross-border `mask` may keep of a value of `category`:
/// half of its shortest form (15-digit legacy ID, 13-digit card), rounded
/// down; nothing of a biometric.
fn mask_keep_limit(category: &str) -> usize {
    match category {
        "id_number" => 7,
        "bank_card" => 6,
        _ => 0,
    }
}

/// Why `action` leaves a `category` value unprotected, if it does.
fn weakness(action: &Action, category: &str) -> Option<String> {
    match action {
        Action::Allow => Some("`allow` forwards the value as is".to_owned()),
        Action::Mask {
            keep_first,
            keep_last,
            ..
        } => {
            let kept = keep_first + keep_last;
            let limit = mask_keep_limit(category);
            (kept > limit).then(|| {
                format!(
                    "this mask keeps {kept} characters; across a border at most {limit} may be kept"
                )
            })
        }
        Action::Redact { .. }
        | Action::Drop
        | Action::Hash
        | Action::Encrypt
        | Action::Tokenize { .. } => None,
    }
}

/// Every cross-border problem of `partner`'s compiled `policy`; empty for a
/// partner that is not cross-border.
pub fn problems(config: &Config, partner: &Partner, policy: &Policy) -> Vec<Diagnostic> {
    if !partner.cross_border {
        return export_not_abroad(config, partner, policy);
    }
    let found = Found::new(config, partner);
    let mut out = Vec::new();
    out.extend(found.consent_not_required(policy));
    out.extend(found.weak_sites(policy));
    out.extend(found.export_missing(policy));
    out.extend(found.detectors_missing(policy));
    out
}

/// `export:` on a partner that is not cross-border: volumes are counted
/// for transfers abroad only.
fn export_not_abroad(config: &Config, partner: &Partner, policy: &Policy) -> Vec<Diagnostic> {
    policy
        .export
        .iter()
        .map(|export| {
            let message = format!(
                "`export:` counts transfers abroad, and partner `{}` is not cross-border \
                 (give it a `region` other than the home region {}, or remove `export:`)",
                partner.id, config.home_region
            );
            Diagnostic::at(&partner.rules, &export.at, message)
        })
        .collect()
}

/// Where a cross-border partner's problems are reported, and the words
/// that say why it is one.
struct Found<'a> {
    config: &'a Config,
    rules_file: &'a Path,
    region_at: Location,
    who: String,
}

impl<'a> Found<'a> {
    fn new(config: &'a Config, partner: &'a Partner) -> Found<'a> {
        let who = format!(
            "partner `{}` is cross-border (region {}, home region {})",
            partner.id,
            partner.region.as_deref().unwrap_or_default(),
            config.home_region
        );
        Found {
            config,
            rules_file: partner.rules.as_path(),
            region_at: partner.region_at.unwrap_or(Location::UNKNOWN),
            who,
        }
    }

    /// Something missing from the rules: at the partner's `region:` line.
    fn in_config(&self, message: String) -> Diagnostic {
        Diagnostic::at(&self.config.source, &self.region_at, message)
    }

    fn in_rules(&self, at: &Location, message: String) -> Diagnostic {
        Diagnostic::at(self.rules_file, at, message)
    }

    fn consent_not_required(&self, policy: &Policy) -> Option<Diagnostic> {
        if policy.consent == ConsentMode::Required {
            return None;
        }
        let message = format!("{}: its rules must declare `consent: required`", self.who);
        Some(match &policy.consent_at {
            Some(at) => self.in_rules(at, message),
            None => self.in_config(format!("{message} (in {})", shown(self.rules_file))),
        })
    }

    /// Every rule of a sensitive category whose action leaves it readable.
    fn weak_sites(&self, policy: &Policy) -> Vec<Diagnostic> {
        let sensitive = policy
            .sites
            .iter()
            .filter(|site| SENSITIVE_CATEGORIES.contains(&&*site.category));
        sensitive
            .filter_map(|site| {
                let why = weakness(&site.action, &site.category)?;
                Some(self.in_rules(
                    &site.at,
                    format!(
                        "{}: `{}` values must be protected (encrypt, tokenize, hash, redact, drop \
                         or a short mask); {why}",
                        self.who, site.category
                    ),
                ))
            })
            .collect()
    }

    fn export_missing(&self, policy: &Policy) -> Option<Diagnostic> {
        (policy.profile.is_some() && policy.export.is_none()).then(|| {
            self.in_config(format!(
                "{} and its rules take a compliance profile: {} needs `export: {{basis: …}}` \
                 (none, standard_contract, certification or security_assessment), so its yearly \
                 volume is counted against the 2024 Provisions' tiers",
                self.who,
                shown(self.rules_file)
            ))
        })
    }

    /// The required detectors a policy lacks (with a protecting action),
    /// when values can leave without a field rule protecting them.
    fn detectors_missing(&self, policy: &Policy) -> Vec<Diagnostic> {
        let values_leave_unnamed = policy.unknown_fields == UnknownFields::Allow
            || policy.sites.iter().any(|s| {
                matches!(s.kind, SiteKind::Path | SiteKind::Keys) && s.action == Action::Allow
            });
        if !values_leave_unnamed {
            return Vec::new();
        }
        let protected = |detector: &BuiltinDetector| {
            policy.sites.iter().any(|s| {
                s.kind == SiteKind::Detector(*detector)
                    && weakness(&s.action, &s.category).is_none()
            })
        };
        REQUIRED_DETECTORS
            .iter()
            .filter(|detector| !protected(detector))
            .map(|detector| {
                self.in_config(format!(
                    "{} and its rules let values leave without a field rule (`unknown_fields: \
                     allow` or an `allow` field): {} needs `detect: [{{detector: {}, action: \
                     encrypt}}]` (or another protecting action)",
                    self.who,
                    shown(self.rules_file),
                    detector.name()
                ))
            })
            .collect()
    }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_actions_are_named() {
        let mask = |keep_first, keep_last| Action::Mask {
            keep_first,
            keep_last,
            mask_char: '*',
        };
        assert!(weakness(&Action::Allow, "id_number").is_some());
        assert!(weakness(&mask(6, 4), "bank_card").is_some());
        assert!(weakness(&mask(0, 4), "bank_card").is_none());
        assert!(weakness(&mask(3, 4), "id_number").is_none());
        assert!(weakness(&mask(1, 0), "biometric").is_some());
        for strong in [
            Action::Drop,
            Action::Hash,
            Action::Encrypt,
            Action::Tokenize { keep_last: 4 },
            Action::Redact { text: "x".into() },
        ] {
            assert!(weakness(&strong, "id_number").is_none(), "{strong:?}");
        }
    }
}
