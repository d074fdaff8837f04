//! The config file exactly as written: serde types that reject unknown keys
//! and keep the positions the checks in `super` report against.
//!
//! Field doc comments are the user documentation of each key: the JSON
//! Schema in `schemas/` and `docs/reference.md` are generated from them.
//! serde-saphyr's `Spanned` has no schema of its own, so each spanned
//! field names the plain type it reads as (`#[schemars(with)]`).

use std::time::Duration;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

mod partner;
pub(super) use partner::{RawAnomaly, RawPartner, RawPartnerTls, RawQuota};

/// The proxy's config file (`pii-proxy.yaml`): where it listens, the admin
/// listener, the audit log, the keyring, limits, and the partners requests
/// may be routed to. Relative paths are resolved against the file's
/// directory.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    /// Address the proxy listens on, `IP:PORT`. A non-loopback address
    /// requires `tls` (or `allow_plaintext_non_loopback: true`).
    #[schemars(with = "String")]
    pub listen: Spanned<String>,
    /// Inbound TLS: PEM certificate chain and key, and optionally a CA whose
    /// client certificates callers must present.
    #[serde(default)]
    #[schemars(with = "Option<RawServerTls>")]
    pub tls: Option<Spanned<RawServerTls>>,
    /// Explicit opt-in to serve plain HTTP on a non-loopback address (for a
    /// proxy behind a TLS-terminating sidecar). Off by default.
    #[serde(default)]
    pub allow_plaintext_non_loopback: bool,
    /// The admin listener (health, metrics, reload, consent).
    #[serde(default)]
    #[schemars(with = "Option<RawAdmin>")]
    pub admin: Option<Spanned<RawAdmin>>,
    /// How config changes are picked up besides `POST /reload` and SIGHUP.
    #[serde(default)]
    #[schemars(with = "Option<RawReload>")]
    pub reload: Option<Spanned<RawReload>>,
    /// Where the audit log goes and how durable each write is.
    #[serde(default)]
    #[schemars(with = "Option<crate::audit::AuditConfig>")]
    pub audit: Option<Spanned<crate::audit::AuditConfig>>,
    /// The keyring file (master keys; partner keys are derived from it):
    /// a path, or `{path, create_if_missing}`. A missing keyring is a
    /// start-up error (a secret volume that failed to mount must not be
    /// replaced by new keys that open nothing); `create_if_missing: true`,
    /// for development only, creates one with a loud warning. Create the
    /// production keyring with `pii-proxy keygen`.
    /// Default: `keys/keyring.json`, not created.
    #[serde(default)]
    #[schemars(with = "Option<RawKeyring>")]
    pub keys: Option<Spanned<RawKeyring>>,
    /// On SIGTERM, how long readiness (`/readyz`) reports 503 while the
    /// proxy listener still accepts and serves, before it closes and
    /// in-flight requests drain: the time a load balancer or Kubernetes
    /// needs to notice and stop sending (a `preStop` of the same length).
    /// Default: `0s` (close at once).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub shutdown_delay: Option<Duration>,
    /// Size and time limits applied to every request.
    #[serde(default)]
    #[schemars(with = "Option<RawLimits>")]
    pub limits: Option<Spanned<RawLimits>>,
    /// The partners requests may be routed to. Nothing else is reachable.
    #[schemars(with = "Vec<RawPartner>")]
    pub partners: Spanned<Vec<Spanned<RawPartner>>>,
    /// Where the proxy's data lives (ISO 3166 alpha-2). A partner whose
    /// `region` differs is cross-border: https only, its rules must protect
    /// ID numbers, bank cards and biometrics and declare
    /// `consent: required`, and its share records say `cross_border`.
    /// Default `CN`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub home_region: Option<Spanned<String>>,
    /// The consent store: `{journal: consent/journal.jsonl}` (the default,
    /// next to this file), or `{store: postgres, url: …}` shared by every
    /// replica.
    #[serde(default)]
    #[schemars(with = "Option<RawConsent>")]
    pub consent: Option<Spanned<RawConsent>>,
    /// The host name callers use for the proxy (`proxy.internal:8443`): the
    /// `X-Forwarded-Host` and `Forwarded: host=` partners receive. Absent: the
    /// caller's `Host`, only when it is a plain host name with no personal
    /// data in it, else none.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub public_host: Option<Spanned<String>>,
    /// This process's name among the replicas: every audit record carries
    /// it, and each replica keeps its own chain. Default: the host name
    /// when it follows the identifier rule, else `single`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub replica: Option<Spanned<String>>,
    /// What the replicas share besides consent: `{replicas: 3, redis:
    /// redis://…}` for partners whose quota says `cluster: true`.
    #[serde(default)]
    #[schemars(with = "Option<RawCluster>")]
    pub cluster: Option<Spanned<RawCluster>>,
}

/// Where consent decisions live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConsentStoreKind {
    /// The append-only journal file of one process (the default).
    Journal,
    /// A PostgreSQL database every replica reads and writes.
    Postgres,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConsent {
    /// `journal` (the default) or `postgres`.
    #[serde(default)]
    #[schemars(with = "Option<ConsentStoreKind>")]
    pub store: Option<Spanned<ConsentStoreKind>>,
    /// The append-only journal of consent decisions (JSON Lines), replayed
    /// at start. Created with its directory when missing. With `store:
    /// postgres`, the journal `pii-proxy consent migrate` imports.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub journal: Option<Spanned<String>>,
    /// `store: postgres`: the database, as a `postgres://user@host:port/db`
    /// URL (`?sslmode=require` for TLS, required off loopback). A password
    /// is better given in `PGPASSWORD`-style files than in the URL: use
    /// `password_file`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub url: Option<Spanned<String>>,
    /// `store: postgres`: a file holding the database password (mode 0600).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub password_file: Option<Spanned<String>>,
    /// `store: postgres`: PEM CA certificates trusted for the database,
    /// besides the system roots.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub ca: Option<Spanned<String>>,
    /// `store: postgres`: how long the replica may go without hearing from
    /// the database before `consent: required` partners refuse (503
    /// `consent_unavailable`). Known decisions keep applying meanwhile.
    /// Default `2s`.
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub max_staleness: Option<Duration>,
    /// `store: postgres`: time to connect (TCP, TLS, login). Default `5s`.
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub connect_timeout: Option<Duration>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCluster {
    /// How many replicas share the load: when Redis is unreachable each
    /// replica enforces `limit ÷ replicas` on its own.
    #[schemars(with = "u32")]
    pub replicas: Spanned<u32>,
    /// The Redis server holding cluster quotas, `redis://host:port/db` or
    /// `rediss://` (TLS, required off loopback).
    #[schemars(with = "String")]
    pub redis: Spanned<String>,
    /// PEM CA certificates trusted for `rediss://` instead of the system roots.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub ca: Option<Spanned<String>>,
    /// How long one quota check may wait for Redis before the replica falls
    /// back to its own share of the quota. Default `250ms`.
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub timeout: Option<Duration>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServerTls {
    /// PEM certificate chain served to callers.
    #[schemars(with = "String")]
    pub cert: Spanned<String>,
    /// PEM private key of `cert`.
    #[schemars(with = "String")]
    pub key: Spanned<String>,
    /// PEM CA certificates; when set, callers must present a client
    /// certificate issued by one of them.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub client_ca: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAdmin {
    /// Address of the admin listener, `IP:PORT`.
    #[schemars(with = "String")]
    pub listen: Spanned<String>,
    /// File holding the bearer token admin requests must carry (at least
    /// 32 characters). Created with a random token (mode 0600, loud
    /// warning) when missing: development only. Default: `admin.token`
    /// beside the keyring.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub token_file: Option<Spanned<String>>,
    /// TLS for the admin listener: required on a non-loopback address (the
    /// bearer token must not cross a network in clear).
    #[serde(default)]
    #[schemars(with = "Option<RawServerTls>")]
    pub tls: Option<Spanned<RawServerTls>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReload {
    /// Reload when the config file, a rules file or the keyring changes
    /// on disk. Default: `false`.
    #[serde(default)]
    pub watch: bool,
    /// How long the files must stay unchanged before a watched change is
    /// reloaded (editors write in several steps). Default: `500ms`.
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub debounce: Option<Duration>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimits {
    /// Largest request or inspected response body, in bytes, after decoding
    /// its content encoding. Larger bodies are refused with 413. Default:
    /// 8388608 (8 MiB).
    #[serde(default)]
    #[schemars(with = "Option<u64>")]
    pub max_body_bytes: Option<Spanned<u64>>,
    /// Deepest JSON nesting the engine accepts (a rules file may set its
    /// own `max_depth`); deeper bodies are refused 400 `too_deep`. Default:
    /// 128.
    #[serde(default)]
    #[schemars(with = "Option<u64>")]
    pub max_depth: Option<Spanned<u64>>,
    /// Time a caller has to send a request's headers (408 after it).
    /// Default: `10s`.
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub header_read_timeout: Option<Duration>,
    /// Time a caller has to send a request's body once headers arrived
    /// (408). Default: `30s`.
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub body_read_timeout: Option<Duration>,
    /// Time to open a connection (TCP and TLS) to a partner (504 after it).
    /// Default: `5s`.
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub upstream_connect_timeout: Option<Duration>,
    /// Time a partner has to answer, from sending the request to the end of
    /// the response headers (and body, when responses are inspected) (504).
    /// Default: `30s`.
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub upstream_timeout: Option<Duration>,
    /// A caller's connection with no request in flight and no traffic for
    /// this long is closed (keep-alive and HTTP/2 alike). Default 60s.
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub idle_timeout: Option<Duration>,
    /// Callers' connections open at once; one more is closed when accepted
    /// (`pii_proxy_connections_refused_total`). Default: half the process's
    /// open-file limit, at most 10000, so descriptors remain for partners'
    /// connections, the audit log and the admin listener.
    #[serde(default)]
    #[schemars(with = "Option<u64>")]
    pub max_connections: Option<Spanned<u64>>,
    /// Bytes of request and response bodies all requests together may hold
    /// in memory (raw, decoded, and the protected copy and findings inspection
    /// made of them); past it a request is refused 503
    /// `overloaded` with `Retry-After`. Default 256 MiB, at least
    /// `max_body_bytes`.
    #[serde(default)]
    #[schemars(with = "Option<u64>")]
    pub max_buffered_bytes: Option<Spanned<u64>>,
}

/// `keys: keys/keyring.json` or `keys: {path: …, create_if_missing: true}`.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(untagged)]
pub(super) enum RawKeyring {
    /// The keyring's path; it must exist.
    Path(String),
    Table(RawKeyringTable),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawKeyringTable {
    /// The keyring's path.
    pub path: String,
    /// Create a DEVELOPMENT keyring there when none exists, with a loud
    /// warning. Default false: a missing keyring stops `serve`.
    #[serde(default)]
    pub create_if_missing: bool,
}

impl RawKeyring {
    pub fn path(&self) -> &str {
        match self {
            RawKeyring::Path(path) => path,
            RawKeyring::Table(table) => &table.path,
        }
    }

    pub fn create_if_missing(&self) -> bool {
        matches!(self, RawKeyring::Table(t) if t.create_if_missing)
    }
}

impl<'de> Deserialize<'de> for RawKeyring {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, Visitor};
        struct KeyringVisitor;
        impl<'de> Visitor<'de> for KeyringVisitor {
            type Value = RawKeyring;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a path, or `{path, create_if_missing}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawKeyring, E> {
                Ok(RawKeyring::Path(v.to_owned()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<RawKeyring, A::Error> {
                RawKeyringTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(RawKeyring::Table)
            }
        }
        deserializer.deserialize_any(KeyringVisitor)
    }
}
