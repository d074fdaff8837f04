//! A `partners:` entry exactly as written: its upstream, routes and
//! scenarios, TLS toward the partner, quotas, anomaly thresholds and the
//! credential the proxy adds upstream.
//!
//! It knows nothing of what the values mean: `config::partners` checks
//! them and reports each problem at the position these types keep.

use std::time::Duration;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct RawRoute {
    /// Path prefix, starting and ending with `/`; stripped before forwarding.
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    /// The purpose requests on this route serve (`loan`, `kyc`): consent is
    /// decided per partner and scenario. Follows the identifier rule.
    #[schemars(with = "String")]
    pub scenario: Spanned<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct RawQuota {
    /// Sustained requests per second to this partner (token bucket); 429
    /// `quota_exceeded` beyond.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub requests_per_second: Option<Spanned<u32>>,
    /// Requests allowed at once before the rate applies. Default: one
    /// second's worth (`requests_per_second`).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub burst: Option<Spanned<u32>>,
    /// Distinct subjects this partner may receive data about per `window`;
    /// a request about one more is refused 429 `quota_exceeded`.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub distinct_subjects: Option<Spanned<u32>>,
    /// The window distinct subjects are counted in (1s to 24h). Default 60s.
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub window: Option<Duration>,
    /// Count this partner's requests and subjects across every replica (in
    /// the `cluster:` Redis), so N replicas enforce one quota and the
    /// anomaly monitor sees the partner's whole traffic. Default `false`.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub cluster: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct RawAnomaly {
    /// Alert when a window's distinct subjects exceed this multiple of the
    /// partner's baseline (> 1). Default 4.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub factor: Option<Spanned<f64>>,
    /// ...and are at least this many (no alerts on tiny numbers). Default 20.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub min_subjects: Option<Spanned<u32>>,
    /// Windows observed before any alert (the baseline needs history).
    /// Default 5.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub warmup_windows: Option<Spanned<u32>>,
    /// Weight of the newest window in the baseline, in (0, 1]. Default 0.2.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub smoothing: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct RawPartner {
    /// Stable partner name: its keys are derived from it, and audit records
    /// and metrics carry it, so it follows the identifier rule: 1-128
    /// bytes of letters of any script, digits and `_ - . :`, starting with
    /// a letter or digit, no run of 6 or more digits.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// The partner's name as people know it (`征信中心`, `Acme Credit
    /// Bureau Ltd.`), written into every share record beside the id.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    /// The legal basis for sending data abroad (PIPL Art. 38), required
    /// for a cross-border partner: `standard_contract`, `certification`
    /// or `assessment`. Written into its share records.
    #[serde(default)]
    #[schemars(with = "Option<crate::audit::ExportBasis>")]
    pub export_basis: Option<Spanned<crate::audit::ExportBasis>>,
    /// Path prefix, starting and ending with `/`; stripped before forwarding.
    /// Its scenario is `default`. A partner needs `route`, `routes` or both.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub route: Option<Spanned<String>>,
    /// More path prefixes, each for one scenario (purpose):
    /// `[{path: /partners/cb/loan/, scenario: loan}]`.
    #[serde(default)]
    #[schemars(with = "Vec<RawRoute>")]
    pub routes: Vec<Spanned<RawRoute>>,
    /// `https://host[:port][/base]`, `http://...`, or `builtin:echo`.
    #[schemars(with = "String")]
    pub upstream: Spanned<String>,
    /// Where the partner processes the data (ISO 3166 alpha-2, e.g. `CN`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub region: Option<Spanned<String>>,
    /// The partner's rules file (see the rules file reference).
    #[schemars(with = "String")]
    pub rules: Spanned<String>,
    /// A rules file to try in shadow: run on the same requests, never
    /// enforced, nothing of it forwarded; what it would do differently is
    /// counted in metrics and in the share audit record.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub candidate_rules: Option<Spanned<String>>,
    /// Outbound TLS: extra CA to trust and an optional client certificate.
    #[serde(default)]
    #[schemars(with = "Option<RawPartnerTls>")]
    pub tls: Option<Spanned<RawPartnerTls>>,
    /// Bodies that are neither JSON nor form data: `refuse` (415, the
    /// default) or `allow` (forwarded uninspected).
    #[serde(default)]
    pub content_types: Option<crate::config::ContentTypePolicy>,
    /// Responses: `pass` (the default) or `inspect` (the partner's policy is
    /// applied to what comes back).
    #[serde(default)]
    pub responses: Option<crate::config::ResponsePolicy>,
    /// Limits on this partner's traffic: requests per second and distinct
    /// subjects per window.
    #[serde(default)]
    #[schemars(with = "Option<RawQuota>")]
    pub quota: Option<Spanned<RawQuota>>,
    /// When this partner's distinct-subject count raises an anomaly alert.
    #[serde(default)]
    #[schemars(with = "Option<RawAnomaly>")]
    pub anomaly: Option<Spanned<RawAnomaly>>,
    /// The callers' headers that may reach this partner. Absent: every
    /// header but the caller's own credentials (`Authorization`, `Cookie`,
    /// `Proxy-*`), which never leave unless named here. Present: only the
    /// headers named (minimum necessary), credentials included if named.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub forward_headers: Option<Spanned<Vec<Spanned<String>>>>,
    /// The partner's own credential, added by the proxy to every request:
    /// `{header: Authorization, value_file: keys/partner.token}`. The file
    /// is read at start and on reload; its content never appears in logs.
    #[serde(default)]
    #[schemars(with = "Option<RawUpstreamAuth>")]
    pub upstream_auth: Option<Spanned<RawUpstreamAuth>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct RawUpstreamAuth {
    /// The header that carries it (`Authorization`, `X-Api-Key`).
    #[schemars(with = "String")]
    pub header: Spanned<String>,
    /// A file holding the header's value (one line; `Bearer …` for
    /// `Authorization`).
    #[schemars(with = "String")]
    pub value_file: Spanned<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct RawPartnerTls {
    /// PEM CA certificates trusted for this partner, besides the system roots.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub ca: Option<Spanned<String>>,
    /// PEM client certificate chain presented to the partner (mTLS).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub client_cert: Option<Spanned<String>>,
    /// PEM private key of `client_cert`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub client_key: Option<Spanned<String>>,
}
