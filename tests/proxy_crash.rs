//! The audit promise under a crash: run the real `pii-proxy serve` under
//! concurrent load, `kill -9` it mid-stream, start it again on the same
//! audit directory. Every request that reached the partner must have its
//! `share` record in the log (the record is accepted before a byte goes
//! upstream), and `pii-proxy audit verify` must pass over the whole log,
//! across the crash and the restart.

mod common;

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::*;

const CLIENTS: usize = 16;
/// Requests the partner must have received before the kill.
const RECEIVED_BEFORE_KILL: usize = 300;

/// The audit records of `kind` under `dir`, as JSON.
fn records(dir: &std::path::Path, kind: &str) -> Vec<serde_json::Value> {
    audit_records(dir)
        .into_iter()
        .filter(|r| r["kind"] == kind)
        .collect()
}

fn request_ids(records: &[serde_json::Value]) -> BTreeSet<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().expect("record id").to_string())
        .collect()
}

/// Posts distinct payloads from `CLIENTS` tasks until `stop` is set or the
/// proxy goes away; returns the tasks.
fn load(
    addr: std::net::SocketAddr,
    round: &'static str,
    stop: Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..CLIENTS)
        .map(|client| {
            let stop = stop.clone();
            tokio::spawn(async move {
                let http = h1_client();
                for n in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let id = format!("{round}-c{client}-n{n}");
                    let body = format!(
                        r#"{{"user":{{"user_id":"u-{client}-{n}","name":"王小明","mobile":"1380013{:04}"}},"amount":"12.50"}}"#,
                        (client * 1000 + n) % 10_000
                    );
                    let mut request = post(&format!("http://{addr}/p/v1/pay"), "application/json", body);
                    request
                        .headers_mut()
                        .insert("x-request-id", id.parse().expect("header value"));
                    // After the kill every send fails: that is expected.
                    let sent = tokio::time::timeout(
                        Duration::from_secs(30),
                        http.request(request),
                    )
                    .await;
                    if !matches!(sent, Ok(Ok(_))) {
                        return;
                    }
                }
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_the_partner_received_survives_kill_9_in_the_audit_log() {
    let partner = MockPartner::start(None, Reply::Json(r#"{"ok":true}"#)).await;
    let dir = tempfile::tempdir().expect("temp dir");
    // Small segments so rotations happen under load; the default `batch`
    // fsync: the record is written (not necessarily synced) before
    // forwarding, which survives a process crash.
    let config = write_config(
        dir.path(),
        &one_partner(
            &format!("http://{}", partner.addr),
            "audit: {dir: audit, fsync: batch, rotate_bytes: 65536}\n",
            "",
        ),
    );

    let mut proxy = BinaryProxy::serve(&config);
    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(proxy.addr, "before", stop.clone());
    // Bounded wait: this guards a hang, it measures nothing.
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while partner.recorded().len() < RECEIVED_BEFORE_KILL {
        assert!(
            std::time::Instant::now() < deadline,
            "the partner received only {} requests; proxy stderr: {}",
            partner.recorded().len(),
            proxy.stderr_text()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // SIGKILL while the clients are still sending.
    proxy.child.kill().expect("kill -9");
    proxy.child.wait().expect("reap");
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.expect("client task");
    }
    let received_before: BTreeSet<String> = partner
        .recorded()
        .iter()
        .map(|r| {
            r.headers["x-request-id"]
                .to_str()
                .expect("request id")
                .to_string()
        })
        .collect();
    assert!(received_before.len() >= RECEIVED_BEFORE_KILL);

    // Restart on the same audit directory and serve a little more.
    let mut proxy = BinaryProxy::serve(&config);
    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(proxy.addr, "after", stop.clone());
    let target = received_before.len() + 50;
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while partner.recorded().len() < target {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            proxy.stderr_text()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.expect("client task");
    }
    let status = proxy.terminate();
    assert!(status.success(), "{}", proxy.stderr_text());

    let audit = dir.path().join("audit");
    let shared = request_ids(&records(&audit, "share"));
    let received_all: BTreeSet<String> = partner
        .recorded()
        .iter()
        .map(|r| r.headers["x-request-id"].to_str().expect("id").to_string())
        .collect();
    let missing: Vec<_> = received_all.difference(&shared).collect();
    assert!(
        missing.is_empty(),
        "{} requests reached the partner without a share record, e.g. {:?}",
        missing.len(),
        missing.iter().take(5).collect::<Vec<_>>()
    );
    // Requests served after the restart completed normally: their outcome
    // records are there too.
    let outcomes = request_ids(&records(&audit, "outcome"));
    assert!(
        received_all
            .iter()
            .filter(|id| id.starts_with("after-"))
            .all(|id| outcomes.contains(id)),
        "a request served after the restart lacks its outcome record"
    );

    let segments = pii_proxy::audit::segment::list(&audit).expect("segments");
    assert!(segments.len() > 1, "the load should have rotated segments");
    let verify = Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .args(["audit", "verify"])
        .args(&segments)
        .output()
        .expect("run audit verify");
    assert!(
        verify.status.success(),
        "audit verify failed after kill -9 and restart:\n{}\n{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
}
