//! Test helpers: a PKI made at test time, a mock partner that records the
//! exact bytes it received (plain or TLS, optionally requiring a client
//! certificate), the proxy started in-process on 127.0.0.1:0, and clients.
//! Everything started here stops when its guard is dropped.

#![allow(dead_code, reason = "each test binary uses a different subset")]

pub mod servers;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use pii_proxy::app::App;
use pii_proxy::boot;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// A CA with a server certificate (localhost, 127.0.0.1) and a client
/// certificate, as PEM files in a temporary directory.
pub struct Pki {
    pub dir: tempfile::TempDir,
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

impl Pki {
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "pii-proxy test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
            .expect("CA");
        let write = |name: &str, text: String| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write PEM");
            path
        };
        let leaf = |names: Vec<String>, eku: ExtendedKeyUsagePurpose| {
            let mut params = CertificateParams::new(names).expect("leaf params");
            params.extended_key_usages = vec![eku];
            let key = KeyPair::generate().expect("leaf key");
            let cert = params.signed_by(&key, &ca).expect("sign leaf");
            (cert.pem(), key.serialize_pem())
        };
        let (server_pem, server_key_pem) = leaf(
            vec!["localhost".into(), "127.0.0.1".into()],
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let (client_pem, client_key_pem) = leaf(
            vec!["internal-caller".into()],
            ExtendedKeyUsagePurpose::ClientAuth,
        );
        Pki {
            ca: write("ca.pem", ca.pem()),
            server_cert: write("server.pem", server_pem),
            server_key: write("server-key.pem", server_key_pem),
            client_cert: write("client.pem", client_pem),
            client_key: write("client-key.pem", client_key_pem),
            dir,
        }
    }
}

/// One request as the mock partner received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub uri: String,
    pub version: Version,
    /// `Host` (HTTP/1) or `:authority` (HTTP/2).
    pub host: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// How the mock partner answers.
#[derive(Clone)]
pub enum Reply {
    /// 200 with the received body and content type.
    Echo,
    /// 200 with this JSON body.
    Json(&'static str),
    /// Waits this long before answering like `Echo`.
    Delay(Duration),
}

/// A partner API on 127.0.0.1:0 that records every request.
pub struct MockPartner {
    pub addr: SocketAddr,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    /// Accepted TCP connections (to observe pooling).
    pub connections: Arc<AtomicUsize>,
    /// Completed TLS handshakes where the client presented a certificate.
    pub client_certs: Arc<AtomicUsize>,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for MockPartner {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// TLS settings of the mock partner: its certificate, and the CA whose
/// client certificates it requires (mTLS) when set.
pub struct MockTls<'a> {
    pub pki: &'a Pki,
    pub require_client_cert: bool,
}

impl MockPartner {
    pub async fn start(tls: Option<MockTls<'_>>, reply: Reply) -> MockPartner {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind mock");
        let addr = listener.local_addr().expect("mock addr");
        let acceptor = tls.map(|t| {
            let ca = t.require_client_cert.then_some(t.pki.ca.as_path());
            let config =
                pii_proxy::net::tls::server_config(&t.pki.server_cert, &t.pki.server_key, ca)
                    .expect("mock TLS");
            tokio_rustls::TlsAcceptor::from(Arc::new(config))
        });
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let client_certs = Arc::new(AtomicUsize::new(0));
        let (stop, mut stopped) = oneshot::channel();
        let state = (requests.clone(), connections.clone(), client_certs.clone());
        tokio::spawn(async move {
            loop {
                let (stream, _) = tokio::select! {
                    accepted = listener.accept() => match accepted { Ok(a) => a, Err(_) => continue },
                    _ = &mut stopped => return,
                };
                state.1.fetch_add(1, Ordering::SeqCst);
                let (requests, certs, reply, acceptor) = (
                    state.0.clone(),
                    state.2.clone(),
                    reply.clone(),
                    acceptor.clone(),
                );
                tokio::spawn(async move {
                    match acceptor {
                        None => serve_mock(stream, requests, reply).await,
                        Some(acceptor) => {
                            let Ok(tls) = acceptor.accept(stream).await else {
                                return;
                            };
                            if tls.get_ref().1.peer_certificates().is_some() {
                                certs.fetch_add(1, Ordering::SeqCst);
                            }
                            serve_mock(tls, requests, reply).await;
                        }
                    }
                });
            }
        });
        MockPartner {
            addr,
            requests,
            connections,
            client_certs,
            stop: Some(stop),
        }
    }

    pub fn recorded(&self) -> Vec<Recorded> {
        self.requests.lock().expect("mock lock").clone()
    }
}

async fn serve_mock<S>(stream: S, requests: Arc<Mutex<Vec<Recorded>>>, reply: Reply)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req: Request<Incoming>| {
        let requests = requests.clone();
        let reply = reply.clone();
        async move {
            let (parts, body) = req.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            requests.lock().expect("mock lock").push(Recorded {
                method: parts.method.to_string(),
                uri: parts
                    .uri
                    .path_and_query()
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                version: parts.version,
                host: parts
                    .headers
                    .get("host")
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_string)
                    .or_else(|| parts.uri.authority().map(|a| a.to_string())),
                headers: parts.headers.clone(),
                body: body.clone(),
            });
            let mut response = Response::builder().header("x-mock", "1");
            let out = match reply {
                Reply::Echo => {
                    if let Some(ct) = parts.headers.get("content-type") {
                        response = response.header("content-type", ct);
                    }
                    body
                }
                Reply::Json(text) => {
                    response = response.header("content-type", "application/json");
                    Bytes::from_static(text.as_bytes())
                }
                Reply::Delay(d) => {
                    tokio::time::sleep(d).await;
                    body
                }
            };
            Ok::<_, Infallible>(response.body(Full::new(out)).expect("mock response"))
        }
    });
    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// The proxy running in-process on 127.0.0.1:0 until dropped.
pub struct TestProxy {
    pub addr: SocketAddr,
    /// The admin listener, when the config has one.
    pub admin_addr: Option<SocketAddr>,
    pub dir: tempfile::TempDir,
    /// The running state, for tests that look inside (consent, audit).
    pub app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    /// The lifecycle `boot` runs: drain, then close the audit log.
    running: Option<tokio::task::JoinHandle<Result<(), boot::BootError>>>,
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Rules every test partner uses: a masked name, phone keys, a dropped face
/// image, a protected header and query parameter.
pub const TEST_RULES: &str = "\
subject: {paths: [$.user.user_id], optional: true}
fields:
  - path: $.user.name
    category: name
    action: {mask: {keep_first: 1}}
  - keys: [mobile]
    category: phone
    action: {mask: {keep_first: 3, keep_last: 4}}
  - path: $.user.face_image
    category: biometric
    action: drop
headers:
  - name: x-user-phone
    category: phone
    action: {mask: {keep_first: 3, keep_last: 4}}
query:
  - name: mobile
    category: phone
    action: {mask: {keep_first: 3, keep_last: 4}}
";

impl TestProxy {
    /// Starts the proxy with `config` (YAML, `listen` and `partners` at
    /// least; `rules/test.yaml` holds [`TEST_RULES`]).
    pub async fn start(config: &str) -> TestProxy {
        TestProxy::start_with(config, &[]).await
    }

    /// [`TestProxy::start`] with more files written first (`(relative
    /// path, text)`, e.g. another rules file).
    pub async fn start_with(config: &str, files: &[(&str, &str)]) -> TestProxy {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("rules")).expect("rules dir");
        std::fs::write(dir.path().join("rules/test.yaml"), TEST_RULES).expect("rules");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("extra file");
        }
        let path = dir.path().join("pii-proxy.yaml");
        std::fs::write(&path, config).expect("config");
        if !config.contains("create_if_missing: true") {
            dev_keyring(dir.path());
        }
        // The binary's own start-up: inputs, audit, consent, then both listeners.
        let bound = boot::bind(&path, boot::Options::default())
            .await
            .unwrap_or_else(|e| panic!("proxy start: {e}"));
        let (addr, admin_addr) = (bound.proxy_addr(), bound.admin_addr());
        let app = bound.app().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let running = tokio::spawn(bound.run(async {
            let _ = stopped.await;
        }));
        TestProxy {
            addr,
            admin_addr,
            dir,
            app,
            stop: Some(stop),
            running: Some(running),
        }
    }

    /// Stops the proxy as SIGTERM stops the binary (drain, then close the
    /// audit log) and returns how the lifecycle ended.
    pub async fn stop(&mut self) -> Result<(), boot::BootError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let running = self.running.take().expect("stopped only once");
        running.await.expect("the proxy task does not panic")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// A config with one partner `p` on route `/p/` to `upstream`, plus `extra`
/// lines appended to the partner, and `top` lines before `partners:`.
pub fn one_partner(upstream: &str, top: &str, extra: &str) -> String {
    format!(
        "listen: 127.0.0.1:0\n{top}partners:\n  - id: p\n    route: /p/\n    upstream: {upstream}\n    rules: rules/test.yaml\n{extra}"
    )
}

pub type PlainClient = Client<HttpConnector, Full<Bytes>>;

/// A pooled HTTP/1.1 client.
pub fn h1_client() -> PlainClient {
    Client::builder(TokioExecutor::new()).build(HttpConnector::new())
}

/// A pooled h2c (prior knowledge) client.
pub fn h2c_client() -> PlainClient {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build(HttpConnector::new())
}

/// An HTTPS client trusting `ca`, optionally presenting a client certificate.
pub fn tls_client(
    ca: &Path,
    identity: Option<(&Path, &Path)>,
) -> Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>> {
    let roots = rustls::RootCertStore::empty();
    let config =
        pii_proxy::net::tls::client_config(&roots, Some(ca), identity).expect("client TLS");
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_only()
        .enable_http1()
        .enable_http2()
        .build();
    Client::builder(TokioExecutor::new()).build(https)
}

/// A finished exchange.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub version: Version,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    /// Asserts a refusal: status and `{"error": code, ...}`.
    pub fn assert_refused(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        assert_eq!(self.json()["error"], code, "{self:?}");
        assert!(self.json()["detail"].is_string(), "{self:?}");
        assert!(self.headers.contains_key("x-request-id"), "{self:?}");
    }
}

pub async fn send<C>(client: &Client<C, Full<Bytes>>, request: Request<Full<Bytes>>) -> Answer
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    let response = client.request(request).await.expect("request");
    let (parts, body) = response.into_parts();
    Answer {
        status: parts.status,
        version: parts.version,
        headers: parts.headers,
        body: body.collect().await.expect("response body").to_bytes(),
    }
}

pub fn post(url: &str, content_type: &str, body: impl Into<Bytes>) -> Request<Full<Bytes>> {
    Request::post(url)
        .header("content-type", content_type)
        .body(Full::new(body.into()))
        .expect("request")
}

pub fn get(url: &str) -> Request<Full<Bytes>> {
    Request::get(url)
        .body(Full::new(Bytes::new()))
        .expect("request")
}

/// Writes `head` (and optionally more bytes later) on a raw connection and
/// reads one response: `(status, head text, body)`.
pub async fn raw_exchange(addr: SocketAddr, bytes: &[u8]) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(bytes).await.expect("write");
    read_response(&mut stream).await
}

/// Reads one HTTP/1.1 response with a Content-Length body.
pub async fn read_response(stream: &mut TcpStream) -> (u16, String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(
            n > 0,
            "connection closed before a response: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let status: u16 = head[9..12].parse().expect("status code");
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())
                .flatten()
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.expect("read body");
        assert!(n > 0, "connection closed mid-body");
        buf.extend_from_slice(&chunk[..n]);
    }
    (status, head, buf[head_end..head_end + length].to_vec())
}

/// The real `pii-proxy` binary, killed when dropped.
pub struct BinaryProxy {
    pub child: std::process::Child,
    pub addr: SocketAddr,
    pub scheme: String,
    /// Every stderr line so far (the reader thread keeps appending).
    pub stderr: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Drop for BinaryProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl BinaryProxy {
    /// Runs `pii-proxy serve --config CONFIG` and waits for its
    /// `listening on` line.
    pub fn serve(config: &Path) -> BinaryProxy {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
            .args(["serve", "--config"])
            .arg(config)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start pii-proxy");
        let stderr = child.stderr.take().expect("stderr pipe");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(at) = line.strip_prefix("pii-proxy: listening on ") {
                    let _ = tx.send(at.to_string());
                }
                sink.lock().expect("stderr lock").push(line);
            }
        });
        let mut proxy = BinaryProxy {
            child,
            addr: "127.0.0.1:1".parse().expect("placeholder"),
            scheme: String::new(),
            stderr: lines,
            reader: Some(reader),
        };
        // Generous: this bounds a hang, it does not measure anything.
        let url = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("no listening line; stderr: {:?}", proxy.stderr_text()));
        let (scheme, addr) = url.split_once("://").expect("scheme://addr");
        proxy.scheme = scheme.to_string();
        proxy.addr = addr.parse().expect("listening address");
        proxy
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.lock().expect("stderr lock").join("\n")
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        let exit = self.child.wait().expect("wait for pii-proxy");
        // The pipe closes with the process: every line is read after this.
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        exit
    }
}

/// Writes `config` and the test rules into `dir`, returning the config path.
pub fn write_config(dir: &Path, config: &str) -> PathBuf {
    std::fs::create_dir_all(dir.join("rules")).expect("rules dir");
    std::fs::write(dir.join("rules/test.yaml"), TEST_RULES).expect("rules");
    let path = dir.join("pii-proxy.yaml");
    std::fs::write(&path, config).expect("config");
    if !config.contains("create_if_missing: true") {
        dev_keyring(dir);
    }
    path
}

/// Every complete record of the audit log in `audit_dir`, in log order
/// (segments in their order, a torn last line left out), as JSON.
pub fn audit_records(audit_dir: &Path) -> Vec<serde_json::Value> {
    let mut records = Vec::new();
    for path in pii_proxy::audit::segment::list(audit_dir).expect("list segments") {
        let data = std::fs::read(&path).expect("read segment");
        let (lines, _torn) = pii_proxy::audit::segment::split_lines(&data);
        for line in lines {
            records.push(serde_json::from_slice(line).expect("record is JSON"));
        }
    }
    records
}

/// The `keys:` of a development config: `serve` creates the keyring,
/// loudly, when it is missing.
pub const DEV_KEYS: &str = "keys: {path: keys/keyring.json, create_if_missing: true}\n";

/// A keyring generated for this test at `dir/keys/keyring.json` (the
/// default `keys:`), unless one is there: `serve` and `mask` never create
/// one for a config that does not say `create_if_missing` (the test
/// helpers call this for every config that does not).
pub fn dev_keyring(dir: &Path) {
    let path = dir.join("keys/keyring.json");
    if !path.exists() {
        pii_proxy::protect::Keyring::generate()
            .save(&path)
            .expect("test keyring");
    }
}

/// Writes a secret (token, credential) as its owner alone may read it:
/// the proxy refuses one every user can read.
pub fn write_secret(path: &Path, text: &str) {
    std::fs::write(path, text).expect("secret");
    set_mode(path, 0o600);
}

/// `chmod mode path`.
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}
