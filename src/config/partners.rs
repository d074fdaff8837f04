//! Checking the `partners:` section: ids, routes and scenarios, upstreams,
//! regions (cross-border), outbound TLS, quotas and anomaly settings.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_saphyr::{Location, Spanned};

use super::check::Checker;
use super::raw::{RawAnomaly, RawPartner, RawPartnerTls, RawQuota};
use super::{
    AnomalySettings, DEFAULT_SCENARIO, Partner, PartnerRoute, PartnerTls, Quota, Scheme, Upstream,
};
use crate::ident::Ident;

const MIN_WINDOW: std::time::Duration = std::time::Duration::from_secs(1);
const MAX_WINDOW: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// An upstream reached over plain `http://`.
fn is_plain_http(upstream: Option<&Upstream>) -> bool {
    matches!(
        upstream,
        Some(Upstream::Http {
            scheme: Scheme::Http,
            ..
        })
    )
}

impl Checker<'_> {
    pub(super) fn partners(
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

    pub(super) fn partner(&mut self, p: &RawPartner, home_region: &str) -> Option<Partner> {
        let before = self.errors.len();
        let id = self.ident(&p.id, "partner id");
        let routes = self.partner_routes(p);
        let upstream = self.upstream(&p.upstream);
        let region = p.region.as_ref().map(|r| self.region(r));
        let cross_border = region.as_deref().is_some_and(|r| r != home_region);
        let at_region = region.as_deref().unwrap_or_default();
        if cross_border && is_plain_http(upstream.as_ref()) {
            let problem = "its upstream must be https://, never plain http://";
            self.cross_border_error(&p.upstream.referenced, p, (at_region, home_region), problem);
        }
        let name = p.name.as_ref().and_then(|n| self.display_name(n));
        let export_basis = p.export_basis.as_ref().map(|b| b.value);
        if cross_border && export_basis.is_none() {
            let problem = "declare its legal basis for the transfer, `export_basis: standard_contract | certification | assessment` (PIPL Art. 38)";
            self.cross_border_error(&p.id.referenced, p, (at_region, home_region), problem);
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
        let forward_headers = self.forward_headers(p);
        let upstream_auth = self.upstream_auth(p);
        if self.errors.len() > before {
            return None;
        }
        Some(Partner {
            id: id?,
            name,
            export_basis,
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
            forward_headers,
            upstream_auth,
        })
    }

    /// A problem of a cross-border partner, said with why it is one
    /// (`regions`: its own and the home region).
    fn cross_border_error(
        &mut self,
        at: &Location,
        p: &RawPartner,
        (region, home_region): (&str, &str),
        problem: &str,
    ) {
        self.error(
            at,
            format!(
                "partner `{}` is cross-border (region {region}, home region {home_region}): {problem}",
                p.id.value
            ),
        );
    }

    /// `forward_headers:`, each name checked.
    fn forward_headers(&mut self, p: &RawPartner) -> Option<Vec<http::HeaderName>> {
        p.forward_headers.as_ref().map(|list| {
            list.value
                .iter()
                .filter_map(|name| self.header_name(name))
                .collect()
        })
    }

    /// `upstream_auth:`: the header and the file its value is read from.
    fn upstream_auth(&mut self, p: &RawPartner) -> Option<(http::HeaderName, PathBuf)> {
        p.upstream_auth.as_ref().and_then(|auth| {
            let header = self.header_name(&auth.value.header)?;
            Some((
                header,
                self.existing_file(&auth.value.value_file, "upstream_auth value file"),
            ))
        })
    }

    /// A header name as written, lowercased; an error where it is not one.
    fn header_name(&mut self, name: &Spanned<String>) -> Option<http::HeaderName> {
        match http::HeaderName::from_bytes(name.value.as_bytes()) {
            Ok(header) => Some(header),
            Err(_) => {
                self.error(
                    &name.referenced,
                    format!("`{}` is not a header name", name.value),
                );
                None
            }
        }
    }

    /// `route:` as scenario `default`, then every `routes:` entry.
    pub(super) fn partner_routes(&mut self, p: &RawPartner) -> Vec<PartnerRoute> {
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

    pub(super) fn quota(&mut self, raw: &Spanned<RawQuota>) -> Quota {
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
        let cluster = match &q.cluster {
            Some(flag) if flag.value && !self.cluster_configured => {
                self.error(
                    &flag.referenced,
                    "quota.cluster needs a top-level `cluster: {replicas: N, redis: URL}`",
                );
                true
            }
            Some(flag) => flag.value,
            None => false,
        };
        Quota {
            requests_per_second,
            burst,
            distinct_subjects,
            window,
            cluster,
        }
    }

    pub(super) fn anomaly(&mut self, a: &RawAnomaly) -> AnomalySettings {
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

    pub(super) fn route(&mut self, route: &Spanned<String>) {
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

    pub(super) fn upstream(&mut self, upstream: &Spanned<String>) -> Option<Upstream> {
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

    fn display_name(&mut self, name: &Spanned<String>) -> Option<crate::audit::DisplayName> {
        match crate::audit::DisplayName::parse(&name.value) {
            Ok(name) => Some(name),
            Err(e) => {
                self.error(&name.referenced, format!("partner `name`: {e}"));
                None
            }
        }
    }

    pub(super) fn region(&mut self, region: &Spanned<String>) -> String {
        let r = &region.value;
        if r.len() != 2 || !r.bytes().all(|b| b.is_ascii_uppercase()) {
            self.error(
                &region.referenced,
                format!("region `{r}` must be an ISO 3166 alpha-2 code such as `CN`"),
            );
        }
        r.clone()
    }

    pub(super) fn partner_tls(
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
