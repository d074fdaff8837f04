//! What the people who run the proxy expect of it besides its request
//! flow: a shutdown delay for load balancers, process metrics, every
//! stderr line JSON under `--log-format json`, shell completions and a man
//! page, and the exit-code table kept by the newer commands.

mod common;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
}

/// SIGTERM (here: the lifecycle's shutdown future) turns readiness off
/// first; the listener keeps accepting and serving for `shutdown_delay`,
/// then closes and drains.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_turns_off_for_the_shutdown_delay_before_the_listener_closes() {
    let delay = Duration::from_secs(6);
    let top = "admin: {listen: 127.0.0.1:0}\nshutdown_delay: 6s\n";
    let mut proxy = TestProxy::start(&one_partner("builtin:echo", top, "")).await;
    let admin = proxy.admin_addr.expect("an admin listener");
    let url = proxy.url("/p/v1/query");
    let readyz = format!("http://{admin}/readyz");
    let client = h1_client();
    assert_eq!(send(&client, get(&readyz)).await.status, 200);

    let started = Instant::now();
    let stopping = tokio::spawn(async move { proxy.stop().await });
    let mut ready = 200;
    while ready != 503 && started.elapsed() < delay {
        tokio::time::sleep(Duration::from_millis(20)).await;
        ready = send(&client, get(&readyz)).await.status.as_u16();
    }
    assert_eq!(ready, 503, "readiness still on during the shutdown delay");
    let readyz_body = send(&client, get(&readyz)).await.json();
    assert_eq!(readyz_body["ready"], false, "{readyz_body}");
    // A new connection is still accepted and served meanwhile. Checked
    // only well inside the delay, so a slow machine cannot fail it.
    if started.elapsed() < delay - Duration::from_secs(3) {
        let fresh = h1_client();
        let answer = send(
            &fresh,
            post(
                &url,
                "application/json",
                r#"{"user":{"mobile":"13800138000"}}"#,
            ),
        )
        .await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.text(), r#"{"user":{"mobile":"138****8000"}}"#);
    }
    let ended = stopping.await.expect("the lifecycle does not panic");
    assert!(ended.is_ok(), "{ended:?}");
    assert!(
        started.elapsed() >= delay,
        "the listener closed before the delay ended: {:?}",
        started.elapsed()
    );
}

/// Without `shutdown_delay` the listener closes as soon as the signal is
/// taken (the old behaviour, the default).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_shutdown_delay_the_listener_closes_at_once() {
    let mut proxy = TestProxy::start(&one_partner("builtin:echo", "", "")).await;
    let addr = proxy.addr;
    let started = Instant::now();
    proxy.stop().await.expect("clean stop");
    // Generous: this bounds a hang, it measures nothing.
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still accepting"
    );
}

/// Works until this process has used `ticks` clock ticks of CPU (the
/// kernel counts CPU time in ticks of 10 ms): on a fast machine a fresh
/// test process can otherwise report 0 CPU seconds.
fn spend_cpu_ticks(ticks: u64) {
    let used = || -> u64 {
        let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
        let after_name = &stat[stat.rfind(')').expect("a command name") + 2..];
        let fields: Vec<&str> = after_name.split(' ').collect();
        // utime and stime: fields 14 and 15 of stat(5), 12 and 13 here.
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
    };
    let mut sum = 0u64;
    while used() < ticks {
        for n in 0..100_000u64 {
            sum = std::hint::black_box(sum.wrapping_mul(31).wrapping_add(n));
        }
    }
}

/// `/metrics` carries the standard process families, unprefixed, with
/// plausible values for this process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_carry_process_cpu_memory_fds_and_threads() {
    let top = "admin: {listen: 127.0.0.1:0}\n";
    let proxy = TestProxy::start(&one_partner("builtin:echo", top, "")).await;
    spend_cpu_ticks(2);
    let admin = proxy.admin_addr.expect("an admin listener");
    let token = std::fs::read_to_string(proxy.dir.path().join("keys/admin.token")).expect("token");
    let request = http::Request::get(format!("http://{admin}/metrics"))
        .header("authorization", format!("Bearer {}", token.trim()))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .expect("request");
    let answer = send(&h1_client(), request).await;
    assert_eq!(answer.status, 200);
    let text = answer.text();
    let value = |name: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
            .unwrap_or_else(|| panic!("no {name} in:\n{text}"));
        line.rsplit(' ')
            .next()
            .and_then(|v| v.parse().ok())
            .expect("a number")
    };
    assert!(value("process_cpu_seconds_total") > 0.0);
    assert!(value("process_resident_memory_bytes") > 1024.0 * 1024.0);
    assert!(value("process_open_fds") >= 3.0);
    assert!(value("process_max_fds") >= value("process_open_fds"));
    assert!(value("process_threads") >= 2.0);
    assert!(value("process_start_time_seconds") > 1.6e9);
    assert!(
        text.contains("# TYPE process_cpu_seconds counter"),
        "{text}"
    );
    // The proxy's own families keep their prefix.
    assert!(text.contains("pii_proxy_requests_in_flight"), "{text}");
    assert!(text.trim_end().ends_with("# EOF"), "one exposition");
    assert_eq!(text.matches("# EOF").count(), 1);
}

/// Under `--log-format json` every stderr line is a JSON object: the
/// development warnings, the listening lines (with their URL), the access
/// lines, the shutdown and `stopped`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_line_is_json_under_log_format_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let top = "admin: {listen: 127.0.0.1:0}\n".to_owned() + DEV_KEYS;
    let config = write_config(dir.path(), &one_partner("builtin:echo", &top, ""));
    let mut child = binary()
        .args(["serve", "--log-format", "json", "--config"])
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start pii-proxy");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    let url = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("no listening event: {lines:#?}"));
        let event: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        lines.push(line);
        if event["message"] == "listening" && event["listener"] == "proxy" {
            break event["url"].as_str().expect("a url").to_owned();
        }
    };
    let answer = send(
        &h1_client(),
        post(
            &format!("{url}/p/v1/q"),
            "application/json",
            r#"{"user":{"mobile":"13800138000"}}"#,
        ),
    )
    .await;
    assert_eq!(answer.status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert!(status.success(), "{status:?}");
    reader.join().expect("reader");
    lines.extend(rx.try_iter());
    for line in &lines {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(event["level"].is_string(), "{line}");
    }
    let all = lines.join("\n");
    for expected in [
        "DEVELOPMENT keyring",
        "DEVELOPMENT token",
        "\"listener\":\"admin\"",
        "\"message\":\"request\"",
        "\"message\":\"stopped\"",
    ] {
        assert!(all.contains(expected), "no {expected} in {all}");
    }
    assert!(
        !all.contains("WARNING: "),
        "the text prefix leaked into JSON: {all}"
    );
    assert!(
        !all.contains("13800138000"),
        "a value reached the log: {all}"
    );
}

/// A config problem that ends `serve` is a JSON event too, and keeps its
/// exit code.
#[test]
fn a_failed_start_under_json_logs_is_json_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(
        dir.path(),
        "listen: 127.0.0.1:0\nlimit: {}\npartners:\n  - id: p\n    route: /p/\n    upstream: builtin:echo\n    rules: rules/test.yaml\n",
    );
    let out = binary()
        .args(["serve", "--log-format", "json", "--config"])
        .arg(&config)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.trim().is_empty());
    for line in stderr.lines() {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert_eq!(event["level"], "ERROR", "{line}");
    }
    assert!(
        stderr.contains("pii-proxy.yaml:2:1: unknown field `limit`"),
        "{stderr}"
    );
}

#[test]
fn completions_and_man_pages_come_from_the_command_line_definition() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef pii-proxy"),
        ("fish", "complete -c pii-proxy"),
    ] {
        let out = binary()
            .args(["completions", shell])
            .output()
            .expect("runs");
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        for command in ["serve", "check", "mask", "test", "audit"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
    }
    let out = binary().arg("man").output().expect("runs");
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH pii-proxy"),
        "{page}"
    );
    assert!(page.contains("Exit status"), "{page}");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = binary()
        .args(["man", "--dir"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for page in [
        "pii-proxy.1",
        "pii-proxy-serve.1",
        "pii-proxy-test.1",
        "pii-proxy-audit-verify.1",
    ] {
        assert!(dir.path().join(page).exists(), "no {page}");
    }
}
