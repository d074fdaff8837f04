//! Retention: closed segments older than `compress_after` are compressed
//! with zstd, and those older than `retention` removed, oldest first, each
//! only once the checkpoint that opens the next segment covers it, so
//! `verify` can start from the oldest retained checkpoint. A segment's age
//! is its last write (its file time, which compression keeps).
//!
//! Runs on its own thread after each new segment (one sweep at a time),
//! never touching the newest segment. Fails safe: anything it cannot read,
//! compress or prove covered is left as it is and logged; a crash
//! mid-compression leaves both forms, and readers take the uncompressed one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use super::config::AuditConfig;
use super::record::{Body, Record};
use super::segment::{COMPRESSED_SUFFIX, is_compressed, list, read_segment, split_lines};
use super::{AuditError, Seq};

const ZSTD_LEVEL: i32 = 6;

pub(super) struct Retention {
    keep: Option<Duration>,
    compress_after: Option<Duration>,
    running: Arc<AtomicBool>,
}

/// What one sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub compressed: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
}

impl Retention {
    pub(super) fn new(config: &AuditConfig) -> Option<Retention> {
        (config.retention.is_some() || config.compress_after.is_some()).then(|| Retention {
            keep: config.retention,
            compress_after: config.compress_after,
            running: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Starts a sweep of `dir` on its own thread unless one is running;
    /// with a sink, `shipped` is where shipping stands.
    pub(super) fn sweep(&self, dir: &Path, shipped: Option<Seq>) {
        if self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let (dir, keep, compress_after) = (dir.to_path_buf(), self.keep, self.compress_after);
        let running = self.running.clone();
        let spawned = std::thread::Builder::new()
            .name("audit-retention".into())
            .spawn(move || {
                match sweep_shipped(&dir, keep, compress_after, SystemTime::now(), shipped) {
                    Ok(swept) if swept != Swept::default() => tracing::info!(
                        compressed = swept.compressed.len(),
                        removed = swept.removed.len(),
                        "audit retention"
                    ),
                    Ok(_) => {}
                    Err(error) => tracing::error!(%error, "audit retention sweep failed"),
                }
                running.store(false, Ordering::Release);
            });
        if spawned.is_err() {
            self.running.store(false, Ordering::Release);
        }
    }
}

fn age(path: &Path, now: SystemTime) -> Result<Duration, AuditError> {
    let modified = fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(|e| AuditError::io(path, e))?;
    Ok(now.duration_since(modified).unwrap_or_default())
}

/// One sweep at time `now`: removes, then compresses what is left.
pub fn sweep(
    dir: &Path,
    keep: Option<Duration>,
    compress_after: Option<Duration>,
    now: SystemTime,
) -> Result<Swept, AuditError> {
    sweep_shipped(dir, keep, compress_after, now, None)
}

/// [`sweep`] for a log with a sink: a segment is removed only once every
/// record in it is shipped (`shipped` is the newest seq the stream
/// acknowledged), so an outage of NATS longer than `retention` loses
/// nothing: the spool grows instead.
pub fn sweep_shipped(
    dir: &Path,
    keep: Option<Duration>,
    compress_after: Option<Duration>,
    now: SystemTime,
    shipped: Option<Seq>,
) -> Result<Swept, AuditError> {
    let mut swept = Swept::default();
    let segments = list(dir)?;
    let Some((_newest, closed)) = segments.split_last() else {
        return Ok(swept);
    };
    let mut first_kept = 0;
    if let Some(keep) = keep {
        for (i, path) in closed.iter().enumerate() {
            let next = &segments[i + 1];
            let unshipped = shipped.is_some_and(|shipped| {
                // The segment's last record is the one before the next's first.
                first_seq(next).is_none_or(|first| first.saturating_sub(1) > shipped)
            });
            if unshipped || age(path, now)? < keep || !opens_with_checkpoint(next)? {
                break;
            }
            fs::remove_file(path).map_err(|e| AuditError::io(path, e))?;
            swept.removed.push(path.clone());
            first_kept = i + 1;
        }
    }
    if let Some(after) = compress_after {
        for path in &closed[first_kept..] {
            if !is_compressed(path) && age(path, now)? >= after {
                compress(path)?;
                swept.compressed.push(path.clone());
            }
        }
    }
    if !swept.removed.is_empty() || !swept.compressed.is_empty() {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| AuditError::io(dir, e))?;
    }
    Ok(swept)
}

fn first_seq(path: &Path) -> Option<Seq> {
    super::segment::sort_key(&super::segment::file_name(path)).map(|(seq, _)| seq)
}

/// Whether the segment's first record (or second, after a recovery
/// record) is a checkpoint: it then covers every record before it.
fn opens_with_checkpoint(path: &Path) -> Result<bool, AuditError> {
    let data = read_segment(path)?;
    let (lines, _) = split_lines(&data);
    for line in lines.iter().take(2) {
        match serde_json::from_slice::<Record>(line).map(|r| r.body) {
            Ok(Body::Checkpoint(cp)) => return Ok(cp.tree_size > 0),
            Ok(Body::Recovery(_)) => continue,
            _ => return Ok(false),
        }
    }
    Ok(false)
}

/// `name.jsonl` → `name.jsonl.zst` with the same file time; the original
/// is removed only once the compressed copy is durable.
fn compress(path: &Path) -> Result<(), AuditError> {
    let data = fs::read(path).map_err(|e| AuditError::io(path, e))?;
    let modified = fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(|e| AuditError::io(path, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let stem = name
        .as_deref()
        .and_then(|n| n.strip_suffix(".jsonl"))
        .unwrap_or("segment");
    let target = path.with_file_name(format!("{stem}{COMPRESSED_SUFFIX}"));
    let tmp = path.with_file_name(format!("{stem}{COMPRESSED_SUFFIX}.tmp"));
    let write = || -> std::io::Result<()> {
        let compressed = zstd::bulk::compress(&data, ZSTD_LEVEL)?;
        let mut file = crate::secret_file::private_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        file.write_all(&compressed)?;
        file.set_modified(modified)?;
        file.sync_all()?;
        fs::rename(&tmp, &target)
    };
    write().map_err(|e| AuditError::io(&target, e))?;
    fs::remove_file(path).map_err(|e| AuditError::io(path, e))
}
