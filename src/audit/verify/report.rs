//! What `verify` reports: the walk's counts and head, and the first broken
//! record with the kind of break, each said as what probably happened to
//! the log (deleted, reordered, inserted, edited, truncated, rewritten).
//!
//! It knows nothing of how the chain is walked. The words name seqs, line
//! numbers and sizes, never a record's content.

use std::fmt;
use std::path::PathBuf;

use crate::audit::Seq;
use crate::audit::chain::{ChainHash, Digest};

/// The result of a walk: counts, the head, torn tails that the writer
/// recorded, and the first problem if any.
#[derive(Debug, Clone)]
pub struct Report {
    pub files: usize,
    pub records: u64,
    pub first_seq: Option<Seq>,
    pub last_seq: Option<Seq>,
    /// Hash of the last record.
    pub head: Option<Digest>,
    /// Torn lines followed by a matching recovery record.
    pub recovered: Vec<(PathBuf, u64)>,
    pub problem: Option<Problem>,
    pub keyed: bool,
    /// The chain's function.
    pub hash: ChainHash,
    /// Checkpoint records held to the tree.
    pub checkpoints: u64,
    pub signatures_checked: bool,
    /// Seq the tree check started at (1, or the oldest retained checkpoint).
    pub tree_start: Option<Seq>,
    /// Records after the newest checkpoint.
    pub uncovered: u64,
    /// The `--checkpoint` given was proven: (tree size, root).
    pub proven: Option<(u64, Digest)>,
}

impl Report {
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// The first broken record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line number.
    pub line: u64,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not a sealed audit record (no hash member, or invalid JSON/fields).
    Malformed(String),
    /// The hash does not match the line's content.
    Edited,
    /// A seq gap: records `expected..found` are gone.
    Missing { expected: Seq, found: Seq },
    /// A seq gap whose missing record appears later in the same file.
    Reordered {
        expected: Seq,
        found: Seq,
        expected_at: u64,
    },
    /// A seq at or below one already seen.
    Repeated { expected: Seq, found: Seq },
    /// `prev` is not the previous record's hash.
    PrevMismatch,
    /// The first record is not the genesis record.
    NotGenesis { found: Seq },
    /// The log ends in a torn line.
    TornTail { bytes: u64 },
    /// A torn line inside the log with no recovery record after it.
    UnrecordedTorn { bytes: u64 },
    /// A recovery record that names a torn line which is not there.
    StrayRecovery,
    /// A checkpoint whose size, root or frontier the records before it do
    /// not give.
    CheckpointMismatch { tree_size: u64 },
    /// A checkpoint whose signature does not verify.
    BadCheckpoint(String),
    /// The log ends before the size of the checkpoint given.
    Truncated { have: u64, covers: u64 },
    /// The log reaches the size of the checkpoint given with another root.
    Rewritten { size: u64 },
    /// The checkpoint given is older than the oldest retained checkpoint.
    CheckpointTooOld { covers: u64, start: u64 },
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::Malformed(why) => write!(f, "not a valid audit record: {why}"),
            ProblemKind::Edited => f.write_str("record edited: its hash does not match its content"),
            ProblemKind::Missing { expected, found } => write_missing(f, *expected, *found),
            ProblemKind::Reordered {
                expected,
                found,
                expected_at,
            } => write!(
                f,
                "seq {found} where {expected} was expected: records reordered (seq {expected} is at line {expected_at})"
            ),
            ProblemKind::Repeated { expected, found } => write!(
                f,
                "seq {found} where {expected} was expected: a record was inserted, duplicated or moved here"
            ),
            ProblemKind::PrevMismatch => f.write_str(
                "prev is not the hash of the record before it: a record was inserted or replaced here",
            ),
            ProblemKind::NotGenesis { found } => write!(
                f,
                "the chain starts at seq {found}, not at the genesis record: earlier segments are missing (--partial checks a later part of the log)"
            ),
            ProblemKind::TornTail { bytes } => write!(
                f,
                "torn last line ({bytes} bytes without a newline): the writer stopped mid-write or the file was truncated; the next writer start records the recovery"
            ),
            ProblemKind::UnrecordedTorn { bytes } => write!(
                f,
                "torn line ({bytes} bytes without a newline) not followed by the writer's recovery record: the file was truncated"
            ),
            ProblemKind::StrayRecovery => f.write_str(
                "recovery record names a torn line that is not there: a segment was edited, replaced or removed",
            ),
            ProblemKind::CheckpointMismatch { tree_size } => write!(
                f,
                "the checkpoint over {tree_size} records does not match the records before it: one of them was edited and the chain rebuilt, or the checkpoint was altered"
            ),
            ProblemKind::BadCheckpoint(why) => write!(f, "checkpoint signature: {why}"),
            ProblemKind::Truncated { have, covers } => write!(
                f,
                "the log ends after {have} records, but the checkpoint given covers {covers}: records were cut from the end or the newest segments deleted"
            ),
            ProblemKind::Rewritten { size } => write!(
                f,
                "the log's first {size} records do not give the root of the checkpoint given: the log was rewritten"
            ),
            ProblemKind::CheckpointTooOld { covers, start } => write!(
                f,
                "the checkpoint given covers {covers} records, fewer than the oldest retained checkpoint ({start}): retention removed what it would prove; give a newer one"
            ),
        }
    }
}

/// Records `expected..found` are not there: one, or a run of them.
fn write_missing(f: &mut fmt::Formatter<'_>, expected: u64, found: u64) -> fmt::Result {
    if found - expected == 1 {
        write!(
            f,
            "seq {found} where {expected} was expected: record {expected} was deleted or truncated away"
        )
    } else {
        write!(
            f,
            "seq {found} where {expected} was expected: records {expected}..{} were deleted or truncated away",
            found - 1
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.kind)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(problem) = &self.problem {
            writeln!(f, "{problem}")?;
            if !self.keyed && problem.kind == ProblemKind::Edited && self.records == 0 {
                writeln!(
                    f,
                    "note: if this log was written with `keyed_chain: true`, pass --keys"
                )?;
            }
            return writeln!(
                f,
                "BROKEN: {} records verified before the problem",
                self.records
            );
        }
        for (file, line) in &self.recovered {
            writeln!(
                f,
                "note: {}:{line}: torn line after a crash, recorded by the writer's recovery record",
                file.display()
            )?;
        }
        if let Some(start) = self.tree_start.filter(|s| *s > 1) {
            writeln!(
                f,
                "note: the tree is checked from the checkpoint at seq {start} (older segments removed by retention)"
            )?;
        }
        if self.uncovered > 0 && self.checkpoints > 0 {
            writeln!(
                f,
                "note: the last {} records follow the newest checkpoint (written since, or the log was cut there): prove the length with --checkpoint and a witness's copy",
                self.uncovered
            )?;
        }
        if let Some((size, root)) = self.proven {
            writeln!(
                f,
                "checkpoint given: the log holds its {size} records with root {root}"
            )?;
        }
        let chain = match (self.hash, self.keyed) {
            (ChainHash::Sha256, false) => "SHA-256",
            (ChainHash::Sha256, true) => "HMAC-SHA256",
            (ChainHash::Sm3, false) => "SM3",
            (ChainHash::Sm3, true) => "HMAC-SM3",
        };
        let signatures = if self.signatures_checked {
            "signatures verified"
        } else {
            "signatures not checked (pass --pubkey or --keys)"
        };
        match (self.first_seq, self.last_seq, self.head) {
            (Some(first), Some(last), Some(head)) => writeln!(
                f,
                "OK: {} records in {} files, seq {first}..{last}, {chain} chain intact, {} checkpoints match the tree ({signatures}), head {head}",
                self.records, self.files, self.checkpoints
            ),
            _ => writeln!(f, "OK: no records in {} files", self.files),
        }
    }
}
