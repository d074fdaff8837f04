//! The HTTP witness: each checkpoint note POSTed as `text/plain` to a URL
//! (`https://…`, or `http://` on loopback only), over the same rustls
//! provider as every other connection. Any 2xx means kept; anything else,
//! or no answer within [`TIMEOUT`], is a failure the witness thread logs
//! and counts (see [`crate::audit::witness`]). Also builds the configured
//! witnesses, since the file witness lives in `audit` and this one here.
//!
//! The body is the signed note exactly as `pii-proxy audit checkpoint`
//! prints it; the C2SP `tlog-witness` protocol (consistency proofs,
//! cosignatures back) is not spoken.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Uri};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::tls;
use crate::audit::checkpoint::SignedNote;
use crate::audit::{AuditError, FileWitness, Witness, WitnessConfig};

/// The longest one submission may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

pub struct HttpWitness {
    uri: Uri,
    /// Made on the witness thread at the first submission (a runtime must
    /// not be made or dropped inside the proxy's own).
    runtime: Option<tokio::runtime::Runtime>,
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl HttpWitness {
    pub fn new(url: &str) -> Result<HttpWitness, AuditError> {
        let bad = |why: &str| AuditError::Config(format!("witness `{url}`: {why}"));
        let uri: Uri = url.parse().map_err(|_| bad("not a URL"))?;
        let loopback = uri.host().is_some_and(|h| {
            h == "localhost"
                || h.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        });
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if loopback => {}
            _ => return Err(bad("must be https:// (http:// only on loopback)")),
        }
        let config = tls::client_config(&tls::system_roots(), None, None)
            .map_err(|e| bad(&e.to_string()))?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(TIMEOUT));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(HttpWitness {
            uri,
            runtime: None,
            client: Client::builder(TokioExecutor::new()).build(https),
        })
    }
}

impl Witness for HttpWitness {
    fn name(&self) -> String {
        self.uri.to_string()
    }

    fn submit(&mut self, note: &SignedNote) -> Result<(), String> {
        let request = Request::post(self.uri.clone())
            .header(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Full::new(Bytes::from(note.to_string())))
            .map_err(|e| e.to_string())?;
        if self.runtime.is_none() {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("no runtime for the witness client: {e}"))?;
            self.runtime = Some(runtime);
        }
        let runtime = self.runtime.as_ref().expect("made above");
        let sent = self.client.request(request);
        let response = runtime
            .block_on(async { tokio::time::timeout(TIMEOUT, sent).await })
            .map_err(|_| format!("no answer within {}s", TIMEOUT.as_secs()))?
            .map_err(|e| e.to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("answered {}", response.status()))
        }
    }
}

/// The witnesses `audit.checkpoints.witnesses` names.
pub fn from_config(configs: &[WitnessConfig]) -> Result<Vec<Box<dyn Witness>>, AuditError> {
    configs
        .iter()
        .map(|c| -> Result<Box<dyn Witness>, AuditError> {
            Ok(match c {
                WitnessConfig::File(path) => Box::new(FileWitness::new(path.clone())),
                WitnessConfig::Url(url) => Box::new(HttpWitness::new(url)?),
                WitnessConfig::Nats(nats) => Box::new(super::nats::NatsWitness::new(
                    nats.server.clone(),
                    nats.subject.clone(),
                )),
            })
        })
        .collect()
}
