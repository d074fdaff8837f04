//! The built-in categories of personal data and the JR/T 0171-2020 class of
//! each (C1/C2/C3, 《个人金融信息保护技术规范》 §4.2): the one table a profile
//! that enforces the standard reads. A category a rules file invents
//! (`medical_record`, `user_ref`) has no class here; such a profile decides
//! what to do with it.

/// A category the classifier and the built-in detectors know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    IdNumber,
    BankCard,
    Phone,
    Email,
    Name,
    Address,
    BirthDate,
    Passport,
    Biometric,
    Device,
    Location,
    IpAddress,
}

/// JR/T 0171-2020 §4.2: C3 is authentication information (passwords, card
/// verification data, biometrics used to authenticate), C2 what identifies
/// a person or their finances (payment account numbers, identity documents,
/// phone numbers, KYC images, home address …), C1 the rest (internal data
/// such as account opening dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JrtClass {
    C1,
    C2,
    C3,
}

impl JrtClass {
    pub fn name(self) -> &'static str {
        match self {
            JrtClass::C1 => "C1",
            JrtClass::C2 => "C2",
            JrtClass::C3 => "C3",
        }
    }
}

impl Category {
    pub const ALL: &'static [Category] = &[
        Category::IdNumber,
        Category::BankCard,
        Category::Phone,
        Category::Email,
        Category::Name,
        Category::Address,
        Category::BirthDate,
        Category::Passport,
        Category::Biometric,
        Category::Device,
        Category::Location,
        Category::IpAddress,
    ];

    /// The name used in rules files and findings.
    pub fn name(self) -> &'static str {
        match self {
            Category::IdNumber => "id_number",
            Category::BankCard => "bank_card",
            Category::Phone => "phone",
            Category::Email => "email",
            Category::Name => "name",
            Category::Address => "address",
            Category::BirthDate => "birth_date",
            Category::Passport => "passport",
            Category::Biometric => "biometric",
            Category::Device => "device",
            Category::Location => "location",
            Category::IpAddress => "ip_address",
        }
    }

    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The category's JR/T 0171-2020 class. Where the standard's examples
    /// leave a category open (device identifiers, precise location, IP
    /// addresses: "other information that identifies a specific person"),
    /// the stricter class is taken: a profile errs towards protection.
    pub fn class(self) -> JrtClass {
        match self {
            // 用于用户鉴别的个人生物识别信息
            Category::Biometric => JrtClass::C3,
            // 支付账号, 证件类识别标识与证件信息, 手机号码
            Category::BankCard | Category::IdNumber | Category::Passport | Category::Phone => {
                JrtClass::C2
            }
            // 个人身份信息 and 其他能够识别出特定主体的信息 (家庭地址 …)
            Category::Name | Category::Address | Category::BirthDate | Category::Email => {
                JrtClass::C2
            }
            Category::Device | Category::Location | Category::IpAddress => JrtClass::C2,
        }
    }

    /// Categories with a `keys: builtin` dictionary (every one but IP
    /// addresses, which only the detectors find, by shape).
    pub fn has_keys(self) -> bool {
        self != Category::IpAddress
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_a_name_and_a_class() {
        for category in Category::ALL {
            assert_eq!(Category::from_name(category.name()), Some(*category));
            assert!(matches!(category.class().name(), "C1" | "C2" | "C3"));
        }
        assert_eq!(Category::Biometric.class(), JrtClass::C3);
        assert_eq!(Category::BankCard.class(), JrtClass::C2);
        assert_eq!(Category::from_name("medical_record"), None);
    }
}
