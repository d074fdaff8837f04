//! The cloneable handle requests append to the audit log through: queue
//! room (back-pressure), acknowledged and detached appends, shutdown, and
//! the counters `/metrics` reads. The thread behind it is [`super::writer`].

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

use tokio::sync::{Semaphore, oneshot};

use super::chain::ChainKey;
use super::checkpointer::Checkpointer;
use super::config::AuditConfig;
use super::record::Event;
use super::witness::Witness;
use super::writer::{Msg, Pending, Shared, Writer, closed};
use super::{AuditError, Seq};

/// A cheap, cloneable way to append to the audit log. The writer stops when
/// the last handle is dropped (after writing and syncing what it accepted)
/// or on [`AuditHandle::shutdown`].
#[derive(Clone)]
pub struct AuditHandle {
    /// `None` for [`AuditHandle::disabled`]: no writer, nothing recorded.
    inner: Option<Arc<Inner>>,
}

struct Inner {
    tx: Sender<Msg>,
    slots: Arc<Semaphore>,
    capacity: usize,
    shared: Arc<Shared>,
    /// The writer thread, which holds the directory's lock until it ends:
    /// `shutdown` waits for it, so the directory is free when it returns.
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl std::fmt::Debug for AuditHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditHandle")
            .field("stats", &self.stats())
            .finish()
    }
}

/// Counters for metrics (`/metrics` on the admin listener).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditStats {
    /// False for a log turned off by `audit: {enabled: false}`
    /// ([`AuditHandle::disabled`]): every other counter then stays 0.
    pub enabled: bool,
    /// Records appended and not yet resolved.
    pub queue_depth: usize,
    pub queue_capacity: usize,
    pub records_written: u64,
    pub batches_written: u64,
    /// Batches refused with `Unavailable`.
    pub batches_failed: u64,
    /// Seq of the newest record written (0 before the first).
    pub last_seq: Seq,
    pub last_fsync_latency: Option<Duration>,
    /// False from a failed batch until the next successful one.
    pub available: bool,
    pub checkpoints_written: u64,
    /// Checkpoints a witness did not keep.
    pub witness_failures: u64,
    /// With `audit.sink`: shipping's lag, spool and connection.
    pub sink: Option<super::shipping::SinkStats>,
}

impl Inner {
    async fn enqueue(
        &self,
        event: Event,
        ack: Option<oneshot::Sender<Result<Seq, AuditError>>>,
    ) -> Result<(), AuditError> {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| closed())?;
        let pending = Pending {
            body: event.into(),
            ack,
            _slot: slot,
        };
        if pending.ack.is_some() {
            return self.tx.send(Msg::Append(pending)).map_err(|_| closed());
        }
        {
            let mut detached = self.shared.detached();
            if detached.closed {
                return Err(closed());
            }
            detached.records.push(pending);
        }
        // Pushed before this check, so a writer going dormant either sees
        // the record or is woken here (both orders are SeqCst).
        if self.shared.dormant.swap(false, Ordering::SeqCst) {
            let _ = self.tx.send(Msg::Wake);
        }
        Ok(())
    }
}

impl AuditHandle {
    /// Opens the log in `config.dir` (created if missing), continuing the
    /// chain and tree found there, and starts the writer thread. With
    /// `keyed_chain: true` the chain key comes from `keyring`; with
    /// `checkpoints.enabled` (the default) checkpoints are signed with the
    /// keyring's key for the replica and handed to `witnesses`. Blocking
    /// I/O: call it at start-up, before serving.
    pub fn open(
        config: &AuditConfig,
        keyring: &crate::protect::Keyring,
        witnesses: Vec<Box<dyn Witness>>,
    ) -> Result<AuditHandle, AuditError> {
        let key = config.keyed_chain.then(|| keyring.audit_chain_key());
        let key = ChainKey::new(config.hash, key);
        let checkpointer = if config.checkpoints.enabled {
            Some(Checkpointer::from_keyring(
                &config.checkpoints,
                keyring,
                witnesses,
            )?)
        } else {
            None
        };
        AuditHandle::open_with(config, key, checkpointer)
    }

    /// A log without checkpoints, with the chain key given directly
    /// (`config.keyed_chain` and `config.checkpoints` are not consulted):
    /// for tests of the chain alone.
    pub fn open_with_key(config: &AuditConfig, key: ChainKey) -> Result<AuditHandle, AuditError> {
        AuditHandle::open_with(config, key, None)
    }

    /// [`AuditHandle::open`] with the chain key and the checkpointer given
    /// directly (`None`: no checkpoints).
    pub fn open_with(
        config: &AuditConfig,
        key: ChainKey,
        checkpointer: Option<Checkpointer>,
    ) -> Result<AuditHandle, AuditError> {
        config.validate()?;
        crate::secret_file::create_private_dir(&config.dir)
            .map_err(|e| AuditError::io(&config.dir, e))?;
        // One writer per chain: a second process on this directory stops here.
        let lock = crate::lockfile::DirLock::acquire(&config.dir).map_err(AuditError::Locked)?;
        let ship = config.sink.as_ref().map(|sink| {
            let shipped = super::shipping::read_position(&config.dir, &sink.nats.stream);
            Arc::new(super::shipping::ShipProgress::starting_at(shipped))
        });
        let shared = Arc::new(Shared {
            ship,
            ..Shared::default()
        });
        let mut writer = Writer::new(config, key, shared.clone(), checkpointer);
        writer.open_segment()?;
        shared.available.store(true, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || {
                writer.run(rx);
                // Held until the last record is written.
                drop(lock);
            })
            .map_err(|e| AuditError::io(&config.dir, e))?;
        Ok(AuditHandle {
            inner: Some(Arc::new(Inner {
                tx,
                slots: Arc::new(Semaphore::new(config.queue_capacity)),
                capacity: config.queue_capacity,
                shared,
                thread: std::sync::Mutex::new(Some(thread)),
            })),
        })
    }

    /// A handle with no log behind it: every append resolves `Ok(0)` at once
    /// and nothing is written anywhere (0 is no record's seq). Only for
    /// `audit: {enabled: false}`, which exists to measure what auditing
    /// costs and for development; `serve` warns loudly when it is used.
    pub fn disabled() -> AuditHandle {
        AuditHandle { inner: None }
    }

    /// False for [`AuditHandle::disabled`].
    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// Appends one record; resolves with its seq once the record is written
    /// (and fsynced under `fsync: always`), or with `Unavailable`. Waits for
    /// room when `queue_capacity` records are already waiting.
    pub async fn append(&self, event: impl Into<Event>) -> Result<Seq, AuditError> {
        let Some(inner) = &self.inner else {
            return Ok(0);
        };
        let (ack, done) = oneshot::channel();
        inner.enqueue(event.into(), Some(ack)).await?;
        done.await.map_err(|_| closed())?
    }

    /// Queues one record without waiting for the writer: for records whose
    /// fate changes nothing for the request they describe (`outcome` after
    /// the answer, `blocked` after a refusal), so the answer does not wait
    /// for a write. Nor does queueing wake the writer while records flow:
    /// a detached record rides with the next batch the writer wakes for, or
    /// is written within [`super::writer::DETACHED_FLUSH`] (an idle writer is woken).
    /// Waits only for queue room (the same back-pressure as [`append`]).
    /// Detached records keep their order among themselves (not relative to
    /// acknowledged ones), [`shutdown`] writes them all first, and one the
    /// writer cannot write counts in `batches_failed` and is logged, like
    /// any refused batch. `Err` only when the writer has stopped.
    ///
    /// [`append`]: AuditHandle::append
    /// [`shutdown`]: AuditHandle::shutdown
    pub async fn append_detached(&self, event: impl Into<Event>) -> Result<(), AuditError> {
        match &self.inner {
            Some(inner) => inner.enqueue(event.into(), None).await,
            None => Ok(()),
        }
    }

    /// Writes what was accepted, fsyncs, and stops the writer; later
    /// appends resolve to `Unavailable`.
    pub async fn shutdown(&self) -> Result<(), AuditError> {
        let Some(inner) = &self.inner else {
            return Ok(());
        };
        inner.slots.close();
        let (reply, done) = oneshot::channel();
        inner.tx.send(Msg::Shutdown(reply)).map_err(|_| closed())?;
        let closed_cleanly = done.await.map_err(|_| closed())?;
        let thread = inner
            .thread
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            // The writer ends right after answering; joining frees the lock.
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        closed_cleanly
    }

    /// Installs a hook called with the duration of every fsync (for a
    /// latency histogram). It runs on the writer thread between batches, so
    /// it must be quick. Only the first hook installed is kept; returns
    /// whether this one was.
    /// A disabled log never fsyncs: nothing is installed.
    pub fn on_fsync(&self, observer: impl Fn(Duration) + Send + Sync + 'static) -> bool {
        self.inner
            .as_ref()
            .is_some_and(|inner| inner.shared.fsync_observer.set(Box::new(observer)).is_ok())
    }

    /// With `audit.sink`: the progress the shipper advances (it starts at
    /// the persisted position).
    pub fn ship_progress(&self) -> Option<Arc<super::shipping::ShipProgress>> {
        self.inner.as_ref()?.shared.ship.clone()
    }

    /// Seq of the newest record written (0 before the first, and for a
    /// disabled log).
    pub fn last_seq(&self) -> Seq {
        self.inner
            .as_ref()
            .map_or(0, |inner| inner.shared.last_seq.load(Ordering::Relaxed))
    }

    pub fn stats(&self) -> AuditStats {
        let Some(inner) = &self.inner else {
            return AuditStats {
                enabled: false,
                queue_depth: 0,
                queue_capacity: 0,
                records_written: 0,
                batches_written: 0,
                batches_failed: 0,
                last_seq: 0,
                last_fsync_latency: None,
                available: true,
                checkpoints_written: 0,
                witness_failures: 0,
                sink: None,
            };
        };
        let shared = &inner.shared;
        let fsync_us = shared.last_fsync_us.load(Ordering::Relaxed);
        let last_seq = shared.last_seq.load(Ordering::Relaxed);
        AuditStats {
            enabled: true,
            queue_depth: inner
                .capacity
                .saturating_sub(inner.slots.available_permits()),
            queue_capacity: inner.capacity,
            records_written: shared.records_written.load(Ordering::Relaxed),
            batches_written: shared.batches_written.load(Ordering::Relaxed),
            batches_failed: shared.batches_failed.load(Ordering::Relaxed),
            last_seq,
            last_fsync_latency: fsync_us.checked_sub(1).map(Duration::from_micros),
            available: shared.available.load(Ordering::Relaxed),
            checkpoints_written: shared.checkpoints_written.load(Ordering::Relaxed),
            witness_failures: shared.witness_failures.load(Ordering::Relaxed),
            sink: shared.ship.as_ref().map(|ship| ship.stats(last_seq)),
        }
    }
}
