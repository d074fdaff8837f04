//! The class of each category under JR/T 0171-2020 (个人金融信息保护技术规范,
//! clause 4.2): C3 (authentication data), C2 (data that identifies a person
//! or their accounts and finances), C1 (the rest of a person's financial
//! data: account-opening facts, internal references); and which categories
//! PIPL Art. 28 counts as sensitive personal information.
//!
//! Owns one table keyed by category name, for everything that reports or
//! enforces classes: the profile's defaults, the share record, `audit
//! stats`, the key classifier. Knows nothing of rules, payloads or HTTP.
//! A category the table does not know (a rules file's own `医疗记录`) has no
//! class: the profile gives it no default and the audit record none.

/// A JR/T 0171 class, from the least to the most sensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    C1,
    C2,
    C3,
}

impl Class {
    pub const ALL: [Class; 3] = [Class::C1, Class::C2, Class::C3];

    /// `C1`, `C2`, `C3`: as audit records and `audit stats` write it.
    pub fn name(self) -> &'static str {
        match self {
            Class::C1 => "C1",
            Class::C2 => "C2",
            Class::C3 => "C3",
        }
    }
}

/// Every category with a class, and whether PIPL counts it as sensitive.
/// `(category, class, sensitive)`.
pub const TABLE: &[(&str, Class, bool)] = &[
    // C3: authentication data (4.2 a-c): card and payment passwords, PINs,
    // CVN/CVN2, magnetic track data (or its chip equivalent), the card's
    // expiry, one-time codes sent with the account they unlock, biometrics
    // used to authenticate.
    ("auth_secret", Class::C3, true),
    ("password", Class::C3, true),
    ("pin", Class::C3, true),
    ("otp", Class::C3, true),
    ("cvn", Class::C3, true),
    ("card_expiry", Class::C3, true),
    ("track_data", Class::C3, true),
    ("biometric", Class::C3, true),
    // C2: account and card numbers, identity documents, mobile numbers,
    // KYC data, addresses, transactions tied to a person.
    ("bank_card", Class::C2, true),
    ("account", Class::C2, true),
    ("id_number", Class::C2, true),
    ("passport", Class::C2, true),
    ("phone", Class::C2, false),
    ("name", Class::C2, false),
    ("email", Class::C2, false),
    ("address", Class::C2, false),
    ("birth_date", Class::C2, false),
    ("location", Class::C2, true),
    ("device", Class::C2, false),
    ("ip_address", Class::C2, false),
    ("balance", Class::C2, true),
    ("transaction", Class::C2, true),
    ("kyc_media", Class::C2, true),
    ("login_name", Class::C2, false),
    // C1: account-opening facts and internal references.
    ("account_opened", Class::C1, false),
    ("account_branch", Class::C1, false),
    ("payment_token", Class::C1, false),
    ("internal_ref", Class::C1, false),
];

/// The class of `category`, if the table knows it.
pub fn class_of(category: &str) -> Option<Class> {
    TABLE
        .iter()
        .find(|(name, _, _)| *name == category)
        .map(|(_, class, _)| *class)
}

/// Whether PIPL Art. 28 counts `category` as sensitive personal
/// information (financial accounts, identity documents, biometrics,
/// whereabouts, and every authentication secret).
pub fn is_sensitive(category: &str) -> bool {
    TABLE
        .iter()
        .any(|(name, _, sensitive)| *name == category && *sensitive)
}

/// The categories of `class`, in table order.
pub fn categories_of(class: Class) -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .filter(move |(_, c, _)| *c == class)
        .map(|(name, _, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_one_class_and_follows_the_identifier_rule() {
        let mut seen = std::collections::HashSet::new();
        for (name, _, _) in TABLE {
            assert!(seen.insert(*name), "{name} listed twice");
            assert!(crate::ident::check(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn the_built_in_vocabulary_is_classified() {
        for category in crate::vocab::BUILTIN_CATEGORIES {
            assert!(class_of(category).is_some(), "{category} has no class");
        }
        for detector in crate::detect::BuiltinDetector::ALL {
            let category = detector.default_category();
            assert!(class_of(category).is_some(), "{category} has no class");
        }
    }

    #[test]
    fn authentication_data_is_c3_and_sensitive() {
        for category in [
            "cvn",
            "track_data",
            "card_expiry",
            "auth_secret",
            "biometric",
        ] {
            assert_eq!(class_of(category), Some(Class::C3));
            assert!(is_sensitive(category));
        }
        assert_eq!(class_of("bank_card"), Some(Class::C2));
        assert_eq!(class_of("payment_token"), Some(Class::C1));
        assert_eq!(class_of("医疗记录"), None);
        assert!(!is_sensitive("phone"));
    }
}
