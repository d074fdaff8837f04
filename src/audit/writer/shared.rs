//! What the writer thread shares with its handles: the counters, the
//! detached records waiting for the next batch, and the messages and
//! pending records of the queue.

use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, oneshot};

use crate::audit::record::Body;
use crate::audit::{AuditError, Seq};

#[derive(Default)]
pub(in crate::audit) struct Shared {
    pub(in crate::audit) records_written: AtomicU64,
    pub(in crate::audit) batches_written: AtomicU64,
    pub(in crate::audit) batches_failed: AtomicU64,
    pub(in crate::audit) last_seq: AtomicU64,
    /// Microseconds + 1; 0 means no fsync yet.
    pub(in crate::audit) last_fsync_us: AtomicU64,
    pub(in crate::audit) available: AtomicBool,
    /// Called with each fsync's duration, on the writer thread.
    pub(in crate::audit) fsync_observer: OnceLock<FsyncObserver>,
    /// Records from [`AuditHandle::append_detached`]. They wait here rather
    /// than in the channel so that queueing one does not wake the writer.
    pub(in crate::audit) detached: Mutex<Detached>,
    /// The writer sleeps with no deadline: a detached record must wake it.
    pub(in crate::audit) dormant: AtomicBool,
    pub(in crate::audit) checkpoints_written: AtomicU64,
    /// Checkpoints a witness did not keep.
    pub(in crate::audit) witness_failures: Arc<AtomicU64>,
    /// With a sink: how far shipping got (retention keeps what it has not).
    pub(in crate::audit) ship: Option<Arc<crate::audit::shipping::ShipProgress>>,
}

#[derive(Default)]
pub(in crate::audit) struct Detached {
    pub(in crate::audit) records: Vec<Pending>,
    /// The writer took its last records: nothing may be queued any more.
    pub(in crate::audit) closed: bool,
}

impl Shared {
    pub(in crate::audit) fn detached(&self) -> std::sync::MutexGuard<'_, Detached> {
        // A panic while holding this lock leaves a plain Vec behind: still usable.
        self.detached
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

type FsyncObserver = Box<dyn Fn(Duration) + Send + Sync>;

#[allow(
    clippy::large_enum_variant,
    reason = "Append is the hot path: a record moves by value (one copy of ~250 bytes) rather than through an allocation per record"
)]
pub(in crate::audit) enum Msg {
    Append(Pending),
    /// A detached record arrived while the writer was dormant.
    Wake,
    Shutdown(oneshot::Sender<Result<(), AuditError>>),
}

pub(in crate::audit) struct Pending {
    pub(in crate::audit) body: Body,
    /// `None` for [`AuditHandle::append_detached`]: nobody waits.
    pub(in crate::audit) ack: Option<oneshot::Sender<Result<Seq, AuditError>>>,
    pub(in crate::audit) _slot: OwnedSemaphorePermit,
}

impl Pending {
    /// Frees the queue slot, then wakes the appender (so that a caller
    /// reading `stats()` after its append sees its slot free).
    pub(in crate::audit) fn resolve(self, result: Result<Seq, AuditError>) {
        let Pending { ack, _slot, .. } = self;
        drop(_slot);
        if let Some(ack) = ack {
            let _ = ack.send(result);
        }
    }
}

pub(in crate::audit) fn closed() -> AuditError {
    AuditError::Unavailable("the audit writer has stopped".into())
}
