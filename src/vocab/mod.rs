//! The built-in vocabulary of personal data: what an object key (or a query
//! or form parameter name) says its value is.
//!
//! Owns the key classifier behind `keys: builtin` and the detectors' key
//! context: a key is split into words ([`tokens`]: camelCase, snake, kebab,
//! UPPER_SNAKE, digits, Chinese words, pinyin initials, banking
//! abbreviations), each word read for its meaning ([`lexicon`]), and the
//! category decided from them ([`classify`]), with the words that decided.
//! Also owns the categories and their JR/T 0171 class ([`classes`]), the
//! seed dictionaries the classifier is tested against ([`seed`]), and
//! key-name normalization for rules that list keys by name.
//!
//! Knows nothing of JSON, rules syntax, actions or values: it answers "what
//! does this key name denote?", and errs towards "personal" (a key that
//! only suggests a category leaves the decision to the value's shape, which
//! the detectors judge).

mod classes;
mod classify;
mod lexicon;
mod pinyin;
mod seed;
mod tokens;

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub use classes::{Category, JrtClass};
pub use classify::{Analysis, Meaning, Verdict, Why};
pub use seed::builtin_keys;

/// Categories that `keys: builtin` rules can name.
pub const BUILTIN_CATEGORIES: &[&str] = &[
    "id_number",
    "bank_card",
    "phone",
    "email",
    "name",
    "address",
    "birth_date",
    "passport",
    "biometric",
    "device",
    "location",
];

/// Normalizes a key name for comparison: ASCII letters lowercased, `_`, `-`,
/// `.` and spaces removed, every other character kept as is. Writes into `out`
/// (cleared first) so the hot path can reuse one buffer.
pub fn normalize_key_into(key: &str, out: &mut String) {
    out.clear();
    for c in key.chars() {
        match c {
            '_' | '-' | ' ' | '.' => {}
            c if c.is_ascii_uppercase() => out.push(c.to_ascii_lowercase()),
            c => out.push(c),
        }
    }
}

/// Allocating convenience form of [`normalize_key_into`], for load time.
pub fn normalize_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    normalize_key_into(key, &mut out);
    out
}

/// The category a key names on its own (a strong verdict of the
/// classifier), for rules that protect a header or parameter by its name
/// without naming a category.
pub fn category_of_key(key: &str) -> Option<&'static str> {
    meaning(key, None)
        .verdict()
        .filter(|v| v.strong && v.category.has_keys())
        .map(|v| v.category.name())
}

/// Whether some word of `key` is in the built-in vocabulary (`手机号`,
/// `mobile`, `amount`): a key that is not, and is written in Chinese, may
/// be a value used as a key (`张三丰`).
pub fn knows_a_word_of(key: &str) -> bool {
    analyse(key).knows_a_word()
}

/// Whether `key` only carries the value of the key above it
/// (`{"姓名": {"words": "张三"}}`): the key above then says what it is.
pub fn is_carrier(key: &str) -> bool {
    key.len() <= 8
        && lexicon::CARRIERS
            .iter()
            .any(|c| c.eq_ignore_ascii_case(key))
}

/// Keys analysed lately on this thread: a payload repeats a few dozen keys
/// thousands of times, so most analyses are one hash and one comparison.
type Cache = HashMap<Box<str>, Analysis, BuildHasherDefault<crate::memo::Fnv>>;

thread_local! {
    static ANALYSED: RefCell<Cache> = RefCell::new(Cache::default());
}

/// Entries kept before the cache starts over (a payload with more distinct
/// keys only pays for analysing them again).
const CACHE_ENTRIES: usize = 4096;
/// Longer keys are analysed every time.
const CACHED_KEY: usize = 64;

/// The words of `key` reduced to what a decision needs (cached per thread).
pub fn analyse(key: &str) -> Analysis {
    if key.len() > CACHED_KEY {
        return Analysis::of(key);
    }
    ANALYSED.with(|cell| match cell.try_borrow_mut() {
        Ok(mut cache) => {
            if let Some(found) = cache.get(key) {
                return *found;
            }
            if cache.len() >= CACHE_ENTRIES {
                cache.clear();
            }
            let analysis = Analysis::of(key);
            cache.insert(key.into(), analysis);
            analysis
        }
        Err(_) => Analysis::of(key),
    })
}

/// What `key` means, inside an object whose own key is `owner` (cached per
/// thread: the walk and the detectors both ask, for every member).
pub fn meaning(key: &str, owner: Option<&str>) -> Meaning {
    if key.len() > CACHED_KEY || owner.is_some_and(|o| o.len() > CACHED_KEY) {
        return decide_meaning(key, owner);
    }
    let mut hasher = crate::memo::Fnv::default();
    hasher.write(owner.unwrap_or("").as_bytes());
    hasher.write(&[0xff, u8::from(owner.is_some())]);
    hasher.write(key.as_bytes());
    let hash = hasher.finish();
    MEANINGS.with(|cell| {
        let Ok(mut slots) = cell.try_borrow_mut() else {
            return decide_meaning(key, owner);
        };
        if slots.is_empty() {
            slots.resize_with(MEANING_SLOTS, || None);
        }
        let slot = &mut slots[(hash as usize) % MEANING_SLOTS];
        if let Some(entry) = slot {
            if entry.hash == hash && &*entry.key == key && entry.owner.as_deref() == owner {
                return entry.meaning;
            }
        }
        let meaning = decide_meaning(key, owner);
        *slot = Some(MeaningEntry {
            hash,
            key: key.into(),
            owner: owner.map(Into::into),
            meaning,
        });
        meaning
    })
}

fn decide_meaning(key: &str, owner: Option<&str>) -> Meaning {
    let owner = owner.map(analyse);
    classify::decide(&analyse(key), owner.as_ref())
}

/// One key's meaning in one owner, as last decided on this thread.
struct MeaningEntry {
    hash: u64,
    key: Box<str>,
    owner: Option<Box<str>>,
    meaning: Meaning,
}

/// Slots of the per-thread meaning cache, indexed by hash (a newer pair
/// takes an older one's slot: no eviction order to keep).
const MEANING_SLOTS: usize = 1024;

thread_local! {
    static MEANINGS: RefCell<Vec<Option<MeaningEntry>>> = const { RefCell::new(Vec::new()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_key_normalize_alike() {
        let forms = [
            "idNumber",
            "id_number",
            "ID-NUMBER",
            "Id Number",
            "id.number",
        ];
        for form in forms {
            assert_eq!(normalize_key(form), "idnumber", "{form}");
        }
        assert_eq!(normalize_key("身份证号"), "身份证号");
    }

    #[test]
    fn headers_name_their_category() {
        assert_eq!(category_of_key("Phone-Number"), Some("phone"));
        assert_eq!(category_of_key("SFZH"), Some("id_number"));
        assert_eq!(category_of_key("orderNo"), None);
        assert_eq!(category_of_key("name"), None); // only suggests one
    }

    #[test]
    fn carriers() {
        assert!(is_carrier("words"));
        assert!(is_carrier("Value"));
        assert!(!is_carrier("name"));
    }
}
