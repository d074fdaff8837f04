//! The writer's current segment: opened after the log's tail is read back
//! (the chain and tree continue from disk), rotated by size or age, created
//! under a fresh name, and fsynced with the time each fsync took.
//!
//! It knows nothing of batches or checkpoints beyond writing a segment's
//! opening records. A failed open or rotation is refused at once for
//! [`RETRY_AFTER`] and then retried; a failed fsync gives the segment up,
//! since its end is no longer trusted.

use std::fs::File;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

use time::OffsetDateTime;

use super::checkpoints::ChainState;
use super::{RETRY_AFTER, Writer};
use crate::audit::AuditError;
use crate::audit::chain::GENESIS;
use crate::audit::config::FsyncPolicy;
use crate::audit::record::Body;
use crate::audit::segment::segment_name;
use crate::audit::tail::read_tail;

pub(super) struct Segment {
    pub(super) file: File,
    pub(super) path: PathBuf,
    pub(super) len: u64,
    pub(super) opened: Instant,
}

impl Writer {
    /// Makes sure a segment is open and not due for rotation.
    pub(super) fn ensure_segment(&mut self) -> Result<(), String> {
        if let Some(segment) = &self.segment {
            if !self.rotation_due(segment) {
                return Ok(());
            }
            if self.unsynced_since.is_some() || self.fsync == FsyncPolicy::Always {
                self.sync()?;
            }
            self.segment = None;
            return self
                .create_segment()
                .and_then(|()| self.write_opening(None))
                .map_err(|e| self.fail_open(e.to_string()));
        }
        if let Some((at, reason)) = &self.retry {
            if Instant::now() < *at {
                return Err(reason.clone());
            }
        }
        self.open_segment()
            .map_err(|e| self.fail_open(e.to_string()))
    }

    fn fail_open(&mut self, reason: String) -> String {
        self.retry = Some((Instant::now() + RETRY_AFTER, reason.clone()));
        reason
    }

    fn rotation_due(&self, segment: &Segment) -> bool {
        segment.len > 0
            && ((self.rotate_bytes > 0 && segment.len >= self.rotate_bytes)
                || (!self.rotate_interval.is_zero()
                    && segment.opened.elapsed() >= self.rotate_interval))
    }

    /// Continues the chain from what is on disk: reads the tail (back to
    /// the newest checkpoint, for the tree), opens a new segment, and
    /// writes its opening records.
    pub(in crate::audit) fn open_segment(&mut self) -> Result<(), AuditError> {
        let tail = read_tail(&self.dir, &self.key, self.checkpointer.is_some())?;
        let (next_seq, prev) = match tail.last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS),
        };
        self.chain = ChainState {
            replica: self.chain.replica.take(),
            next_seq,
            prev,
            tree: tail.tree,
            entries: Vec::new(),
            uncovered: tail.uncovered,
        };
        self.shared
            .last_seq
            .store(self.chain.next_seq - 1, Ordering::Relaxed);
        self.create_segment()?;
        self.retry = None;
        if let Some(recovery) = &tail.torn {
            tracing::warn!(
                segment = %recovery.torn_segment,
                line = recovery.torn_line,
                "audit log: torn last line found; recording the recovery in a new segment"
            );
        }
        self.write_opening(tail.torn.map(Body::Recovery))
    }

    /// Creates a new, empty segment for `next_seq` and makes it current.
    fn create_segment(&mut self) -> Result<(), AuditError> {
        let now = OffsetDateTime::now_utc();
        for attempt in 0..100 {
            let path = self
                .dir
                .join(segment_name(self.chain.next_seq, now, attempt));
            let opened = crate::secret_file::private_options()
                .append(true)
                .create_new(true)
                .open(&path);
            match opened {
                Ok(file) => {
                    if self.fsync != FsyncPolicy::Off {
                        sync_dir(&self.dir)?;
                    }
                    self.segment = Some(Segment {
                        file,
                        path,
                        len: 0,
                        opened: Instant::now(),
                    });
                    return Ok(());
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(AuditError::io(path, e)),
            }
        }
        Err(AuditError::Unavailable(format!(
            "{}: no free segment name for seq {}",
            self.dir.display(),
            self.chain.next_seq
        )))
    }

    pub(super) fn sync_deadline(&self) -> Option<Instant> {
        self.unsynced_since.map(|since| since + self.fsync_interval)
    }

    /// fsyncs the current segment; on failure gives the segment up (the
    /// page cache may have dropped the data, so its end is not trusted).
    pub(super) fn sync(&mut self) -> Result<(), String> {
        self.unsynced_since = None;
        let Some(segment) = &self.segment else {
            return Ok(());
        };
        let started = Instant::now();
        match segment.file.sync_data() {
            Ok(()) => {
                let took = started.elapsed();
                let us = took.as_micros().min(u64::MAX as u128 - 1) as u64;
                self.shared.last_fsync_us.store(us + 1, Ordering::Relaxed);
                if let Some(observe) = self.shared.fsync_observer.get() {
                    observe(took);
                }
                Ok(())
            }
            Err(error) => {
                let reason = format!("{}: fsync failed: {error}", segment.path.display());
                self.segment = None;
                Err(reason)
            }
        }
    }

    /// The `fsync: batch` timer: the records were acknowledged already.
    pub(super) fn sync_after_ack(&mut self) {
        if let Err(reason) = self.sync() {
            self.shared.available.store(false, Ordering::Relaxed);
            tracing::error!(%reason, "audit log: fsync of acknowledged records failed");
        }
    }
}

/// Makes a new segment's directory entry durable.
fn sync_dir(dir: &Path) -> Result<(), AuditError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| AuditError::io(dir, e))
}
