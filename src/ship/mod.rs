//! Shipping the audit log to NATS JetStream (`audit: {sink: {nats: …}}`).
//!
//! Owns the loop that reads the local segments from the shipped position
//! ([`cursor`]), publishes each record line as it is on disk to
//! `<subject>.<replica>` with the message id `<replica>:<seq>` (the stream
//! drops a copy within its duplicate window), waits for the stream's
//! acknowledgements in order, and advances the position (persisted beside
//! the segments, see [`crate::audit::shipping`]) only over acknowledged
//! records. Knows nothing of requests: the writer has put every record on
//! local disk before the request it describes was forwarded; shipping runs
//! behind it and never holds a request up.
//!
//! Fails safe: NATS down or slow means the spool (the segments not yet
//! shipped) grows, `pii_proxy_audit_sink_lag_*` rises, and publishing is
//! retried with back-off from the first unacknowledged record: at least
//! once, never a gap. At shutdown it keeps shipping for a grace period
//! after the log is closed, then saves its position.

pub mod cursor;
pub mod read;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use tokio::sync::Notify;

use crate::audit::shipping::{NatsSinkConfig, Position, ShipProgress, write_position};
use crate::audit::{AuditHandle, Seq};
use crate::net::nats;
use cursor::{Cursor, Line};

/// Records read and published per round.
const BATCH: usize = 512;
/// How often an idle shipper looks at the writer's newest seq.
const POLL: Duration = Duration::from_millis(20);
/// The position is saved at most this often while shipping (and at stop).
const SAVE_EVERY: Duration = Duration::from_millis(250);
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// The running shipper; [`Shipper::finish`] stops it.
pub struct Shipper {
    stop: Arc<Stop>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Default)]
struct Stop {
    requested: AtomicBool,
    wake: Notify,
}

struct Run {
    sink: NatsSinkConfig,
    replica: String,
    dir: PathBuf,
    audit: AuditHandle,
    progress: Arc<ShipProgress>,
    stop: Arc<Stop>,
    saved: Seq,
    saved_at: Instant,
}

impl Shipper {
    /// Starts shipping `audit`'s log (in `dir`, written as `replica`);
    /// `None` when the log has no sink. Call inside the runtime.
    pub fn start(
        sink: &NatsSinkConfig,
        replica: &str,
        dir: PathBuf,
        audit: &AuditHandle,
    ) -> Option<Shipper> {
        let progress = audit.ship_progress()?;
        let stop = Arc::new(Stop::default());
        let saved = progress.shipped.load(Ordering::Relaxed);
        let run = Run {
            sink: sink.clone(),
            replica: replica.to_owned(),
            dir,
            audit: audit.clone(),
            progress,
            stop: stop.clone(),
            saved,
            saved_at: Instant::now(),
        };
        let task = tokio::spawn(run.ship());
        Some(Shipper { stop, task })
    }

    /// Ships what the closed log still holds for at most `grace`, then
    /// saves the position and stops.
    pub async fn finish(self, grace: Duration) {
        self.stop.requested.store(true, Ordering::SeqCst);
        self.stop.wake.notify_one();
        let task = self.task;
        tokio::pin!(task);
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            tracing::warn!(
                grace_ms = grace.as_millis() as u64,
                "audit sink: records still unshipped at shutdown; the next start ships them"
            );
            task.abort();
        }
    }
}

impl Run {
    async fn ship(mut self) {
        let mut cursor = Some(Cursor::new(&self.dir, self.shipped()));
        let mut pending: VecDeque<Line> = VecDeque::new();
        let mut js = None;
        let mut backoff = BACKOFF_MIN;
        loop {
            let stopping = self.stop.requested.load(Ordering::SeqCst);
            if stopping && pending.is_empty() && self.shipped() >= self.audit.last_seq() {
                break;
            }
            // Read before publishing, NATS or not: the lag and the spool
            // count what waits even while the stream is out of reach.
            if pending.is_empty() && self.audit.last_seq() > self.shipped() {
                let (back, read) = read_batch(cursor.take().expect("returned each round")).await;
                cursor = Some(back);
                pending.extend(read);
            }
            if pending.is_empty() {
                self.caught_up().await;
                continue;
            }
            self.account(cursor.as_ref(), &pending);
            let Some(context) = &js else {
                match self.open_stream().await {
                    Ok(context) => js = Some(context),
                    Err(reason) if stopping => {
                        tracing::warn!(%reason, "audit sink: NATS unreachable at shutdown; the next start ships the rest");
                        break;
                    }
                    Err(reason) => {
                        tracing::warn!(%reason, stream = %self.sink.stream, "audit sink: NATS stream not reachable; records wait in the spool");
                        self.pause(&mut backoff).await;
                    }
                }
                continue;
            };
            match self.publish(context, &mut pending).await {
                Ok(()) => {
                    backoff = BACKOFF_MIN;
                    self.save(false).await;
                }
                Err(reason) => {
                    self.progress.failures.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%reason, waiting = pending.len(), "audit sink: publish not acknowledged; retrying");
                    self.save(false).await;
                    if stopping {
                        break;
                    }
                    self.pause(&mut backoff).await;
                }
            }
        }
        self.save(true).await;
    }

    /// The lag's age and the spool: what the cursor has not read, and what
    /// it read that the stream has not acknowledged.
    fn account(&self, cursor: Option<&Cursor>, pending: &VecDeque<Line>) {
        if let Some(oldest) = pending.front() {
            self.progress
                .oldest_waiting_ms
                .store(oldest.ts_ms.max(1), Ordering::Relaxed);
        }
        let waiting: u64 = pending.iter().map(|l| l.bytes.len() as u64 + 1).sum();
        let unread = cursor.map_or(0, |c| c.spool_bytes);
        self.progress
            .spool_bytes
            .store(unread + waiting, Ordering::Relaxed);
    }

    fn shipped(&self) -> Seq {
        self.progress.shipped.load(Ordering::Relaxed)
    }

    /// Nothing to ship: the lag is 0; wait for the writer or a stop.
    async fn caught_up(&mut self) {
        self.progress.oldest_waiting_ms.store(0, Ordering::Relaxed);
        self.progress.spool_bytes.store(0, Ordering::Relaxed);
        self.save(false).await;
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = self.stop.wake.notified() => {}
        }
    }

    async fn pause(&self, backoff: &mut Duration) {
        tokio::select! {
            _ = tokio::time::sleep(*backoff) => {}
            _ = self.stop.wake.notified() => {}
        }
        *backoff = (*backoff * 2).min(BACKOFF_MAX);
    }

    /// Connects and finds the stream, creating it when missing.
    async fn open_stream(&self) -> Result<jetstream::Context, String> {
        let name = format!("pii-proxy/{}", self.replica);
        let connected = Some(self.progress.connected.clone());
        let client = nats::connect_watched(&self.sink.server, &name, connected).await?;
        self.progress.connected.store(true, Ordering::Relaxed);
        let js = jetstream::new(client);
        let config = jetstream::stream::Config {
            name: self.sink.stream.clone(),
            subjects: vec![format!("{}.>", self.sink.subject)],
            duplicate_window: self.sink.duplicate_window,
            storage: jetstream::stream::StorageType::File,
            ..Default::default()
        };
        let found = tokio::time::timeout(nats::TIMEOUT, js.get_or_create_stream(config))
            .await
            .map_err(|_| "the stream look-up timed out".to_owned())?;
        found.map_err(|e| e.to_string())?;
        Ok(js)
    }

    /// Publishes every pending line (pipelined), then takes the
    /// acknowledgements in order: the position advances over the
    /// acknowledged prefix; the rest stays pending.
    async fn publish(
        &self,
        js: &jetstream::Context,
        pending: &mut VecDeque<Line>,
    ) -> Result<(), String> {
        let subject = self.sink.subject_for(&self.replica);
        let mut acks = Vec::with_capacity(pending.len());
        let mut failure = None;
        for line in pending.iter() {
            let message = jetstream::message::PublishMessage::build()
                .payload(line.bytes.clone())
                .message_id(format!("{}:{}", self.replica, line.seq));
            match js.send_publish(subject.clone(), message).await {
                Ok(ack) => acks.push(ack),
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
        for ack in acks {
            let acked = tokio::time::timeout(nats::TIMEOUT * 2, ack).await;
            match acked {
                Ok(Ok(_)) => {
                    let line = pending.pop_front().expect("one ack per pending line");
                    self.progress.shipped.store(line.seq, Ordering::Relaxed);
                }
                Ok(Err(e)) => return Err(e.to_string()),
                Err(_) => return Err("no acknowledgement in time".into()),
            }
        }
        failure.map_or(Ok(()), Err)
    }

    /// Saves the position when it moved (at most every [`SAVE_EVERY`]
    /// unless `now`).
    async fn save(&mut self, now: bool) {
        let seq = self.shipped();
        if seq == self.saved || (!now && self.saved_at.elapsed() < SAVE_EVERY) {
            return;
        }
        let (dir, position) = (
            self.dir.clone(),
            Position {
                stream: self.sink.stream.clone(),
                seq,
            },
        );
        let written = tokio::task::spawn_blocking(move || write_position(&dir, &position)).await;
        match written {
            Ok(Ok(())) => {
                self.saved = seq;
                self.saved_at = Instant::now();
            }
            Ok(Err(error)) => {
                tracing::error!(%error, "audit sink: position not saved (records will be re-sent)")
            }
            Err(error) => tracing::error!(%error, "audit sink: position not saved"),
        }
    }
}

/// One round of reading, off the runtime's workers (file reads block).
async fn read_batch(mut cursor: Cursor) -> (Cursor, Vec<Line>) {
    match tokio::task::spawn_blocking(move || {
        let read = cursor.read(BATCH);
        (cursor, read)
    })
    .await
    {
        Ok((cursor, Ok(lines))) => (cursor, lines),
        Ok((cursor, Err(error))) => {
            tracing::error!(%error, "audit sink: the segments could not be read; retrying");
            (cursor, Vec::new())
        }
        Err(join) => std::panic::resume_unwind(join.into_panic()),
    }
}
