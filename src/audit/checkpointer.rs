//! The writer's checkpointing: when a checkpoint is due, the record it
//! appends (signed over the tree of every record before it), and handing
//! its note to the witnesses once it is on disk.
//!
//! Fails closed in the writer's way: a checkpoint is one more record of a
//! batch, so it is written with the batch or the batch is refused.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use super::AuditError;
use super::checkpoint::{Checkpoint, SignedNote, Signer, Verifier, Verifiers};
use super::config::CheckpointConfig;
use super::merkle::Frontier;
use super::record::{Body, CheckpointRecord, Ident, NoteName, SignatureBytes};
use super::witness::{Witness, Witnesses};
use crate::protect::Keyring;

pub struct Checkpointer {
    signer: Signer,
    origin: NoteName,
    replica: Ident,
    pub(super) every_records: u64,
    pub(super) interval: Duration,
    witnesses: Option<Witnesses>,
    pending_witnesses: Vec<Box<dyn Witness>>,
}

impl std::fmt::Debug for Checkpointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Checkpointer({:?})", self.signer)
    }
}

fn config_error(what: &str) -> AuditError {
    AuditError::Config(format!("checkpoints: {what}"))
}

/// The note name of the key that signs `replica`'s checkpoints with
/// keyring key `kid`.
fn key_name(origin: &str, kid: &str) -> String {
    format!("{origin}/{kid}")
}

impl Checkpointer {
    /// Signs with the keyring's active key for the configured replica.
    pub fn from_keyring(
        config: &CheckpointConfig,
        keyring: &Keyring,
        witnesses: Vec<Box<dyn Witness>>,
    ) -> Result<Checkpointer, AuditError> {
        let origin = config.origin();
        let kid = keyring.active_kid();
        let seed = keyring
            .audit_signing_seed(kid, &config.replica)
            .map_err(|e| config_error(&e.to_string()))?;
        let signer = Signer::from_seed(key_name(&origin, kid), &seed);
        Checkpointer::new(config, signer, witnesses)
    }

    pub fn new(
        config: &CheckpointConfig,
        signer: Signer,
        witnesses: Vec<Box<dyn Witness>>,
    ) -> Result<Checkpointer, AuditError> {
        let origin = NoteName::parse(&config.origin()).map_err(|_| config_error("bad origin"))?;
        let replica = Ident::new(&config.replica).map_err(|_| config_error("bad replica"))?;
        NoteName::parse(signer.name()).map_err(|_| config_error("bad key name"))?;
        Ok(Checkpointer {
            signer,
            origin,
            replica,
            every_records: config.every_records.max(1),
            interval: config.interval,
            witnesses: None,
            pending_witnesses: witnesses,
        })
    }

    /// Starts the witness threads (on the writer's start).
    pub(super) fn start_witnesses(&mut self, failures: Arc<AtomicU64>) {
        let witnesses = std::mem::take(&mut self.pending_witnesses);
        if !witnesses.is_empty() {
            self.witnesses = Some(Witnesses::start(witnesses, failures));
        }
    }

    /// The replica whose key signs (named by every record it writes).
    pub(super) fn replica(&self) -> &Ident {
        &self.replica
    }

    /// The checkpoint record over `tree` at time `ts`, and its note.
    pub(super) fn record(&self, tree: &Frontier, ts: &str) -> (Body, SignedNote) {
        let checkpoint = Checkpoint {
            origin: self.origin.as_str().to_owned(),
            size: tree.size(),
            root: tree.root(),
            hash: tree.hash(),
            replica: self.replica.to_string(),
            time: ts.to_owned(),
        };
        let signature = self.signer.sign(&checkpoint);
        let key = NoteName::parse(self.signer.name()).expect("checked in new");
        let body = Body::Checkpoint(CheckpointRecord {
            origin: self.origin.clone(),
            tree_size: checkpoint.size,
            root: checkpoint.root,
            tree_hash: checkpoint.hash,
            key: key.clone(),
            signature: SignatureBytes::new(signature.clone()),
            frontier: tree.nodes().to_vec(),
        });
        let note = SignedNote {
            checkpoint,
            signatures: vec![(key.as_str().to_owned(), signature)],
        };
        (body, note)
    }

    /// Someone outside the log is told of its checkpoints: each must then
    /// be on disk first, or a crash could leave the log shorter than what a
    /// witness holds (a false alarm of truncation).
    pub(super) fn has_witnesses(&self) -> bool {
        self.witnesses.is_some() || !self.pending_witnesses.is_empty()
    }

    /// Hands a checkpoint that is on disk to every witness.
    pub(super) fn witness(&self, note: SignedNote) {
        if let Some(witnesses) = &self.witnesses {
            witnesses.send(note);
        }
    }
}

/// The note a checkpoint record states: its replica line is the record's
/// `replica` and its time the record's `ts`.
pub fn note_of(record: &CheckpointRecord, replica: Option<&Ident>, ts: &str) -> SignedNote {
    SignedNote {
        checkpoint: Checkpoint {
            origin: record.origin.as_str().to_owned(),
            size: record.tree_size,
            root: record.root,
            hash: record.tree_hash,
            replica: replica
                .map_or(super::config::SINGLE_REPLICA, Ident::as_str)
                .to_owned(),
            time: ts.to_owned(),
        },
        signatures: vec![(
            record.key.as_str().to_owned(),
            record.signature.bytes().to_vec(),
        )],
    }
}

/// Every public key of `replica`'s checkpoints the keyring can derive
/// (one per keyring key: rotation keeps the older ones verifying).
pub fn verifiers_from_keyring(keyring: &Keyring, config: &CheckpointConfig) -> Verifiers {
    verifiers_for(keyring, &config.replica, &config.origin())
}

/// The public keys `replica` signs `origin`'s checkpoints with, one per
/// keyring key.
pub fn verifiers_for(keyring: &Keyring, replica: &str, origin: &str) -> Verifiers {
    let keys: Vec<Verifier> = keyring
        .kids()
        .filter_map(|kid| {
            let seed = keyring.audit_signing_seed(kid, replica).ok()?;
            Some(Signer::from_seed(key_name(origin, kid), &seed).verifier())
        })
        .collect();
    Verifiers::new(keys)
}
