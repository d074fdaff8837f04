//! The protecting transformations of one value, and their inverses.
//!
//! Every function here takes decoded text (or raw JSON bytes for `encrypt`
//! of a whole object) and returns the protected text. They never fail on
//! input: a value too short to tokenize is masked instead (fail closed).

use aes::Aes256;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;
use fpe::ff1::{FF1, FlexibleNumeralString};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::ff1::{self, Operation};
use super::keyring::Key32;

/// Prefix of every encrypted value: `pii:v1:<kid>:<base64url(nonce ‖ ciphertext ‖ tag)>`.
pub const ENVELOPE_PREFIX: &str = "pii:v1:";

/// FF1's smallest allowed domain is 10^6: at least this many digits must be
/// tokenized (SP 800-38G Rev. 1).
pub const FF1_MIN_DIGITS: usize = 6;

/// What kind of JSON value an envelope holds, so `decrypt` can put back
/// exactly what was there (a number stays a number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// The decoded text of a JSON string.
    String,
    /// Raw JSON text: a number, literal, object or array.
    RawJson,
}

impl ValueKind {
    fn tag(self) -> u8 {
        match self {
            ValueKind::String => b's',
            ValueKind::RawJson => b'j',
        }
    }
}

/// Masks `text` by Unicode scalar values, keeping `keep_first` and
/// `keep_last` of them. At least one character is always masked (and at
/// least half of a short value), so a rule cannot let a short value through
/// whole.
pub fn mask(text: &str, keep_first: usize, keep_last: usize, mask_char: char) -> String {
    let count = text.chars().count();
    let max_kept = count / 2;
    let (mut first, mut last) = (keep_first, keep_last);
    if first + last > max_kept && first + last >= count {
        first = first.min(max_kept);
        last = last.min(max_kept - first);
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if i < first || i >= count - last {
            out.push(c);
        } else {
            out.push(mask_char);
        }
    }
    out
}

/// HMAC-SHA256 of `text` under a partner's hash key, as lowercase hex. The
/// same value gives the same output for one partner and unlinkable outputs
/// across partners (their keys differ).
pub fn hash(key: &Key32, text: &[u8]) -> String {
    let mut mac = <Hmac<Sha256>>::new_from_slice(key.as_ref()).expect("HMAC accepts 32-byte keys");
    mac.update(text);
    hex::encode(mac.finalize().into_bytes())
}

/// AES-256-GCM with a key bound to one partner; the AAD binds the category.
pub struct Sealer {
    kid: String,
    cipher: Aes256Gcm,
    partner: String,
}

impl Sealer {
    pub fn new(kid: &str, key: &Key32, partner: &str) -> Self {
        let cipher = Aes256Gcm::new_from_slice(key.as_ref()).expect("AES-256 takes 32-byte keys");
        Sealer {
            kid: kid.to_owned(),
            cipher,
            partner: partner.to_owned(),
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    fn aad(&self, category: &str) -> Vec<u8> {
        context(b"pii-proxy/v1\0", &self.partner, category)
    }

    /// Encrypts with a fresh random 96-bit nonce.
    pub fn seal(&self, category: &str, kind: ValueKind, value: &[u8]) -> String {
        let nonce = fresh_nonce();
        let mut plaintext = zeroize::Zeroizing::new(Vec::with_capacity(value.len() + 1));
        plaintext.push(kind.tag());
        plaintext.extend_from_slice(value);
        let aad = self.aad(category);
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &plaintext,
                    aad: &aad,
                },
            )
            .expect("AES-GCM encrypts any value below 64 GiB");
        let mut blob = Vec::with_capacity(12 + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        let mut envelope = String::with_capacity(
            ENVELOPE_PREFIX.len() + self.kid.len() + 1 + blob.len() * 4 / 3 + 4,
        );
        envelope.push_str(ENVELOPE_PREFIX);
        envelope.push_str(&self.kid);
        envelope.push(':');
        BASE64URL.encode_string(blob, &mut envelope);
        envelope
    }

    /// Decrypts the base64url part of an envelope for `category`; `None` if
    /// it does not authenticate (wrong key, partner or category, or altered).
    pub fn open(&self, category: &str, blob_b64: &str) -> Option<(ValueKind, Vec<u8>)> {
        let blob = BASE64URL.decode(blob_b64).ok()?;
        if blob.len() < 12 + 16 + 1 {
            return None;
        }
        let (nonce, sealed) = blob.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let aad = self.aad(category);
        let plain = self
            .cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .ok()?;
        let kind = match plain.first()? {
            b's' => ValueKind::String,
            b'j' => ValueKind::RawJson,
            _ => return None,
        };
        Some((kind, plain[1..].to_vec()))
    }
}

/// Splits an envelope into `(kid, base64url blob)`.
pub fn parse_envelope(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix(ENVELOPE_PREFIX)?;
    let (kid, blob) = rest.split_once(':')?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (valid(kid) && valid(blob)).then_some((kid, blob))
}

/// Format-preserving tokenization (FF1 over the decimal digits). The same
/// value gives the same token for one partner and category (the tweak binds
/// both), so partners can still join on it; `detokenize` reverses it.
pub struct Tokenizer {
    /// The same key twice: as a plain block cipher for the radix-10 fast
    /// path ([`ff1`]), and inside `fpe`'s FF1 for digit strings too long
    /// for it.
    cipher: Aes256,
    ff1: FF1<Aes256>,
    partner: String,
}

impl Tokenizer {
    pub fn new(key: &Key32, partner: &str) -> Self {
        let ff1 = FF1::<Aes256>::new(key.as_ref(), 10).expect("radix 10 is valid for FF1");
        Tokenizer {
            cipher: <Aes256 as aes::cipher::KeyInit>::new(&(**key).into()),
            ff1,
            partner: partner.to_owned(),
        }
    }

    fn tweak(&self, category: &str) -> Vec<u8> {
        context(b"", &self.partner, category)
    }

    /// Tokenizes the digits of `text`, keeping the last `keep_last` digits
    /// and every non-digit in place. Full-width digits count as digits and
    /// come out ASCII; invisible format characters are removed. With fewer
    /// than [`FF1_MIN_DIGITS`] digits to transform, the digits are masked
    /// instead: irreversible, but nothing leaks.
    pub fn tokenize(&self, category: &str, text: &str, keep_last: usize) -> String {
        self.transform(category, text, keep_last, Operation::Encrypt)
    }

    /// Reverses [`Tokenizer::tokenize`] for the same category and `keep_last`.
    pub fn detokenize(&self, category: &str, token: &str, keep_last: usize) -> String {
        self.transform(category, token, keep_last, Operation::Decrypt)
    }

    fn transform(
        &self,
        category: &str,
        text: &str,
        keep_last: usize,
        direction: Operation,
    ) -> String {
        let chars: Vec<char> = text.chars().filter(|c| !is_invisible(*c)).collect();
        let digits: Vec<u16> = chars.iter().filter_map(|c| digit_value(*c)).collect();
        let transformed = digits.len().saturating_sub(keep_last);
        let mut replaced: Vec<u16> = if transformed >= FF1_MIN_DIGITS {
            let tweak = self.tweak(category);
            if transformed <= ff1::FAST_MAX_DIGITS {
                let mut numerals = digits[..transformed].to_vec();
                ff1::transform(&self.cipher, &tweak, &mut numerals, direction);
                numerals
            } else {
                let numerals = FlexibleNumeralString::from(digits[..transformed].to_vec());
                let result = match direction {
                    Operation::Encrypt => self.ff1.encrypt(&tweak, &numerals),
                    Operation::Decrypt => self.ff1.decrypt(&tweak, &numerals),
                };
                result
                    .expect("digits are valid radix-10 numerals of FF1-legal length")
                    .into()
            }
        } else {
            Vec::new()
        };
        let masked = replaced.is_empty();
        replaced.extend_from_slice(&digits[transformed.min(digits.len())..]);
        let mut out = String::with_capacity(text.len());
        let mut next_digit = 0usize;
        for c in chars {
            match digit_value(c) {
                Some(_) if masked && next_digit < transformed => {
                    out.push('*');
                    next_digit += 1;
                }
                Some(_) => {
                    let index = if masked {
                        next_digit - transformed
                    } else {
                        next_digit
                    };
                    out.push(char::from(b'0' + replaced[index] as u8));
                    next_digit += 1;
                }
                None => out.push(c),
            }
        }
        out
    }
}

/// `prefix ‖ partner ‖ 0 ‖ category`: what binds a ciphertext or token to
/// its partner and category (AAD, FF1 tweak).
fn context(prefix: &[u8], partner: &str, category: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(prefix.len() + partner.len() + 1 + category.len());
    bytes.extend_from_slice(prefix);
    bytes.extend_from_slice(partner.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(category.as_bytes());
    bytes
}

/// A fresh 96-bit AES-GCM nonce from the OS random source. The bytes are
/// fetched 40 nonces at a time per thread (a `getrandom` call per value was
/// a twentieth of the engine's time) and each byte is handed out once, so
/// every nonce is still 96 independent random bits.
fn fresh_nonce() -> [u8; 12] {
    const BATCH: usize = 12 * 40;
    thread_local! {
        static POOL: std::cell::RefCell<([u8; BATCH], usize)> =
            const { std::cell::RefCell::new(([0; BATCH], BATCH)) };
    }
    POOL.with_borrow_mut(|(bytes, used)| {
        if *used == BATCH {
            getrandom::fill(bytes).expect("the OS random source is available");
            *used = 0;
        }
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&bytes[*used..*used + 12]);
        bytes[*used..*used + 12].fill(0);
        *used += 12;
        nonce
    })
}

/// ASCII and full-width decimal digits.
fn digit_value(c: char) -> Option<u16> {
    match c {
        '0'..='9' => Some(c as u16 - '0' as u16),
        '０'..='９' => Some(c as u16 - '０' as u16),
        _ => None,
    }
}

/// Zero-width and other invisible format characters used to split numbers.
/// The detectors drop the same set when they normalize text, so a
/// tokenized value loses exactly the characters its match looked through.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn key(byte: u8) -> Key32 {
        Zeroizing::new([byte; 32])
    }

    #[test]
    fn nonces_never_repeat_across_pool_refills() {
        let nonces: std::collections::HashSet<[u8; 12]> =
            (0..1000).map(|_| fresh_nonce()).collect();
        assert_eq!(nonces.len(), 1000);
        assert!(!nonces.contains(&[0u8; 12]));
    }

    #[test]
    fn mask_counts_unicode_scalars() {
        assert_eq!(mask("张三丰", 1, 0, '*'), "张**");
        assert_eq!(mask("13812345678", 3, 4, '*'), "138****5678");
        assert_eq!(mask("abc", 0, 0, '#'), "###");
    }

    #[test]
    fn mask_never_keeps_a_short_value_whole() {
        assert_eq!(mask("张三", 1, 1, '*'), "张*");
        assert_eq!(mask("ab", 3, 4, '*'), "a*");
        assert_eq!(mask("a", 1, 0, '*'), "*");
        assert_eq!(mask("", 1, 0, '*'), "");
    }

    #[test]
    fn hash_is_deterministic_per_key_and_unlinkable_across_keys() {
        let a1 = hash(&key(1), b"110101199003074578");
        assert_eq!(a1, hash(&key(1), b"110101199003074578"));
        assert_ne!(a1, hash(&key(2), b"110101199003074578"));
        assert_eq!(a1.len(), 64);
    }

    #[test]
    fn seal_round_trips_and_binds_partner_and_category() {
        let sealer = Sealer::new("k1", &key(3), "bureau");
        let envelope = sealer.seal(
            "id_number",
            ValueKind::String,
            "110101199003074578".as_bytes(),
        );
        assert!(envelope.starts_with("pii:v1:k1:"), "{envelope}");
        let (kid, blob) = parse_envelope(&envelope).expect("well-formed");
        assert_eq!(kid, "k1");
        let (kind, plain) = sealer.open("id_number", blob).expect("opens");
        assert_eq!(
            (kind, plain.as_slice()),
            (ValueKind::String, "110101199003074578".as_bytes())
        );
        assert!(sealer.open("phone", blob).is_none(), "category is bound");
        assert!(
            Sealer::new("k1", &key(3), "other")
                .open("id_number", blob)
                .is_none(),
            "partner is bound"
        );
        let again = sealer.seal(
            "id_number",
            ValueKind::String,
            "110101199003074578".as_bytes(),
        );
        assert_ne!(envelope, again, "fresh nonce per value");
    }

    #[test]
    fn tokenize_preserves_format_and_reverses() {
        let tokenizer = Tokenizer::new(&key(4), "merchant");
        let card = "6222 0212 3456 7890 128";
        let token = tokenizer.tokenize("bank_card", card, 4);
        assert_eq!(token.len(), card.len());
        assert!(token.ends_with("0 128"), "{token}");
        assert_ne!(token, card);
        assert_eq!(
            token,
            tokenizer.tokenize("bank_card", card, 4),
            "deterministic"
        );
        assert_ne!(
            token,
            tokenizer.tokenize("phone", card, 4),
            "category is in the tweak"
        );
        assert_ne!(
            token,
            Tokenizer::new(&key(4), "other").tokenize("bank_card", card, 4)
        );
        assert_eq!(tokenizer.detokenize("bank_card", &token, 4), card);
    }

    #[test]
    fn tokenize_handles_fullwidth_and_invisible_digits() {
        let tokenizer = Tokenizer::new(&key(5), "p");
        let token = tokenizer.tokenize("phone", "１３８\u{200B}1234\u{200B}5678", 4);
        assert_eq!(token.chars().count(), 11);
        assert!(token.chars().all(|c| c.is_ascii_digit()), "{token}");
        assert_eq!(tokenizer.detokenize("phone", &token, 4), "13812345678");
    }

    #[test]
    fn tokenize_masks_what_ff1_cannot_cover() {
        let tokenizer = Tokenizer::new(&key(6), "p");
        assert_eq!(tokenizer.tokenize("custom", "12345678", 4), "****5678");
        assert_eq!(tokenizer.tokenize("custom", "AB-12", 0), "AB-**");
    }
}
