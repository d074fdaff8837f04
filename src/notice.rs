//! The lines `serve` writes to stderr besides its log events: the
//! `listening on` lines scripts and tests read the bound ports from, the
//! loud development WARNINGs (a keyring or admin token created), and
//! `stopped`.
//!
//! In text mode (the default) each is written exactly as it always was,
//! byte for byte, since scripts parse them. Under `--log-format json` each
//! becomes one tracing event instead, so that every line on stderr is a
//! JSON object a collector can parse (`{"message":"listening",
//! "listener":"proxy","url":"http://127.0.0.1:8080",...}`). Knows nothing
//! of what it announces; writing to stderr cannot fail in a way anyone
//! could act on, so it never fails.

use std::sync::atomic::{AtomicBool, Ordering};

static JSON: AtomicBool = AtomicBool::new(false);

/// Chooses JSON events (true) or the plain lines (false) from here on.
pub fn set_json(json: bool) {
    JSON.store(json, Ordering::Relaxed);
}

fn json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// `pii-proxy: listening on URL` (the proxy) or `pii-proxy: admin
/// listening on URL`.
pub fn listening(listener: &str, url: &str) {
    if json() {
        tracing::info!(target: "pii_proxy", listener, url, "listening");
    } else if listener == "proxy" {
        eprintln!("pii-proxy: listening on {url}");
    } else {
        eprintln!("pii-proxy: {listener} listening on {url}");
    }
}

/// A warning of several `WARNING: ` lines in text, one event in JSON.
pub fn warning(lines: &[String]) {
    if json() {
        let text: Vec<&str> = lines
            .iter()
            .map(|l| l.strip_prefix("WARNING: ").unwrap_or(l))
            .collect();
        tracing::warn!(target: "pii_proxy", "{}", text.join(" "));
    } else {
        for line in lines {
            eprintln!("{line}");
        }
    }
}

/// `pii-proxy: stopped`.
pub fn stopped() {
    if json() {
        tracing::info!(target: "pii_proxy", "stopped");
    } else {
        eprintln!("pii-proxy: stopped");
    }
}

/// A failure that ends `serve`, one event per line of `message`, in
/// JSON mode; `false` in text mode, where `main` prints it as it is.
pub fn failure(message: &str) -> bool {
    if !json() {
        return false;
    }
    for line in message.lines().filter(|l| !l.is_empty()) {
        tracing::error!(target: "pii_proxy", "{line}");
    }
    true
}
