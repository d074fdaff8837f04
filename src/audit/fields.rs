//! The field types of audit records, built so that a raw personal value
//! cannot get in.
//!
//! Every string in a record is one of these newtypes, each made through a
//! constructor that checks or blanks it:
//! - [`Ident`] (partner, method, category, action, detector, reason code):
//!   identifiers from the config and the code, under the one rule of
//!   [`crate::ident`] (no run of 6+ digits, no `@`).
//! - [`AuditPath`]: the request path without query or fragment; any segment
//!   that could carry a value (6+ digit run, `@`, `%`, non-ASCII, over 64
//!   bytes) becomes `*`.
//! - [`FieldPath`]: a JSON path; any key or index that could carry a value
//!   (6+ digit run, `@`, control characters) becomes `*`.
//! - [`SubjectHash`]: only made by [`SubjectHasher`] (keyed HMAC-SHA256).
//! - [`RulesVersion`]: a fixed alphabet.
//!
//! Deserializing applies the same checks, so `search` and `stats` read back
//! only what the writer could have written.
//!
//! [`Ident`]: crate::ident::Ident

use std::fmt;
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::AuditError;
use super::chain::Digest;
fn invalid(field: &'static str, reason: &'static str) -> AuditError {
    AuditError::InvalidField { field, reason }
}

use crate::ident::looks_like_a_value;

macro_rules! string_newtype_serde {
    ($name:ident, $parse:expr) => {
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                let parse: fn(&str) -> Result<$name, AuditError> = $parse;
                parse(&text).map_err(serde::de::Error::custom)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// The request path as audited: no query, no fragment, and `*` for every
/// segment that could carry a value (`/v1/users/110101199003077777/card`
/// becomes `/v1/users/*/card`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct AuditPath(String);

impl AuditPath {
    /// From a request target (`/path?query#fragment`); never fails.
    pub fn from_request(target: &str) -> AuditPath {
        let path = target.split(['?', '#']).next().unwrap_or_default();
        let mut out = String::with_capacity(path.len().min(512));
        if !path.starts_with('/') {
            out.push('/');
        }
        for (i, segment) in path.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            let risky = segment.len() > 64
                || looks_like_a_value(segment)
                || digit_count(segment) >= VALUE_DIGITS
                || could_be_a_name(segment)
                || !segment
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !b"%\"\\".contains(&b));
            out.push_str(if risky { "*" } else { segment });
        }
        if out.len() > 512 {
            out.truncate(511);
            out.push('*');
        }
        AuditPath(out)
    }

    fn parse(text: &str) -> Result<AuditPath, AuditError> {
        let path = AuditPath::from_request(text);
        if path.0 == text {
            Ok(path)
        } else {
            Err(invalid("path", "not in the form the audit writer produces"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype_serde!(AuditPath, AuditPath::parse);

/// A JSON path naming a field (`$.user.id_number`, `$.items[2].phone`),
/// with `*` for every key or index that could itself be a value (an object
/// keyed by phone number, say).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FieldPath(String);

impl FieldPath {
    /// From the engine's path text; never fails. Keys and indexes are the
    /// runs between `.`, `[` and `]`; a quoted key (`['a.b']`) is one.
    /// A run of short numeric keys joined by `.` (`query:138.0013.8000`)
    /// is judged as one value: its digits together.
    pub fn new(path: &str) -> FieldPath {
        // Remembered per thread: a partner's share records name the same
        // few dozen path patterns on every request.
        thread_local! {
            static MADE: std::cell::RefCell<crate::memo::SlotMemo<FieldPath, 512>> =
                const { std::cell::RefCell::new(crate::memo::SlotMemo::new(256)) };
        }
        MADE.with(|memo| match memo.try_borrow_mut() {
            Ok(mut memo) => memo.get(path, FieldPath::make),
            Err(_) => FieldPath::make(path),
        })
    }

    fn make(path: &str) -> FieldPath {
        let tokens = path_tokens(path);
        let mut risky: Vec<bool> = tokens
            .iter()
            .map(|t| match t {
                PathToken::Place(_) | PathToken::Punct(_) => false,
                PathToken::Key(key) => key_is_risky(key),
            })
            .collect();
        blank_dotted_numbers(&tokens, &mut risky);
        let mut out = String::with_capacity(path.len().min(512));
        for (token, risky) in tokens.iter().zip(risky) {
            match token {
                PathToken::Place(place) => out.push_str(place),
                PathToken::Punct(c) => out.push(*c),
                PathToken::Key(_) if risky => out.push('*'),
                PathToken::Key(key) => out.push_str(key),
            }
        }
        if out.len() > 512 {
            let mut cut = 511;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push('*');
        }
        FieldPath(out)
    }

    fn parse(text: &str) -> Result<FieldPath, AuditError> {
        let path = FieldPath::new(text);
        if path.0 == text {
            Ok(path)
        } else {
            Err(invalid(
                "field path",
                "not in the form the audit writer produces",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype_serde!(FieldPath, FieldPath::parse);

/// Whether a key could carry a value.
fn key_is_risky(key: &str) -> bool {
    looks_like_a_value(key)
        || digit_count(key) >= VALUE_DIGITS
        || could_be_a_name(key)
        || key.chars().any(|c| c.is_control() || c == '\\')
        || key.len() > 128
}

/// Digits in a key or segment, whatever separates them, from which it is
/// taken for a value (`1101-0519-4912-3100-2X`): the shortest personal
/// numbers the detectors know (a six-digit code, a date) are this long.
const VALUE_DIGITS: usize = 6;

/// A key or segment that may be a person's name: a full name in pinyin
/// as one word (`zhangsanfeng`), a name by its shape (`张三丰`, `Zhang
/// San`), or Chinese text with no word of the key vocabulary in it.
fn could_be_a_name(text: &str) -> bool {
    let chinese = text.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
    crate::detect::is_pinyin_name_word(text)
        || (chinese && !crate::vocab::knows_a_word_of(text))
        || crate::detect::shape::person_name(text)
}

fn digit_count(text: &str) -> usize {
    text.chars().filter(char::is_ascii_digit).count()
}

/// A field path cut into keys and the punctuation between them.
enum PathToken<'a> {
    /// Where a named value was (`query:`, `header:`, `form:`, `path:`).
    Place(&'a str),
    Punct(char),
    Key(&'a str),
}

fn path_tokens(path: &str) -> Vec<PathToken<'_>> {
    let mut tokens = Vec::new();
    let mut rest = path;
    for place in ["query:", "header:", "form:", "path:"] {
        if let Some(name) = path.strip_prefix(place) {
            tokens.push(PathToken::Place(place));
            rest = name;
            break;
        }
    }
    while let Some(first) = rest.chars().next() {
        if first == '\'' || first == '"' {
            tokens.push(PathToken::Punct(first));
            let inner = &rest[1..];
            let end = inner.find(first).unwrap_or(inner.len());
            tokens.push(PathToken::Key(&inner[..end]));
            rest = &inner[end..];
            if let Some(close) = rest.chars().next() {
                tokens.push(PathToken::Punct(close));
                rest = &rest[close.len_utf8()..];
            }
        } else if matches!(first, '.' | '[' | ']') {
            tokens.push(PathToken::Punct(first));
            rest = &rest[1..];
        } else {
            let end = rest.find(['.', '[', ']', '\'', '"']).unwrap_or(rest.len());
            let (key, tail) = rest.split_at(end);
            tokens.push(PathToken::Key(key));
            rest = tail;
        }
    }
    tokens
}

/// Marks every run of keys joined by `.` that are mostly digits, whose
/// digits together make a value (`138.0013.8000`, `192.168.1.20`).
fn blank_dotted_numbers(tokens: &[PathToken<'_>], risky: &mut [bool]) {
    let numeric = |t: &PathToken<'_>| match t {
        PathToken::Key(key) => {
            let digits = digit_count(key);
            digits > 0 && digits * 2 >= key.chars().count()
        }
        PathToken::Place(_) | PathToken::Punct(_) => false,
    };
    let mut i = 0;
    while i < tokens.len() {
        if !numeric(&tokens[i]) {
            i += 1;
            continue;
        }
        // The run: key (`.` key)*, each key mostly digits.
        let (mut end, mut digits) = (i, 0);
        while end < tokens.len() && numeric(&tokens[end]) {
            if let PathToken::Key(key) = tokens[end] {
                digits += digit_count(key);
            }
            let dot = matches!(tokens.get(end + 1), Some(PathToken::Punct('.')));
            if !(dot && tokens.get(end + 2).is_some_and(numeric)) {
                break;
            }
            end += 2;
        }
        if digits >= VALUE_DIGITS {
            (i..=end).step_by(2).for_each(|k| risky[k] = true);
        }
        i = end + 1;
    }
}

/// A subject as the audit log and the consent store know it:
/// `hmac:<64 hex>`, the keyed HMAC-SHA256 of the subject id.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct SubjectHash(String);

impl SubjectHash {
    fn parse(text: &str) -> Result<SubjectHash, AuditError> {
        match text.strip_prefix("hmac:") {
            Some(hex) if Digest::from_hex(hex.as_bytes()).is_some() => {
                Ok(SubjectHash(text.to_owned()))
            }
            _ => Err(invalid("subject", "expected hmac:<64 lowercase hex>")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype_serde!(SubjectHash, SubjectHash::parse);

/// Hashes subject ids with the keyring's subject key (stable across key
/// rotation, so one key searches months of log).
#[derive(Clone)]
pub struct SubjectHasher {
    mac: Hmac<Sha256>,
}

impl fmt::Debug for SubjectHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubjectHasher(..)")
    }
}

impl SubjectHasher {
    /// `key` is `Keyring::subject_key()`.
    pub fn new(key: &[u8; 32]) -> SubjectHasher {
        let mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
        SubjectHasher { mac }
    }

    pub fn from_keyring(keyring: &crate::protect::Keyring) -> SubjectHasher {
        SubjectHasher::new(&keyring.subject_key())
    }

    /// `hmac:<hex>` of the subject id exactly as given (no normalization:
    /// the proxy and the investigator must pass the same text).
    pub fn hash(&self, subject: &str) -> SubjectHash {
        self.hash_with_digest(subject).0
    }

    /// [`hash`](Self::hash) together with the 32 HMAC bytes behind it, so a
    /// caller keying a map on the bytes (consent, quotas) need not parse
    /// the hex back.
    pub fn hash_with_digest(&self, subject: &str) -> (SubjectHash, [u8; 32]) {
        let mut mac = self.mac.clone();
        mac.update(subject.as_bytes());
        let digest = Digest(mac.finalize().into_bytes().into());
        (SubjectHash(format!("hmac:{digest}")), digest.0)
    }
}

/// Which compiled policy applied: `<alg>:<hex>` (`sha256:…`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct RulesVersion(Arc<str>);

impl RulesVersion {
    /// `sha256:<hex>` of the policy's bytes (the rules file as loaded).
    pub fn of_policy(bytes: &[u8]) -> RulesVersion {
        let digest: [u8; 32] = Sha256::digest(bytes).into();
        RulesVersion(format!("sha256:{}", Digest(digest)).into())
    }

    /// An `<alg>:<hex>` version computed elsewhere: alg of `a-z 0-9 -`
    /// (1–16), exactly 64 lowercase hex digits (a 256-bit digest; the fixed
    /// length keeps an ID or card number from passing as a version).
    pub fn parse(text: &str) -> Result<RulesVersion, AuditError> {
        let reason = "expected <alg>:<64 lowercase hex digits>";
        let (alg, hex) = text
            .split_once(':')
            .ok_or(invalid("rules version", reason))?;
        let alg_ok = (1..=16).contains(&alg.len())
            && alg
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let hex_ok = Digest::from_hex(hex.as_bytes()).is_some();
        if alg_ok && hex_ok {
            Ok(RulesVersion(text.into()))
        } else {
            Err(invalid("rules version", reason))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype_serde!(RulesVersion, RulesVersion::parse);

/// A signed note's origin or key name (`pii-proxy/main`,
/// `pii-proxy/main/k1`): 1-128 visible ASCII characters without `+`, and
/// nothing that could be a value (no run of 6+ digits, no `@`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct NoteName(String);

impl NoteName {
    pub fn parse(text: &str) -> Result<NoteName, AuditError> {
        let ok = (1..=128).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_graphic() && b != b'+')
            && !looks_like_a_value(text);
        if ok {
            Ok(NoteName(text.to_owned()))
        } else {
            Err(invalid(
                "note name",
                "expected 1-128 visible ASCII characters without `+`, `@` or a run of 6+ digits",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype_serde!(NoteName, NoteName::parse);

/// A checkpoint's key id ‖ Ed25519 signature (68 bytes), stored as base64.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SignatureBytes(Vec<u8>, String);

impl SignatureBytes {
    pub fn new(bytes: Vec<u8>) -> SignatureBytes {
        use base64::Engine as _;
        let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
        SignatureBytes(bytes, text)
    }

    fn parse(text: &str) -> Result<SignatureBytes, AuditError> {
        use base64::Engine as _;
        match base64::engine::general_purpose::STANDARD.decode(text) {
            Ok(bytes) if bytes.len() == 68 => Ok(SignatureBytes(bytes, text.to_owned())),
            _ => Err(invalid("signature", "expected base64 of 68 bytes")),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        &self.1
    }
}
string_newtype_serde!(SignatureBytes, SignatureBytes::parse);

/// A partner's display name as the config gives it (`征信中心`, `Acme
/// Credit Bureau Ltd.`): 1-128 characters of letters, digits, spaces and
/// `_ - . , & ' ( )`, and nothing that could be a value (no run of 6+
/// digits, no `@`), so it can stand in an audit record.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct DisplayName(Arc<str>);

impl DisplayName {
    pub fn parse(text: &str) -> Result<DisplayName, AuditError> {
        let ok = !text.is_empty()
            && text.chars().count() <= 128
            && text.trim() == text
            && text
                .chars()
                .all(|c| c.is_alphanumeric() || " _-.,&'()".contains(c))
            && !looks_like_a_value(text);
        if ok {
            Ok(DisplayName(text.into()))
        } else {
            Err(invalid(
                "display name",
                "expected 1-128 letters, digits, spaces or _ - . , & ' ( ), without a run of 6+ digits",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype_serde!(DisplayName, DisplayName::parse);
