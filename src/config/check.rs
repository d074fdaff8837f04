//! Raw config → checked [`Config`]: every problem is collected (not just the
//! first) with the position of the value that causes it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde_saphyr::{Location, Spanned};

use super::raw::{RawAdmin, RawConfig, RawLimits, RawReload, RawServerTls};
use super::{AdminConfig, Config, Limits, ReloadConfig, ServerTls};
use crate::audit::AuditConfig;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ident::Ident;

pub(super) struct Checker<'a> {
    file: &'a Path,
    pub(super) base: PathBuf,
    pub(super) errors: Vec<Diagnostic>,
    /// The config has a `cluster:` section (quotas may say `cluster: true`).
    pub(super) cluster_configured: bool,
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
        cluster_configured: raw.cluster.is_some(),
    };
    let (listen, tls) = c.listener(&raw);
    let admin = raw.admin.as_ref().map(|a| c.admin(a, listen));
    let reload = raw
        .reload
        .as_ref()
        .map(|r| c.reload(&r.value))
        .unwrap_or_default();
    let mut audit = c.audit(raw.audit.as_ref());
    let (keys, create_keys_if_missing) = c.keyring_setting(&raw);
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
    let replica = c.replica(raw.replica.as_ref());
    let cluster = raw.cluster.as_ref().and_then(|r| c.cluster(r));
    let partners = c.partners(&raw.partners, &home_region);
    let public_host = raw.public_host.as_ref().and_then(|h| c.public_host(h));
    audit.replica = Some(replica.clone());
    audit.checkpoints.replica = replica.to_string();
    let errors = std::mem::take(&mut c.errors);
    let config = Config {
        source: file.to_path_buf(),
        listen: listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
        tls,
        allow_plaintext_non_loopback: raw.allow_plaintext_non_loopback,
        admin: admin.flatten(),
        reload,
        audit,
        keys,
        create_keys_if_missing,
        limits,
        shutdown_delay: raw.shutdown_delay.unwrap_or_default(),
        partners,
        home_region,
        consent,
        public_host,
        replica,
        cluster,
    };
    (config, errors)
}

impl Checker<'_> {
    /// `listen:` and `tls:`: a non-loopback address needs TLS unless the
    /// config says TLS ends before the proxy.
    fn listener(&mut self, raw: &RawConfig) -> (Option<SocketAddr>, Option<ServerTls>) {
        let listen = self.socket_addr(&raw.listen);
        let tls = raw.tls.as_ref().map(|t| self.server_tls(t, listen));
        if let Some(addr) = listen {
            let loopback = addr.ip().is_loopback();
            if !loopback && tls.is_none() && !raw.allow_plaintext_non_loopback {
                self.error(
                    &raw.listen.referenced,
                    format!(
                        "`{addr}` is not a loopback address: add `tls` (cert and key), or set \
                         `allow_plaintext_non_loopback: true` if TLS ends before this proxy"
                    ),
                );
            }
        }
        (listen, tls.flatten())
    }

    /// `keys:`: the keyring's path (default `keys/keyring.json` beside the
    /// config) and whether a missing one may be created.
    fn keyring_setting(&self, raw: &RawConfig) -> (PathBuf, bool) {
        let keys = raw
            .keys
            .as_ref()
            .map(|k| self.resolve(k.value.path()))
            .unwrap_or_else(|| self.base.join("keys/keyring.json"));
        let create_if_missing = raw
            .keys
            .as_ref()
            .is_some_and(|k| k.value.create_if_missing());
        (keys, create_if_missing)
    }

    /// `public_host:`: `host` or `host:port`, nothing more.
    fn public_host(&mut self, h: &Spanned<String>) -> Option<http::uri::Authority> {
        h.value
            .parse::<http::uri::Authority>()
            .ok()
            .filter(|a| a.as_str() == h.value && !h.value.contains('@'))
            .or_else(|| {
                self.error(&h.referenced, "public_host must be `host` or `host:port`");
                None
            })
    }
}

impl Checker<'_> {
    pub(super) fn file_path(&self) -> &Path {
        self.file
    }

    pub(super) fn error(&mut self, at: &Location, message: impl Into<String>) {
        self.errors.push(Diagnostic::at(self.file, at, message));
    }

    /// A path from the file, resolved against the config file's directory.
    pub(super) fn path(&self, value: &Spanned<String>) -> PathBuf {
        self.resolve(&value.value)
    }

    /// `path` against the config file's directory unless absolute.
    pub(super) fn resolve(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        }
    }

    /// A path that must name an existing file.
    pub(super) fn existing_file(&mut self, value: &Spanned<String>, what: &str) -> PathBuf {
        let path = self.path(value);
        if !path.is_file() {
            self.error(
                &value.referenced,
                format!("{what} `{}` does not exist", path.display()),
            );
        }
        path
    }

    pub(super) fn socket_addr(&mut self, value: &Spanned<String>) -> Option<SocketAddr> {
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

    pub(super) fn server_tls(
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

    pub(super) fn admin(
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

    pub(super) fn reload(&mut self, raw: &RawReload) -> ReloadConfig {
        let mut reload = ReloadConfig {
            watch: raw.watch,
            ..ReloadConfig::default()
        };
        if let Some(debounce) = raw.debounce {
            reload.debounce = debounce;
        }
        reload
    }

    pub(super) fn audit(&mut self, audit: Option<&Spanned<AuditConfig>>) -> AuditConfig {
        let Some(audit) = audit else {
            let mut config = AuditConfig::default();
            config.dir = self.base.join(&config.dir);
            return config;
        };
        let mut config = audit.value.clone();
        if config.dir.is_relative() {
            config.dir = self.base.join(&config.dir);
        }
        let base = self.base.clone();
        let resolve = |path: &mut PathBuf| {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        };
        let mut files = Vec::new();
        for witness in &mut config.checkpoints.witnesses {
            match witness {
                crate::audit::WitnessConfig::File(path) => resolve(path),
                crate::audit::WitnessConfig::Nats(nats) => {
                    files.extend(nats.server.files_mut().map(|p| {
                        resolve(p);
                        p.clone()
                    }));
                }
                crate::audit::WitnessConfig::Url(_) => {}
            }
        }
        if let Some(sink) = &mut config.sink {
            files.extend(sink.nats.server.files_mut().map(|p| {
                resolve(p);
                p.clone()
            }));
        }
        for file in files.iter().filter(|f| !f.is_file()) {
            self.error(
                &audit.referenced,
                format!(
                    "audit: NATS credentials or TLS file {} not found",
                    file.display()
                ),
            );
        }
        if let Err(e) = config.validate() {
            self.error(&audit.referenced, format!("audit: {e}"));
        }
        config
    }

    pub(super) fn limits(&mut self, raw: &RawLimits) -> Limits {
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
            (raw.idle_timeout, &mut limits.idle_timeout),
        ];
        for (value, slot) in durations {
            if let Some(d) = value {
                *slot = d;
            }
        }
        if let Some(max) = &raw.max_connections {
            if max.value == 0 {
                self.error(&max.referenced, "max_connections must be at least 1");
            }
            limits.max_connections = usize::try_from(max.value).unwrap_or(usize::MAX);
        }
        match &raw.max_buffered_bytes {
            Some(budget) if (budget.value as usize) < limits.max_body_bytes => self.error(
                &budget.referenced,
                format!(
                    "max_buffered_bytes must be at least max_body_bytes ({}): one body must fit",
                    limits.max_body_bytes
                ),
            ),
            Some(budget) => {
                limits.max_buffered_bytes = usize::try_from(budget.value).unwrap_or(usize::MAX);
            }
            None => {
                limits.max_buffered_bytes = limits.max_buffered_bytes.max(limits.max_body_bytes);
            }
        }
        limits
    }

    /// The name at `value` as an [`Ident`], or an error at its position
    /// (the name is not repeated: it may be what the rule keeps out).
    pub(super) fn ident(&mut self, value: &Spanned<String>, what: &str) -> Option<Ident> {
        match Ident::new(&value.value) {
            Ok(ident) => Some(ident),
            Err(e) => {
                self.error(&value.referenced, format!("{what} {e}"));
                None
            }
        }
    }
}
