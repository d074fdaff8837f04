//! The tree side of `verify`: rebuilds the Merkle tree record by record
//! and holds every checkpoint record to it (size, root, frontier, and the
//! signature when keys are given), and proves a checkpoint kept elsewhere
//! (`--checkpoint`): the log must still hold that many records with that
//! root, so a cut tail, a deleted newest segment or a rewritten log fails.
//!
//! The tree starts at the genesis record, or, where retention removed the
//! oldest segments, at the first checkpoint record (its frontier, which
//! must give its root): records before it are checked by the chain alone.

use super::ProblemKind;
use crate::audit::Seq;
use crate::audit::chain::Digest;
use crate::audit::checkpoint::{SignedNote, Verifiers};
use crate::audit::checkpointer::{note_of, verifiers_for};
use crate::audit::merkle::{Frontier, TreeHash};
use crate::audit::record::{Body, CheckpointRecord, Record};
use crate::protect::Keyring;
use std::collections::HashMap;

pub(super) struct TreeCheck<'a> {
    /// The chain's function, which the tree and its checkpoints must use.
    hash: TreeHash,
    verifiers: Option<&'a Verifiers>,
    keyring: Option<&'a Keyring>,
    /// Keys derived from `keyring`, by (replica, origin).
    derived: HashMap<(String, String), Verifiers>,
    target: Option<&'a SignedNote>,
    tree: Option<Frontier>,
    /// Seq of the record the tree check started at.
    pub(super) start: Option<Seq>,
    pub(super) checkpoints: u64,
    /// Records after the newest checkpoint (checkpoints not counted).
    pub(super) uncovered: u64,
    pub(super) target_proven: bool,
}

impl<'a> TreeCheck<'a> {
    pub(super) fn new(
        hash: TreeHash,
        verifiers: Option<&'a Verifiers>,
        keyring: Option<&'a Keyring>,
        target: Option<&'a SignedNote>,
    ) -> TreeCheck<'a> {
        TreeCheck {
            hash,
            verifiers,
            keyring,
            derived: HashMap::new(),
            target,
            tree: None,
            start: None,
            checkpoints: 0,
            uncovered: 0,
            target_proven: false,
        }
    }

    pub(super) fn size(&self) -> u64 {
        self.tree.as_ref().map_or(0, Frontier::size)
    }

    /// Takes the next record (already chain-checked) and its leaf entry.
    pub(super) fn record(&mut self, record: &Record, entry: &Digest) -> Result<(), ProblemKind> {
        if self.tree.is_none() {
            let start = match &record.body {
                Body::Checkpoint(cp) => {
                    Frontier::from_parts(cp.tree_hash, cp.tree_size, cp.frontier.clone())
                        .filter(|f| {
                            f.hash() == self.hash
                                && f.root() == cp.root
                                && cp.tree_size + 1 == record.seq
                        })
                        .ok_or(ProblemKind::CheckpointMismatch {
                            tree_size: cp.tree_size,
                        })?
                }
                _ if record.seq == 1 => Frontier::new(self.hash),
                // Before the first retained checkpoint: the chain alone.
                _ => return Ok(()),
            };
            self.tree = Some(start);
            self.start = Some(record.seq);
        }
        self.prove_target()?;
        if let Body::Checkpoint(cp) = &record.body {
            self.checkpoint(cp, record.replica.as_ref(), &record.ts)?;
        } else {
            self.uncovered += 1;
        }
        self.tree.as_mut().expect("set above").push_entry(entry);
        self.prove_target()
    }

    fn checkpoint(
        &mut self,
        cp: &CheckpointRecord,
        replica: Option<&crate::ident::Ident>,
        ts: &str,
    ) -> Result<(), ProblemKind> {
        let tree = self.tree.as_ref().expect("set before");
        if tree.size() != cp.tree_size
            || cp.tree_hash != tree.hash()
            || tree.root() != cp.root
            || tree.nodes() != cp.frontier
        {
            return Err(ProblemKind::CheckpointMismatch {
                tree_size: cp.tree_size,
            });
        }
        let note = note_of(cp, replica, ts);
        let keys = match (self.verifiers, self.keyring) {
            (Some(keys), _) => Some(keys),
            (None, Some(keyring)) => {
                let named = (
                    note.checkpoint.replica.clone(),
                    note.checkpoint.origin.clone(),
                );
                Some(
                    &*self
                        .derived
                        .entry(named)
                        .or_insert_with_key(|(replica, origin)| {
                            verifiers_for(keyring, replica, origin)
                        }),
                )
            }
            (None, None) => None,
        };
        if let Some(keys) = keys {
            note.verify(keys)
                .map_err(|e| ProblemKind::BadCheckpoint(e.to_string()))?;
        }
        self.checkpoints += 1;
        self.uncovered = 0;
        Ok(())
    }

    fn prove_target(&mut self) -> Result<(), ProblemKind> {
        let (Some(target), Some(tree)) = (self.target, &self.tree) else {
            return Ok(());
        };
        let covers = target.checkpoint.size;
        if self.target_proven || tree.size() != covers {
            return Ok(());
        }
        if tree.root() != target.checkpoint.root {
            return Err(ProblemKind::Rewritten { size: covers });
        }
        self.target_proven = true;
        Ok(())
    }

    /// At the end of the walk: the checkpoint given must have been reached.
    pub(super) fn finish(&self) -> Result<(), ProblemKind> {
        let Some(target) = self.target else {
            return Ok(());
        };
        if self.target_proven {
            return Ok(());
        }
        let covers = target.checkpoint.size;
        match (&self.tree, self.start) {
            (Some(tree), Some(start)) if start > 1 && covers < tree.size() => {
                Err(ProblemKind::CheckpointTooOld {
                    covers,
                    start: start - 1,
                })
            }
            _ => Err(ProblemKind::Truncated {
                have: self.size(),
                covers,
            }),
        }
    }
}
