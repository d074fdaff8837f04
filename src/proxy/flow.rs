//! The per-request flow, one step per arrow of the request's path:
//!
//! 1. [`Exchange::route`]: target checks (never an open proxy), then the
//!    partner and scenario of the path;
//! 2. [`Exchange::receive`]: the body read under the size and time limits,
//!    decoded (`Content-Encoding`) and classified (`Content-Type`, sniffing);
//! 3. [`Exchange::inspect`]: headers, query and body through the partner's
//!    policy, and the candidate policy's shadow run beside it;
//! 4. [`Exchange::share`] (in [`super::share`]): the share gate, before
//!    which nothing leaves: quotas and consent (the subject is in the body,
//!    so this comes after inspection), then the audit log must accept the
//!    share record;
//! 5. the request built and sent ([`super::upstream`]);
//! 6. [`Exchange::answer`]: the partner's response, cleaned and optionally
//!    inspected.
//!
//! Any step can refuse; a refusal is a JSON error, a `blocked` audit record
//! ([`super::report`]), and nothing is forwarded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::request::Parts;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;

use super::body::{self, Decoded};
use super::encoding::Coding;
use super::exchange::Exchange;
use super::inspect::{self, Inspection, Message};
use super::refusal::{Reason, Refusal};
use super::shadow::{self, ShadowResult};
use super::upstream::{self, Outgoing};
use super::{headers, report, route};
use crate::app::routes;
use crate::app::{App, Partner};
use crate::config::ResponsePolicy;
use crate::ident::Ident;
use crate::metrics::Direction;
use crate::net::{ClientInfo, DiscardOnDrop, HoldUntilSent, HttpBody};

/// Serves one request: the protected exchange with the partner, or a JSON
/// refusal. Every response carries the request id.
pub async fn handle(
    app: Arc<App>,
    client: ClientInfo,
    req: Request<Incoming>,
) -> Response<HttpBody> {
    let _in_flight = app.metrics.in_flight();
    let generation = app.current();
    let mut exchange = Exchange::new(&app, &generation, client, &req);
    let (parts, body) = req.into_parts();
    let version = parts.version;
    exchange.request_body = Some(body);
    let result = exchange.forward(Request::from_parts(parts, ())).await;
    let response = report::finish(&exchange, result).await;
    // A refusal sent before the body was read: the body stays open until
    // the response is out, so the caller gets the status and JSON body
    // first; an HTTP/2 caller's rest is then discarded, within bounds.
    let Some(unread) = exchange.request_body.take() else {
        return response;
    };
    if version == http::Version::HTTP_2 {
        let limits = generation.limits;
        let discard = DiscardOnDrop::new(unread, limits.max_body_bytes, limits.body_read_timeout);
        response.map(|body| HoldUntilSent::new(body, discard).boxed())
    } else {
        response.map(|body| HoldUntilSent::new(body, unread).boxed())
    }
}

/// Where the router sent a request.
struct Routed<'g> {
    partner: &'g Partner,
    scenario: &'g Ident,
    rest: String,
}

/// A request body as read and decoded.
struct Received {
    raw: Bytes,
    codings: Vec<Coding>,
    decoded: Option<Decoded>,
    /// The caller declared a body (`Content-Length` or `Transfer-Encoding`).
    declared_body: bool,
}

impl<'g> Exchange<'g> {
    async fn forward(&mut self, req: Request<()>) -> Result<Response<HttpBody>, Refusal> {
        let routed = self.route(&req)?;
        let partner = routed.partner;
        let (mut parts, ()) = req.into_parts();
        let received = self.receive(partner, &parts).await?;
        headers::remove_hop_by_hop(&mut parts.headers);
        let (mut inspection, shadow) = self
            .inspect(partner, &parts, &routed.rest, &received)
            .await?;
        inspection.apply_headers(&mut parts.headers);
        let query = inspection
            .query
            .take()
            .or_else(|| parts.uri.query().map(str::to_owned));
        let body = body::encode(received.raw, inspection.body.take(), &received.codings)?;
        self.findings = inspection.findings.items.len();
        self.bytes_out = body.len();
        self.share(partner, routed.scenario, &inspection, shadow.as_ref())
            .await?;
        let limits = self.generation.limits;
        let rest = inspection.path.take().unwrap_or(routed.rest);
        let outgoing = Outgoing {
            rest: &rest,
            query: query.as_deref(),
            body,
            declared_body: received.declared_body,
            public_host: self.generation.public_host.as_ref(),
            client: self.client,
            request_id: &self.request_id,
        };
        let request = upstream::build(partner, parts, outgoing)?;
        let sent_at = Instant::now();
        let sent = upstream::send(partner, request, limits.upstream_timeout).await;
        self.upstream = Some(sent_at.elapsed());
        let remaining = limits.upstream_timeout.saturating_sub(sent_at.elapsed());
        self.answer(partner, sent?, remaining).await
    }

    /// Step 1: refuses what a reverse proxy must not act on, then finds the
    /// partner and scenario of the path.
    fn route(&mut self, req: &Request<()>) -> Result<Routed<'g>, Refusal> {
        route::check_target(req)?;
        let path = routes::normalize(req.uri().path()).map_err(|_| {
            Refusal::new(
                Reason::InvalidPath,
                "`;` parameters in the path are refused",
            )
        })?;
        let routed = self
            .generation
            .router
            .route_checked(&path)
            .map_err(|_| {
                Refusal::new(
                    Reason::AmbiguousRoute,
                    "the path reaches another route when its case is folded; spell it as the route is configured",
                )
            })?
            .ok_or_else(|| Refusal::new(Reason::NoRoute, "no partner is configured for this path"))?;
        let target = &self.generation.route_targets[routed.partner];
        let partner = &self.generation.partners[target.partner];
        self.partner = Some(partner);
        self.metrics = Some(self.app.metrics.partner(&partner.config.id));
        Ok(Routed {
            partner,
            scenario: &target.scenario,
            rest: routed.rest.to_owned(),
        })
    }

    /// Step 2: the body, read whole under the limits, then decoded and
    /// classified. Codings are checked before a byte is read.
    async fn receive(&mut self, partner: &Partner, parts: &Parts) -> Result<Received, Refusal> {
        let limits = self.generation.limits;
        let codings = body::codings(&parts.headers, Direction::Request)?;
        let declared_body = parts.headers.contains_key(header::CONTENT_LENGTH)
            || parts.headers.contains_key(header::TRANSFER_ENCODING);
        let incoming = self
            .request_body
            .as_mut()
            .expect("handle set the body before forwarding");
        let raw = body::read_request_body(
            incoming,
            limits.max_body_bytes,
            limits.body_read_timeout,
            &mut self.held,
        )
        .await?;
        // Read to its end: nothing left to hold open.
        self.request_body = None;
        self.bytes_in = raw.len();
        let decoded = body::decode(
            &parts.headers,
            &raw,
            &codings,
            (limits.max_body_bytes, &mut self.held),
            partner.config.content_types,
            Direction::Request,
        )?;
        Ok(Received {
            raw,
            codings,
            decoded,
            declared_body,
        })
    }

    /// Step 3: the partner's policy on headers, query and body, and the
    /// candidate policy on the same message.
    async fn inspect(
        &mut self,
        partner: &'g Partner,
        parts: &Parts,
        rest: &str,
        received: &Received,
    ) -> Result<(Inspection, Option<ShadowResult<'g>>), Refusal> {
        let message = Message {
            path: Some(rest),
            headers: &parts.headers,
            query: parts.uri.query(),
            body: received.decoded.as_ref(),
            direction: Direction::Request,
        };
        let inspection = inspect::message(&partner.policy, &message).await?;
        if !self.held.grow(inspection.heap_bytes()) {
            return Err(body::overloaded());
        }
        let shadow = match &partner.candidate {
            Some(candidate) => Some(shadow::run(candidate, &message, &inspection.findings).await),
            None => None,
        };
        Ok((inspection, shadow))
    }

    /// Step 6: the partner's response without hop-by-hop headers and, for
    /// `responses: inspect`, through the partner's policy within what is
    /// left of the upstream timeout.
    async fn answer(
        &mut self,
        partner: &Partner,
        response: Response<HttpBody>,
        remaining: Duration,
    ) -> Result<Response<HttpBody>, Refusal> {
        let (mut parts, incoming) = response.into_parts();
        headers::remove_hop_by_hop(&mut parts.headers);
        if partner.config.responses == ResponsePolicy::Pass {
            return Ok(Response::from_parts(parts, incoming));
        }
        let max = self.generation.limits.max_body_bytes;
        let codings = body::codings(&parts.headers, Direction::Response)?;
        let waiting = Instant::now();
        let raw = body::read_response_body(incoming, max, remaining, &mut self.held).await;
        if let Some(upstream) = &mut self.upstream {
            *upstream += waiting.elapsed();
        }
        let raw = raw?;
        let content_types = partner.config.content_types;
        let decoded = body::decode(
            &parts.headers,
            &raw,
            &codings,
            (max, &mut self.held),
            content_types,
            Direction::Response,
        )?;
        let message = Message {
            path: None,
            headers: &parts.headers,
            query: None,
            body: decoded.as_ref(),
            direction: Direction::Response,
        };
        let inspection = inspect::message(&partner.policy, &message).await?;
        if !self.held.grow(inspection.heap_bytes()) {
            return Err(body::overloaded());
        }
        if let Some(m) = &self.metrics {
            let items = &inspection.findings.items;
            self.app.metrics.findings(m, Direction::Response, items);
        }
        let body = body::encode(raw, inspection.body, &codings)?;
        if !body.is_empty() {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        let body = Full::new(body).map_err(|never| match never {}).boxed();
        Ok(Response::from_parts(parts, body))
    }
}
