//! Consent, cross-border and quotas against the running proxy (in-process on
//! 127.0.0.1:0, in front of a recording mock partner or the built-in echo),
//! with decisions made through the consent admin API's handler.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use common::*;
use http::{Method, StatusCode};
use pii_proxy::admin::consent as admin_api;
use pii_proxy::app::App;
use pii_proxy::boot;
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// Subjects shaped like the values that must never be written anywhere.
const ALICE: &str = "110101199003077777";
const BOB: &str = "13800138000";
const CAROL: &str = "carol@example.cn";

const REQUIRED_RULES: &str = "\
subject: $.user.user_id
consent: required
unknown_fields: drop
fields:
  - path: $.user.name
    category: name
    action: {mask: {keep_first: 1}}
  - path: $.user.id_number
    category: id_number
    action: encrypt
";

/// The proxy started from files in `dir`, with its shared state at hand.
struct Running {
    addr: SocketAddr,
    proxy: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), boot::BootError>>,
}

impl Running {
    async fn start(dir: &Path) -> Running {
        let bound = boot::bind(&dir.join("pii-proxy.yaml"), boot::Options::default())
            .await
            .unwrap_or_else(|e| panic!("proxy start: {e}"));
        let addr = bound.proxy_addr();
        let proxy = bound.app().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(bound.run(async {
            let _ = stopped.await;
        }));
        Running {
            addr,
            proxy,
            stop: Some(stop),
            task,
        }
    }

    /// Stops serving; `boot` closes the audit log, so a new proxy can open
    /// the same files.
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let ended = (&mut self.task)
            .await
            .expect("the proxy task does not panic");
        ended.expect("the proxy stops cleanly");
    }

    /// Waits until the audit writer has written every queued record: the
    /// last record of a request (outcome, blocked) is queued as the answer
    /// leaves, not before.
    async fn settle(&self) {
        // Bounds a hang only; a slow machine just polls longer.
        for _ in 0..2400 {
            if self.proxy.audit.stats().queue_depth == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the audit queue never drained");
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// One call of the consent admin API, as the admin listener makes it.
    async fn admin(
        &self,
        method: Method,
        path: &str,
        query: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let body = if body.is_null() {
            Vec::new()
        } else {
            serde_json::to_vec(&body).expect("JSON")
        };
        let generation = self.proxy.current();
        let (status, answer) = admin_api::handle(
            &self.proxy,
            &generation.consent_scopes,
            &method,
            path,
            query,
            &body,
        )
        .await
        .expect("a consent path");
        let text = String::from_utf8(answer).expect("UTF-8");
        for raw in [ALICE, BOB, CAROL] {
            assert!(
                !text.contains(raw),
                "a raw subject in an admin answer: {text}"
            );
        }
        (status, serde_json::from_str(&text).expect("JSON answer"))
    }

    async fn decide(&self, op: &str, body: Value) {
        let (status, answer) = self
            .admin(Method::POST, &format!("/consent/{op}"), None, body)
            .await;
        assert_eq!(status, 200, "{answer}");
    }

    async fn share(&self, path: &str, subject: &str) -> Answer {
        let body = json!({"user": {"user_id": subject, "name": "张三丰", "id_number": ALICE}});
        let answer = send(
            &h1_client(),
            post(&self.url(path), "application/json", body.to_string()),
        )
        .await;
        if answer.status != 200 {
            for raw in [ALICE, BOB, CAROL] {
                assert!(!answer.text().contains(raw), "{answer:?}");
            }
        }
        answer
    }
}

/// A directory with `pii-proxy.yaml` (`config`), the common test rules as
/// `rules/test.yaml`, and `extra` rules files.
fn setup(config: &str, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write_config(dir.path(), config);
    for (name, text) in extra {
        std::fs::write(dir.path().join("rules").join(name), text).expect("rules");
    }
    dir
}

/// A partner `p` on `/p/` (scenario `default`) and `/p/loan/` (scenario
/// `loan`), and a partner `q` on `/q/`, both to `upstream`.
fn two_partners(upstream: &str, top: &str, p_extra: &str) -> String {
    format!(
        "listen: 127.0.0.1:0\n{top}partners:\n\
         \x20 - id: p\n    route: /p/\n    routes: [{{path: /p/loan/, scenario: loan}}]\n    upstream: {upstream}\n    rules: rules/test.yaml\n{p_extra}\
         \x20 - id: q\n    route: /q/\n    upstream: {upstream}\n    rules: rules/test.yaml\n"
    )
}

fn records_of<'a>(records: &'a [Value], kind: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["kind"] == kind).collect()
}

/// Neither the audit log nor the consent journal holds a raw subject.
fn assert_no_raw_subjects(dir: &Path) {
    let mut files = vec![dir.join("consent/journal.jsonl")];
    files.extend(
        std::fs::read_dir(dir.join("audit"))
            .expect("audit dir")
            .map(|e| e.expect("entry").path()),
    );
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for raw in [ALICE, BOB, CAROL, "张三丰"] {
            assert!(!text.contains(raw), "`{raw}` in {}", file.display());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_blocks_the_very_next_request_and_nothing_goes_upstream() {
    let partner = MockPartner::start(None, Reply::Json(r#"{"ok":true}"#)).await;
    let upstream = format!("http://{}", partner.addr);
    let dir = setup(&two_partners(&upstream, "", ""), &[]);
    let proxy = Running::start(dir.path()).await;

    assert_eq!(proxy.share("/p/v1/query", BOB).await.status, 200);
    proxy
        .decide(
            "revoke",
            json!({"subject": BOB, "partner": "p", "scenario": "default", "actor": "ticket-42"}),
        )
        .await;
    proxy
        .share("/p/v1/query", BOB)
        .await
        .assert_refused(403, "consent_revoked");
    assert_eq!(
        partner.recorded().len(),
        1,
        "the refused request never left"
    );

    // Another scenario of the same partner, another partner, another
    // subject: unaffected.
    assert_eq!(proxy.share("/p/loan/v1/query", BOB).await.status, 200);
    assert_eq!(proxy.share("/q/v1/query", BOB).await.status, 200);
    assert_eq!(proxy.share("/p/v1/query", CAROL).await.status, 200);
    assert_eq!(partner.recorded().len(), 4);

    proxy
        .decide(
            "restore",
            json!({"subject": BOB, "partner": "p", "scenario": "default"}),
        )
        .await;
    assert_eq!(proxy.share("/p/v1/query", BOB).await.status, 200);
    assert_eq!(partner.recorded().len(), 5);

    proxy.settle().await;
    let records = audit_records(&dir.path().join("audit"));
    let bob = proxy.proxy.subjects.hash(BOB);
    let blocked = records_of(&records, "blocked");
    assert_eq!(blocked.len(), 1, "{records:#?}");
    assert_eq!(blocked[0]["reason"], "consent_revoked");
    assert_eq!(blocked[0]["status"], 403);
    assert_eq!(blocked[0]["partner"], "p");
    assert_eq!(blocked[0]["subject"], bob.as_str());
    let admin = records_of(&records, "admin");
    let actions: Vec<&str> = admin.iter().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(
        actions,
        ["consent.revoke:default", "consent.restore:default"]
    );
    assert_eq!(admin[0]["actor"], "ticket-42");
    assert_eq!(admin[0]["subject"], bob.as_str());
    let shares = records_of(&records, "share");
    assert_eq!(shares.len(), 5);
    assert!(shares.iter().all(|s| s["consent"] == "granted"));
    assert!(
        shares.iter().all(|s| s.get("cross_border").is_none()),
        "domestic"
    );
    drop(proxy);
    assert_no_raw_subjects(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_wide_revocation_covers_every_scenario_and_erase_every_partner() {
    let dir = setup(&two_partners("builtin:echo", "", ""), &[]);
    let proxy = Running::start(dir.path()).await;
    proxy
        .decide("revoke", json!({"subject": BOB, "partner": "p"}))
        .await;
    for path in ["/p/x", "/p/loan/x"] {
        proxy
            .share(path, BOB)
            .await
            .assert_refused(403, "consent_revoked");
    }
    assert_eq!(proxy.share("/q/x", BOB).await.status, 200);

    proxy.decide("erase", json!({"subject": CAROL})).await;
    for path in ["/p/x", "/p/loan/x", "/q/x"] {
        proxy
            .share(path, CAROL)
            .await
            .assert_refused(403, "consent_revoked");
    }
    // Erasure is final.
    let (status, answer) = proxy
        .admin(
            Method::POST,
            "/consent/grant",
            None,
            json!({"subject": CAROL, "partner": "q"}),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"], "subject_erased");

    // Support looks the subject up by id (or by the hash the audit log shows).
    let query = format!("subject={}", CAROL.replace('@', "%40"));
    let (status, view) = proxy
        .admin(Method::GET, "/consent", Some(&query), Value::Null)
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["subject"], proxy.proxy.subjects.hash(CAROL).as_str());
    assert_eq!(view["erased"]["op"], "erase");
    let effective = view["effective"].as_array().expect("effective");
    assert_eq!(effective.len(), 3, "p/default, p/loan, q/default");
    assert!(effective.iter().all(|e| e["verdict"] == "erased"), "{view}");

    let hash = proxy.proxy.subjects.hash(BOB);
    let (status, view) = proxy
        .admin(
            Method::GET,
            "/consent",
            Some(&format!("subject_hash={}", hash.as_str())),
            Value::Null,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(view["decisions"][0]["op"], "revoke");
    assert_eq!(view["decisions"][0]["partner"], "p");
    let verdicts: Vec<&str> = view["effective"]
        .as_array()
        .expect("effective")
        .iter()
        .filter_map(|e| e["verdict"].as_str())
        .collect();
    assert_eq!(verdicts, ["revoked", "revoked", "no_decision"]);

    proxy.settle().await;
    let records = audit_records(&dir.path().join("audit"));
    let lookups = records_of(&records, "admin")
        .into_iter()
        .filter(|r| r["action"] == "consent.lookup")
        .count();
    assert_eq!(lookups, 2, "lookups are audited too");
    drop(proxy);
    assert_no_raw_subjects(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_required_needs_an_explicit_grant_and_a_subject() {
    let config =
        one_partner("builtin:echo", "", "").replace("rules/test.yaml", "rules/required.yaml");
    let dir = setup(&config, &[("required.yaml", REQUIRED_RULES)]);
    let proxy = Running::start(dir.path()).await;
    proxy
        .share("/p/x", ALICE)
        .await
        .assert_refused(403, "consent_required");
    let no_subject = send(
        &h1_client(),
        post(
            &proxy.url("/p/x"),
            "application/json",
            r#"{"user":{"name":"x"}}"#,
        ),
    )
    .await;
    no_subject.assert_refused(403, "consent_required");
    assert!(
        no_subject.json()["detail"]
            .as_str()
            .expect("detail")
            .contains("names no subject")
    );

    proxy
        .decide("grant", json!({"subject": ALICE, "partner": "p"}))
        .await;
    let answer = proxy.share("/p/x", ALICE).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    proxy
        .decide("revoke", json!({"subject": ALICE, "partner": "p"}))
        .await;
    proxy
        .share("/p/x", ALICE)
        .await
        .assert_refused(403, "consent_revoked");

    proxy.settle().await;
    let records = audit_records(&dir.path().join("audit"));
    let reasons: Vec<&str> = records_of(&records, "blocked")
        .iter()
        .filter_map(|r| r["reason"].as_str())
        .collect();
    assert_eq!(
        reasons,
        ["consent_required", "consent_required", "consent_revoked"]
    );
    let alice = proxy.proxy.subjects.hash(ALICE);
    let blocked = records_of(&records, "blocked");
    assert_eq!(blocked[0]["subject"], alice.as_str());
    assert!(blocked[1].get("subject").is_none(), "no subject to record");
    assert_eq!(records_of(&records, "share")[0]["consent"], "granted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_survive_a_restart() {
    let dir = setup(&two_partners("builtin:echo", "", ""), &[]);
    let proxy = Running::start(dir.path()).await;
    proxy
        .decide(
            "revoke",
            json!({"subject": BOB, "partner": "p", "scenario": "loan"}),
        )
        .await;
    proxy.decide("erase", json!({"subject": CAROL})).await;
    proxy.stop().await;

    let proxy = Running::start(dir.path()).await;
    proxy
        .share("/p/loan/x", BOB)
        .await
        .assert_refused(403, "consent_revoked");
    assert_eq!(proxy.share("/p/x", BOB).await.status, 200);
    proxy
        .share("/q/x", CAROL)
        .await
        .assert_refused(403, "consent_revoked");
    assert_eq!(proxy.proxy.consent.decisions_recorded(), 2);
    drop(proxy);
    assert_no_raw_subjects(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_border_shares_are_marked() {
    let config = format!(
        "{}    region: SG\n    export_basis: standard_contract\n    name: Partner P Ltd.\n",
        one_partner("builtin:echo", "home_region: CN\n", "")
            .replace("rules/test.yaml", "rules/required.yaml")
    );
    let dir = setup(&config, &[("required.yaml", REQUIRED_RULES)]);
    let proxy = Running::start(dir.path()).await;
    proxy
        .decide("grant", json!({"subject": ALICE, "partner": "p"}))
        .await;
    let answer = proxy.share("/p/x", ALICE).await;
    assert_eq!(answer.status, 200);
    let text = answer.text();
    assert!(
        text.contains(r#""id_number":"pii:v1:"#) && text.contains(r#""name":"张**""#),
        "{text}"
    );
    assert!(!text.contains(ALICE) && !text.contains("user_id"), "{text}");
    proxy.settle().await;
    let records = audit_records(&dir.path().join("audit"));
    let share = records_of(&records, "share")[0];
    assert_eq!(share["cross_border"], true, "{share}");
    assert_eq!(share["subject"], proxy.proxy.subjects.hash(ALICE).as_str());
    // What GB/T 35273 §9.2 and PIPL Art. 23 ask a share record to say.
    assert_eq!(share["export_basis"], "standard_contract", "{share}");
    assert_eq!(share["partner_name"], "Partner P Ltd.", "{share}");
    assert_eq!(share["scenario"], "default", "{share}");
    let grant = proxy.proxy.consent.view(&proxy.proxy.subjects.hash(ALICE));
    assert_eq!(
        share["consent_decisions"],
        json!([grant.decisions[0].seq]),
        "{share}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distinct_subjects_over_quota_are_429_and_recorded() {
    let quota = "    quota: {distinct_subjects: 2, window: 24h}\n";
    let partner = MockPartner::start(None, Reply::Json("{}")).await;
    let dir = setup(
        &two_partners(&format!("http://{}", partner.addr), "", quota),
        &[],
    );
    let proxy = Running::start(dir.path()).await;
    assert_eq!(proxy.share("/p/x", ALICE).await.status, 200);
    assert_eq!(proxy.share("/p/loan/x", BOB).await.status, 200);
    let over = proxy.share("/p/x", CAROL).await;
    over.assert_refused(429, "quota_exceeded");
    assert!(
        over.json()["detail"]
            .as_str()
            .expect("detail")
            .contains("2 distinct subjects")
    );
    // Subjects already counted still pass; other partners have their own quota.
    assert_eq!(proxy.share("/p/x", ALICE).await.status, 200);
    assert_eq!(proxy.share("/q/x", CAROL).await.status, 200);
    assert_eq!(partner.recorded().len(), 4);

    let meter = proxy.proxy.monitor.meter("p");
    assert_eq!(meter.rejected_subjects(), 1);
    assert_eq!(meter.window_subjects(), 2);
    proxy.settle().await;
    let records = audit_records(&dir.path().join("audit"));
    let blocked = records_of(&records, "blocked");
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0]["reason"], "quota_exceeded");
    assert_eq!(blocked[0]["status"], 429);
    assert_eq!(
        blocked[0]["subject"],
        proxy.proxy.subjects.hash(CAROL).as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_over_the_rate_are_429() {
    let quota = "    quota: {requests_per_second: 1, burst: 1}\n";
    let dir = setup(&two_partners("builtin:echo", "", quota), &[]);
    let proxy = Arc::new(Running::start(dir.path()).await);
    // Twenty at once against one request per second: all but a few are
    // refused however slow the machine (each would need a second apart).
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let proxy = proxy.clone();
            tokio::spawn(async move { proxy.share("/p/x", BOB).await.status.as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(refused >= 1, "{statuses:?}");
    assert_eq!(refused + statuses.iter().filter(|s| **s == 200).count(), 20);
    assert_eq!(
        proxy.proxy.monitor.meter("p").rejected_rate(),
        refused as u64
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_distinct_subjects_raises_the_anomaly_counter() {
    // No warm-up: the baseline starts at zero, so min_subjects distinct
    // subjects in one window are already far above it.
    let anomaly =
        "    anomaly: {factor: 2, min_subjects: 3, warmup_windows: 0}\n    quota: {window: 24h}\n";
    let dir = setup(&two_partners("builtin:echo", "", anomaly), &[]);
    let proxy = Running::start(dir.path()).await;
    let meter = proxy.proxy.monitor.meter("p");
    assert_eq!(proxy.share("/p/x", ALICE).await.status, 200);
    assert_eq!(proxy.share("/p/x", BOB).await.status, 200);
    assert_eq!(meter.anomalies(), 0);
    assert_eq!(
        proxy.share("/p/x", CAROL).await.status,
        200,
        "an anomaly refuses nothing"
    );
    assert_eq!(meter.anomalies(), 1);
    assert_eq!(proxy.share("/p/x", "u-4").await.status, 200);
    assert_eq!(meter.anomalies(), 1, "one alert per window");
    assert_eq!(proxy.proxy.monitor.anomalies(), 1);
    assert_eq!(proxy.proxy.monitor.meter("q").anomalies(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_api_refuses_bad_requests_without_quoting_them() {
    let dir = setup(&two_partners("builtin:echo", "", ""), &[]);
    let proxy = Running::start(dir.path()).await;
    let cases = [
        (
            json!({"subject": BOB, "partner": "p", "colour": ALICE}),
            400,
            "invalid_body",
        ),
        (json!({"partner": "p"}), 400, "invalid_body"),
        (
            json!({"subject": BOB, "subject_hash": "hmac:00"}),
            400,
            "invalid_body",
        ),
        (json!({"subject_hash": ALICE}), 400, "invalid_body"),
        (
            json!({"subject": BOB, "scenario": "loan"}),
            400,
            "invalid_scope",
        ),
        (
            json!({"subject": BOB, "partner": ALICE}),
            400,
            "invalid_scope",
        ),
        (json!({"subject": BOB, "actor": BOB}), 400, "invalid_body"),
        (json!([ALICE]), 400, "invalid_body"),
    ];
    for (body, status, code) in cases {
        let (got, answer) = proxy
            .admin(Method::POST, "/consent/revoke", None, body.clone())
            .await;
        assert_eq!(
            (got.as_u16(), answer["error"].as_str()),
            (status, Some(code)),
            "{body}: {answer}"
        );
    }
    let (status, answer) = proxy
        .admin(
            Method::POST,
            "/consent/erase",
            None,
            json!({"subject": BOB, "partner": "p"}),
        )
        .await;
    assert_eq!(
        (status.as_u16(), answer["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    let (status, _) = proxy
        .admin(Method::GET, "/consent/revoke", None, Value::Null)
        .await;
    assert_eq!(status, 405);
    let (status, _) = proxy
        .admin(Method::GET, "/consent/nothing", None, Value::Null)
        .await;
    assert_eq!(status, 404);
    let (status, answer) = proxy
        .admin(
            Method::GET,
            "/consent",
            Some(&format!("who={ALICE}")),
            Value::Null,
        )
        .await;
    assert_eq!(
        (status.as_u16(), answer["error"].as_str()),
        (400, Some("invalid_query"))
    );
    // Unknown partners are recorded, with a warning.
    let (status, answer) = proxy
        .admin(
            Method::POST,
            "/consent/revoke",
            None,
            json!({"subject": BOB, "partner": "pp"}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        answer["warnings"][0]
            .as_str()
            .expect("warning")
            .contains("`pp` is not in the current config")
    );
    // Not a consent path: the admin listener routes it elsewhere.
    let generation = proxy.proxy.current();
    let other = admin_api::handle(
        &proxy.proxy,
        &generation.consent_scopes,
        &Method::GET,
        "/healthz",
        None,
        b"",
    )
    .await;
    assert!(other.is_none());
    assert_eq!(proxy.proxy.consent.decisions_recorded(), 1);
    drop(proxy);
    assert_no_raw_subjects(dir.path());
}

const SUBJECT_RULES: &str = "\
subject: {paths: [$.user.user_id, '$[*].user.user_id'], keys: [user_id]}
fields:
  - path: $..name
    category: name
    action: {mask: {keep_first: 1}}
";

/// Partner `p` with strict subject rules (`rules/subjects.yaml`) and
/// optional extra partner lines.
async fn strict_subjects(extra: &str) -> (tempfile::TempDir, Running) {
    let config =
        one_partner("builtin:echo", "", extra).replace("rules/test.yaml", "rules/subjects.yaml");
    let dir = setup(&config, &[("subjects.yaml", SUBJECT_RULES)]);
    let proxy = Running::start(dir.path()).await;
    (dir, proxy)
}

async fn post_json(proxy: &Running, body: &str) -> Answer {
    send(
        &h1_client(),
        post(&proxy.url("/p/x"), "application/json", body.to_owned()),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicated_subject_key_cannot_hide_a_revoked_subject() {
    let (_dir, proxy) = strict_subjects("").await;
    proxy
        .decide("revoke", json!({"subject": "u-rev", "partner": "p"}))
        .await;
    // The engine used to take the first; a last-wins parser sees the second.
    let body = r#"{"user":{"user_id":"u-ok","user_id":"u-rev","name":"张三丰"}}"#;
    post_json(&proxy, body)
        .await
        .assert_refused(403, "consent_revoked");
    let body = r#"{"user":{"user_id":"u-rev","user_id":"u-ok","name":"张三丰"}}"#;
    post_json(&proxy, body)
        .await
        .assert_refused(403, "consent_revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_subject_of_a_batch_is_checked_and_counted() {
    let extra = "    quota: {distinct_subjects: 3}\n";
    let (dir, proxy) = strict_subjects(extra).await;
    let batch = |ids: &[&str]| {
        let items: Vec<Value> = ids
            .iter()
            .map(|id| json!({"user": {"user_id": id, "name": "张三丰"}}))
            .collect();
        Value::Array(items).to_string()
    };
    // Fifty subjects against a quota of three distinct subjects.
    let fifty: Vec<String> = (0..50).map(|i| format!("u-{i}")).collect();
    let fifty: Vec<&str> = fifty.iter().map(String::as_str).collect();
    post_json(&proxy, &batch(&fifty))
        .await
        .assert_refused(429, "quota_exceeded");
    // One revoked subject refuses the whole batch, named by its hash only.
    let (_dir2, proxy2) = strict_subjects("").await;
    proxy2
        .decide("revoke", json!({"subject": "u-bad", "partner": "p"}))
        .await;
    let refused = post_json(&proxy2, &batch(&["u-a", "u-bad", "u-c"])).await;
    refused.assert_refused(403, "consent_revoked");
    let detail = refused.json()["detail"]
        .as_str()
        .expect("detail")
        .to_owned();
    assert!(
        detail.contains("hmac:") && !detail.contains("u-bad"),
        "{detail}"
    );
    // A batch that passes audits every subject.
    let answer = post_json(&proxy2, &batch(&["u-a", "u-b", "u-c"])).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    proxy2.settle().await;
    let _ = dir;
    let records = audit_records(&_dir2.path().join("audit"));
    let share = records
        .iter()
        .rev()
        .find(|r| r["kind"] == "share")
        .expect("share");
    assert_eq!(
        share["subjects"].as_array().map(Vec::len),
        Some(2),
        "{share}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_with_findings_and_no_subject_is_refused_unless_optional() {
    let (_dir, proxy) = strict_subjects("").await;
    // The subject somewhere the rules do not look.
    for body in [
        r#"{"user":{"uid":"u-1","name":"张三丰"}}"#,
        r#"{"owner":{"id":"u-1"},"name":"张三丰"}"#,
    ] {
        post_json(&proxy, body)
            .await
            .assert_refused(403, "subject_required");
    }
    // Spellings of the key that the `keys:` form matches.
    for body in [
        r#"{"user":{"USER_ID":"u-1","name":"张三丰"}}"#,
        r#"{"user":{"USERID":"u-1","name":"张三丰"}}"#,
        r#"{"profile":{"userId":"u-1","name":"张三丰"}}"#,
        // Inside a JSON string: inspected with the same rules.
        r#"{"meta":"{\"user_id\":1}","name":"张三丰"}"#,
    ] {
        assert_eq!(post_json(&proxy, body).await.status, 200, "{body}");
    }
    // Without findings a body needs no subject.
    assert_eq!(post_json(&proxy, r#"{"page":1}"#).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subject_spellings_share_one_decision_and_old_revocations_still_hold() {
    let (dir, proxy) = strict_subjects("").await;
    // A revocation recorded before normalization existed: keyed by the id
    // exactly as it was sent (here with a trailing space), which today's
    // admin API would key by `u-legacy`. Written to the journal directly.
    proxy.stop().await;
    let keyring =
        pii_proxy::protect::Keyring::load(&dir.path().join("keys/keyring.json")).expect("keyring");
    let hasher = pii_proxy::audit::SubjectHasher::from_keyring(&keyring);
    let legacy = hasher.hash("u-legacy ");
    let line = json!({"seq": 1, "ts": "2026-01-01T00:00:00Z", "op": "revoke", "subject": legacy.as_str(), "partner": "p"});
    let journal = dir.path().join("consent/journal.jsonl");
    std::fs::write(&journal, format!("{line}\n")).expect("journal");
    let proxy = Running::start(dir.path()).await;
    // The same spelling as then still hits the old decision.
    let body = r#"{"user":{"user_id":"u-legacy ","name":"张三丰"}}"#;
    post_json(&proxy, body)
        .await
        .assert_refused(403, "consent_revoked");
    // A new revocation covers every spelling of its id.
    proxy
        .decide("revoke", json!({"subject": "u-2", "partner": "p"}))
        .await;
    for spelling in ["u-2", " u-2 ", "ｕ－２", "u\u{200B}-2"] {
        let body = json!({"user": {"user_id": spelling, "name": "张三丰"}}).to_string();
        post_json(&proxy, &body)
            .await
            .assert_refused(403, "consent_revoked");
    }
    // Number spellings are one subject too.
    proxy
        .decide("revoke", json!({"subject": "4711", "partner": "p"}))
        .await;
    for spelling in ["4711", "4711.0", "4.711e3"] {
        let body = format!(r#"{{"user":{{"user_id":{spelling},"name":"张三丰"}}}}"#);
        post_json(&proxy, &body)
            .await
            .assert_refused(403, "consent_revoked");
    }
}

/// A body naming two subjects (a duplicated key): the share record names
/// the grant each relied on, by its journal seq.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_share_names_every_consent_decision_it_relied_on() {
    let config =
        one_partner("builtin:echo", "", "").replace("rules/test.yaml", "rules/required.yaml");
    let dir = setup(&config, &[("required.yaml", REQUIRED_RULES)]);
    let proxy = Running::start(dir.path()).await;
    for subject in [ALICE, BOB] {
        proxy
            .decide("grant", json!({"subject": subject, "partner": "p"}))
            .await;
    }
    let body = format!(r#"{{"user":{{"user_id":"{ALICE}","user_id":"{BOB}","name":"张三丰"}}}}"#);
    let answer = send(
        &h1_client(),
        post(&proxy.url("/p/x"), "application/json", body),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    proxy.settle().await;
    let records = audit_records(&dir.path().join("audit"));
    let share = records_of(&records, "share")[0];
    let seq = |subject: &str| {
        proxy
            .proxy
            .consent
            .view(&proxy.proxy.subjects.hash(subject))
            .decisions[0]
            .seq
    };
    let mut expected = vec![seq(ALICE), seq(BOB)];
    expected.sort_unstable();
    assert_eq!(share["consent_decisions"], json!(expected), "{share}");
}
