//! Raw config → checked [`Config`]: every problem is collected (not just the
//! first) with the position of the value that causes it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde_saphyr::{Location, Spanned};

use super::raw::{
    RawAdmin, RawAnomaly, RawConfig, RawConsent, RawLimits, RawPartner, RawPartnerTls, RawQuota,
    RawReload, RawServerTls,
};
use super::{
    AdminConfig, AnomalySettings, Config, ConsentConfig, DEFAULT_SCENARIO, Limits, Partner,
    PartnerRoute, PartnerTls, Quota, ReloadConfig, Scheme, ServerTls, Upstream,
};
use crate::audit::AuditConfig;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ident::Ident;

struct Checker<'a> {
    file: &'a Path,
    base: PathBuf,
    errors: Vec<Diagnostic>,
}

pub(super) fn check(raw: RawConfig, file: &Path) -> Result<Config, Diagnostics> {
    match check_all(raw, file) {
        (config, errors) if errors.is_empty() => Ok(config),
        (_, errors) => Err(Diagnostics(errors)),
    }
}

/// Every problem of the config, and the config as far as it checks: what
/// did not check is left out (a partner with an error) or defaulted (an
/// invalid `listen`), so `check` can go on to the files it names.
pub(super) fn check_all(raw: RawConfig, file: &Path) -> (Config, Vec<Diagnostic>) {
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut c = Checker {
        file,
        base,
        errors: Vec::new(),
    };
    let listen = c.socket_addr(&raw.listen);
    let tls = raw.tls.as_ref().map(|t| c.server_tls(t, listen));
    if let Some(addr) = listen {
        let loopback = addr.ip().is_loopback();
        if !loopback && tls.is_none() && !raw.allow_plaintext_non_loopback {
            c.error(
                &raw.listen.referenced,
                format!(
                    "`{addr}` is not a loopback address: add `tls` (cert and key), or set \
                     `allow_plaintext_non_loopback: true` if TLS ends before this proxy"
                ),
            );
        }
    }
    let admin = raw.admin.as_ref().map(|a| c.admin(a, listen));
    let reload = raw
        .reload
        .as_ref()
        .map(|r| c.reload(&r.value))
        .unwrap_or_default();
    let audit = c.audit(raw.audit.as_ref());
    let keys = raw
        .keys
        .as_ref()
        .map(|k| c.path(k))
        .unwrap_or_else(|| c.base.join("keys/keyring.json"));
    let limits = raw
        .limits
        .as_ref()
        .map(|l| c.limits(&l.value))
        .unwrap_or_default();
    let home_region = match &raw.home_region {
        Some(r) => c.region(r),
        None => "CN".to_owned(),
    };
    let consent = c.consent(raw.consent.as_ref());
    let partners = c.partners(&raw.partners, &home_region);
    let errors = std::mem::take(&mut c.errors);
    let config = Config {
        source: file.to_path_buf(),
        listen: listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
        tls: tls.flatten(),
        allow_plaintext_non_loopback: raw.allow_plaintext_non_loopback,
        admin: admin.flatten(),
        reload,
        audit,
        keys,
        limits,
        partners,
        home_region,
        consent,
    };
    (config, errors)
}

impl Checker<'_> {
    fn error(&mut self, at: &Location, message: impl Into<String>) {
        self.errors.push(Diagnostic::at(self.file, at, message));
    }

    /// A path from the file, resolved against the config file's directory.
    fn path(&self, value: &Spanned<String>) -> PathBuf {
        let p = Path::new(&value.value);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        }
    }

    /// A path that must name an existing file.
    fn existing_file(&mut self, value: &Spanned<String>, what: &str) -> PathBuf {
        let path = self.path(value);
        if !path.is_file() {
            self.error(
                &value.referenced,
                format!("{what} `{}` does not exist", path.display()),
            );
        }
        path
    }

    fn socket_addr(&mut self, value: &Spanned<String>) -> Option<SocketAddr> {
        match value.value.parse::<SocketAddr>() {
            Ok(addr) => Some(addr),
            Err(_) => {
                self.error(
                    &value.referenced,
                    format!(
                        "`{}` is not an IP:PORT address (e.g. 127.0.0.1:8080 or [::1]:8080)",
                        value.value
                    ),
                );
                None
            }
        }
    }

    fn server_tls(
        &mut self,
        tls: &Spanned<RawServerTls>,
        listen: Option<SocketAddr>,
    ) -> Option<ServerTls> {
        let t = &tls.value;
        let cert = self.path(&t.cert);
        let key = self.path(&t.key);
        let loopback = listen.is_some_and(|a| a.ip().is_loopback());
        // A missing pair on loopback is a development setup: serve makes one.
        let generate_dev_cert = !cert.exists() && !key.exists() && loopback;
        if !generate_dev_cert {
            self.existing_file(&t.cert, "tls.cert");
            self.existing_file(&t.key, "tls.key");
        }
        let client_ca = t
            .client_ca
            .as_ref()
            .map(|ca| self.existing_file(ca, "tls.client_ca"));
        Some(ServerTls {
            cert,
            key,
            client_ca,
            generate_dev_cert,
        })
    }

    fn admin(
        &mut self,
        admin: &Spanned<RawAdmin>,
        listen: Option<SocketAddr>,
    ) -> Option<AdminConfig> {
        let a = &admin.value;
        let addr = self.socket_addr(&a.listen)?;
        // Port 0 (any free port, as tests use) cannot clash.
        if Some(addr) == listen && addr.port() != 0 {
            self.error(
                &a.listen.referenced,
                "admin.listen must differ from listen: the admin API is never on the proxy port",
            );
        }
        let tls = a.tls.as_ref().and_then(|t| self.server_tls(t, Some(addr)));
        if !addr.ip().is_loopback() && tls.is_none() {
            self.error(
                &a.listen.referenced,
                format!(
                    "admin.listen `{addr}` is not a loopback address: add `admin.tls` (cert and \
                     key); the admin bearer token must not cross a network in clear"
                ),
            );
        }
        Some(AdminConfig {
            listen: addr,
            token_file: a.token_file.as_ref().map(|t| self.path(t)),
            tls,
        })
    }

    fn reload(&mut self, raw: &RawReload) -> ReloadConfig {
        let mut reload = ReloadConfig {
            watch: raw.watch,
            ..ReloadConfig::default()
        };
        if let Some(debounce) = raw.debounce {
            reload.debounce = debounce;
        }
        reload
    }

    fn audit(&mut self, audit: Option<&Spanned<AuditConfig>>) -> AuditConfig {
        let Some(audit) = audit else {
            let mut config = AuditConfig::default();
            config.dir = self.base.join(&config.dir);
            return config;
        };
        let mut config = audit.value.clone();
        if config.dir.is_relative() {
            config.dir = self.base.join(&config.dir);
        }
        if let Err(e) = config.validate() {
            self.error(&audit.referenced, format!("audit: {e}"));
        }
        config
    }

    fn limits(&mut self, raw: &RawLimits) -> Limits {
        let mut limits = Limits::default();
        if let Some(max) = &raw.max_body_bytes {
            if max.value == 0 {
                self.error(&max.referenced, "max_body_bytes must be at least 1");
            }
            limits.max_body_bytes = usize::try_from(max.value).unwrap_or(usize::MAX);
        }
        if let Some(depth) = &raw.max_depth {
            if depth.value == 0 || depth.value > 10_000 {
                self.error(&depth.referenced, "max_depth must be between 1 and 10000");
            }
            limits.max_depth = usize::try_from(depth.value).unwrap_or(usize::MAX);
        }
        let durations = [
            (raw.header_read_timeout, &mut limits.header_read_timeout),
            (raw.body_read_timeout, &mut limits.body_read_timeout),
            (
                raw.upstream_connect_timeout,
                &mut limits.upstream_connect_timeout,
            ),
            (raw.upstream_timeout, &mut limits.upstream_timeout),
        ];
        for (value, slot) in durations {
            if let Some(d) = value {
                *slot = d;
            }
        }
        limits
    }

    fn consent(&mut self, raw: Option<&Spanned<RawConsent>>) -> ConsentConfig {
        let journal = match raw {
            Some(c) if c.value.journal.value.trim().is_empty() => {
                self.error(
                    &c.value.journal.referenced,
                    "consent.journal must name a file",
                );
                PathBuf::new()
            }
            Some(c) => self.path(&c.value.journal),
            None => self.base.join("consent/journal.jsonl"),
        };
        ConsentConfig { journal }
    }

    fn partners(
        &mut self,
        raw: &Spanned<Vec<Spanned<RawPartner>>>,
        home_region: &str,
    ) -> Vec<Partner> {
        if raw.value.is_empty() {
            self.error(
                &raw.referenced,
                "no partners: list at least one (the proxy forwards only to configured partners)",
            );
        }
        let mut ids: HashMap<&str, u64> = HashMap::new();
        let mut routes: HashMap<&str, u64> = HashMap::new();
        let mut out = Vec::new();
        for spanned in &raw.value {
            let p = &spanned.value;
            if let Some(first) = ids.insert(&p.id.value, p.id.referenced.line()) {
                self.error(
                    &p.id.referenced,
                    format!(
                        "duplicate partner id `{}` (first at line {first})",
                        p.id.value
                    ),
                );
            }
            let paths = p.route.iter().chain(p.routes.iter().map(|r| &r.value.path));
            for path in paths {
                if let Some(first) = routes.insert(&path.value, path.referenced.line()) {
                    self.error(
                        &path.referenced,
                        format!("duplicate route `{}` (first at line {first})", path.value),
                    );
                }
            }
            if p.route.is_none() && p.routes.is_empty() {
                self.error(
                    &spanned.referenced,
                    "a partner needs `route` (a path prefix) or `routes` (prefixes with scenarios)",
                );
            }
            if let Some(partner) = self.partner(p, home_region) {
                out.push(partner);
            }
        }
        out
    }

    fn partner(&mut self, p: &RawPartner, home_region: &str) -> Option<Partner> {
        let before = self.errors.len();
        let id = self.ident(&p.id, "partner id");
        let routes = self.partner_routes(p);
        let upstream = self.upstream(&p.upstream);
        let region = p.region.as_ref().map(|r| self.region(r));
        let cross_border = region.as_deref().is_some_and(|r| r != home_region);
        if cross_border
            && matches!(
                &upstream,
                Some(Upstream::Http {
                    scheme: Scheme::Http,
                    ..
                })
            )
        {
            self.error(
                &p.upstream.referenced,
                format!(
                    "partner `{}` is cross-border (region {}, home region {home_region}): \
                     its upstream must be https://, never plain http://",
                    p.id.value,
                    region.as_deref().unwrap_or_default()
                ),
            );
        }
        let quota = p.quota.as_ref().map(|q| self.quota(q)).unwrap_or_default();
        let anomaly = p
            .anomaly
            .as_ref()
            .map(|a| self.anomaly(&a.value))
            .unwrap_or_default();
        let rules = self.existing_file(&p.rules, "rules file");
        let candidate_rules = p
            .candidate_rules
            .as_ref()
            .map(|c| self.existing_file(c, "candidate rules file"));
        let tls = match &p.tls {
            Some(t) => self.partner_tls(t, upstream.as_ref()),
            None => PartnerTls::default(),
        };
        if self.errors.len() > before {
            return None;
        }
        Some(Partner {
            id: id?,
            route: routes.first()?.path.clone(),
            upstream: upstream?,
            region,
            rules,
            candidate_rules,
            tls,
            content_types: p.content_types.unwrap_or_default(),
            responses: p.responses.unwrap_or_default(),
            routes,
            cross_border,
            region_at: p.region.as_ref().map(|r| r.referenced),
            quota,
            anomaly,
        })
    }

    /// `route:` as scenario `default`, then every `routes:` entry.
    fn partner_routes(&mut self, p: &RawPartner) -> Vec<PartnerRoute> {
        let mut out = Vec::new();
        let mut scenarios: HashMap<&str, u64> = HashMap::new();
        if let Some(route) = &p.route {
            self.route(route);
            scenarios.insert(DEFAULT_SCENARIO, route.referenced.line());
            out.push(PartnerRoute {
                path: route.value.clone(),
                scenario: Ident::fixed(DEFAULT_SCENARIO),
            });
        }
        for entry in &p.routes {
            let r = &entry.value;
            self.route(&r.path);
            let name = &r.scenario;
            let Some(scenario) = self.ident(name, "scenario name") else {
                continue;
            };
            if let Some(first) = scenarios.insert(&name.value, name.referenced.line()) {
                self.error(
                    &name.referenced,
                    format!(
                        "scenario `{}` already has a route (line {first}); one route per scenario",
                        name.value
                    ),
                );
            }
            out.push(PartnerRoute {
                path: r.path.value.clone(),
                scenario,
            });
        }
        out
    }

    fn quota(&mut self, raw: &Spanned<RawQuota>) -> Quota {
        let q = &raw.value;
        let mut positive = |value: &Option<Spanned<u32>>, name: &str| {
            let v = value.as_ref()?;
            if v.value == 0 {
                self.error(&v.referenced, format!("quota.{name} must be at least 1"));
            }
            Some(v.value)
        };
        let requests_per_second = positive(&q.requests_per_second, "requests_per_second");
        let burst = positive(&q.burst, "burst");
        let distinct_subjects = positive(&q.distinct_subjects, "distinct_subjects");
        let window = q.window.unwrap_or(Quota::default().window);
        if !(MIN_WINDOW..=MAX_WINDOW).contains(&window) {
            self.error(&raw.referenced, "quota.window must be between 1s and 24h");
        }
        if burst.is_some() && requests_per_second.is_none() {
            self.error(
                &raw.referenced,
                "quota.burst needs quota.requests_per_second (the rate it bursts above)",
            );
        }
        Quota {
            requests_per_second,
            burst,
            distinct_subjects,
            window,
        }
    }

    fn anomaly(&mut self, a: &RawAnomaly) -> AnomalySettings {
        let mut settings = AnomalySettings::default();
        if let Some(factor) = &a.factor {
            if !(factor.value > 1.0 && factor.value.is_finite()) {
                self.error(
                    &factor.referenced,
                    "anomaly.factor must be a number above 1",
                );
            }
            settings.factor = factor.value;
        }
        if let Some(smoothing) = &a.smoothing {
            if !(smoothing.value > 0.0 && smoothing.value <= 1.0) {
                self.error(
                    &smoothing.referenced,
                    "anomaly.smoothing must be above 0 and at most 1",
                );
            }
            settings.smoothing = smoothing.value;
        }
        if let Some(min) = &a.min_subjects {
            if min.value == 0 {
                self.error(&min.referenced, "anomaly.min_subjects must be at least 1");
            }
            settings.min_subjects = min.value;
        }
        if let Some(warmup) = &a.warmup_windows {
            settings.warmup_windows = warmup.value;
        }
        settings
    }

    /// The name at `value` as an [`Ident`], or an error at its position
    /// (the name is not repeated: it may be what the rule keeps out).
    fn ident(&mut self, value: &Spanned<String>, what: &str) -> Option<Ident> {
        match Ident::new(&value.value) {
            Ok(ident) => Some(ident),
            Err(e) => {
                self.error(&value.referenced, format!("{what} {e}"));
                None
            }
        }
    }

    fn route(&mut self, route: &Spanned<String>) {
        let r = &route.value;
        let problem = if !r.starts_with('/') || !r.ends_with('/') {
            Some("must start and end with `/` (e.g. `/partners/demo/`)")
        } else if r.contains("//") {
            Some("must not contain an empty segment (`//`)")
        } else if r.split('/').any(|s| s == "." || s == "..") {
            Some("must not contain `.` or `..` segments")
        } else if r.contains(['?', '#', '%']) || r.chars().any(|c| !c.is_ascii_graphic()) {
            Some("must be a plain path: no `?`, `#`, `%`, spaces or non-ASCII characters")
        } else {
            None
        };
        if let Some(problem) = problem {
            self.error(&route.referenced, format!("route `{r}` {problem}"));
        }
    }

    fn upstream(&mut self, upstream: &Spanned<String>) -> Option<Upstream> {
        match parse_upstream(&upstream.value) {
            Ok(u) => Some(u),
            Err(problem) => {
                self.error(
                    &upstream.referenced,
                    format!("upstream `{}`: {problem}", upstream.value),
                );
                None
            }
        }
    }

    fn region(&mut self, region: &Spanned<String>) -> String {
        let r = &region.value;
        if r.len() != 2 || !r.bytes().all(|b| b.is_ascii_uppercase()) {
            self.error(
                &region.referenced,
                format!("region `{r}` must be an ISO 3166 alpha-2 code such as `CN`"),
            );
        }
        r.clone()
    }

    fn partner_tls(
        &mut self,
        tls: &Spanned<RawPartnerTls>,
        upstream: Option<&Upstream>,
    ) -> PartnerTls {
        let t = &tls.value;
        let is_https = matches!(
            upstream,
            Some(Upstream::Http {
                scheme: Scheme::Https,
                ..
            })
        );
        if upstream.is_some() && !is_https {
            self.error(
                &tls.referenced,
                "tls is only meaningful for an https:// upstream",
            );
        }
        let ca = t.ca.as_ref().map(|ca| self.existing_file(ca, "tls.ca"));
        let client_identity = match (&t.client_cert, &t.client_key) {
            (Some(cert), Some(key)) => Some((
                self.existing_file(cert, "tls.client_cert"),
                self.existing_file(key, "tls.client_key"),
            )),
            (None, None) => None,
            (Some(one), None) | (None, Some(one)) => {
                self.error(
                    &one.referenced,
                    "tls.client_cert and tls.client_key go together: set both or neither",
                );
                None
            }
        };
        PartnerTls {
            ca,
            client_identity,
        }
    }
}

const MIN_WINDOW: std::time::Duration = std::time::Duration::from_secs(1);
const MAX_WINDOW: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Parses an `upstream:` value. The error says what to change.
pub(super) fn parse_upstream(text: &str) -> Result<Upstream, String> {
    if let Some(name) = text.strip_prefix("builtin:") {
        return match name {
            "echo" => Ok(Upstream::Echo),
            _ => Err(format!(
                "unknown built-in upstream `{name}` (known: `builtin:echo`)"
            )),
        };
    }
    let uri: http::Uri = text
        .parse()
        .map_err(|e| format!("not a URL ({e}); write https://host[:port][/base]"))?;
    let scheme = match uri.scheme_str() {
        Some("https") => Scheme::Https,
        Some("http") => Scheme::Http,
        _ => return Err("the scheme must be https://, http:// or builtin:".into()),
    };
    let authority = uri
        .authority()
        .filter(|a| !a.host().is_empty())
        .ok_or("the URL has no host")?
        .clone();
    if authority.as_str().contains('@') {
        return Err("credentials in the URL are not supported".into());
    }
    if uri.query().is_some() || text.contains('#') {
        return Err("a query or fragment is not allowed; give a base path only".into());
    }
    let base_path = uri.path().trim_end_matches('/').to_string();
    Ok(Upstream::Http {
        scheme,
        authority,
        base_path,
    })
}
