//! Separate consent and the export ledger on the shared store: two
//! in-process replicas (each through `pii_proxy::boot`) on one real
//! PostgreSQL started by `common::servers` on a free loopback port. A
//! separate grant made on one replica satisfies the other; the yearly
//! export count is the cluster's, so the replicas together stop at the
//! threshold, and it survives every replica's restart.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::servers::Postgres;
use common::*;
use serde_json::{Value, json};

const ALICE: &str = "110101199003077777";
const BOB: &str = "13800138000";
const CAROL: &str = "carol@example.cn";

const SEPARATE_RULES: &str = "\
subject: $.user.user_id
separate_consent: all
fields:
  - {path: $.user.name, category: name, action: {mask: {keep_first: 1}}}
";

const ABROAD_RULES: &str = "\
subject: $.user.user_id
consent: required
export: {basis: none, thresholds: {contract_subjects: 3}}
fields:
  - {path: $.user.name, category: name, action: {mask: {keep_first: 1}}}
detect:
  - {detector: cn_resident_id, action: encrypt}
  - {detector: bank_card, action: tokenize}
  - {detector: biometric, action: drop}
";

/// Bounds a wait on a loaded machine; nothing here is timed.
const BOUND: Duration = Duration::from_secs(10);

fn config(name: &str, keys: &Path, pg_url: &str) -> String {
    format!(
        "listen: 127.0.0.1:0\nreplica: {name}\nkeys: {}\nadmin: {{listen: 127.0.0.1:0}}\n\
         home_region: CN\n\
         consent: {{store: postgres, url: \"{pg_url}\", max_staleness: 1s, connect_timeout: 2s}}\n\
         partners:\n  - id: separate\n    route: /separate/\n    upstream: builtin:echo\n    \
         rules: rules/separate.yaml\n  - id: abroad\n    route: /abroad/\n    upstream: \
         builtin:echo\n    region: SG\n    export_basis: standard_contract\n    rules: rules/abroad.yaml\n",
        keys.display()
    )
}

async fn start(name: &str, shared: &Path, pg: &Postgres) -> TestProxy {
    let files = [
        ("rules/separate.yaml", SEPARATE_RULES),
        ("rules/abroad.yaml", ABROAD_RULES),
    ];
    dev_keyring(shared);
    let keys = shared.join("keys/keyring.json");
    TestProxy::start_with(&config(name, &keys, &pg.url()), &files).await
}

async fn grant(proxy: &TestProxy, shared: &Path, body: Value) {
    let token = std::fs::read_to_string(shared.join("keys/admin.token")).expect("token");
    let admin = proxy.admin_addr.expect("admin listener");
    let request = http::Request::post(format!("http://{admin}/consent/grant"))
        .header("authorization", format!("Bearer {}", token.trim()))
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_string(),
        )))
        .expect("request");
    let answer = send(&h1_client(), request).await;
    assert_eq!(answer.status, 200, "{answer:?}");
}

async fn share(proxy: &TestProxy, partner: &str, subject: &str) -> Answer {
    let body = json!({"user": {"user_id": subject, "name": "张三丰"}});
    let url = proxy.url(&format!("/{partner}/v1/query"));
    send(
        &h1_client(),
        post(&url, "application/json", body.to_string()),
    )
    .await
}

/// Retries `share` until it answers 200 or refuses with `code` (a
/// decision on one replica reaches the other through LISTEN/NOTIFY).
async fn eventually(proxy: &TestProxy, partner: &str, subject: &str, code: &str) -> Answer {
    let start = Instant::now();
    loop {
        let answer = share(proxy, partner, subject).await;
        let done = match code {
            "" => answer.status == 200,
            code => answer.status != 200 && answer.json()["error"] == code,
        };
        if done || start.elapsed() > BOUND {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_grants_and_export_counts_are_the_clusters() {
    let Some(pg) = Postgres::start() else { return };
    let shared = tempfile::tempdir().expect("temp dir");
    let r1 = start("r1", shared.path(), &pg).await;
    let r2 = start("r2", shared.path(), &pg).await;

    share(&r2, "separate", ALICE)
        .await
        .assert_refused(403, "separate_consent_required");
    grant(
        &r1,
        shared.path(),
        json!({"subject": ALICE, "partner": "separate"}),
    )
    .await;
    share(&r2, "separate", ALICE)
        .await
        .assert_refused(403, "separate_consent_required");
    grant(
        &r1,
        shared.path(),
        json!({"subject": ALICE, "partner": "separate", "separate": true}),
    )
    .await;
    let answer = eventually(&r2, "separate", ALICE, "").await;
    assert_eq!(
        answer.status, 200,
        "the separate grant reached r2: {answer:?}"
    );
    let stored = pg.psql("SELECT count(*) FROM pii_proxy_consent_decisions WHERE separate");
    assert_eq!(stored, "1");

    for subject in [ALICE, BOB, CAROL] {
        grant(
            &r1,
            shared.path(),
            json!({"subject": subject, "partner": "abroad"}),
        )
        .await;
    }
    assert_eq!(eventually(&r1, "abroad", ALICE, "").await.status, 200);
    assert_eq!(eventually(&r2, "abroad", BOB, "").await.status, 200);
    // Two people so far, on two replicas: the third reaches the contract
    // tier on either one.
    share(&r1, "abroad", CAROL)
        .await
        .assert_refused(403, "export_threshold_reached");
    eventually(&r2, "abroad", CAROL, "export_threshold_reached")
        .await
        .assert_refused(403, "export_threshold_reached");
    let again = share(&r2, "abroad", ALICE).await;
    assert_eq!(again.status, 200, "counted on r1: {again:?}");
    let rows = pg.psql("SELECT count(*) FROM pii_proxy_export_subjects WHERE partner = 'abroad'");
    assert_eq!(rows, "2");
    let dump = pg.psql("SELECT subject FROM pii_proxy_export_subjects");
    for raw in [ALICE, BOB, CAROL] {
        assert!(!dump.contains(raw), "a raw subject in the ledger");
    }
    drop(r1);
    drop(r2);
    // Restarted replicas read the count from the database.
    let r3 = start("r3", shared.path(), &pg).await;
    let answer = eventually(&r3, "abroad", CAROL, "export_threshold_reached").await;
    answer.assert_refused(403, "export_threshold_reached");
}
