//! What the audit log knows of its shipping to NATS JetStream
//! (`audit: {sink: {nats: …}}`): the sink's settings, the shipped
//! position kept durably beside the segments, and the progress counters
//! the writer's retention and `/metrics` read. The shipping itself (the
//! NATS client, the loop that reads segments and publishes) is `ship`,
//! above the network edge; this module holds no connection.
//!
//! The position is persisted here rather than read back from the stream
//! because retention needs it while NATS is unreachable (a segment not
//! yet shipped must not be removed), and a start must not wait for NATS
//! to know where it stands. It can only lag behind the stream (it is
//! written after the acknowledgements it records), never run ahead: what
//! a crash loses of it is re-sent, and the stream drops the copies by
//! their message id (`replica:seq`) within its duplicate window.
//!
//! Fails safe: a position file that cannot be read starts shipping from
//! the beginning of the local log (every record re-sent, the stream
//! de-duplicates), never from a guess past records not shipped.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AuditError, Seq};

/// The position file in the audit directory (not a segment name: readers
/// skip it).
pub const POSITION_FILE: &str = "nats-shipped.json";

/// How to reach a NATS server: shared by the sink and the NATS witness.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatsServer {
    /// `tls://host:4222` (TLS on the proxy's rustls provider), or
    /// `nats://` on loopback only. Several servers of one cluster:
    /// comma-separated.
    pub url: String,
    /// A file holding the token the server expects (`authorization:
    /// {token: …}`), read at start; never the token itself in the config.
    /// Files are relative to the config file's directory.
    pub token_file: Option<PathBuf>,
    /// The user name, with `password_file`.
    pub user: Option<String>,
    /// A file holding `user`'s password, read at start.
    pub password_file: Option<PathBuf>,
    /// PEM CA bundle trusted besides the system roots (a private CA).
    pub ca: Option<PathBuf>,
    /// Client certificate (PEM chain) for servers that verify clients, with `key`.
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    pub key: Option<PathBuf>,
}

/// `audit.sink`: where records are shipped.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SinkConfig {
    /// The NATS JetStream stream (the one sink there is).
    pub nats: NatsSinkConfig,
}

/// `audit.sink.nats`: the JetStream stream records are shipped to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatsSinkConfig {
    #[serde(flatten)]
    pub server: NatsServer,
    /// The JetStream stream. Created at start when missing (file storage,
    /// subjects `<subject>.>`, `duplicate_window`); an existing stream is
    /// used as it is.
    pub stream: String,
    /// Each record is published to `<subject>.<replica>` with the message
    /// id `<replica>:<seq>`.
    pub subject: String,
    /// The stream's de-duplication window when this proxy creates it: a
    /// record re-sent within it (after a crash lost the position, or an
    /// acknowledgement lost in an outage) is stored once. Default: `2m`
    /// (NATS's own default; every server keeps one id per message of the
    /// window in memory).
    #[serde(default = "default_duplicate_window", with = "humantime_serde")]
    #[schemars(with = "crate::shapes::DurationText")]
    pub duplicate_window: Duration,
}

fn default_duplicate_window() -> Duration {
    Duration::from_secs(120)
}

impl NatsServer {
    /// What serde cannot check: the scheme rule, credentials in pairs.
    pub fn problems(&self, what: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if self.url.contains('@') {
            problems.push(format!(
                "{what} `url` must not hold credentials: use `token_file` or `user` with `password_file`"
            ));
        }
        for url in self.url.split(',').map(str::trim) {
            let loopback = |rest: &str| {
                ["127.", "localhost", "[::1]"]
                    .iter()
                    .any(|h| rest.starts_with(h))
            };
            let ok = match url.split_once("://") {
                Some(("tls", rest)) => !rest.is_empty(),
                Some(("nats", rest)) => loopback(rest),
                _ => false,
            };
            if !ok {
                problems.push(format!(
                    "{what} `url` must be tls://host:port (nats:// only on loopback)"
                ));
            }
        }
        if self.user.is_some() != self.password_file.is_some() {
            problems.push(format!("{what}: `user` and `password_file` go together"));
        }
        if self.token_file.is_some() && self.user.is_some() {
            problems.push(format!("{what}: a `token_file` or a `user`, not both"));
        }
        if self.cert.is_some() != self.key.is_some() {
            problems.push(format!("{what}: `cert` and `key` go together"));
        }
        problems
    }

    /// The files it names, for resolving against the config's directory.
    pub fn files_mut(&mut self) -> impl Iterator<Item = &mut PathBuf> {
        [
            &mut self.token_file,
            &mut self.password_file,
            &mut self.ca,
            &mut self.cert,
            &mut self.key,
        ]
        .into_iter()
        .flatten()
    }
}

/// A NATS subject token or stream name: visible ASCII without the
/// separators and wildcards.
fn nats_name(text: &str, dots: bool) -> bool {
    !text.is_empty()
        && text.len() <= 255
        && text.bytes().all(|b| {
            b.is_ascii_graphic() && !matches!(b, b'*' | b'>' | b'/' | b'\\') && (dots || b != b'.')
        })
        && !text.starts_with('.')
        && !text.ends_with('.')
        && !text.contains("..")
}

impl NatsSinkConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut problems = self.server.problems("sink.nats");
        if !nats_name(&self.stream, false) {
            problems
                .push("sink.nats `stream` must be visible ASCII without `.`, `*`, `>`, `/`".into());
        }
        if !nats_name(&self.subject, true) {
            problems.push("sink.nats `subject` must be a NATS subject without wildcards".into());
        }
        if self.duplicate_window.is_zero() {
            problems.push("sink.nats `duplicate_window` must be above 0".into());
        }
        problems
    }

    /// The subject `replica`'s records are published to.
    pub fn subject_for(&self, replica: &str) -> String {
        format!("{}.{replica}", self.subject)
    }
}

/// The shipped position as persisted: the stream it counts for, and the
/// newest seq up to which every record was acknowledged by it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub stream: String,
    pub seq: Seq,
}

/// The position recorded in `dir` for `stream`; 0 when there is none, it
/// is unreadable (logged), or it counts for another stream (a new stream
/// receives the whole log).
pub fn read_position(dir: &Path, stream: &str) -> Seq {
    let path = dir.join(POSITION_FILE);
    let text = match fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return 0,
        Err(error) => {
            tracing::error!(path = %path.display(), %error, "audit sink: position unreadable; shipping from the start");
            return 0;
        }
    };
    match serde_json::from_slice::<Position>(&text) {
        Ok(p) if p.stream == stream => p.seq,
        Ok(_) => 0,
        Err(error) => {
            tracing::error!(path = %path.display(), %error, "audit sink: position unreadable; shipping from the start");
            0
        }
    }
}

/// Replaces the position atomically (written beside it, fsynced, renamed).
pub fn write_position(dir: &Path, position: &Position) -> Result<(), AuditError> {
    let path = dir.join(POSITION_FILE);
    let tmp = dir.join(format!("{POSITION_FILE}.tmp"));
    let write = || -> std::io::Result<()> {
        let mut file = crate::secret_file::private_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        file.write_all(&serde_json::to_vec(position).map_err(std::io::Error::other)?)?;
        file.sync_all()?;
        fs::rename(&tmp, &path)?;
        fs::File::open(dir)?.sync_all()
    };
    write().map_err(|e| AuditError::io(path, e))
}

/// Where shipping stands, shared by the shipper (which writes it), the
/// writer's retention and `/metrics` (which read it).
#[derive(Debug, Default)]
pub struct ShipProgress {
    /// Every record up to this seq is acknowledged by the stream.
    pub shipped: AtomicU64,
    /// Milliseconds since the epoch of the oldest record read but not yet
    /// acknowledged; 0 when none waits.
    pub oldest_waiting_ms: AtomicU64,
    /// Bytes of local segments not yet shipped (the spool).
    pub spool_bytes: AtomicU64,
    /// The client's connection to NATS is up (set by its events).
    pub connected: Arc<AtomicBool>,
    /// Publish attempts the stream did not acknowledge (each is retried).
    pub failures: AtomicU64,
}

/// The sink's numbers for `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkStats {
    pub shipped_seq: Seq,
    pub lag_records: u64,
    /// How long the oldest record not yet acknowledged has waited.
    pub lag: Duration,
    pub spool_bytes: u64,
    pub connected: bool,
    pub failures: u64,
}

impl ShipProgress {
    pub fn starting_at(shipped: Seq) -> ShipProgress {
        let progress = ShipProgress::default();
        progress.shipped.store(shipped, Ordering::Relaxed);
        progress
    }

    pub fn stats(&self, last_seq: Seq) -> SinkStats {
        let shipped = self.shipped.load(Ordering::Relaxed);
        let waiting = self.oldest_waiting_ms.load(Ordering::Relaxed);
        let now = crate::time::now_unix_ms();
        let lag_records = last_seq.saturating_sub(shipped);
        SinkStats {
            shipped_seq: shipped,
            lag_records,
            lag: if waiting == 0 || lag_records == 0 {
                Duration::ZERO
            } else {
                Duration::from_millis(now.saturating_sub(waiting))
            },
            spool_bytes: self.spool_bytes.load(Ordering::Relaxed),
            connected: self.connected.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sink(url: &str) -> NatsSinkConfig {
        serde_saphyr::from_str(&format!(
            "{{url: \"{url}\", stream: AUDIT, subject: pii-proxy.audit}}"
        ))
        .expect("parses")
    }

    #[test]
    fn urls_need_tls_off_loopback() {
        assert!(sink("nats://127.0.0.1:4222").problems().is_empty());
        assert!(sink("tls://nats.example:4222").problems().is_empty());
        assert!(!sink("nats://nats.example:4222").problems().is_empty());
        assert!(!sink("http://127.0.0.1:4222").problems().is_empty());
        assert_eq!(sink("tls://me:pw@nats.example:4222").problems().len(), 1);
        let cfg = sink("tls://a:1, nats://b:2");
        assert_eq!(cfg.problems().len(), 1);
        assert_eq!(cfg.duplicate_window, Duration::from_secs(120));
        assert_eq!(cfg.subject_for("r1"), "pii-proxy.audit.r1");
    }

    #[test]
    fn names_and_credentials_are_checked() {
        let mut cfg = sink("nats://127.0.0.1:1");
        cfg.stream = "a.b".into();
        cfg.subject = "x.>".into();
        cfg.server.user = Some("u".into());
        assert_eq!(cfg.problems().len(), 3);
    }

    #[test]
    fn the_position_survives_and_names_its_stream() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(read_position(dir.path(), "S"), 0);
        let at = Position {
            stream: "S".into(),
            seq: 42,
        };
        write_position(dir.path(), &at).expect("written");
        assert_eq!(read_position(dir.path(), "S"), 42);
        assert_eq!(read_position(dir.path(), "OTHER"), 0);
        fs::write(dir.path().join(POSITION_FILE), "{torn").expect("write");
        assert_eq!(read_position(dir.path(), "S"), 0);
    }

    #[test]
    fn lag_is_counted_from_the_writer_and_the_oldest_waiting_record() {
        let progress = ShipProgress::starting_at(10);
        let stats = progress.stats(15);
        assert_eq!((stats.lag_records, stats.lag), (5, Duration::ZERO));
        progress
            .oldest_waiting_ms
            .store(crate::time::now_unix_ms() - 3_000, Ordering::Relaxed);
        assert!(progress.stats(15).lag >= Duration::from_secs(3));
        assert_eq!(progress.stats(10).lag, Duration::ZERO);
    }
}
