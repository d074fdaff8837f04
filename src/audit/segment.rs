//! Segment files: naming, ordering, and reading the tail of the log on start.
//!
//! A segment is `audit-<first seq, 12 digits>-<UTC yyyymmddThhmmssmmmZ>.jsonl`
//! (with `-<n>` before `.jsonl` in the rare case the name is taken). The seq
//! comes first so that names sort in chain order even if the clock steps
//! back; segments are ordered by (first seq, rest of the name). The writer
//! never appends to a segment it did not create in this run: every start
//! and every rotation opens a new one. Retention compresses old segments
//! to `<name>.jsonl.zst` (zstd); every reader takes either form through
//! [`read_segment`].

use std::fs;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::macros::format_description;

use super::{AuditError, Seq};

const PREFIX: &str = "audit-";
const SUFFIX: &str = ".jsonl";
/// A segment compressed by retention.
pub const COMPRESSED_SUFFIX: &str = ".jsonl.zst";
/// The most a compressed segment may expand to (a segment is rotated at
/// `rotate_bytes`, 64 MiB by default; this leaves room for larger settings
/// while refusing a decompression bomb).
const MAX_SEGMENT_BYTES: u64 = 4 << 30;

/// The file name of a segment whose first record will be `first_seq`.
pub fn segment_name(first_seq: Seq, at: OffsetDateTime, attempt: u32) -> String {
    let stamp = at
        .format(format_description!(
            "[year][month][day]T[hour][minute][second][subsecond digits:3]Z"
        ))
        .expect("a UTC time formats");
    if attempt == 0 {
        format!("{PREFIX}{first_seq:012}-{stamp}{SUFFIX}")
    } else {
        format!("{PREFIX}{first_seq:012}-{stamp}-{attempt}{SUFFIX}")
    }
}

/// (first seq, rest of the name) for a segment file name; `None` for other
/// names.
pub fn sort_key(name: &str) -> Option<(Seq, String)> {
    let inner = name.strip_prefix(PREFIX)?;
    let inner = inner
        .strip_suffix(COMPRESSED_SUFFIX)
        .or_else(|| inner.strip_suffix(SUFFIX))?;
    let (seq, rest) = inner.split_once('-')?;
    if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((seq.parse().ok()?, rest.to_owned()))
}

fn file_key(path: &Path) -> Option<(Seq, String)> {
    sort_key(path.file_name()?.to_str()?)
}

/// The segment files in `dir`, in chain order.
pub fn list(dir: &Path) -> Result<Vec<PathBuf>, AuditError> {
    let entries = fs::read_dir(dir).map_err(|e| AuditError::io(dir, e))?;
    let mut segments = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| AuditError::io(dir, e))?.path();
        if let Some(key) = file_key(&path).filter(|_| path.is_file()) {
            segments.push((key, path));
        }
    }
    segments.sort();
    // A crash while retention compressed a segment can leave both forms:
    // the uncompressed one sorts first and is the one kept.
    segments.dedup_by(|later, earlier| later.0 == earlier.0);
    Ok(segments.into_iter().map(|(_, path)| path).collect())
}

/// Files to read for `inputs` (files and directories), in chain order.
/// Directories contribute their segments; when every resulting file has a
/// segment name they are sorted by it, otherwise the given order is kept.
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, AuditError> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = fs::metadata(input).map_err(|e| AuditError::io(input, e))?;
        if meta.is_dir() {
            files.extend(list(input)?);
        } else {
            files.push(input.clone());
        }
    }
    if files.iter().all(|f| file_key(f).is_some()) {
        files.sort_by_key(|f| file_key(f));
    }
    Ok(files)
}

/// The files of `inputs` grouped by the replica their first record names
/// (records without one: `single`), each group in chain order, groups in
/// order of the replica's name: one chain per replica. A file with no
/// complete record joins the group of the file before it.
pub fn by_replica(inputs: &[PathBuf]) -> Result<Vec<(String, Vec<PathBuf>)>, AuditError> {
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(default)]
        replica: Option<String>,
    }
    let mut groups: std::collections::BTreeMap<String, Vec<PathBuf>> = Default::default();
    let mut last = None;
    for input in inputs {
        for file in expand(std::slice::from_ref(input))? {
            let line = first_line(&file)?;
            let named = line
                .and_then(|line| serde_json::from_slice::<Head>(&line).ok())
                .map(|head| head.replica.unwrap_or_else(|| super::SINGLE_REPLICA.into()));
            let replica = named
                .or_else(|| last.clone())
                .unwrap_or_else(|| super::SINGLE_REPLICA.into());
            last = Some(replica.clone());
            groups.entry(replica).or_default().push(file);
        }
    }
    for files in groups.values_mut() {
        if files.iter().all(|f| file_key(f).is_some()) {
            files.sort_by_key(|f| file_key(f));
        }
    }
    Ok(groups.into_iter().collect())
}

/// The first complete line of a segment (without reading all of a plain one).
fn first_line(path: &Path) -> Result<Option<Vec<u8>>, AuditError> {
    if is_compressed(path) {
        let data = read_segment(path)?;
        return Ok(split_lines(&data).0.first().map(|l| l.to_vec()));
    }
    let file = fs::File::open(path).map_err(|e| AuditError::io(path, e))?;
    let mut line = Vec::new();
    std::io::BufRead::read_until(&mut std::io::BufReader::new(file), b'\n', &mut line)
        .map_err(|e| AuditError::io(path, e))?;
    Ok(line.pop().filter(|b| *b == b'\n').map(|_| line))
}

/// A segment's bytes, decompressed when retention compressed it.
pub fn read_segment(path: &Path) -> Result<Vec<u8>, AuditError> {
    let data = fs::read(path).map_err(|e| AuditError::io(path, e))?;
    if !path.to_string_lossy().ends_with(COMPRESSED_SUFFIX) {
        return Ok(data);
    }
    let mut out = Vec::new();
    let decoder =
        zstd::stream::read::Decoder::new(data.as_slice()).map_err(|e| AuditError::io(path, e))?;
    std::io::Read::read_to_end(
        &mut std::io::Read::take(decoder, MAX_SEGMENT_BYTES + 1),
        &mut out,
    )
    .map_err(|e| AuditError::io(path, e))?;
    if out.len() as u64 > MAX_SEGMENT_BYTES {
        return Err(AuditError::Corrupt {
            path: path.into(),
            line: 0,
            message: "the compressed segment expands beyond 4 GiB".into(),
        });
    }
    Ok(out)
}

pub fn is_compressed(path: &Path) -> bool {
    path.to_string_lossy().ends_with(COMPRESSED_SUFFIX)
}

/// A segment's bytes split into complete lines (each without its `\n`) and
/// the torn rest after the last `\n` (empty when the file ends cleanly).
pub fn split_lines(data: &[u8]) -> (Vec<&[u8]>, &[u8]) {
    let end = data.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let (complete, torn) = data.split_at(end);
    let lines = match complete.split_last() {
        Some((_, body)) => body.split(|b| *b == b'\n').collect(),
        None => Vec::new(),
    };
    (lines, torn)
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn names_sort_in_chain_order() {
        let at = datetime!(2026-11-23 05:00:00.123 UTC);
        let earlier = datetime!(2026-11-22 05:00:00 UTC);
        let a = segment_name(1, at, 0);
        assert_eq!(a, "audit-000000000001-20261123T050000123Z.jsonl");
        let b = segment_name(1, at, 1);
        let c = segment_name(1000, earlier, 0);
        let mut names = vec![c.clone(), b.clone(), a.clone()];
        names.sort_by_key(|n| sort_key(n).expect("segment name"));
        assert_eq!(names, vec![a, b, c]);
        assert_eq!(sort_key("notes.txt"), None);
        let zst = "audit-000000000001-20261123T050000123Z.jsonl.zst";
        assert_eq!(sort_key(zst), sort_key(&segment_name(1, at, 0)));
        assert_eq!(sort_key("audit-x-1.jsonl"), None);
    }

    #[test]
    fn split_lines_separates_the_torn_tail() {
        assert_eq!(split_lines(b""), (vec![], &b""[..]));
        assert_eq!(split_lines(b"a\nb\n"), (vec![&b"a"[..], b"b"], &b""[..]));
        assert_eq!(split_lines(b"a\nb"), (vec![&b"a"[..]], &b"b"[..]));
        assert_eq!(split_lines(b"ab"), (vec![], &b"ab"[..]));
    }
}
