//! The keyring: master keys with ids and creation times, stored as JSON, and
//! the per-partner, per-purpose keys derived from them with HKDF-SHA256.
//!
//! Owns: generating, loading and saving keyring files (mode 0600), key
//! rotation (a new active kid; old kids still decrypt) and derivation.
//! Knows nothing of rules or payloads. Key material lives in `Zeroizing`
//! buffers and never appears in `Debug` output or errors.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

/// A 256-bit key, zeroed on drop.
pub type Key32 = Zeroizing<[u8; 32]>;

/// What a derived key is for; part of the HKDF `info`, so keys for different
/// purposes (and partners) are independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Hash,
    Encrypt,
    Tokenize,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::Hash => "hash",
            Purpose::Encrypt => "encrypt",
            Purpose::Tokenize => "tokenize",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("{path}: cannot read the keyring: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: cannot write the keyring: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a keyring file: {message}")]
    Format { path: PathBuf, message: String },
    #[error("the keyring has no key with id `{0}`")]
    UnknownKid(String),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyringFile {
    version: u32,
    active: String,
    keys: Vec<KeyEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    kid: String,
    created: String,
    /// Base64 of 32 random bytes.
    material: String,
}

/// A master key held in memory.
struct MasterKey {
    kid: String,
    created: String,
    material: Key32,
}

/// The loaded keyring. The first key is the root key: it derives the keys
/// that must stay stable across rotation (audit subject hashes).
pub struct Keyring {
    keys: Vec<MasterKey>,
    active: usize,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_str()).collect();
        f.debug_struct("Keyring")
            .field("kids", &kids)
            .field("active", &self.active_kid())
            .finish()
    }
}

impl Keyring {
    /// A new keyring with one fresh random key.
    pub fn generate() -> Self {
        let mut ring = Keyring {
            keys: Vec::new(),
            active: 0,
        };
        ring.rotate();
        ring
    }

    /// Adds a fresh key and makes it the active one; older keys stay for
    /// decryption.
    pub fn rotate(&mut self) -> &str {
        let mut material = Zeroizing::new([0u8; 32]);
        getrandom::fill(material.as_mut()).expect("the OS random source is available");
        let kid = format!("k{}", self.keys.len() + 1);
        let created = crate::time::now_rfc3339();
        self.keys.push(MasterKey {
            kid,
            created,
            material,
        });
        self.active = self.keys.len() - 1;
        &self.keys[self.active].kid
    }

    pub fn load(path: &Path) -> Result<Self, KeyringError> {
        let text =
            Zeroizing::new(
                fs::read_to_string(path).map_err(|source| KeyringError::Read {
                    path: path.into(),
                    source,
                })?,
            );
        let format = |message: String| KeyringError::Format {
            path: path.into(),
            message,
        };
        // serde_json's own message can quote the file, which holds key material.
        let file: KeyringFile = serde_json::from_str(&text)
            .map_err(|e| format(crate::diag::json_error("the keyring", &e)))?;
        if file.version != 1 {
            return Err(format(format!("unsupported version {}", file.version)));
        }
        let mut keys = Vec::with_capacity(file.keys.len());
        for entry in file.keys {
            let bytes = Zeroizing::new(
                BASE64
                    .decode(entry.material.as_bytes())
                    .map_err(|_| format(format!("key `{}`: material is not base64", entry.kid)))?,
            );
            let material: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| format(format!("key `{}`: material must be 32 bytes", entry.kid)))?;
            keys.push(MasterKey {
                kid: entry.kid,
                created: entry.created,
                material: Zeroizing::new(material),
            });
        }
        let active = keys
            .iter()
            .position(|k| k.kid == file.active)
            .ok_or_else(|| {
                format(format!(
                    "active key `{}` is not in the keyring",
                    file.active
                ))
            })?;
        Ok(Keyring { keys, active })
    }

    /// Writes the keyring with mode 0600 (created that way, never widened).
    pub fn save(&self, path: &Path) -> Result<(), KeyringError> {
        let write_err = |source| KeyringError::Write {
            path: path.into(),
            source,
        };
        let file = KeyringFile {
            version: 1,
            active: self.active_kid().to_owned(),
            keys: self
                .keys
                .iter()
                .map(|k| KeyEntry {
                    kid: k.kid.clone(),
                    created: k.created.clone(),
                    material: BASE64.encode(k.material.as_ref()),
                })
                .collect(),
        };
        let text = Zeroizing::new(serde_json::to_string_pretty(&file).expect("keyring serializes"));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::secret_file::create_private_dir(dir).map_err(write_err)?;
        }
        let mut out = crate::secret_file::private_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(write_err)?;
        out.write_all(text.as_bytes()).map_err(write_err)?;
        out.write_all(b"\n").map_err(write_err)?;
        out.sync_all().map_err(write_err)
    }

    pub fn active_kid(&self) -> &str {
        &self.keys[self.active].kid
    }

    /// The first key's id: what derives the keys that must not change on
    /// rotation (subject hashes, the audit chain, tokens and hashes).
    pub fn root_kid(&self) -> &str {
        &self.keys[0].kid
    }

    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.kid.as_str())
    }

    /// The key for `purpose` and `partner`, derived from master key `kid`.
    pub fn derive(
        &self,
        kid: &str,
        purpose: Purpose,
        partner: &str,
    ) -> Result<Key32, KeyringError> {
        let master = self
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or_else(|| KeyringError::UnknownKid(kid.to_owned()))?;
        let info = format!("pii-proxy/v1/{}/{}", purpose.label(), partner);
        Ok(expand(&master.material, info.as_bytes()))
    }

    /// The key for `purpose` and `partner` under `suite`: the AES suite's
    /// is [`Keyring::derive`]'s; the SM suite's has its own HKDF label, so
    /// the two suites never share a key.
    pub fn derive_for(
        &self,
        suite: super::Suite,
        kid: &str,
        purpose: Purpose,
        partner: &str,
    ) -> Result<Key32, KeyringError> {
        match suite {
            super::Suite::Aes => self.derive(kid, purpose, partner),
            super::Suite::Sm => {
                let master = self
                    .keys
                    .iter()
                    .find(|k| k.kid == kid)
                    .ok_or_else(|| KeyringError::UnknownKid(kid.to_owned()))?;
                let info = format!("pii-proxy/sm1/{}/{}", purpose.label(), partner);
                Ok(expand(&master.material, info.as_bytes()))
            }
        }
    }

    /// The key for `purpose` and `partner` from the active master key.
    pub fn derive_active(&self, purpose: Purpose, partner: &str) -> Key32 {
        self.derive(self.active_kid(), purpose, partner)
            .expect("the active kid is in the keyring")
    }

    /// The key that hashes subjects in audit records and the consent store.
    /// Derived from the root (first) key so it survives rotation: an
    /// investigator can search months of audit log with one key.
    pub fn subject_key(&self) -> Key32 {
        expand(&self.keys[0].material, b"pii-proxy/v1/subject")
    }

    /// The seed of the Ed25519 key that signs one replica's audit
    /// checkpoints, from master key `kid`: a key per replica and keyring
    /// key, so `keygen --rotate` starts a new signing key while the public
    /// halves of the older ones still verify older checkpoints.
    pub fn audit_signing_seed(&self, kid: &str, replica: &str) -> Result<Key32, KeyringError> {
        let master = self
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or_else(|| KeyringError::UnknownKid(kid.to_owned()))?;
        let info = format!("pii-proxy/v1/audit-signing/{replica}");
        Ok(expand(&master.material, info.as_bytes()))
    }

    /// A key for the audit log's keyed hash chain, from the root key.
    pub fn audit_chain_key(&self) -> Key32 {
        expand(&self.keys[0].material, b"pii-proxy/v1/audit-chain")
    }
}

fn expand(master: &[u8; 32], info: &[u8]) -> Key32 {
    let hkdf = Hkdf::<Sha256>::new(Some(b"pii-proxy keyring"), master);
    let mut out = Zeroizing::new([0u8; 32]);
    hkdf.expand(info, out.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_keyring_loads_back_with_same_derivations() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys/keyring.json");
        let mut ring = Keyring::generate();
        ring.rotate();
        ring.save(&path).expect("save");
        let loaded = Keyring::load(&path).expect("load");
        assert_eq!(loaded.active_kid(), "k2");
        assert_eq!(*loaded.subject_key(), *ring.subject_key());
        assert_eq!(
            *loaded.derive("k1", Purpose::Hash, "demo").expect("k1"),
            *ring.derive("k1", Purpose::Hash, "demo").expect("k1")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("metadata").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn derived_keys_differ_by_partner_purpose_and_kid() {
        let mut ring = Keyring::generate();
        let a = ring.derive_active(Purpose::Hash, "a");
        let b = ring.derive_active(Purpose::Hash, "b");
        let a_enc = ring.derive_active(Purpose::Encrypt, "a");
        assert_ne!(*a, *b);
        assert_ne!(*a, *a_enc);
        ring.rotate();
        assert_ne!(*a, *ring.derive_active(Purpose::Hash, "a"));
        assert_eq!(
            *a,
            *ring
                .derive("k1", Purpose::Hash, "a")
                .expect("old kid still there")
        );
    }

    #[test]
    fn signing_seeds_differ_by_kid_and_replica_and_survive_rotation() {
        let mut ring = Keyring::generate();
        let k1 = ring.audit_signing_seed("k1", "main").expect("k1");
        assert_ne!(*k1, *ring.audit_signing_seed("k1", "r2").expect("k1"));
        ring.rotate();
        assert_eq!(*k1, *ring.audit_signing_seed("k1", "main").expect("k1"));
        assert_ne!(*k1, *ring.audit_signing_seed("k2", "main").expect("k2"));
        assert!(ring.audit_signing_seed("k9", "main").is_err());
    }

    #[test]
    fn debug_output_shows_no_material() {
        let ring = Keyring::generate();
        let shown = format!("{ring:?}");
        assert!(shown.contains("k1"));
        assert!(!shown.contains(&BASE64.encode(ring.keys[0].material.as_ref())));
    }
}
