//! Key-scoped detection: a value's object key (or a query-string parameter
//! name) says what the value is. Names, addresses, birth dates, passport
//! numbers and biometric data are too varied to find by shape alone, so under
//! a key from `vocab`'s dictionaries (or a rules file's extra words) they are
//! found by a looser reading of the value.
//!
//! Owns the key lookup (normalized as `vocab::normalize_key` does, without
//! allocating) and what counts as a value under each kind of key. Knows
//! nothing of JSON: the engine passes the nearest key as a string.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use aho_corasick::AhoCorasick;

use super::values::{self, Strength};
use super::{BuiltinDetector, ExtraLabels, dates};
use crate::vocab;

/// FNV-1a: keys are short and trusted (they come from the dictionaries at
/// load time; a request only looks them up), so a fast hash is enough.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// What a key announces; several bits can be set by a rules file's extras.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KeyClass(u8);

impl KeyClass {
    const NAME: u8 = 1;
    /// `name`, `username`: often a product or login, so the value must look
    /// like a person's name.
    const WEAK_NAME: u8 = 2;
    const ADDRESS: u8 = 4;
    const BIRTH_DATE: u8 = 8;
    const PASSPORT: u8 = 16;
    const BIOMETRIC: u8 = 32;

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// Longest key (normalized, in bytes) worth looking up.
const MAX_KEY: usize = 48;

/// Parts of longer keys that still say what the value is
/// (`holderPassportNo`, `user_face_image`, `customerRealName`).
const PARTIAL_KEYS: &[(&str, u8)] = &[
    ("passport", KeyClass::PASSPORT),
    ("huzhao", KeyClass::PASSPORT),
    ("护照", KeyClass::PASSPORT),
    ("fingerprint", KeyClass::BIOMETRIC),
    ("faceimage", KeyClass::BIOMETRIC),
    ("facephoto", KeyClass::BIOMETRIC),
    ("facefeature", KeyClass::BIOMETRIC),
    ("facetemplate", KeyClass::BIOMETRIC),
    ("facedata", KeyClass::BIOMETRIC),
    ("biometric", KeyClass::BIOMETRIC),
    ("voiceprint", KeyClass::BIOMETRIC),
    ("palmprint", KeyClass::BIOMETRIC),
    ("iristemplate", KeyClass::BIOMETRIC),
    ("selfie", KeyClass::BIOMETRIC),
    ("liveness", KeyClass::BIOMETRIC),
    ("人脸", KeyClass::BIOMETRIC),
    ("指纹", KeyClass::BIOMETRIC),
    ("虹膜", KeyClass::BIOMETRIC),
    ("声纹", KeyClass::BIOMETRIC),
    ("realname", KeyClass::NAME),
    ("fullname", KeyClass::NAME),
    ("holdername", KeyClass::NAME),
    ("姓名", KeyClass::NAME),
    ("homeaddress", KeyClass::ADDRESS),
    ("shippingaddress", KeyClass::ADDRESS),
    ("deliveryaddress", KeyClass::ADDRESS),
    ("receiveraddress", KeyClass::ADDRESS),
    ("住址", KeyClass::ADDRESS),
    ("收货地址", KeyClass::ADDRESS),
    ("birthday", KeyClass::BIRTH_DATE),
    ("birthdate", KeyClass::BIRTH_DATE),
    ("dateofbirth", KeyClass::BIRTH_DATE),
    ("出生日期", KeyClass::BIRTH_DATE),
];

/// The key dictionary of one policy.
#[derive(Debug)]
pub(crate) struct KeyTable {
    exact: HashMap<Box<[u8]>, KeyClass, BuildHasherDefault<Fnv>>,
    partial: AhoCorasick,
    /// Tells this table's entries apart in a thread's [`KeyCache`].
    id: u64,
}

/// Keys this thread classified lately. A payload repeats a few dozen keys
/// thousands of times, so most lookups end here: one hash of the key as
/// written and one comparison, instead of normalizing it, probing the
/// dictionary and searching it for parts.
pub(crate) struct KeyCache {
    slots: Box<[CacheSlot]>,
}

#[derive(Clone, Copy, Default)]
struct CacheSlot {
    table: u64,
    /// The key as written, zero-padded, as little-endian words.
    words: [u64; CACHED_KEY / 8],
    len: u8,
    /// The dictionary named the whole key (else `class` is from its parts).
    exact: bool,
    class: KeyClass,
}

/// Two-way: a key may sit in either slot of its pair, so two keys of one
/// payload that hash alike do not evict each other on every value.
const CACHE_SLOTS: usize = 256;
/// Longer keys are classified every time.
const CACHED_KEY: usize = 32;

impl Default for KeyCache {
    fn default() -> Self {
        Self {
            slots: vec![CacheSlot::default(); CACHE_SLOTS].into_boxed_slice(),
        }
    }
}

/// Table ids start at 1: slot `table: 0` is empty.
static NEXT_TABLE_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl KeyTable {
    pub fn new(extra: &ExtraLabels) -> Self {
        let mut exact: HashMap<Box<[u8]>, KeyClass, BuildHasherDefault<Fnv>> = HashMap::default();
        let mut add = |word: &str, bit: u8| {
            let key = vocab::normalize_key(word).into_bytes().into_boxed_slice();
            if !key.is_empty() && key.len() <= MAX_KEY {
                exact.entry(key).or_default().0 |= bit;
            }
        };
        let sources: [(&str, &[String], u8); 5] = [
            ("name", &extra.name, KeyClass::NAME),
            ("address", &extra.address, KeyClass::ADDRESS),
            ("birth_date", &extra.birth_date, KeyClass::BIRTH_DATE),
            ("passport", &extra.passport, KeyClass::PASSPORT),
            ("biometric", &[], KeyClass::BIOMETRIC),
        ];
        for (category, extra, bit) in sources {
            for word in vocab::builtin_keys(category).unwrap_or(&[]) {
                add(word, bit);
            }
            for word in extra {
                add(word, bit);
            }
        }
        for weak in ["name", "username"] {
            if let Some(class) = exact.get_mut(weak.as_bytes()) {
                *class = KeyClass((class.0 & !KeyClass::NAME) | KeyClass::WEAK_NAME);
            }
        }
        let partial = AhoCorasick::new(PARTIAL_KEYS.iter().map(|(word, _)| word))
            .expect("partial keys are plain literals");
        let id = NEXT_TABLE_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self { exact, partial, id }
    }

    /// [`classify`](Self::classify) through this thread's cache.
    pub fn classify_cached(&self, key: &str, value_len: usize, cache: &mut KeyCache) -> KeyClass {
        let raw = key.as_bytes();
        if raw.len() > CACHED_KEY {
            return self.classify(key, value_len);
        }
        // Zero-padded words: hashed and compared whole, no byte loop and no
        // `memcmp` call.
        let mut padded = [0u8; CACHED_KEY];
        padded[..raw.len()].copy_from_slice(raw);
        let mut words = [0u64; CACHED_KEY / 8];
        let mut hash = self.id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ raw.len() as u64;
        for (i, word) in words.iter_mut().enumerate().take(raw.len().div_ceil(8)) {
            *word = u64::from_le_bytes(padded[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
            hash = (hash.rotate_left(5) ^ *word).wrapping_mul(0x517C_C1B7_2722_0A95);
        }
        let pair = ((hash >> 56) as usize % CACHE_SLOTS) & !1;
        // Word by word, folded: no `memcmp` call for four words.
        let fits = |slot: &CacheSlot| {
            let differ = (0..words.len()).fold(0, |acc, i| acc | (slot.words[i] ^ words[i]));
            slot.table == self.id && differ == 0 && usize::from(slot.len) == raw.len()
        };
        let slot = if fits(&cache.slots[pair]) {
            cache.slots[pair]
        } else if fits(&cache.slots[pair + 1]) {
            cache.slots[pair + 1]
        } else {
            let (exact, class) = self.lookup(key);
            // The newest entry takes the first slot, the one before moves on.
            cache.slots[pair + 1] = cache.slots[pair];
            cache.slots[pair] = CacheSlot {
                table: self.id,
                words,
                len: raw.len() as u8,
                exact,
                class,
            };
            cache.slots[pair]
        };
        if slot.exact || value_len >= 2 {
            slot.class
        } else {
            KeyClass::default()
        }
    }

    /// Whether the dictionary holds the whole key, and its class (from the
    /// parts of the key when it does not).
    fn lookup(&self, key: &str) -> (bool, KeyClass) {
        let mut buf = [0u8; MAX_KEY];
        let mut len = 0;
        for &b in key.as_bytes() {
            if matches!(b, b'_' | b'-' | b' ' | b'.') {
                continue;
            }
            if len == MAX_KEY {
                return (false, KeyClass::default());
            }
            buf[len] = b.to_ascii_lowercase();
            len += 1;
        }
        let key = &buf[..len];
        if let Some(class) = self.exact.get(key) {
            return (true, *class);
        }
        let partial = self.partial.find(key).map_or(KeyClass::default(), |m| {
            KeyClass(PARTIAL_KEYS[m.pattern().as_usize()].1)
        });
        (false, partial)
    }

    /// The class of `key`. Parts of longer keys only count for values of two
    /// bytes or more (a one-byte value names nothing).
    pub fn classify(&self, key: &str, value_len: usize) -> KeyClass {
        match self.lookup(key) {
            (true, class) => class,
            (false, class) if value_len >= 2 => class,
            (false, _) => KeyClass::default(),
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
        passports(t, s, e, emit);
    }
    if class.has(KeyClass::NAME) && plausible_text(value) && value.chars().count() <= 64 {
        emit(s, e, BuiltinDetector::Name);
    }
    if class.has(KeyClass::WEAK_NAME) {
        if let Some((ns, ne)) = values::name(t, s, e, Strength::Weak) {
            emit(ns, ne, BuiltinDetector::Name);
        }
    }
    if class.has(KeyClass::ADDRESS) && value.len() >= 4 && plausible_text(value) {
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

fn passports(t: &str, s: usize, e: usize, emit: &mut impl FnMut(usize, usize, BuiltinDetector)) {
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
        if values::passport_token(&b[start..i]) {
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
        let class = table.classify(&pair[..eq], value.1 - value.0);
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
        let class = table.classify(key, value.len());
        scan_keyed(class, value, (0, value.len()), 20261123, &mut |s, e, d| {
            found.push((value[s..e].to_owned(), d))
        });
        found
    }

    #[test]
    fn classification() {
        let t = table();
        assert!(t.classify("passport_no", 9).has(KeyClass::PASSPORT));
        assert!(t.classify("TRAVEL-DOC", 9).has(KeyClass::PASSPORT));
        assert!(t.classify("holderPassportNo", 9).has(KeyClass::PASSPORT));
        assert!(t.classify("user_face_image", 100).has(KeyClass::BIOMETRIC));
        assert!(t.classify("name", 6).has(KeyClass::WEAK_NAME));
        assert!(t.classify("realName", 6).has(KeyClass::NAME));
        assert!(t.classify("currency", 3).is_empty());
        assert!(t.classify("merchantName", 20).is_empty());
    }

    #[test]
    fn the_cache_answers_as_the_table_does() {
        let (a, b) = (table(), KeyTable::new(&ExtraLabels::default()));
        let mut cache = KeyCache::default();
        for _ in 0..2 {
            for key in [
                "travelDoc",
                "passport_no",
                "status",
                "user_face_image",
                "name",
                "x",
            ] {
                for len in [1, 9] {
                    assert_eq!(
                        a.classify_cached(key, len, &mut cache),
                        a.classify(key, len),
                        "{key}"
                    );
                    assert_eq!(
                        b.classify_cached(key, len, &mut cache),
                        b.classify(key, len),
                        "{key}"
                    );
                }
            }
        }
        // More keys than slots: evicted keys are classified again, alike.
        let many: Vec<String> = (0..600).map(|i| format!("k{i}_passport")).collect();
        for _ in 0..2 {
            for key in &many {
                assert!(
                    a.classify_cached(key, 9, &mut cache)
                        .has(KeyClass::PASSPORT)
                );
            }
        }
        // Only the table with the extra word knows it.
        assert!(b.classify_cached("travelDoc", 9, &mut cache).is_empty());
        assert!(
            a.classify_cached("travelDoc", 9, &mut cache)
                .has(KeyClass::PASSPORT)
        );
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
