//! Signed checkpoints: the C2SP `signed-note` / `tlog-checkpoint` text a
//! replica signs over its tree, the Ed25519 keys (aws-lc-rs) that sign and
//! verify it, and the verifier-key text `audit pubkey` exports.
//!
//! A checkpoint note is
//!
//! ```text
//! pii-proxy/main                 origin
//! 1042                           tree size (records 1..=1042)
//! 3q2+7w…=                       base64 root hash
//! replica main                   extension lines
//! time 2026-11-23T05:00:00.123Z
//!
//! — pii-proxy/main/k1 AbCd…==    signature line: key name, base64(key id ‖ signature)
//! ```
//!
//! The signature is Ed25519 over every byte before the blank line. The key
//! id is the first 4 bytes of SHA-256(name ‖ `\n` ‖ 0x01 ‖ public key), as
//! in the note format, so any signed-note verifier given the exported
//! verifier key (`name+<8 hex>+<base64(0x01 ‖ public key)>`) checks it.
//!
//! Keys: one Ed25519 key per replica and keyring key, its seed derived
//! from the keyring (see [`crate::protect::Keyring::audit_signing_seed`]),
//! so `keygen --rotate` starts a new signing key and every older one still
//! verifies. The private half never leaves the process.
//!
//! Fails closed: a note that does not parse, names no known key or whose
//! signature does not check is an error naming which.

use std::fmt;

use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest as _, Sha256};

use super::chain::Digest;
use super::merkle::TreeHash;

/// Ed25519 in the note format's signature-type byte.
const ED25519_TYPE: u8 = 0x01;
/// Signature lines start with an em dash and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("not a checkpoint note: {0}")]
    Malformed(String),
    #[error("no signature by a known key (signed by: {0})")]
    UnknownKey(String),
    #[error(
        "the signature by `{0}` does not verify: the note was altered or signed by another key"
    )]
    BadSignature(String),
}

/// What a checkpoint states: a tree of `size` records with `root`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Digest,
    pub hash: TreeHash,
    pub replica: String,
    /// RFC 3339, when the writer made it.
    pub time: String,
}

impl Checkpoint {
    /// The signed text: origin, size, root, extension lines, each ending
    /// in `\n`.
    pub fn body(&self) -> String {
        let mut text = format!(
            "{}\n{}\n{}\nreplica {}\ntime {}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root.0),
            self.replica,
            self.time
        );
        if self.hash != TreeHash::Sha256 {
            text.push_str(&format!("hash {}\n", self.hash.name()));
        }
        text
    }

    fn parse_body(body: &str) -> Result<Checkpoint, NoteError> {
        let bad = |why: &str| NoteError::Malformed(why.to_owned());
        let mut lines = body.lines();
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(bad("no origin line"))?;
        let size = lines
            .next()
            .and_then(|s| s.parse::<u64>().ok().filter(|_| !s.starts_with('+')))
            .ok_or(bad("the second line is not a tree size"))?;
        let root = lines
            .next()
            .and_then(|r| BASE64.decode(r).ok())
            .and_then(|r| <[u8; 32]>::try_from(r.as_slice()).ok())
            .ok_or(bad("the third line is not a base64 256-bit root hash"))?;
        let (mut replica, mut time, mut hash) = (None, None, TreeHash::Sha256);
        for line in lines {
            match line.split_once(' ') {
                Some(("replica", v)) => replica = Some(v.to_owned()),
                Some(("time", v)) => time = Some(v.to_owned()),
                Some(("hash", name)) => {
                    hash = TreeHash::from_name(name).ok_or(bad("unknown `hash` extension"))?
                }
                _ => {}
            }
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root: Digest(root),
            hash,
            replica: replica.ok_or(bad("no `replica` line"))?,
            time: time.ok_or(bad("no `time` line"))?,
        })
    }
}

/// A checkpoint with its signature lines, as a witness keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    pub checkpoint: Checkpoint,
    /// (key name, key id ‖ signature bytes), in order.
    pub signatures: Vec<(String, Vec<u8>)>,
}

impl fmt::Display for SignedNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.checkpoint.body())?;
        f.write_str("\n")?;
        for (name, sig) in &self.signatures {
            writeln!(f, "{SIGNATURE_PREFIX}{name} {}", BASE64.encode(sig))?;
        }
        Ok(())
    }
}

impl SignedNote {
    /// Parses the note text (body, blank line, signature lines).
    pub fn parse(text: &str) -> Result<SignedNote, NoteError> {
        let bad = |why: &str| NoteError::Malformed(why.to_owned());
        let (body, sigs) = text
            .split_once("\n\n")
            .ok_or(bad("no blank line before the signatures"))?;
        let body = format!("{body}\n");
        let checkpoint = Checkpoint::parse_body(&body)?;
        if checkpoint.body() != body {
            return Err(bad(
                "extension lines other than `replica`, `time` and `hash`",
            ));
        }
        let mut signatures = Vec::new();
        for line in sigs.lines().filter(|l| !l.is_empty()) {
            let rest = line
                .strip_prefix(SIGNATURE_PREFIX)
                .ok_or(bad("a signature line must start with `— `"))?;
            let (name, sig) = rest
                .split_once(' ')
                .ok_or(bad("signature line without a key name"))?;
            let sig = BASE64
                .decode(sig)
                .map_err(|_| bad("signature is not base64"))?;
            if sig.len() < 5 {
                return Err(bad("signature too short"));
            }
            signatures.push((name.to_owned(), sig));
        }
        if signatures.is_empty() {
            return Err(bad("no signature line"));
        }
        Ok(SignedNote {
            checkpoint,
            signatures,
        })
    }

    /// The name of the first known key whose signature verifies; an error
    /// when a known key's signature fails or no key is known.
    pub fn verify(&self, keys: &Verifiers) -> Result<&str, NoteError> {
        let body = self.checkpoint.body();
        for (name, sig) in &self.signatures {
            let (id, signature) = sig.split_at(4);
            let id = u32::from_be_bytes(id.try_into().expect("split at 4"));
            let Some(key) = keys.find(name, id) else {
                continue;
            };
            return if key.verify(body.as_bytes(), signature) {
                Ok(name)
            } else {
                Err(NoteError::BadSignature(name.clone()))
            };
        }
        let names: Vec<&str> = self.signatures.iter().map(|(n, _)| n.as_str()).collect();
        Err(NoteError::UnknownKey(names.join(", ")))
    }
}

/// The note format's key id of an Ed25519 public key.
fn key_id(name: &str, public: &[u8]) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n");
    hasher.update([ED25519_TYPE]);
    hasher.update(public);
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// One replica's signing key.
pub struct Signer {
    name: String,
    id: u32,
    pair: Ed25519KeyPair,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer({}+{:08x})", self.name, self.id)
    }
}

impl Signer {
    /// From a 32-byte seed (derived from the keyring, never stored).
    pub fn from_seed(name: String, seed: &[u8; 32]) -> Signer {
        let pair =
            Ed25519KeyPair::from_seed_unchecked(seed).expect("any 32 bytes are an Ed25519 seed");
        let id = key_id(&name, pair.public_key().as_ref());
        Signer { name, id, pair }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Key id ‖ Ed25519 signature over the checkpoint's body.
    pub fn sign(&self, checkpoint: &Checkpoint) -> Vec<u8> {
        let mut out = self.id.to_be_bytes().to_vec();
        out.extend_from_slice(self.pair.sign(checkpoint.body().as_bytes()).as_ref());
        out
    }

    pub fn verifier(&self) -> Verifier {
        let public: [u8; 32] = self
            .pair
            .public_key()
            .as_ref()
            .try_into()
            .expect("an Ed25519 public key is 32 bytes");
        Verifier {
            name: self.name.clone(),
            id: self.id,
            public,
        }
    }
}

/// A public key that checks checkpoint signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    pub name: String,
    pub id: u32,
    public: [u8; 32],
}

impl fmt::Display for Verifier {
    /// The note format's verifier key: `name+<8 hex id>+<base64(0x01 ‖ key)>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut key = vec![ED25519_TYPE];
        key.extend_from_slice(&self.public);
        write!(f, "{}+{:08x}+{}", self.name, self.id, BASE64.encode(key))
    }
}

impl Verifier {
    pub fn parse(text: &str) -> Result<Verifier, NoteError> {
        let bad = |why: &str| NoteError::Malformed(format!("verifier key: {why}"));
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected name+id+key"));
        };
        let id = u32::from_str_radix(id, 16).map_err(|_| bad("the id is not 8 hex digits"))?;
        let key = BASE64
            .decode(key)
            .map_err(|_| bad("the key is not base64"))?;
        let public: [u8; 32] = match key.split_first() {
            Some((&ED25519_TYPE, rest)) => rest.try_into().map_err(|_| bad("not 32 key bytes"))?,
            _ => return Err(bad("not an Ed25519 key (type 0x01)")),
        };
        if key_id(name, &public) != id {
            return Err(bad("the id does not match the name and key"));
        }
        Ok(Verifier {
            name: name.to_owned(),
            id,
            public,
        })
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.public)
            .verify(message, signature)
            .is_ok()
    }
}

/// The keys a verification trusts.
#[derive(Debug, Clone, Default)]
pub struct Verifiers(Vec<Verifier>);

impl Verifiers {
    pub fn new(keys: Vec<Verifier>) -> Verifiers {
        Verifiers(keys)
    }

    /// One verifier key per line (`#` comments and blank lines skipped).
    pub fn parse(text: &str) -> Result<Verifiers, NoteError> {
        let keys = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(Verifier::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Verifiers(keys))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn keys(&self) -> &[Verifier] {
        &self.0
    }

    fn find(&self, name: &str, id: u32) -> Option<&Verifier> {
        self.0.iter().find(|k| k.name == name && k.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Checkpoint {
        Checkpoint {
            origin: "pii-proxy/main".into(),
            size: 42,
            root: Digest([7; 32]),
            hash: TreeHash::Sha256,
            replica: "main".into(),
            time: "2026-11-23T05:00:00.123Z".into(),
        }
    }

    fn signed(signer: &Signer) -> SignedNote {
        let checkpoint = sample();
        let sig = signer.sign(&checkpoint);
        SignedNote {
            checkpoint,
            signatures: vec![(signer.name().to_owned(), sig)],
        }
    }

    #[test]
    fn a_note_round_trips_and_verifies_with_the_exported_key() {
        let signer = Signer::from_seed("pii-proxy/main/k1".into(), &[3; 32]);
        let note = signed(&signer);
        let text = note.to_string();
        assert!(text.starts_with("pii-proxy/main\n42\nBwcH"));
        assert!(text.contains("\n\n\u{2014} pii-proxy/main/k1 "));
        let back = SignedNote::parse(&text).expect("parses");
        assert_eq!(back, note);
        let exported = signer.verifier().to_string();
        let keys = Verifiers::parse(&format!("# keys\n{exported}\n")).expect("key parses");
        assert_eq!(back.verify(&keys), Ok("pii-proxy/main/k1"));
    }

    #[test]
    fn an_sm3_tree_is_named_in_the_signed_note_and_read_back() {
        let signer = Signer::from_seed("pii-proxy/main/k1".into(), &[3; 32]);
        let checkpoint = Checkpoint {
            hash: TreeHash::Sm3,
            ..sample()
        };
        assert!(checkpoint.body().ends_with("hash sm3\n"));
        assert!(!sample().body().contains("hash "));
        let note = SignedNote {
            signatures: vec![(signer.name().to_owned(), signer.sign(&checkpoint))],
            checkpoint,
        };
        let keys = Verifiers::parse(&signer.verifier().to_string()).expect("key parses");
        let back = SignedNote::parse(&note.to_string()).expect("parses");
        assert_eq!(back.checkpoint.hash, TreeHash::Sm3);
        assert_eq!(back.verify(&keys), Ok("pii-proxy/main/k1"));
        // The function is signed: read as SHA-256, the note does not verify.
        let relabelled = note.to_string().replace("hash sm3\n", "");
        let relabelled = SignedNote::parse(&relabelled).expect("parses");
        assert!(relabelled.verify(&keys).is_err());
        let unknown = note.to_string().replace("hash sm3", "hash md5");
        assert!(SignedNote::parse(&unknown).is_err());
    }

    #[test]
    fn an_altered_note_or_another_key_fails() {
        let signer = Signer::from_seed("pii-proxy/main/k1".into(), &[3; 32]);
        let keys = Verifiers::new(vec![signer.verifier()]);
        let text = signed(&signer).to_string();
        let altered = text.replacen("\n42\n", "\n41\n", 1);
        let note = SignedNote::parse(&altered).expect("still parses");
        assert!(matches!(
            note.verify(&keys),
            Err(NoteError::BadSignature(_))
        ));
        let other = Signer::from_seed("pii-proxy/main/k1".into(), &[4; 32]);
        let by_other = signed(&other);
        assert!(matches!(
            by_other.verify(&keys),
            Err(NoteError::UnknownKey(_))
        ));
        assert!(SignedNote::parse("pii-proxy/main\n42\n").is_err());
        assert!(SignedNote::parse(&text.replace("replica main\n", "")).is_err());
    }

    #[test]
    fn verifier_keys_refuse_a_wrong_id() {
        let signer = Signer::from_seed("n".into(), &[9; 32]);
        let text = signer.verifier().to_string();
        assert!(Verifier::parse(&text).is_ok());
        let (name, rest) = text.split_once('+').expect("plus");
        assert!(Verifier::parse(&format!("{name}x+{rest}")).is_err());
    }
}
