//! Exclusive locks that keep a second process off what one process owns:
//! the audit directory (its chain has one writer) and the consent journal
//! (its `seq` has one counter). Two replicas pointed at one directory would
//! otherwise both start and interleave two chains in it.
//!
//! An advisory `flock(2)` through the standard library (`File::try_lock`,
//! Rust 1.89; `LockFileEx` on Windows): the kernel releases it when the
//! process dies, however it dies, so a crash never leaves a stale lock to
//! clean by hand. The lock file of a directory holds the owner's pid, for
//! the message the second process prints.
//!
//! Knows nothing of what it guards. Fails closed: a lock that is held, or
//! cannot be taken, is an error; nothing proceeds unlocked.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock file inside a locked directory (not a segment name, so the
/// audit tools pass it by).
pub const DIR_LOCK_FILE: &str = ".pii-proxy.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "{path} is locked by another pii-proxy process{holder}: each replica needs its own \
         (stop the other process, or give this one another directory)"
    )]
    Held { path: PathBuf, holder: String },
    #[error("{path}: cannot take the lock: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A held lock on a directory; released when dropped (or the process exits).
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

impl DirLock {
    /// Takes the lock of `dir` (which must exist) without waiting.
    pub fn acquire(dir: &Path) -> Result<DirLock, LockError> {
        let path = dir.join(DIR_LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut file = crate::secret_file::private_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        if let Err(e) = lock(&file, dir) {
            if let LockError::Held { path, .. } = e {
                let holder = holder_of(&mut file);
                return Err(LockError::Held { path, holder });
            }
            return Err(e);
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        Ok(DirLock { _file: file })
    }
}

/// Takes an exclusive lock on an open `file` (held as long as it stays
/// open); `path` names it in the error.
pub fn lock(file: &File, path: &Path) -> Result<(), LockError> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => Err(LockError::Held {
            path: path.to_path_buf(),
            holder: String::new(),
        }),
        Err(TryLockError::Error(source)) => Err(LockError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// ` (pid N)` from the lock file, when it holds a pid.
fn holder_of(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    match text.trim().parse::<u32>() {
        Ok(pid) => format!(" (pid {pid})"),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_a_directory_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = DirLock::acquire(dir.path()).expect("first lock");
        let message = DirLock::acquire(dir.path()).expect_err("held").to_string();
        assert!(
            message.contains("locked by another pii-proxy process"),
            "{message}"
        );
        assert!(
            message.contains(&format!("(pid {})", std::process::id())),
            "{message}"
        );
        drop(first);
        DirLock::acquire(dir.path()).expect("free again");
    }

    #[test]
    fn a_file_lock_is_exclusive() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("journal.jsonl");
        let a = File::create(&path).expect("create");
        let b = File::open(&path).expect("open");
        lock(&a, &path).expect("first");
        assert!(matches!(lock(&b, &path), Err(LockError::Held { .. })));
        drop(a);
        lock(&b, &path).expect("released on close");
    }
}
