//! The built-in vocabulary of personal data: which object key names mean which
//! category, in English, pinyin and Chinese, and how key names are compared.
//!
//! Owns: key-name normalization (`idNumber` = `id_number` = `ID-NUMBER`) and the
//! per-category key dictionaries that rules files reach with `keys: builtin`.
//! Knows nothing of JSON, rules syntax or actions: it only answers "which
//! category does this key name denote?".

/// Categories that have a built-in key dictionary.
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

/// The built-in key names of `category`, as written (not yet normalized), or
/// `None` for a category without a dictionary.
pub fn builtin_keys(category: &str) -> Option<&'static [&'static str]> {
    Some(match category {
        "id_number" => ID_NUMBER_KEYS,
        "bank_card" => BANK_CARD_KEYS,
        "phone" => PHONE_KEYS,
        "email" => EMAIL_KEYS,
        "name" => NAME_KEYS,
        "address" => ADDRESS_KEYS,
        "birth_date" => BIRTH_DATE_KEYS,
        "passport" => PASSPORT_KEYS,
        "biometric" => BIOMETRIC_KEYS,
        "device" => DEVICE_KEYS,
        "location" => LOCATION_KEYS,
        _ => return None,
    })
}

/// The category whose dictionary holds `normalized_key` (already passed
/// through [`normalize_key`]), if any. Linear over a few hundred short
/// strings: meant for load time and tests; the engine precomputes a map.
pub fn category_of_key(normalized_key: &str) -> Option<&'static str> {
    BUILTIN_CATEGORIES.iter().copied().find(|category| {
        builtin_keys(category)
            .unwrap_or(&[])
            .iter()
            .any(|k| normalize_key(k) == normalized_key)
    })
}

const ID_NUMBER_KEYS: &[&str] = &[
    "id_number",
    "idNumber",
    "idNo",
    "id_no",
    "idCard",
    "id_card",
    "idCardNo",
    "id_card_no",
    "idCardNumber",
    "identityNo",
    "identity_number",
    "identityCard",
    "certNo",
    "cert_no",
    "certificateNo",
    "certificate_number",
    "certId",
    "residentId",
    "resident_id",
    "nationalId",
    "national_id",
    "citizenId",
    "sfz",
    "sfzh",
    "sfzhm",
    "shenfenzheng",
    "shenfenzhenghao",
    "zjhm",
    "身份证",
    "身份证号",
    "身份证号码",
    "证件号",
    "证件号码",
    "居民身份证",
    "公民身份号码",
];

const BANK_CARD_KEYS: &[&str] = &[
    "card",
    "cardNo",
    "card_no",
    "cardNum",
    "cardNumber",
    "card_number",
    "bankCard",
    "bank_card",
    "bankCardNo",
    "bank_card_no",
    "bankCardNumber",
    "bankAccount",
    "bank_account",
    "bankAccountNo",
    "accountNo",
    "account_no",
    "acctNo",
    "acct_no",
    "pan",
    "primaryAccountNumber",
    "creditCard",
    "debitCard",
    "yhkh",
    "yinhangka",
    "yinhangkahao",
    "银行卡",
    "银行卡号",
    "卡号",
    "银行账号",
    "账号",
    "信用卡号",
    "借记卡号",
];

const PHONE_KEYS: &[&str] = &[
    "phone",
    "phoneNo",
    "phone_no",
    "phoneNumber",
    "phone_number",
    "mobile",
    "mobileNo",
    "mobile_no",
    "mobilePhone",
    "mobileNumber",
    "cellphone",
    "cell",
    "tel",
    "telephone",
    "telNo",
    "contactPhone",
    "contact_phone",
    "contactMobile",
    "receiverPhone",
    "receiverMobile",
    "msisdn",
    "shouji",
    "shoujihao",
    "sjh",
    "lxdh",
    "dianhua",
    "手机",
    "手机号",
    "手机号码",
    "电话",
    "电话号码",
    "联系电话",
    "联系方式",
    "移动电话",
];

const EMAIL_KEYS: &[&str] = &[
    "email",
    "e_mail",
    "emailAddress",
    "email_address",
    "mail",
    "mailbox",
    "youxiang",
    "邮箱",
    "电子邮箱",
    "电子邮件",
    "邮件地址",
];

const NAME_KEYS: &[&str] = &[
    "name",
    "realName",
    "real_name",
    "fullName",
    "full_name",
    "userName",
    "user_name",
    "customerName",
    "customer_name",
    "holderName",
    "cardHolder",
    "cardholderName",
    "accountName",
    "account_name",
    "payerName",
    "payeeName",
    "receiverName",
    "contactName",
    "contact_name",
    "firstName",
    "lastName",
    "surname",
    "givenName",
    "legalName",
    "xingming",
    "xm",
    "姓名",
    "真实姓名",
    "名字",
    "客户姓名",
    "持卡人",
    "持卡人姓名",
    "户名",
    "联系人",
    "收货人",
    "收款人",
    "付款人",
];

const ADDRESS_KEYS: &[&str] = &[
    "address",
    "addr",
    "homeAddress",
    "home_address",
    "streetAddress",
    "street",
    "residence",
    "residentialAddress",
    "mailingAddress",
    "shippingAddress",
    "shipping_address",
    "billingAddress",
    "deliveryAddress",
    "receiverAddress",
    "detailAddress",
    "addressLine",
    "addressLine1",
    "addressLine2",
    "dizhi",
    "zhuzhi",
    "地址",
    "住址",
    "家庭住址",
    "居住地址",
    "收货地址",
    "详细地址",
    "通讯地址",
    "户籍地址",
];

const BIRTH_DATE_KEYS: &[&str] = &[
    "birthday",
    "birthDate",
    "birth_date",
    "dateOfBirth",
    "date_of_birth",
    "dob",
    "birth",
    "shengri",
    "csrq",
    "出生日期",
    "生日",
    "出生年月",
];

const PASSPORT_KEYS: &[&str] = &[
    "passport",
    "passportNo",
    "passport_no",
    "passportNumber",
    "passport_number",
    "huzhao",
    "hzh",
    "护照",
    "护照号",
    "护照号码",
];

const BIOMETRIC_KEYS: &[&str] = &[
    "faceImage",
    "face_image",
    "face",
    "facePhoto",
    "facePic",
    "faceData",
    "faceFeature",
    "faceTemplate",
    "selfie",
    "livenessImage",
    "portrait",
    "fingerprint",
    "finger_print",
    "fingerprintTemplate",
    "fingerprintData",
    "iris",
    "irisTemplate",
    "voiceprint",
    "palmprint",
    "biometric",
    "biometrics",
    "biometricData",
    "renlian",
    "zhiwen",
    "人脸",
    "人脸照片",
    "人脸图像",
    "人脸特征",
    "指纹",
    "指纹模板",
    "虹膜",
    "声纹",
    "掌纹",
];

const DEVICE_KEYS: &[&str] = &[
    "deviceId",
    "device_id",
    "deviceNo",
    "deviceFingerprint",
    "imei",
    "imsi",
    "meid",
    "iccid",
    "idfa",
    "idfv",
    "oaid",
    "androidId",
    "android_id",
    "macAddress",
    "mac_address",
    "mac",
    "serialNumber",
    "udid",
    "shebeihao",
    "设备号",
    "设备标识",
    "设备ID",
];

const LOCATION_KEYS: &[&str] = &[
    "latitude",
    "longitude",
    "lat",
    "lng",
    "lon",
    "geo",
    "geoLocation",
    "gps",
    "coordinates",
    "location",
    "position",
    "weidu",
    "jingdu",
    "纬度",
    "经度",
    "位置",
    "地理位置",
    "定位",
];

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
    fn dictionaries_find_their_category() {
        assert_eq!(category_of_key(&normalize_key("SFZH")), Some("id_number"));
        assert_eq!(
            category_of_key(&normalize_key("银行卡号")),
            Some("bank_card")
        );
        assert_eq!(
            category_of_key(&normalize_key("bank-card-no")),
            Some("bank_card")
        );
        assert_eq!(category_of_key(&normalize_key("联系电话")), Some("phone"));
        assert_eq!(
            category_of_key(&normalize_key("face_image")),
            Some("biometric")
        );
        assert_eq!(category_of_key(&normalize_key("IMEI")), Some("device"));
        assert_eq!(category_of_key(&normalize_key("orderNo")), None);
    }

    #[test]
    fn no_key_belongs_to_two_categories() {
        let mut seen = std::collections::HashMap::new();
        for category in BUILTIN_CATEGORIES {
            for key in builtin_keys(category).expect("listed categories have keys") {
                if let Some(other) = seen.insert(normalize_key(key), *category) {
                    assert_eq!(other, *category, "{key} is in two dictionaries");
                }
            }
        }
    }
}
