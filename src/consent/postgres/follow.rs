//! Following the database: one session at a time, for as long as the
//! replica runs.
//!
//! A session connects, applies the migrations, `LISTEN`s, *then* reads
//! every decision in force (so a change committed meanwhile is either in
//! the snapshot or notified after it, never lost), and from there applies
//! each notification and sends a heartbeat every quarter of
//! `max_staleness`. The connection is polled here (`poll_message`), not
//! spawned as a future, because notifications only arrive that way. When
//! the session breaks (the database stopped, the network failed, a
//! heartbeat went unanswered) the next one starts after a short backoff,
//! with a full resync: nothing sent while disconnected is missed.

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, Client, Connection, NoTls};

use super::{COLUMNS, Database, entry_of, entry_of_payload, schema};

const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// What the connection's poller passes to the session.
enum Notice {
    Notification(String),
    Closed(String),
}

/// Runs sessions until `stop` fires or is dropped (the store was dropped).
pub(super) async fn run(database: Weak<Database>, mut stop: tokio::sync::oneshot::Receiver<()>) {
    let mut backoff = MIN_BACKOFF;
    loop {
        let Some(db) = database.upgrade() else {
            return;
        };
        let resyncs = db.resyncs();
        let error = tokio::select! {
            _ = &mut stop => return,
            error = session(&db) => error,
        };
        db.connected
            .store(false, std::sync::atomic::Ordering::Relaxed);
        if db.resyncs() > resyncs {
            backoff = MIN_BACKOFF;
        }
        tracing::warn!(
            error = %error,
            retry_in_ms = backoff.as_millis() as u64,
            "the consent database is unreachable; known decisions keep applying"
        );
        drop(db);
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One session; returns why it ended.
async fn session(db: &Arc<Database>) -> String {
    let (mut client, mut notices) = match connect(db).await {
        Ok(connected) => connected,
        Err(e) => return e,
    };
    if let Err(e) = sync(db, &mut client).await {
        return e;
    }
    let every = heartbeat_interval(db.settings.max_staleness);
    let mut heartbeat = tokio::time::interval(every);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            notice = notices.recv() => match notice {
                Some(Notice::Notification(payload)) => {
                    if let Err(e) = apply(db, &payload) {
                        return e;
                    }
                }
                Some(Notice::Closed(e)) => return e,
                None => return "the connection ended".into(),
            },
            _ = heartbeat.tick() => {
                let asked = db.now_ms();
                match tokio::time::timeout(db.settings.max_staleness, client.simple_query("SELECT 1")).await {
                    Ok(Ok(_)) => db.mark_current(asked),
                    Ok(Err(e)) => return format!("heartbeat: {e}"),
                    Err(_) => return "the heartbeat went unanswered".into(),
                }
            }
        }
    }
}

fn heartbeat_interval(max_staleness: Duration) -> Duration {
    (max_staleness / 4).clamp(Duration::from_millis(25), Duration::from_secs(1))
}

/// Migrations, `LISTEN`, then the snapshot of every decision in force.
async fn sync(db: &Arc<Database>, client: &mut Client) -> Result<(), String> {
    let ran = schema::migrate(client)
        .await
        .map_err(|e| format!("migrations: {e}"))?;
    if ran > 0 {
        tracing::info!(migrations = ran, "consent database schema migrated");
    }
    client
        .batch_execute(&format!("LISTEN {}", super::CHANNEL))
        .await
        .map_err(|e| format!("LISTEN: {e}"))?;
    let asked = db.now_ms();
    // The latest decision of each scope (an erase is its subject's last),
    // in seq order: what replaying every row would leave.
    let snapshot = format!(
        "SELECT {COLUMNS} FROM (SELECT DISTINCT ON (subject, coalesce(partner, ''), \
         coalesce(scenario, '')) * FROM pii_proxy_consent_decisions \
         ORDER BY subject, coalesce(partner, ''), coalesce(scenario, ''), seq DESC) latest \
         ORDER BY seq"
    );
    let rows = client
        .query(&snapshot, &[])
        .await
        .map_err(|e| format!("resync: {e}"))?;
    for row in &rows {
        db.cache.apply(&entry_of(row)?);
    }
    db.resyncs
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    db.mark_current(asked);
    tracing::info!(
        decisions_in_force = rows.len(),
        "consent database synced; following its changes"
    );
    Ok(())
}

fn apply(db: &Database, payload: &str) -> Result<(), String> {
    let entry = entry_of_payload(payload)?;
    db.cache.apply(&entry);
    db.notifications
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// A client and the notices of its connection, polled by a task of ours.
async fn connect(db: &Database) -> Result<(Client, mpsc::UnboundedReceiver<Notice>), String> {
    let settings = &db.settings;
    let (tx, rx) = mpsc::unbounded_channel();
    let limit = settings.connect_timeout;
    let timed_out = || format!("no connection within {}s", limit.as_secs_f32());
    let client = match &settings.tls {
        Some(tls) => {
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls.clone());
            let (client, connection) = tokio::time::timeout(limit, settings.config.connect(tls))
                .await
                .map_err(|_| timed_out())?
                .map_err(|e| format!("connect: {e}"))?;
            tokio::spawn(poll(connection, tx));
            client
        }
        None => {
            let (client, connection) = tokio::time::timeout(limit, settings.config.connect(NoTls))
                .await
                .map_err(|_| timed_out())?
                .map_err(|e| format!("connect: {e}"))?;
            tokio::spawn(poll(connection, tx));
            client
        }
    };
    db.connected
        .store(true, std::sync::atomic::Ordering::Relaxed);
    Ok((client, rx))
}

/// Drives the connection (every query of the client goes through it) and
/// passes on its notifications, until it closes.
async fn poll<S, T>(mut connection: Connection<S, T>, tx: mpsc::UnboundedSender<Notice>)
where
    S: AsyncRead + AsyncWrite + Unpin,
    T: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            Some(Ok(AsyncMessage::Notification(n))) => {
                if tx
                    .send(Notice::Notification(n.payload().to_owned()))
                    .is_err()
                {
                    return;
                }
            }
            Some(Ok(AsyncMessage::Notice(notice))) => {
                tracing::debug!(message = notice.message(), "consent database notice");
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                let _ = tx.send(Notice::Closed(format!("connection: {e}")));
                return;
            }
            None => {
                let _ = tx.send(Notice::Closed("the database closed the connection".into()));
                return;
            }
        }
    }
}
