//! What a person's name looks like, in Chinese characters or romanized:
//! common surnames (single and compound), their pinyin and Cantonese
//! spellings, and where a name written without punctuation most likely ends.
//!
//! Owns only these word lists and shape checks; `labels` and `keys` decide
//! where a name may stand.

/// Common single-character surnames (the ~250 most frequent cover well over
/// 95% of the population). Left out on purpose: surnames that are also
/// everyday function words after `客户`/`用户` (于 来 和 时 向 应 都 全 原 保
/// 计 车 花 商 台 管 解 强 连 单 查 位 乐 余), which would turn `客户来电`
/// or `客户余额` into a name.
const SURNAMES: &str = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍韦申尤毕聂丛焦柳邢岳齐梅莫庄辛祝左涂谷祁舒耿牟卜詹苗凌费纪靳盛童欧甄项曲成游阳裴席卫屈鲍覃霍翁隋甘景薄包柏宁柯阮桂闵柴华冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫苟褚廉简娄盖符奚穆党燕郎邸冀谈姬屠郜晏栾郁蒙喻揭窦迟敖鄢冷卓艾蓝巩井仲虞卞封竺冼佟栗匡宗巫鞠桑荆谌岑胥蔺司楚闫肖潘付雷关尚骆蒲缪麦荣寇佘邝";

/// Frequent surnames that are also everyday words (`于是`, `余额`): read only
/// right after a name label (`持卡人于超`), never after a role word.
const WORD_SURNAMES: &str = "于余";

/// Surnames that are also everyday words after a role (`客户来电`, `客户余额`):
/// under a name key they are surnames like any other.
const EVERYDAY_SURNAMES: &str = "于余来和时向应都全原保计车花商台管解强连单查位乐";

/// Compound surnames: the given name follows the second character.
#[rustfmt::skip]
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐", "端木", "独孤",
    "南宫", "西门", "百里", "呼延", "万俟", "轩辕",
];

/// Characters that, right after a surname and a given-name character, more
/// likely start the next word (`王五电话`, `张三先生`, `李四说`) than end a
/// three-character name.
const STOP_CHARS: &str = "先女小同老的说称来表在于已要申反和与及电手身证卡地住是为了等告请办使确需打致拨您你他她的已将也还就又再从到对把被给让向在日年月号元等";

/// Two-character words that start with a surname but name no one
/// (`客户余额`, `用户方式`…), checked after weak labels.
#[rustfmt::skip]
const NOT_NAMES: &[&str] = &[
    "方式", "方面", "方法", "方案", "高级", "高度", "黄金", "万元", "金额", "金卡", "白金", "常用", "常见", "马上", "石油", "江苏",
    "江西", "安全", "安装", "文件", "文档", "周期", "周年", "周末", "陈述", "林业", "何时", "何处", "成功", "成为", "成本", "华为",
    "龙头", "宁愿", "包括", "包裹", "司机", "明细", "钱包", "张数", "任何", "任务", "史上", "于是", "杨柳", "孔雀", "房产",
    "房屋", "房贷", "信用", "余额", "余款", "余下", "余量", "于此", "于今", "关于", "关注", "关闭", "关联", "关系", "尚未", "付款", "付费", "付了", "荣获", "雷同",
];

/// What forms carry instead of a name (`姓名：（未填写）`, `收货人：保密`).
#[rustfmt::skip]
const PLACEHOLDERS: &[&str] = &[
    "未填写", "未填", "暂无", "不详", "待补充", "待定", "保密", "匿名", "未知", "见附件", "同上", "本人", "未提供",
    "无名",
];

/// Words that make a run after a name label an organization, a place or a
/// role (`联系人：财务部`, `收货人：公司前台`), unless it starts with a surname
/// (`王经理` still names someone).
#[rustfmt::skip]
const NOT_PERSON_WORDS: &[&str] = &[
    "公司", "部", "中心", "前台", "客服", "门店", "财务", "物业", "快递", "驿站", "超市", "银行", "商行", "集团", "工作室",
    "办公室", "家人", "朋友", "同事", "门卫", "保安",
];

/// Pinyin (and common Cantonese/Wade-Giles) spellings of frequent surnames,
/// lowercase, for romanized names (`ZHANG WEI`, `Wei Zhang`, `CHAN Tai Man`).
#[rustfmt::skip]
const PINYIN_SURNAMES: &[&str] = &[
    "wang", "li", "zhang", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu", "xu", "sun", "hu",
    "zhu", "gao", "lin", "he", "guo", "ma", "luo", "liang", "song", "zheng", "xie", "han", "tang",
    "feng", "yu", "dong", "xiao", "cheng", "cao", "yuan", "deng", "fu", "shen", "zeng", "peng", "lu",
    "su", "jiang", "cai", "jia", "ding", "wei", "xue", "ye", "yan", "pan", "du", "dai", "xia", "zhong",
    "tian", "ren", "fan", "fang", "shi", "yao", "tan", "liao", "zou", "xiong", "jin", "hao", "kong",
    "bai", "cui", "kang", "mao", "qiu", "qin", "gu", "hou", "shao", "meng", "long", "wan", "duan",
    "qian", "yin", "yi", "chang", "qiao", "lai", "gong", "wen", "pang", "lan", "tao", "hong", "zhai",
    "an", "ni", "niu", "ou", "ouyang", "situ", "sima", "zhuge", "shangguan", "murong", "chan", "cheung",
    "wong", "lee", "lam", "ho", "ng", "tsang", "leung", "chow", "chiu", "lau", "kwok", "yip", "tse",
    "chung", "tsai", "hsu", "chang", "kao", "guan", "lei", "miao", "mai", "mak", "rong", "kou", "pu",
    "ji", "mo", "qu", "ge", "bi", "shang", "lyu", "lv",
];

pub(crate) fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

pub(crate) fn is_surname(c: char) -> bool {
    SURNAMES.contains(c)
}

/// The first characters of a run as UTF-8, so the word lists compare as
/// byte prefixes without allocating.
struct Head {
    buf: [u8; 32],
    len: usize,
}

impl Head {
    fn of(chars: &[char]) -> Self {
        let mut head = Head {
            buf: [0; 32],
            len: 0,
        };
        for c in chars.iter().take(8) {
            head.len += c.encode_utf8(&mut head.buf[head.len..]).len();
        }
        head
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).expect("encoded from chars")
    }
}

fn compound_surname(head: &str) -> bool {
    COMPOUND_SURNAMES.iter().any(|s| head.starts_with(s))
}

/// Any surname, the everyday-word ones included (for a value under a name
/// key, where `于超` and `保华` are names).
pub(crate) fn is_word_surname(c: char) -> bool {
    EVERYDAY_SURNAMES.contains(c)
}

pub(crate) fn is_compound_surname(text: &str) -> bool {
    compound_surname(text)
}

/// A common word, a placeholder or an organization word, not a name
/// (`黄金`, `未填写`, `财务部`).
pub(crate) fn is_common_word(text: &str) -> bool {
    is_not_name(text) || is_placeholder(text) || NOT_PERSON_WORDS.iter().any(|w| text.contains(w))
}

pub(crate) fn is_stop_char(c: char) -> bool {
    STOP_CHARS.contains(c)
}

/// The run starts with a common two-character word (`方式`, `尚未`).
fn is_not_name(head: &str) -> bool {
    NOT_NAMES.iter().any(|w| head.starts_with(w))
}

/// The run starts with a placeholder, not a name.
fn is_placeholder(head: &str) -> bool {
    PLACEHOLDERS.iter().any(|p| head.starts_with(p))
}

pub(crate) fn is_pinyin_surname(word: &str) -> bool {
    PINYIN_SURNAMES.iter().any(|s| s.eq_ignore_ascii_case(word))
}

/// How many of the leading Han `chars` (already cut at the first non-Han
/// character, up to 12) form a name, or 0. `weak`: the label gave no
/// separator (`客户张三`), so the name must start with a known surname and not
/// be a common word; `word_surnames`: right after a name label, where 于 and
/// 余 are surnames too.
pub(crate) fn han_name_len(chars: &[char], weak: bool, word_surnames: bool) -> usize {
    if chars.len() < 2 {
        return 0;
    }
    let head = Head::of(chars);
    let head = head.text();
    if is_placeholder(head) {
        return 0;
    }
    let compound = compound_surname(head);
    let listed = is_surname(chars[0]) || (word_surnames && WORD_SURNAMES.contains(chars[0]));
    let surname = compound || (listed && !is_not_name(head));
    if weak && !surname {
        return 0;
    }
    if !surname && NOT_PERSON_WORDS.iter().any(|w| head.contains(w)) {
        return 0;
    }
    // Minority names written with a middle dot: 买买提·艾力.
    if let Some(dot) = chars.iter().position(|c| *c == '·') {
        let given = extend(&chars[dot + 1..], 0, 4);
        return if dot >= 1 && given > 0 {
            dot + 1 + given
        } else {
            dot.min(4)
        };
    }
    let base = if compound { 3 } else { 2 };
    if chars.len() < base {
        return 0;
    }
    // A run that ends soon after the surname is the name itself (`阿依古丽`);
    // in a longer run only one more character is likely still the name.
    let cap = if chars.len() <= base + 2 {
        base + 2
    } else {
        base + 1
    };
    base + extend(&chars[base..], 0, cap - base)
}

/// How many of `chars` (at most `max`) go on before a stop character.
fn extend(chars: &[char], from: usize, max: usize) -> usize {
    chars[from..]
        .iter()
        .take(max)
        .take_while(|c| is_han(**c) && !is_stop_char(**c))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str, weak: bool) -> String {
        let chars: Vec<char> = text
            .chars()
            .take_while(|c| is_han(*c) || *c == '·')
            .collect();
        chars[..han_name_len(&chars, weak, false)].iter().collect()
    }

    #[test]
    fn where_a_name_ends() {
        assert_eq!(name("张三", true), "张三");
        assert_eq!(name("张三丰反馈", true), "张三丰");
        assert_eq!(name("王五电话", true), "王五");
        assert_eq!(name("李四先生", true), "李四");
        assert_eq!(name("欧阳娜娜说", true), "欧阳娜娜");
        assert_eq!(name("买买提·艾力来了", false), "买买提·艾力");
    }

    #[test]
    fn weak_labels_need_a_surname() {
        assert_eq!(name("反馈问题", true), "");
        assert_eq!(name("余额不足", true), "");
        assert_eq!(name("方式变更", true), "");
        assert_eq!(name("未填写", false), "");
        assert_eq!(name("保密", false), "");
        assert_eq!(name("财务部", false), "");
        assert_eq!(name("公司前台", false), "");
        assert_eq!(name("王经理", false), "王经理");
        assert_eq!(name("肖潇", true), "肖潇");
        assert_eq!(name("尚未付款", true), "");
        assert_eq!(name("阿依古丽", false), "阿依古丽");
        assert_eq!(name("张三丰反馈问题", false), "张三丰");
        assert!(is_pinyin_surname("ZHANG"));
        assert!(!is_pinyin_surname("service"));
    }
}

/// Every Hanyu Pinyin syllable without tones, from the `pinyin` crate's
/// readings of the CJK block (about 400).
static SYLLABLES: std::sync::LazyLock<foldhash::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        use pinyin::ToPinyin;
        ('\u{4E00}'..='\u{9FA5}')
            .filter_map(|c| c.to_pinyin().map(|p| p.plain()))
            .collect()
    });

/// Whether `word` is a full name written in pinyin as one word
/// (`zhangsanfeng`, `WangFang`): 7 to 24 letters that split into two to
/// four syllables of two letters or more, the first a surname. Short words
/// (`name`, `change`) are left alone: too many English words split so.
pub fn is_pinyin_name_word(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    if !(7..=24).contains(&lower.len()) || !lower.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    // ends[i]: the fewest syllables covering lower[..i], and the first one.
    let n = lower.len();
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for start in 0..n {
        let Some((count, first)) = best[start] else {
            continue;
        };
        for end in start + 2..=(start + 6).min(n) {
            if !SYLLABLES.contains(&lower[start..end]) {
                continue;
            }
            let first = if start == 0 { end } else { first };
            if best[end].is_none_or(|(c, _)| count + 1 < c) {
                best[end] = Some((count + 1, first));
            }
        }
    }
    matches!(best[n], Some((count, first)) if (2..=4).contains(&count) && is_pinyin_surname(&lower[..first]))
}

#[cfg(test)]
mod pinyin_word_tests {
    use super::is_pinyin_name_word;

    #[test]
    fn names_in_one_pinyin_word_are_told_from_english_keys() {
        for name in ["zhangsanfeng", "wangxiaoming", "LiuYangyang", "chenjingtao"] {
            assert!(is_pinyin_name_word(name), "{name}");
        }
        for key in [
            "name", "change", "mobile", "address", "items", "amount", "user_id", "orders",
        ] {
            assert!(!is_pinyin_name_word(key), "{key}");
        }
    }
}
