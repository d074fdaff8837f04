//! Consent: each subject's decisions about each partner and scenario, and
//! the journal on disk that keeps them across restarts.
//!
//! Owns the decisions (`grant`, `revoke`, `restore` per subject × partner ×
//! scenario, where a missing partner or scenario means "all"; `erase` per
//! subject, which blocks every partner for good), the lookup the proxy makes
//! on every request, and the append-only journal ([`journal`]) replayed when
//! the store opens. Subjects are kept only as the keyed HMAC the audit log
//! uses (`hmac:…`), so an investigator can correlate the two; a raw subject
//! is hashed on the way in and never stored, logged or returned.
//!
//! Knows nothing of HTTP: the admin listener's consent endpoints
//! (`admin::consent`) turn admin requests into calls
//! here, and the proxy turns a refused [`decide`] into a 403.
//!
//! Fails closed: a decision is applied in memory only after its journal
//! line is written and fsynced; a journal that cannot be written refuses
//! every later decision until restart; a journal line that cannot be read
//! (other than a torn last line, which was never acknowledged) stops the
//! store from opening.
//!
//! Among the decisions that cover a (partner, scenario), the most recent
//! wins: `revoke {partner: p}` then `restore {partner: p, scenario: loan}`
//! leaves only `loan` allowed.

pub mod journal;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use dashmap::DashMap;
use serde::{Deserialize, Serialize};

use crate::audit::{Consent, Digest, SubjectHash, SubjectHasher};
use crate::rules::ConsentMode;
use journal::{Entry, Journal};

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
    /// The journal could not take a decision; nothing changed.
    #[error("the consent journal is unavailable: {0}")]
    Unavailable(String),
    /// The decision itself is malformed (scope, names).
    #[error("{0}")]
    Invalid(String),
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
    Granted,
    Revoked,
    Erased,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NoDecision => "no_decision",
            Verdict::Granted => "granted",
            Verdict::Revoked => "revoked",
            Verdict::Erased => "erased",
        }
    }
}

/// How strict a verdict is: when a subject's decisions may be recorded
/// under several spellings, the strictest one holds.
pub fn strictness(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::NoDecision => 0,
        Verdict::Granted => 1,
        Verdict::Revoked => 2,
        Verdict::Erased => 3,
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
}

/// The consent rule of one share: `verdict` is `None` when the request has
/// no subject. Returns what the share record says about consent.
pub fn decide(verdict: Option<Verdict>, mode: ConsentMode) -> Result<Consent, Refused> {
    match (verdict, mode) {
        (Some(Verdict::Erased), _) => Err(Refused::Erased),
        (Some(Verdict::Revoked), _) => Err(Refused::Revoked),
        (Some(Verdict::Granted), _) => Ok(Consent::Granted),
        (Some(Verdict::NoDecision), ConsentMode::Revocable) => Ok(Consent::Granted),
        (Some(Verdict::NoDecision), ConsentMode::Required) => Err(Refused::NotGranted),
        (None, ConsentMode::Revocable) => Ok(Consent::NoSubject),
        (None, ConsentMode::Required) => Err(Refused::NoSubject),
    }
}

/// A subject as the store keys it: the 32 bytes of its keyed HMAC.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SubjectKey([u8; 32]);

impl SubjectKey {
    /// From the HMAC bytes [`SubjectHasher::hash_with_digest`] returns (the
    /// hot path: no hex to parse).
    pub fn from_digest(digest: [u8; 32]) -> SubjectKey {
        SubjectKey(digest)
    }

    /// From the `hmac:<hex>` form (admin requests, journal replay).
    pub fn of(hash: &SubjectHash) -> SubjectKey {
        let hex = hash.as_str().strip_prefix("hmac:").unwrap_or_default();
        let digest = Digest::from_hex(hex.as_bytes())
            .expect("a SubjectHash is made or parsed as hmac:<64 lowercase hex>");
        SubjectKey(digest.0)
    }

    /// 64 bits of the HMAC: uniformly distributed and unpredictable without
    /// the subject key, so it serves directly as a hash-table hash.
    pub fn fingerprint(&self) -> u64 {
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.0[..8]);
        u64::from_le_bytes(word)
    }
}

impl std::fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SubjectKey({:016x}…)", self.fingerprint())
    }
}

impl Hash for SubjectKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.fingerprint());
    }
}

/// A hasher for keys that are already uniform (HMAC outputs): passes the
/// key's 64-bit fingerprint through. Keys are unpredictable to anyone
/// without the subject key, so flooding one bucket is not possible, and
/// SipHash over them would only cost time on every request.
#[derive(Default, Clone, Copy)]
pub struct PrehashedHasher(u64);

impl Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not reached for SubjectKey; kept correct (FNV-1a) for other keys.
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = word;
    }
}

pub type PrehashedMap<K, V> = DashMap<K, V, BuildHasherDefault<PrehashedHasher>>;

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
    /// When it was recorded, RFC 3339.
    pub ts: Arc<str>,
}

impl Decision {
    fn covers(&self, partner: &str, scenario: &str) -> bool {
        self.partner.as_deref().is_none_or(|p| p == partner)
            && self.scenario.as_deref().is_none_or(|s| s == scenario)
    }
}

/// The scope of a decision: `None` means "all".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub partner: Option<String>,
    pub scenario: Option<String>,
}

#[derive(Default)]
struct SubjectRecord {
    /// The erase decision, once there is one.
    erased: Option<Decision>,
    /// At most one per scope; an erased subject keeps none.
    decisions: Vec<Decision>,
}

impl SubjectRecord {
    /// The verdict and the journal seq of the decision that gave it.
    fn verdict(&self, partner: &str, scenario: &str) -> (Verdict, Option<u64>) {
        if let Some(erased) = &self.erased {
            return (Verdict::Erased, Some(erased.seq));
        }
        let latest = self
            .decisions
            .iter()
            .filter(|d| d.covers(partner, scenario))
            .max_by_key(|d| d.seq);
        match latest {
            None => (Verdict::NoDecision, None),
            Some(d) if d.op.grants() => (Verdict::Granted, Some(d.seq)),
            Some(d) => (Verdict::Revoked, Some(d.seq)),
        }
    }
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

/// The writer side: the journal and the interned partner and scenario
/// names, under one lock so memory applies decisions in journal order.
struct Writer {
    journal: Journal,
    names: HashSet<Arc<str>>,
}

/// Consent decisions by subject, shared by every worker: a decision
/// recorded here is seen by the very next lookup on any thread.
pub struct ConsentStore {
    hasher: SubjectHasher,
    subjects: PrehashedMap<SubjectKey, SubjectRecord>,
    writer: Mutex<Writer>,
    decisions_recorded: AtomicU64,
    erased_subjects: AtomicU64,
    journal_failures: AtomicU64,
    torn_bytes_at_open: u64,
}

impl std::fmt::Debug for ConsentStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsentStore")
            .field("subjects", &self.subjects())
            .field("decisions_recorded", &self.decisions_recorded())
            .finish_non_exhaustive()
    }
}

impl ConsentStore {
    /// Opens (creating it and its directory when missing) the journal at
    /// `path` and replays it. `hasher` is the audit log's subject hasher.
    /// Blocking I/O: call it at start-up.
    pub fn open(path: &Path, hasher: SubjectHasher) -> Result<ConsentStore, ConsentError> {
        let subjects: PrehashedMap<SubjectKey, SubjectRecord> = PrehashedMap::default();
        let mut names = HashSet::new();
        let mut replayed = 0u64;
        let mut erased = 0u64;
        let (journal, torn) = Journal::open(path, |entry| {
            let decision = to_decision(&entry, &mut names);
            if entry.op == Op::Erase {
                erased += 1;
            }
            apply(&subjects, SubjectKey::of(&entry.subject), decision);
            replayed += 1;
        })?;
        if torn > 0 {
            tracing::warn!(
                journal = %path.display(),
                torn_bytes = torn,
                "the consent journal ended in a torn line (a decision interrupted before it was \
                 acknowledged); it was cut off"
            );
        }
        tracing::info!(journal = %path.display(), decisions = replayed, "consent journal replayed");
        Ok(ConsentStore {
            hasher,
            subjects,
            writer: Mutex::new(Writer { journal, names }),
            decisions_recorded: AtomicU64::new(replayed),
            erased_subjects: AtomicU64::new(erased),
            journal_failures: AtomicU64::new(0),
            torn_bytes_at_open: torn,
        })
    }

    /// The keyed hash a raw subject id is stored and audited as.
    pub fn hash(&self, subject: &str) -> SubjectHash {
        self.hasher.hash(subject)
    }

    /// The hot-path lookup: one map probe (no allocation), then a scan of
    /// the few decisions of a subject that has any.
    pub fn lookup(&self, key: &SubjectKey, partner: &str, scenario: &str) -> Verdict {
        self.lookup_decision(key, partner, scenario).0
    }

    /// [`lookup`](Self::lookup) with the journal seq of the deciding
    /// grant, revoke, restore or erase (`None` when no decision covers it),
    /// which the share record names as the consent it relied on.
    pub fn lookup_decision(
        &self,
        key: &SubjectKey,
        partner: &str,
        scenario: &str,
    ) -> (Verdict, Option<u64>) {
        match self.subjects.get(key) {
            None => (Verdict::NoDecision, None),
            Some(record) => record.verdict(partner, scenario),
        }
    }

    /// Records one decision: journal line written and fsynced, then applied.
    /// `erase` takes no scope; a scenario needs a partner.
    pub fn record(
        &self,
        subject: &SubjectHash,
        op: Op,
        scope: &Scope,
    ) -> Result<Recorded, ConsentError> {
        check_scope(op, scope)?;
        let key = SubjectKey::of(subject);
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| ConsentError::Unavailable("a previous decision failed midway".into()))?;
        let erased = self.subjects.get(&key).and_then(|r| r.erased.clone());
        if let Some(erased) = erased {
            return match op {
                Op::Erase => Ok(Recorded {
                    decision: erased,
                    changed: false,
                }),
                _ => Err(ConsentError::Erased),
            };
        }
        let entry = Entry {
            seq: writer.journal.next_seq(),
            ts: crate::time::now_rfc3339(),
            op,
            subject: subject.clone(),
            partner: scope.partner.clone(),
            scenario: scope.scenario.clone(),
        };
        if let Err(e) = writer.journal.append(&entry) {
            self.journal_failures.fetch_add(1, Ordering::Relaxed);
            return Err(e);
        }
        let decision = to_decision(&entry, &mut writer.names);
        apply(&self.subjects, key, decision.clone());
        self.decisions_recorded.fetch_add(1, Ordering::Relaxed);
        if op == Op::Erase {
            self.erased_subjects.fetch_add(1, Ordering::Relaxed);
        }
        Ok(Recorded {
            decision,
            changed: true,
        })
    }

    /// Every decision in force for `subject`.
    pub fn view(&self, subject: &SubjectHash) -> SubjectView {
        let record = self.subjects.get(&SubjectKey::of(subject));
        SubjectView {
            subject: subject.clone(),
            erased: record.as_ref().and_then(|r| r.erased.clone()),
            decisions: record.map(|r| r.decisions.clone()).unwrap_or_default(),
        }
    }

    // Accessors for metrics (plain numbers; the admin listener exports them).

    /// Subjects with at least one decision (gauge).
    pub fn subjects(&self) -> u64 {
        self.subjects.len() as u64
    }

    /// Decisions replayed at open plus recorded since (counter).
    pub fn decisions_recorded(&self) -> u64 {
        self.decisions_recorded.load(Ordering::Relaxed)
    }

    /// Subjects erased, replayed or recorded (counter).
    pub fn erased_subjects(&self) -> u64 {
        self.erased_subjects.load(Ordering::Relaxed)
    }

    /// Decisions refused because the journal could not be written (counter).
    pub fn journal_failures(&self) -> u64 {
        self.journal_failures.load(Ordering::Relaxed)
    }

    /// Bytes of a torn last line cut off when the journal was opened.
    pub fn torn_bytes_at_open(&self) -> u64 {
        self.torn_bytes_at_open
    }
}

fn check_scope(op: Op, scope: &Scope) -> Result<(), ConsentError> {
    let invalid = |m: &str| Err(ConsentError::Invalid(m.to_owned()));
    if op == Op::Erase && (scope.partner.is_some() || scope.scenario.is_some()) {
        return invalid("erase applies to the subject as a whole: give no partner or scenario");
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

fn to_decision(entry: &Entry, names: &mut HashSet<Arc<str>>) -> Decision {
    let mut intern = |name: &String| -> Arc<str> {
        match names.get(name.as_str()) {
            Some(known) => known.clone(),
            None => {
                let shared: Arc<str> = Arc::from(name.as_str());
                names.insert(shared.clone());
                shared
            }
        }
    };
    Decision {
        op: entry.op,
        partner: entry.partner.as_ref().map(&mut intern),
        scenario: entry.scenario.as_ref().map(&mut intern),
        seq: entry.seq,
        ts: Arc::from(entry.ts.as_str()),
    }
}

fn apply(subjects: &PrehashedMap<SubjectKey, SubjectRecord>, key: SubjectKey, d: Decision) {
    let mut record = subjects.entry(key).or_default();
    if d.op == Op::Erase {
        record.decisions = Vec::new();
        record.erased = Some(d);
        return;
    }
    record
        .decisions
        .retain(|old| old.partner != d.partner || old.scenario != d.scenario);
    record.decisions.push(d);
}

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
