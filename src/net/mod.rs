//! The network edge: binding and the accept loop with TLS and graceful
//! shutdown that both listeners share ([`listener`]), the pooled partner
//! client ([`client`]), every rustls configuration from one crypto provider
//! ([`tls`]), and the one shape of an error answer with its [`Fault`]
//! ([`error`]), and the response body that holds an unread request body
//! open until the response is sent, then discards the rest ([`hold`]).
//!
//! Knows nothing of partners, rules or admin endpoints: a listener serves
//! whatever handler it is given. Fails closed: a TLS file that does not
//! load is an error before anything is bound, never a fallback to plain
//! text.

pub(crate) mod client;
pub(crate) mod error;
mod hold;
mod io;
pub(crate) mod listener;
pub mod nats;
pub mod tls;
pub mod witness;

pub use client::{BoxError, HttpBody};
pub use error::{ErrorBody, Fault, error_response, json_response};
pub use hold::{DiscardOnDrop, HoldUntilSent};
pub use listener::{BindError, ClientInfo, ConnectionStats, Draining, Listener, Settings};
