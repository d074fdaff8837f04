//! One request's context: what each step of the flow found that a later
//! step, or the report at the end, needs. Never a value from the request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Request;
use http::header::HeaderValue;

use super::audit_records::RequestFacts;
use super::headers;
use crate::app::budget::Held;
use crate::app::{App, Generation, Partner};
use crate::audit::SubjectHash;
use crate::metrics::PartnerMetrics;
use crate::net::ClientInfo;

/// One request as it passes the steps: what each step found that a later
/// one, or the report at the end (access line, metrics, last audit record),
/// needs. Never a value.
pub(super) struct Exchange<'g> {
    pub app: &'g App,
    pub generation: &'g Generation,
    pub client: ClientInfo,
    pub request_id: HeaderValue,
    pub facts: RequestFacts,
    pub started: Instant,
    pub partner: Option<&'g Partner>,
    pub metrics: Option<Arc<PartnerMetrics>>,
    /// The keyed hashes of the request's subjects, once inspection found
    /// them (key form, deduplicated, document order).
    pub subjects: Vec<SubjectHash>,
    /// The share record was accepted: an outcome record follows.
    pub shared: bool,
    pub findings: usize,
    pub bytes_in: usize,
    pub bytes_out: usize,
    /// Time spent waiting for the partner, once the request was sent.
    pub upstream: Option<Duration>,
    /// The bytes of body this request holds in memory (given back when the
    /// request ends).
    pub held: Held,
    /// The request body until it is read whole (kept open by a refusal
    /// that did not read it, until its response is sent).
    pub request_body: Option<hyper::body::Incoming>,
}

impl<'g> Exchange<'g> {
    pub fn new<B>(
        app: &'g App,
        generation: &'g Generation,
        client: ClientInfo,
        req: &Request<B>,
    ) -> Self {
        let request_id = headers::request_id(req.headers());
        let facts = RequestFacts::new(
            request_id.to_str().unwrap_or(""),
            req.method(),
            req.uri().path(),
        );
        Exchange {
            app,
            generation,
            client,
            request_id,
            facts,
            started: Instant::now(),
            partner: None,
            metrics: None,
            subjects: Vec::new(),
            shared: false,
            findings: 0,
            bytes_in: 0,
            bytes_out: 0,
            upstream: None,
            held: app.budget.hold(),
            request_body: None,
        }
    }
}
