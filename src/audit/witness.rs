//! Witnesses: somewhere outside the log that keeps its checkpoints, so
//! that a rewrite of the whole log (and the signing key with it) is still
//! caught by `audit verify --checkpoint <what the witness kept>`.
//!
//! [`Witness`] is the one interface; this module implements the file
//! witness, `net::witness` the HTTP one (it needs the network client), and
//! the cluster's NATS stream can be one more implementation. Each witness
//! runs on its own thread fed by a channel, so a slow or dead witness never
//! holds up the writer: it is handed the newest checkpoint (older ones
//! still queued are skipped, the newest covers them), and a failure is
//! logged and counted (`audit_witness_failures_total`) and retried with
//! the next checkpoint.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};

use super::checkpoint::SignedNote;

/// Something that keeps checkpoints. `submit` may block (it runs on the
/// witness's own thread); `Err` says why the checkpoint was not kept,
/// without any value from a record (there is none in a checkpoint).
pub trait Witness: Send + 'static {
    /// For logs: `file:/path`, `https://host/…`.
    fn name(&self) -> String;
    fn submit(&mut self, note: &SignedNote) -> Result<(), String>;
}

/// Keeps the latest checkpoint in one file, replaced atomically (written
/// beside it, fsynced, renamed). Refuses a checkpoint of another origin or
/// of a smaller tree than the one it holds: that is the log being rewound,
/// and the file keeps the evidence.
pub struct FileWitness {
    path: PathBuf,
}

impl FileWitness {
    pub fn new(path: PathBuf) -> FileWitness {
        FileWitness { path }
    }

    fn held(&self) -> Option<SignedNote> {
        let text = fs::read_to_string(&self.path).ok()?;
        SignedNote::parse(&text).ok()
    }
}

impl Witness for FileWitness {
    fn name(&self) -> String {
        format!("file:{}", self.path.display())
    }

    fn submit(&mut self, note: &SignedNote) -> Result<(), String> {
        if let Some(held) = self.held() {
            let (old, new) = (&held.checkpoint, &note.checkpoint);
            if old.origin != new.origin {
                return Err(format!(
                    "holds a checkpoint of origin `{}`, refuses one of `{}`",
                    old.origin, new.origin
                ));
            }
            if new.size < old.size || (new.size == old.size && new.root != old.root) {
                return Err(format!(
                    "holds a tree of {} records; refuses one of {} with another root: the log was rewound or rewritten",
                    old.size, new.size
                ));
            }
        }
        let tmp = self.path.with_extension("tmp");
        let write = || -> std::io::Result<()> {
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                crate::secret_file::create_private_dir(dir)?;
            }
            let mut file = crate::secret_file::private_options()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)?;
            file.write_all(note.to_string().as_bytes())?;
            file.sync_all()?;
            fs::rename(&tmp, &self.path)
        };
        write().map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

/// The writer's side: one channel per witness thread.
pub(super) struct Witnesses {
    senders: Vec<Sender<Arc<SignedNote>>>,
}

impl Witnesses {
    pub(super) fn start(witnesses: Vec<Box<dyn Witness>>, failures: Arc<AtomicU64>) -> Witnesses {
        let mut senders = Vec::new();
        for witness in witnesses {
            let (tx, rx) = mpsc::channel();
            let failures = failures.clone();
            let spawned = std::thread::Builder::new()
                .name("audit-witness".into())
                .spawn(move || run(witness, rx, failures));
            match spawned {
                Ok(_) => senders.push(tx),
                Err(error) => tracing::error!(%error, "audit witness thread did not start"),
            }
        }
        Witnesses { senders }
    }

    pub(super) fn send(&self, note: SignedNote) {
        let note = Arc::new(note);
        for sender in &self.senders {
            let _ = sender.send(note.clone());
        }
    }
}

/// Ends when the writer drops its sender (after its last checkpoint).
fn run(mut witness: Box<dyn Witness>, rx: Receiver<Arc<SignedNote>>, failures: Arc<AtomicU64>) {
    while let Ok(mut note) = rx.recv() {
        while let Ok(newer) = rx.try_recv() {
            note = newer;
        }
        if let Err(reason) = witness.submit(&note) {
            failures.fetch_add(1, Ordering::Relaxed);
            tracing::error!(
                witness = %witness.name(),
                tree_size = note.checkpoint.size,
                %reason,
                "audit checkpoint not kept by its witness"
            );
        }
    }
}
