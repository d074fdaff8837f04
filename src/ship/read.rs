//! Reading the audit stream back (`audit verify --nats URL --stream S`):
//! every message from the stream's first to its last at the time of the
//! call, through an ordered consumer, grouped by the `replica` member of
//! the record it holds, one copy per seq, written as one segment file
//! per replica (in seq order) so that `verify` checks each chain exactly
//! as it checks local segments.
//!
//! A second message for the same `replica:seq` (the stream let a copy
//! through after its duplicate window) is dropped when it is the same
//! record, and counted as a conflict when it is not: the caller reports
//! that as a broken trail.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use async_nats::jetstream;
use futures_util::StreamExt;
use serde::Deserialize;

use crate::audit::shipping::NatsServer;
use crate::net::nats;

/// One replica's chain as read from the stream.
#[derive(Debug)]
pub struct StreamChain {
    pub replica: String,
    /// Its records in seq order, one segment file.
    pub file: PathBuf,
    pub records: usize,
    /// Copies of a record the stream holds more than once (the same bytes).
    pub duplicates: usize,
    /// Seqs the stream holds two different records for.
    pub conflicts: Vec<u64>,
}

#[derive(Deserialize)]
struct Head {
    seq: u64,
    #[serde(default)]
    replica: Option<String>,
}

/// How long one message may take to arrive before the read gives up.
const WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Reads `stream` into one file per replica under `out` (which must exist).
pub async fn read_stream(
    server: &NatsServer,
    stream: &str,
    out: &Path,
) -> Result<Vec<StreamChain>, String> {
    let client = nats::connect(server, "pii-proxy-verify").await?;
    let js = jetstream::new(client);
    let mut handle = js.get_stream(stream).await.map_err(|e| e.to_string())?;
    let state = handle
        .info()
        .await
        .map_err(|e| e.to_string())?
        .state
        .clone();
    let mut gathered = Gathered::default();
    if state.messages > 0 {
        read_messages(&handle, state.last_sequence, &mut gathered).await?;
    }
    write_chains(gathered, stream, out)
}

/// The records read so far, per replica by seq, and per replica the
/// copies seen again (same bytes) and the seqs held twice differently.
#[derive(Default)]
struct Gathered {
    chains: BTreeMap<String, BTreeMap<u64, Vec<u8>>>,
    duplicates: BTreeMap<String, (usize, Vec<u64>)>,
}

impl Gathered {
    fn add(&mut self, head: Head, payload: &[u8]) {
        let replica = head
            .replica
            .unwrap_or_else(|| crate::audit::SINGLE_REPLICA.into());
        let chain = self.chains.entry(replica.clone()).or_default();
        match chain.get(&head.seq) {
            Some(held) => {
                let dup = self.duplicates.entry(replica).or_default();
                if *held == payload {
                    dup.0 += 1;
                } else {
                    dup.1.push(head.seq);
                }
            }
            None => {
                chain.insert(head.seq, payload.to_vec());
            }
        }
    }
}

/// Every message of the stream up to `last_sequence`, through an ordered
/// consumer; gives up when one takes longer than [`WAIT`].
async fn read_messages(
    handle: &jetstream::stream::Stream,
    last_sequence: u64,
    gathered: &mut Gathered,
) -> Result<(), String> {
    let consumer = handle
        .create_consumer(jetstream::consumer::pull::OrderedConfig::default())
        .await
        .map_err(|e| e.to_string())?;
    let mut messages = consumer.messages().await.map_err(|e| e.to_string())?;
    loop {
        let message = tokio::time::timeout(WAIT, messages.next())
            .await
            .map_err(|_| format!("no message within {}s", WAIT.as_secs()))?
            .ok_or("the stream ended early")?
            .map_err(|e| e.to_string())?;
        let at = message.info().map_err(|e| e.to_string())?.stream_sequence;
        let head: Head = serde_json::from_slice(&message.payload)
            .map_err(|e| format!("stream message {at}: not an audit record: {e}"))?;
        gathered.add(head, &message.payload);
        if at >= last_sequence {
            return Ok(());
        }
    }
}

/// Each replica's records written in seq order as one segment file under
/// `out/<stream>-<replica>/`.
fn write_chains(gathered: Gathered, stream: &str, out: &Path) -> Result<Vec<StreamChain>, String> {
    let Gathered {
        chains,
        mut duplicates,
    } = gathered;
    let mut read = Vec::new();
    for (replica, records) in chains {
        let first = records.keys().next().copied().unwrap_or(1);
        let dir = out.join(format!("{stream}-{replica}"));
        let file = dir.join(format!("audit-{first:012}-{stream}.jsonl"));
        let mut data = Vec::new();
        for line in records.values() {
            data.extend_from_slice(line);
            data.push(b'\n');
        }
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&file, &data))
            .map_err(|e| format!("{}: {e}", file.display()))?;
        let (duplicates, conflicts) = duplicates.remove(&replica).unwrap_or_default();
        read.push(StreamChain {
            replica,
            file,
            records: records.len(),
            duplicates,
            conflicts,
        });
    }
    Ok(read)
}
