//! What a key means, decided from its words: a category, how sure the key
//! alone makes it (`strong`), or that the field is not a person's at all
//! (`merchant_name`, `certSerial`, `corp_acct_no`), with the words that
//! decided, never the value.
//!
//! A strong key (`cust_nm`, `idCardNo`, `mobile`, `birth_dt`) names its
//! category whatever the value looks like; a key that only suggests one
//! (`name`, `contact`, `certId`, `account`, `device_id`, `location`) leaves the
//! decision to the value's shape (`detect::shape`). A role (`payee`,
//! `holder`), a qualifier (`real`, `legal`) or `reserved` makes a field the
//! person's even under an owner that is not one (`merchant_contact_name`).

use super::classes::Category;
use super::lexicon::{Concepts, concept::*};
use super::tokens::{Word, words};

/// The words of a key that carried its meaning (at most four), for
/// `why` in findings. Words of the lexicon, never of a value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Why {
    words: [&'static str; 4],
    len: u8,
}

impl Why {
    pub fn words(&self) -> &[&'static str] {
        &self.words[..usize::from(self.len)]
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn push(&mut self, word: &'static str) {
        if usize::from(self.len) < self.words.len() && !self.words().contains(&word) {
            self.words[usize::from(self.len)] = word;
            self.len += 1;
        }
    }
}

impl serde::Serialize for Why {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.words())
    }
}

/// A key's words reduced to what the decision needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Analysis {
    concepts: Concepts,
    why: Why,
}

impl Analysis {
    pub fn of(key: &str) -> Analysis {
        let mut analysis = Analysis::default();
        for Word { word, concepts } in words(key) {
            if concepts != 0 {
                analysis.concepts |= concepts;
                analysis.why.push(word);
            }
        }
        analysis
    }

    /// Whether any word of the key is in the vocabulary.
    pub fn knows_a_word(&self) -> bool {
        self.concepts != 0
    }

    fn has(&self, concepts: Concepts) -> bool {
        self.concepts & concepts != 0
    }

    /// A role, qualifier or `reserved`: the field is a person's.
    fn personal(&self) -> bool {
        self.has(PERSON | HOLDER | QUALIFIER | RESERVED | ROMANIZED)
    }

    /// A number or id of a thing or a transaction (`goods_id`, `trade_no`),
    /// with no word that could make it a person's contact, document,
    /// account or device.
    fn names_an_identifier(&self) -> bool {
        self.has(ID | NUMBER | SERIAL)
            && self.has(OWNER | NEGATIVE)
            && !self.personal()
            && !self.has(
                USER | PHONE
                    | EMAIL
                    | ID_DOC
                    | IDENTITY
                    | CERT
                    | PASSPORT
                    | CARD
                    | ACCOUNT
                    | BANK
                    | DEVICE_ID
                    | DEVICE
                    | IP
                    | MAC,
            )
    }

    /// Owned by something that is not a person (a merchant, a product …).
    fn owned(&self) -> bool {
        self.has(OWNER) && !self.personal()
    }
}

/// What a key says its value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub category: Category,
    /// The key alone decides; otherwise the value's shape must agree.
    pub strong: bool,
    pub why: Why,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    Personal(Verdict),
    /// Known not to be personal (`bank_name`, `cert_type`, `store.address`).
    NotPersonal(Why),
    /// A thing's identifier or reference number (`order_no`, `goods_id`,
    /// `waybill_no`): not personal, and digits under it are the identifier
    /// even when they have a mobile number's shape.
    Identifier(Why),
    /// A coarse region (`province`, `receiver_city`, `town`, `zipcode`):
    /// not personal alone, and left readable inside an address object a
    /// `keys: builtin` rule masks, as masking an address string keeps its
    /// first characters.
    Region(Why),
    Unknown,
}

impl Meaning {
    pub fn verdict(self) -> Option<Verdict> {
        match self {
            Meaning::Personal(v) => Some(v),
            _ => None,
        }
    }
}

/// The meaning of a key whose words are `key`, inside an object whose own
/// key's words are `owner` (`store_info` → `address`).
pub fn decide(key: &Analysis, owner: Option<&Analysis>) -> Meaning {
    match decide_personal(key, owner) {
        Meaning::NotPersonal(why) if key.has(COARSE) => Meaning::Region(why),
        Meaning::NotPersonal(why) if key.names_an_identifier() => Meaning::Identifier(why),
        meaning => meaning,
    }
}

fn decide_personal(key: &Analysis, owner: Option<&Analysis>) -> Meaning {
    let why = key.why;
    let not_personal = Meaning::NotPersonal(why);
    let personal = |category, strong| {
        Meaning::Personal(Verdict {
            category,
            strong,
            why,
        })
    };
    if key.has(NEGATIVE | SERVICE) || (key.has(SERIAL) && key.has(CERT | ID_DOC | IDENTITY)) {
        return not_personal;
    }
    if let Some(meaning) = traits(key, not_personal, personal) {
        return meaning;
    }
    // A name, phone, email or address of a merchant, a bank, a product …
    let attribute_owned = key.owned()
        || (key.has(BANK) && !key.personal() && !key.has(ACCOUNT | CARD))
        || owner.is_some_and(|o| o.owned() && !key.personal());
    if let Some(meaning) = names_and_contacts(key, attribute_owned, not_personal, personal) {
        return meaning;
    }
    documents(key, not_personal, personal)
}

/// What belongs to the person alone: a network address, biometrics (or a
/// device's fingerprint), an image of them, a birth date.
fn traits(
    key: &Analysis,
    not_personal: Meaning,
    personal: impl Fn(Category, bool) -> Meaning,
) -> Option<Meaning> {
    if key.has(IP) {
        return Some(personal(Category::IpAddress, true));
    }
    // `live_addr` is where one lives: `live` abbreviates `liveness` only
    // when nothing else says what the field is.
    if key.has(BIO) && !key.has(ADDRESS) {
        // `deviceFingerprint` fingerprints a device, not a finger.
        let category = if key.has(DEVICE | DEVICE_ID) {
            Category::Device
        } else {
            Category::Biometric
        };
        return Some(personal(category, true));
    }
    if key.has(IMAGE) {
        return Some(if key.owned() {
            not_personal
        } else {
            personal(Category::Biometric, false)
        });
    }
    if key.has(BIRTH) {
        return Some(if key.has(COARSE) {
            not_personal
        } else {
            personal(Category::BirthDate, true)
        });
    }
    None
}

/// Names, passports, phones, emails and addresses (and a MAC address,
/// before the address rule would read it as a place); not personal where
/// the attribute is a merchant's, a bank's or a product's
/// (`attribute_owned`).
fn names_and_contacts(
    key: &Analysis,
    attribute_owned: bool,
    not_personal: Meaning,
    personal: impl Fn(Category, bool) -> Meaning,
) -> Option<Meaning> {
    let names = key.has(NAME) || (key.has(HOLDER) && !key.has(NUMBER));
    if names {
        if attribute_owned || (key.has(THING_NAME) && !key.personal()) {
            return Some(not_personal);
        }
        let strong = !key.has(USER)
            && (key.personal()
                || key.has(ID_DOC | IDENTITY | CERT | ID | ACCOUNT | CARD | PASSPORT));
        return Some(personal(Category::Name, strong));
    }
    if key.has(PASSPORT) {
        return Some(personal(Category::Passport, true));
    }
    for (concepts, category) in [(PHONE, Category::Phone), (EMAIL, Category::Email)] {
        if key.has(concepts) {
            return Some(if attribute_owned {
                not_personal
            } else {
                personal(category, true)
            });
        }
    }
    if key.has(MAC) && key.has(ADDRESS) {
        return Some(personal(Category::Device, true));
    }
    if key.has(ADDRESS | HOME) {
        return Some(if key.has(COARSE) || attribute_owned {
            not_personal
        } else {
            personal(Category::Address, key.has(ADDRESS))
        });
    }
    None
}

/// Identity documents, cards and accounts, devices, coordinates, and a role
/// alone (`payee`: a name, if the value is one).
fn documents(
    key: &Analysis,
    not_personal: Meaning,
    personal: impl Fn(Category, bool) -> Meaning,
) -> Meaning {
    let numbered = key.has(NUMBER | CARD);
    if key.has(ID_DOC) || (key.has(ID | IDENTITY) && numbered) {
        return personal(Category::IdNumber, true);
    }
    if key.has(IDENTITY | CERT) {
        return if key.owned() {
            not_personal
        } else {
            personal(Category::IdNumber, false)
        };
    }
    if key.has(CARD | ACCOUNT) {
        return if key.owned() {
            not_personal
        } else {
            // `card_no` is a card whatever it holds; `card`, `account`,
            // `accNo` only when the value has a card's or an account's shape
            // (`monthlyCard` holds a courier's customer number).
            personal(Category::BankCard, key.has(CARD) && key.has(NUMBER))
        };
    }
    if key.has(DEVICE_ID) {
        return personal(Category::Device, true);
    }
    if key.has(DEVICE | MAC | SERIAL) {
        return if key.owned() {
            not_personal
        } else {
            personal(Category::Device, false)
        };
    }
    if key.has(COORDINATE) {
        return personal(Category::Location, true);
    }
    if key.has(PLACE) {
        return personal(Category::Location, false);
    }
    if key.has(PERSON | HOLDER) && !key.has(ID | NUMBER | USER | COARSE) {
        return personal(Category::Name, false);
    }
    if key.has(COARSE | OWNER | BANK) {
        return not_personal;
    }
    Meaning::Unknown
}

#[cfg(test)]
mod tests;
