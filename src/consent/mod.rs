//! Consent: each subject's decisions about each partner and scenario, where
//! they are kept (one process's journal, or a PostgreSQL database every
//! replica shares), and the copy in memory every request reads.
//!
//! Owns the decisions (`grant`, `revoke`, `restore` per subject × partner ×
//! scenario, where a missing partner or scenario means "all"; `erase` per
//! subject, which blocks every partner for good), the lookup the proxy makes
//! on every request ([`cache`]), the append-only journal ([`journal`])
//! replayed when the store opens, and the database store ([`postgres`]):
//! decisions written in a transaction, followed with `LISTEN/NOTIFY`,
//! resynced in full after every reconnect. Subjects are kept only as the
//! keyed HMAC the audit log uses (`hmac:…`), so an investigator can
//! correlate the two; a raw subject is hashed on the way in and never
//! stored, logged or returned.
//!
//! Knows nothing of HTTP: the admin listener's consent endpoints
//! (`admin::consent`) turn admin requests into calls here, and the proxy
//! turns a refused [`decide`] into a 403, and an unavailable store
//! ([`Availability`]) into a 503.
//!
//! Fails closed: a decision is applied in memory only after it is durable
//! (journal line fsynced, or database transaction committed); a journal
//! that cannot be written refuses every later decision until restart; a
//! journal line that cannot be read (other than a torn last line, which was
//! never acknowledged) stops the store from opening. A database store that
//! has not completed its first full sync has no decisions, and says so.
//!
//! Among the decisions that cover a (partner, scenario), the most recent
//! wins: `revoke {partner: p}` then `restore {partner: p, scenario: loan}`
//! leaves only `loan` allowed.

mod cache;
pub mod exports;
pub mod journal;
mod key;
pub mod postgres;
mod scopes;
mod store;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::audit::{Consent, SubjectHash};
use crate::rules::ConsentMode;
pub use cache::Availability;
pub use key::{PrehashedHasher, PrehashedMap, SubjectKey};
pub use scopes::Scopes;
pub use store::ConsentStore;

/// Everything the consent store can fail with. No message repeats a subject.
#[derive(Debug, thiserror::Error)]
pub enum ConsentError {
    #[error("consent journal {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// A complete journal line that cannot be read: decisions after it
    /// cannot be trusted, so the store does not open.
    #[error(
        "consent journal {path}:{line}: {message} (the journal is append-only: restore it from a \
         backup or fix the line by hand; the proxy will not start without every decision)"
    )]
    Corrupt {
        path: std::path::PathBuf,
        line: u64,
        message: String,
    },
    /// The journal or the database could not take a decision; nothing changed.
    #[error("the consent store is unavailable: {0}")]
    Unavailable(String),
    /// The decision itself is malformed (scope, names).
    #[error("{0}")]
    Invalid(String),
    /// Another process holds the journal.
    #[error("{0}")]
    Locked(crate::lockfile::LockError),
    /// The subject was erased; its decisions can no longer change.
    #[error("the subject was erased: its decisions are final")]
    Erased,
}

/// What a subject said about sharing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// An explicit authorization (what `consent: required` partners need).
    Grant,
    /// Authorization withdrawn.
    Revoke,
    /// Authorization given again after a revocation (same effect as grant).
    Restore,
    /// The account was deleted: nothing about the subject leaves, ever.
    Erase,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Grant => "grant",
            Op::Revoke => "revoke",
            Op::Restore => "restore",
            Op::Erase => "erase",
        }
    }

    fn grants(self) -> bool {
        matches!(self, Op::Grant | Op::Restore)
    }
}

/// What the store says about one (subject, partner, scenario).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No decision covers it.
    NoDecision,
    /// Granted separately (单独同意, PIPL Art. 23 and 29): what a partner
    /// whose rules ask for separate consent needs.
    GrantedSeparately,
    Granted,
    Revoked,
    Erased,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NoDecision => "no_decision",
            Verdict::GrantedSeparately => "granted_separately",
            Verdict::Granted => "granted",
            Verdict::Revoked => "revoked",
            Verdict::Erased => "erased",
        }
    }
}

/// How strict a verdict is: when a subject's decisions may be recorded
/// under several spellings, the strictest one holds (a plain grant under
/// one spelling is stricter than a separate one under another: it does
/// not satisfy a separate-consent partner).
pub fn strictness(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::NoDecision => 0,
        Verdict::GrantedSeparately => 1,
        Verdict::Granted => 2,
        Verdict::Revoked => 3,
        Verdict::Erased => 4,
    }
}

/// Why a share was refused on consent grounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The subject revoked consent for this partner and scenario.
    Revoked,
    /// The subject's account was erased.
    Erased,
    /// `consent: required` and no grant is on record.
    NotGranted,
    /// `consent: required` and the request names no subject.
    NoSubject,
    /// The share needs a separate grant and none is in force.
    NotSeparate,
}

/// The consent rule of one share: `verdict` is `None` when the request has
/// no subject; `separate` when the share needs a separate grant (which
/// then takes a subject, as `consent: required` does). Returns what the
/// share record says about consent.
pub fn decide(
    verdict: Option<Verdict>,
    mode: ConsentMode,
    separate: bool,
) -> Result<Consent, Refused> {
    match (verdict, mode) {
        (Some(Verdict::Erased), _) => Err(Refused::Erased),
        (Some(Verdict::Revoked), _) => Err(Refused::Revoked),
        (Some(Verdict::GrantedSeparately), _) => Ok(Consent::Granted),
        (Some(_) | None, _) if separate => Err(Refused::NotSeparate),
        (Some(Verdict::Granted), _) => Ok(Consent::Granted),
        (Some(Verdict::NoDecision), ConsentMode::Revocable) => Ok(Consent::Granted),
        (Some(Verdict::NoDecision), ConsentMode::Required) => Err(Refused::NotGranted),
        (None, ConsentMode::Revocable) => Ok(Consent::NoSubject),
        (None, ConsentMode::Required) => Err(Refused::NoSubject),
    }
}

/// One decision as the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub op: Op,
    /// `None`: every partner.
    pub partner: Option<Arc<str>>,
    /// `None`: every scenario of the partner(s).
    pub scenario: Option<Arc<str>>,
    /// Journal sequence number: later decisions win.
    pub seq: u64,
    /// A grant given separately (PIPL's 单独同意).
    pub separate: bool,
    /// When it was recorded, RFC 3339.
    pub ts: Arc<str>,
}

impl Decision {
    fn covers(&self, partner: &str, scenario: &str) -> bool {
        self.partner.as_deref().is_none_or(|p| p == partner)
            && self.scenario.as_deref().is_none_or(|s| s == scenario)
    }
}

/// The scope of a decision: `None` means "all"; and, for a grant or a
/// restore, whether it is given separately (单独同意), which travels with
/// the scope through every store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub partner: Option<String>,
    pub scenario: Option<String>,
    pub separate: bool,
}

/// Everything the store holds about one subject, for support.
#[derive(Clone, Debug)]
pub struct SubjectView {
    pub subject: SubjectHash,
    pub erased: Option<Decision>,
    pub decisions: Vec<Decision>,
}

/// The outcome of [`ConsentStore::record`].
#[derive(Clone, Debug)]
pub struct Recorded {
    pub decision: Decision,
    /// False when nothing changed (erasing an erased subject); no journal
    /// line was written then.
    pub changed: bool,
}

fn check_scope(op: Op, scope: &Scope) -> Result<(), ConsentError> {
    let invalid = |m: &str| Err(ConsentError::Invalid(m.to_owned()));
    if op == Op::Erase && (scope.partner.is_some() || scope.scenario.is_some()) {
        return invalid("erase applies to the subject as a whole: give no partner or scenario");
    }
    if scope.separate && !op.grants() {
        return invalid("`separate` marks a grant or a restore");
    }
    if scope.scenario.is_some() && scope.partner.is_none() {
        return invalid("a scenario belongs to a partner: give the partner too");
    }
    for name in [&scope.partner, &scope.scenario].into_iter().flatten() {
        if !valid_name(name) {
            return invalid(
                "partner and scenario names follow the identifier rule: 1-128 bytes of letters, \
                 digits and `_ - . :`, starting with a letter or digit, with no run of 6 or more \
                 digits",
            );
        }
    }
    Ok(())
}

/// A partner id or scenario name: the one identifier rule the config,
/// audit records and metrics share.
pub fn valid_name(name: &str) -> bool {
    crate::ident::check(name).is_ok()
}
