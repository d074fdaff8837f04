//! The config file exactly as written: serde types that reject unknown keys
//! and keep the positions the checks in `super` report against.
//!
//! Field doc comments are the user documentation of each key.

use std::time::Duration;

use serde::Deserialize;
use serde_saphyr::Spanned;

/// The whole file (`pii-proxy.yaml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    /// Address the proxy listens on, `IP:PORT`. A non-loopback address
    /// requires `tls` (or `allow_plaintext_non_loopback: true`).
    pub listen: Spanned<String>,
    /// Inbound TLS: PEM certificate chain and key, and optionally a CA whose
    /// client certificates callers must present.
    #[serde(default)]
    pub tls: Option<Spanned<RawServerTls>>,
    /// Explicit opt-in to serve plain HTTP on a non-loopback address (for a
    /// proxy behind a TLS-terminating sidecar). Off by default.
    #[serde(default)]
    pub allow_plaintext_non_loopback: bool,
    /// The admin listener (health, metrics, reload, consent).
    #[serde(default)]
    pub admin: Option<Spanned<RawAdmin>>,
    /// How config changes are picked up besides `POST /reload` and SIGHUP.
    #[serde(default)]
    pub reload: Option<Spanned<RawReload>>,
    /// Where the audit log goes and how durable each write is.
    #[serde(default)]
    pub audit: Option<Spanned<crate::audit::AuditConfig>>,
    /// The keyring file; created with a warning when missing (development).
    #[serde(default)]
    pub keys: Option<Spanned<String>>,
    /// Size and time limits applied to every request.
    #[serde(default)]
    pub limits: Option<Spanned<RawLimits>>,
    /// The partners requests may be routed to. Nothing else is reachable.
    pub partners: Spanned<Vec<Spanned<RawPartner>>>,
    /// Where the proxy's data lives (ISO 3166 alpha-2). A partner whose
    /// `region` differs is cross-border: https only, its rules must protect
    /// ID numbers, bank cards and biometrics and declare
    /// `consent: required`, and its share records say `cross_border`.
    /// Default `CN`.
    #[serde(default)]
    pub home_region: Option<Spanned<String>>,
    /// The consent store: `{journal: consent/journal.jsonl}` (the default,
    /// next to this file).
    #[serde(default)]
    pub consent: Option<Spanned<RawConsent>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConsent {
    /// The append-only journal of consent decisions (JSON Lines), replayed
    /// at start. Created with its directory when missing.
    pub journal: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoute {
    /// Path prefix, starting and ending with `/`; stripped before forwarding.
    pub path: Spanned<String>,
    /// The purpose requests on this route serve (`loan`, `kyc`): consent is
    /// decided per partner and scenario. `a-z`, `0-9`, `-`, `_`.
    pub scenario: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuota {
    /// Sustained requests per second to this partner (token bucket); 429
    /// `quota_exceeded` beyond.
    #[serde(default)]
    pub requests_per_second: Option<Spanned<u32>>,
    /// Requests allowed at once before the rate applies. Default: one
    /// second's worth (`requests_per_second`).
    #[serde(default)]
    pub burst: Option<Spanned<u32>>,
    /// Distinct subjects this partner may receive data about per `window`;
    /// a request about one more is refused 429 `quota_exceeded`.
    #[serde(default)]
    pub distinct_subjects: Option<Spanned<u32>>,
    /// The window distinct subjects are counted in (1s to 24h). Default 60s.
    #[serde(default, with = "humantime_serde")]
    pub window: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAnomaly {
    /// Alert when a window's distinct subjects exceed this multiple of the
    /// partner's baseline (> 1). Default 4.
    #[serde(default)]
    pub factor: Option<Spanned<f64>>,
    /// ...and are at least this many (no alerts on tiny numbers). Default 20.
    #[serde(default)]
    pub min_subjects: Option<Spanned<u32>>,
    /// Windows observed before any alert (the baseline needs history).
    /// Default 5.
    #[serde(default)]
    pub warmup_windows: Option<Spanned<u32>>,
    /// Weight of the newest window in the baseline, in (0, 1]. Default 0.2.
    #[serde(default)]
    pub smoothing: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServerTls {
    /// PEM certificate chain served to callers.
    pub cert: Spanned<String>,
    /// PEM private key of `cert`.
    pub key: Spanned<String>,
    /// PEM CA certificates; when set, callers must present a client
    /// certificate issued by one of them.
    #[serde(default)]
    pub client_ca: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAdmin {
    /// Address of the admin listener, `IP:PORT`.
    pub listen: Spanned<String>,
    /// File holding the bearer token admin requests must carry (at least
    /// 32 characters). Created with a random token (mode 0600, loud
    /// warning) when missing: development only. Default: `admin.token`
    /// beside the keyring.
    #[serde(default)]
    pub token_file: Option<Spanned<String>>,
    /// TLS for the admin listener: required on a non-loopback address (the
    /// bearer token must not cross a network in clear).
    #[serde(default)]
    pub tls: Option<Spanned<RawServerTls>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReload {
    /// Reload when the config file, a rules file or the keyring changes
    /// on disk. Default: `false`.
    #[serde(default)]
    pub watch: bool,
    /// How long the files must stay unchanged before a watched change is
    /// reloaded (editors write in several steps). Default: `500ms`.
    #[serde(default, with = "humantime_serde")]
    pub debounce: Option<Duration>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimits {
    /// Largest request or inspected response body, in bytes, after decoding
    /// its content encoding. Larger bodies are refused with 413.
    #[serde(default)]
    pub max_body_bytes: Option<Spanned<u64>>,
    /// Deepest JSON nesting the engine accepts.
    #[serde(default)]
    pub max_depth: Option<Spanned<u64>>,
    /// Time a caller has to send a request's headers (408 after it).
    #[serde(default, with = "humantime_serde")]
    pub header_read_timeout: Option<Duration>,
    /// Time a caller has to send a request's body once headers arrived (408).
    #[serde(default, with = "humantime_serde")]
    pub body_read_timeout: Option<Duration>,
    /// Time to open a connection (TCP and TLS) to a partner (504 after it).
    #[serde(default, with = "humantime_serde")]
    pub upstream_connect_timeout: Option<Duration>,
    /// Time a partner has to answer, from sending the request to the end of
    /// the response headers (and body, when responses are inspected) (504).
    #[serde(default, with = "humantime_serde")]
    pub upstream_timeout: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPartner {
    /// Stable partner name: keys are derived from it and audit records and
    /// metrics carry it. Lowercase letters, digits, `-` and `_`.
    pub id: Spanned<String>,
    /// The partner's name as people know it (`征信中心`, `Acme Credit
    /// Bureau Ltd.`), written into every share record beside the id.
    #[serde(default)]
    pub name: Option<Spanned<String>>,
    /// The legal basis for sending data abroad (PIPL Art. 38), required
    /// for a cross-border partner: `standard_contract`, `certification`
    /// or `assessment`. Written into its share records.
    #[serde(default)]
    pub export_basis: Option<Spanned<crate::audit::ExportBasis>>,
    /// Path prefix, starting and ending with `/`; stripped before forwarding.
    /// Its scenario is `default`. A partner needs `route`, `routes` or both.
    #[serde(default)]
    pub route: Option<Spanned<String>>,
    /// More path prefixes, each for one scenario (purpose):
    /// `[{path: /partners/cb/loan/, scenario: loan}]`.
    #[serde(default)]
    pub routes: Vec<Spanned<RawRoute>>,
    /// `https://host[:port][/base]`, `http://...`, or `builtin:echo`.
    pub upstream: Spanned<String>,
    /// Where the partner processes the data (ISO 3166 alpha-2, e.g. `CN`).
    #[serde(default)]
    pub region: Option<Spanned<String>>,
    /// The partner's rules file.
    pub rules: Spanned<String>,
    /// A rules file to try in shadow: run on the same requests, never
    /// enforced, nothing of it forwarded; what it would do differently is
    /// counted in metrics and in the share audit record.
    #[serde(default)]
    pub candidate_rules: Option<Spanned<String>>,
    /// Outbound TLS: extra CA to trust and an optional client certificate.
    #[serde(default)]
    pub tls: Option<Spanned<RawPartnerTls>>,
    /// Bodies that are neither JSON nor form data: `refuse` (415, the
    /// default) or `allow` (forwarded uninspected).
    #[serde(default)]
    pub content_types: Option<super::ContentTypePolicy>,
    /// Responses: `pass` (the default) or `inspect` (the partner's policy is
    /// applied to what comes back).
    #[serde(default)]
    pub responses: Option<super::ResponsePolicy>,
    /// Limits on this partner's traffic: requests per second and distinct
    /// subjects per window.
    #[serde(default)]
    pub quota: Option<Spanned<RawQuota>>,
    /// When this partner's distinct-subject count raises an anomaly alert.
    #[serde(default)]
    pub anomaly: Option<Spanned<RawAnomaly>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPartnerTls {
    /// PEM CA certificates trusted for this partner, besides the system roots.
    #[serde(default)]
    pub ca: Option<Spanned<String>>,
    /// PEM client certificate chain presented to the partner (mTLS).
    #[serde(default)]
    pub client_cert: Option<Spanned<String>>,
    /// PEM private key of `client_cert`.
    #[serde(default)]
    pub client_key: Option<Spanned<String>>,
}
