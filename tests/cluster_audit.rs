//! One audit trail for a fleet: three `pii-proxy serve` processes (the real
//! binary) on loopback, each with its own audit directory and the NATS sink
//! to one real `nats-server -js` (started by `common::servers` on a free
//! port, stopped by pid). Under load from several concurrent clients one
//! replica is killed with SIGKILL and restarted, and NATS is stopped and
//! restarted: every request the partner received has its share record in
//! the stream exactly once, and `audit verify` passes for all three chains,
//! from the directories and from the stream. The sink also ships over TLS
//! (a private CA) with a token from a file. Bounds are generous: they
//! bound a hang on a loaded machine, they measure nothing.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use common::servers::Nats;
use common::*;
use futures_util::StreamExt;

const STREAM: &str = "AUDIT";
const SUBJECT: &str = "pii.audit";
/// How long anything may take on a loaded machine.
const BOUND: Duration = Duration::from_secs(90);

struct Replica {
    name: String,
    dir: PathBuf,
    config: PathBuf,
    proxy: Option<BinaryProxy>,
}

fn replica_config(
    name: &str,
    keys: &Path,
    nats: &str,
    upstream: SocketAddr,
    witness: bool,
) -> String {
    let witness = if witness {
        format!(", witnesses: [{{nats: {{url: \"{nats}\", subject: pii.checkpoints.{name}}}}}]")
    } else {
        String::new()
    };
    format!(
        "listen: 127.0.0.1:0\nreplica: {name}\nkeys: {keys}\nadmin: {{listen: 127.0.0.1:0}}\n\
         audit:\n  dir: audit\n  checkpoints: {{every_records: 200, interval: 1s{witness}}}\n  \
         sink: {{nats: {{url: \"{nats}\", stream: {STREAM}, subject: {SUBJECT}}}}}\n\
         partners:\n  - id: p\n    route: /p/\n    upstream: http://{upstream}\n    \
         rules: rules/test.yaml\n",
        keys = keys.display()
    )
}

impl Replica {
    fn new(root: &Path, i: usize, nats: &str, upstream: SocketAddr, witness: bool) -> Replica {
        let name = format!("r{i}");
        let dir = root.join(&name);
        let keys = root.join("keys/keyring.json");
        let config = write_config(&dir, &replica_config(&name, &keys, nats, upstream, witness));
        Replica {
            name,
            dir,
            config,
            proxy: None,
        }
    }

    fn start(&mut self) {
        self.proxy = Some(BinaryProxy::serve(&self.config));
    }

    fn addr(&self) -> SocketAddr {
        self.proxy.as_ref().expect("running").addr
    }

    fn admin(&self) -> String {
        let text = self.proxy.as_ref().expect("running").stderr_text();
        text.lines()
            .find_map(|l| l.strip_prefix("pii-proxy: admin listening on "))
            .expect("an admin listening line")
            .to_owned()
    }

    fn audit_dir(&self) -> PathBuf {
        self.dir.join("audit")
    }
}

/// The value of the series `name` (no labels) in `/metrics`.
async fn metric(replica: &Replica, name: &str) -> f64 {
    let token_file = replica.dir.parent().expect("root").join("keys/admin.token");
    let token = std::fs::read_to_string(token_file).expect("admin token");
    let mut request = get(&format!("{}/metrics", replica.admin()));
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", token.trim()).parse().expect("header"),
    );
    let answer = send(&h1_client(), request).await;
    answer
        .text()
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics: {} {}", answer.status, answer.text()))
}

/// Clients sending shares with request ids `c<client>-<n>` round-robin
/// over the replicas' addresses (read at each request, so a restarted
/// replica is used again) until `stop`.
fn load(
    addrs: Arc<std::sync::Mutex<Vec<SocketAddr>>>,
    clients: usize,
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..clients)
        .map(|c| {
            let (addrs, stop, ok) = (addrs.clone(), stop.clone(), ok.clone());
            tokio::spawn(async move {
                let client = h1_client();
                let mut n = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let addr = {
                        let addrs = addrs.lock().expect("addrs");
                        addrs[(c + n) % addrs.len()]
                    };
                    n += 1;
                    let body = r#"{"user":{"name":"张三","phone":"13800138000"}}"#;
                    let mut request =
                        post(&format!("http://{addr}/p/v1/q"), "application/json", body);
                    let id = format!("c{c}-n{n}");
                    request
                        .headers_mut()
                        .insert("x-request-id", id.parse().expect("header"));
                    let sent =
                        tokio::time::timeout(Duration::from_secs(10), client.request(request));
                    if let Ok(Ok(response)) = sent.await {
                        if response.status() == 200 {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect()
}

/// Every message of the stream: (replica, seq) → the record lines stored
/// for it (more than one would be a duplicate the stream let through).
async fn stream_records(url: &str) -> BTreeMap<(String, u64), Vec<serde_json::Value>> {
    let client = async_nats::connect(url).await.expect("connect to NATS");
    let js = jetstream::new(client);
    let mut stream = js.get_stream(STREAM).await.expect("the stream exists");
    let last = stream
        .info()
        .await
        .expect("stream info")
        .state
        .last_sequence;
    let consumer = stream
        .create_consumer(jetstream::consumer::pull::OrderedConfig::default())
        .await
        .expect("ordered consumer");
    let mut messages = consumer.messages().await.expect("messages");
    let mut records: BTreeMap<(String, u64), Vec<serde_json::Value>> = BTreeMap::new();
    let mut seen = 0;
    while seen < last {
        let message = tokio::time::timeout(BOUND, messages.next())
            .await
            .expect("the stream delivers")
            .expect("not ended")
            .expect("a message");
        seen = message.info().expect("a JetStream message").stream_sequence;
        let record: serde_json::Value =
            serde_json::from_slice(&message.payload).expect("a record line");
        let replica = record["replica"].as_str().expect("replica").to_owned();
        let seq = record["seq"].as_u64().expect("seq");
        let id = message
            .headers
            .as_ref()
            .and_then(|h| h.get("Nats-Msg-Id"))
            .map(|v| v.to_string());
        assert_eq!(id, Some(format!("{replica}:{seq}")), "the message id");
        records.entry((replica, seq)).or_default().push(record);
    }
    records
}

/// Polls until every running replica reports a lag of 0 records.
async fn until_shipped(replicas: &[Replica]) {
    let start = Instant::now();
    for replica in replicas {
        while metric(replica, "pii_proxy_audit_sink_lag_records").await > 0.0 {
            assert!(start.elapsed() < BOUND, "{} never caught up", replica.name);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn verify(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .args(["audit", "verify"])
        .args(args)
        .output()
        .expect("run audit verify");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_and_a_nats_outage_lose_no_share_record_in_the_stream() {
    let Some(mut nats) = Nats::start() else {
        return;
    };
    let partner = MockPartner::start(None, Reply::Echo).await;
    let root = tempfile::tempdir().expect("temp dir");
    let mut replicas: Vec<Replica> = (1..=3)
        .map(|i| Replica::new(root.path(), i, &nats.url(), partner.addr, false))
        .collect();
    // One keyring for the fleet (subject hashes and checkpoint keys).
    pii_proxy::protect::Keyring::generate()
        .save(&root.path().join("keys/keyring.json"))
        .expect("the fleet's keyring");
    for replica in &mut replicas {
        replica.start();
    }
    let addrs = Arc::new(std::sync::Mutex::new(
        replicas.iter().map(Replica::addr).collect::<Vec<_>>(),
    ));
    let (stop, ok) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let clients = load(addrs.clone(), 6, stop.clone(), ok.clone());
    let until_more = |n: u64| {
        let ok = ok.clone();
        async move {
            let start = Instant::now();
            let target = ok.load(Ordering::Relaxed) + n;
            while ok.load(Ordering::Relaxed) < target {
                assert!(start.elapsed() < BOUND, "the load stalled");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    until_more(150).await;

    // kill -9 replica 2 under load, then start it again on its directory.
    let mut killed = replicas[1].proxy.take().expect("running");
    killed.child.kill().expect("SIGKILL");
    killed.child.wait().expect("reaped");
    until_more(100).await;
    replicas[1].start();
    addrs.lock().expect("addrs")[1] = replicas[1].addr();
    until_more(150).await;

    // NATS down: requests still flow, the spool and the lag grow.
    nats.stop();
    until_more(150).await;
    let start = Instant::now();
    while metric(&replicas[0], "pii_proxy_audit_sink_lag_records").await == 0.0 {
        assert!(
            start.elapsed() < BOUND,
            "the lag never rose while NATS was down"
        );
        until_more(10).await;
    }
    assert!(metric(&replicas[0], "pii_proxy_audit_sink_spool_bytes").await > 0.0);
    while metric(&replicas[0], "pii_proxy_audit_sink_connected").await != 0.0 {
        assert!(start.elapsed() < BOUND, "the sink never saw NATS go");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let lag = metric(&replicas[0], "pii_proxy_audit_sink_lag_seconds").await;
    assert!(lag > 0.0, "the oldest waiting record's age: {lag}");
    nats.resume();
    until_more(150).await;
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.expect("client");
    }
    until_shipped(&replicas).await;
    assert_eq!(
        metric(&replicas[0], "pii_proxy_audit_sink_connected").await,
        1.0
    );
    assert_eq!(
        metric(&replicas[0], "pii_proxy_audit_sink_lag_seconds").await,
        0.0
    );
    // A graceful stop ships the shutdown checkpoint too.
    for replica in &mut replicas {
        let status = replica.proxy.as_mut().expect("running").terminate();
        assert!(status.success(), "{} exited {status}", replica.name);
    }

    let received: Vec<String> = partner
        .recorded()
        .iter()
        .map(|r| {
            r.headers["x-request-id"]
                .to_str()
                .expect("ascii")
                .to_owned()
        })
        .collect();
    assert!(
        received.len() >= 700,
        "the partner got {} requests",
        received.len()
    );
    let stream = stream_records(&nats.url()).await;
    let mut shares: HashMap<String, usize> = HashMap::new();
    for ((replica, seq), copies) in &stream {
        assert_eq!(
            copies.len(),
            1,
            "{replica}:{seq} is in the stream {} times",
            copies.len()
        );
        if copies[0]["kind"] == "share" {
            *shares
                .entry(copies[0]["id"].as_str().expect("id").to_owned())
                .or_default() += 1;
        }
    }
    for id in &received {
        assert_eq!(
            shares.get(id),
            Some(&1),
            "request {id} reached the partner: one share record"
        );
    }
    // Each replica's chain is complete in the stream: seq 1..=last, no gap.
    let replicas_seen: BTreeSet<&String> = stream.keys().map(|(r, _)| r).collect();
    assert_eq!(replicas_seen.len(), 3);
    for replica in &replicas {
        let seqs: Vec<u64> = stream
            .keys()
            .filter(|(r, _)| *r == replica.name)
            .map(|(_, s)| *s)
            .collect();
        let local = audit_records(&replica.audit_dir());
        assert_eq!(
            seqs.len(),
            local.len(),
            "{}: every local record shipped",
            replica.name
        );
        assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    }

    let pubkeys = root.path().join("pubkeys.txt");
    for replica in &replicas {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
            .args(["audit", "pubkey", "--keys"])
            .arg(root.path().join("keys/keyring.json"))
            .args(["--replica", &replica.name])
            .output()
            .expect("audit pubkey");
        assert!(out.status.success());
        let mut all = std::fs::read(&pubkeys).unwrap_or_default();
        all.extend_from_slice(&out.stdout);
        std::fs::write(&pubkeys, all).expect("pubkeys");
    }
    let dirs: Vec<String> = replicas
        .iter()
        .map(|r| r.audit_dir().display().to_string())
        .collect();
    let pubkeys = pubkeys.display().to_string();
    let mut args = vec!["--pubkey", pubkeys.as_str()];
    args.extend(dirs.iter().map(String::as_str));
    let (passed, text) = verify(&args);
    eprintln!("audit verify DIR1 DIR2 DIR3:\n{text}");
    assert!(passed, "verify of the three directories: {text}");
    for replica in &replicas {
        assert!(
            text.contains(&format!("replica {}", replica.name)),
            "{text}"
        );
    }
    let url = nats.url();
    let (passed, text) = verify(&["--pubkey", &pubkeys, "--nats", &url, "--stream", STREAM]);
    eprintln!("audit verify --nats:\n{text}");
    assert!(passed, "verify from the stream: {text}");
    assert_eq!(text.matches("OK").count(), 3, "{text}");
}

/// The sink over TLS (the proxy's rustls provider, the server's private
/// CA from `ca:`) with the token read from a file: every record reaches
/// the stream; with a wrong token nothing does, requests still pass and
/// the lag grows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sink_ships_over_tls_with_a_token_from_a_file() {
    let pki = Pki::new();
    let (cert, key) = (
        pki.server_cert.display().to_string(),
        pki.server_key.display().to_string(),
    );
    let tls = [
        "--tls",
        "--tlscert",
        &cert,
        "--tlskey",
        &key,
        "--auth",
        "s3cret-token",
    ];
    let Some(nats) = Nats::start_with(&tls) else {
        return;
    };
    let url = format!("tls://127.0.0.1:{}", nats.port);
    // Secrets as their owner alone may read them (the proxy refuses one
    // every user can read).
    let secrets = tempfile::tempdir().expect("temp dir");
    let (good, bad) = (
        secrets.path().join("good.token"),
        secrets.path().join("bad.token"),
    );
    write_secret(&good, "s3cret-token\n");
    write_secret(&bad, "guessed\n");
    let config = |token: &Path| {
        let top = format!(
            "replica: solo\naudit:\n  sink: {{nats: {{url: \"{url}\", stream: TLSAUDIT, subject: pii.tls, \
             token_file: \"{}\", ca: \"{}\"}}}}\n",
            token.display(),
            pki.ca.display()
        );
        one_partner("builtin:echo", &top, "")
    };
    let proxy = TestProxy::start(&config(&good)).await;
    let wrong = TestProxy::start(&config(&bad)).await;
    for proxy in [&proxy, &wrong] {
        for _ in 0..5 {
            let body = r#"{"user":{"name":"张三"}}"#;
            let answer = send(
                &h1_client(),
                post(&proxy.url("/p/v1"), "application/json", body),
            )
            .await;
            assert_eq!(answer.status, 200, "{}", answer.text());
        }
    }
    let start = Instant::now();
    let sink = |p: &TestProxy| p.app.audit.stats().sink.expect("a sink");
    while sink(&proxy).lag_records > 0 || sink(&proxy).shipped_seq < 5 {
        assert!(
            start.elapsed() < BOUND,
            "never shipped over TLS: {:?}",
            sink(&proxy)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(sink(&proxy).connected);
    let bad = sink(&wrong);
    assert!(
        !bad.connected && bad.shipped_seq == 0 && bad.lag_records >= 5,
        "{bad:?}"
    );
    // Read all the same: the records wait in the spool, counted.
    while sink(&wrong).spool_bytes == 0 {
        assert!(
            start.elapsed() < BOUND,
            "the spool is not counted: {:?}",
            sink(&wrong)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let server = pii_proxy::audit::shipping::NatsServer {
        url: url.clone(),
        token_file: Some(good.clone()),
        user: None,
        password_file: None,
        ca: Some(pki.ca.clone()),
        cert: None,
        key: None,
    };
    let client = pii_proxy::net::nats::connect(&server, "test")
        .await
        .expect("TLS connection");
    let mut stream = jetstream::new(client)
        .get_stream("TLSAUDIT")
        .await
        .expect("stream");
    let held = stream.info().await.expect("info").state.messages;
    assert_eq!(
        held,
        sink(&proxy).shipped_seq,
        "every record shipped is in the stream"
    );
}
