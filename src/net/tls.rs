//! Every rustls configuration the proxy builds, from one crypto provider
//! (aws-lc-rs), plus self-signed development certificates.
//!
//! Owns: loading PEM certificates and keys, the inbound server config
//! (optional client-certificate verification, ALPN h2 + http/1.1), the
//! outbound client configs (system roots + a partner CA, optional client
//! certificate), and generating a development certificate with rcgen.
//! Knows nothing of HTTP or partners' rules. Fails closed: a file that does
//! not load is an error at start, never a fallback to weaker settings.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: cannot read PEM {what}: {message}")]
    Pem {
        path: PathBuf,
        what: &'static str,
        message: String,
    },
    #[error("{path}: contains no PEM {what}")]
    Empty { path: PathBuf, what: &'static str },
    #[error("{0}: the TLS settings are rejected: {1}")]
    Config(String, rustls::Error),
    #[error("{0}: the client CA cannot verify certificates: {1}")]
    Verifier(PathBuf, String),
    #[error("cannot generate a development certificate: {0}")]
    Generate(String),
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The one crypto provider: never the process default, so two providers in
/// the dependency graph cannot make rustls panic at start.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// All certificates in a PEM file (a chain or a CA bundle), at least one.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem_err = |e: rustls_pki_types::pem::Error| TlsError::Pem {
        path: path.to_path_buf(),
        what: "certificates",
        message: e.to_string(),
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(pem_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_err)?;
    if certs.is_empty() {
        return Err(TlsError::Empty {
            path: path.to_path_buf(),
            what: "certificate",
        });
    }
    Ok(certs)
}

/// The first private key in a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| TlsError::Pem {
        path: path.to_path_buf(),
        what: "private key",
        message: e.to_string(),
    })
}

fn roots_from(path: &Path, roots: &mut RootCertStore) -> Result<(), TlsError> {
    for cert in load_certs(path)? {
        roots.add(cert).map_err(|e| TlsError::Pem {
            path: path.to_path_buf(),
            what: "CA certificate",
            message: e.to_string(),
        })?;
    }
    Ok(())
}

/// The inbound config: `cert`/`key` served, ALPN `h2` then `http/1.1`, and
/// client certificates required when `client_ca` is set.
pub fn server_config(
    cert: &Path,
    key: &Path,
    client_ca: Option<&Path>,
) -> Result<ServerConfig, TlsError> {
    let chain = load_certs(cert)?;
    let key_der = load_key(key)?;
    let provider = provider();
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(cert.display().to_string(), e))?;
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots_from(ca, &mut roots)?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| TlsError::Verifier(ca.to_path_buf(), e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(chain, key_der)
        .map_err(|e| TlsError::Config(key.display().to_string(), e))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The operating system's trusted roots. Unreadable entries are skipped with
/// a warning (one bad file in /etc/ssl must not stop the proxy); the partner
/// CA files, in contrast, must load.
pub fn system_roots() -> RootCertStore {
    let found = rustls_native_certs::load_native_certs();
    for e in &found.errors {
        tracing::warn!(error = %e, "skipping an unreadable system root certificate");
    }
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    if ignored > 0 {
        tracing::warn!(
            added,
            ignored,
            "some system root certificates were not usable"
        );
    }
    roots
}

/// An outbound config: `system` roots plus `extra_ca`, and a client
/// certificate when `identity` is set. ALPN is left to the HTTP connector.
pub fn client_config(
    system: &RootCertStore,
    extra_ca: Option<&Path>,
    identity: Option<(&Path, &Path)>,
) -> Result<ClientConfig, TlsError> {
    let mut roots = system.clone();
    if let Some(ca) = extra_ca {
        roots_from(ca, &mut roots)?;
    }
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config("client".into(), e))?
        .with_root_certificates(roots);
    match identity {
        Some((cert, key)) => builder
            .with_client_auth_cert(load_certs(cert)?, load_key(key)?)
            .map_err(|e| TlsError::Config(cert.display().to_string(), e)),
        None => Ok(builder.with_no_client_auth()),
    }
}

/// The server config of a listener's `tls:` settings. When the config
/// allows it (`generate_dev_cert`: neither file exists and the listener is
/// on loopback) and `create` is set, a self-signed development pair is
/// written first, with a loud warning naming `listener`. Without `create`
/// (`check`), files that would be generated are not required.
pub fn listener_config(
    tls: &crate::config::ServerTls,
    listener: &str,
    create: bool,
) -> Result<Option<ServerConfig>, TlsError> {
    if tls.generate_dev_cert && !tls.cert.exists() && !tls.key.exists() {
        if !create {
            return Ok(None);
        }
        generate_dev_cert(&tls.cert, &tls.key)?;
        tracing::warn!(
            cert = %tls.cert.display(),
            "NO TLS CERTIFICATE FOUND for the {listener} listener: generated a self-signed \
             development certificate for localhost. Clients must trust it explicitly. Do not \
             use it in production."
        );
    }
    server_config(&tls.cert, &tls.key, tls.client_ca.as_deref()).map(Some)
}

/// Writes a self-signed certificate for `localhost`, `127.0.0.1` and `::1`
/// to `cert` and its key to `key` (mode 0600). Development only: callers
/// warn loudly.
pub fn generate_dev_cert(cert: &Path, key: &Path) -> Result<(), TlsError> {
    let names = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    let pair =
        rcgen::generate_simple_self_signed(names).map_err(|e| TlsError::Generate(e.to_string()))?;
    write_file(cert, pair.cert.pem().as_bytes(), 0o644)?;
    write_file(key, pair.signing_key.serialize_pem().as_bytes(), 0o600)
}

fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), TlsError> {
    let err = |source| TlsError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::secret_file::create_private_dir(dir).map_err(err)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(err)?;
    std::io::Write::write_all(&mut file, bytes).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_cert_loads_into_a_server_config_with_alpn() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (cert, key) = (dir.path().join("c/s.pem"), dir.path().join("c/k.pem"));
        generate_dev_cert(&cert, &key).expect("generate");
        let config = server_config(&cert, &key, None).expect("server config");
        assert_eq!(config.alpn_protocols[0], b"h2");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).expect("key").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The certificate doubles as the CA clients trust in development.
        let roots = RootCertStore::empty();
        client_config(&roots, Some(&cert), Some((&cert, &key))).expect("client config");
    }

    #[test]
    fn a_key_that_does_not_match_its_certificate_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (cert, key) = (dir.path().join("a.pem"), dir.path().join("a-key.pem"));
        let (other_cert, other_key) = (dir.path().join("b.pem"), dir.path().join("b-key.pem"));
        generate_dev_cert(&cert, &key).expect("generate");
        generate_dev_cert(&other_cert, &other_key).expect("generate");
        let e = server_config(&cert, &other_key, None).expect_err("mismatched pair");
        assert!(
            e.to_string().contains("a-key.pem") || e.to_string().contains("b-key.pem"),
            "{e}"
        );
    }

    #[test]
    fn files_without_pem_items_are_errors() {
        let dir = tempfile::tempdir().expect("temp dir");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not pem").expect("write");
        assert!(matches!(load_certs(&empty), Err(TlsError::Empty { .. })));
        assert!(load_key(&empty).is_err());
        assert!(load_certs(&dir.path().join("missing.pem")).is_err());
    }
}
