//! A whole value's shape, as second evidence: under a key that only
//! suggests a category (`name`, `certId`, `account`, `device_id`), the value
//! must look like one (a person's name with a surname, a real identity
//! document number, an account's digits, a device identifier); under a
//! strong key, a value can still contradict it (an organization is nobody's
//! name); and a number's shape says which document it is (a resident ID
//! under a card key, a passport under an ID key).
//!
//! Knows nothing of keys or rules: the engine and `keys` ask it about one
//! value. Fails towards protection: only a shape that clearly is not the
//! category says no.

use super::names::{
    is_common_word, is_compound_surname, is_han, is_pinyin_surname, is_surname, is_word_surname,
};
use super::{bank_card, biometric, dates, resident_id, values};
use crate::vocab::Category;

/// Whether `value` has the shape of `category` (asked under a key that
/// only suggests it).
pub fn fits(category: Category, value: &str) -> bool {
    let value = value.trim();
    if value.is_empty() || value.len() > 4096 {
        return category == Category::Biometric && biometric::is_blob(value.as_bytes());
    }
    match category {
        Category::Name => person_name(value) || name_list(value),
        Category::Address => address(value),
        Category::Phone => phone(value),
        Category::Email => email(value),
        Category::IdNumber => identity_document(value),
        Category::BankCard => account_number(value),
        Category::BirthDate => {
            dates::find_date(value.as_bytes(), dates::today_yyyymmdd()).is_some()
        }
        Category::Passport => values::passport_token(value.as_bytes()),
        Category::Biometric => biometric::is_blob(value.as_bytes()),
        Category::Device => device_id(value),
        Category::Location => coordinates(value),
        Category::IpAddress => value.parse::<std::net::IpAddr>().is_ok(),
    }
}

/// Whether `value` is clearly not of `category` although a strong key
/// names it: an organization or a region under a name key, a place of
/// business (a shop unit, a warehouse, a station) or a region alone under
/// an address key.
pub fn contradicts(category: Category, value: &str) -> bool {
    match category {
        Category::Name => {
            let value = value.trim();
            organization(value) || region_only(value)
        }
        Category::Address => {
            let value = value.trim();
            business_address(value) || region_only(value)
        }
        _ => false,
    }
}

/// The category a document number really is: a valid resident ID under a
/// card key is an ID number, a passport number under an ID key a passport.
pub fn refine(category: Category, value: &str) -> Category {
    let v = value.trim().as_bytes();
    match category {
        Category::IdNumber | Category::BankCard | Category::Passport if resident_id_valid(v) => {
            Category::IdNumber
        }
        Category::IdNumber if passport_number(v) => Category::Passport,
        other => other,
    }
}

fn resident_id_valid(v: &[u8]) -> bool {
    let today = dates::today_yyyymmdd();
    resident_id::is_valid_18(v, today) || resident_id::is_valid_15(v, today)
}

/// `E12345678`, `EA1234567`, `G12345678`, foreign `K1234567`: one or two
/// letters, then seven or eight digits.
fn passport_number(v: &[u8]) -> bool {
    let letters = v.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    (1..=2).contains(&letters)
        && (7..=8).contains(&(v.len() - letters))
        && v[letters..].iter().all(u8::is_ascii_digit)
}

/// Words that make a name an organization's or a place's (`…有限公司`,
/// `…银行`, `…分行`, `…科技`).
#[rustfmt::skip]
const ORGANIZATION_ENDS: &[&str] = &[
    "公司", "银行", "分行", "支行", "集团", "科技", "中心", "商行", "商店", "超市", "酒店", "饭店", "门店", "旗舰店",
    "专卖店", "店", "厂", "局", "院", "所", "部", "社", "会", "委员会", "学校", "大学", "医院", "工作室", "事务所",
    "合作社", "基金", "协会", "政府", "办公室", "商贸", "贸易", "实业", "物流", "保险",
];

const ORGANIZATION_WORDS: &[&str] = &["有限", "公司", "银行", "集团", "股份", "分公司"];

/// Latin words that end a company's name, ending it or followed by a space.
const LATIN_ORGANIZATION_WORDS: &[&str] = &[
    " ltd", " inc", " co.", " llc", " limited", " corp", " bank", " company", " gmbh",
];

fn organization(value: &str) -> bool {
    // `周黑鸭（万象城店）`, `格林豪泰酒店(福州东街口店)`: a branch named in
    // brackets at the end; either part can say it is a business.
    if let Some((outer, inner)) = bracketed_end(value) {
        return organization(outer) || organization(inner);
    }
    // Every Chinese word is Han and every Latin one starts with a space:
    // most values are ruled out by a byte scan, without a search per word
    // (this runs for every value a name key or the name detector sees).
    if value.is_ascii() {
        return value.as_bytes().contains(&b' ') && latin_organization(value);
    }
    let han_end = value
        .chars()
        .next_back()
        .is_some_and(|last| ORGANIZATION_END_CHARS.contains(&last));
    (han_end && ORGANIZATION_ENDS.iter().any(|w| value.ends_with(w)))
        || ORGANIZATION_WORD_SEARCH.is_match(value)
        || (value.as_bytes().contains(&b' ')
            && value.bytes().any(|b| b.is_ascii_alphabetic())
            && latin_organization(value))
}

/// `outer(inner)` or `outer（inner）` at the end of `value`, both parts
/// trimmed and not empty.
fn bracketed_end(value: &str) -> Option<(&str, &str)> {
    let open = match value.chars().next_back()? {
        ')' => '(',
        '）' => '（',
        _ => return None,
    };
    let at = value.rfind(open)?;
    let outer = value[..at].trim();
    let inner = value[at + open.len_utf8()..value.len() - open.len_utf8()].trim();
    (!outer.is_empty() && !inner.is_empty()).then_some((outer, inner))
}

/// Level words a region's name ends with; one character is a level only
/// after two or more (`檀林镇`, `西山区`): `王镇` is a person's name.
const REGION_ENDS: &[&str] = &["街道", "社区", "办事处"];
const REGION_LEVEL_CHARS: &str = "省市区县镇乡旗盟州村";

/// A region's name and nothing else (`西山区`, `关上街道`, `云南省 昆明市`):
/// no number, no street, no place in it.
pub fn region_only(value: &str) -> bool {
    let parts = value.split(' ').filter(|p| !p.is_empty());
    let mut any = false;
    for part in parts {
        any = true;
        let chars = part.chars().count();
        if !(2..=12).contains(&chars) || !part.chars().all(is_han) {
            return false;
        }
        let level = REGION_ENDS.iter().any(|w| part.ends_with(w))
            || (chars >= 3
                && part
                    .chars()
                    .next_back()
                    .is_some_and(|c| REGION_LEVEL_CHARS.contains(c))
                && !has_street(part));
        if !level {
            return false;
        }
    }
    any
}

/// The last characters of [`ORGANIZATION_ENDS`]: a value ending in none
/// of them ends in no such word.
static ORGANIZATION_END_CHARS: std::sync::LazyLock<Vec<char>> = std::sync::LazyLock::new(|| {
    let mut ends: Vec<char> = ORGANIZATION_ENDS
        .iter()
        .filter_map(|w| w.chars().next_back())
        .collect();
    ends.sort_unstable();
    ends.dedup();
    ends
});

/// [`ORGANIZATION_WORDS`] searched for at once.
static ORGANIZATION_WORD_SEARCH: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(ORGANIZATION_WORDS).expect("fixed words build a searcher")
    });

fn latin_organization(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    LATIN_ORGANIZATION_WORDS.iter().any(|w| {
        lower.ends_with(w)
            || lower
                .match_indices(w)
                .any(|(at, _)| lower.as_bytes().get(at + w.len()) == Some(&b' '))
    })
}

/// A person's name and nothing else: 2–4 Chinese characters that start with
/// a surname (compound ones too, and the surnames that are also everyday
/// words), a name with `·` (`阿依古丽·吐尔逊`), or a romanized name
/// (`ZHANG WEI`, `ZHANG/WEI`, `Zhang Wei`, `Wei Zhang`) with a pinyin surname.
pub fn person_name(value: &str) -> bool {
    // The longest name of either form: four parts of eight characters with
    // `·` between them, or a romanized name of 48 bytes.
    if value.len() > 4 * 8 * 3 + 3 * 3 || organization(value) || region_only(value) {
        return false;
    }
    let dotted = |c: char| c == '·' || c == '•';
    if value.chars().all(|c| is_han(c) || dotted(c)) {
        if value.contains(dotted) {
            let parts = value.split(dotted);
            let sizes_fit = parts.clone().all(|p| (1..=8).contains(&p.chars().count()));
            return (2..=4).contains(&parts.count()) && sizes_fit;
        }
        let count = value.chars().count();
        if !(2..=4).contains(&count) {
            return false;
        }
        let first = value.chars().next().expect("two characters or more");
        let compound = is_compound_surname(value);
        let surname = compound || is_surname(first) || is_word_surname(first);
        return surname && !is_common_word(value) && (!compound || count >= 3);
    }
    romanized_name(value)
}

/// Names joined by commas (`赵紫,赵杰,江一笑`: a hotel's guests, a
/// ticket's passengers), each a person's name.
pub fn name_list(value: &str) -> bool {
    let mut parts = value.split([',', '，', '、', ';', '；']).map(str::trim);
    let mut count = 0;
    let all = parts.all(|part| {
        count += 1;
        person_name(part)
    });
    all && count >= 2
}

fn romanized_name(value: &str) -> bool {
    let words: Vec<&str> = value
        .split([' ', '/', ','])
        .filter(|w| !w.is_empty())
        .collect();
    if !(2..=4).contains(&words.len()) || value.len() > 48 {
        return false;
    }
    let shaped = words.iter().all(|w| {
        let letters = w.trim_end_matches('.');
        (1..=14).contains(&letters.len())
            && letters
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'-')
            && letters.as_bytes()[0].is_ascii_uppercase()
    });
    let surname = is_pinyin_surname(words[0]) || is_pinyin_surname(words[words.len() - 1]);
    let slashed = value.contains('/') && value.bytes().all(|b| !b.is_ascii_lowercase());
    shaped && (surname || slashed)
}

/// Characters that mark levels of a Chinese address.
const LEVELS: &str = "省市区县镇乡村旗州盟";
/// Characters of a street (`大道` ends in `道`; `胡同` is a word: its
/// characters alone are in names and `大同`, `大学`).
const STREETS: &str = "路街道巷弄里";
const STREET_WORDS: &[&str] = &["胡同"];
/// What follows a number in an address (`88号`, `3栋`, `2单元`: `元`
/// alone follows a price).
const NUMBERED: &str = "号弄室楼栋幢层座";
const NUMBERED_WORDS: &[&str] = &["单元"];

fn has_street(value: &str) -> bool {
    value.chars().any(|c| STREETS.contains(c)) || STREET_WORDS.iter().any(|w| value.contains(w))
}

/// A digit followed by a number's unit (`88号`, `2单元`).
fn has_numbered(value: &str) -> bool {
    value.char_indices().any(|(i, c)| {
        c.is_ascii_digit() && {
            let rest = &value[i + 1..];
            rest.starts_with(|n: char| NUMBERED.contains(n))
                || NUMBERED_WORDS.iter().any(|w| rest.starts_with(w))
        }
    })
}

/// An address by its structure alone: an administrative level and a street
/// or a number (`北京市朝阳区建国路88号`, `翠湖南路208号…2607室`), or a
/// street word with a number in English (`88 Jianguo Road`).
pub fn address(value: &str) -> bool {
    let chars = value.chars().count();
    if !(6..=120).contains(&chars) || organization_only(value) {
        return false;
    }
    let level = value.chars().any(|c| LEVELS.contains(c));
    let (street, numbered) = (has_street(value), has_numbered(value));
    let han = value.chars().filter(|c| is_han(*c)).count();
    if han * 2 >= chars {
        return (level && (street || numbered)) || (street && numbered);
    }
    let lower = value.to_ascii_lowercase();
    let street = [
        "road", "rd", "street", "st", "avenue", "ave", "lane", "room", "floor", "building", "apt",
    ]
    .iter()
    .any(|w| {
        lower
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|x| x == *w)
    });
    street && value.bytes().any(|b| b.is_ascii_digit())
}

/// A Chinese address alone, by structure: what a value under any key that
/// is not a known non-address is protected as.
pub fn address_alone(value: &str) -> bool {
    // A label or a sentence around it (`收货地址：…`, `…，请尽快发货`) is
    // free text: the labelled-address detector finds where the address is.
    const TEXT: &[char] = &['：', ':', '，', '。', '；', ';', '！', '？', '\n'];
    let han = value.chars().filter(|c| is_han(*c)).count();
    han >= 6
        && han * 2 >= value.chars().count()
        && !value.contains(TEXT)
        && address(value)
        && !business_place(value)
}

/// Words that make an address a place of business or a public one: a
/// shop unit (`…号铺`, `临街商铺`), a warehouse or a logistics site, a
/// station's or an airport's building.
const BUSINESS_PLACES: &[&str] = &[
    "铺",
    "仓库",
    "号仓",
    "园区",
    "产业园",
    "工业园",
    "物流园",
    "中转场",
    "集散中心",
    "转运中心",
    "分拨中心",
    "配送中心",
    "航站楼",
    "火车站",
    "高铁站",
    "汽车站",
    "客运站",
    "购物中心",
    "商场",
];

/// What makes an address a home whatever else it holds: a flat, a unit,
/// a dormitory, a village group (`3栋2单元1502室`, `12号楼3-501`).
const DWELLINGS: &[&str] = &[
    "室", "单元", "号楼", "宿舍", "小区", "家园", "花园", "公寓", "新村", "村民", "组",
];

static BUSINESS_SEARCH: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(BUSINESS_PLACES).expect("fixed words build a searcher")
    });

static DWELLING_SEARCH: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(DWELLINGS).expect("fixed words build a searcher")
    });

/// An address that is a place of business, not where someone lives: a
/// shop, a mall unit (`B1-59`, `L1层`, `F2层B101`), a warehouse, a
/// logistics centre, a station (`(地铁7号线中街站C口)`), with nothing
/// that makes it a dwelling (`3-2-1502`, `室`, `单元`). A person's work
/// address at such a place is the business's; an office tower is not
/// here, since it is also where a person is reached.
pub fn business_address(value: &str) -> bool {
    business_place(value) && address(value)
}

/// The business side of [`business_address`], for a value already known
/// to be an address.
fn business_place(value: &str) -> bool {
    if value.is_ascii() {
        return false;
    }
    let business = BUSINESS_SEARCH.is_match(value)
        || mall_unit(value)
        || mall_shop_number(value)
        || station_exit(value);
    business && !DWELLING_SEARCH.is_match(value) && !flat_number(value)
}

/// `B1-59`, `B2层`, `L1层`, `F2层`: a basement or a floor of a mall.
fn mall_unit(value: &str) -> bool {
    let b = value.as_bytes();
    b.windows(3).enumerate().any(|(i, w)| {
        matches!(w[0], b'B' | b'L' | b'F')
            && w[1].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && {
                let rest = &value[i + 2..];
                let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                rest.starts_with('层') || rest.starts_with('-')
            }
    })
}

/// Words that end a mall's name (`吾悦广场`, `合生汇`, `银泰城`).
const MALLS: &[&str] = &["广场", "汇", "天地", "百货", "城"];

/// `吾悦广场1-37`, `银泰城4-50`: a mall's name, then floor and shop at the
/// end of the value (a floor of one or two digits, a shop of two or three;
/// under `…城`, whose name homes share, a shop of two).
fn mall_shop_number(value: &str) -> bool {
    let Some((head, shop)) = value.rsplit_once('-') else {
        return false;
    };
    let floor_at = head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (name, floor) = head.split_at(floor_at);
    let digits = |s: &str, range: std::ops::RangeInclusive<usize>| {
        range.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    digits(floor, 1..=2)
        && MALLS.iter().any(|mall| {
            let shop_digits = if *mall == "城" { 2..=2 } else { 2..=3 };
            name.ends_with(mall) && digits(shop, shop_digits)
        })
}

/// `(地铁7号线中街站C口)`: an exit of a metro station.
fn station_exit(value: &str) -> bool {
    value
        .find("地铁")
        .is_some_and(|at| value[at..].contains('站') && value[at..].contains('口'))
}

/// `3-2-1502`, `29-5-2703`: building, unit and flat.
fn flat_number(value: &str) -> bool {
    let b = value.as_bytes();
    let mut groups = 0;
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i > start {
            groups += 1;
            if groups == 3 {
                return true;
            }
            if b.get(i) == Some(&b'-') {
                i += 1;
                continue;
            }
        }
        groups = 0;
        i = i.max(start + 1);
    }
    false
}

/// A value that is only an organization's name (`上海示例商贸有限公司`,
/// `格林豪泰酒店(福州东街口店)`: a branch named after its street is still
/// the business's name).
fn organization_only(value: &str) -> bool {
    let named = bracketed_end(value).map_or(value, |(outer, _)| outer);
    organization(value)
        && !has_street(named)
        && !named.chars().any(|c| NUMBERED.contains(c))
        && !NUMBERED_WORDS.iter().any(|w| named.contains(w))
}

fn phone(value: &str) -> bool {
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    (7..=16).contains(&digits)
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b' ' | b'(' | b')' | b'.'))
}

fn email(value: &str) -> bool {
    value
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
}

/// A resident ID, a passport, a Hong Kong/Macao/Taiwan identity or permit
/// number: letters and digits, at least one letter and five digits, or a
/// valid resident ID. Digits alone that are no resident ID are some other
/// number (a signing certificate's serial under `certId`).
fn identity_document(value: &str) -> bool {
    let v = value.as_bytes();
    if resident_id_valid(v) {
        return true;
    }
    let core: Vec<u8> = v
        .iter()
        .copied()
        .filter(|b| !matches!(b, b'(' | b')'))
        .collect();
    let digits = core.iter().filter(|b| b.is_ascii_digit()).count();
    let letters = core.iter().filter(|b| b.is_ascii_alphabetic()).count();
    (6..=20).contains(&core.len())
        && core.iter().all(u8::is_ascii_alphanumeric)
        && letters >= 1
        && digits >= 5
        && letters <= 3
}

/// A card's or a bank account's digits (12 to 30, spaces or dashes
/// between groups).
fn account_number(value: &str) -> bool {
    let digits: Vec<u8> = value.bytes().filter(u8::is_ascii_digit).collect();
    (12..=30).contains(&digits.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-'))
        && (digits.len() > 19 || bank_card::luhn(&digits) || digits.len() >= 12)
}

/// IMEI (15 digits, Luhn), MEID (14 hex), IMSI (`46…`, 15 digits), ICCID
/// (`89…`, 19–20 digits), UUIDs (IDFA, OAID), 16 hex digits (Android ID),
/// MAC addresses, and serials of letters and digits. A run of digits that
/// is none of these (a payment terminal's number) is not a device's.
fn device_id(value: &str) -> bool {
    let v = value.as_bytes();
    let hex = |s: &[u8]| s.iter().all(u8::is_ascii_hexdigit);
    if v.iter().all(u8::is_ascii_digit) {
        return (v.len() == 15 && (bank_card::luhn(v) || v.starts_with(b"46")))
            || ((19..=20).contains(&v.len()) && v.starts_with(b"89"));
    }
    let uuid = v.len() == 36
        && v.iter().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    let mac = v.len() == 17
        && v.chunks(3)
            .all(|c| hex(&c[..2]) && c.get(2).is_none_or(|s| matches!(s, b':' | b'-')));
    let serial = (8..=64).contains(&v.len())
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=' | b'+' | b'/'))
        && v.iter().any(u8::is_ascii_digit)
        && v.iter().any(u8::is_ascii_alphabetic);
    uuid || mac || (v.len() == 14 && hex(v)) || (v.len() == 16 && hex(v)) || serial
}

/// A latitude or longitude with three decimals or more, or a pair of them.
fn coordinates(value: &str) -> bool {
    let one = |s: &str| {
        let s = s.trim();
        let decimals = s.split_once('.').map_or(0, |(_, d)| d.len());
        decimals >= 3 && s.parse::<f64>().is_ok_and(|x| x.abs() <= 180.0)
    };
    match value.split_once([',', ' ', ';']) {
        Some((a, b)) => one(a) && one(b),
        None => one(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`organization`] decides, written the plain way (a search per
    /// word): the pre-filtered version must agree on every value.
    fn organization_plain(value: &str) -> bool {
        ORGANIZATION_ENDS.iter().any(|w| value.ends_with(w))
            || ORGANIZATION_WORDS.iter().any(|w| value.contains(w))
            || (value.bytes().any(|b| b.is_ascii_alphabetic()) && latin_organization(value))
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        // Enough cases that each word ends a value alone (dropping one word
        // from the pre-filter fails within a few thousand).
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8192))]
        #[test]
        fn organization_agrees_with_its_plain_definition(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(ORGANIZATION_ENDS.to_vec()).prop_map(str::to_owned),
                    proptest::sample::select(ORGANIZATION_WORDS.to_vec()).prop_map(str::to_owned),
                    proptest::sample::select(LATIN_ORGANIZATION_WORDS.to_vec()).prop_map(str::to_owned),
                    proptest::sample::select(vec!["张", "三", "丰", "Ltd", "Acme", " ", "·", "x", "有", "限"]).prop_map(str::to_owned),
                    "\\PC{0,3}".prop_map(|s: String| s),
                ],
                0..5,
            )
        ) {
            let value = parts.concat();
            proptest::prop_assert_eq!(organization(&value), organization_plain(&value), "{:?}", value);
        }
    }

    #[test]
    fn names_by_shape() {
        for name in [
            "张三",
            "欧阳娜娜",
            "于超",
            "保华",
            "阿依古丽·吐尔逊",
            "ZHANG WEI",
            "ZHANG/WEI",
            "Zhang Wei",
            "Wei Zhang",
            "JIA/ZI",
        ] {
            assert!(person_name(name), "{name}");
        }
        for not in [
            "厦门美图网科技有限公司",
            "招商银行",
            "iPhone 15 Pro",
            "话费充值100元",
            "衣服",
            "月饼礼盒",
            "Premium Gold",
            "SUCCESS",
            "华为Mate60 Pro",
            "黄金",
        ] {
            assert!(!person_name(not), "{not}");
        }
        assert!(name_list("赵紫,赵杰,江一笑") && name_list("王斌宇、陈春"));
        assert!(fits(Category::Name, "杜明明, 朱晴妍"));
        assert!(!name_list("张三") && !name_list("张三,衣服") && !name_list("Wang, Jianguo"));
        assert!(contradicts(Category::Name, "上海拉扎斯信息科技有限公司"));
        assert!(!contradicts(Category::Name, "阿依古丽"));
    }

    #[test]
    fn addresses_by_structure() {
        for a in [
            "北京市朝阳区建国路88号",
            "翠湖南路208号望京西园四区A座2607室",
            "山东省 青岛市 市南区 东海西路1603号世茂滨江花园D座2418室",
            "Room 501, No. 88 Jianguo Road",
            "东城区南锣鼓巷帽儿胡同",
            "海淀区中关村大街27号2单元",
            "建国路88号(万达广场店)",
        ] {
            assert!(address(a), "{a}");
        }
        for not in [
            "郑州大学第一附属医院",
            "大同市",
            "格林豪泰酒店(福州东街口店)",
            "话费充值100元套餐",
            "云南省",
            "昆明市",
            "五华区",
            "上海示例商贸有限公司",
            "地址变更申请已提交",
            "市中心",
        ] {
            assert!(!address(not), "{not}");
        }
        assert!(address_alone("北京市朝阳区建国路88号"));
        assert!(
            !address_alone("收货地址：北京市朝阳区建国路88号"),
            "a label is free text"
        );
    }

    #[test]
    fn places_of_business_are_told_from_homes() {
        for business in [
            "青秀区朝阳路184号印象城B1-59",
            "天津市河北区南京路788号合生汇L1层B094号铺",
            "沈河区青年大街425号(地铁7号线中街站C口)",
            "深圳市罗湖区科苑路156号临街商铺",
            "广东省东莞市麻涌镇新沙港工业园13号仓",
            "重庆市渝北区建新北路782号印象城F2层B101号铺",
        ] {
            assert!(business_address(business), "{business}");
            assert!(contradicts(Category::Address, business), "{business}");
            assert!(!address_alone(business), "{business}");
        }
        for home in [
            "越秀区机场路1383号碧水山庄29-5-2703",
            "广东省广州市越秀区机场路672号东方嘉园16号楼2单元3201",
            "万达广场B座2508室",
            "北京市朝阳区建国路88号",
            "檀林镇龙井村第五村民小组",
            "Room 501, No. 88 Jianguo Road",
        ] {
            assert!(!business_address(home), "{home}");
        }
        assert!(flat_number("12号楼3-501-2") && !flat_number("B1-59"));
        for mall in [
            "开福区湘江中路598号银泰城4-50",
            "武昌区民族大道974号吾悦广场1-37",
        ] {
            assert!(business_address(mall), "{mall}");
        }
        assert!(!business_address("龙华区人民路12号万科城5-1201"));
    }

    #[test]
    fn regions_alone_are_neither_addresses_nor_names() {
        for region in ["西山区", "关上街道", "云南省 昆明市", "檀林镇", "江宁区"]
        {
            assert!(region_only(region), "{region}");
            assert!(contradicts(Category::Address, region), "{region}");
            assert!(!person_name(region), "{region}");
        }
        for not in [
            "王镇",
            "张三",
            "建国路88号",
            "西山区翡翠雅苑A座2508",
            "市中心",
        ] {
            assert!(!region_only(not), "{not}");
        }
        assert!(person_name("王镇"));
    }

    #[test]
    fn a_branch_in_brackets_is_a_business() {
        for shop in [
            "周黑鸭（万象城店）",
            "格林豪泰酒店(福州东街口店)",
            "奈雪的茶（上下九店）",
        ] {
            assert!(organization(shop), "{shop}");
            assert!(!person_name(shop), "{shop}");
        }
        assert!(!organization("张三(收)"));
    }

    #[test]
    fn documents_and_numbers() {
        assert!(
            identity_document("110101199003071234") || !resident_id_valid(b"110101199003071234")
        );
        assert!(identity_document("E12345678"));
        assert!(!identity_document("68759070125"));
        assert_eq!(refine(Category::IdNumber, "EX0778367"), Category::Passport);
        assert!(account_number("6222 0212 3456 7890 128"));
        assert!(!account_number("1983581967"));
        assert!(device_id("861505295076869") == bank_card::luhn(b"861505295076869"));
        assert!(device_id("3f2a9c1e-0b7d-4e8a-9c3f-2a9c1e0b7d4e"));
        assert!(device_id("a4:5e:60:c2:1b:7f"));
        assert!(!device_id("123456789012345") || bank_card::luhn(b"123456789012345"));
        assert!(coordinates("31.230416"));
        assert!(coordinates("31.2304,121.4737"));
        assert!(!coordinates("322"));
    }
}
