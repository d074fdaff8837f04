//! The consent journal: one JSON object per line, appended and fsynced per
//! decision, replayed in full when the store opens.
//!
//! ```json
//! {"seq":7,"ts":"2026-11-23T05:00:00.123Z","op":"revoke","subject":"hmac:3f2a…","partner":"credit-bureau","scenario":"loan"}
//! ```
//!
//! `seq` rises by one per line. A line is written with one `write` and the
//! decision acknowledged only after `fsync`, so a crash can leave at most a
//! torn last line without its newline: that decision was never
//! acknowledged, and opening cuts it off (and reports it). Any complete line
//! that does not read back is corruption, and opening fails. A write that
//! fails midway is cut back; if even that fails, the journal refuses every
//! later decision rather than append after a fragment.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{ConsentError, Op, valid_name};
use crate::audit::SubjectHash;

/// One journal line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub seq: u64,
    pub ts: String,
    pub op: Op,
    pub subject: SubjectHash,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// A separate grant (absent in lines written before it existed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub separate: bool,
}

/// The open journal, positioned for appending.
pub struct Journal {
    path: PathBuf,
    file: File,
    /// Bytes of complete lines.
    len: u64,
    last_seq: u64,
    /// A failed write could not be cut back: appending would follow a
    /// fragment.
    broken: bool,
}

impl Journal {
    /// Opens `path` (creating it and its directory), hands every entry to
    /// `replay` in order, and cuts off a torn last line. Returns the journal
    /// and the number of torn bytes cut.
    pub fn open(
        path: &Path,
        mut replay: impl FnMut(Entry),
    ) -> Result<(Journal, u64), ConsentError> {
        let io = |source| ConsentError::Io {
            path: path.to_path_buf(),
            source,
        };
        let created = !path.exists();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::secret_file::create_private_dir(dir).map_err(io)?;
        }
        let file = crate::secret_file::private_options()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        // One writer per journal: its seq has one counter.
        crate::lockfile::lock(&file, path).map_err(ConsentError::Locked)?;
        if created {
            sync_parent(path).map_err(io)?;
        }
        let (len, last_seq, torn) = read_all(path, &file, &mut replay)?;
        if torn > 0 {
            file.set_len(len).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        Ok((
            Journal {
                path: path.to_path_buf(),
                file,
                len,
                last_seq,
                broken: false,
            },
            torn,
        ))
    }

    /// Reads the journal at `path` without writing anything (what `check`
    /// runs): the number of decisions and the bytes of a torn last line,
    /// which opening would cut off. A missing journal holds no decisions.
    pub fn verify(path: &Path) -> Result<(u64, u64), ConsentError> {
        if !path.exists() {
            return Ok((0, 0));
        }
        let file = std::fs::File::open(path).map_err(|source| ConsentError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut decisions = 0;
        let (_, _, torn) = read_all(path, &file, &mut |_| decisions += 1)?;
        Ok((decisions, torn))
    }

    /// Every entry of the journal at `path`, read without writing or
    /// locking anything (what `consent migrate` imports). A torn last line
    /// is left out (it was never acknowledged).
    pub fn entries(path: &Path) -> Result<Vec<Entry>, ConsentError> {
        let file = std::fs::File::open(path).map_err(|source| ConsentError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut entries = Vec::new();
        read_all(path, &file, &mut |entry| entries.push(entry))?;
        Ok(entries)
    }

    /// A journal writing to `path` with no replay (tests point it at
    /// `/dev/full` to see a failing write).
    #[cfg(test)]
    pub(super) fn open_file_for_test(path: &Path) -> std::io::Result<(Journal, u64)> {
        let file = std::fs::OpenOptions::new().append(true).open(path)?;
        Ok((
            Journal {
                path: path.to_path_buf(),
                file,
                len: 0,
                last_seq: 0,
                broken: false,
            },
            0,
        ))
    }

    /// The seq the next entry must carry.
    pub fn next_seq(&self) -> u64 {
        self.last_seq + 1
    }

    /// Writes `entry` as one line and fsyncs it.
    pub fn append(&mut self, entry: &Entry) -> Result<(), ConsentError> {
        if self.broken {
            return Err(ConsentError::Unavailable(format!(
                "{} could not be repaired after a failed write; restart the proxy",
                self.path.display()
            )));
        }
        let mut line = serde_json::to_vec(entry).expect("an entry holds strings and integers");
        line.push(b'\n');
        let written = self
            .file
            .write_all(&line)
            .and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            // Cut back to the last complete line, so the next append does
            // not continue a fragment.
            if self.file.set_len(self.len).is_err() {
                self.broken = true;
            }
            return Err(ConsentError::Unavailable(format!(
                "{}: {e}",
                self.path.display()
            )));
        }
        self.len += line.len() as u64;
        self.last_seq = entry.seq;
        Ok(())
    }
}

/// Reads every complete line: returns the bytes they span, the last seq,
/// and the length of a torn tail.
fn read_all(
    path: &Path,
    file: &File,
    replay: &mut impl FnMut(Entry),
) -> Result<(u64, u64, u64), ConsentError> {
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let (mut len, mut last_seq, mut number) = (0u64, 0u64, 0u64);
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| ConsentError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        if n == 0 {
            return Ok((len, last_seq, 0));
        }
        if line.last() != Some(&b'\n') {
            return Ok((len, last_seq, n as u64));
        }
        number += 1;
        let corrupt = |message: String| ConsentError::Corrupt {
            path: path.to_path_buf(),
            line: number,
            message,
        };
        let entry: Entry = serde_json::from_slice(&line[..n - 1])
            .map_err(|e| corrupt(crate::audit::record::json_error(&e)))?;
        if entry.seq != last_seq + 1 {
            return Err(corrupt(format!(
                "seq {} follows seq {last_seq}: lines are missing or out of order",
                entry.seq
            )));
        }
        check_entry(&entry).map_err(|e| corrupt(e.into()))?;
        len += n as u64;
        last_seq = entry.seq;
        replay(entry);
    }
}

/// Makes a new file's directory entry durable.
fn sync_parent(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// What every stored decision must be, wherever it is read from (a journal
/// line, a database row, a notification).
pub(super) fn check_entry(entry: &Entry) -> Result<(), &'static str> {
    let names_ok = [&entry.partner, &entry.scenario]
        .into_iter()
        .flatten()
        .all(|name| valid_name(name));
    if !names_ok || (entry.scenario.is_some() && entry.partner.is_none()) {
        return Err("a partner or scenario is not in the allowed form");
    }
    if entry.op == Op::Erase && (entry.partner.is_some() || entry.scenario.is_some()) {
        return Err("an erase names a partner");
    }
    Ok(())
}
