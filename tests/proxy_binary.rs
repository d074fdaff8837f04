//! `pii-proxy serve` as users run it: the real binary, its start-up checks,
//! development keys and certificates, and graceful shutdown on SIGTERM.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_masks_through_echo_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &one_partner("builtin:echo", DEV_KEYS, ""));
    let mut proxy = BinaryProxy::serve(&config);
    assert_eq!(proxy.scheme, "http");
    let url = format!("http://{}/p/v1/query", proxy.addr);
    let answer = send(
        &h1_client(),
        post(
            &url,
            "application/json",
            r#"{"user":{"name":"王小明","mobile":"13800138000"}}"#,
        ),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.text(),
        r#"{"user":{"name":"王**","mobile":"138****8000"}}"#
    );

    let status = proxy.terminate();
    assert!(status.success(), "{status:?}: {}", proxy.stderr_text());
    let log = proxy.stderr_text();
    assert!(log.contains("SIGTERM received"), "{log}");
    assert!(log.contains("pii-proxy: stopped"), "{log}");
    assert!(
        !log.contains("13800138000"),
        "a value reached the log: {log}"
    );
    // Missing keys were generated, loudly, with owner-only permissions.
    assert!(log.contains("DEVELOPMENT keyring"), "{log}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let keys = dir.path().join("keys/keyring.json");
        let mode = std::fs::metadata(keys)
            .expect("keyring")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_generates_a_dev_certificate_and_serves_https() {
    let dir = tempfile::tempdir().expect("temp dir");
    let top = "tls: {cert: certs/server.pem, key: certs/server-key.pem}\n";
    let config = write_config(dir.path(), &one_partner("builtin:echo", top, ""));
    let proxy = BinaryProxy::serve(&config);
    assert_eq!(proxy.scheme, "https");
    assert!(proxy.stderr_text().contains("NO TLS CERTIFICATE FOUND"));
    // The self-signed certificate is its own CA.
    let client = tls_client(&dir.path().join("certs/server.pem"), None);
    let url = format!("https://localhost:{}/p/x", proxy.addr.port());
    let answer = send(
        &client,
        post(&url, "application/json", r#"{"mobile":"13800138000"}"#),
    )
    .await;
    assert_eq!(answer.text(), r#"{"mobile":"138****8000"}"#);
}

#[test]
fn serve_refuses_a_bad_config_with_every_error_positioned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(
        dir.path(),
        "listen: 0.0.0.0:0\npartners:\n  - id: p\n    route: p/\n    upstream: builtin:echo\n    rules: rules/test.yaml\n",
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .expect("run pii-proxy");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let file = config.display().to_string();
    assert!(
        stderr.contains(&format!("{file}:1:9: `0.0.0.0:0` is not a loopback")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{file}:4:12: route `p/`")),
        "{stderr}"
    );
}

#[test]
fn serve_refuses_a_bad_rules_file_before_binding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &one_partner("builtin:echo", "", ""));
    std::fs::write(
        dir.path().join("rules/test.yaml"),
        "fields:\n  - path: $.a\n    colour: red\n",
    )
    .expect("bad rules");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .expect("run pii-proxy");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("rules/test.yaml:3:"), "{stderr}");
    assert!(!stderr.contains("listening"), "{stderr}");
}

/// `audit: {enabled: false}` exists to measure what auditing costs: it must
/// say so loudly, still protect the body, and leave no audit log behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_the_audit_log_disabled_warns_and_still_protects() {
    let dir = tempfile::tempdir().expect("temp dir");
    let top = "audit: {enabled: false, dir: audit}\n";
    let config = write_config(dir.path(), &one_partner("builtin:echo", top, ""));
    let mut proxy = BinaryProxy::serve(&config);
    let url = format!("http://{}/p/v1/query", proxy.addr);
    let answer = send(
        &h1_client(),
        post(&url, "application/json", r#"{"mobile":"13800138000"}"#),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.text(), r#"{"mobile":"138****8000"}"#);
    assert!(proxy.terminate().success());
    let log = proxy.stderr_text();
    assert!(log.contains("AUDIT LOG DISABLED"), "{log}");
    assert!(
        !dir.path().join("audit").exists(),
        "an audit dir was created"
    );
}
