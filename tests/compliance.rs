//! The regulations' rules against the running proxy (in-process through
//! `pii_proxy::boot` on 127.0.0.1:0): the `jr-t-0171` profile (each C3 kind
//! refused, each C2 display), separate consent enforced and granted, the
//! yearly cross-border export counter across a restart and at its
//! threshold, the SM suite end to end (envelopes `decrypt` opens, an SM3
//! audit chain `audit verify` finds), and `check`'s warnings.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use common::*;
use pii_proxy::app::App;
use pii_proxy::boot;
use serde_json::{Value, json};
use tokio::sync::oneshot;

const ALICE: &str = "110101199003077777";
const BOB: &str = "13800138000";
const CAROL: &str = "carol@example.cn";
const DAVE: &str = "dave-4711";

/// The proxy started from `dir/pii-proxy.yaml`, stoppable so that a new one
/// can open the same files (a restart).
struct Running {
    addr: std::net::SocketAddr,
    admin: std::net::SocketAddr,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), boot::BootError>>,
    dir: std::path::PathBuf,
}

impl Running {
    async fn start(dir: &Path) -> Running {
        let bound = boot::bind(&dir.join("pii-proxy.yaml"), boot::Options::default())
            .await
            .unwrap_or_else(|e| panic!("proxy start: {e}"));
        let (addr, admin) = (bound.proxy_addr(), bound.admin_addr().expect("admin"));
        let app = bound.app().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(bound.run(async {
            let _ = stopped.await;
        }));
        Running {
            addr,
            admin,
            app,
            stop: Some(stop),
            task,
            dir: dir.to_path_buf(),
        }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let ended = (&mut self.task).await.expect("no panic");
        ended.expect("the proxy stops cleanly");
    }

    fn token(&self) -> String {
        std::fs::read_to_string(self.dir.join("keys/admin.token"))
            .expect("admin token")
            .trim()
            .to_owned()
    }

    async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.admin))
            .header("authorization", format!("Bearer {}", self.token()))
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(bytes::Bytes::from(
                body.map(|b| b.to_string()).unwrap_or_default(),
            )))
            .expect("request");
        send(&h1_client(), request).await
    }

    async fn grant(&self, subject: &str, partner: &str, separate: bool) {
        let body = json!({"subject": subject, "partner": partner, "separate": separate});
        let answer = self.admin("POST", "/consent/grant", Some(body)).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        for raw in [ALICE, BOB, CAROL, DAVE] {
            assert!(!answer.text().contains(raw), "{answer:?}");
        }
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        let answer = send(
            &h1_client(),
            post(
                &format!("http://{}{path}", self.addr),
                "application/json",
                body.to_string(),
            ),
        )
        .await;
        if answer.status != 200 {
            // A subject's keyed hash is hex: a short raw value such as a
            // CVV may appear in it by chance, so hashes are not searched.
            let hashes = regex::Regex::new("hmac:[0-9a-f]{64}").expect("pattern");
            let text = hashes.replace_all(answer.text(), "hmac:…");
            for raw in [ALICE, BOB, CAROL, DAVE, "123", "482913"] {
                assert!(!text.contains(raw), "{answer:?}");
            }
        }
        answer
    }

    async fn settle(&self) {
        for _ in 0..2400 {
            if self.app.audit.stats().queue_depth == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the audit queue never drained");
    }
}

/// A directory with the shipped example partner (`rules/payment-partner.yaml`)
/// on the echo upstream, and `partners` more lines under `partners:`.
fn setup(top: &str, partners: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/payment-partner.yaml"),
    )
    .expect("the shipped example");
    let config = format!(
        "listen: 127.0.0.1:0\nadmin: {{listen: 127.0.0.1:0}}\n{top}partners:\n\
         \x20 - id: payment-partner\n    route: /pay/\n    upstream: builtin:echo\n    \
         rules: rules/payment-partner.yaml\n{partners}"
    );
    write_config(dir.path(), &config);
    std::fs::write(dir.path().join("rules/payment-partner.yaml"), shipped).expect("rules");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("file");
    }
    dir
}

fn records_of(dir: &Path, kind: &str) -> Vec<Value> {
    audit_records(&dir.join("audit"))
        .into_iter()
        .filter(|r| r["kind"] == kind)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_refuses_each_c3_kind_and_shows_each_c2_display() {
    let dir = setup("", "", &[]);
    let proxy = Running::start(dir.path()).await;
    proxy.grant(DAVE, "payment-partner", true).await;
    let user = json!({"user_id": DAVE});
    let c3 = [
        ("cvn", json!({"user": user, "card": {"cvv2": "123"}})),
        (
            "card_expiry",
            json!({"user": user, "card": {"number": "6222021234567890128", "expiry": "12/27"}}),
        ),
        (
            "track_data",
            json!({"user": user, "raw": ";6222021234567890128=27121010000012300000?"}),
        ),
        (
            "auth_secret",
            json!({"user": user, "payPassword": "s3cret!"}),
        ),
        (
            "auth_secret",
            json!({"user": user, "sms": "您的验证码 482913"}),
        ),
        (
            "biometric",
            json!({"user": user, "faceImage": "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/"}),
        ),
    ];
    for (category, body) in &c3 {
        let answer = proxy.post("/pay/v1/pay", body.clone()).await;
        answer.assert_refused(403, "forbidden_category");
        let detail = answer.json()["detail"].as_str().expect("detail").to_owned();
        assert!(detail.contains(category), "{category}: {detail}");
    }
    let answer = proxy
        .post(
            "/pay/v1/pay",
            json!({"user": {"user_id": DAVE, "name": "张三丰", "id_number": ALICE,
                    "mobile": BOB, "card_no": "6222021234567890128"},
                   "payment": {"token": "tok_1", "device_pin": "0000"}}),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let echoed = answer.json();
    assert_eq!(echoed["user"]["name"], "张**");
    assert_eq!(echoed["user"]["id_number"], "1****************7");
    assert_eq!(echoed["user"]["mobile"], "138****8000");
    assert_eq!(echoed["user"]["card_no"], "622202*********0128");
    assert_eq!(echoed["payment"]["token"], "tok_1", "C1 as is");
    assert!(
        echoed["payment"].get("device_pin").is_none(),
        "the rules drop it"
    );
    proxy.settle().await;
    let blocked = records_of(dir.path(), "blocked");
    assert_eq!(blocked.len(), c3.len());
    assert!(blocked.iter().all(|b| b["reason"] == "forbidden_category"));
    let shares = records_of(dir.path(), "share");
    assert_eq!(shares.len(), 1, "nothing refused was shared");
    assert_eq!(shares[0]["classes"]["C2"], 4, "{}", shares[0]);
    assert_eq!(
        shares[0]["classes"]["C3"], 1,
        "the dropped PIN, {}",
        shares[0]
    );
    let stats = Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .args(["audit", "stats"])
        .arg(dir.path().join("audit"))
        .output()
        .expect("audit stats");
    let text = String::from_utf8_lossy(&stats.stdout);
    assert!(text.contains("  classes: C2 4, C3 1\n"), "{text}");
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_consent_is_enforced_then_granted() {
    let sensitive_rules = "subject: $.user.user_id\nseparate_consent: sensitive\nfields:\n  \
        - {path: $.user.name, category: name, action: {mask: {keep_first: 1}}}\n  \
        - {path: $.user.id_number, category: id_number, action: encrypt}\n";
    let dir = setup(
        "",
        "  - id: bureau\n    route: /bureau/\n    upstream: builtin:echo\n    rules: rules/bureau.yaml\n",
        &[("rules/bureau.yaml", sensitive_rules)],
    );
    let proxy = Running::start(dir.path()).await;
    let pay = json!({"user": {"user_id": ALICE, "name": "张三丰"}});
    proxy
        .post("/pay/v1/pay", pay.clone())
        .await
        .assert_refused(403, "separate_consent_required");
    proxy.grant(ALICE, "payment-partner", false).await;
    proxy
        .post("/pay/v1/pay", pay.clone())
        .await
        .assert_refused(403, "separate_consent_required");
    proxy.grant(ALICE, "payment-partner", true).await;
    assert_eq!(proxy.post("/pay/v1/pay", pay.clone()).await.status, 200);
    let lookup = proxy
        .admin("GET", &format!("/consent?subject={ALICE}"), None)
        .await;
    assert!(
        lookup.text().contains("granted_separately"),
        "{}",
        lookup.text()
    );
    let revoke = json!({"subject": ALICE, "partner": "payment-partner"});
    assert_eq!(
        proxy
            .admin("POST", "/consent/revoke", Some(revoke))
            .await
            .status,
        200
    );
    proxy
        .post("/pay/v1/pay", pay)
        .await
        .assert_refused(403, "consent_revoked");
    // Outside the profile: only a request with a sensitive category needs it.
    let plain = json!({"user": {"user_id": BOB, "name": "李四"}});
    assert_eq!(proxy.post("/bureau/q", plain).await.status, 200);
    let with_id = json!({"user": {"user_id": BOB, "name": "李四", "id_number": ALICE}});
    proxy
        .post("/bureau/q", with_id.clone())
        .await
        .assert_refused(403, "separate_consent_required");
    proxy.grant(BOB, "bureau", true).await;
    assert_eq!(proxy.post("/bureau/q", with_id).await.status, 200);
    proxy.settle().await;
    let admin = records_of(dir.path(), "admin");
    assert!(
        admin
            .iter()
            .any(|r| r["action"] == "consent.grant.separate"),
        "{admin:?}"
    );
    let journal =
        std::fs::read_to_string(dir.path().join("consent/journal.jsonl")).expect("journal");
    assert!(journal.contains("\"separate\":true"));
    for raw in [ALICE, BOB] {
        assert!(!journal.contains(raw));
    }
    proxy.stop().await;
}

const ABROAD_RULES: &str = "\
subject: $.user.user_id
consent: required
export: {basis: none, warn_at: 0.5, thresholds: {contract_subjects: 3}}
fields:
  - {path: $.user.name, category: name, action: {mask: {keep_first: 1}}}
  - {path: $.user.id_number, category: id_number, action: encrypt}
detect:
  - {detector: cn_resident_id, action: encrypt}
  - {detector: bank_card, action: tokenize}
  - {detector: biometric, action: drop}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_yearly_export_counter_survives_a_restart_and_refuses_at_its_threshold() {
    let dir = setup(
        "home_region: CN\n",
        "  - id: abroad\n    route: /abroad/\n    upstream: builtin:echo\n    region: SG\n    export_basis: standard_contract\n    \
         rules: rules/abroad.yaml\n",
        &[("rules/abroad.yaml", ABROAD_RULES)],
    );
    let proxy = Running::start(dir.path()).await;
    for subject in [ALICE, BOB, CAROL, DAVE] {
        proxy.grant(subject, "abroad", false).await;
    }
    let share = |subject: &str| json!({"user": {"user_id": subject, "name": "张三丰"}});
    assert_eq!(proxy.post("/abroad/x", share(ALICE)).await.status, 200);
    assert_eq!(proxy.post("/abroad/x", share(BOB)).await.status, 200);
    assert_eq!(
        proxy.post("/abroad/x", share(ALICE)).await.status,
        200,
        "counted once"
    );
    let metrics = proxy.admin("GET", "/metrics", None).await;
    let text = metrics.text();
    assert!(
        text.contains("export_subjects{partner=\"abroad\",kind=\"all\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("export_tier_warning{partner=\"abroad\"} 1"),
        "2 of 3 ≥ 0.5"
    );
    proxy.stop().await;

    let proxy = Running::start(dir.path()).await;
    let answer = proxy.post("/abroad/x", share(CAROL)).await;
    answer.assert_refused(403, "export_threshold_reached");
    let detail = answer.json()["detail"].as_str().expect("detail").to_owned();
    assert!(
        detail.contains("3 people") && detail.contains("standard_contract"),
        "{detail}"
    );
    assert_eq!(
        proxy.post("/abroad/x", share(BOB)).await.status,
        200,
        "already counted"
    );
    // Sensitive data is a tier of its own: any of it needs a contract.
    let with_id = json!({"user": {"user_id": ALICE, "name": "张三丰", "id_number": ALICE}});
    proxy
        .post("/abroad/x", with_id)
        .await
        .assert_refused(403, "export_threshold_reached");
    proxy.stop().await;
    let ledger = std::fs::read_to_string(dir.path().join("consent/exports.jsonl")).expect("ledger");
    assert_eq!(ledger.lines().count(), 2, "{ledger}");
    for raw in [ALICE, BOB, CAROL] {
        assert!(!ledger.contains(raw));
    }
    let blocked = records_of(dir.path(), "blocked");
    assert_eq!(blocked.len(), 2);
    assert!(
        blocked
            .iter()
            .all(|b| b["reason"] == "export_threshold_reached")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sm_suite_end_to_end_envelopes_decrypt_and_an_sm3_chain_verifies() {
    let sm_rules = "subject: $.user.user_id\ncrypto: sm\nfields:\n  \
        - {path: $.user.id_number, category: id_number, action: encrypt}\n  \
        - {path: $.user.card, category: bank_card, action: {tokenize: {keep_last: 4}}}\n  \
        - {path: $.user.mobile, category: phone, action: hash}\n";
    let dir = setup(
        "audit: {dir: audit, hash: sm3, keyed_chain: true}\n",
        "  - id: sm\n    route: /sm/\n    upstream: builtin:echo\n    rules: rules/sm.yaml\n",
        &[("rules/sm.yaml", sm_rules)],
    );
    let proxy = Running::start(dir.path()).await;
    let body = json!({"user": {"user_id": "U-1", "id_number": ALICE,
                               "card": "6222021234567890128", "mobile": BOB}});
    let answer = proxy.post("/sm/v1", body).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let echoed = answer.json();
    let envelope = echoed["user"]["id_number"].as_str().expect("envelope");
    assert!(envelope.starts_with("pii:sm1:k1:"), "{envelope}");
    let token = echoed["user"]["card"].as_str().expect("token");
    assert_eq!(token.len(), 19);
    assert!(token.ends_with("0128") && token != "6222021234567890128");
    assert_eq!(echoed["user"]["mobile"].as_str().map(str::len), Some(64));
    proxy.stop().await;

    let protected = dir.path().join("protected.json");
    std::fs::write(&protected, echoed.to_string()).expect("write");
    let binary = env!("CARGO_BIN_EXE_pii-proxy");
    let config = dir.path().join("pii-proxy.yaml");
    let opened = Command::new(binary)
        .args(["decrypt", "--partner", "sm", "--config"])
        .arg(&config)
        .arg(&protected)
        .output()
        .expect("decrypt");
    let text = String::from_utf8_lossy(&opened.stdout);
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    assert!(
        text.contains(ALICE) && text.contains("6222021234567890128"),
        "{text}"
    );
    let verify = |hash: Option<&str>| {
        let mut command = Command::new(binary);
        command.args(["audit", "verify", "--keys"]);
        command.arg(dir.path().join("keys/keyring.json"));
        if let Some(hash) = hash {
            command.args(["--hash", hash]);
        }
        command.arg(dir.path().join("audit"));
        command.output().expect("verify")
    };
    assert!(
        verify(None).status.success(),
        "the SM3 chain is found and verifies"
    );
    assert!(verify(Some("sm3")).status.success());
    assert_eq!(
        verify(Some("sha256")).status.code(),
        Some(1),
        "not a SHA-256 chain"
    );
}

#[test]
fn check_warns_where_an_override_weakens_a_profile_default_and_strict_fails() {
    let weak = "profile: jr-t-0171\nsubject: $.user.user_id\nconsent: required\nfields:\n  \
        - {path: $.card.cvv2, category: cvn, action: encrypt}\n  \
        - {path: $.user.card, category: bank_card, action: {mask: {keep_first: 6, keep_last: 6}}}\n  \
        - {path: $.user.name, category: name, action: {mask: {keep_first: 1}}}\n";
    let dir = setup(
        "",
        "  - id: weak\n    route: /weak/\n    upstream: builtin:echo\n    rules: rules/weak.yaml\n",
        &[("rules/weak.yaml", weak)],
    );
    let config = dir.path().join("pii-proxy.yaml");
    let run = |strict: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pii-proxy"));
        command.args(["check", "--config"]).arg(&config);
        if strict {
            command.arg("--strict");
        }
        command.output().expect("check")
    };
    let lenient = run(false);
    let stderr = String::from_utf8_lossy(&lenient.stderr);
    assert_eq!(lenient.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("weak.yaml:5:") && stderr.contains("warning: `cvn` is C3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("weak.yaml:6:") && stderr.contains("keeps 6 + 6"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("weak.yaml:7:"),
        "a customary display is no weakening: {stderr}"
    );
    assert!(
        !stderr.contains("payment-partner.yaml"),
        "the shipped example is clean: {stderr}"
    );
    assert_eq!(run(true).status.code(), Some(1));
}
