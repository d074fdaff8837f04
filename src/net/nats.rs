//! Connections to NATS (the audit sink, the NATS witness, `audit verify
//! --nats`): credentials read from the files the config names, TLS on the
//! same rustls provider as every other connection (async-nats is built
//! without its `ring` default, and given our client config), and the
//! NATS witness, which publishes each checkpoint note through JetStream.
//!
//! A witness counts a checkpoint as kept only when a stream acknowledges
//! it (a subject no stream captures is a failure, counted like any other).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_nats::jetstream;
use async_nats::jetstream::message::PublishMessage;
use bytes::Bytes;

use super::tls;
use crate::audit::checkpoint::SignedNote;
use crate::audit::shipping::NatsServer;
use crate::audit::{AuditError, Witness};

/// The longest one request to NATS (connect, a publish's acknowledgement,
/// a stream look-up) may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A token or password file: refused when every user may read it (as
/// every secret the proxy reads), warned about when its group may.
fn read_secret(path: &Path) -> Result<String, AuditError> {
    crate::secret_file::check(path, "the NATS credentials file")
        .map_err(|e| AuditError::Config(format!("{}: {e}", path.display())))?;
    let text = std::fs::read_to_string(path).map_err(|e| AuditError::io(path, e))?;
    Ok(text.trim().to_owned())
}

/// The connect options for `server`: credentials from their files, the
/// proxy's TLS config (with `ca`, and the client certificate when given),
/// TLS required for `tls://` URLs. `name` is the connection's name the
/// server shows (`pii-proxy/<replica>`).
pub fn options(server: &NatsServer, name: &str) -> Result<async_nats::ConnectOptions, AuditError> {
    let mut options = async_nats::ConnectOptions::new()
        .name(name)
        .connection_timeout(TIMEOUT)
        .request_timeout(Some(TIMEOUT))
        // Reconnects for ever, backing off to a few seconds: an outage
        // only grows the spool.
        .max_reconnects(None)
        .reconnect_delay_callback(|attempt| {
            Duration::from_millis((100 * 2u64.saturating_pow(attempt.min(6) as u32)).min(5_000))
        });
    if let Some(path) = &server.token_file {
        options = options.token(read_secret(path)?);
    }
    if let (Some(user), Some(path)) = (&server.user, &server.password_file) {
        options = options.user_and_password(user.clone(), read_secret(path)?);
    }
    let identity = server.cert.as_deref().zip(server.key.as_deref());
    let config = tls::client_config(&tls::system_roots(), server.ca.as_deref(), identity)
        .map_err(|e| AuditError::Config(format!("NATS TLS: {e}")))?;
    options = options.tls_client_config(config);
    if server
        .url
        .split(',')
        .any(|u| u.trim().starts_with("tls://"))
    {
        options = options.require_tls(true);
    }
    Ok(options)
}

/// Connects to `server` (waiting at most [`TIMEOUT`] for the first
/// connection).
pub async fn connect(server: &NatsServer, name: &str) -> Result<async_nats::Client, String> {
    connect_watched(server, name, None).await
}

/// [`connect`], with `connected` following the connection's state
/// (false from a disconnection until the client has reconnected).
pub async fn connect_watched(
    server: &NatsServer,
    name: &str,
    connected: Option<Arc<AtomicBool>>,
) -> Result<async_nats::Client, String> {
    let mut options = options(server, name).map_err(|e| e.to_string())?;
    if let Some(connected) = connected {
        options = options.event_callback(move |event| {
            let connected = connected.clone();
            async move {
                match event {
                    async_nats::Event::Connected => connected.store(true, Ordering::Relaxed),
                    async_nats::Event::Disconnected | async_nats::Event::Closed => {
                        connected.store(false, Ordering::Relaxed)
                    }
                    _ => {}
                }
            }
        });
    }
    let urls: Vec<&str> = server.url.split(',').map(str::trim).collect();
    let connecting = options.connect(urls);
    tokio::time::timeout(TIMEOUT + Duration::from_secs(1), connecting)
        .await
        .map_err(|_| format!("no connection within {}s", TIMEOUT.as_secs()))?
        .map_err(|e| e.to_string())
}

/// Publishes through `js` and waits for the stream's acknowledgement.
pub async fn publish_acked(
    js: &jetstream::Context,
    subject: String,
    message_id: &str,
    payload: Bytes,
) -> Result<jetstream::publish::PublishAck, String> {
    let message = PublishMessage::build()
        .payload(payload)
        .message_id(message_id);
    let ack = js
        .send_publish(subject, message)
        .await
        .map_err(|e| e.to_string())?;
    ack.await.map_err(|e| e.to_string())
}

/// The NATS witness: every checkpoint note published to `subject`, with
/// the message id `checkpoint:<origin>:<tree size>` (a re-sent note is
/// stored once).
pub struct NatsWitness {
    server: NatsServer,
    subject: String,
    /// Its own small runtime, made at the first submission (the witness
    /// runs on its own thread; a runtime must not be made inside the
    /// proxy's). One worker keeps the connection answering pings between
    /// checkpoints.
    runtime: Option<tokio::runtime::Runtime>,
    js: Option<jetstream::Context>,
}

impl NatsWitness {
    pub fn new(server: NatsServer, subject: String) -> NatsWitness {
        NatsWitness {
            server,
            subject,
            runtime: None,
            js: None,
        }
    }
}

impl Witness for NatsWitness {
    fn name(&self) -> String {
        format!("nats:{}/{}", self.server.url, self.subject)
    }

    fn submit(&mut self, note: &SignedNote) -> Result<(), String> {
        if self.runtime.is_none() {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("audit-witness-nats")
                .enable_all()
                .build()
                .map_err(|e| format!("no runtime for the NATS witness: {e}"))?;
            self.runtime = Some(runtime);
        }
        let runtime = self.runtime.as_ref().expect("made above");
        if self.js.is_none() {
            // Inside the runtime: the context spawns its acknowledgement task.
            let connecting = async {
                let client = connect(&self.server, "pii-proxy-witness").await?;
                Ok::<_, String>(jetstream::new(client))
            };
            self.js = Some(runtime.block_on(connecting)?);
        }
        let js = self.js.as_ref().expect("connected above");
        let id = format!(
            "checkpoint:{}:{}",
            note.checkpoint.origin, note.checkpoint.size
        );
        let payload = Bytes::from(note.to_string());
        let subject = self.subject.clone();
        runtime
            .block_on(async {
                tokio::time::timeout(TIMEOUT * 2, publish_acked(js, subject, &id, payload)).await
            })
            .map_err(|_| format!("no acknowledgement within {}s", (TIMEOUT * 2).as_secs()))?
            .map(|_| ())
    }
}
