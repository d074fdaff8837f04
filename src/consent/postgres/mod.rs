//! The consent store on PostgreSQL, shared by every replica.
//!
//! Owns: the connection settings (TLS through rustls on the proxy's one
//! provider), the schema and its migrations ([`schema`]), writing a
//! decision (one transaction, before the admin API answers), and following
//! the database ([`follow`]): one connection this module polls itself for
//! `LISTEN/NOTIFY`, a full resync after every (re)connect, and a heartbeat
//! that dates how current the cache is.
//!
//! Knows nothing of HTTP or of how a verdict is used. Fails closed: a
//! write the database does not commit is refused (nothing is applied); a
//! row or notification that does not read back as a decision stops the
//! sync (the replica goes stale rather than decide from a partial copy);
//! until the first full sync the store is [`Availability::NotSynced`], and
//! past `max_staleness` without contact [`Availability::Stale`].

mod exports;
mod follow;
pub mod import;
pub mod schema;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::{NoTls, Row};

use super::cache::{Availability, Cache};
use super::journal::{Entry, check_entry};
use super::{ConsentError, Op, Scope};
use crate::audit::SubjectHash;
use crate::ident::Ident;

/// The `NOTIFY` channel every insert announces itself on.
pub const CHANNEL: &str = "pii_proxy_consent";

/// The columns a decision is read back as, `ts` in the journal's format.
const COLUMNS: &str = "seq, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), \
                       op, subject, partner, scenario, separate";

/// Everything needed to reach the database.
#[derive(Clone)]
pub struct PostgresSettings {
    /// Parsed from the config's URL, with the password file's password.
    pub config: tokio_postgres::Config,
    /// TLS (the URL's `sslmode=require`): rustls on the aws-lc provider.
    pub tls: Option<rustls::ClientConfig>,
    pub max_staleness: Duration,
    pub connect_timeout: Duration,
    /// Written with every decision this replica records.
    pub replica: Ident,
}

/// What writing one decision did.
pub enum Committed {
    /// A new row.
    New(Entry),
    /// `erase` of a subject already erased: nothing written; its erase.
    AlreadyErased(Entry),
}

/// The database side of the store: a small pool for writes, and what the
/// follower task reports.
pub struct Database {
    settings: PostgresSettings,
    pool: Pool,
    pub(super) cache: Arc<Cache>,
    origin: Instant,
    synced: AtomicBool,
    synced_tx: tokio::sync::watch::Sender<bool>,
    /// Milliseconds after `origin` when the database was last known to have
    /// sent every committed change (a resync began, or a heartbeat was sent
    /// and answered).
    fresh_at_ms: AtomicU64,
    connected: AtomicBool,
    resyncs: AtomicU64,
    notifications: AtomicU64,
}

impl Database {
    /// The database store, its follower started on the current runtime;
    /// the follower stops when the returned sender is dropped.
    pub(super) fn start(
        settings: PostgresSettings,
        cache: Arc<Cache>,
    ) -> (Arc<Database>, tokio::sync::oneshot::Sender<()>) {
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match &settings.tls {
            Some(tls) => Manager::from_config(
                settings.config.clone(),
                tokio_postgres_rustls::MakeRustlsConnect::new(tls.clone()),
                manager_config,
            ),
            None => Manager::from_config(settings.config.clone(), NoTls, manager_config),
        };
        let pool = Pool::builder(manager)
            .max_size(4)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(settings.connect_timeout))
            .wait_timeout(Some(settings.connect_timeout))
            .recycle_timeout(Some(settings.connect_timeout))
            .build()
            .expect("a pool with a runtime and timeouts builds");
        let (synced_tx, _) = tokio::sync::watch::channel(false);
        let database = Arc::new(Database {
            settings,
            pool,
            cache,
            origin: Instant::now(),
            synced: AtomicBool::new(false),
            synced_tx,
            fresh_at_ms: AtomicU64::new(0),
            connected: AtomicBool::new(false),
            resyncs: AtomicU64::new(0),
            notifications: AtomicU64::new(0),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel();
        tokio::spawn(follow::run(Arc::downgrade(&database), stopped));
        (database, stop)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub(super) fn availability(&self) -> Availability {
        if !self.synced.load(Ordering::Acquire) {
            return Availability::NotSynced;
        }
        let age = self
            .now_ms()
            .saturating_sub(self.fresh_at_ms.load(Ordering::Acquire));
        let limit = u64::try_from(self.settings.max_staleness.as_millis()).unwrap_or(u64::MAX);
        if age > limit {
            Availability::Stale { for_ms: age }
        } else {
            Availability::Current
        }
    }

    pub(super) async fn wait_synced(&self, limit: Duration) -> bool {
        let mut synced = self.synced_tx.subscribe();
        tokio::time::timeout(limit, synced.wait_for(|s| *s))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Marks the cache complete as of `asked_ms` (when the snapshot or the
    /// heartbeat was asked for).
    fn mark_current(&self, asked_ms: u64) {
        self.fresh_at_ms.fetch_max(asked_ms, Ordering::AcqRel);
        if !self.synced.swap(true, Ordering::AcqRel) {
            self.synced_tx.send_replace(true);
        }
    }

    /// Writes one decision in a transaction: the subject's advisory lock
    /// (so its decisions commit in seq order and an erase stays final),
    /// the erase check, the insert (whose trigger notifies every replica).
    pub(super) async fn record(
        &self,
        subject: &SubjectHash,
        op: Op,
        scope: &Scope,
    ) -> Result<Committed, ConsentError> {
        let limit = self.settings.connect_timeout * 2;
        match tokio::time::timeout(limit, self.record_once(subject, op, scope)).await {
            Ok(Ok(committed)) => Ok(committed),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(ConsentError::Unavailable(format!(
                "the consent database did not commit within {}s",
                limit.as_secs()
            ))),
        }
    }

    async fn record_once(
        &self,
        subject: &SubjectHash,
        op: Op,
        scope: &Scope,
    ) -> Result<Committed, ConsentError> {
        let mut client = self.pool.get().await.map_err(|e| unavailable(&e))?;
        let tx = client.transaction().await.map_err(|e| unavailable(&e))?;
        let lock_key = subject_lock_key(subject);
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            &[&(schema::LOCK_NAMESPACE + 1), &lock_key],
        )
        .await
        .map_err(|e| unavailable(&e))?;
        let erased_sql = format!(
            "SELECT {COLUMNS} FROM pii_proxy_consent_decisions \
             WHERE subject = $1 AND op = 'erase' LIMIT 1"
        );
        let erased = tx
            .query_opt(&erased_sql, &[&subject.as_str()])
            .await
            .map_err(|e| unavailable(&e))?;
        if let Some(row) = erased {
            let entry = entry_of(&row).map_err(ConsentError::Unavailable)?;
            return match op {
                Op::Erase => Ok(Committed::AlreadyErased(entry)),
                _ => Err(ConsentError::Erased),
            };
        }
        let insert_sql = format!(
            "INSERT INTO pii_proxy_consent_decisions \
             (op, subject, partner, scenario, replica, separate) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
        );
        let row = tx
            .query_one(
                &insert_sql,
                &[
                    &op.as_str(),
                    &subject.as_str(),
                    &scope.partner.as_deref(),
                    &scope.scenario.as_deref(),
                    &self.settings.replica.as_str(),
                    &scope.separate,
                ],
            )
            .await
            .map_err(|e| unavailable(&e))?;
        let entry = entry_of(&row).map_err(ConsentError::Unavailable)?;
        tx.commit().await.map_err(|e| unavailable(&e))?;
        Ok(Committed::New(entry))
    }

    // Accessors for metrics and readiness.

    /// The follower's connection is up.
    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    /// Full syncs completed (the first, and one per reconnect) (counter).
    pub fn resyncs(&self) -> u64 {
        self.resyncs.load(Ordering::Relaxed)
    }

    /// Change notifications received (counter).
    pub fn notifications(&self) -> u64 {
        self.notifications.load(Ordering::Relaxed)
    }

    /// Seconds since the database was last known current (gauge; since
    /// start when never synced).
    pub fn staleness(&self) -> Duration {
        let fresh = self.fresh_at_ms.load(Ordering::Acquire);
        Duration::from_millis(self.now_ms().saturating_sub(fresh))
    }

    pub fn max_staleness(&self) -> Duration {
        self.settings.max_staleness
    }
}

/// The subject's advisory-lock key: 32 bits of its HMAC (collisions only
/// serialize two subjects' writes).
fn subject_lock_key(subject: &SubjectHash) -> i32 {
    let hex = subject.as_str().strip_prefix("hmac:").unwrap_or_default();
    let bits = u32::from_str_radix(hex.get(..8).unwrap_or("0"), 16).unwrap_or(0);
    i32::from_ne_bytes(bits.to_ne_bytes())
}

/// A database error as the admin API and the log show it: the server's
/// message (PostgreSQL does not repeat parameter values in its errors).
fn unavailable(e: &dyn std::fmt::Display) -> ConsentError {
    ConsentError::Unavailable(format!("the consent database: {e}"))
}

/// A row of [`COLUMNS`] as a checked decision.
pub(super) fn entry_of(row: &Row) -> Result<Entry, String> {
    let bad = |what: &str| format!("a decision row in the database has {what}");
    let seq: i64 = row.try_get(0).map_err(|_| bad("no seq"))?;
    let op: &str = row.try_get(2).map_err(|_| bad("no op"))?;
    let subject: &str = row.try_get(3).map_err(|_| bad("no subject"))?;
    let entry = Entry {
        seq: u64::try_from(seq).map_err(|_| bad("a negative seq"))?,
        ts: row.try_get(1).map_err(|_| bad("no timestamp"))?,
        op: serde_json::from_value(serde_json::Value::from(op))
            .map_err(|_| bad("an unknown op"))?,
        subject: serde_json::from_value(serde_json::Value::from(subject))
            .map_err(|_| bad("a subject that is not hmac:<64 hex>"))?,
        partner: row.try_get(4).map_err(|_| bad("an unreadable partner"))?,
        scenario: row.try_get(5).map_err(|_| bad("an unreadable scenario"))?,
        separate: row
            .try_get(6)
            .map_err(|_| bad("an unreadable separate flag"))?,
    };
    check_entry(&entry).map_err(|e| format!("decision seq {seq} in the database: {e}"))?;
    Ok(entry)
}

/// A notification's payload (the trigger's JSON) as a checked decision.
pub(super) fn entry_of_payload(payload: &str) -> Result<Entry, String> {
    let entry: Entry = serde_json::from_str(payload).map_err(|e| {
        format!(
            "a consent notification does not read: {}",
            json_category(&e)
        )
    })?;
    check_entry(&entry).map_err(|e| format!("consent notification seq {}: {e}", entry.seq))?;
    Ok(entry)
}

fn json_category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "I/O",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "not a decision",
        serde_json::error::Category::Eof => "truncated",
    }
}
