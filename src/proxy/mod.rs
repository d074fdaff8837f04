//! The proxy: the request flow between a caller and one configured partner.
//! Every request is routed to a partner, its body read under limits,
//! decoded, inspected by the partner's compiled policy, checked against
//! quotas and consent, audited, and only then sent upstream; the answer
//! comes back the same way ([`flow`]).
//!
//! Owns the steps of that flow and their refusals ([`refusal`]): routing
//! checks, bodies, content types and encodings, headers, the share gate and
//! the share record, request building. Knows nothing of rule syntax (it
//! hands messages to the engine) or of sockets (the listener is
//! [`crate::net`]'s, bound by `boot`). Fails closed: a request that cannot
//! be fully inspected (over a limit, malformed, in an unknown encoding or
//! type) is refused with a JSON error and nothing is forwarded.

mod audit_records;
mod body;
mod compliance;
mod encoding;
mod exchange;
mod flow;
mod form;
mod gates;
mod headers;
mod inspect;
mod refusal;
mod report;
mod route;
mod shadow;
mod share;
mod subjects;
mod upstream;

pub use flow::handle;
