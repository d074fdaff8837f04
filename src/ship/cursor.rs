//! Reading the local segments from where shipping stands: complete record
//! lines after a seq, exactly as written (the stream holds the same bytes,
//! so the chain verifies from it), in chain order across segments,
//! compressed or not.
//!
//! Safe against the writer: a line counts only once its `\n` is written,
//! and the cursor leaves a segment only after a newer one was listed
//! before the read that found its end (the writer never appends to a
//! segment once it has opened the next). A torn last line of a segment a
//! crash ended is left behind, as `verify` does (the next segment's
//! recovery record names it).

use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use serde::Deserialize;

use crate::audit::segment::{self, COMPRESSED_SUFFIX};
use crate::audit::{AuditError, Seq};

/// One record line to ship.
#[derive(Debug, Clone)]
pub struct Line {
    pub seq: Seq,
    /// The record's time, in milliseconds since the epoch.
    pub ts_ms: u64,
    /// The line without its `\n`.
    pub bytes: Bytes,
}

#[derive(Deserialize)]
struct Head {
    seq: Seq,
    ts: String,
}

pub struct Cursor {
    dir: PathBuf,
    /// Every record up to this seq is behind the cursor.
    after: Seq,
    /// The segment being read (its `.jsonl` name, even once compressed)
    /// and how many of its (uncompressed) bytes are consumed.
    current: Option<(PathBuf, u64)>,
    /// Bytes of segments not yet consumed, as of the last read.
    pub spool_bytes: u64,
}

fn first_seq(path: &Path) -> Seq {
    segment::sort_key(&segment::file_name(path)).map_or(0, |(seq, _)| seq)
}

/// The `.jsonl` name of a segment listed in either form.
fn plain_name(path: &Path) -> PathBuf {
    let name = segment::file_name(path);
    match name.strip_suffix(COMPRESSED_SUFFIX) {
        Some(stem) => path.with_file_name(format!("{stem}.jsonl")),
        None => path.to_path_buf(),
    }
}

/// The bytes of `plain` from `offset` on, whichever form it is in now;
/// `None` when it is gone.
fn read_from(plain: &Path, offset: u64) -> Result<Option<Vec<u8>>, AuditError> {
    match fs::File::open(plain) {
        Ok(mut file) => {
            let mut data = Vec::new();
            file.seek(SeekFrom::Start(offset))
                .and_then(|_| file.read_to_end(&mut data))
                .map_err(|e| AuditError::io(plain, e))?;
            Ok(Some(data))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let compressed = PathBuf::from(format!("{}.zst", plain.display()));
            if !compressed.is_file() {
                return Ok(None);
            }
            let data = segment::read_segment(&compressed)?;
            let start = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(data.len());
            Ok(Some(data[start..].to_vec()))
        }
        Err(e) => Err(AuditError::io(plain, e)),
    }
}

impl Cursor {
    pub fn new(dir: &Path, after: Seq) -> Cursor {
        Cursor {
            dir: dir.to_path_buf(),
            after,
            current: None,
            spool_bytes: 0,
        }
    }

    /// Up to `max` lines after the ones already returned (none when the
    /// log holds nothing newer yet).
    pub fn read(&mut self, max: usize) -> Result<Vec<Line>, AuditError> {
        let mut lines = Vec::new();
        let segments: Vec<PathBuf> = segment::list(&self.dir)?
            .iter()
            .map(|p| plain_name(p))
            .collect();
        if self.current.is_none() {
            // The newest segment starting at or before the next seq.
            let start = segments
                .iter()
                .rposition(|p| first_seq(p) <= self.after + 1)
                .unwrap_or(0);
            self.current = segments.get(start).map(|p| (p.clone(), 0));
        }
        while let Some((path, offset)) = self.current.clone() {
            let data = read_from(&path, offset)?;
            let consumed = match &data {
                Some(data) => self.take(&path, data, max, &mut lines),
                None => 0,
            };
            self.current = Some((path.clone(), offset + consumed));
            if lines.len() >= max {
                break;
            }
            // At the segment's end: move on only if a newer one was listed.
            let index = segments.iter().position(|p| *p == path);
            match index.and_then(|i| segments.get(i + 1)) {
                Some(next) => self.current = Some((next.clone(), 0)),
                None if index.is_none() && data.is_none() => {
                    // Gone from under us (only retention removes, and
                    // only what is shipped): start again from the list.
                    self.current = None;
                    break;
                }
                None => break,
            }
        }
        self.spool_bytes = self.unread_bytes(&segments);
        Ok(lines)
    }

    /// Takes complete lines of `data` (the segment from the cursor on)
    /// until `max`; returns the bytes consumed.
    fn take(&mut self, path: &Path, data: &[u8], max: usize, lines: &mut Vec<Line>) -> u64 {
        let mut consumed = 0;
        let mut rest = data;
        while lines.len() < max {
            let Some(end) = memchr::memchr(b'\n', rest) else {
                break;
            };
            let line = &rest[..end];
            rest = &rest[end + 1..];
            consumed += end as u64 + 1;
            match serde_json::from_slice::<Head>(line) {
                Ok(head) if head.seq <= self.after => {}
                Ok(head) => {
                    self.after = head.seq;
                    let ts_ms =
                        crate::time::parse_rfc3339(&head.ts).map_or(0, crate::time::unix_ms);
                    lines.push(Line {
                        seq: head.seq,
                        ts_ms,
                        bytes: Bytes::copy_from_slice(line),
                    });
                }
                Err(_) => tracing::error!(
                    segment = %path.display(),
                    "audit sink: a line that is not a record is left behind (run `pii-proxy audit verify`)"
                ),
            }
        }
        consumed
    }

    fn unread_bytes(&self, segments: &[PathBuf]) -> u64 {
        let Some((current, offset)) = &self.current else {
            return 0;
        };
        let size = |p: &Path| {
            fs::metadata(p)
                .or_else(|_| fs::metadata(format!("{}.zst", p.display())))
                .map_or(0, |m| m.len())
        };
        let later: u64 = segments
            .iter()
            .skip_while(|p| *p != current)
            .skip(1)
            .map(|p| size(p))
            .sum();
        size(current).saturating_sub(*offset) + later
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn line(seq: Seq) -> String {
        format!("{{\"seq\":{seq},\"ts\":\"2026-12-02T00:00:00.000Z\",\"type\":\"x\"}}\n")
    }

    #[test]
    fn reads_complete_lines_across_segments_from_a_seq() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = dir
            .path()
            .join("audit-000000000001-20261202T000000000Z.jsonl");
        let second = dir
            .path()
            .join("audit-000000000004-20261202T000001000Z.jsonl");
        fs::write(&first, [line(1), line(2), line(3)].concat()).expect("write");
        let mut file = fs::File::create(&second).expect("create");
        write!(file, "{}{{\"seq\":5,\"ts", line(4)).expect("write");
        let mut cursor = Cursor::new(dir.path(), 1);
        let seqs = |lines: Vec<Line>| lines.iter().map(|l| l.seq).collect::<Vec<_>>();
        assert_eq!(seqs(cursor.read(2).expect("read")), vec![2, 3]);
        assert_eq!(seqs(cursor.read(10).expect("read")), vec![4]);
        assert!(cursor.spool_bytes > 0, "the torn rest is not consumed yet");
        writeln!(file, "\":\"2026-12-02T00:00:00.000Z\"}}").expect("write");
        let lines = cursor.read(10).expect("read");
        assert_eq!(seqs(lines.clone()), vec![5]);
        assert!(lines[0].ts_ms > 0 && !lines[0].bytes.ends_with(b"\n"));
        assert!(cursor.read(10).expect("read").is_empty());
        assert_eq!(cursor.spool_bytes, 0);
        // Resumed after a restart, in the middle of the second segment.
        let mut resumed = Cursor::new(dir.path(), 4);
        assert_eq!(seqs(resumed.read(10).expect("read")), vec![5]);
    }

    #[test]
    fn a_segment_compressed_under_the_cursor_is_read_on() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = dir
            .path()
            .join("audit-000000000001-20261202T000000000Z.jsonl");
        let data = [line(1), line(2)].concat();
        fs::write(&first, &data).expect("write");
        let mut cursor = Cursor::new(dir.path(), 0);
        assert_eq!(cursor.read(1).expect("read").len(), 1);
        let compressed = zstd::bulk::compress(data.as_bytes(), 3).expect("zstd");
        fs::write(format!("{}.zst", first.display()), compressed).expect("write");
        fs::remove_file(&first).expect("remove");
        let lines = cursor.read(10).expect("read");
        assert_eq!(lines.iter().map(|l| l.seq).collect::<Vec<_>>(), vec![2]);
    }
}
