//! The cipher suites a partner's values are protected with: `aes` (the
//! default: AES-256-GCM, FF1 over AES-256, HMAC-SHA256) and `sm`, the
//! national (国密) suite a rules file asks for with `crypto: sm`: SM4-GCM
//! (GB/T 32907 SM4 in the GCM mode of NIST SP 800-38D, as RFC 8998 uses it
//! in TLS), FF1 over SM4, HMAC-SM3 (GB/T 32905 SM3 in RFC 2104's HMAC).
//!
//! Owns the primitives of each suite behind one enum per use, so the
//! actions ([`super::actions`]) hold one value whatever the suite and pay
//! one `match` per value. Knows nothing of rules or payloads. SM4 takes a
//! 128-bit key: it is the first half of the 256-bit key the keyring
//! derives for the purpose under the suite's own label, so no key is ever
//! shared between the suites.

use aes::Aes256;
use aes::cipher::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use fpe::ff1::FF1;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sm3::Sm3;
use sm4::Sm4;

use super::keyring::Key32;

/// SM4 in GCM with a 96-bit nonce and a 128-bit tag.
pub type Sm4Gcm = AesGcm<Sm4, U12>;

/// Which algorithms protect a partner's values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Suite {
    /// AES-256-GCM, FF1 over AES-256, HMAC-SHA256.
    #[default]
    Aes,
    /// SM4-GCM, FF1 over SM4, HMAC-SM3.
    Sm,
}

/// Prefix of an AES-256-GCM envelope.
pub const AES_ENVELOPE_PREFIX: &str = "pii:v1:";
/// Prefix of an SM4-GCM envelope.
pub const SM_ENVELOPE_PREFIX: &str = "pii:sm1:";

impl Suite {
    pub const ALL: [Suite; 2] = [Suite::Aes, Suite::Sm];

    /// The name rules files use (`crypto: sm`).
    pub fn name(self) -> &'static str {
        match self {
            Suite::Aes => "aes",
            Suite::Sm => "sm",
        }
    }

    /// `pii:v1:` or `pii:sm1:`: which suite sealed an envelope is in its
    /// first bytes, so `decrypt` opens both.
    pub fn envelope_prefix(self) -> &'static str {
        match self {
            Suite::Aes => AES_ENVELOPE_PREFIX,
            Suite::Sm => SM_ENVELOPE_PREFIX,
        }
    }

    /// The start of the AAD: binds an envelope to its suite's format.
    pub(super) fn aad_prefix(self) -> &'static [u8] {
        match self {
            Suite::Aes => b"pii-proxy/v1\0",
            Suite::Sm => b"pii-proxy/sm1\0",
        }
    }

    /// The suite whose envelope `text` starts with, and the rest.
    pub fn of_envelope(text: &str) -> Option<(Suite, &str)> {
        Suite::ALL
            .into_iter()
            .find_map(|suite| Some((suite, text.strip_prefix(suite.envelope_prefix())?)))
    }
}

/// Where the first envelope of either suite starts in `text`, and the
/// length of its prefix.
pub fn find_envelope(text: &str) -> Option<(usize, usize)> {
    Suite::ALL
        .into_iter()
        .filter_map(|suite| {
            let prefix = suite.envelope_prefix();
            text.find(prefix).map(|at| (at, prefix.len()))
        })
        .min()
}

/// The keyed hash of the suite, as 64 lowercase hex digits.
pub fn keyed_hash(suite: Suite, key: &Key32, text: &[u8]) -> String {
    match suite {
        Suite::Aes => {
            let mut mac =
                <Hmac<Sha256>>::new_from_slice(key.as_ref()).expect("HMAC accepts 32-byte keys");
            mac.update(text);
            hex::encode(mac.finalize().into_bytes())
        }
        Suite::Sm => {
            let mut mac =
                <Hmac<Sm3>>::new_from_slice(key.as_ref()).expect("HMAC accepts 32-byte keys");
            mac.update(text);
            hex::encode(mac.finalize().into_bytes())
        }
    }
}

/// The AEAD of a suite, keyed.
pub(super) enum SuiteAead {
    Aes(Box<Aes256Gcm>),
    Sm(Box<Sm4Gcm>),
}

impl SuiteAead {
    pub(super) fn new(suite: Suite, key: &Key32) -> SuiteAead {
        match suite {
            Suite::Aes => SuiteAead::Aes(Box::new(
                Aes256Gcm::new_from_slice(key.as_ref()).expect("AES-256 takes 32-byte keys"),
            )),
            Suite::Sm => SuiteAead::Sm(Box::new(
                Sm4Gcm::new_from_slice(&key[..16]).expect("SM4 takes 16-byte keys"),
            )),
        }
    }

    pub(super) fn seal(&self, nonce: [u8; 12], msg: &[u8], aad: &[u8]) -> Vec<u8> {
        let nonce = Nonce::from(nonce);
        let payload = Payload { msg, aad };
        match self {
            SuiteAead::Aes(c) => c.encrypt(&nonce, payload),
            SuiteAead::Sm(c) => c.encrypt(&nonce, payload),
        }
        .expect("GCM encrypts any value below 64 GiB")
    }

    pub(super) fn open(&self, nonce: [u8; 12], msg: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        let nonce = Nonce::from(nonce);
        let payload = Payload { msg, aad };
        match self {
            SuiteAead::Aes(c) => c.decrypt(&nonce, payload),
            SuiteAead::Sm(c) => c.decrypt(&nonce, payload),
        }
        .ok()
    }
}

/// The block cipher of a suite's FF1, twice: as a plain block cipher for
/// the radix-10 fast path ([`super::ff1`]), and inside `fpe`'s FF1 for
/// digit strings too long for it.
pub(super) enum SuiteFf1 {
    Aes(Box<(Aes256, FF1<Aes256>)>),
    Sm(Box<(Sm4, FF1<Sm4>)>),
}

impl SuiteFf1 {
    pub(super) fn new(suite: Suite, key: &Key32) -> SuiteFf1 {
        match suite {
            Suite::Aes => SuiteFf1::Aes(Box::new((
                <Aes256 as KeyInit>::new(&(**key).into()),
                FF1::<Aes256>::new(key.as_ref(), 10).expect("radix 10 is valid for FF1"),
            ))),
            Suite::Sm => SuiteFf1::Sm(Box::new((
                Sm4::new_from_slice(&key[..16]).expect("SM4 takes 16-byte keys"),
                FF1::<Sm4>::new(&key[..16], 10).expect("radix 10 is valid for FF1"),
            ))),
        }
    }

    /// FF1 on `digits` in place (6 to [`super::ff1::FAST_MAX_DIGITS`]
    /// digits on the fast path, longer through `fpe`).
    pub(super) fn transform(&self, tweak: &[u8], digits: &mut Vec<u16>, encrypt: bool) {
        use super::ff1::{self, FAST_MAX_DIGITS, Operation};
        use fpe::ff1::FlexibleNumeralString;
        let direction = if encrypt {
            Operation::Encrypt
        } else {
            Operation::Decrypt
        };
        if digits.len() <= FAST_MAX_DIGITS {
            match self {
                SuiteFf1::Aes(c) => ff1::transform(&c.0, tweak, digits, direction),
                SuiteFf1::Sm(c) => ff1::transform(&c.0, tweak, digits, direction),
            }
            return;
        }
        let numerals = FlexibleNumeralString::from(std::mem::take(digits));
        let result = match (self, encrypt) {
            (SuiteFf1::Aes(c), true) => c.1.encrypt(tweak, &numerals),
            (SuiteFf1::Aes(c), false) => c.1.decrypt(tweak, &numerals),
            (SuiteFf1::Sm(c), true) => c.1.encrypt(tweak, &numerals),
            (SuiteFf1::Sm(c), false) => c.1.decrypt(tweak, &numerals),
        };
        *digits = result
            .expect("digits are valid radix-10 numerals of FF1-legal length")
            .into();
    }
}

#[cfg(test)]
mod tests;
