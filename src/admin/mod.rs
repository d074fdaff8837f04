//! The admin side: the endpoints of the listener for the people and
//! systems that run the proxy rather than those that send traffic through
//! it.
//!
//! Owns the admin endpoints and who may call them ([`router`]): liveness
//! and readiness ([`health`]), the Prometheus exposition of
//! [`crate::metrics`], `POST /reload` (through [`crate::app::reload`]),
//! and the consent endpoints ([`consent`]). The listener itself is
//! [`crate::net::Listener`], bound by `boot` (loopback by default; TLS
//! required elsewhere).
//!
//! Knows nothing of the engine's insides: it reads the [`App`]'s state and
//! swaps whole generations through the reloader. Fails closed: no token,
//! no admin action; a reload that does not check, or whose audit record
//! is not written, changes nothing; a consent change is answered only once
//! it is journaled.

pub mod consent;
pub(crate) mod health;
pub(crate) mod router;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;

use crate::app::App;
use crate::app::reload::Reloader;
use crate::app::token::AdminToken;

/// The admin listener's own connection limits: a few callers (operators,
/// probes, a scraper), so a flood of proxy traffic cannot starve it.
pub const LISTENER: crate::net::Settings = crate::net::Settings {
    header_read_timeout: Duration::from_secs(10),
    idle_timeout: Duration::from_secs(60),
    max_connections: 64,
    max_concurrent_streams: 16,
};
/// How long in-flight admin requests may take once shutdown begins.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What every admin request can reach.
pub struct AdminState {
    pub app: Arc<App>,
    pub reloader: Arc<Reloader>,
    token: Arc<ArcSwap<AdminToken>>,
    /// The audit directory readiness probes (fixed at start).
    audit_dir: PathBuf,
}

impl AdminState {
    /// Admin requests are checked against `token`; reloads through
    /// `reloader` re-read it.
    pub fn new(reloader: Arc<Reloader>, token: AdminToken, audit_dir: PathBuf) -> AdminState {
        let token = Arc::new(ArcSwap::from_pointee(token));
        reloader.keep_token_fresh(token.clone());
        AdminState {
            app: reloader.app().clone(),
            reloader,
            token,
            audit_dir,
        }
    }
}
