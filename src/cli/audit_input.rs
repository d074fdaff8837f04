//! What the audit commands read and write besides the log itself: the
//! replica they speak for (`--replica`, `--origin`), a keyring and a
//! signed checkpoint named on the command line, and their output file.
//! Shared by `audit`, `audit_verify` and `audit_proof`; knows none of the
//! commands.

use std::io::Write;
use std::path::Path;

use super::Error;
use crate::app::keys::{self, Need};
use crate::audit;
use crate::protect::Keyring;

/// The replica whose keys `pubkey` and `verify --keys` derive.
#[derive(clap::Args)]
pub(super) struct ReplicaArgs {
    /// The replica (the config's `replica:`; default, as there: this
    /// host's name).
    #[arg(long)]
    replica: Option<String>,
    /// The checkpoints' origin (`audit.checkpoints.origin`); default
    /// `pii-proxy/<replica>`.
    #[arg(long)]
    origin: Option<String>,
}

impl ReplicaArgs {
    pub(super) fn named(&self) -> bool {
        self.replica.is_some()
    }

    pub(super) fn config(&self) -> audit::CheckpointConfig {
        audit::CheckpointConfig {
            replica: self
                .replica
                .clone()
                .unwrap_or_else(|| crate::config::default_replica().to_string()),
            origin: self.origin.clone(),
            ..audit::CheckpointConfig::default()
        }
    }
}

/// A keyring named on the command line: one that cannot be read is
/// trouble (exit 2), as for any file named there.
pub(super) fn keyring(path: &Path) -> Result<Keyring, Error> {
    keys::keyring(path, Need::Existing)
        .map(|(keyring, _)| keyring)
        .map_err(|d| Error::Trouble(d.to_string()))
}

pub(super) fn trouble(e: audit::AuditError) -> Error {
    Error::Trouble(e.to_string())
}

/// A signed checkpoint named on the command line.
pub(super) fn read_note(path: &Path) -> Result<audit::checkpoint::SignedNote, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Trouble(format!("{}: {e}", path.display())))?;
    audit::checkpoint::SignedNote::parse(&text)
        .map_err(|e| Error::Refused(format!("{}: {e}", path.display())))
}

pub(super) fn write_out(out: Option<&Path>, text: &str) -> Result<(), Error> {
    match out {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| Error::Trouble(format!("{}: {e}", path.display()))),
        None => Ok(std::io::stdout().lock().write_all(text.as_bytes())?),
    }
}
