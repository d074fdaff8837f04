//! Reloading when a source file changes on disk (`reload: {watch: true}`):
//! the config file, every rules and candidate rules file, the keyring and
//! the admin token file.
//!
//! The directories holding those files are watched, not the files: editors,
//! `keygen` and orchestrators replace files by renaming a new one over the
//! old, which a watch on the file itself would lose. Events for other files
//! in those directories are ignored. Changes are debounced (an editor's
//! save is several events) and then go through the same [`Reloader`] as
//! `POST /reload`: a broken file is rejected, logged and counted, and the
//! previous config keeps serving until the file is fixed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use super::reload::Reloader;
use crate::metrics::ReloadTrigger;

#[derive(Debug, thiserror::Error)]
#[error("cannot watch the config files: {0}")]
pub struct WatchError(#[from] notify_debouncer_full::notify::Error);

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn directories(files: &BTreeSet<PathBuf>) -> BTreeSet<PathBuf> {
    files
        .iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect()
}

/// Starts watching the files the current config was built from; every
/// debounced change reloads. Call it inside the runtime; the watch lasts as
/// long as the process.
pub fn watch_sources(reloader: Arc<Reloader>, debounce: Duration) -> Result<(), WatchError> {
    let (changed, mut changes) = tokio::sync::mpsc::unbounded_channel::<Vec<PathBuf>>();
    let mut debouncer = new_debouncer(debounce, None, move |result: DebounceEventResult| {
        let Ok(events) = result else {
            return;
        };
        let paths: Vec<PathBuf> = events
            .into_iter()
            .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
            .flat_map(|e| e.event.paths)
            .collect();
        if !paths.is_empty() {
            let _ = changed.send(paths);
        }
    })?;
    let mut files: BTreeSet<PathBuf> = reloader.sources().iter().map(|p| absolute(p)).collect();
    let mut watched = directories(&files);
    for dir in &watched {
        debouncer.watch(dir, RecursiveMode::NonRecursive)?;
    }
    tokio::spawn(async move {
        // The debouncer lives as long as this task: dropping it stops the watch.
        while let Some(paths) = changes.recv().await {
            if !paths.iter().any(|p| files.contains(&absolute(p))) {
                continue;
            }
            tracing::info!("a watched config file changed: reloading");
            if reloader.reload(ReloadTrigger::FileWatch).await.is_err() {
                continue;
            }
            // A reload can name new rules files: follow them.
            files = reloader.sources().iter().map(|p| absolute(p)).collect();
            let wanted = directories(&files);
            for dir in watched.difference(&wanted) {
                let _ = debouncer.unwatch(dir);
            }
            watched.retain(|dir| wanted.contains(dir));
            for dir in wanted {
                if watched.contains(&dir) {
                    continue;
                }
                match debouncer.watch(&dir, RecursiveMode::NonRecursive) {
                    Ok(()) => {
                        watched.insert(dir);
                    }
                    // Retried after the next reload; POST /reload and SIGHUP still work.
                    Err(e) => tracing::warn!(dir = %dir.display(), error = %e,
                        "cannot watch a new config directory"),
                }
            }
        }
    });
    Ok(())
}
