//! `pii-proxy audit checkpoint | prove | check-proof`: the newest signed
//! checkpoint as a witness keeps it, inclusion and consistency proofs
//! written from the segments, and a proof file checked with nothing but
//! the public key.
//!
//! It knows nothing of how a proof is built or checked (`audit::proof`).
//! A proof that does not check, or a log with no checkpoint, is refused
//! (exit 1); a file that cannot be read is trouble (exit 2).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Error;
use super::audit_input::{read_note, trouble, write_out};
use crate::audit;

/// `checkpoint`: the newest signed checkpoint, or refused when none is.
pub(super) fn latest_checkpoint(files: &[PathBuf]) -> Result<(), Error> {
    match audit::proof::latest_checkpoint(files).map_err(trouble)? {
        Some(note) => write_out(None, &note.to_string()),
        None => Err(Error::Refused("the log holds no checkpoint yet".into())),
    }
}

/// `prove`: an inclusion proof for request `id`, or a consistency proof
/// from the checkpoint in file `consistency`.
pub(super) fn prove(
    id: Option<String>,
    consistency: Option<PathBuf>,
    out: Option<&Path>,
    files: &[PathBuf],
) -> Result<(), Error> {
    let json = match (id, consistency) {
        (Some(id), _) => {
            serde_json::to_string_pretty(&audit::proof::prove(files, &id).map_err(proof_error)?)
        }
        (None, Some(old)) => serde_json::to_string_pretty(
            &audit::proof::prove_consistency(files, &read_note(&old)?).map_err(proof_error)?,
        ),
        (None, None) => return Err(Error::Trouble("give --id or --consistency".into())),
    }
    .expect("proofs serialize");
    write_out(out, &format!("{json}\n"))
}

fn proof_error(e: audit::proof::ProofError) -> Error {
    match e {
        audit::proof::ProofError::Audit(e) => trouble(e),
        other => Error::Refused(other.to_string()),
    }
}

pub(super) fn check_proof(file: &Path, pubkey: &str) -> Result<(), Error> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::Trouble(format!("{}: {e}", file.display())))?;
    let keys = audit::proof::verifiers_arg(pubkey).map_err(Error::Trouble)?;
    let checked = audit::proof::check(&text, &keys)
        .map_err(|e| Error::Refused(format!("{}: {e}", file.display())))?;
    let mut out = std::io::stdout().lock();
    match checked {
        audit::proof::Checked::Inclusion {
            seq,
            record,
            tree_size,
            key,
            time,
        } => writeln!(
            out,
            "OK: record seq {seq} ({}) is in the tree of {tree_size} records signed by {key} at {time}",
            describe(&record)
        )?,
        audit::proof::Checked::Consistency { old, new, key } => writeln!(
            out,
            "OK: the tree of {new} records signed by {key} extends the tree of {old} records"
        )?,
    }
    Ok(())
}

fn describe(record: &audit::Record) -> String {
    match &record.body {
        audit::Body::Share(s) => format!("share {} to {} at {}", s.id, s.partner, record.ts),
        audit::Body::ShareSubjects(s) => format!("share {} subjects part {}", s.id, s.part),
        audit::Body::Outcome(o) => format!("outcome {} from {}", o.id, o.partner),
        audit::Body::Blocked(b) => format!("blocked {} ({})", b.id, b.reason),
        audit::Body::Admin(a) => format!("admin {}", a.action),
        audit::Body::Recovery(_) => "recovery".into(),
        audit::Body::Checkpoint(c) => format!("checkpoint over {}", c.tree_size),
    }
}
