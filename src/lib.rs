//! pii-proxy: an inline reverse proxy that protects the personal data in JSON
//! payloads shared with partners, and audits every share.
//!
//! The parts follow the request flow; see `DESIGN.md` for the picture.

pub mod admin;
pub mod audit;
pub mod candidate;
pub mod config;
pub mod consent;
pub mod cross_border;
pub mod detect;
pub mod diag;
pub mod engine;
pub mod ident;
pub mod metrics;
pub mod monitor;
pub mod policy_set;
pub mod protect;
pub mod proxy;
pub mod rules;
pub mod time;
pub mod tls;
pub mod vocab;
