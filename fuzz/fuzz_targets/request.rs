//! Raw bytes as an HTTP/1.1 request to the in-process proxy (the demo rules
//! on route `/p/`) in front of a recording partner.
//!
//! An even first byte sends the rest as the body of a fixed `POST /p/v1/x`
//! JSON request (so the fuzzer reaches the body path at once); an odd one
//! sends the rest as the whole byte stream (request line, headers, body,
//! pipelined requests).
//!
//! Checks: no panic anywhere in the process (libfuzzer-sys's panic hook
//! aborts on a panic in any thread, a hyper task included); the proxy
//! still answers a plain request after each input; nothing the partner
//! received holds a fixed personal value where the demo rules protect it:
//! a JSON body value (see `oracle.rs`), the `X-Phone-Number` header, the
//! `mobile` query parameter.

#![no_main]

#[path = "oracle.rs"]
mod oracle;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A wait longer than any answer the proxy gives on loopback (its own
/// timeouts below are shorter); past it the input is moved on from, not
/// failed: a slow answer is no finding of this target.
const ANSWER_WAIT: Duration = Duration::from_secs(5);

/// One request as the partner received it.
struct Received {
    uri: String,
    headers: hyper::HeaderMap,
    body: Bytes,
}

struct World {
    runtime: tokio::runtime::Runtime,
    proxy: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    _dir: tempfile::TempDir,
}

static WORLD: LazyLock<World> = LazyLock::new(start);

fn start() -> World {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let received = Arc::new(Mutex::new(Vec::new()));
    let dir = tempfile::tempdir().expect("temp dir");
    let proxy = runtime.block_on(async {
        let upstream = start_partner(received.clone()).await;
        start_proxy(dir.path(), upstream).await
    });
    World {
        runtime,
        proxy,
        received,
        _dir: dir,
    }
}

/// A partner on 127.0.0.1:0 that records every request and answers `{}`.
async fn start_partner(received: Arc<Mutex<Vec<Received>>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind partner");
    let addr = listener.local_addr().expect("partner addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let received = received.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    let received = received.clone();
                    async move {
                        let (parts, body) = request.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        received.lock().expect("records").push(Received {
                            uri: parts.uri.to_string(),
                            headers: parts.headers,
                            body,
                        });
                        let answer = Response::builder()
                            .header("content-type", "application/json")
                            .body(Full::new(Bytes::from_static(b"{}")))
                            .expect("static response");
                        Ok::<_, Infallible>(answer)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// The proxy as the binary starts it (`boot::bind`), with the shipped demo
/// rules for partner `p` and a keyring made now.
async fn start_proxy(dir: &std::path::Path, upstream: SocketAddr) -> SocketAddr {
    std::fs::create_dir(dir.join("rules")).expect("rules dir");
    std::fs::write(
        dir.join("rules/demo.yaml"),
        include_str!("../../rules/demo.yaml"),
    )
    .expect("rules");
    pii_proxy::protect::Keyring::generate()
        .save(&dir.join("keys/keyring.json"))
        .expect("keyring");
    let config = format!(
        "listen: 127.0.0.1:0\naudit: {{dir: audit, fsync: off}}\n\
         limits: {{header_read_timeout: 2s, body_read_timeout: 2s, upstream_timeout: 3s}}\n\
         partners:\n  - id: p\n    route: /p/\n    upstream: http://{upstream}\n    rules: rules/demo.yaml\n"
    );
    let path = dir.join("pii-proxy.yaml");
    std::fs::write(&path, config).expect("config");
    let bound = pii_proxy::boot::bind(&path, pii_proxy::boot::Options::default())
        .await
        .unwrap_or_else(|e| panic!("proxy start: {e}"));
    let addr = bound.proxy_addr();
    tokio::spawn(bound.run(std::future::pending()));
    addr
}

/// Sends `bytes`, half-closes, and reads what comes back until the proxy
/// closes or [`ANSWER_WAIT`] passes.
async fn exchange(proxy: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(proxy)
        .await
        .expect("connect to the proxy");
    let mut answer = Vec::new();
    let talk = async {
        // The proxy may close before reading everything (a refusal): not a failure.
        let _ = stream.write_all(bytes).await;
        let _ = stream.shutdown().await;
        let _ = stream.read_to_end(&mut answer).await;
    };
    let _ = tokio::time::timeout(ANSWER_WAIT, talk).await;
    answer
}

fn request_bytes(input: &[u8]) -> Vec<u8> {
    match input.split_first() {
        Some((mode, body)) if mode % 2 == 0 => {
            let mut bytes = format!(
                "POST /p/v1/x HTTP/1.1\r\nHost: partner\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            bytes.extend_from_slice(body);
            bytes
        }
        Some((_, raw)) => raw.to_vec(),
        None => Vec::new(),
    }
}

/// Where a received request still holds a personal value the demo rules
/// protect, if anywhere.
fn leak_in(request: &Received) -> Option<String> {
    for value in request.headers.get_all("x-phone-number") {
        if value.to_str().is_ok_and(|v| oracle::is_personal(v.trim())) {
            return Some("the X-Phone-Number header".into());
        }
    }
    let query = request.uri.split_once('?').map_or("", |(_, q)| q);
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        if decode(name) == "mobile" && oracle::is_personal(&decode(value)) {
            return Some("the mobile query parameter".into());
        }
    }
    // An encoded body is not decoded here: not checked (no false alarm).
    if request.headers.contains_key("content-encoding") {
        return None;
    }
    let body = serde_json::from_slice::<serde_json::Value>(&request.body).ok()?;
    oracle::leaked(&body).map(|place| format!("the body at {place}"))
}

fuzz_target!(|input: &[u8]| {
    let world = &*WORLD;
    world.runtime.block_on(async {
        exchange(world.proxy, &request_bytes(input)).await;
        let alive = exchange(
            world.proxy,
            b"GET /p/health HTTP/1.1\r\nHost: partner\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(
            alive.starts_with(b"HTTP/1.1 "),
            "the proxy no longer answers: {:?}",
            String::from_utf8_lossy(&alive)
        );
    });
    let received = std::mem::take(&mut *world.received.lock().expect("records"));
    for request in &received {
        if let Some(place) = leak_in(request) {
            panic!(
                "a personal value reached the partner in {place} (uri {})",
                request.uri
            );
        }
    }
});
