//! Liveness and readiness.
//!
//! Live (`/healthz`): the process answers. Ready (`/readyz`): it can serve
//! a request end to end right now: the proxy listener is accepting (not
//! starting, not draining), a config generation is loaded, the audit log
//! accepts records and its directory is writable, the consent store has
//! every decision (a database store: its first full sync), and every partner's
//! upstream host resolves. Each check is reported by name, with why it
//! failed; one failure makes the whole answer 503.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::app::App;
use crate::config::Upstream;
use crate::consent::Availability;

/// How long one upstream name may take to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(2);

/// The file the audit probe writes and removes (not a segment name, so the
/// audit tools ignore it).
const PROBE_FILE: &str = ".pii-proxy-ready-probe";

#[derive(Debug, Serialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Check {
    fn new(name: impl Into<String>, problem: Option<String>) -> Check {
        Check {
            name: name.into(),
            ok: problem.is_none(),
            detail: problem,
        }
    }

    /// Passing, with something the operator should know.
    fn ok_with(name: impl Into<String>, note: String) -> Check {
        Check {
            name: name.into(),
            ok: true,
            detail: Some(note),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Readiness {
    pub ready: bool,
    pub generation: u64,
    pub checks: Vec<Check>,
}

/// Runs every check.
pub async fn readiness(app: &App, audit_dir: &Path) -> Readiness {
    let mut checks = vec![
        Check::new(
            "listener",
            (!app.is_serving())
                .then(|| "the proxy listener is not accepting (starting or draining)".into()),
        ),
        config_check(app),
        audit_check(app, audit_dir.to_path_buf()).await,
        consent_check(app),
    ];
    checks.extend(upstream_checks(app).await);
    Readiness {
        ready: checks.iter().all(|c| c.ok),
        generation: app.generation_number(),
        checks,
    }
}

fn config_check(app: &App) -> Check {
    let generation = app.current();
    let problem = generation
        .partners
        .is_empty()
        .then(|| "the loaded config has no partners".to_string());
    Check::new("config", problem)
}

/// The consent store: named, and for a database whether the first full
/// sync is done (not ready before: no decision is known). A replica whose
/// database went quiet after syncing stays ready, as the others would be in
/// the same outage: known decisions keep applying, `consent: required`
/// partners get 503 (the detail says so).
fn consent_check(app: &App) -> Check {
    let store = &app.consent;
    let name = format!("consent:{}", store.kind());
    let Some(database) = store.database() else {
        return Check::new(name, None);
    };
    let seconds = database.staleness().as_secs_f64();
    match store.availability() {
        Availability::NotSynced => Check::new(
            name,
            Some(format!(
                "no full sync with the consent database yet ({seconds:.1}s since start): every \
                 share is refused until it completes"
            )),
        ),
        Availability::Stale { .. } => Check::ok_with(
            name,
            format!(
                "stale: the consent database was last heard from {seconds:.1}s ago (max_staleness \
                 {:.1}s); known decisions apply, `consent: required` partners are refused",
                database.max_staleness().as_secs_f64()
            ),
        ),
        Availability::Current => Check::new(name, None),
    }
}

async fn audit_check(app: &App, dir: PathBuf) -> Check {
    if !app.audit.stats().available {
        return Check::new(
            "audit",
            Some("the audit writer refused its last batch".into()),
        );
    }
    let probe = tokio::task::spawn_blocking(move || probe_writable(&dir)).await;
    let problem = match probe {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(format!("the audit directory is not writable: {e}")),
        Err(_) => Some("the audit probe task failed".into()),
    };
    Check::new("audit", problem)
}

/// Creates, writes one byte to, and removes a file in `dir`: what the
/// writer needs to open its next segment.
fn probe_writable(dir: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let path = dir.join(PROBE_FILE);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .and_then(|mut f| f.write_all(b"."));
    let removed = std::fs::remove_file(&path);
    written.and(removed)
}

/// One check per partner with a network upstream: its host resolves.
async fn upstream_checks(app: &App) -> Vec<Check> {
    let generation = app.current();
    let mut lookups = tokio::task::JoinSet::new();
    for (index, partner) in generation.partners.iter().enumerate() {
        let Upstream::Http {
            scheme, authority, ..
        } = &partner.config.upstream
        else {
            continue;
        };
        let default_port = match scheme {
            crate::config::Scheme::Https => 443,
            crate::config::Scheme::Http => 80,
        };
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = authority.port_u16().unwrap_or(default_port);
        let name = format!("upstream:{}", partner.config.id);
        lookups.spawn(async move {
            let resolved = tokio::time::timeout(
                RESOLVE_TIMEOUT,
                tokio::net::lookup_host((host.as_str(), port)),
            )
            .await;
            let problem = match resolved.map(|r| r.map(|mut addrs| addrs.next().is_some())) {
                Ok(Ok(true)) => None,
                Ok(Ok(false)) => Some(format!("`{host}` resolves to no address")),
                Ok(Err(e)) => Some(format!("`{host}` does not resolve: {e}")),
                Err(_) => Some(format!(
                    "`{host}` did not resolve within {}s",
                    RESOLVE_TIMEOUT.as_secs()
                )),
            };
            (index, Check::new(name, problem))
        });
    }
    let mut checks: Vec<(usize, Check)> = lookups.join_all().await;
    checks.sort_by_key(|(index, _)| *index);
    checks.into_iter().map(|(_, check)| check).collect()
}
