//! [`ConsentStore`]: the cache every request reads, in front of where the
//! decisions are durable (the journal, or the PostgreSQL database), and
//! whether the cache can be trusted right now ([`Availability`]).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::cache::{Availability, Cache};
use super::exports::ExportLedger;
use super::journal::{Entry, Journal};
use super::postgres::{Committed, Database, PostgresSettings};
use super::{ConsentError, Op, Recorded, Scope, SubjectKey, SubjectView, Verdict, check_scope};
use crate::audit::{SubjectHash, SubjectHasher};

enum Backend {
    /// One process's journal, under one lock so memory applies decisions
    /// in journal order.
    Journal(Mutex<Journal>),
    /// The database, and the guard whose drop stops its follower.
    Postgres {
        database: Arc<Database>,
        /// Never read: dropping it closes the follower's stop channel.
        _stop: tokio::sync::oneshot::Sender<()>,
    },
}

/// Consent decisions by subject, shared by every worker: a decision
/// recorded here is seen by the very next lookup on any thread.
pub struct ConsentStore {
    hasher: SubjectHasher,
    cache: Arc<Cache>,
    backend: Backend,
    /// Cross-border volumes, kept where the decisions are.
    exports: Arc<ExportLedger>,
    store_failures: AtomicU64,
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
    /// `path`, locks it, and replays it. `hasher` is the audit log's
    /// subject hasher. Blocking I/O: call it at start-up.
    pub fn open(path: &Path, hasher: SubjectHasher) -> Result<ConsentStore, ConsentError> {
        let cache = Arc::new(Cache::default());
        let (journal, torn) = Journal::open(path, |entry| {
            cache.apply(&entry);
        })?;
        let exports = Arc::new(ExportLedger::open_beside(path)?);
        if torn > 0 {
            tracing::warn!(
                journal = %path.display(),
                torn_bytes = torn,
                "the consent journal ended in a torn line (a decision interrupted before it was \
                 acknowledged); it was cut off"
            );
        }
        tracing::info!(
            journal = %path.display(),
            decisions = cache.decisions_applied(),
            "consent journal replayed"
        );
        Ok(ConsentStore {
            hasher,
            cache,
            backend: Backend::Journal(Mutex::new(journal)),
            exports,
            store_failures: AtomicU64::new(0),
            torn_bytes_at_open: torn,
        })
    }

    /// The store on a PostgreSQL database shared by every replica. Returns
    /// at once: a task (on the current Tokio runtime) connects, applies the
    /// schema's migrations, syncs every decision and follows changes; until
    /// its first sync the store is [`Availability::NotSynced`].
    pub fn postgres(settings: PostgresSettings, hasher: SubjectHasher) -> ConsentStore {
        let cache = Arc::new(Cache::default());
        let (database, stop) = Database::start(settings, cache.clone());
        ConsentStore {
            hasher,
            cache,
            exports: Arc::new(ExportLedger::postgres(database.clone())),
            backend: Backend::Postgres {
                database,
                _stop: stop,
            },
            store_failures: AtomicU64::new(0),
            torn_bytes_at_open: 0,
        }
    }

    /// The cross-border export ledger (in the journal's directory, or the
    /// database).
    pub fn exports(&self) -> &Arc<ExportLedger> {
        &self.exports
    }

    /// The keyed hash a raw subject id is stored and audited as.
    pub fn hash(&self, subject: &str) -> SubjectHash {
        self.hasher.hash(subject)
    }

    /// The hot-path lookup: one map probe (no allocation), then a scan of
    /// the few decisions of a subject that has any. Say nothing about
    /// whether the map is complete: ask [`ConsentStore::availability`].
    pub fn lookup(&self, key: &SubjectKey, partner: &str, scenario: &str) -> Verdict {
        self.cache.lookup(key, partner, scenario).0
    }

    /// [`lookup`](Self::lookup) with the seq of the deciding grant, revoke,
    /// restore or erase (`None` when no decision covers it): the journal
    /// line's seq, or the database row's id with `store: postgres`. The
    /// share record names it as the consent it relied on.
    pub fn lookup_decision(
        &self,
        key: &SubjectKey,
        partner: &str,
        scenario: &str,
    ) -> (Verdict, Option<u64>) {
        self.cache.lookup(key, partner, scenario)
    }

    /// Whether every decision is known right now (two atomic loads).
    pub fn availability(&self) -> Availability {
        match &self.backend {
            Backend::Journal(_) => Availability::Current,
            Backend::Postgres { database, .. } => database.availability(),
        }
    }

    /// `journal` or `postgres`, for readiness and metrics.
    pub fn kind(&self) -> &'static str {
        match self.backend {
            Backend::Journal(_) => "journal",
            Backend::Postgres { .. } => "postgres",
        }
    }

    /// Makes one decision durable (journal line fsynced, or database
    /// transaction committed), then applies it: the next lookup on this
    /// replica sees it; other replicas see it through the database.
    /// `erase` takes no scope; a scenario needs a partner.
    pub async fn commit(
        self: &Arc<Self>,
        subject: &SubjectHash,
        op: Op,
        scope: &Scope,
    ) -> Result<Recorded, ConsentError> {
        check_scope(op, scope)?;
        let committed = match &self.backend {
            Backend::Journal(_) => {
                let (store, subject, scope) = (self.clone(), subject.clone(), scope.clone());
                // The journal fsyncs: keep it off the async workers.
                match tokio::task::spawn_blocking(move || store.record(&subject, op, &scope)).await
                {
                    Ok(recorded) => return recorded,
                    Err(_) => Err(ConsentError::Unavailable(
                        "recording the decision stopped unexpectedly".into(),
                    )),
                }
            }
            Backend::Postgres { database, .. } => database.record(subject, op, scope).await,
        };
        match committed {
            Ok(Committed::New(entry)) => Ok(self.applied(&entry, true)),
            // Erased on another replica, maybe not notified here yet.
            Ok(Committed::AlreadyErased(entry)) => Ok(self.applied(&entry, false)),
            Err(e) => {
                if matches!(e, ConsentError::Unavailable(_)) {
                    self.store_failures.fetch_add(1, Ordering::Relaxed);
                }
                Err(e)
            }
        }
    }

    fn applied(&self, entry: &Entry, changed: bool) -> Recorded {
        let (decision, _) = self.cache.apply(entry);
        Recorded { decision, changed }
    }

    /// Records one decision in the journal store, blocking: line written
    /// and fsynced, then applied. (A database store records through
    /// [`ConsentStore::commit`].)
    pub fn record(
        &self,
        subject: &SubjectHash,
        op: Op,
        scope: &Scope,
    ) -> Result<Recorded, ConsentError> {
        check_scope(op, scope)?;
        let Backend::Journal(journal) = &self.backend else {
            return Err(ConsentError::Unavailable(
                "a database store records decisions through `commit`".into(),
            ));
        };
        let key = SubjectKey::of(subject);
        let mut journal = journal
            .lock()
            .map_err(|_| ConsentError::Unavailable("a previous decision failed midway".into()))?;
        if let Some(erased) = self.cache.erased(&key) {
            return match op {
                Op::Erase => Ok(Recorded {
                    decision: erased,
                    changed: false,
                }),
                _ => Err(ConsentError::Erased),
            };
        }
        let entry = Entry {
            seq: journal.next_seq(),
            ts: crate::time::now_rfc3339(),
            op,
            subject: subject.clone(),
            partner: scope.partner.clone(),
            scenario: scope.scenario.clone(),
            separate: scope.separate,
        };
        if let Err(e) = journal.append(&entry) {
            self.store_failures.fetch_add(1, Ordering::Relaxed);
            return Err(e);
        }
        Ok(self.applied(&entry, true))
    }

    /// Swaps the journal (tests point it at `/dev/full`).
    #[cfg(test)]
    pub(super) fn replace_journal_for_test(&self, replacement: Journal) {
        if let Backend::Journal(journal) = &self.backend {
            *journal.lock().expect("not poisoned in tests") = replacement;
        }
    }

    /// Every decision in force for `subject`.
    pub fn view(&self, subject: &SubjectHash) -> SubjectView {
        self.cache.view(subject)
    }

    // Accessors for metrics (plain numbers; the admin listener exports them).

    /// Subjects with at least one decision (gauge).
    pub fn subjects(&self) -> u64 {
        self.cache.subjects()
    }

    /// Decisions applied in memory: replayed or synced, and recorded since
    /// (counter).
    pub fn decisions_recorded(&self) -> u64 {
        self.cache.decisions_applied()
    }

    /// Subjects erased, replayed or recorded (counter).
    pub fn erased_subjects(&self) -> u64 {
        self.cache.erased_subjects()
    }

    /// Decisions refused because the journal or the database could not
    /// take them (counter).
    pub fn journal_failures(&self) -> u64 {
        self.store_failures.load(Ordering::Relaxed)
    }

    /// Bytes of a torn last line cut off when the journal was opened.
    pub fn torn_bytes_at_open(&self) -> u64 {
        self.torn_bytes_at_open
    }

    /// The database store's own numbers (`None` for the journal).
    pub fn database(&self) -> Option<&Database> {
        match &self.backend {
            Backend::Journal(_) => None,
            Backend::Postgres { database, .. } => Some(database),
        }
    }

    /// Waits up to `limit` for the first full sync (a database store; the
    /// journal is synced when opened). True once synced.
    pub async fn wait_synced(&self, limit: std::time::Duration) -> bool {
        match &self.backend {
            Backend::Journal(_) => true,
            Backend::Postgres { database, .. } => database.wait_synced(limit).await,
        }
    }
}
