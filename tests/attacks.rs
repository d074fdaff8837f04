//! The routes by which personal data, or a revoked user's data, used to
//! leave unprotected, each tried as an attacker would against the shipped
//! rules (`rules/demo.yaml`) on the in-process proxy, with what the partner
//! received and what the audit log says. Each test is named for the route
//! it closes.

mod common;

use bytes::Bytes;
use common::*;
use http::Request;
use http_body_util::Full;

const DEMO_RULES: &str = include_str!("../rules/demo.yaml");

/// The proxy with the shipped demo rules for partner `p` in front of a
/// recording partner.
async fn demo_proxy(extra: &str) -> (MockPartner, TestProxy) {
    let partner = MockPartner::start(None, Reply::Echo).await;
    let config = one_partner(&format!("http://{}", partner.addr), "", extra)
        .replace("rules/test.yaml", "rules/demo.yaml");
    let proxy = TestProxy::start_with(&config, &[("rules/demo.yaml", DEMO_RULES)]).await;
    (partner, proxy)
}

/// What the partner received of the last request.
fn received(partner: &MockPartner) -> Recorded {
    partner
        .recorded()
        .pop()
        .expect("the partner received the request")
}

/// A body that names its subject where the demo rules look.
const SUBJECT: &str = r#"{"user":{"user_id":"u-1"}}"#;

fn json_post(url: &str, body: &str) -> Request<Full<Bytes>> {
    post(url, "application/json", body.to_owned())
}

/// Every record of the proxy's audit log, once it has stopped and closed it.
async fn records_after_stop(proxy: &mut TestProxy) -> Vec<serde_json::Value> {
    let audit = proxy.dir.path().join("audit");
    proxy.stop().await.expect("stops");
    audit_records(&audit)
}

/// The first record of `kind`.
fn first_of<'r>(records: &'r [serde_json::Value], kind: &str) -> &'r serde_json::Value {
    records
        .iter()
        .find(|r| r["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} record"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_in_exponent_form_are_read_as_their_integer_value() {
    let (partner, proxy) = demo_proxy("").await;
    let client = h1_client();
    let body = r#"{"user":{"user_id":"u-1"},"a":110105194912310118e0,"b":1.10105194912310118e17,"c":6.222021234567890128e18,"d":1.38001380e10,"amount":4711.0,"rate":0.25}"#;
    let answer = send(&client, json_post(&proxy.url("/p/v1/x"), body)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let got = String::from_utf8(received(&partner).body.to_vec()).expect("UTF-8");
    for spelling in [
        "110105194912310118e0",
        "1.10105194912310118e17",
        "6.222021234567890128e18",
        "1.38001380e10",
    ] {
        assert!(!got.contains(spelling), "{spelling} left raw: {got}");
    }
    let value: serde_json::Value = serde_json::from_str(&got).expect("JSON");
    assert!(
        value["a"]
            .as_str()
            .is_some_and(|s| s.starts_with("pii:v1:")),
        "{got}"
    );
    assert!(
        value["d"]
            .as_str()
            .is_some_and(|s| s.starts_with("138****")),
        "{got}"
    );
    // Numbers that are not personal stay byte for byte.
    assert!(got.contains(r#""amount":4711.0,"rate":0.25"#), "{got}");
}

/// Reads until the peer closes the connection (`Ok(bytes)`) or `limit`
/// passes (`Err`); bounds a hang only.
async fn closed_within(
    stream: &mut tokio::net::TcpStream,
    limit: std::time::Duration,
) -> Result<Vec<u8>, ()> {
    use tokio::io::AsyncReadExt;
    let mut seen = Vec::new();
    let read = async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(limit, read).await.map_err(|_| ())?;
    Ok(seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_never_send_a_byte_are_closed_and_capped() {
    let top = "admin: {listen: 127.0.0.1:0}\nlimits: {header_read_timeout: 1s, idle_timeout: 1s, max_connections: 4}\n";
    let proxy = TestProxy::start(&one_partner("builtin:echo", top, "")).await;
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(
            tokio::net::TcpStream::connect(proxy.addr)
                .await
                .expect("connect"),
        );
    }
    // The fifth is over the limit: closed as soon as it is accepted.
    let mut fifth = tokio::net::TcpStream::connect(proxy.addr)
        .await
        .expect("connect");
    let long = std::time::Duration::from_secs(60);
    assert!(
        closed_within(&mut fifth, long).await.is_ok(),
        "over the limit"
    );
    // The admin listener still answers while the proxy's slots are taken.
    let admin = proxy.admin_addr.expect("admin listener");
    let health = send(&h1_client(), get(&format!("http://{admin}/healthz"))).await;
    assert_eq!(health.status, 200);
    // Silent sockets are closed after the first-byte deadline.
    for stream in &mut idle {
        let got = closed_within(stream, long)
            .await
            .expect("closed for silence");
        assert!(
            got.is_empty(),
            "nothing is written to a socket that said nothing"
        );
    }
    let metrics = proxy.app.metrics_text();
    let count = |name: &str| {
        metrics
            .lines()
            .find(|l| l.starts_with(name) && l.contains("listener=\"proxy\""))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .unwrap_or(-1.0)
    };
    assert!(
        count("pii_proxy_connections_refused_total") >= 1.0,
        "{metrics}"
    );
    assert!(
        count("pii_proxy_connections_timed_out_total") >= 4.0,
        "{metrics}"
    );
    // And the proxy serves again once they are gone.
    let answer = send(&h1_client(), json_post(&proxy.url("/p/v1/x"), "{}")).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_http2_connection_is_closed_after_its_preface() {
    use tokio::io::AsyncWriteExt;
    let top = "limits: {idle_timeout: 1s}\n";
    let proxy = TestProxy::start(&one_partner("builtin:echo", top, "")).await;
    let mut stream = tokio::net::TcpStream::connect(proxy.addr)
        .await
        .expect("connect");
    // The client preface and an empty SETTINGS frame, then nothing.
    stream
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .expect("preface");
    let long = std::time::Duration::from_secs(60);
    assert!(
        closed_within(&mut stream, long).await.is_ok(),
        "idle h2 connection closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buffered_bodies_have_a_global_bound() {
    use tokio::io::AsyncWriteExt;
    let top = "limits: {max_body_bytes: 65536, max_buffered_bytes: 131072}\n";
    let proxy = TestProxy::start(&one_partner("builtin:echo", top, "")).await;
    // Two slow uploads that declare 64 KiB each hold the whole budget.
    let mut slow = Vec::new();
    for _ in 0..2 {
        let mut stream = tokio::net::TcpStream::connect(proxy.addr)
            .await
            .expect("connect");
        let head = "POST /p/v1/x HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 65536\r\n\r\n{";
        stream.write_all(head.as_bytes()).await.expect("head");
        slow.push(stream);
    }
    // Wait until both are being read (their declared bytes are taken).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while proxy.app.budget.used() < 131072 {
        assert!(
            std::time::Instant::now() < deadline,
            "the uploads never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let answer = send(&h1_client(), json_post(&proxy.url("/p/v1/x"), "{\"a\":1}")).await;
    answer.assert_refused(503, "overloaded");
    assert_eq!(answer.headers["retry-after"], "1");
    drop(slow);
    while proxy.app.budget.used() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the budget was never given back"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let answer = send(&h1_client(), json_post(&proxy.url("/p/v1/x"), "{\"a\":1}")).await;
    assert_eq!(answer.status, 200, "served again once the bodies are gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_inspection_holds_is_taken_from_the_body_budget() {
    // A body dense with personal values holds several times its size in
    // findings: with a budget of two bodies, 60 KB of phone numbers does
    // not fit once inspected, while 60 KB of nothing personal does.
    let top = "limits: {max_body_bytes: 65536, max_buffered_bytes: 131072}\n";
    let mut proxy = TestProxy::start(&one_partner("builtin:echo", top, "")).await;
    let client = h1_client();
    let records = |key: &str, value: &str| {
        let one = format!("{{\"{key}\":\"{value}\"}}");
        let items = vec![one; 60_000 / 27];
        format!("[{}]", items.join(","))
    };
    let dense = records("mobile", "13800138000");
    let plain = records("remark", "ordinary-xx");
    assert!(dense.len() < 65536 && plain.len() == dense.len());
    let refused = send(&client, json_post(&proxy.url("/p/v1/x"), &dense)).await;
    refused.assert_refused(503, "overloaded");
    assert_eq!(refused.headers["retry-after"], "1");
    let served = send(&client, json_post(&proxy.url("/p/v1/x"), &plain)).await;
    assert_eq!(served.status, 200);
    assert_eq!(proxy.app.budget.used(), 0, "every byte given back");
    let records = records_after_stop(&mut proxy).await;
    let blocked: Vec<_> = records.iter().filter(|r| r["kind"] == "blocked").collect();
    assert_eq!(blocked.len(), 1, "{blocked:?}");
    assert_eq!(blocked[0]["reason"], "overloaded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_says_when_to_retry() {
    let extra = "    quota: {requests_per_second: 1, burst: 1}\n";
    let proxy = TestProxy::start(&one_partner("builtin:echo", "", extra)).await;
    let client = h1_client();
    assert_eq!(
        send(&client, json_post(&proxy.url("/p/v1/x"), "{}"))
            .await
            .status,
        200
    );
    let answer = send(&client, json_post(&proxy.url("/p/v1/x"), "{}")).await;
    answer.assert_refused(429, "quota_exceeded");
    assert_eq!(answer.headers["retry-after"], "1");
    assert_eq!(answer.headers["ratelimit-policy"], "\"rate\";q=1;w=1");
    assert_eq!(answer.headers["ratelimit"], "\"rate\";r=0;t=1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_and_form_parameter_names_are_inspected_not_only_values() {
    let (partner, proxy) = demo_proxy("").await;
    let client = h1_client();
    for target in [
        "/p/v1/x?13800138000&11010519491231002X",
        "/p/v1/x?13800138000=1",
    ] {
        let answer = send(&client, json_post(&proxy.url(target), SUBJECT)).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        let uri = received(&partner).uri;
        assert!(
            !uri.contains("13800138000") && !uri.contains("11010519491231002X"),
            "{uri}"
        );
    }
    let form = post(
        &proxy.url("/p/v1/form?user_id=u-1"),
        "application/x-www-form-urlencoded",
        "13800138000=1&note=ok",
    );
    assert_eq!(send(&client, form).await.status, 200);
    let body = String::from_utf8(received(&partner).body.to_vec()).expect("UTF-8");
    assert!(
        !body.contains("13800138000") && body.contains("note=ok"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_names_and_host_never_carry_data_upstream() {
    let (partner, proxy) = demo_proxy("").await;
    let client = h1_client();
    let named = Request::post(proxy.url("/p/v1/x"))
        .header("content-type", "application/json")
        .header("x-13800138000", "1")
        .body(Full::new(Bytes::from_static(b"{}")))
        .expect("request");
    send(&client, named)
        .await
        .assert_refused(400, "invalid_header");
    assert!(partner.recorded().is_empty(), "nothing was forwarded");
    // A Host holding a phone number is not copied into the forwarding headers.
    let mut stream = tokio::net::TcpStream::connect(proxy.addr)
        .await
        .expect("connect");
    let request = "POST /p/v1/x HTTP/1.1\r\nhost: 13800138000.example\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
    let (status, _, _) = {
        use tokio::io::AsyncWriteExt;
        stream.write_all(request.as_bytes()).await.expect("send");
        read_response(&mut stream).await
    };
    assert_eq!(status, 200);
    let got = received(&partner);
    for (name, value) in &got.headers {
        let value = value.to_str().unwrap_or("");
        assert!(!value.contains("13800138000"), "{name}: {value}");
    }
    // Two Host headers: refused, as for a duplicate Content-Length.
    let twice = "POST /p/v1/x HTTP/1.1\r\nhost: a.example\r\nhost: b.example\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
    let (status, _, body) = raw_exchange(proxy.addr, twice.as_bytes()).await;
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callers_credentials_stay_and_the_partners_own_is_added() {
    let partner = MockPartner::start(None, Reply::Echo).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let token = dir.path().join("partner.token");
    write_secret(&token, "Bearer partner-secret-0a1b\n");
    let extra = format!(
        "    upstream_auth: {{header: authorization, value_file: {}}}\n",
        token.display()
    );
    let config = one_partner(&format!("http://{}", partner.addr), "", &extra);
    let proxy = TestProxy::start(&config).await;
    let request = Request::post(proxy.url("/p/v1/x"))
        .header("content-type", "application/json")
        // Basic with a phone number as the user name.
        .header("authorization", "Basic MTM4MDAxMzgwMDA6cGFzcw==")
        .header("cookie", "session=13800138000")
        .header("proxy-authorization", "Basic eDp5")
        .header("x-trace", "kept")
        .body(Full::new(Bytes::from_static(b"{}")))
        .expect("request");
    assert_eq!(send(&h1_client(), request).await.status, 200);
    let got = received(&partner);
    assert_eq!(got.headers["authorization"], "Bearer partner-secret-0a1b");
    assert!(
        got.headers.get("cookie").is_none() && got.headers.get("proxy-authorization").is_none()
    );
    assert_eq!(got.headers["x-trace"], "kept");
    // An allow-list keeps only what it names.
    let partner = MockPartner::start(None, Reply::Echo).await;
    let extra = "    forward_headers: [x-tenant]\n";
    let proxy =
        TestProxy::start(&one_partner(&format!("http://{}", partner.addr), "", extra)).await;
    let request = Request::post(proxy.url("/p/v1/x"))
        .header("content-type", "application/json")
        .header("x-tenant", "t1")
        .header("x-trace", "dropped")
        .header("authorization", "Bearer caller")
        .body(Full::new(Bytes::from_static(b"{}")))
        .expect("request");
    assert_eq!(send(&h1_client(), request).await.status, 200);
    let got = received(&partner);
    assert_eq!(got.headers["x-tenant"], "t1");
    assert!(got.headers.get("x-trace").is_none() && got.headers.get("authorization").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_path_segments_are_protected_before_they_leave() {
    let (partner, proxy) = demo_proxy("").await;
    let client = h1_client();
    let target = "/p/users/13800138000/cards/6222021234567890128/id/11010519491231002X";
    let answer = send(&client, json_post(&proxy.url(target), SUBJECT)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let uri = received(&partner).uri;
    for value in ["13800138000", "6222021234567890128", "11010519491231002X"] {
        assert!(!uri.contains(value), "{value} reached the partner in {uri}");
    }
    // Masked segments are written percent-encoded: the path stays a path.
    assert!(uri.contains("/users/138%2A%2A%2A%2A8000/"), "{uri}");
    assert!(http::Uri::try_from(uri.as_str()).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_params_templates_name_segments_and_drop_refuses() {
    let rules = "\
subject: $.user.user_id
path_params:
  - template: /v1/users/{id}/orders
    param: id
    category: user_ref
    action: hash
  - {template: '/v1/faces/{blob}', param: blob, category: biometric, action: drop}
";
    let partner = MockPartner::start(None, Reply::Echo).await;
    let config = one_partner(&format!("http://{}", partner.addr), "", "")
        .replace("rules/test.yaml", "rules/paths.yaml");
    let mut proxy = TestProxy::start_with(&config, &[("rules/paths.yaml", rules)]).await;
    let client = h1_client();
    let answer = send(
        &client,
        json_post(&proxy.url("/p/v1/users/u-8843021/orders"), SUBJECT),
    )
    .await;
    assert_eq!(answer.status, 200);
    let uri = received(&partner).uri;
    assert!(
        !uri.contains("u-8843021") && uri.ends_with("/orders"),
        "{uri}"
    );
    let refused = send(&client, json_post(&proxy.url("/p/v1/faces/AAAA"), "{}")).await;
    refused.assert_refused(400, "pii_in_path");
    let records = records_after_stop(&mut proxy).await;
    let share = first_of(&records, "share");
    assert_eq!(share["fields"][0]["path"], "path:$segment[2]", "{share}");
    assert_eq!(share["fields"][0]["category"], "user_ref");
    assert_eq!(first_of(&records, "blocked")["reason"], "pii_in_path");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_cannot_pick_a_scenario_by_spelling_the_path() {
    let extra = "    routes: [{path: /p/loan/, scenario: loan}]\n";
    let partner = MockPartner::start(None, Reply::Echo).await;
    let proxy =
        TestProxy::start(&one_partner(&format!("http://{}", partner.addr), "", extra)).await;
    let client = h1_client();
    let audit = proxy.dir.path().join("audit");
    // Spellings of `loan` reach the loan route (and its consent scenario).
    for spelling in ["/p//loan/x", "/p/%6coan/x", "/p/lo%61n/x"] {
        let answer = send(&client, json_post(&proxy.url(spelling), "{}")).await;
        assert_eq!(answer.status, 200, "{spelling}: {answer:?}");
        assert!(received(&partner).uri.ends_with("/x"), "{spelling}");
    }
    // Case-folded it would be the loan route: ambiguous, refused.
    let answer = send(&client, json_post(&proxy.url("/p/Loan/x"), "{}")).await;
    answer.assert_refused(400, "ambiguous_route");
    let answer = send(&client, json_post(&proxy.url("/p/loan;v=1/x"), "{}")).await;
    answer.assert_refused(400, "invalid_path");
    let _ = audit;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_body_labelled_as_a_form_is_inspected_as_json() {
    let (partner, proxy) = demo_proxy("").await;
    let body =
        r#"{"user":{"user_id":"u-1","mobile":"13800138000","id_number":"11010519491231002X"}}"#;
    let request = post(
        &proxy.url("/p/v1/x"),
        "application/x-www-form-urlencoded",
        body.to_owned(),
    );
    let answer = send(&h1_client(), request).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let got = String::from_utf8(received(&partner).body.to_vec()).expect("UTF-8");
    assert!(
        !got.contains("13800138000") && !got.contains("11010519491231002X"),
        "{got}"
    );
    // A body that is neither what it claims nor JSON is refused, not forwarded.
    let request = post(
        &proxy.url("/p/v1/x"),
        "application/x-www-form-urlencoded",
        "a=%zz",
    );
    send(&h1_client(), request)
        .await
        .assert_refused(400, "invalid_form");
}

/// An HTTP/2 caller refused before the proxy read its body (a coding it
/// cannot decode, a declared length over the limit) gets the refusal,
/// status and JSON body, while it is still sending. A body within the limit
/// may then be sent to its end (discarded, as nginx does) without the
/// stream being reset under it: curl 7.x reports such a reset as
/// `(92) Stream error` and drops the status it had. Nothing is forwarded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_refusal_before_the_body_is_read_reaches_the_caller() {
    use std::task::Poll;
    let (partner, proxy) = demo_proxy("").await;
    let tcp = tokio::net::TcpStream::connect(proxy.addr)
        .await
        .expect("connect");
    let (mut client, connection) = h2::client::handshake(tcp).await.expect("h2 preface");
    tokio::spawn(connection);
    let first = Bytes::from_static(br#"{"phone":"13800138000","#);
    let rest = Bytes::from(vec![b' '; 64 * 1024]);
    let whole = (first.len() + rest.len()).to_string();
    for (header, value, status, code) in [
        (
            "content-encoding",
            "zstd",
            415,
            "unsupported_content_encoding",
        ),
        ("content-length", "1000000000", 413, "body_too_large"),
    ] {
        let mut request = Request::post(proxy.url("/p/v1/x"))
            .header("content-type", "application/json")
            .header(header, value);
        if header != "content-length" {
            request = request.header("content-length", &whole);
        }
        let (response, mut sending) = client
            .send_request(request.body(()).expect("request"), false)
            .expect("stream opened");
        // The first chunk is out; the answer comes before the rest.
        sending
            .send_data(first.clone(), false)
            .expect("first chunk");
        let limit = std::time::Duration::from_secs(60);
        let response = tokio::time::timeout(limit, response)
            .await
            .expect("answered")
            .expect("a response, not a stream reset");
        let (parts, mut body) = response.into_parts();
        let mut bytes = Vec::new();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.expect("the whole refusal body, not a reset");
            let _ = body.flow_control().release_capacity(chunk.len());
            bytes.extend_from_slice(&chunk);
        }
        let answer = Answer {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            body: bytes.into(),
        };
        answer.assert_refused(status, code);
        if header == "content-length" {
            continue; // the declared billion bytes are not sent
        }
        sending
            .send_data(rest.clone(), true)
            .expect("the rest of the body is accepted, not reset");
        // A later exchange on the connection is answered after the proxy saw
        // the end of the refused stream: that stream ended, not reset.
        let (next, _) = client
            .send_request(
                Request::get(proxy.url("/p/v1/x"))
                    .body(())
                    .expect("request"),
                true,
            )
            .expect("stream opened");
        tokio::time::timeout(limit, next)
            .await
            .expect("answered")
            .expect("a response");
        let reset = std::future::poll_fn(|cx| Poll::Ready(sending.poll_reset(cx))).await;
        assert!(
            !matches!(reset, Poll::Ready(Ok(_))),
            "the refused stream was reset under its sender: {reset:?}"
        );
    }
    let forwarded = partner.recorded();
    assert!(
        forwarded.iter().all(|r| r.method == "GET"),
        "no refused body forwarded: {forwarded:?}"
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_records_stay_bounded_whatever_the_body() {
    let (partner, mut proxy) = demo_proxy("").await;
    let client = h1_client();
    // A small gzip that expands to tens of thousands of phone numbers: in
    // one array (one path pattern) and under a thousand distinct keys (more
    // lines than a share record lists). Neither key names a phone, so each
    // value is a detector finding of its own.
    const IN_ARRAY: usize = 50_000;
    const UNDER_KEYS: usize = 1_000;
    let phones = vec!["\"13800138000\""; IN_ARRAY].join(",");
    let keyed: Vec<String> = (0..UNDER_KEYS)
        .map(|i| format!("\"k{i:04}\":\"13800138000\""))
        .collect();
    let body = format!(
        r#"{{"user":{{"user_id":"u-1"}},"items":[{phones}],"by_key":{{{}}}}}"#,
        keyed.join(",")
    );
    let compressed = gzip(body.as_bytes());
    assert!(compressed.len() < 16 * 1024, "{} bytes", compressed.len());
    let request = Request::post(proxy.url("/p/v1/x"))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(Full::new(Bytes::from(compressed)))
        .expect("request");
    let answer = send(&client, request).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(!String::from_utf8_lossy(&received(&partner).body).contains("13800138000"));

    // A batch of 250 subjects: the share record names 101, two
    // `share_subjects` records the other 149.
    let batch: Vec<String> = (0..250)
        .map(|i| format!(r#"{{"user":{{"user_id":"u-{i}","name":"张三丰"}}}}"#))
        .collect();
    let answer = send(
        &client,
        json_post(&proxy.url("/p/v1/batch"), &format!("[{}]", batch.join(","))),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");

    let audit = proxy.dir.path().join("audit");
    proxy.stop().await.expect("stops");
    let mut lines = Vec::new();
    for path in pii_proxy::audit::segment::list(&audit).expect("segments") {
        let data = std::fs::read(&path).expect("segment");
        let (complete, _torn) = pii_proxy::audit::segment::split_lines(&data);
        lines.extend(complete.iter().map(|l| l.to_vec()));
    }
    for line in &lines {
        assert!(line.len() <= 64 * 1024, "a record of {} bytes", line.len());
        assert!(!String::from_utf8_lossy(line).contains("13800138000"));
    }
    let records = audit_records(&audit);
    let shares: Vec<_> = records.iter().filter(|r| r["kind"] == "share").collect();
    assert_eq!(shares.len(), 2, "{shares:?}");
    // Every finding is counted, exactly, though far fewer lines are listed.
    let flood = shares[0];
    let counted: u64 = flood["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["count"].as_u64().unwrap_or(1))
        .sum();
    let expected = (IN_ARRAY + UNDER_KEYS) as u64;
    assert_eq!(flood["fields_total"].as_u64(), Some(expected), "{flood}");
    assert_eq!(counted, expected);
    assert!(flood["fields"].as_array().expect("fields").len() <= 300);
    // The batch's subjects: 1 + 100 in the share record, 149 after it.
    let batch_share = shares[1];
    assert_eq!(batch_share["subjects"].as_array().map(Vec::len), Some(100));
    assert_eq!(batch_share["subject_parts"], 2, "{batch_share}");
    let parts: Vec<_> = records
        .iter()
        .filter(|r| r["kind"] == "share_subjects" && r["id"] == batch_share["id"])
        .collect();
    let continued: usize = parts
        .iter()
        .map(|r| r["subjects"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!((parts.len(), continued), (2, 149), "{parts:?}");
    // An investigator still finds the last subject of the batch.
    let keys = proxy.dir.path().join("keys/keyring.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .args(["audit", "search", "--subject", "u-249", "--keys"])
        .arg(&keys)
        .arg(&audit)
        .output()
        .expect("audit search runs");
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(out.contains("1 share events for hmac:"), "{out}");
    assert!(!out.contains("u-249"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_and_path_segments_holding_values_never_reach_the_audit_log() {
    let (partner, mut proxy) = demo_proxy("").await;
    let client = h1_client();
    // Values as keys, as separated digits, in pinyin, and as a query name.
    let body = r#"{"user":{"user_id":"u-1"},"张三丰":{"mobile":"13800138000"},"by_id":{"1101-0519-4912-3100-2X":{"mobile":"13800138000"}},"zhangsanfeng":{"mobile":"13800138000"}}"#;
    let target = "/p/v1/people/zhangsanfeng/x?138.0013.8000=1";
    let answer = send(&client, json_post(&proxy.url(target), body)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(!partner.recorded().is_empty());
    // And a refused one: the blocked record blanks them too.
    let refused = send(
        &client,
        json_post(&proxy.url(target), r#"{"张三丰":{"mobile":"13800138000"},"#),
    )
    .await;
    refused.assert_refused(400, "invalid_json");
    let records = records_after_stop(&mut proxy).await;
    let share = first_of(&records, "share");
    let paths: Vec<&str> = share["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(paths.contains(&"$.*.mobile"), "{paths:?}");
    assert!(records.iter().any(|r| r["kind"] == "blocked"));
    let mut text = String::new();
    let audit = proxy.dir.path().join("audit");
    for path in pii_proxy::audit::segment::list(&audit).expect("segments") {
        text.push_str(&String::from_utf8_lossy(
            &std::fs::read(&path).expect("segment"),
        ));
    }
    for raw in [
        "张三丰",
        "1101-0519-4912-3100-2X",
        "110105194912310",
        "138.0013.8000",
        "13800138000",
        "zhangsanfeng",
    ] {
        assert!(!text.contains(raw), "{raw} in the audit log:\n{text}");
    }
}
