//! The hash chain and the exact bytes it covers.
//!
//! A record line is a compact JSON object whose members come in a fixed
//! order: `seq`, `ts`, `kind`, the kind's own members (in the order of the
//! struct fields in [`super::record`], absent optional members omitted),
//! `prev`, and last `hash`:
//!
//! ```text
//! {"seq":7,"ts":"…","kind":"share",…,"prev":"<64 hex>","hash":"<64 hex>"}\n
//! ```
//!
//! **Canonical bytes** of a record: the line without its `\n` and without its
//! final `,"hash":"<64 hex>"` member, i.e. `{"seq":7,…,"prev":"<64 hex>"}`.
//! Verification hashes these bytes exactly as they are in the file (it never
//! re-serializes), so any edit of any byte but the hash itself changes them.
//!
//! **hash** = lowercase hex of SHA-256(canonical bytes), or of
//! HMAC-SHA256(audit chain key, canonical bytes) with the keyed chain;
//! with `audit: {hash: sm3}` the same with SM3 (GB/T 32905) and HMAC-SM3.
//! One function per log: a writer refuses to continue a chain made with
//! the other (the newest record does not verify).
//! **prev** = the previous record's `hash`; the genesis record (seq 1) has
//! 64 zeros. Because `prev` is inside the canonical bytes, each hash commits
//! to the whole history before it, across segments and restarts.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;
use sm3::Sm3;
use zeroize::Zeroizing;

use super::merkle::TreeHash;

/// `,"hash":"` + 64 hex + `"}`.
pub const HASH_MEMBER_LEN: usize = 9 + 64 + 2;
const HASH_MEMBER_PREFIX: &[u8] = b",\"hash\":\"";

/// A SHA-256 or HMAC-SHA256 output; shown and stored as 64 lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Digest(pub [u8; 32]);

/// `prev` of the genesis record.
pub const GENESIS: Digest = Digest([0; 32]);

impl Digest {
    /// Parses 64 lowercase hex digits.
    pub fn from_hex(text: &[u8]) -> Option<Digest> {
        if text.len() != 64 || !text.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(text, &mut out).ok()?;
        Some(Digest(out))
    }

    fn encode(&self, out: &mut [u8; 64]) {
        hex::encode_to_slice(self.0, out).expect("64 bytes hold the hex of 32");
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = [0u8; 64];
        self.encode(&mut text);
        f.write_str(std::str::from_utf8(&text).expect("hex is ASCII"))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = [0u8; 64];
        self.encode(&mut text);
        serializer.serialize_str(std::str::from_utf8(&text).expect("hex is ASCII"))
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Digest::from_hex(text.as_bytes())
            .ok_or_else(|| serde::de::Error::custom("expected 64 lowercase hex digits"))
    }
}

/// The hash function of a log (`audit: {hash: …}`); both give 32 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChainHash {
    #[default]
    Sha256,
    /// SM3 (GB/T 32905), and HMAC-SM3 for the keyed chain.
    Sm3,
}

impl ChainHash {
    pub fn name(self) -> &'static str {
        match self {
            ChainHash::Sha256 => "sha256",
            ChainHash::Sm3 => "sm3",
        }
    }

    /// The Merkle tree's function under a chain of this one.
    pub fn tree_hash(self) -> TreeHash {
        match self {
            ChainHash::Sha256 => TreeHash::Sha256,
            ChainHash::Sm3 => TreeHash::Sm3,
        }
    }

    /// The hash of `parts` concatenated, keyed (HMAC) when `key` is given:
    /// what a record's hash is, and what anything else built over the
    /// chain (checkpoints, a Merkle tree) must use for the log's function.
    pub fn digest_parts(self, key: Option<&[u8; 32]>, parts: &[&[u8]]) -> Digest {
        fn run<D: sha2::Digest + hmac::EagerHash>(
            key: Option<&[u8; 32]>,
            parts: &[&[u8]],
        ) -> [u8; 32] {
            let mut out = [0u8; 32];
            match key {
                None => {
                    let mut hasher = D::new();
                    parts.iter().for_each(|p| hasher.update(p));
                    out.copy_from_slice(&hasher.finalize());
                }
                Some(key) => {
                    let mut mac = <Hmac<D> as KeyInit>::new_from_slice(key)
                        .expect("HMAC takes a key of any length");
                    parts.iter().for_each(|p| mac.update(p));
                    out.copy_from_slice(&mac.finalize().into_bytes());
                }
            }
            out
        }
        Digest(match self {
            ChainHash::Sha256 => run::<Sha256>(key, parts),
            ChainHash::Sm3 => run::<Sm3>(key, parts),
        })
    }
}

/// Which function chains the records.
#[derive(Clone)]
pub enum ChainKey {
    /// SHA-256: anyone can check the chain, and anyone who can write the
    /// files could rebuild it from the point they edited.
    Plain,
    /// HMAC-SHA256 under the keyring's audit chain key: checking and
    /// rebuilding both need the key.
    Keyed(Zeroizing<[u8; 32]>),
    /// SM3, or HMAC-SM3 under the audit chain key (`audit: {hash: sm3}`).
    Sm3(Option<Zeroizing<[u8; 32]>>),
}

impl fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChainKey::Plain => "ChainKey::Plain",
            ChainKey::Keyed(_) => "ChainKey::Keyed(..)",
            ChainKey::Sm3(None) => "ChainKey::Sm3(None)",
            ChainKey::Sm3(Some(_)) => "ChainKey::Sm3(Some(..))",
        })
    }
}

impl ChainKey {
    /// The chain of `hash`, keyed when `key` is given.
    pub fn new(hash: ChainHash, key: Option<Zeroizing<[u8; 32]>>) -> ChainKey {
        match (hash, key) {
            (ChainHash::Sha256, None) => ChainKey::Plain,
            (ChainHash::Sha256, Some(key)) => ChainKey::Keyed(key),
            (ChainHash::Sm3, key) => ChainKey::Sm3(key),
        }
    }

    pub fn is_keyed(&self) -> bool {
        matches!(self, ChainKey::Keyed(_) | ChainKey::Sm3(Some(_)))
    }

    pub fn hash(&self) -> ChainHash {
        match self {
            ChainKey::Plain | ChainKey::Keyed(_) => ChainHash::Sha256,
            ChainKey::Sm3(_) => ChainHash::Sm3,
        }
    }

    fn key(&self) -> Option<&[u8; 32]> {
        match self {
            ChainKey::Plain | ChainKey::Sm3(None) => None,
            ChainKey::Keyed(key) | ChainKey::Sm3(Some(key)) => Some(key),
        }
    }

    /// The hash of canonical bytes given as `open` (everything up to the
    /// closing brace) followed by `}`; split so callers need not copy.
    pub fn digest(&self, open: &[u8]) -> Digest {
        self.hash().digest_parts(self.key(), &[open, b"}"])
    }

    /// The record's Merkle leaf entry: the plain digest of its canonical
    /// bytes under the chain's function (SHA-256, or SM3 with `hash: sm3`),
    /// which under an unkeyed chain is its `hash` (no second pass). The
    /// checkpoints stay Ed25519 under an SM3 chain: C2SP signed notes
    /// define no SM2.
    pub fn entry(&self, open: &[u8], hash: &Digest) -> Digest {
        match self {
            ChainKey::Plain | ChainKey::Sm3(None) => *hash,
            ChainKey::Keyed(_) => ChainKey::Plain.digest(open),
            ChainKey::Sm3(Some(_)) => ChainKey::Sm3(None).digest(open),
        }
    }

    /// The Merkle tree's function for this chain.
    pub fn tree_hash(&self) -> TreeHash {
        self.hash().tree_hash()
    }

    /// Turns canonical bytes at the end of `buf` (starting at `start`, ending
    /// with `}`) into a sealed line: appends the hash member and `\n`.
    /// Returns the record's hash and leaf entry.
    pub fn seal(&self, buf: &mut Vec<u8>, start: usize) -> Sealed {
        debug_assert_eq!(buf.last(), Some(&b'}'));
        buf.pop();
        let hash = self.digest(&buf[start..]);
        let entry = self.entry(&buf[start..], &hash);
        let mut text = [0u8; 64];
        hash.encode(&mut text);
        buf.extend_from_slice(HASH_MEMBER_PREFIX);
        buf.extend_from_slice(&text);
        buf.extend_from_slice(b"\"}\n");
        Sealed { hash, entry }
    }
}

/// What sealing a record gives: its chain hash and its Merkle leaf entry
/// (see [`super::merkle`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub hash: Digest,
    pub entry: Digest,
}

/// A line (without `\n`) split into the canonical bytes before their
/// closing brace and the hash it claims; `None` when the line does not end
/// in a well-formed hash member.
pub fn split_line(line: &[u8]) -> Option<(&[u8], Digest)> {
    if line.len() < HASH_MEMBER_LEN + 2 || !line.ends_with(b"\"}") {
        return None;
    }
    let at = line.len() - HASH_MEMBER_LEN;
    let (open, member) = line.split_at(at);
    if !member.starts_with(HASH_MEMBER_PREFIX) || !open.starts_with(b"{") {
        return None;
    }
    let hex = &member[HASH_MEMBER_PREFIX.len()..HASH_MEMBER_PREFIX.len() + 64];
    Some((open, Digest::from_hex(hex)?))
}

/// Whether a line's claimed hash matches its canonical bytes under `key`.
#[cfg(test)]
pub fn line_intact(key: &ChainKey, line: &[u8]) -> Option<bool> {
    let (open, claimed) = split_line(line)?;
    Some(key.digest(open) == claimed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    fn sealed(key: &ChainKey, canonical: &str) -> (Vec<u8>, Digest) {
        let mut buf = b"junk".to_vec();
        buf.extend_from_slice(canonical.as_bytes());
        let hash = key.seal(&mut buf, 4).hash;
        (buf[4..].to_vec(), hash)
    }

    #[test]
    fn plain_hash_is_sha256_of_the_canonical_bytes() {
        let canonical = r#"{"seq":1,"prev":"00"}"#;
        let (line, hash) = sealed(&ChainKey::Plain, canonical);
        let expected: [u8; 32] = Sha256::digest(canonical.as_bytes()).into();
        assert_eq!(hash, Digest(expected));
        let text = String::from_utf8(line.clone()).expect("utf8");
        assert_eq!(
            text,
            format!("{{\"seq\":1,\"prev\":\"00\",\"hash\":\"{hash}\"}}\n")
        );
        assert_eq!(
            line_intact(&ChainKey::Plain, &line[..line.len() - 1]),
            Some(true)
        );
    }

    /// SM3 chains: the digest is GB/T 32905's (its Appendix A example 1 is
    /// "abc"), keyed or not, and a line sealed under one function does not
    /// verify under the other.
    #[test]
    fn sm3_chain_is_sm3_of_the_canonical_bytes() {
        let sm3 = ChainKey::new(ChainHash::Sm3, None);
        assert_eq!(
            ChainHash::Sm3
                .digest_parts(None, &[b"ab", b"c"])
                .to_string(),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        let canonical = r#"{"seq":1,"prev":"00"}"#;
        let (line, hash) = sealed(&sm3, canonical);
        let expected: [u8; 32] = Sm3::digest(canonical.as_bytes()).into();
        assert_eq!(hash, Digest(expected));
        let line = &line[..line.len() - 1];
        assert_eq!(line_intact(&sm3, line), Some(true));
        assert_eq!(line_intact(&ChainKey::Plain, line), Some(false));
        let keyed = ChainKey::new(ChainHash::Sm3, Some(Zeroizing::new([7u8; 32])));
        assert!(keyed.is_keyed());
        let (line, _) = sealed(&keyed, canonical);
        let line = &line[..line.len() - 1];
        assert_eq!(line_intact(&keyed, line), Some(true));
        assert_eq!(line_intact(&sm3, line), Some(false));
        assert_eq!(
            line_intact(&ChainKey::Keyed(Zeroizing::new([7u8; 32])), line),
            Some(false)
        );
    }

    #[test]
    fn keyed_hash_needs_the_key() {
        let key = ChainKey::Keyed(Zeroizing::new([7u8; 32]));
        let (line, _) = sealed(&key, r#"{"seq":1}"#);
        let line = &line[..line.len() - 1];
        assert_eq!(line_intact(&key, line), Some(true));
        assert_eq!(line_intact(&ChainKey::Plain, line), Some(false));
        let other = ChainKey::Keyed(Zeroizing::new([8u8; 32]));
        assert_eq!(line_intact(&other, line), Some(false));
    }

    #[test]
    fn any_edited_byte_breaks_the_line() {
        let (line, _) = sealed(&ChainKey::Plain, r#"{"seq":12,"x":"abc"}"#);
        let line = &line[..line.len() - 1];
        for at in 0..line.len() {
            let mut edited = line.to_vec();
            edited[at] ^= 0x01;
            assert_ne!(
                line_intact(&ChainKey::Plain, &edited),
                Some(true),
                "byte {at}"
            );
        }
    }

    #[test]
    fn digest_hex_round_trips_and_rejects_uppercase() {
        let digest = Digest([0xab; 32]);
        let text = digest.to_string();
        assert_eq!(Digest::from_hex(text.as_bytes()), Some(digest));
        assert_eq!(Digest::from_hex(text.to_uppercase().as_bytes()), None);
        assert_eq!(Digest::from_hex(b"abc"), None);
        assert_eq!(GENESIS.to_string(), "0".repeat(64));
    }
}
