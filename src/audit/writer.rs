//! The writer: one thread that owns the segment file, and the queue it
//! reads; requests append through the cloneable [`super::AuditHandle`].
//!
//! Group commit: the writer takes every record waiting in its queue (up to
//! [`MAX_BATCH`]), encodes and chains them into one buffer, writes it with
//! one `write`, then fsyncs once for the batch (`fsync: always`), or at most
//! every `fsync_interval` (`batch`), or never (`off`). Each append resolves
//! when its batch is accepted under that policy. Records nobody waits for
//! ([`AuditHandle::append_detached`]) do not wake the writer while records
//! flow: they join the next batch, at most [`DETACHED_FLUSH`] later, which
//! saves a thread hand-off per request where the writer shares a core.
//!
//! The writer is a dedicated OS thread rather than a task on the async
//! runtime because `write` and `fsync` block; a thread keeps them off the
//! request workers without a `spawn_blocking` hop per batch, and lets the
//! log outlive (and be opened without) a runtime.
//!
//! Checkpoints (with a [`Checkpointer`]): the writer keeps the Merkle
//! tree's frontier beside the chain, and appends a signed checkpoint record
//! at the end of the batch that brings `every_records` uncovered records,
//! after `interval` with records waiting for one, at shutdown, and first in
//! every segment but a new log's first (after a recovery record), so each
//! segment opens with the state of everything before it: what a restart
//! and retention continue from. A batch with a checkpoint is fsynced
//! before the checkpoint goes to the witnesses, so no witness holds a
//! checkpoint the disk could lose.
//!
//! Failure: a failed write is truncated back to the last record boundary and
//! the batch is refused; a failed truncate, fsync, open or rotation drops
//! the segment, and the next batch (at most every [`RETRY_AFTER`]) re-reads
//! the log's tail from disk and starts a new segment (with a recovery record
//! if the old one ended in a torn line). Every refused record resolves to
//! [`AuditError::Unavailable`]; none is acknowledged unless its bytes were
//! written.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

use super::chain::{ChainKey, GENESIS};
use super::checkpointer::Checkpointer;
use super::config::{AuditConfig, FsyncPolicy};
use super::{AuditError, Seq};
use checkpoints::ChainState;
use segments::Segment;

/// Most records written in one batch.
pub const MAX_BATCH: usize = 1024;
/// Longest a detached record waits for the writer while requests flow: it
/// is written with the next batch the writer wakes for, or after this.
pub const DETACHED_FLUSH: Duration = Duration::from_millis(10);
/// After this long without a record the writer sleeps until woken, and a
/// detached record wakes it (an idle proxy does not poll).
const STAY_AWAKE: Duration = Duration::from_secs(1);
/// After a failed open or rotation, batches are refused at once for this
/// long before the writer tries again, so a full disk costs one attempt per
/// interval rather than one per request.
pub const RETRY_AFTER: Duration = Duration::from_millis(100);

#[allow(
    clippy::large_enum_variant,
    reason = "carries a Msg for one step of the loop; boxing would allocate per record"
)]
enum Wait {
    Message(Msg),
    Timeout,
    Disconnected,
}

pub(super) struct Writer {
    dir: PathBuf,
    fsync: FsyncPolicy,
    fsync_interval: Duration,
    rotate_bytes: u64,
    rotate_interval: Duration,
    key: ChainKey,
    chain: ChainState,
    checkpointer: Option<Checkpointer>,
    last_checkpoint: Instant,
    /// Runs retention after each new segment.
    retention: Option<super::retention::Retention>,
    segment: Option<Segment>,
    /// Under `fsync: batch`: when the oldest unsynced write happened.
    unsynced_since: Option<Instant>,
    retry: Option<(Instant, String)>,
    shared: Arc<Shared>,
    buf: Vec<u8>,
}

impl Writer {
    pub(super) fn new(
        config: &AuditConfig,
        key: ChainKey,
        shared: Arc<Shared>,
        mut checkpointer: Option<Checkpointer>,
    ) -> Writer {
        if let Some(checkpointer) = &mut checkpointer {
            checkpointer.start_witnesses(shared.witness_failures.clone());
        }
        // A checkpoint's note names the replica its record names.
        let replica = match &checkpointer {
            Some(checkpointer) => Some(checkpointer.replica().clone()),
            None => config.replica.clone(),
        };
        Writer {
            dir: config.dir.clone(),
            fsync: config.fsync,
            fsync_interval: config.fsync_interval,
            rotate_bytes: config.rotate_bytes,
            rotate_interval: config.rotate_interval,
            key,
            chain: ChainState {
                replica,
                next_seq: 1,
                prev: GENESIS,
                tree: None,
                entries: Vec::new(),
                uncovered: 0,
            },
            checkpointer,
            last_checkpoint: Instant::now(),
            retention: super::retention::Retention::new(config),
            segment: None,
            unsynced_since: None,
            retry: None,
            shared,
            buf: Vec::with_capacity(64 * 1024),
        }
    }

    pub(super) fn run(mut self, rx: Receiver<Msg>) {
        prefer_batching();
        let mut batch = Vec::with_capacity(MAX_BATCH);
        let mut last_record = Instant::now();
        loop {
            let first = match self.wait(&rx, last_record) {
                Wait::Message(msg) => Ok(msg),
                Wait::Timeout => Err(TryRecvError::Empty),
                Wait::Disconnected => break,
            };
            if self.sync_deadline().is_some_and(|d| Instant::now() >= d) {
                self.sync_after_ack();
            }
            // Detached records first: they were queued before anything the
            // channel holds now.
            self.take_detached(&mut batch, false);
            let mut shutdown = None;
            let mut next = first;
            while batch.len() < MAX_BATCH {
                match next {
                    Ok(Msg::Append(pending)) => batch.push(pending),
                    Ok(Msg::Wake) => {}
                    Ok(Msg::Shutdown(reply)) => {
                        shutdown = Some(reply);
                        break;
                    }
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
                next = rx.try_recv();
            }
            if !batch.is_empty() {
                last_record = Instant::now();
            }
            self.commit(&mut batch);
            // The batch's leaves join the tree once its appends are
            // answered: no request waits for the hashing.
            self.chain.tree();
            if self
                .checkpoint_deadline()
                .is_some_and(|d| Instant::now() >= d)
            {
                self.commit_checkpoint();
            }
            if let Some(reply) = shutdown {
                self.write_last_detached(&mut batch);
                let _ = reply.send(self.finish());
                return;
            }
        }
        self.write_last_detached(&mut batch);
        if let Err(error) = self.finish() {
            tracing::error!(%error, "audit log: final fsync failed");
        }
    }

    /// Sleeps until a message, the fsync deadline, or (while records flow)
    /// the next look at the detached records. After [`STAY_AWAKE`] without
    /// a record it sleeps until woken.
    fn wait(&self, rx: &Receiver<Msg>, last_record: Instant) -> Wait {
        let detached_deadline =
            (last_record.elapsed() < STAY_AWAKE).then(|| Instant::now() + DETACHED_FLUSH);
        let deadline = [
            self.sync_deadline(),
            detached_deadline,
            self.checkpoint_deadline(),
        ]
        .into_iter()
        .flatten()
        .min();
        if let Some(deadline) = deadline {
            return match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(msg) => Wait::Message(msg),
                Err(RecvTimeoutError::Timeout) => Wait::Timeout,
                Err(RecvTimeoutError::Disconnected) => Wait::Disconnected,
            };
        }
        self.shared.dormant.store(true, Ordering::SeqCst);
        if !self.shared.detached().records.is_empty() {
            self.shared.dormant.store(false, Ordering::SeqCst);
            return Wait::Timeout;
        }
        match rx.recv() {
            Ok(msg) => Wait::Message(msg),
            Err(_) => Wait::Disconnected,
        }
    }

    /// Moves detached records into `batch` (up to [`MAX_BATCH`]); with
    /// `close`, no record may be detached after this.
    fn take_detached(&self, batch: &mut Vec<Pending>, close: bool) {
        let mut detached = self.shared.detached();
        detached.closed |= close;
        let room = MAX_BATCH.saturating_sub(batch.len());
        let take = detached.records.len().min(room);
        batch.extend(detached.records.drain(..take));
    }

    /// At shutdown: every detached record still waiting is written.
    fn write_last_detached(&mut self, batch: &mut Vec<Pending>) {
        loop {
            self.take_detached(batch, true);
            if batch.is_empty() {
                return;
            }
            self.commit(batch);
        }
    }

    fn commit(&mut self, batch: &mut Vec<Pending>) {
        if batch.is_empty() {
            return;
        }
        match self.write_batch(batch, false) {
            Ok(first) => {
                self.shared.available.store(true, Ordering::Relaxed);
                for (seq, pending) in (first..).zip(batch.drain(..)) {
                    pending.resolve(Ok(seq));
                }
            }
            Err(reason) => {
                self.shared.available.store(false, Ordering::Relaxed);
                self.shared.batches_failed.fetch_add(1, Ordering::Relaxed);
                tracing::error!(%reason, records = batch.len(), "audit log: batch refused");
                for pending in batch.drain(..) {
                    pending.resolve(Err(AuditError::Unavailable(reason.clone())));
                }
            }
        }
    }

    /// Writes the batch (and a checkpoint after it when one is due, or
    /// with `checkpoint` whenever records wait for one); returns the
    /// batch's first seq, or why nothing was accepted.
    fn write_batch(&mut self, batch: &[Pending], checkpoint: bool) -> Result<Seq, String> {
        self.ensure_segment()?;
        let ts = crate::time::now_rfc3339();
        // Appended in place; a refused batch rolls back to the mark.
        let mut mark = self.chain.mark();
        let first = mark.next_seq;
        self.buf.clear();
        for pending in batch {
            self.chain
                .append(&mut self.buf, &self.key, &ts, &pending.body);
        }
        let uncovered = self.chain.uncovered;
        let due = self
            .checkpointer
            .as_ref()
            .is_some_and(|cp| uncovered >= cp.every_records || (checkpoint && uncovered > 0));
        let note = match &self.checkpointer {
            Some(cp) if due => self
                .chain
                .tree_since(&mut mark)
                .map(|tree| cp.record(tree, &ts)),
            _ => None,
        };
        let note = note.map(|(body, note)| {
            self.chain.append(&mut self.buf, &self.key, &ts, &body);
            note
        });
        if self.buf.is_empty() {
            return Ok(first);
        }
        let segment = self.segment.as_mut().expect("ensure_segment opened one");
        if let Err(error) = segment.file.write_all(&self.buf) {
            let reason = format!("{}: write failed: {error}", segment.path.display());
            // A partial write would leave a torn line mid-segment: cut it off
            // so the segment ends on a record boundary, or give it up.
            if segment.file.set_len(segment.len).is_err() {
                self.segment = None;
            }
            self.chain.roll_back(mark);
            return Err(reason);
        }
        segment.len += self.buf.len() as u64;
        let written = self.chain.next_seq - first;
        self.shared
            .records_written
            .fetch_add(written, Ordering::Relaxed);
        self.shared.batches_written.fetch_add(1, Ordering::Relaxed);
        self.shared
            .last_seq
            .store(self.chain.next_seq - 1, Ordering::Relaxed);
        let witnessed = note.is_some()
            && self
                .checkpointer
                .as_ref()
                .is_some_and(Checkpointer::has_witnesses);
        match self.fsync {
            // Without a witness a checkpoint follows the log's fsync
            // policy: an fsync per checkpoint cost the writer up to half
            // its throughput under `fsync: off` on a slow disk.
            _ if witnessed => self.sync()?,
            FsyncPolicy::Always => self.sync()?,
            FsyncPolicy::Batch => {
                let since = *self.unsynced_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= self.fsync_interval {
                    self.sync()?;
                }
            }
            FsyncPolicy::Off => {}
        }
        if let Some(note) = note {
            self.checkpointed(note);
        }
        Ok(first)
    }

    fn finish(&mut self) -> Result<(), AuditError> {
        if self.checkpointer.is_some() && self.chain.uncovered > 0 {
            // The shutdown checkpoint: the log's last word on its length.
            self.write_batch(&[], true)
                .map_err(AuditError::Unavailable)?;
        }
        let result = self.sync().map_err(AuditError::Unavailable);
        self.segment = None;
        result
    }
}

/// Lets the writer give way to the request workers when it shares a core
/// with them. As `SCHED_BATCH`, its wake-up does not preempt the worker
/// that queued a record: the worker goes on serving (and queueing) until it
/// waits, and the writer then takes the whole queue as one batch, instead
/// of one context switch pair per record. On an idle core it runs at once,
/// so a lone request waits no longer. Failure only loses the optimization.
#[cfg(target_os = "linux")]
#[allow(unsafe_code, reason = "one system call, see the SAFETY note")]
fn prefer_batching() {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: a plain system call on the calling thread (pid 0), with a
    // valid, initialized parameter; no memory is shared with the kernel
    // beyond the call. SCHED_BATCH needs no privilege.
    let _ = unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) };
}

#[cfg(not(target_os = "linux"))]
fn prefer_batching() {}

mod checkpoints;
mod segments;
mod shared;
pub(super) use shared::{Msg, Pending, Shared, closed};
#[cfg(test)]
mod tests;
