//! Key-scoped detection: a value's object key (or a query-string parameter
//! name) says what the value is. Names, addresses, birth dates, passport
//! numbers and biometric data are too varied to find by shape alone, so under
//! a key from `vocab`'s dictionaries (or a rules file's extra words) they are
//! found by a looser reading of the value.
//!
//! Owns the key lookup (normalized as `vocab::normalize_key` does, without
//! allocating) and what counts as a value under each kind of key. Knows
//! nothing of JSON: the engine passes the nearest key as a string.

use super::values::{self, Strength};
use super::{BuiltinDetector, ExtraLabels, dates, shape};
use crate::vocab::{self, Category, Meaning};

/// What a key announces; several bits can be set by a rules file's extras.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KeyClass(u16);

impl KeyClass {
    const NAME: u16 = 1;
    /// `name`, `contact`, `payee`: often a product, a shop or a login, so
    /// the value must look like a person's name.
    const WEAK_NAME: u16 = 2;
    const ADDRESS: u16 = 4;
    const BIRTH_DATE: u16 = 8;
    const PASSPORT: u16 = 16;
    const BIOMETRIC: u16 = 32;
    /// The key says its field is not a person's (`store_address`,
    /// `bank_name`): no value under it is read as an address by shape.
    const NOT_PERSONAL: u16 = 64;
    /// `certId`, `cert_no`: an identity document or a certificate's serial;
    /// digits alone are a passport only within the nine characters of an
    /// ICAO 9303 document number (a signing certificate's serial is longer).
    const WEAK_PASSPORT: u16 = 128;
    /// With `NOT_PERSONAL`: `order_no`, `goods_id`; a whole value of
    /// digits shaped like a mobile number is the identifier, not a phone.
    const IDENTIFIER: u16 = 256;

    /// No category is announced (what the key says is not personal does
    /// not count).
    pub fn is_empty(self) -> bool {
        self.0 & !(Self::NOT_PERSONAL | Self::IDENTIFIER) == 0
    }

    fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }

    pub fn not_personal(self) -> bool {
        self.has(Self::NOT_PERSONAL)
    }

    pub fn names_an_identifier(self) -> bool {
        self.has(Self::IDENTIFIER)
    }

    fn of(meaning: Meaning) -> KeyClass {
        let Meaning::Personal(verdict) = meaning else {
            return match meaning {
                Meaning::NotPersonal(_) | Meaning::Region(_) => KeyClass(Self::NOT_PERSONAL),
                Meaning::Identifier(_) => KeyClass(Self::NOT_PERSONAL | Self::IDENTIFIER),
                _ => KeyClass::default(),
            };
        };
        KeyClass(match (verdict.category, verdict.strong) {
            (Category::Name, true) => Self::NAME,
            (Category::Name, false) => Self::WEAK_NAME,
            (Category::Address, _) => Self::ADDRESS,
            (Category::BirthDate, _) => Self::BIRTH_DATE,
            // A passport under an identity key (`cert_no`, `insurantIdno`).
            (Category::Passport, _) | (Category::IdNumber, true) => Self::PASSPORT,
            (Category::IdNumber, false) => Self::WEAK_PASSPORT,
            (Category::Biometric, true) => Self::BIOMETRIC,
            _ => 0,
        })
    }
}

/// The key context of one policy: the classifier (`vocab`), and the words
/// a rules file's `context_words:` adds, which name their kind whole.
#[derive(Debug)]
pub(crate) struct KeyTable {
    extra: foldhash::HashMap<String, KeyClass>,
}

impl KeyTable {
    pub fn new(extra: &ExtraLabels) -> Self {
        let mut table: foldhash::HashMap<String, KeyClass> = Default::default();
        let sources: [(&[String], u16); 4] = [
            (&extra.name, KeyClass::NAME),
            (&extra.address, KeyClass::ADDRESS),
            (&extra.birth_date, KeyClass::BIRTH_DATE),
            (&extra.passport, KeyClass::PASSPORT),
        ];
        for (words, bit) in sources {
            for word in words {
                let key = vocab::normalize_key(word);
                if !key.is_empty() {
                    table.entry(key).or_default().0 |= bit;
                }
            }
        }
        Self { extra: table }
    }

    /// The class of `key` (inside an object keyed `owner`). A one-byte value
    /// names nothing, except under a key that is a rules file's own word.
    pub fn classify(&self, key: &str, owner: Option<&str>, value_len: usize) -> KeyClass {
        if !self.extra.is_empty() {
            if let Some(class) = self.extra.get(&vocab::normalize_key(key)) {
                return *class;
            }
        }
        let class = KeyClass::of(vocab::meaning(key, owner));
        if value_len >= 2 || class.not_personal() {
            class
        } else {
            KeyClass::default()
        }
    }
}

/// Calls `emit` for what the value `t[start..end]` holds under a key of `class`.
pub(crate) fn scan_keyed(
    class: KeyClass,
    t: &str,
    (start, end): (usize, usize),
    today: u32,
    emit: &mut impl FnMut(usize, usize, BuiltinDetector),
) {
    let value = t[start..end].trim();
    if value.is_empty() {
        return;
    }
    let s = start + (t[start..end].len() - t[start..end].trim_start().len());
    let e = s + value.len();
    if class.has(KeyClass::BIOMETRIC) && value.len() >= 8 {
        emit(s, e, BuiltinDetector::Biometric);
    }
    if class.has(KeyClass::PASSPORT) {
        passports(t, s, e, false, emit);
    } else if class.has(KeyClass::WEAK_PASSPORT) {
        passports(t, s, e, true, emit);
    }
    let organization = shape::contradicts(Category::Name, value);
    if class.has(KeyClass::NAME)
        && plausible_text(value)
        && value.chars().count() <= 64
        && !organization
    {
        emit(s, e, BuiltinDetector::Name);
    }
    if class.has(KeyClass::WEAK_NAME) && !organization {
        if shape::person_name(value) || shape::name_list(value) {
            emit(s, e, BuiltinDetector::Name);
        } else if let Some((ns, ne)) = values::name(t, s, e, Strength::Weak) {
            emit(ns, ne, BuiltinDetector::Name);
        }
    }
    if class.has(KeyClass::ADDRESS)
        && value.len() >= 4
        && plausible_text(value)
        && !shape::contradicts(Category::Address, value)
    {
        emit(s, e, BuiltinDetector::Address);
    }
    if class.has(KeyClass::BIRTH_DATE) {
        match dates::find_date(value.as_bytes(), today) {
            Some((ds, de)) => emit(s + ds, s + de, BuiltinDetector::BirthDate),
            // A timestamp or an unusual spelling: under this key it is still
            // a birth date.
            None if value.bytes().filter(u8::is_ascii_digit).count() >= 4 && value.len() <= 32 => {
                emit(s, e, BuiltinDetector::BirthDate);
            }
            None => {}
        }
    }
}

/// Has a letter or a Chinese character, so it can hold a name or an address.
fn plausible_text(value: &str) -> bool {
    value.chars().any(|c| c.is_alphabetic())
}

/// Passport-shaped tokens of `t[s..e]`; `weak`: digits alone only up to
/// nine (the document number field of ICAO 9303).
fn passports(
    t: &str,
    s: usize,
    e: usize,
    weak: bool,
    emit: &mut impl FnMut(usize, usize, BuiltinDetector),
) {
    let b = t.as_bytes();
    let mut i = s;
    while i < e {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < e && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let token = &b[start..i];
        let document = !weak || token.len() <= 9 || token.iter().any(u8::is_ascii_alphabetic);
        if values::passport_token(token) && document {
            emit(start, i, BuiltinDetector::Passport);
        }
    }
}

/// Key-scoped detection over the `key=value` pairs of a query string or form
/// body (`a=1&realName=%E5%BC%A0%E4%B8%89`, already percent-decoded by the
/// caller's normalization).
pub(crate) fn scan_query(
    table: &KeyTable,
    t: &str,
    today: u32,
    emit: &mut impl FnMut(usize, usize, BuiltinDetector),
) {
    let query_start = t.find('?').map_or(0, |q| q + 1);
    let mut at = query_start;
    for pair in t[query_start..].split('&') {
        let pair_start = at;
        at += pair.len() + 1;
        let Some(eq) = pair.find('=') else { continue };
        let value = (pair_start + eq + 1, pair_start + pair.len());
        let class = table.classify(&pair[..eq], None, value.1 - value.0);
        if !class.is_empty() {
            scan_keyed(class, t, value, today, emit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> KeyTable {
        KeyTable::new(&ExtraLabels {
            passport: vec!["travelDoc".into()],
            ..ExtraLabels::default()
        })
    }

    fn keyed(key: &str, value: &str) -> Vec<(String, BuiltinDetector)> {
        let table = table();
        let mut found = Vec::new();
        let class = table.classify(key, None, value.len());
        scan_keyed(class, value, (0, value.len()), 20261123, &mut |s, e, d| {
            found.push((value[s..e].to_owned(), d))
        });
        found
    }

    #[test]
    fn classification() {
        let t = table();
        assert!(t.classify("passport_no", None, 9).has(KeyClass::PASSPORT));
        assert!(t.classify("TRAVEL-DOC", None, 9).has(KeyClass::PASSPORT));
        assert!(
            t.classify("holderPassportNo", None, 9)
                .has(KeyClass::PASSPORT)
        );
        assert!(!t.classify("certId", None, 11).has(KeyClass::PASSPORT));
        assert!(t.classify("certId", None, 11).has(KeyClass::WEAK_PASSPORT));
        assert!(
            t.classify("user_face_image", None, 100)
                .has(KeyClass::BIOMETRIC)
        );
        assert!(t.classify("name", None, 6).has(KeyClass::WEAK_NAME));
        assert!(t.classify("realName", None, 6).has(KeyClass::NAME));
        assert!(t.classify("currency", None, 3).is_empty());
        assert!(t.classify("merchantName", None, 20).is_empty());
    }

    #[test]
    fn owners_and_negatives() {
        let t = table();
        assert!(t.classify("address", Some("store_info"), 20).not_personal());
        assert!(t.classify("bank_name", None, 8).not_personal());
        assert!(t.classify("name", Some("cargoes"), 4).is_empty());
        assert!(t.classify("cust_nm", None, 6).has(KeyClass::NAME));
        assert!(t.classify("cert_no", None, 9).has(KeyClass::WEAK_PASSPORT));
    }

    #[test]
    fn values_under_keys() {
        use BuiltinDetector::*;
        assert_eq!(
            keyed("passportNo", " E12345678 "),
            [("E12345678".into(), Passport)]
        );
        assert_eq!(
            keyed("faceImage", "https://cdn.example/f/1.jpg"),
            [("https://cdn.example/f/1.jpg".into(), Biometric)]
        );
        assert_eq!(
            keyed("realName", "张三（VIP）"),
            [("张三（VIP）".into(), Name)]
        );
        assert_eq!(keyed("name", "张三"), [("张三".into(), Name)]);
        assert_eq!(keyed("name", "ZHANG/WEI"), [("ZHANG/WEI".into(), Name)]);
        assert!(keyed("name", "iPhone 15 Pro").is_empty());
        assert!(keyed("name", "SUCCESS").is_empty());
        assert_eq!(
            keyed("birthday", "1990-01-02"),
            [("1990-01-02".into(), BirthDate)]
        );
        assert_eq!(
            keyed("dob", "631152000000"),
            [("631152000000".into(), BirthDate)]
        );
        assert_eq!(
            keyed("address", "北京市朝阳区建国路88号"),
            [("北京市朝阳区建国路88号".into(), Address)]
        );
        assert!(keyed("passportNo", "N/A").is_empty());
        assert!(
            keyed("certId", "68759070125").is_empty(),
            "a certificate serial"
        );
        assert_eq!(
            keyed("certId", "EA1234567"),
            [("EA1234567".into(), Passport)]
        );
        assert_eq!(
            keyed("cert_no", "123456789"),
            [("123456789".into(), Passport)]
        );
        assert!(keyed("faceImage", "none").is_empty());
    }

    #[test]
    fn query_string_parameters() {
        let t = "https://x.example/cb?a=1&realName=张三&passport=E12345678&dob=1990-01-02";
        let mut found = Vec::new();
        scan_query(&table(), t, 20261123, &mut |s, e, d| {
            found.push((&t[s..e], d))
        });
        use BuiltinDetector::*;
        assert_eq!(
            found,
            [
                ("张三", Name),
                ("E12345678", Passport),
                ("1990-01-02", BirthDate)
            ]
        );
    }
}
