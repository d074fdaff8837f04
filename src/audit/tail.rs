//! Reading the end of the log on start: the newest record the chain
//! continues from, a torn last line to record, and the Merkle tree to
//! continue, rebuilt from the newest checkpoint record's frontier and the
//! records after it (the whole log only when no segment holds one, as in
//! a log written before checkpoints).
//!
//! Fails closed: a record it reads that does not match its hash under the
//! configured chain, or a checkpoint whose frontier does not give its
//! root, refuses the start with the file and line.

use std::path::{Path, PathBuf};

use super::chain::{ChainKey, Digest, split_line};
use super::merkle::Frontier;
use super::record::{Body, Record, Recovery, json_error};
use super::segment::{file_name, list, read_segment, split_lines};
use super::{AuditError, Seq};

/// What the writer needs from the existing log to continue its chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tail {
    /// Seq and hash of the newest complete record; `None` for a new log.
    pub last: Option<(Seq, Digest)>,
    /// The newest non-empty segment ended in a torn line.
    pub torn: Option<Recovery>,
    /// The tree over every record (only when asked for).
    pub tree: Option<Frontier>,
    /// Records after the newest checkpoint, not counting checkpoints.
    pub uncovered: u64,
}

/// Reads the newest segments of `dir` back to the newest complete record
/// (and with `tree`, back to the newest checkpoint record).
pub fn read_tail(dir: &Path, key: &ChainKey, tree: bool) -> Result<Tail, AuditError> {
    let segments = list(dir)?;
    let mut tail = Tail {
        last: None,
        torn: None,
        tree: None,
        uncovered: 0,
    };
    // Newest first: the torn line, then back to the first file to replay.
    let mut start = segments.len();
    let mut newest_non_empty = true;
    for (i, path) in segments.iter().enumerate().rev() {
        let data = read_segment(path)?;
        if data.is_empty() {
            continue;
        }
        let (lines, rest) = split_lines(&data);
        if std::mem::take(&mut newest_non_empty) && !rest.is_empty() {
            tail.torn = Some(Recovery {
                torn_segment: file_name(path),
                torn_line: lines.len() as u64 + 1,
                torn_bytes: rest.len() as u64,
            });
        }
        if tail.last.is_none() {
            if let Some(last) = lines.last() {
                let record = intact(path, lines.len() as u64, last, key)?;
                tail.last = Some((record.seq, record.hash));
            }
        }
        start = i;
        let found_checkpoint = lines.iter().any(|l| is_checkpoint(l));
        if tail.last.is_some() && (!tree || found_checkpoint) {
            break;
        }
    }
    if tree {
        tail.tree = Some(Frontier::new(key.tree_hash()));
        replay(&segments[start..], key, &mut tail)?;
    }
    Ok(tail)
}

/// A cheap test before parsing: checkpoint lines are rare.
fn is_checkpoint(line: &[u8]) -> bool {
    memchr::memmem::find(line, b"\"kind\":\"checkpoint\"").is_some()
}

/// Replays `files` (oldest first) into the tree: from the newest
/// checkpoint's frontier on, or from the genesis record.
fn replay(files: &[PathBuf], key: &ChainKey, tail: &mut Tail) -> Result<(), AuditError> {
    let mut tree: Option<Frontier> = None;
    let mut uncovered = 0;
    let datas: Vec<(PathBuf, Vec<u8>)> = files
        .iter()
        .map(|p| read_segment(p).map(|d| (p.clone(), d)))
        .collect::<Result<_, _>>()?;
    // The newest checkpoint of these files, if any: replay starts there.
    let mut begin = None;
    for (f, (_, data)) in datas.iter().enumerate().rev() {
        let (lines, _) = split_lines(data);
        if let Some(l) = lines.iter().rposition(|l| is_checkpoint(l)) {
            begin = Some((f, l));
            break;
        }
    }
    let (first_file, first_line) = begin.unwrap_or((0, 0));
    for (f, (path, data)) in datas.iter().enumerate().skip(first_file) {
        let (lines, _) = split_lines(data);
        let skip = if f == first_file { first_line } else { 0 };
        for (i, line) in lines.iter().enumerate().skip(skip) {
            let at = i as u64 + 1;
            let record = intact(path, at, line, key)?;
            let frontier = match (&mut tree, &record.body) {
                (None, Body::Checkpoint(cp)) => {
                    tree.insert(start_from(path, at, &record, cp, key)?)
                }
                (None, _) if record.seq == 1 => tree.insert(Frontier::new(key.tree_hash())),
                (None, _) => {
                    return Err(corrupt(
                        path,
                        at,
                        "no checkpoint before this record and it is not the genesis: the tree cannot be rebuilt (older segments are missing)",
                    ));
                }
                (Some(frontier), _) => frontier,
            };
            let (open, hash) = split_line(line).expect("intact checked the hash member");
            frontier.push_entry(&key.entry(open, &hash));
            match record.body {
                Body::Checkpoint(_) => uncovered = 0,
                _ => uncovered += 1,
            }
        }
    }
    tail.tree = Some(tree.unwrap_or_else(|| Frontier::new(key.tree_hash())));
    tail.uncovered = uncovered;
    Ok(())
}

fn start_from(
    path: &Path,
    at: u64,
    record: &Record,
    cp: &super::record::CheckpointRecord,
    key: &ChainKey,
) -> Result<Frontier, AuditError> {
    if cp.tree_hash != key.tree_hash() {
        return Err(corrupt(
            path,
            at,
            &format!(
                "the checkpoint's tree is {}, the chain's function is {}: one log has one function",
                cp.tree_hash.name(),
                key.hash().name()
            ),
        ));
    }
    let frontier = Frontier::from_parts(cp.tree_hash, cp.tree_size, cp.frontier.clone())
        .filter(|f| f.root() == cp.root && cp.tree_size + 1 == record.seq)
        .ok_or_else(|| {
            corrupt(
                path,
                at,
                "the checkpoint's frontier does not give its root or size",
            )
        })?;
    Ok(frontier)
}

fn corrupt(path: &Path, line: u64, message: &str) -> AuditError {
    AuditError::Corrupt {
        path: path.into(),
        line,
        message: message.into(),
    }
}

/// The record at `path:line`, which must match its hash under `key`.
fn intact(path: &Path, line: u64, text: &[u8], key: &ChainKey) -> Result<Record, AuditError> {
    let matches = split_line(text).is_some_and(|(open, claimed)| key.digest(open) == claimed);
    if !matches {
        return Err(AuditError::Corrupt {
            path: path.into(),
            line,
            message: format!(
                "the record does not match its hash under the configured chain (keyed_chain: {}, hash: {}): the log was written with another setting, or edited",
                key.is_keyed(),
                key.hash().name()
            ),
        });
    }
    serde_json::from_slice(text).map_err(|e| AuditError::Corrupt {
        path: path.into(),
        line,
        message: json_error(&e),
    })
}
