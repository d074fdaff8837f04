//! The proxy end to end, in-process on 127.0.0.1:0, in front of the
//! built-in echo or a recording mock partner (plain or TLS with mTLS).

mod common;

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use http::{Request, Version};
use http_body_util::Full;
use tokio::io::AsyncWriteExt;

const PAYLOAD: &str = r#"{
  "user": {"user_id": "u-1", "name": "张三丰", "mobile": "13800138000", "face_image": "AAAA"},
  "amount":  1.50e0 ,"note":"\u00e9  kept"
}"#;

const MASKED: &str = r#"{
  "user": {"user_id": "u-1", "name": "张**", "mobile": "138****8000"},
  "amount":  1.50e0 ,"note":"\u00e9  kept"
}"#;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .expect("gunzip");
    out
}

async fn echo_proxy(extra: &str) -> TestProxy {
    TestProxy::start(&one_partner("builtin:echo", "", extra)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_masks_json_and_leaves_every_other_byte_identical() {
    let proxy = echo_proxy("").await;
    let answer = send(
        &h1_client(),
        post(&proxy.url("/p/v1/query"), "application/json", PAYLOAD),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.text(), MASKED);
    assert_eq!(answer.headers["content-length"], MASKED.len().to_string());
    assert_eq!(answer.headers["x-forwarded-for"], "127.0.0.1");
    assert_eq!(answer.headers["x-request-id"].len(), 26);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2c_prior_knowledge_is_served() {
    let proxy = echo_proxy("").await;
    let answer = send(
        &h2c_client(),
        post(&proxy.url("/p/x"), "application/json", PAYLOAD),
    )
    .await;
    assert_eq!(answer.version, Version::HTTP_2);
    assert_eq!(answer.text(), MASKED);
}

/// The full outbound leg against a real TLS partner that requires a client
/// certificate: exact bytes, path and query, headers, mTLS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_partner_receives_masked_bytes_and_clean_headers_over_mtls() {
    let pki = Pki::new();
    let tls = MockTls {
        pki: &pki,
        require_client_cert: true,
    };
    let partner = MockPartner::start(Some(tls), Reply::Json(r#"{"ok":true}"#)).await;
    let upstream = format!("https://localhost:{}/base/", partner.addr.port());
    let extra = format!(
        "    tls: {{ca: {}, client_cert: {}, client_key: {}}}\n",
        pki.ca.display(),
        pki.client_cert.display(),
        pki.client_key.display()
    );
    let proxy = TestProxy::start(&one_partner(&upstream, "", &extra)).await;
    let request = Request::post(proxy.url("/p/v1/query?mobile=13800138000&page=2"))
        .header("content-type", "application/json")
        .header("connection", "x-hop")
        .header("x-hop", "secret")
        .header("x-request-id", "req-42")
        .header("x-user-phone", "13900139000")
        .header("x-other", "kept")
        .body(Full::new(Bytes::from(PAYLOAD)))
        .expect("request");
    let answer = send(&h1_client(), request).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.text(), r#"{"ok":true}"#);
    assert_eq!(answer.headers["x-request-id"], "req-42");
    assert_eq!(answer.headers["x-mock"], "1");

    let got = partner.recorded();
    assert_eq!(got.len(), 1);
    let got = &got[0];
    assert_eq!(got.body, MASKED.as_bytes());
    assert_eq!(got.uri, "/base/v1/query?mobile=138%2A%2A%2A%2A8000&page=2");
    assert_eq!(got.version, Version::HTTP_2, "ALPN h2 to the partner");
    assert_eq!(
        got.host.as_deref(),
        Some(format!("localhost:{}", partner.addr.port()).as_str())
    );
    let h = &got.headers;
    assert!(!h.contains_key("x-hop") && !h.contains_key("connection"));
    assert_eq!(h["x-user-phone"], "139****9000");
    assert_eq!(h["x-other"], "kept");
    assert_eq!(h["x-request-id"], "req-42");
    assert_eq!(h["x-forwarded-for"], "127.0.0.1");
    assert_eq!(h["x-forwarded-proto"], "http");
    assert!(
        h["forwarded"]
            .to_str()
            .expect("ascii")
            .starts_with("for=127.0.0.1;proto=http")
    );
    assert_eq!(h["content-length"], MASKED.len().to_string());
    assert_eq!(partner.client_certs.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_requiring_mtls_without_a_client_cert_is_a_502() {
    let pki = Pki::new();
    let tls = MockTls {
        pki: &pki,
        require_client_cert: true,
    };
    let partner = MockPartner::start(Some(tls), Reply::Echo).await;
    let upstream = format!("https://localhost:{}", partner.addr.port());
    let extra = format!("    tls: {{ca: {}}}\n", pki.ca.display());
    // A generous connect deadline: on a loaded machine the handshake must
    // fail for the missing certificate (502), not run out of time (504).
    let top = "limits: {upstream_connect_timeout: 120s}\n";
    let proxy = TestProxy::start(&one_partner(&upstream, top, &extra)).await;
    let answer = send(
        &h1_client(),
        post(&proxy.url("/p/x"), "application/json", "{}"),
    )
    .await;
    assert_eq!(answer.status, 502, "{answer:?}");
    assert!(partner.recorded().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_partner_certificate_is_a_502_and_nothing_is_sent() {
    let pki = Pki::new();
    let tls = MockTls {
        pki: &pki,
        require_client_cert: false,
    };
    let partner = MockPartner::start(Some(tls), Reply::Echo).await;
    let upstream = format!("https://localhost:{}", partner.addr.port());
    let proxy = TestProxy::start(&one_partner(&upstream, "", "")).await;
    let answer = send(
        &h1_client(),
        post(&proxy.url("/p/x"), "application/json", "{}"),
    )
    .await;
    answer.assert_refused(502, "upstream_unreachable");
    assert!(partner.recorded().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_listener_speaks_h2_and_requires_client_certificates() {
    let pki = Pki::new();
    let top = format!(
        "tls: {{cert: {}, key: {}, client_ca: {}}}\n",
        pki.server_cert.display(),
        pki.server_key.display(),
        pki.ca.display()
    );
    let proxy = TestProxy::start(&one_partner("builtin:echo", &top, "")).await;
    let url = format!("https://localhost:{}/p/x", proxy.addr.port());
    let with_cert = tls_client(&pki.ca, Some((&pki.client_cert, &pki.client_key)));
    let answer = send(&with_cert, post(&url, "application/json", PAYLOAD)).await;
    assert_eq!(answer.version, Version::HTTP_2);
    assert_eq!(answer.text(), MASKED);
    assert_eq!(answer.headers["x-forwarded-proto"], "https");

    let without = tls_client(&pki.ca, None);
    let refused = without
        .request(post(&url, "application/json", PAYLOAD))
        .await;
    assert!(
        refused.is_err(),
        "a caller without a certificate is refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_serves_several_requests_and_the_upstream_pool_is_reused() {
    let partner = MockPartner::start(None, Reply::Echo).await;
    let upstream = format!("http://127.0.0.1:{}", partner.addr.port());
    let proxy = TestProxy::start(&one_partner(&upstream, "", "")).await;
    let stream = tokio::net::TcpStream::connect(proxy.addr)
        .await
        .expect("connect");
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .expect("handshake");
    tokio::spawn(conn);
    for i in 0..3 {
        let body = format!(r#"{{"mobile":"1380013800{i}"}}"#);
        let request = post("/p/x", "application/json", body);
        sender.ready().await.expect("the connection stays open");
        let response = sender.send_request(request).await.expect("same connection");
        assert_eq!(response.status(), 200);
        // Reading the body to its end frees the connection for the next one.
        http_body_util::BodyExt::collect(response.into_body())
            .await
            .expect("body");
    }
    let got = partner.recorded();
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].body, r#"{"mobile":"138****8002"}"#.as_bytes());
    assert_eq!(
        got[0].host.as_deref(),
        Some(format!("127.0.0.1:{}", partner.addr.port()).as_str())
    );
    assert_eq!(
        partner.connections.load(Ordering::SeqCst),
        1,
        "pooled upstream connection"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_request_bodies_are_inspected() {
    let proxy = echo_proxy("").await;
    let (part1, part2) = PAYLOAD.split_at(40);
    let request = format!(
        "POST /p/x HTTP/1.1\r\nhost: proxy\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{part1}\r\n{:x}\r\n{part2}\r\n0\r\n\r\n",
        part1.len(),
        part2.len()
    );
    let (status, head, body) = raw_exchange(proxy.addr, request.as_bytes()).await;
    assert_eq!(status, 200, "{head}");
    assert_eq!(body, MASKED.as_bytes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_bodies_are_decoded_inspected_and_reencoded() {
    let partner = MockPartner::start(None, Reply::Echo).await;
    let upstream = format!("http://127.0.0.1:{}", partner.addr.port());
    let proxy = TestProxy::start(&one_partner(&upstream, "", "")).await;
    let compressed = gzip(PAYLOAD.as_bytes());
    let request = Request::post(proxy.url("/p/x"))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(Full::new(Bytes::from(compressed)))
        .expect("request");
    let answer = send(&h1_client(), request).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let got = &partner.recorded()[0];
    assert_eq!(got.headers["content-encoding"], "gzip");
    assert_eq!(got.headers["content-length"], got.body.len().to_string());
    assert_eq!(gunzip(&got.body), MASKED.as_bytes());

    // Nothing to protect: the compressed bytes leave exactly as they came.
    let clean = gzip(br#"{"page": 2}"#);
    let request = Request::post(proxy.url("/p/x"))
        .header("content-encoding", "gzip")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(clean.clone())))
        .expect("request");
    assert_eq!(send(&h1_client(), request).await.status, 200);
    assert_eq!(partner.recorded()[1].body, clean);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_bodies_and_sniffed_json_are_inspected() {
    let proxy = echo_proxy("").await;
    let client = h1_client();
    let form = "a=1&mobile=13800138000&b=%E5%BC%A0";
    let answer = send(
        &client,
        post(
            &proxy.url("/p/x"),
            "application/x-www-form-urlencoded",
            form,
        ),
    )
    .await;
    assert_eq!(answer.text(), "a=1&mobile=138%2A%2A%2A%2A8000&b=%E5%BC%A0");
    let answer = send(&client, post(&proxy.url("/p/x"), "text/plain", PAYLOAD)).await;
    assert_eq!(
        answer.text(),
        MASKED,
        "JSON under another type is still inspected"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_are_inspected_when_the_partner_says_so() {
    let pii = r#"{"user":{"name":"李四","mobile":"13700137000"}}"#;
    let partner = MockPartner::start(None, Reply::Json(pii)).await;
    let upstream = format!("http://127.0.0.1:{}", partner.addr.port());
    let inspect = TestProxy::start(&one_partner(&upstream, "", "    responses: inspect\n")).await;
    let answer = send(&h1_client(), get(&inspect.url("/p/me"))).await;
    assert_eq!(
        answer.text(),
        r#"{"user":{"name":"李*","mobile":"137****7000"}}"#
    );
    assert_eq!(
        answer.headers["content-length"],
        answer.body.len().to_string()
    );
    let pass = TestProxy::start(&one_partner(&upstream, "", "")).await;
    assert_eq!(
        send(&h1_client(), get(&pass.url("/p/me"))).await.text(),
        pii
    );
}

// ---- refusals: each with its JSON body, and nothing reaching the partner ----

async fn recording_proxy(top: &str, extra: &str, reply: Reply) -> (MockPartner, TestProxy) {
    let partner = MockPartner::start(None, reply).await;
    let upstream = format!("http://127.0.0.1:{}", partner.addr.port());
    let proxy = TestProxy::start(&one_partner(&upstream, top, extra)).await;
    (partner, proxy)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_and_forward_proxy_requests_are_refused() {
    let (partner, proxy) = recording_proxy("", "", Reply::Echo).await;
    let client = h1_client();
    send(&client, get(&proxy.url("/elsewhere/x")))
        .await
        .assert_refused(404, "no_route");
    send(&client, get(&proxy.url("/p/../admin")))
        .await
        .assert_refused(400, "invalid_path");
    let (status, _, body) = raw_exchange(
        proxy.addr,
        b"GET http://evil.example/p/x HTTP/1.1\r\nhost: evil.example\r\n\r\n",
    )
    .await;
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("absolute_uri_refused"));
    let (status, _, body) = raw_exchange(
        proxy.addr,
        b"CONNECT evil.example:443 HTTP/1.1\r\nhost: evil.example:443\r\n\r\n",
    )
    .await;
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("connect_refused"));
    assert!(partner.recorded().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_a_400_with_its_position_and_no_value() {
    let (partner, proxy) = recording_proxy("", "", Reply::Echo).await;
    let body = "{\n  \"mobile\": \"13800138000\",\n  \"a\": tru\n}";
    let answer = send(
        &h1_client(),
        post(&proxy.url("/p/x"), "application/json", body),
    )
    .await;
    answer.assert_refused(400, "invalid_json");
    let detail = answer.json()["detail"]
        .as_str()
        .expect("detail")
        .to_string();
    assert!(detail.starts_with("line 3 column "), "{detail}");
    assert!(!answer.text().contains("13800138000"));
    assert!(partner.recorded().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_413_declared_streamed_or_decoded() {
    let top = "limits: {max_body_bytes: 1000}\n";
    let (partner, proxy) = recording_proxy(top, "", Reply::Echo).await;
    // Declared too large with Expect: 100-continue: refused without a 100
    // and without the body ever being sent.
    let (status, head, body) = raw_exchange(
        proxy.addr,
        b"POST /p/x HTTP/1.1\r\nhost: p\r\ncontent-type: application/json\r\ncontent-length: 5000\r\nexpect: 100-continue\r\n\r\n",
    )
    .await;
    assert_eq!(status, 413, "{head}");
    assert!(String::from_utf8_lossy(&body).contains("body_too_large"));
    // Chunked, discovered while streaming.
    let chunk = "x".repeat(600);
    let request = format!(
        "POST /p/x HTTP/1.1\r\nhost: p\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n258\r\n{chunk}\r\n258\r\n{chunk}\r\n0\r\n\r\n"
    );
    let (status, _, _) = raw_exchange(proxy.addr, request.as_bytes()).await;
    assert_eq!(status, 413);
    // A decompression bomb: small on the wire, large decoded.
    let bomb = gzip(format!("[\"{}\"]", "0".repeat(100_000)).as_bytes());
    assert!(bomb.len() < 1000);
    let request = Request::post(proxy.url("/p/x"))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(Full::new(Bytes::from(bomb)))
        .expect("request");
    send(&h1_client(), request)
        .await
        .assert_refused(413, "body_too_large");
    assert!(partner.recorded().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expect_100_continue_gets_a_continue_then_the_answer() {
    let proxy = echo_proxy("").await;
    let mut stream = tokio::net::TcpStream::connect(proxy.addr)
        .await
        .expect("connect");
    let body = r#"{"mobile":"13800138000"}"#;
    let head = format!(
        "POST /p/x HTTP/1.1\r\nhost: p\r\ncontent-type: application/json\r\ncontent-length: {}\r\nexpect: 100-continue\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write head");
    let (status, _, _) = read_response(&mut stream).await;
    assert_eq!(status, 100);
    stream.write_all(body.as_bytes()).await.expect("write body");
    let (status, _, answer) = read_response(&mut stream).await;
    assert_eq!(status, 200);
    assert_eq!(answer, br#"{"mobile":"138****8000"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_content_types_and_encodings_are_415_unless_allowed() {
    let (partner, proxy) = recording_proxy("", "", Reply::Echo).await;
    let client = h1_client();
    send(
        &client,
        post(&proxy.url("/p/x"), "text/plain", "hello 13800138000"),
    )
    .await
    .assert_refused(415, "unsupported_media_type");
    let request = Request::post(proxy.url("/p/x"))
        .header("content-type", "application/json")
        .header("content-encoding", "zstd")
        .body(Full::new(Bytes::from_static(b"(\xb5/\xfd")))
        .expect("request");
    send(&client, request)
        .await
        .assert_refused(415, "unsupported_content_encoding");
    send(
        &client,
        post(&proxy.url("/p/x"), "application/json; charset=gbk", "{}"),
    )
    .await
    .assert_refused(415, "unsupported_media_type");
    assert!(partner.recorded().is_empty());

    let (partner, proxy) = recording_proxy("", "    content_types: allow\n", Reply::Echo).await;
    let answer = send(&client, post(&proxy.url("/p/x"), "text/csv", "a,b\n1,2\n")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(partner.recorded()[0].body, "a,b\n1,2\n".as_bytes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_partner_is_502_and_slow_partner_is_504() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let upstream = format!("http://127.0.0.1:{closed}");
    let proxy = TestProxy::start(&one_partner(&upstream, "", "")).await;
    send(
        &h1_client(),
        post(&proxy.url("/p/x"), "application/json", "{}"),
    )
    .await
    .assert_refused(502, "upstream_unreachable");

    let top = "limits: {upstream_timeout: 200ms}\n";
    let (partner, proxy) = recording_proxy(top, "", Reply::Delay(Duration::from_secs(30))).await;
    send(
        &h1_client(),
        post(&proxy.url("/p/x"), "application/json", "{}"),
    )
    .await
    .assert_refused(504, "upstream_timeout");
    drop(partner);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_headers_and_late_bodies_are_408() {
    let top = "limits: {header_read_timeout: 300ms, body_read_timeout: 300ms}\n";
    let (partner, proxy) = recording_proxy(top, "", Reply::Echo).await;
    let (status, _, body) = raw_exchange(
        proxy.addr,
        b"POST /p/x HTTP/1.1\r\nhost: p\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"mobile\":",
    )
    .await;
    assert_eq!(status, 408);
    assert!(String::from_utf8_lossy(&body).contains("\"error\":\"body_timeout\""));
    let (status, _, body) = raw_exchange(proxy.addr, b"POST /p/x HTTP/1.1\r\nhost: p\r\n").await;
    assert_eq!(status, 408);
    assert!(String::from_utf8_lossy(&body).contains("\"error\":\"header_timeout\""));
    assert!(partner.recorded().is_empty());
}

/// 1,000 requests in flight at once (half h2c multiplexed, half over a pool
/// of HTTP/1.1 connections), each with its own personal data: every answer
/// must carry exactly its own request's values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_do_not_cross_talk() {
    let proxy = Arc::new(echo_proxy("").await);
    let h2 = h2c_client();
    let h1 = h1_client();
    let h1_slots = Arc::new(tokio::sync::Semaphore::new(64));
    // One exchange first, so the client knows the proxy's stream limit
    // (SETTINGS_MAX_CONCURRENT_STREAMS) before it opens 500 streams: sent
    // before the limit is known, the streams past it are refused.
    let warm = send(&h2, post(&proxy.url("/p/x"), "application/json", "{}")).await;
    assert_eq!(warm.status, 200);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1000u32 {
        let (h1, h2, proxy, slots) = (h1.clone(), h2.clone(), proxy.clone(), h1_slots.clone());
        tasks.spawn(async move {
            let mobile = format!("139{i:08}");
            let body = format!(r#"{{"user":{{"user_id":"u{i}","mobile":"{mobile}"}}}}"#);
            let request = post(&proxy.url("/p/x"), "application/json", body);
            let answer = if i % 2 == 0 {
                send(&h2, request).await
            } else {
                let _slot = slots.acquire().await.expect("semaphore");
                send(&h1, request).await
            };
            let expected = format!(
                r#"{{"user":{{"user_id":"u{i}","mobile":"139****{}"}}}}"#,
                &mobile[7..]
            );
            assert_eq!(answer.text(), expected, "request {i}");
        });
    }
    let mut done = 0;
    while let Some(result) = tasks.join_next().await {
        result.expect("request task");
        done += 1;
    }
    assert_eq!(done, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shares_and_refusals_are_audited_without_values() {
    let proxy = echo_proxy("").await;
    let client = h1_client();
    let request = Request::post(proxy.url("/p/users/13800138000/card?mobile=13800138000"))
        .header("content-type", "application/json")
        .header("x-request-id", "audit-1")
        .body(Full::new(Bytes::from(PAYLOAD)))
        .expect("request");
    assert_eq!(send(&client, request).await.status, 200);
    let bad = Request::post(proxy.url("/p/x"))
        .header("content-type", "application/json")
        .header("x-request-id", "audit-2")
        .body(Full::new(Bytes::from_static(b"{\"mobile\": 13800138000,")))
        .expect("request");
    send(&client, bad).await.assert_refused(400, "invalid_json");
    let dir = proxy.dir.path().join("audit");
    // Outcome and blocked records are queued as the answer leaves, and
    // written just after it: wait for them (bounded, generous).
    let expected = [
        ("share", "audit-1"),
        ("outcome", "audit-1"),
        ("blocked", "audit-2"),
    ];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let records = loop {
        let records = audit_records(&dir);
        let kinds: Vec<(&str, &str)> = records
            .iter()
            .filter_map(|r| Some((r["kind"].as_str()?, r["id"].as_str()?)))
            .collect();
        if expected.iter().all(|e| kinds.contains(e)) {
            break records;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "missing {expected:?} in {records:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    let share = records
        .iter()
        .find(|r| r["kind"] == "share")
        .expect("share");
    assert_eq!(share["partner"], "p");
    assert!(
        share["subject"]
            .as_str()
            .is_some_and(|s| !s.contains("u-1"))
    );
    let categories: Vec<&str> = share["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["category"].as_str())
        .collect();
    assert!(
        categories.contains(&"name") && categories.contains(&"phone"),
        "{share}"
    );
    for segment in std::fs::read_dir(&dir).expect("dir") {
        let text = std::fs::read_to_string(segment.expect("entry").path()).expect("read");
        for value in ["13800138000", "张三丰", "AAAA", "u-1"] {
            assert!(!text.contains(value), "`{value}` reached the audit log");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_audit_log_is_503_and_nothing_is_forwarded() {
    // Every batch opens a new segment, so the writer notices at once when
    // its directory is gone.
    let top = "audit: {dir: audit, rotate_bytes: 1}\n";
    let (partner, proxy) = recording_proxy(top, "", Reply::Echo).await;
    let client = h1_client();
    assert_eq!(
        send(&client, post(&proxy.url("/p/x"), "application/json", "{}"))
            .await
            .status,
        200
    );
    let dir = proxy.dir.path().join("audit");
    std::fs::rename(&dir, proxy.dir.path().join("audit.moved")).expect("move audit dir");
    std::fs::write(&dir, "not a directory").expect("file in its place");
    send(
        &client,
        post(&proxy.url("/p/x"), "application/json", PAYLOAD),
    )
    .await
    .assert_refused(503, "audit_unavailable");
    assert_eq!(
        partner.recorded().len(),
        1,
        "only the audited request reached the partner"
    );
}

/// A caller that shuts its write side once the request is sent (`nc -N`,
/// some HTTP/1.0 clients) still gets its answer, a refusal included: found
/// by the `request` fuzz target, whose every exchange half-closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_that_half_closes_after_its_request_still_gets_the_answer() {
    use tokio::io::AsyncWriteExt;
    let proxy = echo_proxy("").await;
    for (request, status) in [
        (
            "POST /p/x HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 29\r\n\r\n{\"user\":{\"name\":\"张三丰\"}}",
            200,
        ),
        ("GET /nowhere HTTP/1.1\r\nhost: x\r\n\r\n", 404),
    ] {
        let mut stream = tokio::net::TcpStream::connect(proxy.addr)
            .await
            .expect("connect");
        stream.write_all(request.as_bytes()).await.expect("send");
        stream.shutdown().await.expect("half-close");
        let (got, _, body) = read_response(&mut stream).await;
        assert_eq!(got, status, "{}", String::from_utf8_lossy(&body));
        if status == 200 {
            assert_eq!(body, "{\"user\":{\"name\":\"张**\"}}".as_bytes());
        }
    }
}
