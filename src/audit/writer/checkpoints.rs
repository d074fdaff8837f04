//! The writer's checkpoint side: the chain state a batch appends to (seq,
//! prev, the Merkle frontier), the records that open a segment, and what
//! follows a checkpoint on disk. See the parent module for when each is
//! written.

use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::Writer;
use crate::audit::chain::{ChainKey, Digest};
use crate::audit::checkpoint::SignedNote;
use crate::audit::merkle::Frontier;
use crate::audit::record::{Body, encode};
use crate::audit::{AuditError, Seq};

/// Where the log stands: what the next record links to and, with
/// checkpoints, the tree over every record. A batch appends in place from
/// a [`Mark`], and a refused batch rolls back to it.
#[derive(Clone)]
pub(super) struct ChainState {
    /// Named in every record (the config's `replica:`).
    pub(super) replica: Option<crate::ident::Ident>,
    pub(super) next_seq: Seq,
    pub(super) prev: Digest,
    /// Up to the records before `entries`; read it through
    /// [`ChainState::tree`].
    pub(super) tree: Option<Frontier>,
    /// Leaf entries of the records appended since the tree was last read:
    /// a batch joins the tree in one [`Frontier::push_entries`].
    pub(super) entries: Vec<Digest>,
    /// Records since the newest checkpoint (checkpoints not counted).
    pub(super) uncovered: u64,
}

impl ChainState {
    pub(super) fn append(&mut self, buf: &mut Vec<u8>, key: &ChainKey, ts: &str, body: &Body) {
        let sealed = encode(
            buf,
            key,
            self.next_seq,
            ts,
            self.replica.as_ref(),
            body,
            self.prev,
        );
        self.prev = sealed.hash;
        self.next_seq += 1;
        if self.tree.is_some() {
            self.entries.push(sealed.entry);
        }
        match body {
            Body::Checkpoint(_) => self.uncovered = 0,
            _ => self.uncovered += 1,
        }
    }

    pub(super) fn mark(&self) -> Mark {
        Mark {
            next_seq: self.next_seq,
            prev: self.prev,
            uncovered: self.uncovered,
            entries: self.entries.len(),
            tree: None,
        }
    }

    /// Back to where `mark` was taken.
    pub(super) fn roll_back(&mut self, mark: Mark) {
        self.next_seq = mark.next_seq;
        self.prev = mark.prev;
        self.uncovered = mark.uncovered;
        match mark.tree {
            Some((tree, entries)) => {
                self.tree = Some(tree);
                self.entries = entries;
            }
            None => self.entries.truncate(mark.entries),
        }
    }

    /// The tree for a checkpoint in the batch begun at `mark`, which then
    /// keeps the tree and entries as they were, for a roll-back.
    pub(super) fn tree_since(&mut self, mark: &mut Mark) -> Option<&Frontier> {
        let before = self.tree.clone()?;
        mark.tree = Some((before, self.entries[..mark.entries].to_vec()));
        self.tree()
    }

    /// The tree over every record appended so far.
    pub(super) fn tree(&mut self) -> Option<&Frontier> {
        let tree = self.tree.as_mut()?;
        if !self.entries.is_empty() {
            tree.push_entries(&self.entries);
            self.entries.clear();
        }
        Some(tree)
    }
}

/// Where a batch started, to roll back to when it is refused: the
/// scalars, how many entries waited, and (only once the batch reads the
/// tree, i.e. writes a checkpoint) the tree and entries before it.
pub(super) struct Mark {
    pub(super) next_seq: Seq,
    prev: Digest,
    uncovered: u64,
    entries: usize,
    tree: Option<(Frontier, Vec<Digest>)>,
}

impl Writer {
    /// The first records of a new segment, written and fsynced at once:
    /// the recovery record of a torn tail, then a checkpoint over every
    /// record before it (none in a new log's first segment).
    pub(super) fn write_opening(&mut self, recovery: Option<Body>) -> Result<(), AuditError> {
        let ts = crate::time::now_rfc3339();
        let mut state = self.chain.clone();
        self.buf.clear();
        if let Some(recovery) = &recovery {
            state.append(&mut self.buf, &self.key, &ts, recovery);
        }
        let note = match (&self.checkpointer, state.tree()) {
            (Some(cp), Some(tree)) if tree.size() > 0 => {
                let (body, note) = cp.record(tree, &ts);
                state.append(&mut self.buf, &self.key, &ts, &body);
                Some(note)
            }
            _ => None,
        };
        if self.buf.is_empty() {
            return Ok(());
        }
        let segment = self.segment.as_mut().expect("create_segment opened one");
        let written = segment
            .file
            .write_all(&self.buf)
            .and_then(|()| segment.file.sync_data());
        if let Err(error) = written {
            let path = segment.path.clone();
            self.segment = None;
            return Err(AuditError::io(path, error));
        }
        segment.len += self.buf.len() as u64;
        self.chain = state;
        self.shared
            .last_seq
            .store(self.chain.next_seq - 1, Ordering::Relaxed);
        if let Some(note) = note {
            self.checkpointed(note);
        }
        if let Some(retention) = &self.retention {
            let shipped = self
                .shared
                .ship
                .as_ref()
                .map(|s| s.shipped.load(Ordering::Relaxed));
            retention.sweep(&self.dir, shipped);
        }
        Ok(())
    }

    /// A checkpoint is on disk: count it, restart its timer, witness it.
    pub(super) fn checkpointed(&mut self, note: SignedNote) {
        self.last_checkpoint = Instant::now();
        self.shared
            .checkpoints_written
            .fetch_add(1, Ordering::Relaxed);
        if let Some(cp) = &self.checkpointer {
            cp.witness(note);
        }
    }

    /// When records have waited `interval` for a checkpoint.
    pub(super) fn checkpoint_deadline(&self) -> Option<Instant> {
        let cp = self.checkpointer.as_ref()?;
        (self.chain.uncovered > 0).then(|| self.last_checkpoint + cp.interval)
    }

    /// A checkpoint on its own (timer, shutdown).
    pub(super) fn commit_checkpoint(&mut self) {
        if let Err(reason) = self.write_batch(&[], true) {
            self.shared.available.store(false, Ordering::Relaxed);
            self.shared.batches_failed.fetch_add(1, Ordering::Relaxed);
            // Retried at the next deadline: records still wait for one.
            self.last_checkpoint = Instant::now();
            tracing::error!(%reason, "audit log: checkpoint not written");
        }
    }
}
