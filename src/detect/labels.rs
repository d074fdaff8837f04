//! Context labels in free text: `姓名：张三`, `客户 李四`, `收货地址：…`,
//! `出生日期 1990-01-02`, `护照号 E12345678`, `name: ZHANG WEI`, `DOB …`,
//! `passport E1234567`. One Aho-Corasick automaton finds every label (built-in
//! words, the key dictionaries of `vocab`, and a rules file's extra words);
//! `values` then reads what follows.
//!
//! Owns the label lists and where a labelled value may end: at the next label
//! that clearly starts a new field. Also lists *stop* labels (`电话`,
//! `product name`, `IP地址`…) that only end values or shadow a shorter label.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::values::{self, Strength};
use super::{ExtraLabels, names, shape};
use crate::vocab;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelKind {
    Name,
    /// A role word (`客户`, `用户`, `customer`): what follows is often a name
    /// but often not (`用户：我的手机号是…` in a chat log), so the name must
    /// carry its own evidence (a known surname) even after a colon.
    Role,
    Address,
    BirthDate,
    Passport,
    /// Ends a value, or hides a shorter label inside it (`用户名`, `IP地址`).
    Stop,
}

#[rustfmt::skip] // word lists read better in lines
const NAME_LABELS: &[&str] = &[
    "姓名", "真实姓名", "客户姓名", "用户姓名", "持卡人", "持卡人姓名", "户名", "开户名", "账户名", "收货人",
    "收件人", "收款人", "付款人", "联系人", "紧急联系人", "乘机人", "寄件人", "签收人", "name", "full name",
    "real name", "customer name", "cardholder", "card holder", "holder name", "account name", "contact name",
];

#[rustfmt::skip]
const ROLE_LABELS: &[&str] = &[
    "客户", "用户", "乘客", "申请人", "借款人", "投保人", "被保险人", "受益人", "法人", "经办人", "担保人", "患者",
    "customer", "contact", "payer", "payee", "recipient", "receiver", "consignee", "passenger", "applicant",
    "beneficiary",
    // Who money goes to or comes from, in a transfer's note: `转账给王华`,
    // `由李子涵代付`, `帮侯荣雪充值`. Still a role: only a name with a
    // surname is read after them.
    "转账给", "转给", "汇给", "付给", "交给", "转交", "还给", "给", "帮", "代", "代发", "替", "由",
];

#[rustfmt::skip]
const ADDRESS_LABELS: &[&str] = &[
    "地址", "住址", "收货地址", "家庭住址", "详细地址", "通讯地址", "户籍地址", "居住地址", "联系地址", "送货地址", "寄送地址", "邮寄地址", "收件地址",
    "现住址", "居住地", "户籍所在地", "单位地址", "address", "addr", "home address", "shipping address",
    "billing address", "delivery address", "street address", "residential address", "mailing address",
    // Delivery verbs say where to, as a label does: the value still needs
    // an address's structure (`放在门卫` is not one).
    "送到", "送至", "送往", "改送", "寄到", "寄至", "放在", "放到", "改为", "deliver to", "ship to",
];

#[rustfmt::skip]
const BIRTH_LABELS: &[&str] = &[
    "出生日期", "出生年月", "出生年月日", "生日", "出生", "出生于", "dob", "d.o.b.", "date of birth", "birth date",
    "birthdate", "birthday", "born", "born on",
];

#[rustfmt::skip]
const PASSPORT_LABELS: &[&str] = &[
    "护照", "护照号", "护照号码", "护照编号", "passport", "passport no", "passport number", "passport#",
];

/// Labels that are not PII labels but end a value, and longer phrases that
/// would otherwise be read as a PII label (`product name`, `IP地址`).
#[rustfmt::skip]
const STOP_LABELS: &[&str] = &[
    "电话", "手机", "手机号", "联系电话", "邮箱", "身份证", "身份证号", "证件号", "银行卡", "卡号", "备注", "邮编", "金额", "订单", "订单号",
    "时间", "日期", "性别", "年龄", "民族", "国籍", "职业", "用户名", "用户名称", "用户ID", "用户id", "用户号", "用户数", "客户端", "客户号",
    "客户编号", "客户经理", "客户服务", "商户名称", "商品名称", "银行名称", "公司名称", "门店名称", "IP地址", "邮箱地址", "MAC地址", "网络地址",
    "服务器地址", "URL地址", "phone", "mobile", "tel", "email", "card", "amount", "order", "remark", "note",
    "gender", "product name", "merchant name", "store name", "shop name", "file name", "user name",
    "username", "app name", "item name", "company name", "brand name", "bank name", "device name",
    "host name", "domain name", "display name", "email address", "ip address", "mac address",
    "web address", "wallet address", "contact us", "customer service", "customer id", "customer no",
];

/// Words before a delivery verb that turn it around (`不要送到`).
const NEGATIONS: &[&str] = &["不要", "不用", "不能", "不", "别", "勿", "莫"];

/// What a person does with a parcel, said right after their name.
const ROLES_AFTER: &[&str] = &["代收", "签收", "代签", "的包裹", "的快递", "转交"];

static TRAILING_ROLES: std::sync::LazyLock<AhoCorasick> = std::sync::LazyLock::new(|| {
    AhoCorasick::new(ROLES_AFTER).expect("fixed words build a searcher")
});

/// One label found in the text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    start: usize,
    end: usize,
    kind: LabelKind,
    /// Clearly starts a new field, so it ends the previous value.
    ends_value: bool,
}

/// The compiled label automaton of one policy.
#[derive(Debug)]
pub(crate) struct Labels {
    automaton: AhoCorasick,
    kinds: Vec<LabelKind>,
}

/// Which labelled detectors are enabled.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Enabled {
    pub name: bool,
    pub address: bool,
    pub birth_date: bool,
    pub passport: bool,
}

impl Labels {
    pub fn new(extra: &ExtraLabels) -> Self {
        let mut words: Vec<(String, LabelKind)> = Vec::new();
        let mut add = |list: &mut dyn Iterator<Item = &str>, kind| {
            for word in list {
                let word = word.trim();
                if !word.is_empty() && !words.iter().any(|(w, _)| w.eq_ignore_ascii_case(word)) {
                    words.push((word.to_owned(), kind));
                }
            }
        };
        // A word listed twice keeps its first kind, so stops and roles win
        // over the same word coming from `vocab` (`username` is a key there).
        add(&mut STOP_LABELS.iter().copied(), LabelKind::Stop);
        add(&mut ROLE_LABELS.iter().copied(), LabelKind::Role);
        let sources: [(&[&str], &str, &[String], LabelKind); 4] = [
            (NAME_LABELS, "name", &extra.name, LabelKind::Name),
            (
                ADDRESS_LABELS,
                "address",
                &extra.address,
                LabelKind::Address,
            ),
            (
                BIRTH_LABELS,
                "birth_date",
                &extra.birth_date,
                LabelKind::BirthDate,
            ),
            (
                PASSPORT_LABELS,
                "passport",
                &extra.passport,
                LabelKind::Passport,
            ),
        ];
        for (builtin, category, extra, kind) in sources {
            add(&mut builtin.iter().copied(), kind);
            add(&mut extra.iter().map(String::as_str), kind);
            add(
                &mut vocab::builtin_keys(category).unwrap_or(&[]).iter().copied(),
                kind,
            );
        }
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(words.iter().map(|(w, _)| w))
            .expect("label words are plain literals");
        Self {
            automaton,
            kinds: words.into_iter().map(|(_, kind)| kind).collect(),
        }
    }

    /// Calls `emit(start, end, kind)` for each labelled value in `t`.
    pub fn scan(
        &self,
        t: &str,
        enabled: Enabled,
        today: u32,
        hits: &mut Vec<Hit>,
        emit: &mut impl FnMut(usize, usize, LabelKind),
    ) {
        self.find_hits(t, hits);
        for (i, hit) in hits.iter().enumerate() {
            if !enabled.wants(hit.kind) {
                continue;
            }
            let limit = hits[i + 1..]
                .iter()
                .find(|h| h.ends_value)
                .map_or(t.len(), |h| h.start);
            if hit.end >= limit {
                continue;
            }
            if let Some((s, e)) = labelled_value(t, hit, limit, today) {
                let kind = match hit.kind {
                    LabelKind::Role => LabelKind::Name,
                    kind => kind,
                };
                emit(s, e, kind);
            }
        }
        if enabled.name && !t.is_ascii() {
            Self::names_before_roles(t, emit);
        }
    }

    /// `王锦代收也可以`, `麻烦马荣建签收`, `李明明的包裹放门卫`: a name right
    /// before what a person does with a parcel (no label before it). The
    /// two or three characters before the phrase must be a person's name by
    /// shape (a surname first; an organisation or a place never).
    fn names_before_roles(t: &str, emit: &mut impl FnMut(usize, usize, LabelKind)) {
        for m in TRAILING_ROLES.find_iter(t) {
            let before = &t[..m.start()];
            let starts: Vec<usize> = before
                .char_indices()
                .rev()
                .take_while(|(_, c)| names::is_han(*c))
                .take(3)
                .map(|(i, _)| i)
                .collect();
            for n in [3, 2] {
                if let Some(&at) = starts.get(n - 1) {
                    if shape::person_name(&before[at..]) {
                        emit(at, m.start(), LabelKind::Name);
                        break;
                    }
                }
            }
        }
    }

    /// Every label in `t`, in order (whole words only for ASCII labels).
    fn find_hits(&self, t: &str, hits: &mut Vec<Hit>) {
        hits.clear();
        let b = t.as_bytes();
        for m in self.automaton.find_iter(t) {
            let (start, end) = (m.start(), m.end());
            if b[start].is_ascii_alphabetic()
                && ((start > 0 && b[start - 1].is_ascii_alphanumeric())
                    || b.get(end).is_some_and(u8::is_ascii_alphabetic))
            {
                continue; // `name` inside `rename`, `addr` inside `address2x`
            }
            let kind = self.kinds[m.pattern().as_usize()];
            // `不要送到地铁站` names where not to go: a place, not the
            // person's address.
            if kind == LabelKind::Address && NEGATIONS.iter().any(|n| t[..start].ends_with(n)) {
                continue;
            }
            hits.push(Hit {
                start,
                end,
                kind,
                ends_value: ends_value(t, start, end),
            });
        }
    }
}

impl Enabled {
    fn wants(&self, kind: LabelKind) -> bool {
        match kind {
            LabelKind::Name | LabelKind::Role => self.name,
            LabelKind::Address => self.address,
            LabelKind::BirthDate => self.birth_date,
            LabelKind::Passport => self.passport,
            LabelKind::Stop => false,
        }
    }
}

/// The value after `hit`, before `limit`, if it has its kind's shape.
fn labelled_value(t: &str, hit: &Hit, limit: usize, today: u32) -> Option<(usize, usize)> {
    let (at, strength) = values::skip_separators(t, hit.end, limit);
    match hit.kind {
        LabelKind::Name if qualified_name_label(t, hit.start, hit.end) => {
            values::name(t, at, limit, Strength::Weak)
        }
        LabelKind::Name if strength == Strength::Weak => {
            values::name(t, at, limit, Strength::Named)
        }
        LabelKind::Name => values::name(t, at, limit, strength),
        LabelKind::Role => values::name(t, at, limit, Strength::Weak),
        LabelKind::Address => values::address(t, at, limit, strength),
        LabelKind::BirthDate => values::birth_date(t, at, limit, today),
        LabelKind::Passport => values::passport(t, at, limit),
        LabelKind::Stop => None,
    }
}

/// `Plan name:`, `Event name:`: a bare `name` qualified by a word no list
/// knows names a thing as often as a person, so the value needs a known
/// surname (`Customer name:`, `Full name:` are labels of their own).
fn qualified_name_label(t: &str, start: usize, end: usize) -> bool {
    let before = t.as_bytes()[..start].strip_suffix(b" ");
    t[start..end].eq_ignore_ascii_case("name")
        && before.is_some_and(|b| b.last().is_some_and(u8::is_ascii_alphabetic))
}

/// A label starts a new field when a separator follows it or when it stands
/// at the start of the text or after a space or punctuation.
fn ends_value(t: &str, start: usize, end: usize) -> bool {
    let after = t[end..].trim_start_matches(' ');
    if after.starts_with([':', '：', '=']) {
        return true;
    }
    match t[..start].chars().next_back() {
        None => true,
        Some(c) => {
            c.is_whitespace() || c.is_ascii_punctuation() || "，。；、：（）【】".contains(c)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labelled(text: &str) -> Vec<(&str, LabelKind)> {
        let labels = Labels::new(&ExtraLabels {
            name: vec!["乘车人".into()],
            ..ExtraLabels::default()
        });
        let enabled = Enabled {
            name: true,
            address: true,
            birth_date: true,
            passport: true,
        };
        let mut found = Vec::new();
        labels.scan(text, enabled, 20261123, &mut Vec::new(), &mut |s, e, k| {
            found.push((&text[s..e], k))
        });
        found
    }

    #[test]
    fn labelled_values() {
        use LabelKind::*;
        assert_eq!(labelled("姓名：张三，电话：13812345678"), [("张三", Name)]);
        assert_eq!(labelled("客户 李四 来电"), [("李四", Name)]);
        assert_eq!(labelled("联系人:王五电话13812345678"), [("王五", Name)]);
        assert_eq!(
            labelled("收货地址：北京市朝阳区建国路88号院3号楼 联系电话：13812345678"),
            [("北京市朝阳区建国路88号院3号楼", Address)]
        );
        assert_eq!(labelled("出生日期 1990-01-02"), [("1990-01-02", BirthDate)]);
        assert_eq!(labelled("护照号 E12345678"), [("E12345678", Passport)]);
        assert_eq!(
            labelled("Name: ZHANG WEI, DOB 1990/01/02"),
            [("ZHANG WEI", Name), ("1990/01/02", BirthDate)]
        );
        assert_eq!(labelled("passport E1234567"), [("E1234567", Passport)]);
        assert_eq!(labelled("乘车人：赵六"), [("赵六", Name)]);
        assert_eq!(labelled("realName=张三&x=1"), [("张三", Name)]);
        assert_eq!(labelled("户名：【林艳】与卡号不符"), [("林艳", Name)]);
        assert_eq!(labelled("持卡人于超申请退款"), [("于超", Name)]);
        assert_eq!(labelled("收款人是余洋，"), [("余洋", Name)]);
        assert_eq!(labelled("持卡人余额不足"), []);
        assert_eq!(labelled("客户于2026年来电"), []);
        assert_eq!(labelled("Your name: Zhang Wei"), [("Zhang Wei", Name)]);
        assert_eq!(
            labelled("passport no. EC2437252"),
            [("EC2437252", Passport)]
        );
    }

    #[test]
    fn delivery_verbs_label_an_address_unless_negated() {
        assert_eq!(
            labelled("请送到北京市朝阳区建国路88号3号楼2单元501"),
            [("北京市朝阳区建国路88号3号楼2单元501", LabelKind::Address)]
        );
        assert!(labelled("不要送到地铁2号线人民广场站").is_empty());
        assert!(labelled("别放在美宜佳淮河路步行街店").is_empty());
        assert!(labelled("放在门卫").is_empty());
    }

    #[test]
    fn names_before_what_they_do_with_a_parcel() {
        let names = |text: &str| {
            let mut found = Vec::new();
            Labels::names_before_roles(text, &mut |s, e, _| found.push(text[s..e].to_owned()));
            found
        };
        assert_eq!(names("王锦代收也可以"), ["王锦"]);
        assert_eq!(names("麻烦马荣建签收，谢谢"), ["马荣建"]);
        assert_eq!(names("李明明的包裹放门卫"), ["李明明"]);
        for text in ["门卫代收", "前台签收", "丰巢代收", "顺丰代收货款", "已签收"]
        {
            assert!(names(text).is_empty(), "{text}: {:?}", names(text));
        }
    }

    #[test]
    fn look_alike_labels() {
        for text in [
            "客户反馈问题已解决",
            "客户端版本3.2.1",
            "用户名：zhangsan",
            "客户余额不足",
            "IP地址：10.0.0.1",
            "Product name: Coffee Mug",
            "rename the file",
            "地址变更申请已提交",
            "contact us at support",
            "passport photo required",
            "用户：我的手机号是多少",
            "Customer: Thanks for the help",
            "Plan name: Premium Gold",
            "Event name: Double Eleven Sale",
        ] {
            assert!(labelled(text).is_empty(), "{text}: {:?}", labelled(text));
        }
    }
}
