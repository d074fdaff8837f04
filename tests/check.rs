//! `check` as a new user runs it, and the one exit-code table (the README's
//! and `cli`'s): every problem of every file in one run, the identifier
//! rule applied where the name is written, and each kind of failure with
//! its code. Through the real binary, in scratch directories.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .args(args)
        .current_dir(dir)
        .env_remove("PII_PROXY_CONFIG")
        .output()
        .expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("dir");
    }
    std::fs::write(path, text).expect("write");
}

const GOOD_RULES: &str = "subject: $.user.user_id\nfields:\n  - path: $.user.name\n    category: name\n    action: {mask: {keep_first: 1}}\n";

/// The problems `check` printed, as `(file name, line)` pairs plus text.
fn positioned(text: &str) -> Vec<(String, u64, String)> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(4, ':');
            let file = parts.next()?;
            let line_no = parts.next()?.parse().ok()?;
            let _column: u64 = parts.next()?.parse().ok()?;
            let name = Path::new(file).file_name()?.to_string_lossy().into_owned();
            Some((name, line_no, parts.next()?.trim().to_owned()))
        })
        .collect()
}

#[test]
fn check_reports_every_problem_of_every_file_and_kind_in_one_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "rules/good.yaml", GOOD_RULES);
    write(
        d,
        "rules/bad.yaml",
        "fields:\n  - path: $.a\n    category: '13800138000'\n    action: drop\ndetect:\n  - detector: no_such_detector\n    action: redact\n",
    );
    write(d, "rules/abroad.yaml", GOOD_RULES);
    write(d, "certs/server.pem", "not a certificate\n");
    write(d, "certs/server-key.pem", "not a key\n");
    write(d, "keys/admin.token", "short\n");
    write(d, "keys/keyring.json", "{ not json\n");
    let config = "\
listen: 127.0.0.1:0
tls: {cert: certs/server.pem, key: certs/server-key.pem}
admin: {listen: 127.0.0.1:0}
partners:
  - id: bank-123456
    route: /bank/
    upstream: builtin:echo
    rules: rules/good.yaml
  - id: lender
    route: /lender/
    routes: [{path: /lender/loan/, scenario: loan-123456}]
    upstream: builtin:echo
    rules: rules/good.yaml
  - id: missing
    route: /missing/
    upstream: builtin:echo
    rules: rules/missing.yaml
  - id: broken
    route: /broken/
    upstream: builtin:echo
    rules: rules/bad.yaml
  - id: abroad
    route: /abroad/
    upstream: https://partner.invalid
    region: US
    export_basis: standard_contract
    rules: rules/abroad.yaml
";
    write(d, "pii-proxy.yaml", config);
    let out = run_in(d, &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stderr(&out);
    let problems = positioned(&text);
    let has = |file: &str, line: u64, words: &str| {
        problems
            .iter()
            .any(|(f, l, m)| f == file && *l == line && m.contains(words))
    };
    // The config: identifier rule where the names are written, a missing file.
    assert!(
        has("pii-proxy.yaml", 5, "partner id must not hold a run of 6"),
        "{text}"
    );
    assert!(
        has(
            "pii-proxy.yaml",
            11,
            "scenario name must not hold a run of 6"
        ),
        "{text}"
    );
    assert!(has("pii-proxy.yaml", 17, "does not exist"), "{text}");
    // A rules file, several problems of it, the identifier rule on a category.
    assert!(
        has("bad.yaml", 3, "category must not hold a run of 6"),
        "{text}"
    );
    assert!(has("bad.yaml", 6, "unknown detector"), "{text}");
    // The cross-border rule against the rules of a partner that checks.
    assert!(
        has("abroad.yaml", 0, "consent: required") || text.contains("`consent: required`"),
        "{text}"
    );
    // The files the config names: keyring, TLS, admin token.
    assert!(has("keyring.json", 0, ""), "{text}");
    assert!(has("server.pem", 0, "proxy listener's TLS"), "{text}");
    assert!(has("admin.token", 0, "admin token"), "{text}");
    // Nothing was created or changed by `check`.
    assert_eq!(
        std::fs::read_to_string(d.join("keys/admin.token")).expect("token"),
        "short\n"
    );
    assert!(!d.join("audit").exists() && !d.join("consent").exists());
}

#[test]
fn a_config_that_is_not_yaml_still_has_its_rules_files_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "rules/bad.yaml",
        "fields:\n  - path: $.a\n    colour: red\n",
    );
    write(
        d,
        "pii-proxy.yaml",
        "listen: 127.0.0.1:0\nlisten_twice: yes\npartners:\n  - id: p\n    route: /p/\n    upstream: builtin:echo\n    rules: rules/bad.yaml\n",
    );
    let out = run_in(d, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let problems = positioned(&stderr(&out));
    assert!(
        problems
            .iter()
            .any(|(f, l, _)| f == "pii-proxy.yaml" && *l == 2),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|(f, l, m)| f == "bad.yaml" && *l == 3 && m.contains("colour")),
        "{problems:?}"
    );
}

#[test]
fn a_config_that_checks_is_one_that_starts_and_check_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "rules/good.yaml", GOOD_RULES);
    write(
        d,
        "pii-proxy.yaml",
        "listen: 127.0.0.1:0\nadmin: {listen: 127.0.0.1:0}\nkeys: {path: keys/keyring.json, create_if_missing: true}\npartners:\n  - id: demo\n    route: /demo/\n    upstream: builtin:echo\n    rules: rules/good.yaml\n",
    );
    let out = run_in(d, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok (1 partners)"));
    assert!(
        !d.join("keys").exists(),
        "check creates no keyring or token"
    );
    let mut proxy = BinaryProxy::serve(&d.join("pii-proxy.yaml"));
    assert!(d.join("keys/keyring.json").exists() && d.join("keys/admin.token").exists());
    assert!(proxy.terminate().success(), "{}", proxy.stderr_text());
}

#[test]
fn each_kind_of_failure_exits_with_the_code_of_the_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "rules/good.yaml", GOOD_RULES);
    let config = "listen: 127.0.0.1:0\npartners:\n  - id: demo\n    route: /demo/\n    upstream: builtin:echo\n    rules: rules/good.yaml\n";
    write(d, "pii-proxy.yaml", config);
    dev_keyring(d);
    // 2: usage, and a file named on the command line that cannot be read.
    assert_eq!(
        run_in(d, &["check", "--no-such-flag"]).status.code(),
        Some(2)
    );
    let out = run_in(d, &["mask", "--partner", "demo", "missing.json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // 1: a document the proxy would refuse.
    write(d, "bad.json", "{\"user\": ");
    let out = run_in(d, &["mask", "--partner", "demo", "bad.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("refused (invalid_json)"));
    // 1: decrypt needs the keyring that sealed the values, and never makes one.
    std::fs::remove_dir_all(d.join("keys")).ok();
    write(d, "doc.json", "{\"user\": {\"name\": \"x\"}}");
    let out = run_in(d, &["decrypt", "--partner", "demo", "doc.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("no keyring"), "{}", stderr(&out));
    assert!(
        !d.join("keys/keyring.json").exists(),
        "decrypt created a keyring"
    );
    // 1 at serve as at check: a certificate that does not load is a config error.
    write(d, "certs/server.pem", "not a certificate\n");
    write(d, "certs/server-key.pem", "not a key\n");
    let tls = config.replace(
        "listen: 127.0.0.1:0\n",
        "listen: 127.0.0.1:0\ntls: {cert: certs/server.pem, key: certs/server-key.pem}\n",
    );
    write(d, "tls.yaml", &tls);
    let out = run_in(d, &["serve", "--config", "tls.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("server.pem:0:0:"), "{}", stderr(&out));
    // 2 at serve: a port that cannot be bound.
    dev_keyring(d);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    write(
        d,
        "taken.yaml",
        &config.replace("127.0.0.1:0", &format!("127.0.0.1:{port}")),
    );
    let out = run_in(d, &["serve", "--config", "taken.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot listen on"),
        "{}",
        stderr(&out)
    );
}

/// A category in Chinese is an identifier: it is compiled, audited and
/// counted as written, not as `unknown` or `invalid`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chinese_category_is_audited_and_counted_as_itself() {
    let rules = "subject: $.user.user_id\ndetect:\n  - pattern: 'MRN-\\d{4}'\n    category: 医疗记录\n    action: redact\n";
    let config =
        one_partner("builtin:echo", "", "").replace("rules/test.yaml", "rules/medical.yaml");
    let mut proxy = TestProxy::start_with(&config, &[("rules/medical.yaml", rules)]).await;
    let client = h1_client();
    let request = post(
        &proxy.url("/p/v1/note"),
        "application/json",
        r#"{"user":{"user_id":"u-1"},"note":"MRN-1234"}"#,
    );
    let answer = send(&client, request).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(!answer.text().contains("MRN-1234"), "{answer:?}");
    let metrics = proxy.app.metrics_text();
    assert!(
        metrics.contains("category=\"医疗记录\""),
        "the metric label is the category as written"
    );
    let audit = proxy.dir.path().join("audit");
    proxy.stop().await.expect("stops cleanly");
    let share = audit_records(&audit)
        .into_iter()
        .find(|r| r["kind"] == "share")
        .expect("share record");
    assert_eq!(share["fields"][0]["category"], "医疗记录", "{share}");
}

/// The tests' proxy starts and stops through `boot`, as the binary does:
/// stopping it closes the audit log, so the outcome record queued as the
/// answer left is on disk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tests_proxy_shares_the_binarys_lifecycle() {
    let mut proxy = TestProxy::start(&one_partner("builtin:echo", "", "")).await;
    let client = h1_client();
    let request = post(
        &proxy.url("/p/v1/q"),
        "application/json",
        r#"{"user":{"user_id":"u-1"}}"#,
    );
    assert_eq!(send(&client, request).await.status, 200);
    let bad = post(&proxy.url("/p/v1/q"), "application/json", "{");
    send(&client, bad).await.assert_refused(400, "invalid_json");
    let audit = proxy.dir.path().join("audit");
    proxy.stop().await.expect("stops cleanly");
    let records = audit_records(&audit);
    let kinds: Vec<&str> = records.iter().filter_map(|r| r["kind"].as_str()).collect();
    // The shutdown checkpoint closes the log: it states its length.
    assert_eq!(
        kinds,
        ["share", "outcome", "blocked", "checkpoint"],
        "{records:#?}"
    );
    // A blocked record says whose fault the refusal was.
    assert_eq!(records[2]["reason"], "invalid_json");
    assert_eq!(records[2]["fault"], "caller");
}

#[test]
fn check_validates_the_nats_sink_and_witness_at_the_audit_section() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "rules/good.yaml", GOOD_RULES);
    dev_keyring(d);
    let partners = "partners:\n  - id: demo\n    route: /demo/\n    upstream: builtin:echo\n    rules: rules/good.yaml\n";
    write(
        d,
        "pii-proxy.yaml",
        &format!(
            "listen: 127.0.0.1:0\naudit:\n  sink: {{nats: {{url: \"nats://nats.example:4222\", stream: AUDIT, subject: pii.audit, token_file: secrets/nats.token}}}}\n  checkpoints: {{witnesses: [{{nats: {{url: \"tls://nats.example:4222\", subject: \"pii.>\"}}}}]}}\n{partners}"
        ),
    );
    let out = run_in(d, &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let problems = positioned(&stderr(&out));
    let audit: Vec<_> = problems.iter().filter(|(_, line, _)| *line == 3).collect();
    let text = format!("{problems:?}");
    assert!(!audit.is_empty(), "positioned at the audit section: {text}");
    assert!(text.contains("nats:// only on loopback"), "{text}");
    assert!(text.contains("nats.token not found"), "{text}");
    assert!(text.contains("without wildcards"), "{text}");

    // The same section, well formed, with the token in a file: it checks.
    write(d, "secrets/nats.token", "s3cret\n");
    write(
        d,
        "pii-proxy.yaml",
        &format!(
            "listen: 127.0.0.1:0\naudit:\n  sink: {{nats: {{url: \"tls://nats.example:4222\", stream: AUDIT, subject: pii.audit, token_file: secrets/nats.token}}}}\n{partners}"
        ),
    );
    let out = run_in(d, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A keyring that is not there stops `check` and `serve` (a secret volume
/// that failed to mount must not be replaced by new keys); one every user
/// may read is refused, one its group may read is warned about; the same
/// for the admin token. What the proxy creates is its owner's alone.
#[test]
fn a_missing_or_exposed_keyring_or_token_stops_check_and_serve() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "rules/good.yaml", GOOD_RULES);
    let config = "listen: 127.0.0.1:0\nadmin: {listen: 127.0.0.1:0}\npartners:\n  - id: demo\n    route: /demo/\n    upstream: builtin:echo\n    rules: rules/good.yaml\n";
    write(d, "pii-proxy.yaml", config);
    for command in ["check", "serve"] {
        let out = run_in(d, &[command]);
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("keys/keyring.json:0:0: no keyring here"),
            "{command}: {}",
            stderr(&out)
        );
        assert!(
            !d.join("keys/keyring.json").exists(),
            "{command} created keys"
        );
    }
    dev_keyring(d);
    let keyring = d.join("keys/keyring.json");
    write(d, "keys/admin.token", "0123456789abcdef0123456789abcdef\n");
    let token = d.join("keys/admin.token");
    set_mode(&token, 0o600);
    for (file, mode) in [(&keyring, 0o644), (&keyring, 0o606), (&token, 0o644)] {
        set_mode(file, mode);
        for command in ["check", "serve"] {
            let out = run_in(d, &[command]);
            assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
            assert!(
                stderr(&out).contains("is open to every user"),
                "{command}: {}",
                stderr(&out)
            );
        }
        set_mode(file, 0o600);
    }
    set_mode(&keyring, 0o440);
    let out = run_in(d, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("WARNING: the keyring")
            && stderr(&out).contains("readable by its group"),
        "{}",
        stderr(&out)
    );

    // Created by the proxy: keyring, token, audit segments, the consent
    // journal, each 0600, in directories 0700.
    let fresh = tempfile::tempdir().expect("tempdir");
    let f = fresh.path();
    write(f, "rules/good.yaml", GOOD_RULES);
    write(
        f,
        "pii-proxy.yaml",
        &config.replace(
            "partners:",
            "keys: {path: keys/keyring.json, create_if_missing: true}\npartners:",
        ),
    );
    let mut proxy = BinaryProxy::serve(&f.join("pii-proxy.yaml"));
    assert!(proxy.terminate().success(), "{}", proxy.stderr_text());
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&f.join("keys/keyring.json")), 0o600);
    assert_eq!(mode(&f.join("keys/admin.token")), 0o600);
    assert_eq!(mode(&f.join("keys")), 0o700);
    assert_eq!(mode(&f.join("audit")), 0o700);
    let segments = pii_proxy::audit::segment::list(&f.join("audit")).expect("segments");
    assert!(!segments.is_empty());
    for segment in segments {
        assert_eq!(mode(&segment), 0o600, "{}", segment.display());
    }
    assert_eq!(mode(&f.join("consent")), 0o700);
    assert_eq!(mode(&f.join("consent/journal.jsonl")), 0o600);
}
