//! The admin side against the running proxy: the real binary (or, where the
//! moment matters, the library server) on 127.0.0.1:0. Token, health and
//! readiness, metrics, reload by POST, SIGHUP and file watching, reloads
//! under load, candidate rules, the access log, and `mask --diff`.

mod common;

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use common::*;
use http::Request;
use http_body_util::Full;
use serde_json::Value;

/// Raw values in the test payload: none may reach a log line, a metric or
/// an audit record.
const NAME: &str = "张三丰";
const MOBILE: &str = "13800138000";
const EMAIL: &str = "zhang.sanfeng@example.com";
const USER_ID: &str = "u-7731";

fn payload() -> String {
    format!(
        r#"{{"user":{{"user_id":"{USER_ID}","name":"{NAME}","mobile":"{MOBILE}","email":"{EMAIL}"}}}}"#
    )
}

/// The other rules variant reloads switch to: name redacted, mobile dropped.
const RULES_B: &str = "\
subject: $.user.user_id
fields:
  - path: $.user.name
    category: name
    action: redact
  - keys: [mobile]
    category: phone
    action: drop
";

/// Candidate rules: the name left alone, the mobile dropped instead of
/// masked, the email newly masked.
const RULES_NEXT: &str = "\
subject: $.user.user_id
fields:
  - keys: [mobile]
    category: phone
    action: drop
  - path: $.user.email
    category: email
    action: {mask: {keep_first: 2}}
";

const CONFIG: &str = "\
listen: 127.0.0.1:0
admin: {listen: 127.0.0.1:0}
audit: {dir: audit, fsync: always}
partners:
  - id: p
    route: /p/
    upstream: builtin:echo
    rules: rules/test.yaml
";

// ---------------------------------------------------------------- helpers

/// `pii-proxy serve` with an admin listener, killed when dropped.
struct Running {
    child: Child,
    addr: SocketAddr,
    admin: SocketAddr,
    dir: tempfile::TempDir,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Writes `config` (and the test rules) into a fresh directory and runs
    /// the binary with `args` after `serve --config FILE`.
    fn start(config: &str, args: &[&str]) -> Running {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write_config(dir.path(), config);
        Running::start_in(dir, &path, args)
    }

    fn start_in(dir: tempfile::TempDir, config: &Path, args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
            .args(["serve", "--config"])
            .arg(config)
            .args(args)
            .env_remove("RUST_LOG")
            .env_remove("PII_PROXY_LOG")
            .env_remove("PII_PROXY_LOG_FORMAT")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start pii-proxy");
        let pipe = child.stderr.take().expect("stderr pipe");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut admin = None;
            for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                // Under --log-format json the listening lines are events.
                let event = serde_json::from_str::<Value>(&line).ok();
                let listening = event.as_ref().filter(|e| e["message"] == "listening");
                let url = |e: &Value| {
                    let url = e["url"].as_str().unwrap_or("");
                    url.split_once("://").map_or(url, |(_, a)| a).to_owned()
                };
                match listening {
                    Some(e) if e["listener"] == "admin" => admin = url(e).parse().ok(),
                    Some(e) => {
                        let _ = tx.send((url(e).parse::<SocketAddr>().ok(), admin));
                    }
                    None => {}
                }
                if let Some(at) = line.strip_prefix("pii-proxy: admin listening on ") {
                    let addr = at
                        .trim_start_matches("http://")
                        .trim_start_matches("https://");
                    admin = addr.parse::<SocketAddr>().ok();
                }
                if let Some(at) = line.strip_prefix("pii-proxy: listening on http://") {
                    let _ = tx.send((at.parse::<SocketAddr>().ok(), admin));
                }
                sink.lock().expect("stderr lock").push(line);
            }
        });
        // Generous: this bounds a hang, it measures nothing.
        let started = rx.recv_timeout(Duration::from_secs(120));
        let text = stderr.lock().expect("stderr lock").join("\n");
        let Ok((Some(addr), Some(admin))) = started else {
            let _ = child.kill();
            panic!("no listening lines; stderr:\n{text}");
        };
        Running {
            child,
            addr,
            admin,
            dir,
            stderr,
        }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn token(&self) -> String {
        std::fs::read_to_string(self.path("keys/admin.token"))
            .expect("admin token file")
            .trim()
            .to_string()
    }

    fn stderr_text(&self) -> String {
        self.stderr.lock().expect("stderr lock").join("\n")
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn post_payload(&self, body: &str) -> Answer {
        send(
            &h1_client(),
            post(
                &self.url("/p/v1/query"),
                "application/json",
                body.to_string(),
            ),
        )
        .await
    }

    /// An admin request with the token.
    async fn admin(&self, method: &str, path: &str) -> Answer {
        self.admin_as(method, path, Some(&self.token())).await
    }

    async fn admin_as(&self, method: &str, path: &str, token: Option<&str>) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.admin));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = request.body(Full::new(Bytes::new())).expect("request");
        send(&h1_client(), request).await
    }

    /// An admin request with the token and a JSON body.
    async fn admin_json(&self, method: &str, path: &str, body: &str) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.admin))
            .header("authorization", format!("Bearer {}", self.token()))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .expect("request");
        send(&h1_client(), request).await
    }

    async fn metrics(&self) -> String {
        let answer = self.admin("GET", "/metrics").await;
        assert_eq!(answer.status, 200, "{answer:?}");
        answer.text().to_string()
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Every audit record so far, as JSON.
    fn audit_records(&self) -> Vec<Value> {
        audit_records(&self.path("audit"))
    }

    fn audit_text(&self) -> String {
        self.audit_records()
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Polls `check` until it holds; panics after a bound that only stops a
/// hang (a slow machine just polls longer).
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never happened: {what}");
}

/// Which rules variant protected a response body, completely.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Variant {
    /// `TEST_RULES`: name masked, mobile masked.
    A,
    /// `RULES_B`: name redacted, mobile dropped.
    B,
}

fn variant(body: &str) -> Variant {
    assert!(
        !body.contains(NAME) && !body.contains(MOBILE),
        "a raw value was forwarded: {body}"
    );
    let json: Value = serde_json::from_str(body).expect("JSON answer");
    let user = &json["user"];
    match (user["name"].as_str(), user.get("mobile")) {
        (Some("张**"), Some(m)) if m == "138****8000" => Variant::A,
        (Some("[REDACTED]"), None) => Variant::B,
        _ => panic!("a body protected by neither policy completely: {body}"),
    }
}

/// `/readyz`'s check `name` failed, and its detail mentions `detail`.
fn assert_check_failed(readyz: &serde_json::Value, name: &str, detail: &str) {
    let check = readyz["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {readyz}"));
    assert_eq!(check["ok"], false, "{check}");
    assert!(
        check["detail"].as_str().expect("detail").contains(detail),
        "{check}"
    );
}

fn assert_no_raw_value(what: &str, text: &str) {
    for value in [NAME, MOBILE, EMAIL, USER_ID] {
        assert!(!text.contains(value), "{value} appears in {what}:\n{text}");
    }
}

/// The value of the sample `line_start` (name and labels) in metrics text.
fn sample(metrics: &str, line_start: &str) -> Option<f64> {
    metrics.lines().find_map(|l| {
        l.strip_prefix(line_start)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
    })
}

// ------------------------------------------------------------ token, health

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_open_and_every_other_endpoint_needs_the_token() {
    let proxy = Running::start(CONFIG, &[]);
    let token = proxy.token();
    assert_eq!(token.len(), 64, "a random hex token was generated");
    assert!(proxy.stderr_text().contains("DEVELOPMENT token"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(proxy.path("keys/admin.token"))
            .expect("token file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let health = proxy.admin_as("GET", "/healthz", None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");

    let wrong = "0".repeat(64);
    for (method, path) in [
        ("GET", "/metrics"),
        ("POST", "/reload"),
        ("GET", "/consent?subject=u-1"),
        ("GET", "/nowhere"),
    ] {
        for token in [None, Some(wrong.as_str()), Some(&token[..63])] {
            let answer = proxy.admin_as(method, path, token).await;
            assert_eq!(answer.status, 401, "{method} {path}: {answer:?}");
            assert_eq!(answer.json()["error"], "unauthorized");
            assert!(
                answer.headers["www-authenticate"]
                    .to_str()
                    .expect("ascii")
                    .starts_with("Bearer")
            );
        }
    }
    // With the token: unknown paths are 404, a wrong method 405.
    for path in ["/nowhere", "/consent/nowhere"] {
        let answer = proxy.admin("GET", path).await;
        assert_eq!(answer.status, 404, "{path}: {answer:?}");
        assert_eq!(answer.json()["error"], "not_found");
    }
    let answer = proxy.admin("GET", "/reload").await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.headers["allow"], "POST");

    let metrics = proxy.metrics().await;
    assert!(
        metrics.contains("pii_proxy_admin_requests_total{endpoint=\"metrics\",status=\"401\"} 3")
    );
    let log = proxy.stderr_text();
    assert!(!log.contains(&token), "the token reached the log");
    assert!(
        !log.contains("subject=u-1"),
        "a query string reached the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_reports_each_check_and_fails_while_the_audit_dir_is_unusable() {
    let proxy = Running::start(CONFIG, &[]);
    let ready = proxy.admin_as("GET", "/readyz", None).await;
    assert_eq!(ready.status, 200, "{ready:?}");
    let body = ready.json();
    assert_eq!(body["ready"], true);
    let names: Vec<&str> = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["listener", "config", "audit"]);

    // The audit directory replaced by a file: no new segment could be made.
    let audit = proxy.path("audit");
    let aside = proxy.path("audit-aside");
    std::fs::rename(&audit, &aside).expect("move the audit dir");
    std::fs::write(&audit, b"not a directory").expect("file in its place");
    let unready = proxy.admin_as("GET", "/readyz", None).await;
    assert_eq!(unready.status, 503, "{unready:?}");
    let body = unready.json();
    assert_eq!(body["ready"], false);
    assert_check_failed(&body, "audit", "not writable");

    std::fs::remove_file(&audit).expect("remove the file");
    std::fs::rename(&aside, &audit).expect("restore the audit dir");
    assert_eq!(proxy.admin_as("GET", "/readyz", None).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_fails_for_an_upstream_that_does_not_resolve() {
    // `.invalid` never resolves (RFC 6761), online or offline.
    let config = format!(
        "{CONFIG}  - id: gone\n    route: /gone/\n    upstream: https://partner.invalid\n    rules: rules/test.yaml\n"
    );
    let proxy = Running::start(&config, &[]);
    let answer = proxy.admin_as("GET", "/readyz", None).await;
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_check_failed(&answer.json(), "upstream:gone", "partner.invalid");
    // The echo partner needs no resolution and the proxy still serves it.
    let answer = proxy.post_payload(&payload()).await;
    assert_eq!(answer.status, 200);
}

/// Readiness follows the listener: 503 before it accepts, 200 while it
/// does, 503 again while it drains in-flight requests on shutdown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_before_serving_and_while_draining() {
    use pii_proxy::boot;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // A partner that answers only when told to.
    let partner = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind partner");
    let partner_addr = partner.local_addr().expect("partner addr");
    let received = Arc::new(tokio::sync::Notify::new());
    let release = Arc::new(tokio::sync::Notify::new());
    let (got, go) = (received.clone(), release.clone());
    tokio::spawn(async move {
        let (mut stream, _) = partner.accept().await.expect("accept");
        let mut buf = vec![0u8; 8192];
        let mut seen = Vec::new();
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.expect("read");
            seen.extend_from_slice(&buf[..n]);
        }
        got.notify_one();
        go.notified().await;
        let _ = stream
            .write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
            )
            .await;
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let text = CONFIG.replace("builtin:echo", &format!("http://{partner_addr}"));
    let path = write_config(dir.path(), &text);
    let bound = boot::bind(&path, boot::Options::default())
        .await
        .expect("bind");
    let addr = bound.proxy_addr();
    let admin_url = format!("http://{}/readyz", bound.admin_addr().expect("admin addr"));
    // Bound, not yet serving: what readiness reports before the listener runs.
    assert!(!bound.app().is_serving());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(bound.run(async {
        let _ = stopped.await;
    }));
    let client = h1_client();
    eventually("ready once the listener accepts", || {
        let (client, url) = (client.clone(), admin_url.clone());
        async move { send(&client, get(&url)).await.status == 200 }
    })
    .await;

    let in_flight = tokio::spawn({
        let client = client.clone();
        let url = format!("http://{addr}/p/v1/slow");
        async move { send(&client, post(&url, "application/json", payload())).await }
    });
    received.notified().await;
    let _ = stop.send(());
    eventually("not ready while draining", || {
        let (client, url) = (client.clone(), admin_url.clone());
        async move { send(&client, get(&url)).await.status == 503 }
    })
    .await;
    release.notify_one();
    let answer = in_flight.await.expect("in-flight request");
    assert_eq!(answer.status, 200, "the in-flight request finished");
    let ended = serving.await.expect("the proxy task does not panic");
    ended.expect("the proxy stopped cleanly");
}

#[test]
fn a_non_loopback_admin_listener_needs_tls() {
    use pii_proxy::config::Config;
    let dir = tempfile::tempdir().expect("temp dir");
    let text = CONFIG.replace(
        "admin: {listen: 127.0.0.1:0}",
        "admin: {listen: 0.0.0.0:9090}",
    );
    let path = write_config(dir.path(), &text);
    let errors = Config::load(&path).expect_err("refused").to_string();
    assert!(
        errors
            .contains("pii-proxy.yaml:2:17: admin.listen `0.0.0.0:9090` is not a loopback address"),
        "{errors}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_listener_serves_tls_when_configured() {
    let config = CONFIG.replace(
        "admin: {listen: 127.0.0.1:0}",
        "admin: {listen: 127.0.0.1:0, tls: {cert: certs/admin.pem, key: certs/admin-key.pem}}",
    );
    let proxy = Running::start(&config, &[]);
    assert!(proxy.stderr_text().contains("admin listening on https://"));
    let client = tls_client(&proxy.path("certs/admin.pem"), None);
    let url = format!("https://localhost:{}/metrics", proxy.admin.port());
    let request = Request::get(url)
        .header("authorization", format!("Bearer {}", proxy.token()))
        .body(Full::new(Bytes::new()))
        .expect("request");
    let answer = send(&client, request).await;
    assert_eq!(answer.status, 200);
    assert!(answer.text().contains("pii_proxy_config_generation 1"));
}

// ------------------------------------------------------------- metrics, logs

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_findings_and_refusals_and_carry_no_value() {
    let proxy = Running::start(CONFIG, &[]);
    for _ in 0..3 {
        let answer = proxy.post_payload(&payload()).await;
        assert_eq!(answer.status, 200, "{answer:?}");
    }
    let bad = proxy
        .post_payload(&format!("{{\"mobile\": \"{MOBILE}\","))
        .await;
    assert_eq!(bad.status, 400);
    let lost = send(
        &h1_client(),
        post(&proxy.url("/nowhere"), "application/json", payload()),
    )
    .await;
    assert_eq!(lost.status, 404);

    // Outcome and blocked records are queued as answers leave and written
    // within a few milliseconds: wait for the writer to drain.
    eventually("the audit queue drains", || async {
        sample(&proxy.metrics().await, "pii_proxy_audit_queue_depth") == Some(0.0)
    })
    .await;
    let metrics = proxy.metrics().await;
    let expect = [
        (
            "pii_proxy_requests_total{partner=\"p\",status=\"200\"}",
            3.0,
        ),
        (
            "pii_proxy_requests_total{partner=\"p\",status=\"400\"}",
            1.0,
        ),
        (
            "pii_proxy_requests_total{partner=\"(none)\",status=\"404\"}",
            1.0,
        ),
        (
            "pii_proxy_findings_total{partner=\"p\",direction=\"request\",category=\"name\",action=\"mask\"}",
            3.0,
        ),
        (
            "pii_proxy_findings_total{partner=\"p\",direction=\"request\",category=\"phone\",action=\"mask\"}",
            3.0,
        ),
        (
            "pii_proxy_refusals_total{partner=\"p\",reason=\"invalid_json\",fault=\"caller\"}",
            1.0,
        ),
        (
            "pii_proxy_refusals_total{partner=\"(none)\",reason=\"no_route\",fault=\"caller\"}",
            1.0,
        ),
        ("pii_proxy_added_latency_seconds_count{partner=\"p\"}", 4.0),
        (
            "pii_proxy_upstream_latency_seconds_count{partner=\"p\"}",
            3.0,
        ),
        (
            "pii_proxy_received_bytes_total{partner=\"p\"}",
            (3 * payload().len() + format!("{{\"mobile\": \"{MOBILE}\",").len()) as f64,
        ),
        ("pii_proxy_consent_blocks_total{partner=\"p\"}", 0.0),
        ("pii_proxy_config_generation", 1.0),
        ("pii_proxy_audit_available", 1.0),
        ("pii_proxy_audit_queue_depth", 0.0),
        ("pii_proxy_requests_in_flight", 0.0),
    ];
    for (series, value) in expect {
        assert_eq!(
            sample(&metrics, series),
            Some(value),
            "{series} in\n{metrics}"
        );
    }
    // `fsync: always`: every batch was fsynced and timed.
    let fsyncs = sample(&metrics, "pii_proxy_audit_fsync_seconds_count").expect("fsync count");
    assert!(fsyncs >= 1.0, "{metrics}");
    assert!(metrics.contains("pii_proxy_build_info{version="));
    assert_no_raw_value("the metrics", &metrics);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_access_log_has_one_line_per_request_and_no_value() {
    let proxy = Running::start(CONFIG, &["--log-format", "json"]);
    let request = Request::post(proxy.url("/p/v1/query?mobile=13800138000"))
        .header("content-type", "application/json")
        .header("x-request-id", "req-log-1")
        .body(Full::new(Bytes::from(payload())))
        .expect("request");
    let answer = send(&h1_client(), request).await;
    assert_eq!(answer.status, 200);
    let refused = Request::post(proxy.url("/p/v1/query"))
        .header("content-type", "application/json")
        .header("x-request-id", "req-log-2")
        .body(Full::new(Bytes::from(format!("[\"{MOBILE}\""))))
        .expect("request");
    assert_eq!(send(&h1_client(), refused).await.status, 400);

    let access_line = |id: &'static str| {
        let lines = proxy.stderr.clone();
        move || {
            let lines = lines.clone();
            async move {
                lines.lock().expect("stderr").iter().any(|l| {
                    serde_json::from_str::<Value>(l)
                        .is_ok_and(|v| v["target"] == "access" && v["request_id"] == id)
                })
            }
        }
    };
    eventually("the access lines", access_line("req-log-1")).await;
    eventually("the access lines", access_line("req-log-2")).await;
    let lines: Vec<Value> = proxy
        .stderr
        .lock()
        .expect("stderr")
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["target"] == "access")
        .collect();
    assert_eq!(lines.len(), 2, "one access line per request: {lines:?}");
    let ok = lines
        .iter()
        .find(|v| v["request_id"] == "req-log-1")
        .expect("line");
    assert_eq!(ok["level"], "INFO");
    assert_eq!(ok["partner"], "p");
    assert_eq!(ok["method"], "POST");
    assert_eq!(ok["status"], 200);
    assert_eq!(ok["findings"], 3, "name, mobile and the query's mobile");
    assert_eq!(ok["bytes_in"], payload().len());
    for field in ["proxy_ms", "upstream_ms", "bytes_out"] {
        assert!(ok[field].is_number(), "{field} in {ok}");
    }
    let refused = lines
        .iter()
        .find(|v| v["request_id"] == "req-log-2")
        .expect("line");
    assert_eq!(refused["status"], 400);
    assert_eq!(refused["error"], "invalid_json");
    assert_no_raw_value("the log", &proxy.stderr_text());
}

// ------------------------------------------------------------------ reload

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_reload_swaps_the_rules_and_is_audited() {
    let proxy = Running::start(CONFIG, &[]);
    assert_eq!(
        variant(proxy.post_payload(&payload()).await.text()),
        Variant::A
    );
    std::fs::write(proxy.path("rules/test.yaml"), RULES_B).expect("new rules");
    let answer = proxy.admin("POST", "/reload").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let body = answer.json();
    assert_eq!(body["status"], "reloaded");
    assert_eq!(body["generation"], 2);
    assert_eq!(body["partners"][0]["id"], "p");
    assert!(
        body["partners"][0]["rules_version"]
            .as_str()
            .expect("version")
            .starts_with("sha256:")
    );
    assert_eq!(body["restart_required"], serde_json::json!([]));
    assert_eq!(
        variant(proxy.post_payload(&payload()).await.text()),
        Variant::B
    );

    let metrics = proxy.metrics().await;
    assert_eq!(sample(&metrics, "pii_proxy_config_generation"), Some(2.0));
    assert_eq!(
        sample(
            &metrics,
            "pii_proxy_config_reloads_total{trigger=\"admin_api\",result=\"ok\"}"
        ),
        Some(1.0)
    );
    let admin: Vec<Value> = proxy
        .audit_records()
        .into_iter()
        .filter(|r| r["kind"] == "admin")
        .collect();
    assert_eq!(admin.len(), 1, "{admin:?}");
    assert_eq!(admin[0]["action"], "reload");
    assert_eq!(admin[0]["actor"], "admin_api");

    // A listener change is accepted for everything else, and reported.
    let config = std::fs::read_to_string(proxy.path("pii-proxy.yaml")).expect("config");
    std::fs::write(
        proxy.path("pii-proxy.yaml"),
        config.replace("listen: 127.0.0.1:0\nadmin", "listen: 127.0.0.1:1\nadmin"),
    )
    .expect("config");
    let answer = proxy.admin("POST", "/reload").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.json()["restart_required"],
        serde_json::json!(["listen"])
    );
    assert_eq!(
        variant(proxy.post_payload(&payload()).await.text()),
        Variant::B
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_reload_is_rejected_with_positions_and_the_old_rules_keep_serving() {
    let proxy = Running::start(CONFIG, &[]);
    std::fs::write(
        proxy.path("rules/test.yaml"),
        "fields:\n  - path: $.user.name\n    colour: red\n",
    )
    .expect("bad rules");
    let answer = proxy.admin("POST", "/reload").await;
    assert_eq!(answer.status, 422, "{answer:?}");
    assert!(
        answer
            .text()
            .starts_with(r#"{"error":"config_rejected","detail":"#)
    );
    let body = answer.json();
    assert_eq!(body["error"], "config_rejected");
    let errors = body["errors"].to_string();
    assert!(errors.contains("rules/test.yaml:3:"), "{errors}");
    assert_eq!(
        variant(proxy.post_payload(&payload()).await.text()),
        Variant::A
    );

    // A key given twice: the project's words, never the YAML library's
    // hint about its parser options.
    std::fs::write(
        proxy.path("rules/test.yaml"),
        "subject: $.user.user_id\nsubject: $.user.id\n",
    )
    .expect("duplicate key");
    let answer = proxy.admin("POST", "/reload").await;
    assert_eq!(answer.status, 422, "{answer:?}");
    let errors = answer.json()["errors"].to_string();
    assert!(
        errors.contains("rules/test.yaml:2:1: `subject` is given twice in this mapping"),
        "{errors}"
    );
    assert!(
        !errors.contains("DuplicateKeyPolicy") && !errors.contains("Options"),
        "{errors}"
    );

    // A broken config file: every error, positioned in the config.
    std::fs::write(proxy.path("rules/test.yaml"), RULES_B).expect("good rules");
    let config = std::fs::read_to_string(proxy.path("pii-proxy.yaml")).expect("config");
    std::fs::write(
        proxy.path("pii-proxy.yaml"),
        config.replace("route: /p/", "route: p/"),
    )
    .expect("bad config");
    let answer = proxy.admin("POST", "/reload").await;
    assert_eq!(answer.status, 422, "{answer:?}");
    let errors = answer.json()["errors"].to_string();
    assert!(
        errors.contains("pii-proxy.yaml:6:12: route `p/`"),
        "{errors}"
    );
    assert_eq!(
        variant(proxy.post_payload(&payload()).await.text()),
        Variant::A
    );

    let metrics = proxy.metrics().await;
    assert_eq!(sample(&metrics, "pii_proxy_config_generation"), Some(1.0));
    assert_eq!(
        sample(
            &metrics,
            "pii_proxy_config_reloads_total{trigger=\"admin_api\",result=\"rejected\"}"
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(&metrics, "pii_proxy_config_last_reload_successful"),
        Some(0.0)
    );
    let rejected = proxy
        .audit_records()
        .into_iter()
        .filter(|r| r["kind"] == "admin" && r["action"] == "reload_rejected")
        .count();
    assert_eq!(rejected, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads() {
    let proxy = Running::start(CONFIG, &[]);
    std::fs::write(proxy.path("rules/test.yaml"), RULES_B).expect("new rules");
    proxy.signal("HUP");
    eventually("the SIGHUP reload", || async {
        variant(proxy.post_payload(&payload()).await.text()) == Variant::B
    })
    .await;
    let metrics = proxy.metrics().await;
    assert_eq!(
        sample(
            &metrics,
            "pii_proxy_config_reloads_total{trigger=\"signal\",result=\"ok\"}"
        ),
        Some(1.0)
    );
    assert!(proxy.stderr_text().contains("SIGHUP received"));
    let actors: Vec<Value> = proxy
        .audit_records()
        .into_iter()
        .filter(|r| r["kind"] == "admin")
        .map(|r| r["actor"].clone())
        .collect();
    assert_eq!(actors, [serde_json::json!("signal")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_rules_file_reloads_when_it_changes() {
    let config = CONFIG.replace(
        "audit: {dir: audit, fsync: always}\n",
        "audit: {dir: audit, fsync: always}\nreload: {watch: true, debounce: 100ms}\n",
    );
    let proxy = Running::start(&config, &[]);
    // Written as editors do: a new file renamed over the old one.
    let fresh = proxy.path("rules/.test.yaml.new");
    std::fs::write(&fresh, RULES_B).expect("new rules");
    std::fs::rename(&fresh, proxy.path("rules/test.yaml")).expect("rename");
    eventually("the watched reload", || async {
        variant(proxy.post_payload(&payload()).await.text()) == Variant::B
    })
    .await;
    // A broken save is rejected and the last good rules keep serving.
    std::fs::write(proxy.path("rules/test.yaml"), "fields: [").expect("broken rules");
    eventually("the rejected watched reload", || async {
        let metrics = proxy.metrics().await;
        sample(
            &metrics,
            "pii_proxy_config_reloads_total{trigger=\"file_watch\",result=\"rejected\"}",
        )
        .is_some_and(|n| n >= 1.0)
    })
    .await;
    assert_eq!(
        variant(proxy.post_payload(&payload()).await.text()),
        Variant::B
    );
}

/// 100 reloads, alternating two valid rules variants, while clients post
/// continuously: every request succeeds and every body is protected by one
/// policy completely. Then a bad reload is refused and serving goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_fails_during_a_hundred_reloads() {
    let proxy = Arc::new(Running::start(CONFIG, &[]));
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let served = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for _ in 0..6 {
        let (proxy, done, served) = (proxy.clone(), done.clone(), served.clone());
        clients.push(tokio::spawn(async move {
            let client = h1_client();
            let url = proxy.url("/p/v1/query");
            while !done.load(Ordering::SeqCst) {
                let answer = send(&client, post(&url, "application/json", payload())).await;
                assert_eq!(answer.status, 200, "{answer:?}");
                variant(answer.text());
                served.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    let rules = proxy.path("rules/test.yaml");
    for n in 1..=100u32 {
        let (text, expected) = if n % 2 == 1 {
            (RULES_B, Variant::B)
        } else {
            (TEST_RULES, Variant::A)
        };
        std::fs::write(&rules, text).expect("rules");
        let answer = proxy.admin("POST", "/reload").await;
        assert_eq!(answer.status, 200, "reload {n}: {answer:?}");
        assert_eq!(answer.json()["generation"], n + 1);
        if n % 10 == 0 || n % 10 == 1 {
            // New requests use the new policy at once.
            assert_eq!(
                variant(proxy.post_payload(&payload()).await.text()),
                expected
            );
        }
    }
    std::fs::write(&rules, "fields:\n  - path: [\n").expect("bad rules");
    let answer = proxy.admin("POST", "/reload").await;
    assert_eq!(answer.status, 422, "{answer:?}");
    done.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.expect("no client saw a failure");
    }
    let served = served.load(Ordering::SeqCst);
    assert!(served > 0);
    eprintln!("{served} requests served while 100 reloads happened");
    // Still serving, on the 100th reload's rules (TEST_RULES).
    assert_eq!(
        variant(proxy.post_payload(&payload()).await.text()),
        Variant::A
    );
    let metrics = proxy.metrics().await;
    assert_eq!(sample(&metrics, "pii_proxy_config_generation"), Some(101.0));
    let failed: f64 = metrics
        .lines()
        .filter(|l| l.starts_with("pii_proxy_requests_total{") && !l.contains("status=\"200\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert_eq!(failed, 0.0, "{metrics}");
    // 100 reloads and one rejection, each audited, in an intact chain.
    let admin = proxy
        .audit_records()
        .into_iter()
        .filter(|r| r["kind"] == "admin")
        .count();
    assert_eq!(admin, 101);
    let verify = Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .args(["audit", "verify", "--partial"])
        .arg(proxy.path("audit"))
        .output()
        .expect("audit verify");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

// -------------------------------------------------------- candidate rules

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn candidate_rules_run_in_shadow_and_their_differences_are_counted_and_audited() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = format!("{CONFIG}    candidate_rules: rules/next.yaml\n");
    let path = write_config(dir.path(), &config);
    std::fs::write(dir.path().join("rules/next.yaml"), RULES_NEXT).expect("candidate");
    let proxy = Running::start_in(dir, &path, &[]);

    // Enforced: the current rules only (the email is not protected by them).
    let answer = proxy.post_payload(&payload()).await;
    assert_eq!(answer.status, 200);
    assert_eq!(variant(answer.text()), Variant::A);
    assert!(
        answer.text().contains(EMAIL),
        "the candidate is never enforced"
    );

    let metrics = proxy.metrics().await;
    for (series, value) in [
        (
            "pii_proxy_candidate_requests_total{partner=\"p\",result=\"different\"}",
            1.0,
        ),
        (
            "pii_proxy_candidate_fields_total{partner=\"p\",difference=\"newly_protected\",category=\"email\"}",
            1.0,
        ),
        (
            "pii_proxy_candidate_fields_total{partner=\"p\",difference=\"left_unprotected\",category=\"name\"}",
            1.0,
        ),
        (
            "pii_proxy_candidate_fields_total{partner=\"p\",difference=\"changed\",category=\"phone\"}",
            1.0,
        ),
        (
            "pii_proxy_findings_total{partner=\"p\",direction=\"request\",category=\"phone\",action=\"mask\"}",
            1.0,
        ),
    ] {
        assert_eq!(
            sample(&metrics, series),
            Some(value),
            "{series} in\n{metrics}"
        );
    }
    assert!(
        !metrics.contains("action=\"drop\""),
        "candidate findings are not findings"
    );

    let share = proxy
        .audit_records()
        .into_iter()
        .find(|r| r["kind"] == "share")
        .expect("share record");
    let candidate = &share["candidate"];
    assert!(
        candidate["rules_version"]
            .as_str()
            .expect("version")
            .starts_with("sha256:")
    );
    assert_ne!(candidate["rules_version"], share["rules_version"]);
    let fields = |kind: &str| -> Vec<(String, String, String)> {
        candidate[kind]
            .as_array()
            .unwrap_or_else(|| panic!("{kind} in {candidate}"))
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().expect("path").to_string(),
                    f["category"].as_str().expect("category").to_string(),
                    f["action"].as_str().expect("action").to_string(),
                )
            })
            .collect()
    };
    let triple = |p: &str, c: &str, a: &str| (p.to_string(), c.to_string(), a.to_string());
    assert_eq!(
        fields("newly_protected"),
        [triple("$.user.email", "email", "mask")]
    );
    assert_eq!(
        fields("left_unprotected"),
        [triple("$.user.name", "name", "mask")]
    );
    assert_eq!(
        fields("changed"),
        [triple("$.user.mobile", "phone", "drop")]
    );
    assert_no_raw_value("the audit log", &proxy.audit_text());

    // A request both policies treat alike is counted as such, with no
    // candidate differences in its record.
    let plain = proxy
        .post_payload(r#"{"user":{"note":"nothing personal"}}"#)
        .await;
    assert_eq!(plain.status, 200);
    let metrics = proxy.metrics().await;
    assert_eq!(
        sample(
            &metrics,
            "pii_proxy_candidate_requests_total{partner=\"p\",result=\"same\"}"
        ),
        Some(1.0)
    );
    let verify = Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .args(["audit", "verify"])
        .arg(proxy.path("audit"))
        .output()
        .expect("audit verify");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn mask_diff_lists_what_new_rules_would_change_per_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old.yaml");
    let new = dir.path().join("new.yaml");
    let input = dir.path().join("input.json");
    std::fs::write(&old, TEST_RULES).expect("old");
    std::fs::write(&new, RULES_NEXT).expect("new");
    std::fs::write(&input, payload()).expect("input");
    let output = Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .current_dir(dir.path())
        .args(["mask", "--diff"])
        .args([&old, &new, &input])
        .output()
        .expect("mask --diff");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf8");
    let lines: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines[0], ["+", "$.user.email", "email", "mask"], "{stdout}");
    assert_eq!(lines[1], ["-", "$.user.name", "name", "mask"], "{stdout}");
    assert_eq!(
        lines[2],
        ["~", "$.user.mobile", "phone", "mask", "->", "phone", "drop"],
        "{stdout}"
    );
    assert!(
        lines[3].starts_with(&["1", "newly", "protected", "(+),", "1", "left"]),
        "{stdout}"
    );
    assert_no_raw_value("mask --diff output", &stdout);
    assert!(!dir.path().join("keys").exists(), "no keyring was created");

    // A broken rules file: positioned errors, exit 1.
    std::fs::write(&new, "fields:\n  - path: $.a\n    colour: red\n").expect("bad");
    let output = Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .current_dir(dir.path())
        .args(["mask", "--diff"])
        .args([&old, &new, &input])
        .output()
        .expect("mask --diff");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("new.yaml:3:"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_endpoints_on_the_admin_listener_block_the_very_next_request() {
    let proxy = Running::start(CONFIG, &[]);
    assert_eq!(proxy.post_payload(&payload()).await.status, 200);

    let revoke = format!(r#"{{"subject":"{USER_ID}","partner":"p"}}"#);
    let answer = proxy.admin_json("POST", "/consent/revoke", &revoke).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let refused = proxy.post_payload(&payload()).await;
    refused.assert_refused(403, "consent_revoked");

    let lookup = proxy
        .admin("GET", &format!("/consent?subject={USER_ID}"))
        .await;
    assert_eq!(lookup.status, 200, "{lookup:?}");
    assert!(!lookup.text().contains(USER_ID), "{}", lookup.text());

    let answer = proxy.admin_json("POST", "/consent/restore", &revoke).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(proxy.post_payload(&payload()).await.status, 200);

    let metrics = proxy.metrics().await;
    assert_eq!(
        sample(&metrics, "pii_proxy_consent_blocks_total{partner=\"p\"}"),
        Some(1.0),
        "{metrics}"
    );
    for family in [
        "pii_proxy_consent_subjects",
        "pii_proxy_consent_decisions_recorded_total",
        "pii_proxy_quota_rate_refusals_total{partner=\"p\"}",
        "pii_proxy_subject_anomalies_total{partner=\"p\"}",
        "pii_proxy_baseline_distinct_subjects{partner=\"p\"}",
    ] {
        assert!(
            sample(&metrics, family).is_some(),
            "{family} missing:\n{metrics}"
        );
    }
    assert_no_raw_value("metrics", &metrics);
    // Each admin action is audited, with the subject hashed.
    let audit = proxy.audit_text();
    assert!(audit.contains("consent.revoke"), "{audit}");
    assert!(audit.contains("consent.restore"), "{audit}");
    assert_no_raw_value("audit log", &audit);
    assert_no_raw_value("stderr", &proxy.stderr_text());
}
