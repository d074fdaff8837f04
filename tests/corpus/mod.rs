//! The labelled detection corpus: JSON documents with one piece of personal
//! data hidden where detectors must find it, and documents holding only
//! look-alikes that must come out byte-identical.
//!
//! Deterministic: one seed, one corpus ([`rng::Rng`] is written here, so no
//! crate upgrade changes it). Personal values are real-format (GB 11643
//! check characters, Luhn digits in real issuer ranges, real mobile prefixes,
//! real calendars); look-alikes are what payment payloads are full of (order
//! numbers, amounts, timestamps, merchant codes, UUIDs, tracking numbers) and
//! near misses (Luhn-invalid cards, bad check characters, impossible dates).
//! Each value is placed the way it leaks in practice: in free-text remarks
//! under keys no rule names (Chinese and English sentences, Chinese
//! punctuation), in nested `extra` maps, in a chat log, in JSON held in a
//! string, in a percent-encoded query string, `\u`-escaped, as an object key,
//! as a JSON number, with full-width digits and invisible characters inside.
//!
//! Knows nothing of the engine or the detectors: `tests/detect_corpus.rs`
//! runs the documents and scores them.

pub mod rng;
pub mod values;

use rng::Rng;

/// One corpus document and what it is labelled with.
pub struct Sample {
    /// The PII kind (`id_number`, `ipv6`…) or the look-alike kind.
    pub kind: &'static str,
    /// The category findings should report (`None` for look-alikes).
    pub category: Option<&'static str>,
    /// How the value was placed (`remark`, `query`, `key`…).
    pub carrier: &'static str,
    pub doc: String,
    /// Forms of the value that must not survive (compared after decoding
    /// and normalizing the output, ASCII case-insensitively).
    pub needles: Vec<String>,
    /// Stretches of the document that are not personal and must survive
    /// verbatim (the order number, amount and time around the value).
    pub keep: Vec<String>,
    /// What the engine hands the detectors for the value, where the carrier
    /// hands them exactly the sentence.
    pub seen: Option<Seen>,
}

/// One detector call: the nearest key, the text and the value's byte range.
pub struct Seen {
    pub key: Option<String>,
    pub text: String,
    pub range: std::ops::Range<usize>,
}

impl Sample {
    pub fn is_pii(&self) -> bool {
        self.category.is_some()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Carrier {
    /// A free-text remark under a key no rule names.
    Remark,
    /// Deep in a nested `extra` map.
    Nested,
    /// A message of a chat log (an array of objects).
    Chat,
    /// JSON written into a string field.
    JsonInString,
    /// A URL's percent-encoded query string.
    Query,
    /// A query string with every byte of the value percent-encoded.
    QueryAllEncoded,
    /// The value's characters written as `\uXXXX` escapes.
    UnicodeEscape,
    /// The value alone in a string under an odd key.
    Bare,
    /// The value as an object key (a map keyed by phone numbers).
    Key,
    /// The value as a JSON number.
    Number,
    /// A query parameter whose name announces the value (`realName=`).
    KeyedQuery,
    /// A key no rule names exactly that still announces the value
    /// (`holderPassportNo`).
    AnnouncingKey,
}

impl Carrier {
    fn name(self) -> &'static str {
        match self {
            Carrier::Remark => "remark",
            Carrier::Nested => "nested",
            Carrier::Chat => "chat",
            Carrier::JsonInString => "json_in_string",
            Carrier::Query => "query",
            Carrier::QueryAllEncoded => "query_all_encoded",
            Carrier::UnicodeEscape => "unicode_escape",
            Carrier::Bare => "bare",
            Carrier::Key => "key",
            Carrier::Number => "number",
            Carrier::KeyedQuery => "keyed_query",
            Carrier::AnnouncingKey => "announcing_key",
        }
    }
}

use Carrier::*;

const TEXT_CARRIERS: &[Carrier] = &[
    Remark,
    Remark,
    Nested,
    Chat,
    JsonInString,
    Query,
    UnicodeEscape,
];
const VALUE_CARRIERS: &[Carrier] = &[
    Remark,
    Remark,
    Nested,
    Chat,
    JsonInString,
    Query,
    QueryAllEncoded,
    UnicodeEscape,
    Bare,
    Key,
    Number,
];
const LABELLED_CARRIERS: &[Carrier] = &[
    Remark,
    Remark,
    Nested,
    Chat,
    JsonInString,
    Query,
    UnicodeEscape,
    KeyedQuery,
    AnnouncingKey,
];

/// A generated value: as written into the document, and its canonical forms.
struct Value {
    written: String,
    needles: Vec<String>,
    templates: &'static [&'static str],
    /// Keys that announce this kind of value (for `KeyedQuery`/`AnnouncingKey`).
    announcing: &'static [&'static str],
}

impl Value {
    fn plain(written: String, templates: &'static [&'static str]) -> Self {
        Value {
            needles: vec![written.clone()],
            written,
            templates,
            announcing: &[],
        }
    }
}

struct PiiKind {
    kind: &'static str,
    category: &'static str,
    make: fn(&mut Rng) -> Value,
    carriers: &'static [Carrier],
}

const PII_KINDS: &[PiiKind] = &[
    PiiKind {
        kind: "id_number",
        category: "id_number",
        make: id_number,
        carriers: VALUE_CARRIERS,
    },
    PiiKind {
        kind: "bank_card",
        category: "bank_card",
        make: bank_card,
        carriers: VALUE_CARRIERS,
    },
    PiiKind {
        kind: "phone",
        category: "phone",
        make: phone,
        carriers: VALUE_CARRIERS,
    },
    PiiKind {
        kind: "email",
        category: "email",
        make: email,
        carriers: VALUE_CARRIERS,
    },
    PiiKind {
        kind: "ipv4",
        category: "ip_address",
        make: ipv4,
        carriers: VALUE_CARRIERS,
    },
    PiiKind {
        kind: "ipv6",
        category: "ip_address",
        make: ipv6,
        carriers: VALUE_CARRIERS,
    },
    PiiKind {
        kind: "passport",
        category: "passport",
        make: passport,
        carriers: LABELLED_CARRIERS,
    },
    PiiKind {
        kind: "biometric",
        category: "biometric",
        make: biometric,
        carriers: &[Remark, Nested, JsonInString, Bare, Bare, AnnouncingKey],
    },
    PiiKind {
        kind: "name",
        category: "name",
        make: name,
        carriers: LABELLED_CARRIERS,
    },
    PiiKind {
        kind: "address",
        category: "address",
        make: address,
        carriers: LABELLED_CARRIERS,
    },
    PiiKind {
        kind: "birth_date",
        category: "birth_date",
        make: birth_date,
        carriers: LABELLED_CARRIERS,
    },
    PiiKind {
        kind: "medical_record",
        category: "medical_record",
        make: medical_record,
        carriers: TEXT_CARRIERS,
    },
];

/// The PII kinds, in report order, with the category each should report.
pub fn pii_kinds() -> impl Iterator<Item = (&'static str, &'static str)> {
    PII_KINDS.iter().map(|k| (k.kind, k.category))
}

// ---- PII values ------------------------------------------------------------

const ID_TEMPLATES: &[&str] = &[
    "身份证号：{v}，请核实。",
    "客户身份证{v}已实名认证",
    "证件号码（{v}）与姓名不符",
    "ID card no. {v} verified",
    "用户上传的证件：{v}；有效期长期",
    "{v}",
    "退款申请，附身份证号{v}。",
    "请核对【{v}】是否为本人",
    "The customer's ID is {v}, please check.",
    "实名信息:{v}",
];

const INVISIBLE: &[char] = &[
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}',
];

/// Full-width forms of ASCII digits, letters and `@ . - +`.
fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' | 'A'..='Z' | 'a'..='z' | '@' | '.' | '-' | '+' => {
                char::from_u32(c as u32 - 0x20 + 0xFF00).expect("full-width form")
            }
            c => c,
        })
        .collect()
}

/// Invisible characters slipped between the characters of `text`.
fn with_invisible(rng: &mut Rng, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let count = 1 + rng.below(3) as usize;
    let cuts: Vec<usize> = (0..count)
        .map(|_| 1 + rng.below(chars.len().max(2) as u64 - 1) as usize)
        .collect();
    for (i, c) in chars.iter().enumerate() {
        if cuts.contains(&i) {
            out.push(*rng.choose(INVISIBLE));
        }
        out.push(*c);
    }
    out
}

/// The evasions a sender uses (deliberately or through a copy-paste): about
/// one value in four is written full-width or with invisible characters.
fn evade(rng: &mut Rng, text: String) -> String {
    match rng.below(12) {
        0 | 1 => full_width(&text),
        2 => with_invisible(rng, &text),
        _ => text,
    }
}

/// `digits` in groups of `sizes`, joined by `sep`.
fn grouped(digits: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = Vec::new();
    let mut at = 0;
    for size in sizes {
        let end = (at + size).min(digits.len());
        out.push(&digits[at..end]);
        at = end;
    }
    if at < digits.len() {
        out.push(&digits[at..]);
    }
    out.join(sep)
}

fn id_number(rng: &mut Rng) -> Value {
    let id = if rng.below(10) == 0 {
        values::resident_id_15(rng)
    } else {
        values::resident_id(rng)
    };
    let written = match rng.below(8) {
        0 if id.len() == 18 => grouped(&id, &[6, 8], " "),
        1 => id.to_lowercase(),
        _ => id.clone(),
    };
    Value {
        written: evade(rng, written),
        needles: vec![id],
        templates: ID_TEMPLATES,
        announcing: &[],
    }
}

const CARD_TEMPLATES: &[&str] = &[
    "卡号{v}余额不足",
    "尾号不对，完整卡号：{v}。",
    "用户绑定银行卡 {v}，交易失败",
    "card {v} declined by issuer",
    "请退款至{v}（工商银行）",
    "退款账户：{v}；户名见附件",
    "【{v}】",
    "Refund to card {v}, thanks.",
    "{v}",
    "扣款卡{v}，金额¥128.00",
];

fn bank_card(rng: &mut Rng) -> Value {
    let card = values::bank_card(rng);
    let written = match rng.below(6) {
        0 => grouped(&card, &[4, 4, 4, 4], " "),
        1 => grouped(&card, &[4, 4, 4, 4], "-"),
        2 if card.len() == 15 => grouped(&card, &[4, 6], " "),
        _ => card.clone(),
    };
    Value {
        written: evade(rng, written),
        needles: vec![card],
        templates: CARD_TEMPLATES,
        announcing: &[],
    }
}

const PHONE_TEMPLATES: &[&str] = &[
    "请联系{v}。",
    "客户来电{v}，要求退款",
    "电话：{v}，白天联系",
    "call me at {v} after 6pm",
    "手机号（{v}）已更换",
    "收件人电话{v}，放门口",
    "{v}",
    "备用号码:{v};主号停机",
    "Tel {v}",
    "联系方式：{v}、微信同号",
];

fn phone(rng: &mut Rng) -> Value {
    let number = values::mobile(rng);
    let written = match rng.below(10) {
        0 => grouped(&number, &[3, 4], " "),
        1 => grouped(&number, &[3, 4], "-"),
        2 => format!("+86 {number}"),
        3 => format!("+86-{}", grouped(&number, &[3, 4], "-")),
        4 => format!("+86{number}"),
        5 => format!("0086{number}"),
        _ => number.clone(),
    };
    Value {
        written: evade(rng, written),
        needles: vec![number],
        templates: PHONE_TEMPLATES,
        announcing: &[],
    }
}

const EMAIL_TEMPLATES: &[&str] = &[
    "请发到{v}，谢谢",
    "email: {v}",
    "联系邮箱{v}。",
    "mailto:{v}",
    "发票已发送至 {v}（电子发票）",
    "{v}",
    "Contact {v} for details.",
    "账单邮箱【{v}】",
];

fn email(rng: &mut Rng) -> Value {
    let email = values::email(rng);
    let written = match rng.below(10) {
        0 => email.replace('@', "＠"),
        1 => email.to_uppercase(),
        2 => with_invisible(rng, &email),
        _ => email.clone(),
    };
    Value {
        written,
        needles: vec![email],
        templates: EMAIL_TEMPLATES,
        announcing: &[],
    }
}

const IP_TEMPLATES: &[&str] = &[
    "登录IP：{v}，异地登录",
    "from {v}, risk score 87",
    "client_ip={v}",
    "X-Forwarded-For: {v}",
    "[{v}]:8080 connection reset",
    "设备IP {v}。",
    "{v}",
    "用户在{v}处登录",
];

fn ipv4(rng: &mut Rng) -> Value {
    let ip = values::ipv4(rng);
    let written = if rng.below(10) == 0 {
        full_width(&ip)
    } else {
        ip.clone()
    };
    Value {
        written,
        needles: vec![ip],
        templates: IP_TEMPLATES,
        announcing: &[],
    }
}

fn ipv6(rng: &mut Rng) -> Value {
    Value::plain(values::ipv6(rng), IP_TEMPLATES)
}

const PASSPORT_TEMPLATES: &[&str] = &[
    "护照号：{v}，有效期至2030年",
    "护照号码{v}。",
    "passport no. {v}",
    "Passport: {v}, nationality CHN",
    "客户持护照{v}办理",
    "护照 {v}",
    "passport number {v}",
    "外籍客户，护照号为{v}",
    "护照号码：【{v}】",
];

fn passport(rng: &mut Rng) -> Value {
    let number = values::passport(rng);
    let written = if rng.below(10) == 0 {
        full_width(&number)
    } else {
        number.clone()
    };
    Value {
        written,
        needles: vec![number],
        templates: PASSPORT_TEMPLATES,
        announcing: &[
            "passport",
            "passportNo",
            "holderPassportNo",
            "travellerPassportNumber",
            "护照号",
        ],
    }
}

const BIOMETRIC_TEMPLATES: &[&str] = &[
    "人脸照片：{v}",
    "{v}",
    "<img src=\"{v}\">",
    "指纹模板 {v}",
    "face={v}&score=0.98",
    "liveness image attached: {v}",
];

fn biometric(rng: &mut Rng) -> Value {
    let blob = values::biometric(rng);
    // Any 24 characters from the encoded payload identify the blob.
    let payload_start = blob.find(',').map_or(2, |c| c + 1);
    let needles = vec![blob[payload_start..payload_start + 24].to_owned()];
    Value {
        written: blob,
        needles,
        templates: BIOMETRIC_TEMPLATES,
        announcing: &[
            "user_face_image",
            "faceTemplateData",
            "fingerprintMinutiae",
            "livenessPhoto",
        ],
    }
}

const NAME_HAN_TEMPLATES: &[&str] = &[
    "姓名：{v}，身份已核验",
    "持卡人{v}申请退款",
    "客户{v}来电咨询退款事宜",
    "收货人：{v} 电话见订单",
    "联系人:{v}；",
    "户名：【{v}】与卡号不符",
    "收款人是{v}，",
    "乘机人 {v}。",
    "Name: {v}",
    "付款人{v}已确认",
];

const NAME_ROMAN_TEMPLATES: &[&str] = &[
    "Name: {v}",
    "name: {v}, tel on file",
    "Cardholder {v} requested a refund",
    "持卡人：{v}",
    "passenger {v} checked in",
    "姓名:{v}；",
    "Customer name: {v}.",
    "account name {v}",
];

fn name(rng: &mut Rng) -> Value {
    let romanized = rng.below(3) == 0;
    let name = values::name(rng, romanized);
    let written = if !romanized && rng.below(12) == 0 {
        with_invisible(rng, &name)
    } else {
        name.clone()
    };
    Value {
        written,
        needles: vec![name],
        templates: if romanized {
            NAME_ROMAN_TEMPLATES
        } else {
            NAME_HAN_TEMPLATES
        },
        announcing: &[
            "realName",
            "customerRealName",
            "holder_full_name",
            "payerRealName",
            "姓名",
        ],
    }
}

const ADDRESS_TEMPLATES: &[&str] = &[
    "收货地址：{v}，请尽快发货",
    "地址:{v}；联系电话见订单",
    "家庭住址{v}。",
    "寄送地址为{v}",
    "客户住址：【{v}】",
    "请寄到以下地址：{v}",
    "详细地址 {v}",
    "Shipping address: {v}; tel on file",
    "address: {v}.",
];

fn address(rng: &mut Rng) -> Value {
    let (address, mut needles) = values::address(rng);
    needles.insert(0, address.clone());
    Value {
        written: address,
        needles,
        templates: ADDRESS_TEMPLATES,
        announcing: &[
            "homeAddress",
            "receiverAddressDetail",
            "shippingAddressLine",
            "住址",
        ],
    }
}

const BIRTH_TEMPLATES: &[&str] = &[
    "出生日期：{v}，",
    "生日{v}。",
    "DOB: {v}",
    "date of birth {v}, male",
    "born on {v} in Beijing",
    "客户生日为{v}",
    "出生于{v}。",
    "Birthday: {v}",
];

fn birth_date(rng: &mut Rng) -> Value {
    let date = values::birth_date(rng);
    let written = if rng.below(12) == 0 {
        full_width(&date)
    } else {
        date.clone()
    };
    Value {
        written,
        needles: vec![date],
        templates: BIRTH_TEMPLATES,
        announcing: &[
            "birthday",
            "applicantBirthdate",
            "holderDateOfBirth",
            "出生日期",
        ],
    }
}

const MRN_TEMPLATES: &[&str] = &[
    "病历号 {v}，复诊",
    "patient {v} admitted",
    "MRN:{v}",
    "{v}",
    "就诊记录（{v}）已上传",
    "病历号{v}已归档",
];

fn medical_record(rng: &mut Rng) -> Value {
    Value::plain(values::medical_record(rng), MRN_TEMPLATES)
}

// ---- look-alikes -----------------------------------------------------------

struct DecoyKind {
    kind: &'static str,
    make: fn(&mut Rng) -> String,
    templates: &'static [&'static str],
    /// Also placed as an object key.
    as_key: bool,
}

const DECOY_KINDS: &[DecoyKind] = &[
    DecoyKind {
        kind: "order_number",
        make: values::order_number,
        templates: &[
            "订单号{v}已支付",
            "order {v} shipped",
            "您的订单{v}已发货，请注意查收",
            "退款单号：{v}",
            "{v}",
            "交易流水号【{v}】",
            "原订单{v}，退款成功",
        ],
        as_key: true,
    },
    DecoyKind {
        kind: "amount",
        make: values::amount,
        templates: &[
            "金额{v}，手续费￥0.50",
            "支付{v}",
            "amount {v} refunded",
            "{v}",
            "订单金额：{v}。",
            "实付{v}（含运费）",
        ],
        as_key: false,
    },
    DecoyKind {
        kind: "timestamp",
        make: values::timestamp,
        templates: &[
            "下单时间{v}",
            "paid at {v}",
            "{v}",
            "创建于{v}，超时关闭",
            "时间：{v}",
            "交易日期：{v}",
        ],
        as_key: true,
    },
    DecoyKind {
        kind: "merchant_code",
        make: values::merchant_code,
        templates: &[
            "商户号{v}",
            "merchant {v} settled",
            "{v}",
            "商户编号：{v}，MCC 5411",
            "子商户【{v}】",
        ],
        as_key: true,
    },
    DecoyKind {
        kind: "uuid",
        make: values::uuid,
        templates: &["trace {v}", "请求ID：{v}", "{v}", "session={v}"],
        as_key: true,
    },
    DecoyKind {
        kind: "tracking_number",
        make: values::tracking_number,
        templates: &[
            "运单号{v}，已签收",
            "快递单号：{v}",
            "tracking {v} in transit",
            "{v}",
            "顺丰{v}",
        ],
        as_key: true,
    },
    DecoyKind {
        kind: "luhn_invalid_card",
        make: luhn_invalid_card,
        templates: &[
            "卡号{v}校验失败",
            "card {v} invalid",
            "{v}",
            "银行卡：{v}（无效卡号）",
            "退款至{v}",
        ],
        as_key: false,
    },
    DecoyKind {
        kind: "bad_checksum_id",
        make: values::bad_checksum_id,
        templates: &[
            "身份证号{v}校验位错误",
            "证件号：{v}",
            "{v}",
            "ID {v} rejected",
        ],
        as_key: false,
    },
    DecoyKind {
        kind: "invalid_date_id",
        make: values::invalid_date_id,
        templates: &[
            "身份证号{v}日期无效",
            "证件号：{v}",
            "{v}",
            "ID {v} rejected",
        ],
        as_key: false,
    },
    DecoyKind {
        kind: "non_mobile_number",
        make: values::non_mobile_number,
        templates: &[
            "客服电话{v}",
            "请拨打{v}",
            "{v}",
            "座机：{v}",
            "hotline {v}",
        ],
        as_key: false,
    },
    DecoyKind {
        kind: "version_or_time",
        make: values::version_or_time,
        templates: &[
            "客户端版本{v}",
            "build {v}",
            "{v}",
            "时间 {v}",
            "OID {v}",
            "MAC {v}",
        ],
        as_key: false,
    },
    DecoyKind {
        kind: "hash_or_token",
        make: values::hash_or_token,
        templates: &["sign={v}", "签名：{v}", "{v}", "token {v}", "sha256 {v}"],
        as_key: false,
    },
    DecoyKind {
        kind: "label_lookalike",
        make: label_lookalike,
        templates: &["{v}"],
        as_key: false,
    },
    DecoyKind {
        kind: "handle_lookalike",
        make: handle_lookalike,
        templates: &["{v}", "备注：{v}"],
        as_key: false,
    },
];

/// The look-alike kinds, in report order.
pub fn decoy_kinds() -> impl Iterator<Item = &'static str> {
    DECOY_KINDS.iter().map(|k| k.kind)
}

fn luhn_invalid_card(rng: &mut Rng) -> String {
    let card = values::luhn_invalid_card(rng);
    match rng.below(4) {
        0 => grouped(&card, &[4, 4, 4, 4], " "),
        _ => card,
    }
}

/// Sentences that carry a label word but no personal value.
const LABEL_LOOKALIKES: &[&str] = &[
    "客户反馈问题已解决",
    "客户余额不足，请充值",
    "地址变更申请已提交",
    "姓名与证件不符，请重新上传",
    "passport photo required",
    "Customer: Thanks for the help",
    "Product name: Coffee Mug",
    "商品名称：iPhone 15 Pro 256G",
    "收货地址未填写",
    "出生日期格式错误",
    "护照有效期不足6个月",
    "contact us at support",
    "Plan name: Premium Gold",
    "已通知收货人",
    "收款人信息有误，请核对",
    "地址：见附件",
    "生日快乐！",
    "出生地：北京",
    "Passport No. required",
    "护照号码待补充",
    "请填写姓名和地址",
    "客户端版本过低",
    "用户名：zhangsan88",
    "Customer name: see attachment",
    "Address line 2 is optional",
    "Event name: Double Eleven Sale",
    "用户反映无法登录",
    "客户经理已跟进",
    "DOB field is required",
    "姓名：（未填写）",
    "联系人：财务部",
    "收货人：公司前台",
    "收件人：丰巢快递柜",
    "联系人：客服中心",
    "持卡人：本人",
    "证件有效期：2021.03.05-2041.03.05",
    "发卡日期 2019-06-01",
    "合同签署日期：2025年3月1日",
    "公司地址在市中心",
    "门店地址请见地图",
    "地址栏输入网址即可访问",
    "收货地址与默认地址一致",
    "请核对出生日期与证件是否一致",
];

fn label_lookalike(rng: &mut Rng) -> String {
    let sentence = rng.pick(LABEL_LOOKALIKES);
    // A reference number keeps documents apart without adding personal data.
    format!("{sentence}（工单{}）", rng.digits(6))
}

fn handle_lookalike(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => "@everyone 请注意查收".to_owned(),
        1 => format!("user{}@localhost", rng.below(100)),
        2 => format!(
            "node@{}.{}.{}",
            14 + rng.below(8),
            rng.below(20),
            rng.below(10)
        ),
        3 => format!("https://cdn.example.com/img/icon{}@2x.png", rng.below(1000)),
        4 => format!("banner_{}@3x.jpg", rng.below(1000)),
        _ => format!("价格@¥{}起", rng.below(1000)),
    }
}

// ---- documents ---------------------------------------------------------------

const ODD_KEYS: &[&str] = &[
    "remark",
    "memo",
    "note",
    "备注",
    "附言",
    "comment",
    "desc",
    "attach",
    "ext1",
    "reserved_field_2",
    "msg",
    "content",
    "buyer_message",
    "f_17",
];

/// JSON string literal of `text`.
fn js(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

fn js_inner(text: &str) -> String {
    let quoted = js(text);
    quoted[1..quoted.len() - 1].to_owned()
}

/// `prefix + value + suffix` as a JSON string with the value `\u`-escaped.
fn js_escaped(prefix: &str, value: &str, suffix: &str) -> String {
    let mut escaped = String::new();
    for unit in value.encode_utf16() {
        escaped.push_str(&format!("\\u{unit:04x}"));
    }
    format!("\"{}{escaped}{}\"", js_inner(prefix), js_inner(suffix))
}

fn percent(text: &str, all: bool) -> String {
    text.bytes()
        .map(|b| {
            if !all && (b.is_ascii_alphanumeric() || b"-._~".contains(&b)) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn is_json_number(text: &str) -> bool {
    serde_json::from_str::<serde_json::Number>(text).is_ok() && !text.starts_with('-')
}

/// Where a value goes in a document, with the surrounding fields.
struct Placed {
    carrier: Carrier,
    /// JSON members (without braces) carrying the value.
    members: String,
    seen: Option<Seen>,
}

fn place(
    rng: &mut Rng,
    carrier: Carrier,
    sentence: (&str, &str, &str),
    announcing: &[&str],
) -> Placed {
    let (prefix, value, suffix) = sentence;
    let full = format!("{prefix}{value}{suffix}");
    let key = rng.pick(ODD_KEYS);
    let sentence_under = |key: &str| {
        Some(Seen {
            key: Some(key.to_owned()),
            text: full.clone(),
            range: prefix.len()..prefix.len() + value.len(),
        })
    };
    let value_under = |key: Option<&str>| {
        Some(Seen {
            key: key.map(str::to_owned),
            text: value.to_owned(),
            range: 0..value.len(),
        })
    };
    let (members, seen) = match carrier {
        Remark => (format!("{}:{}", js(key), js(&full)), sentence_under(key)),
        Nested => (
            format!(
                r#""biz_content":{{"extend_params":{{"sys_service_provider_id":"2088{}","extra":{{{}:{}}}}}}}"#,
                rng.digits(12),
                js(key),
                js(&full)
            ),
            sentence_under(key),
        ),
        Chat => (
            format!(
                r#""session":{},"messages":[{{"role":"agent","text":"您好，请问有什么可以帮您？"}},{{"role":"user","text":{}}}]"#,
                js(&values::uuid(rng)),
                js(&full)
            ),
            sentence_under("text"),
        ),
        JsonInString => {
            let inner = format!(
                r#"{{"scene":"refund","ext":{{{}:{}}}}}"#,
                js(key),
                js(&full)
            );
            (format!(r#""payload":{}"#, js(&inner)), sentence_under(key))
        }
        Query | QueryAllEncoded => {
            let encoded = if carrier == QueryAllEncoded {
                format!(
                    "{}{}{}",
                    percent(prefix, false),
                    percent(value, true),
                    percent(suffix, false)
                )
            } else {
                percent(&full, false)
            };
            let url = format!(
                "https://partner.example/notify?biz=refund&{}={encoded}&sign_type=RSA2",
                percent(key, false)
            );
            (format!(r#""notify_url":{}"#, js(&url)), None)
        }
        UnicodeEscape => (
            format!("{}:{}", js(key), js_escaped(prefix, value, suffix)),
            sentence_under(key),
        ),
        Bare => (format!("{}:{}", js(key), js(value)), value_under(Some(key))),
        Key => (
            format!(
                r#""contacts":{{{}:{{"relation":"本人","verified":true}}}}"#,
                js(value)
            ),
            value_under(None),
        ),
        Number => (
            format!(r#""ext_ref":{value}"#),
            value_under(Some("ext_ref")),
        ),
        KeyedQuery => {
            let url = format!(
                "https://partner.example/cb?biz=kyc&{}={}&ts=1763883000",
                percent(rng.pick(announcing), false),
                percent(value, false)
            );
            (format!(r#""callback":{}"#, js(&url)), None)
        }
        AnnouncingKey => {
            let announced = rng.pick(announcing);
            (
                format!(r#""applicant":{{{}:{}}}"#, js(announced), js(value)),
                value_under(Some(announced)),
            )
        }
    };
    Placed {
        carrier,
        members,
        seen,
    }
}

fn split_template(template: &str) -> (&str, &str) {
    template.split_once("{v}").expect("templates hold {v}")
}

/// A carrier the value can use: numbers only for plain digits, keys and
/// announcing keys only where the kind allows them.
fn usable(carrier: Carrier, value: &Value) -> bool {
    match carrier {
        Number => is_json_number(&value.written) && !value.written.contains('.'),
        KeyedQuery | AnnouncingKey => !value.announcing.is_empty(),
        _ => true,
    }
}

fn pii_sample(rng: &mut Rng, kind: &PiiKind) -> Sample {
    let value = (kind.make)(rng);
    let mut carrier = *rng.choose(kind.carriers);
    if !usable(carrier, &value) {
        carrier = Remark;
    }
    let (prefix, suffix) = split_template(rng.pick(value.templates));
    let placed = place(
        rng,
        carrier,
        (prefix, &value.written, suffix),
        value.announcing,
    );
    let context = [
        format!(r#""order_no":{}"#, js(&values::order_number(rng))),
        format!(r#""amount":{}"#, js(&values::amount(rng))),
        format!(r#""created_at":{}"#, js(&values::timestamp(rng))),
    ];
    let doc = format!(
        r#"{{"request_id":{},{},"currency":"CNY",{},{},"status":"PENDING",{}}}"#,
        js(&values::uuid(rng)),
        context[0],
        context[1],
        placed.members,
        context[2],
    );
    let mut needles = value.needles;
    needles.retain(|n| !n.is_empty());
    Sample {
        kind: kind.kind,
        category: Some(kind.category),
        carrier: placed.carrier.name(),
        doc,
        needles,
        keep: context.to_vec(),
        seen: placed.seen,
    }
}

fn decoy_sample(rng: &mut Rng, kind: &DecoyKind) -> Sample {
    let value = (kind.make)(rng);
    let mut carrier = *rng.choose(VALUE_CARRIERS);
    let numeric = is_json_number(&value) && !value.starts_with('0');
    if (carrier == Key && !kind.as_key) || (carrier == Number && !numeric) {
        carrier = Remark;
    }
    let (prefix, suffix) = split_template(rng.pick(kind.templates));
    let placed = place(rng, carrier, (prefix, &value, suffix), &[]);
    let doc = format!(
        r#"{{"currency":"CNY","status":"SUCCESS",{},"channel":"UNIONPAY"}}"#,
        placed.members
    );
    Sample {
        kind: kind.kind,
        category: None,
        carrier: placed.carrier.name(),
        doc,
        needles: Vec::new(),
        keep: Vec::new(),
        seen: placed.seen,
    }
}

/// The whole corpus: `per_kind` documents of each PII kind and of each
/// look-alike kind, the same for the same seed.
pub fn generate(seed: u64, per_kind: usize) -> Vec<Sample> {
    let mut rng = Rng::new(seed);
    let mut samples = Vec::new();
    for kind in PII_KINDS {
        samples.extend((0..per_kind).map(|_| pii_sample(&mut rng, kind)));
    }
    for kind in DECOY_KINDS {
        samples.extend((0..per_kind).map(|_| decoy_sample(&mut rng, kind)));
    }
    samples
}
