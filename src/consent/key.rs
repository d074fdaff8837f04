//! How the store keys a subject: the 32 bytes of its keyed HMAC, hashed
//! into tables by its first 64 bits (already uniform, so no SipHash).

use std::hash::{BuildHasherDefault, Hash, Hasher};

use dashmap::DashMap;

use crate::audit::{Digest, SubjectHash};

/// A subject as the store keys it: the 32 bytes of its keyed HMAC.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SubjectKey([u8; 32]);

impl SubjectKey {
    /// From the HMAC bytes [`SubjectHasher::hash_with_digest`] returns (the
    /// hot path: no hex to parse).
    pub fn from_digest(digest: [u8; 32]) -> SubjectKey {
        SubjectKey(digest)
    }

    /// From the `hmac:<hex>` form (admin requests, journal replay).
    pub fn of(hash: &SubjectHash) -> SubjectKey {
        let hex = hash.as_str().strip_prefix("hmac:").unwrap_or_default();
        let digest = Digest::from_hex(hex.as_bytes())
            .expect("a SubjectHash is made or parsed as hmac:<64 lowercase hex>");
        SubjectKey(digest.0)
    }

    /// 64 bits of the HMAC: uniformly distributed and unpredictable without
    /// the subject key, so it serves directly as a hash-table hash.
    pub fn fingerprint(&self) -> u64 {
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.0[..8]);
        u64::from_le_bytes(word)
    }
}

impl std::fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SubjectKey({:016x}…)", self.fingerprint())
    }
}

impl Hash for SubjectKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.fingerprint());
    }
}

/// A hasher for keys that are already uniform (HMAC outputs): passes the
/// key's 64-bit fingerprint through. Keys are unpredictable to anyone
/// without the subject key, so flooding one bucket is not possible, and
/// SipHash over them would only cost time on every request.
#[derive(Default, Clone, Copy)]
pub struct PrehashedHasher(u64);

impl Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not reached for SubjectKey; kept correct (FNV-1a) for other keys.
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = word;
    }
}

pub type PrehashedMap<K, V> = DashMap<K, V, BuildHasherDefault<PrehashedHasher>>;
