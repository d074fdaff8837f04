//! The audit log: one tamper-evident record for every share event.
//!
//! Owns: the record types (`share`, `outcome`, `blocked`, `admin`, and the
//! writer's own `recovery`), their canonical bytes and the hash chain that
//! links them, the writer (one thread owning the file, group commit, fsync
//! policy, size- and time-based segments, recovery after a crash), `verify`,
//! the investigator views `search` and `stats`, and what the log knows of
//! its shipping to NATS ([`shipping`]: settings, the shipped position,
//! progress; the shipping itself is `crate::ship`).
//!
//! Knows nothing of HTTP or JSON payloads: the proxy hands it typed fields
//! (labels from the config, a sanitized path, a keyed subject hash, findings
//! made of JSON paths, categories and actions). No type here can hold a raw
//! personal value: every string field is built through a constructor that
//! refuses or blanks what could carry one (see [`record`]).
//!
//! Fails closed: [`AuditHandle::append`] resolves `Ok(seq)` only once the
//! record is written to the segment file (and fsynced under `fsync: always`).
//! Any write, fsync or open error resolves to [`AuditError::Unavailable`],
//! and the proxy then answers 503 `audit_unavailable` and forwards nothing.
//! The converse can happen (a record on disk for a request that got a 503,
//! when the fsync after a successful write fails); a forwarded request with
//! no record cannot.
//!
//! On-disk format (JSON Lines, one record a line) and the chain are defined
//! in [`chain`]; segment naming and ordering in [`segment`].

pub(crate) mod chain;
pub mod checkpoint;
mod checkpointer;
pub(crate) mod config;
pub(crate) mod fields;
mod handle;
pub mod merkle;
pub mod proof;
pub(crate) mod record;
pub mod report;
pub mod retention;
pub(crate) mod search;
pub mod segment;
pub mod shipping;
mod tail;
pub(crate) mod verify;
pub(crate) mod witness;
pub(crate) mod writer;

use std::path::PathBuf;

pub use chain::{ChainHash, ChainKey, Digest};
pub use checkpointer::{Checkpointer, note_of, verifiers_for, verifiers_from_keyring};
pub use config::{
    AuditConfig, CheckpointConfig, FsyncPolicy, NatsWitnessConfig, SINGLE_REPLICA, WitnessConfig,
};
pub use handle::{AuditHandle, AuditStats};
pub use record::{
    Admin, AuditPath, Blocked, Body, CandidateSummary, CheckpointRecord, Consent, DisplayName,
    Event, ExportBasis, FieldPath, Finding, Ident, NoteName, Outcome, Record, Recovery,
    RulesVersion, Share, ShareSubjects, SubjectHash, SubjectHasher,
};
pub use search::{PartnerStats, SearchQuery, ShareEvent, Stats, search, stats};
pub use verify::{Problem, ProblemKind, Report, VerifyOptions, verify};
pub use witness::{FileWitness, Witness};

/// A record's sequence number: 1 for the genesis record, then +1 per record,
/// across segments and restarts.
pub type Seq = u64;

/// Everything the audit module can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The writer could not accept the record (write, fsync or open failed,
    /// or the log was shut down). The proxy answers 503 `audit_unavailable`.
    #[error("audit log unavailable: {0}")]
    Unavailable(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file that should hold audit records holds something else; the
    /// writer refuses to continue a chain it cannot trust.
    #[error(
        "{path}:{line}: {message} (run `pii-proxy audit verify` on the audit directory; move a damaged segment aside only after investigating it)"
    )]
    Corrupt {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// A value given to a record constructor could carry personal data or
    /// is not in the expected shape. The value itself is never repeated.
    #[error("invalid audit {field}: {reason}")]
    InvalidField {
        field: &'static str,
        reason: &'static str,
    },
    #[error("audit config: {0}")]
    Config(String),
    /// Another process writes this directory's chain.
    #[error("the audit directory is in use: {0}")]
    Locked(crate::lockfile::LockError),
}

impl AuditError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        AuditError::Io {
            path: path.into(),
            source,
        }
    }
}
