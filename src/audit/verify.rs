//! `verify`: walks the chain over segment files and names the first broken
//! record by file and line.
//!
//! Checks, record by record: the line ends in a hash member; the hash
//! matches the canonical bytes (else: edited); the line is a valid record;
//! seq is the previous seq + 1 (else: deleted/truncated, reordered, or
//! inserted); prev is the previous hash (else: inserted or replaced); the
//! first record is the genesis (unless `partial`). A torn line (bytes after
//! the last newline of a segment) is accepted only when the next record is
//! the writer's `recovery` record naming that segment, line and byte count;
//! a torn tail at the very end of the log is always reported.
//!
//! The Merkle tree is rebuilt beside the chain and every checkpoint record
//! held to it ([`tree`]): a record edited with the chain rebuilt after it
//! no longer gives the signed root. What the log alone cannot show is a
//! tail cut at a line boundary or a deleted newest segment; `--checkpoint`
//! (a checkpoint a witness kept) proves the log still holds everything it
//! covers. The report prints the head and how many records follow the
//! newest checkpoint.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::chain::{ChainKey, Digest, GENESIS, split_line};
use super::checkpoint::{SignedNote, Verifiers};
use super::record::{Body, Record, json_error};
use super::segment::{expand, file_name, read_segment, split_lines};
use super::{AuditError, Seq};

mod report;
mod tree;

pub use report::{Problem, ProblemKind, Report};

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// `ChainKey::Keyed` for a log written with `keyed_chain: true`.
    pub key: ChainKey,
    /// Accept a first record that is not the genesis (any later part of
    /// the log). A log whose oldest segments retention removed needs no
    /// flag: it starts at a checkpoint.
    pub partial: bool,
    /// Public keys: every checkpoint's signature is checked.
    pub verifiers: Option<Verifiers>,
    /// The keyring itself: every checkpoint's signature is checked against
    /// the keys it derives for the replica and origin the checkpoint names
    /// (a log several replicas wrote, or whose replica is not known).
    pub keyring: Option<std::sync::Arc<crate::protect::Keyring>>,
    /// A checkpoint kept elsewhere that the log must still contain.
    pub checkpoint: Option<SignedNote>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            key: ChainKey::Plain,
            partial: false,
            verifiers: None,
            keyring: None,
            checkpoint: None,
        }
    }
}

/// Verifies the chain over `inputs` (segment files or directories, see
/// [`expand`]). `Err` only when a file cannot be read.
pub fn verify(inputs: &[PathBuf], options: &VerifyOptions) -> Result<Report, AuditError> {
    let files = expand(inputs)?;
    let mut walk = Walk {
        options,
        expected: None,
        prev: GENESIS,
        torn: None,
        tree: tree::TreeCheck::new(
            options.key.tree_hash(),
            options.verifiers.as_ref(),
            options.keyring.as_deref(),
            options.checkpoint.as_ref(),
        ),
        last_at: None,
        report: Report {
            files: files.len(),
            records: 0,
            first_seq: None,
            last_seq: None,
            head: None,
            recovered: Vec::new(),
            problem: None,
            keyed: options.key.is_keyed(),
            hash: options.key.hash(),
            checkpoints: 0,
            signatures_checked: options.verifiers.is_some() || options.keyring.is_some(),
            tree_start: None,
            uncovered: 0,
            proven: None,
        },
    };
    for file in &files {
        let data = read_segment(file)?;
        if let Err(problem) = walk.file(file, &data) {
            walk.report.problem = Some(problem);
            return Ok(walk.finish());
        }
    }
    if let Some(torn) = walk.torn.take() {
        walk.report.problem = Some(Problem {
            file: torn.file,
            line: torn.line,
            kind: ProblemKind::TornTail { bytes: torn.bytes },
        });
    } else if let Err(kind) = walk.tree.finish() {
        let (file, line) = walk.last_at.clone().unwrap_or_default();
        walk.report.problem = Some(Problem { file, line, kind });
    }
    Ok(walk.finish())
}

struct Torn {
    file: PathBuf,
    line: u64,
    bytes: u64,
}

struct Walk<'a> {
    options: &'a VerifyOptions,
    /// Seq the next record must have; `None` before the first record.
    expected: Option<Seq>,
    prev: Digest,
    torn: Option<Torn>,
    tree: tree::TreeCheck<'a>,
    /// The last record's place, for problems found at the end.
    last_at: Option<(PathBuf, u64)>,
    report: Report,
}

#[derive(Deserialize)]
struct SeqOnly {
    seq: Seq,
}

impl Walk<'_> {
    fn finish(mut self) -> Report {
        let report = &mut self.report;
        report.checkpoints = self.tree.checkpoints;
        report.tree_start = self.tree.start;
        report.uncovered = self.tree.uncovered;
        if self.tree.target_proven {
            report.proven = self
                .options
                .checkpoint
                .as_ref()
                .map(|c| (c.checkpoint.size, c.checkpoint.root));
        }
        self.report
    }

    fn file(&mut self, file: &Path, data: &[u8]) -> Result<(), Problem> {
        let (lines, rest) = split_lines(data);
        for (i, line) in lines.iter().enumerate() {
            self.line(file, i as u64 + 1, line, &lines[i + 1..])?;
        }
        if !rest.is_empty() {
            if let Some(earlier) = self.torn.take() {
                return Err(unrecorded(earlier));
            }
            self.torn = Some(Torn {
                file: file.into(),
                line: lines.len() as u64 + 1,
                bytes: rest.len() as u64,
            });
        }
        Ok(())
    }

    fn line(&mut self, file: &Path, at: u64, line: &[u8], later: &[&[u8]]) -> Result<(), Problem> {
        let here = |kind| Problem {
            file: file.into(),
            line: at,
            kind,
        };
        let (open, claimed) = split_line(line).ok_or_else(|| {
            here(ProblemKind::Malformed(
                "the line does not end in a `\"hash\"` member".into(),
            ))
        })?;
        if self.options.key.digest(open) != claimed {
            return Err(here(ProblemKind::Edited));
        }
        let record: Record = serde_json::from_slice(line)
            .map_err(|e| here(ProblemKind::Malformed(json_error(&e))))?;
        self.check_link(&record, at, later).map_err(here)?;
        self.check_torn(&record).map_err(|torn| match torn {
            Some(torn) => unrecorded(torn),
            None => here(ProblemKind::StrayRecovery),
        })?;
        let entry = self.options.key.entry(open, &claimed);
        self.tree.record(&record, &entry).map_err(here)?;
        self.last_at = Some((file.into(), at));
        self.expected = Some(record.seq + 1);
        self.prev = record.hash;
        let report = &mut self.report;
        report.records += 1;
        report.first_seq.get_or_insert(record.seq);
        report.last_seq = Some(record.seq);
        report.head = Some(record.hash);
        Ok(())
    }

    fn check_link(&self, record: &Record, at: u64, later: &[&[u8]]) -> Result<(), ProblemKind> {
        let Some(expected) = self.expected else {
            let genesis = record.seq == 1 && record.prev == GENESIS;
            return if genesis || self.options.partial || retained_start(record, later) {
                Ok(())
            } else {
                Err(ProblemKind::NotGenesis { found: record.seq })
            };
        };
        let found = record.seq;
        if found > expected {
            let later_at = later.iter().position(|l| {
                serde_json::from_slice::<SeqOnly>(l).is_ok_and(|r| r.seq == expected)
            });
            return Err(match later_at {
                Some(i) => ProblemKind::Reordered {
                    expected,
                    found,
                    expected_at: at + 1 + i as u64,
                },
                None => ProblemKind::Missing { expected, found },
            });
        }
        if found < expected {
            return Err(ProblemKind::Repeated { expected, found });
        }
        if record.prev != self.prev {
            return Err(ProblemKind::PrevMismatch);
        }
        Ok(())
    }

    /// A torn line must be followed by the recovery record naming it, and
    /// a recovery record must follow the torn line it names. `Err(Some)`:
    /// a torn line without its recovery record (reported where the tear
    /// is); `Err(None)`: a recovery record without its torn line.
    fn check_torn(&mut self, record: &Record) -> Result<(), Option<Torn>> {
        match (self.torn.take(), &record.body) {
            (Some(torn), Body::Recovery(r))
                if r.torn_segment == file_name(&torn.file)
                    && r.torn_line == torn.line
                    && r.torn_bytes == torn.bytes =>
            {
                self.report.recovered.push((torn.file, torn.line));
                Ok(())
            }
            (Some(_), Body::Recovery(_)) => Err(None),
            (Some(torn), _) => Err(Some(torn)),
            // The first record of a partial walk, or of a log whose oldest
            // segments retention removed, may recover a segment left out.
            (None, Body::Recovery(_))
                if self.report.records > 0
                    || !(self.options.partial || self.expected.is_none()) =>
            {
                Err(None)
            }
            (None, _) => Ok(()),
        }
    }
}

/// Where retention removed the oldest segments, the log starts with a
/// checkpoint (after a recovery record, when the removed segment was torn).
fn retained_start(record: &Record, later: &[&[u8]]) -> bool {
    match &record.body {
        Body::Checkpoint(_) => true,
        Body::Recovery(_) => later.first().is_some_and(|next| {
            serde_json::from_slice::<Record>(next)
                .is_ok_and(|r| matches!(r.body, Body::Checkpoint(_)))
        }),
        _ => false,
    }
}

fn unrecorded(torn: Torn) -> Problem {
    Problem {
        file: torn.file,
        line: torn.line,
        kind: ProblemKind::UnrecordedTorn { bytes: torn.bytes },
    }
}

#[cfg(test)]
mod tests;
