//! The protecting transformations of one value, and their inverses.
//!
//! Every function here takes decoded text (or raw JSON bytes for `encrypt`
//! of a whole object) and returns the protected text. They never fail on
//! input: a value too short to tokenize is masked instead (fail closed).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;

use super::keyring::Key32;
use super::suite::{Suite, SuiteAead, SuiteFf1};

/// Prefix of every AES-256-GCM value: `pii:v1:<kid>:<base64url(nonce ‖
/// ciphertext ‖ tag)>`; SM4-GCM values start `pii:sm1:` instead
/// ([`super::suite::SM_ENVELOPE_PREFIX`]).
pub const ENVELOPE_PREFIX: &str = super::suite::AES_ENVELOPE_PREFIX;

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
    super::suite::keyed_hash(Suite::Aes, key, text)
}

/// AES-256-GCM (or SM4-GCM) with a key bound to one partner; the AAD binds
/// the suite, the partner and the category.
pub struct Sealer {
    kid: String,
    suite: Suite,
    cipher: SuiteAead,
    partner: String,
}

impl Sealer {
    /// An AES-256-GCM sealer.
    pub fn new(kid: &str, key: &Key32, partner: &str) -> Self {
        Self::with_suite(Suite::Aes, kid, key, partner)
    }

    pub fn with_suite(suite: Suite, kid: &str, key: &Key32, partner: &str) -> Self {
        Sealer {
            kid: kid.to_owned(),
            suite,
            cipher: SuiteAead::new(suite, key),
            partner: partner.to_owned(),
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn suite(&self) -> Suite {
        self.suite
    }

    fn aad(&self, category: &str) -> Vec<u8> {
        context(self.suite.aad_prefix(), &self.partner, category)
    }

    /// Encrypts with a fresh random 96-bit nonce.
    pub fn seal(&self, category: &str, kind: ValueKind, value: &[u8]) -> String {
        let nonce = fresh_nonce();
        let mut plaintext = zeroize::Zeroizing::new(Vec::with_capacity(value.len() + 1));
        plaintext.push(kind.tag());
        plaintext.extend_from_slice(value);
        let aad = self.aad(category);
        let sealed = self.cipher.seal(nonce, &plaintext, &aad);
        let mut blob = Vec::with_capacity(12 + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        let prefix = self.suite.envelope_prefix();
        let mut envelope =
            String::with_capacity(prefix.len() + self.kid.len() + 1 + blob.len() * 4 / 3 + 4);
        envelope.push_str(prefix);
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
        let plain = self.cipher.open(nonce, sealed, &aad)?;
        let kind = match plain.first()? {
            b's' => ValueKind::String,
            b'j' => ValueKind::RawJson,
            _ => return None,
        };
        Some((kind, plain[1..].to_vec()))
    }
}

/// Splits an envelope of either suite into `(suite, kid, base64url blob)`.
pub fn parse_envelope(text: &str) -> Option<(Suite, &str, &str)> {
    let (suite, rest) = Suite::of_envelope(text)?;
    let (kid, blob) = rest.split_once(':')?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (valid(kid) && valid(blob)).then_some((suite, kid, blob))
}

/// Format-preserving tokenization (FF1 over the decimal digits). The same
/// value gives the same token for one partner and category (the tweak binds
/// both), so partners can still join on it; `detokenize` reverses it.
pub struct Tokenizer {
    /// FF1 over AES-256 or SM4.
    cipher: SuiteFf1,
    partner: String,
}

impl Tokenizer {
    /// FF1 over AES-256.
    pub fn new(key: &Key32, partner: &str) -> Self {
        Self::with_suite(Suite::Aes, key, partner)
    }

    pub fn with_suite(suite: Suite, key: &Key32, partner: &str) -> Self {
        Tokenizer {
            cipher: SuiteFf1::new(suite, key),
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
        self.transform(category, text, keep_last, true)
    }

    /// Reverses [`Tokenizer::tokenize`] for the same category and `keep_last`.
    pub fn detokenize(&self, category: &str, token: &str, keep_last: usize) -> String {
        self.transform(category, token, keep_last, false)
    }

    fn transform(&self, category: &str, text: &str, keep_last: usize, encrypt: bool) -> String {
        let chars: Vec<char> = text.chars().filter(|c| !is_invisible(*c)).collect();
        let digits: Vec<u16> = chars.iter().filter_map(|c| digit_value(*c)).collect();
        let transformed = digits.len().saturating_sub(keep_last);
        let mut replaced: Vec<u16> = if transformed >= FF1_MIN_DIGITS {
            let mut numerals = digits[..transformed].to_vec();
            self.cipher
                .transform(&self.tweak(category), &mut numerals, encrypt);
            numerals
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
        let (_, kid, blob) = parse_envelope(&envelope).expect("well-formed");
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
    fn the_sm_suite_seals_and_tokenizes_in_its_own_envelope() {
        let sealer = Sealer::with_suite(Suite::Sm, "k1", &key(3), "bureau");
        let envelope = sealer.seal("id_number", ValueKind::String, b"110101199003074578");
        assert!(envelope.starts_with("pii:sm1:k1:"), "{envelope}");
        let (suite, kid, blob) = parse_envelope(&envelope).expect("well-formed");
        assert_eq!((suite, kid), (Suite::Sm, "k1"));
        let (_, plain) = sealer.open("id_number", blob).expect("opens");
        assert_eq!(plain, b"110101199003074578");
        let aes = Sealer::new("k1", &key(3), "bureau");
        assert!(aes.open("id_number", blob).is_none(), "AES cannot open SM4");
        let sm = Tokenizer::with_suite(Suite::Sm, &key(4), "merchant");
        let card = "6222 0212 3456 7890 128";
        let token = sm.tokenize("bank_card", card, 4);
        assert_eq!(token.len(), card.len());
        assert!(token.ends_with("0 128"), "{token}");
        assert_ne!(
            token,
            Tokenizer::new(&key(4), "merchant").tokenize("bank_card", card, 4)
        );
        assert_eq!(sm.detokenize("bank_card", &token, 4), card);
        let long: String = "1234567890".repeat(5);
        let long_token = sm.tokenize("custom", &long, 0);
        assert_eq!(
            sm.detokenize("custom", &long_token, 0),
            long,
            "past the fast path"
        );
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
