//! The admin bearer token: read from `admin.token_file`, or created there
//! (32 random bytes as hex, mode 0600, with a loud warning) when the file
//! does not exist, which is for development only.
//!
//! Only the token's SHA-256 is kept in memory. A presented token is hashed
//! and the two digests compared with `subtle`'s constant-time equality, so
//! neither the content nor the length of the real token leaks through
//! response timing.

use std::io::Write;
use std::path::{Path, PathBuf};

use http::HeaderMap;
use http::header::AUTHORIZATION;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Shortest token accepted: 32 characters (128 bits as hex).
pub const MIN_TOKEN_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{path}: cannot read the admin token: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: cannot create the admin token: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: the admin token must be one line of at least {MIN_TOKEN_LEN} visible ASCII characters (create one with `openssl rand -hex 32`)"
    )]
    Invalid { path: PathBuf },
    #[error("{path}: {message}")]
    Exposed { path: PathBuf, message: String },
    #[error("the OS random source failed: {0}")]
    Random(String),
}

/// The token admin requests must present as `Authorization: Bearer <token>`.
pub struct AdminToken {
    digest: [u8; 32],
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(..)")
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

impl AdminToken {
    /// A token from its text (trailing newline and spaces ignored).
    fn parse(text: &str, path: &Path) -> Result<AdminToken, TokenError> {
        let token = text.trim_end_matches(['\r', '\n', ' ', '\t']);
        let visible = token.bytes().all(|b| b.is_ascii_graphic());
        if token.len() < MIN_TOKEN_LEN || !visible {
            return Err(TokenError::Invalid { path: path.into() });
        }
        Ok(AdminToken {
            digest: sha256(token.as_bytes()),
        })
    }

    /// Reads the token file.
    pub fn load(path: &Path) -> Result<AdminToken, TokenError> {
        crate::secret_file::check(path, "the admin token").map_err(|message| {
            TokenError::Exposed {
                path: path.into(),
                message,
            }
        })?;
        let text =
            Zeroizing::new(
                std::fs::read_to_string(path).map_err(|source| TokenError::Read {
                    path: path.into(),
                    source,
                })?,
            );
        AdminToken::parse(&text, path)
    }

    /// Reads the token file, or creates it with a random token when it does
    /// not exist. Returns whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(AdminToken, bool), TokenError> {
        if path.exists() {
            return AdminToken::load(path).map(|t| (t, false));
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|e| TokenError::Random(e.to_string()))?;
        let token = Zeroizing::new(hex::encode(bytes.as_ref()));
        write_new(path, token.as_bytes()).map_err(|source| TokenError::Write {
            path: path.into(),
            source,
        })?;
        crate::notice::warning(&[
            format!(
                "WARNING: no admin token at {}; created a new random DEVELOPMENT token there (mode 0600).",
                path.display()
            ),
            "WARNING: admin requests must send `Authorization: Bearer <the file's content>`."
                .to_owned(),
            format!(
                "WARNING: in production, provision the token file yourself (at least {MIN_TOKEN_LEN} characters)."
            ),
        ]);
        AdminToken::parse(&token, path).map(|t| (t, true))
    }

    /// Whether `presented` is the token, in time independent of both.
    pub fn verify(&self, presented: &[u8]) -> bool {
        sha256(presented).ct_eq(&self.digest).into()
    }

    /// Whether the request carries `Authorization: Bearer <the token>`.
    pub fn authorizes(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers.get(AUTHORIZATION) else {
            return false;
        };
        let value = value.as_bytes();
        let Some((scheme, credentials)) = value
            .iter()
            .position(|&b| b == b' ')
            .map(|at| (&value[..at], &value[at + 1..]))
        else {
            return false;
        };
        // The scheme is case-insensitive (RFC 9110 §11.1); the token is not.
        scheme.eq_ignore_ascii_case(b"bearer") && self.verify(credentials.trim_ascii())
    }
}

/// Creates `path` (and its directory) with owner-only permissions; never
/// overwrites an existing file.
fn write_new(path: &Path, token: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::secret_file::create_private_dir(dir)?;
    }
    let mut file = crate::secret_file::private_options()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(token)?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, value.parse().expect("header value"));
        h
    }

    #[test]
    fn only_the_exact_bearer_token_authorizes() {
        let token = AdminToken::parse(&format!("{TOKEN}\n"), Path::new("t")).expect("token");
        assert!(token.authorizes(&headers(&format!("Bearer {TOKEN}"))));
        assert!(token.authorizes(&headers(&format!("bearer {TOKEN}"))));
        assert!(!token.authorizes(&HeaderMap::new()));
        assert!(!token.authorizes(&headers(TOKEN)));
        assert!(!token.authorizes(&headers(&format!("Basic {TOKEN}"))));
        assert!(!token.authorizes(&headers(&format!("Bearer {}", &TOKEN[1..]))));
        assert!(!token.authorizes(&headers(&format!("Bearer {TOKEN}0"))));
        assert!(!token.authorizes(&headers(&format!("Bearer {}", TOKEN.to_uppercase()))));
    }

    #[test]
    fn short_or_invisible_tokens_are_refused() {
        assert!(AdminToken::parse("short", Path::new("t")).is_err());
        let spaced = format!("{} {}", &TOKEN[..16], &TOKEN[16..]);
        assert!(AdminToken::parse(&spaced, Path::new("t")).is_err());
    }

    #[test]
    fn a_missing_token_file_is_created_owner_only_and_then_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys/admin.token");
        let (first, created) = AdminToken::load_or_create(&path).expect("created");
        assert!(created);
        let text = std::fs::read_to_string(&path).expect("token file");
        assert_eq!(text.trim().len(), 64);
        assert!(first.verify(text.trim().as_bytes()));
        let (second, created) = AdminToken::load_or_create(&path).expect("loaded");
        assert!(!created);
        assert!(second.verify(text.trim().as_bytes()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let token = AdminToken::parse(TOKEN, Path::new("t")).expect("token");
        assert_eq!(format!("{token:?}"), "AdminToken(..)");
    }
}
