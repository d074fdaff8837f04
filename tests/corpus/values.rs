//! Value generators: real-format personal data (valid check digits, real
//! issuer ranges, real calendars) and the look-alikes a payment payload is
//! full of. Every function draws from the caller's [`Rng`], so one seed gives
//! one corpus.

use super::rng::Rng;

// ---- personal data ---------------------------------------------------------

/// Six-digit division codes across the provinces, plus the Hong Kong, Macao
/// and Taiwan residence-permit prefixes.
const DIVISIONS: &[&str] = &[
    "110101", "110105", "110108", "120101", "120104", "130102", "130602", "140105", "150102",
    "210102", "210202", "220102", "230102", "230103", "310101", "310104", "310115", "320102",
    "320506", "330106", "330203", "340102", "350102", "350203", "360102", "360103", "370102",
    "370202", "410105", "420106", "430104", "440106", "440305", "440306", "441900", "450103",
    "460105", "500103", "500112", "510107", "510104", "520102", "530102", "540102", "610113",
    "620102", "620103", "630102", "640104", "650102", "810000", "820000", "830000",
];

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The GB 11643 check character of 17 digits.
pub fn id_check(first17: &str) -> char {
    let sum: u32 = first17
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    char::from(b"10X98765432"[(sum % 11) as usize])
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A real birth date between 1940 and 2008: (year, month, day).
pub fn birth(rng: &mut Rng) -> (u32, u32, u32) {
    let year = 1940 + rng.below(69) as u32;
    let month = 1 + rng.below(12) as u32;
    let day = 1 + rng.below(u64::from(days_in(year, month))) as u32;
    (year, month, day)
}

/// A valid 18-character resident ID (sometimes ending in `X`).
pub fn resident_id(rng: &mut Rng) -> String {
    let (y, m, d) = birth(rng);
    let body = format!("{}{y:04}{m:02}{d:02}{}", rng.pick(DIVISIONS), rng.digits(3));
    let check = id_check(&body);
    format!("{body}{check}")
}

/// A valid 15-digit legacy resident ID (born 1940–1999).
pub fn resident_id_15(rng: &mut Rng) -> String {
    let (y, m, d) = loop {
        let date = birth(rng);
        if date.0 < 2000 {
            break date;
        }
    };
    format!(
        "{}{:02}{m:02}{d:02}{}",
        rng.pick(DIVISIONS),
        y % 100,
        rng.digits(3)
    )
}

/// The Luhn check digit that completes `body`.
pub fn luhn_digit(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// Issuer prefixes and card lengths, weighted towards what a Chinese
/// payment company sees: UnionPay debit and credit of the big banks, the
/// legacy ICBC/ABC debit ranges, and the international networks.
const ISSUERS: &[(&str, usize)] = &[
    ("622202", 19), // ICBC UnionPay debit
    ("621226", 19), // ICBC
    ("622848", 19), // ABC
    ("621700", 19), // CCB
    ("622700", 19), // CCB
    ("621661", 19), // BOC
    ("622262", 19), // BoCom
    ("621483", 16), // CMB
    ("622588", 16), // CMB credit
    ("625802", 16), // UnionPay credit
    ("628288", 16), // UnionPay credit
    ("620200", 18), // UnionPay 18-digit
    ("623668", 19), // city bank
    ("9558", 19),   // ICBC legacy debit
    ("95599", 19),  // ABC legacy debit
    ("601382", 16), // BOC Great Wall
    ("6011", 16),   // Discover
    ("4", 16),      // Visa
    ("4", 19),      // Visa 19
    ("51", 16),     // Mastercard
    ("53", 16),     // Mastercard
    ("55", 16),     // Mastercard
    ("2221", 16),   // Mastercard 2-series
    ("2720", 16),   // Mastercard 2-series
    ("34", 15),     // Amex
    ("37", 15),     // Amex
    ("3528", 16),   // JCB
    ("3566", 16),   // JCB
    ("8171", 16),   // UnionPay 81
];

/// A Luhn-valid card number of a real issuer range, as plain digits.
pub fn bank_card(rng: &mut Rng) -> String {
    let (prefix, len) = *rng.choose(ISSUERS);
    let body = format!("{prefix}{}", rng.digits(len - prefix.len() - 1));
    let check = luhn_digit(&body);
    format!("{body}{check}")
}

const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "149",
    "150", "151", "152", "153", "155", "156", "157", "158", "159", "162", "165", "166", "167",
    "170", "171", "172", "173", "175", "176", "177", "178", "180", "181", "182", "183", "184",
    "185", "186", "187", "188", "189", "190", "191", "192", "193", "195", "196", "197", "198",
    "199",
];

pub fn mobile(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(MOBILE_PREFIXES), rng.digits(8))
}

/// (surname, pinyin): the ~100 most frequent surnames in rough order of
/// frequency (so common ones come up more often, see [`name`]), a few
/// rarer ones, and compound surnames.
const SURNAMES: &[(&str, &str)] = &[
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
    ("何", "He"),
    ("高", "Gao"),
    ("林", "Lin"),
    ("罗", "Luo"),
    ("郑", "Zheng"),
    ("梁", "Liang"),
    ("谢", "Xie"),
    ("宋", "Song"),
    ("唐", "Tang"),
    ("许", "Xu"),
    ("韩", "Han"),
    ("冯", "Feng"),
    ("邓", "Deng"),
    ("曹", "Cao"),
    ("彭", "Peng"),
    ("曾", "Zeng"),
    ("肖", "Xiao"),
    ("田", "Tian"),
    ("董", "Dong"),
    ("袁", "Yuan"),
    ("潘", "Pan"),
    ("于", "Yu"),
    ("蒋", "Jiang"),
    ("蔡", "Cai"),
    ("余", "Yu"),
    ("杜", "Du"),
    ("叶", "Ye"),
    ("程", "Cheng"),
    ("苏", "Su"),
    ("魏", "Wei"),
    ("吕", "Lyu"),
    ("丁", "Ding"),
    ("任", "Ren"),
    ("沈", "Shen"),
    ("姚", "Yao"),
    ("卢", "Lu"),
    ("姜", "Jiang"),
    ("崔", "Cui"),
    ("钟", "Zhong"),
    ("谭", "Tan"),
    ("陆", "Lu"),
    ("汪", "Wang"),
    ("范", "Fan"),
    ("金", "Jin"),
    ("石", "Shi"),
    ("廖", "Liao"),
    ("贾", "Jia"),
    ("夏", "Xia"),
    ("韦", "Wei"),
    ("付", "Fu"),
    ("方", "Fang"),
    ("白", "Bai"),
    ("邹", "Zou"),
    ("孟", "Meng"),
    ("熊", "Xiong"),
    ("秦", "Qin"),
    ("邱", "Qiu"),
    ("江", "Jiang"),
    ("尹", "Yin"),
    ("薛", "Xue"),
    ("闫", "Yan"),
    ("段", "Duan"),
    ("雷", "Lei"),
    ("侯", "Hou"),
    ("龙", "Long"),
    ("史", "Shi"),
    ("陶", "Tao"),
    ("黎", "Li"),
    ("贺", "He"),
    ("顾", "Gu"),
    ("毛", "Mao"),
    ("郝", "Hao"),
    ("龚", "Gong"),
    ("邵", "Shao"),
    ("万", "Wan"),
    ("钱", "Qian"),
    ("覃", "Qin"),
    ("武", "Wu"),
    ("戴", "Dai"),
    ("莫", "Mo"),
    ("孔", "Kong"),
    ("关", "Guan"),
    ("缪", "Miao"),
    ("麦", "Mai"),
    ("欧阳", "Ouyang"),
    ("司马", "Sima"),
    ("上官", "Shangguan"),
    ("诸葛", "Zhuge"),
];

/// (given name, pinyin)
const GIVEN: &[(&str, &str)] = &[
    ("伟", "Wei"),
    ("芳", "Fang"),
    ("娜", "Na"),
    ("秀英", "Xiuying"),
    ("敏", "Min"),
    ("静", "Jing"),
    ("丽", "Li"),
    ("强", "Qiang"),
    ("磊", "Lei"),
    ("军", "Jun"),
    ("洋", "Yang"),
    ("勇", "Yong"),
    ("艳", "Yan"),
    ("杰", "Jie"),
    ("娟", "Juan"),
    ("涛", "Tao"),
    ("明", "Ming"),
    ("超", "Chao"),
    ("秀兰", "Xiulan"),
    ("霞", "Xia"),
    ("平", "Ping"),
    ("刚", "Gang"),
    ("桂英", "Guiying"),
    ("建华", "Jianhua"),
    ("志强", "Zhiqiang"),
    ("晓明", "Xiaoming"),
    ("子涵", "Zihan"),
    ("雨萱", "Yuxuan"),
    ("浩然", "Haoran"),
    ("梓轩", "Zixuan"),
    ("一诺", "Yinuo"),
    ("欣怡", "Xinyi"),
    ("思远", "Siyuan"),
    ("嘉怡", "Jiayi"),
    ("文博", "Wenbo"),
    ("海燕", "Haiyan"),
    ("建国", "Jianguo"),
    ("丽娟", "Lijuan"),
    ("小明", "Xiaoming"),
    ("德华", "Dehua"),
    ("春梅", "Chunmei"),
    ("国强", "Guoqiang"),
    ("佳", "Jia"),
    ("鑫", "Xin"),
    ("宇", "Yu"),
    ("婷", "Ting"),
    ("晨", "Chen"),
    ("来福", "Laifu"),
];

/// A Chinese name, or one of its romanized spellings (`ZHANG WEI`,
/// `ZHANG/WEI`, `Zhang Wei`, `Wei Zhang`).
pub fn name(rng: &mut Rng, romanized: bool) -> String {
    // Half the draws from the twenty most frequent surnames, as in the
    // population; the rest from the whole list.
    let pool = if rng.below(2) == 0 {
        &SURNAMES[..20]
    } else {
        SURNAMES
    };
    let (surname, sur_py) = *rng.choose(pool);
    let (given, given_py) = *rng.choose(GIVEN);
    if !romanized {
        return format!("{surname}{given}");
    }
    match rng.below(5) {
        0 => format!("{} {}", sur_py.to_uppercase(), given_py.to_uppercase()),
        1 => format!("{}/{}", sur_py.to_uppercase(), given_py.to_uppercase()),
        2 => format!("{sur_py} {given_py}"),
        3 => format!("{given_py} {sur_py}"),
        _ => format!("{} {given_py}", sur_py.to_uppercase()),
    }
}

const PLACES: &[(&str, &[&str])] = &[
    ("北京市", &["朝阳区", "海淀区", "东城区", "丰台区"]),
    ("上海市", &["浦东新区", "徐汇区", "静安区", "闵行区"]),
    ("广东省广州市", &["天河区", "越秀区", "海珠区"]),
    ("广东省深圳市", &["南山区", "福田区", "宝安区"]),
    ("浙江省杭州市", &["西湖区", "滨江区", "余杭区"]),
    ("四川省成都市", &["武侯区", "锦江区", "高新区"]),
    ("湖北省武汉市", &["洪山区", "武昌区"]),
    ("江苏省南京市", &["鼓楼区", "玄武区"]),
    ("重庆市", &["渝中区", "江北区"]),
    ("陕西省西安市", &["雁塔区", "碑林区"]),
    ("河南省郑州市", &["金水区"]),
    ("福建省厦门市", &["思明区"]),
];

const STREETS: &[&str] = &[
    "建国路",
    "世纪大道",
    "天河路",
    "科技园南路",
    "文三路",
    "人民南路四段",
    "中山大道",
    "长安街",
    "解放路",
    "珞喻路",
    "高新路",
    "南京东路",
    "五一路",
];

const BUILDINGS: &[&str] = &[
    "华星时代广场A座",
    "SOHO现代城",
    "阳光花园",
    "金地名苑",
    "万科城",
    "国贸大厦",
];

/// A Chinese or English address, and the pieces that must not survive
/// (street and number, building and room).
pub fn address(rng: &mut Rng) -> (String, Vec<String>) {
    if rng.below(5) == 0 {
        return english_address(rng);
    }
    let (city, districts) = *rng.choose(PLACES);
    let district = rng.pick(districts);
    let street = format!("{}{}号", rng.pick(STREETS), 1 + rng.below(400));
    let room = match rng.below(4) {
        0 => format!(
            "{}号楼{}单元{}",
            1 + rng.below(20),
            1 + rng.below(6),
            room(rng)
        ),
        1 => format!("{}{}室", rng.pick(BUILDINGS), room(rng)),
        2 => format!("{}栋{}室", 1 + rng.below(30), room(rng)),
        _ => String::new(),
    };
    let joined = if !room.is_empty() && rng.below(4) == 0 {
        format!("{city}{district}{street} {room}")
    } else {
        format!("{city}{district}{street}{room}")
    };
    let mut pieces = vec![street];
    if !room.is_empty() {
        pieces.push(room);
    }
    (joined, pieces)
}

fn room(rng: &mut Rng) -> String {
    format!("{}{:02}", 1 + rng.below(30), 1 + rng.below(12))
}

const EN_STREETS: &[&str] = &[
    "Jianguo Road",
    "Century Avenue",
    "Tianhe Road",
    "Wensan Road",
    "Nathan Road",
    "Zhongshan Road",
];
const EN_DISTRICTS: &[&str] = &[
    "Chaoyang District, Beijing",
    "Pudong New Area, Shanghai",
    "Tianhe District, Guangzhou",
    "Xihu District, Hangzhou",
    "Tsim Sha Tsui, Kowloon",
];

fn english_address(rng: &mut Rng) -> (String, Vec<String>) {
    let street = format!("No. {} {}", 1 + rng.below(400), rng.pick(EN_STREETS));
    let room = format!("Room {}", room(rng));
    let district = rng.pick(EN_DISTRICTS);
    (format!("{room}, {street}, {district}"), vec![street, room])
}

/// A birth date in one of the spellings people type after a label.
pub fn birth_date(rng: &mut Rng) -> String {
    let (y, m, d) = birth(rng);
    match rng.below(7) {
        0 => format!("{y}-{m:02}-{d:02}"),
        1 => format!("{y}/{m}/{d}"),
        2 => format!("{y}.{m:02}.{d:02}"),
        3 => format!("{y}年{m}月{d}日"),
        4 => format!("{y}{m:02}{d:02}"),
        5 => format!("{d:02}/{m:02}/{y}"),
        _ => format!("{y}年{m:02}月{d:02}日"),
    }
}

/// A passport number: Chinese e-passports (`E`, `EA`–`EK`, `G`), Hong Kong,
/// and a few foreign shapes.
pub fn passport(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 | 1 => format!("E{}", rng.digits(8)),
        2 => {
            let letter = rng.pick(&["A", "B", "C", "D", "E", "F", "G", "H", "J", "K"]);
            format!("E{letter}{}", rng.digits(7))
        }
        3 => format!("G{}", rng.digits(8)),
        4 => format!("K{}", rng.digits(8)),
        _ => rng.digits(9),
    }
}

const EMAIL_DOMAINS: &[&str] = &[
    "qq.com",
    "163.com",
    "126.com",
    "sina.com",
    "sohu.com",
    "foxmail.com",
    "gmail.com",
    "outlook.com",
    "example.com.cn",
    "corp-mail.cn",
    "alumni.tsinghua.edu.cn",
];

pub fn email(rng: &mut Rng) -> String {
    let (_, sur) = *rng.choose(SURNAMES);
    let (_, given) = *rng.choose(GIVEN);
    let (sur, given) = (sur.to_lowercase(), given.to_lowercase());
    let local = match rng.below(7) {
        0 => format!("{sur}{given}"),
        1 => format!("{sur}.{given}"),
        2 => format!("{given}_{sur}{}", rng.below(100)),
        3 => format!("{sur}{}", 1960 + rng.below(50)),
        4 => mobile(rng),
        5 => {
            let len = 5 + rng.below(5) as usize;
            format!("{}{}", 1 + rng.below(9), rng.digits(len))
        }
        _ => format!("{sur}-{given}+pay"),
    };
    format!("{local}@{}", rng.pick(EMAIL_DOMAINS))
}

pub fn ipv4(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!(
            "10.{}.{}.{}",
            rng.below(256),
            rng.below(256),
            1 + rng.below(254)
        ),
        1 => format!("192.168.{}.{}", rng.below(256), 1 + rng.below(254)),
        _ => format!(
            "{}.{}.{}.{}",
            [36, 58, 101, 112, 114, 117, 121, 183, 203, 222][rng.below(10) as usize],
            rng.below(256),
            rng.below(256),
            1 + rng.below(254)
        ),
    }
}

pub fn ipv6(rng: &mut Rng) -> String {
    let mut h = || format!("{:x}", rng.below(0x10000));
    let form = (h(), h(), h(), h(), h(), h());
    let (a, b, c, d, e, f) = form;
    let addr = match rng.below(6) {
        0 => format!("240e:{a}:{b}:{c}::{d}"),
        1 => format!("2408:{a}:{b}:{c}:{d}:{e}:{f}:1"),
        2 => format!("2409:8a00:{a}:{b}::{c}"),
        3 => format!("fe80::{a}:{b}:{c}:{d}"),
        4 => format!("2001:db8:{a}::{b}:{c}"),
        _ => format!(
            "2001:0db8:85a3:0000:0000:8a2e:0370:{:04x}",
            rng.below(0x10000)
        ),
    };
    if rng.below(4) == 0 {
        addr.to_uppercase()
    } else {
        addr
    }
}

/// Magic bytes of face images and biometric templates.
const BIOMETRIC_MAGIC: &[&[u8]] = &[
    b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00",
    b"\xFF\xD8\xFF\xE1\x00\x18Exif\x00",
    b"\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR",
    b"FMR\x00 20\x00",
    b"FIR\x00 010",
    b"FAC\x00010\x00",
    b"IIR\x00 20\x00",
    b"\xFF\xA0\xFF\xA8\x00\x7A",
];

/// A biometric blob (face image or template) encoded as people send them.
pub fn biometric(rng: &mut Rng) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let mut bytes = rng.choose(BIOMETRIC_MAGIC).to_vec();
    let len = 96 + rng.below(600) as usize;
    bytes.extend((0..len).map(|_| rng.below(256) as u8));
    match rng.below(6) {
        0 | 1 => STANDARD.encode(&bytes),
        2 => URL_SAFE_NO_PAD.encode(&bytes),
        3 => format!("data:image/jpeg;base64,{}", STANDARD.encode(&bytes)),
        4 => hex::encode(&bytes),
        _ => format!("0x{}", hex::encode_upper(&bytes)),
    }
}

pub fn medical_record(rng: &mut Rng) -> String {
    format!("MRN-{}", rng.digits(8))
}

// ---- look-alikes -----------------------------------------------------------

/// yyyyMMddHHmmss of a day in 2025–2026.
pub fn stamp14(rng: &mut Rng) -> String {
    format!(
        "{}{:02}{:02}{:02}{:02}{:02}",
        2025 + rng.below(2),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

pub fn order_number(rng: &mut Rng) -> String {
    match rng.below(7) {
        0 => format!("{}{}", stamp14(rng), rng.digits(6)),
        1 => format!("E{}{}", stamp14(rng), rng.digits(4)),
        2 => format!(
            "4200{}{}{}",
            rng.digits(6),
            &stamp14(rng)[..8],
            rng.digits(10)
        ),
        3 => format!("{}2200{}", &stamp14(rng)[..8], rng.digits(16)),
        4 => format!("DD{}", rng.digits(16)),
        5 => format!("PO-{}-{}", 2025 + rng.below(2), rng.digits(6)),
        _ => format!("{}{}", &stamp14(rng)[..12], rng.digits(7)),
    }
}

pub fn amount(rng: &mut Rng) -> String {
    let yuan = rng.below(100_000);
    let fen = rng.below(100);
    match rng.below(7) {
        0 => format!("¥{},{:03}.{fen:02}", 1 + yuan / 1000, yuan % 1000),
        1 => format!("{yuan}.{fen:02}元"),
        2 => format!("CNY {yuan}.{fen:02}"),
        3 => format!("￥{yuan}.{fen:02}"),
        4 => format!("${}.{fen:02}", yuan / 10),
        5 => format!("{}", yuan * 100 + fen),
        _ => format!("{yuan}.{fen:02}"),
    }
}

pub fn timestamp(rng: &mut Rng) -> String {
    let ms = 1_735_660_800_000 + rng.below(63_000_000_000);
    let s = stamp14(rng);
    let (y, mo, d, h, mi, se) = (&s[..4], &s[4..6], &s[6..8], &s[8..10], &s[10..12], &s[12..]);
    match rng.below(8) {
        0 => ms.to_string(),
        1 => (ms / 1000).to_string(),
        2 => format!("{y}-{mo}-{d}T{h}:{mi}:{se}+08:00"),
        3 => format!("{y}-{mo}-{d} {h}:{mi}:{se}"),
        4 => s,
        5 => format!("{y}/{mo}/{d} {h}:{mi}"),
        6 => format!("{y}年{mo}月{d}日 {h}:{mi}"),
        _ => format!("{y}-{mo}-{d}T{h}:{mi}:{se}.{}Z", rng.digits(3)),
    }
}

const ACQUIRERS: &[&str] = &["898", "102", "103", "104", "105", "301", "308", "403"];
const MCCS: &[&str] = &[
    "5411", "5812", "5311", "4121", "7011", "5999", "4814", "5732",
];
const AREAS: &[&str] = &["1000", "2900", "3100", "5810", "6510", "4403", "3301"];

pub fn merchant_code(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 | 1 => format!(
            "{}{}{}{}",
            rng.pick(ACQUIRERS),
            rng.pick(AREAS),
            rng.pick(MCCS),
            rng.digits(4)
        ),
        2 => format!("1{}", rng.digits(9)),
        3 => format!("2088{}", rng.digits(12)),
        _ => format!("M{}", rng.digits(9)),
    }
}

pub fn uuid(rng: &mut Rng) -> String {
    let hex = format!("{:016x}{:016x}", rng.next(), rng.next());
    let v4 = format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        ["8", "9", "a", "b"][rng.below(4) as usize],
        &hex[17..20],
        &hex[20..32]
    );
    match rng.below(3) {
        0 => v4.to_uppercase(),
        1 => v4.replace('-', ""),
        _ => v4,
    }
}

pub fn tracking_number(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => format!("SF{}", rng.digits(13)),
        1 => format!("YT{}", rng.digits(13)),
        2 => format!("7{}", rng.digits(13)),
        3 => format!("77{}", rng.digits(13)),
        4 => format!("JDVA{}", rng.digits(11)),
        _ => format!("E{}{}CN", rng.pick(&["A", "B", "M", "Y"]), rng.digits(9)),
    }
}

/// A card number of a real issuer range whose Luhn digit is wrong.
pub fn luhn_invalid_card(rng: &mut Rng) -> String {
    let card = bank_card(rng);
    let (body, check) = card.split_at(card.len() - 1);
    let wrong = (check.as_bytes()[0] - b'0' + 1 + rng.below(9) as u8) % 10;
    format!("{body}{}", char::from(b'0' + wrong))
}

/// A resident ID whose check character is wrong.
pub fn bad_checksum_id(rng: &mut Rng) -> String {
    let id = resident_id(rng);
    let (body, check) = id.split_at(17);
    let wrong = loop {
        let c = char::from(b"0123456789X"[rng.below(11) as usize]);
        if c.to_string() != check {
            break c;
        }
    };
    format!("{body}{wrong}")
}

/// A resident ID with a correct check character but an impossible birth
/// date (February 30th, month 13, the future, before 1900).
pub fn invalid_date_id(rng: &mut Rng) -> String {
    let date = match rng.below(4) {
        0 => format!("{}0230", 1950 + rng.below(50)),
        1 => format!("{}13{:02}", 1950 + rng.below(50), 1 + rng.below(28)),
        2 => format!(
            "20{}{:02}{:02}",
            31 + rng.below(60),
            1 + rng.below(12),
            1 + rng.below(28)
        ),
        _ => format!(
            "18{}{:02}{:02}",
            10 + rng.below(90),
            1 + rng.below(12),
            1 + rng.below(28)
        ),
    };
    let body = format!("{}{date}{}", rng.pick(DIVISIONS), rng.digits(3));
    let check = id_check(&body);
    format!("{body}{check}")
}

/// Numbers that look like a mobile but are not: 11 digits outside `1[3-9]`,
/// landlines, hotlines, SMS ports, 12-digit runs.
pub fn non_mobile_number(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!("1{}{}", rng.below(3), rng.digits(9)),
        1 => format!("010-{}", rng.digits(8)),
        2 => format!(
            "0{}{}",
            [21, 22, 23, 24, 25, 27, 28, 29][rng.below(8) as usize],
            rng.digits(8)
        ),
        3 => format!("0755-{}", rng.digits(8)),
        4 => format!("400-{}-{}", rng.digits(3), rng.digits(4)),
        5 => format!("1069{}", rng.digits(9)),
        6 => format!("{}{}", rng.pick(MOBILE_PREFIXES), rng.digits(9)),
        _ => rng
            .pick(&["95588", "95599", "10086", "12306", "95533", "4008200588"])
            .to_owned(),
    }
}

/// Dotted and colon-separated numbers that are not addresses: versions,
/// OIDs, Windows builds, clock times, MAC addresses, Rust paths.
pub fn version_or_time(rng: &mut Rng) -> String {
    match rng.below(7) {
        0 => format!(
            "{}.{}.{}.{}.{}",
            rng.below(10),
            rng.below(20),
            rng.below(10),
            rng.below(100),
            rng.below(10)
        ),
        1 => format!("10.0.{}.{}", 19041 + rng.below(4000), rng.below(2000)),
        2 => format!(
            "v{}.{}.{}.{}",
            rng.below(10),
            rng.below(20),
            rng.below(10),
            rng.below(1000)
        ),
        3 => format!("1.3.6.1.4.1.{}.{}", rng.below(60000), rng.below(10)),
        4 => format!(
            "{:02}:{:02}:{:02}",
            rng.below(24),
            rng.below(60),
            rng.below(60)
        ),
        5 => (0..6)
            .map(|_| format!("{:02X}", rng.below(256)))
            .collect::<Vec<_>>()
            .join(":"),
        _ => format!("{}.{}", rng.below(100), rng.digits(6)),
    }
}

/// Hashes, signatures, tokens and random base64 that are not images.
pub fn hash_or_token(rng: &mut Rng) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let bytes: Vec<u8> = (0..16 + rng.below(48))
        .map(|_| rng.below(256) as u8)
        .collect();
    match rng.below(6) {
        0 => hex::encode(&bytes[..16]),
        1 => hex::encode(&bytes),
        2 => STANDARD.encode(&bytes),
        3 => format!(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{}.{}",
            URL_SAFE_NO_PAD.encode(&bytes[..12]),
            URL_SAFE_NO_PAD.encode(&bytes[12..])
        ),
        4 => format!("sk_live_{}", URL_SAFE_NO_PAD.encode(&bytes)),
        _ => hex::encode_upper(&bytes),
    }
}
