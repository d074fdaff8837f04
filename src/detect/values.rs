//! Reading one value that a label or a key announced: where a name, an
//! address, a birth date or a passport number starts and ends.
//!
//! Every reader takes the text, the offset where the value may start and a
//! limit it must not cross (the next label), and returns a byte span or
//! nothing. Knows nothing of which label or key announced the value.

use super::dates;
use super::names::{han_name_len, is_han, is_pinyin_surname};

/// How sure the announcement is: `Strong` after `:`/`：`/`=` or under a key,
/// `Weak` for a bare context word (`客户 李四`), which needs more evidence.
/// `Named`: a name label with no separator (`持卡人于超`, `收款人是余洋`): the
/// name needs a surname, but the surnames that are also everyday words
/// (于, 余) count there, unlike after a role word (`客户于2026年…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strength {
    Strong,
    Named,
    Weak,
}

/// Skips what stands between a label and its value: spaces, `:`, `：`, `=`,
/// `#`, the `.` of an abbreviation, opening quotes and brackets (`【张三】`),
/// and the verbs `是`/`为`/`叫`. Returns the value's start and whether an
/// explicit separator was seen.
pub(crate) fn skip_separators(t: &str, mut at: usize, limit: usize) -> (usize, Strength) {
    let mut strength = Strength::Weak;
    while at < limit {
        let c = t[at..].chars().next().expect("at is on a char boundary");
        match c {
            ':' | '：' | '=' | '#' => strength = Strength::Strong,
            ' ' | '\u{3000}' | '\t' | '是' | '为' | '叫' | '"' | '\'' | '.' | '【' | '「'
            | '『' | '“' | '‘' | '(' | '（' | '[' => {}
            _ => break,
        }
        at += c.len_utf8();
    }
    (at, strength)
}

/// A person's name at `at`: Chinese characters or a romanized form.
pub(crate) fn name(t: &str, at: usize, limit: usize, strength: Strength) -> Option<(usize, usize)> {
    let rest = &t[at..limit];
    let first = rest.chars().next()?;
    if is_han(first) {
        let mut buf = ['\0'; 12];
        let mut count = 0;
        for c in rest
            .chars()
            .take_while(|c| is_han(*c) || *c == '·')
            .take(12)
        {
            buf[count] = c;
            count += 1;
        }
        let chars = &buf[..count];
        let len = han_name_len(
            chars,
            strength != Strength::Strong,
            strength == Strength::Named,
        );
        let bytes: usize = chars[..len].iter().map(|c| c.len_utf8()).sum();
        return (len >= 2).then_some((at, at + bytes));
    }
    if first.is_ascii_alphabetic() {
        return romanized(rest, strength).map(|len| (at, at + len));
    }
    None
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Upper,
    Capital,
    Lower,
    Mixed,
}

fn case_of(word: &str) -> Case {
    // `Xiao-Ming` has the case of `Xiao`.
    let word = word.split('-').next().unwrap_or(word);
    let upper = word.bytes().filter(u8::is_ascii_uppercase).count();
    if upper == word.len() {
        Case::Upper
    } else if upper == 1 && word.as_bytes()[0].is_ascii_uppercase() {
        Case::Capital
    } else if upper == 0 {
        Case::Lower
    } else {
        Case::Mixed
    }
}

/// `ZHANG WEI`, `ZHANG/WEI`, `Zhang Wei`, `Wei Zhang`, `zhang wei`: returns
/// the byte length of the name at the start of `rest`.
fn romanized(rest: &str, strength: Strength) -> Option<usize> {
    let b = rest.as_bytes();
    let mut words: [(usize, usize); 4] = [(0, 0); 4];
    let mut count = 0;
    let mut slash = false;
    let mut at = 0;
    while count < words.len() {
        let start = at;
        while at < b.len() && (b[at].is_ascii_alphabetic() || (b[at] == b'-' && at > start)) {
            at += 1;
        }
        if at - start < 2 {
            break;
        }
        let case = case_of(&rest[start..at]);
        let first_case = if count == 0 {
            case
        } else {
            case_of(&rest[words[0].0..words[0].1])
        };
        let fits = case == first_case || (case != Case::Lower && first_case != Case::Lower);
        if case == Case::Mixed || !fits || (case == Case::Lower && count == 2) {
            break;
        }
        words[count] = (start, at);
        count += 1;
        match b.get(at..at + 2) {
            Some([b' ' | b'+', n]) if n.is_ascii_alphabetic() => at += 1,
            Some([b'/', n]) if n.is_ascii_alphabetic() && count == 1 => {
                slash = true;
                at += 1;
            }
            _ => break,
        }
    }
    let words = &words[..count];
    let word = |i: usize| &rest[words[i].0..words[i].1];
    let surname = count >= 2 && (is_pinyin_surname(word(0)) || is_pinyin_surname(word(count - 1)));
    let capitalized = count >= 2 && case_of(word(0)) != Case::Lower;
    let accepted = (slash && case_of(word(0)) == Case::Upper)
        || surname
        || (strength == Strength::Strong && capitalized);
    accepted.then(|| words[count - 1].1)
}

/// Characters that mark a Chinese address (province … room).
const ADDRESS_MARKS: &str = "省市区县镇乡村路街道巷号弄楼室栋幢苑园厦座";
/// Words that mark a romanized or English address.
#[rustfmt::skip]
const ADDRESS_WORDS: &[&str] = &[
    "road", "rd", "street", "st", "avenue", "ave", "lane", "district", "room", "floor", "building",
    "bldg", "apt", "lu", "jie", "hutong", "village", "city", "province", "no",
];
const MAX_ADDRESS_CHARS: usize = 100;

/// An address at `at`: up to the first clause break, a following phone
/// number or label, or 100 characters.
pub(crate) fn address(
    t: &str,
    at: usize,
    limit: usize,
    strength: Strength,
) -> Option<(usize, usize)> {
    let rest = &t[at..limit];
    let english = rest.as_bytes().first()?.is_ascii_alphanumeric();
    let mut end = 0;
    for (i, c) in rest.char_indices().take(MAX_ADDRESS_CHARS) {
        let stop = match c {
            '\n' | '\r' | '\t' | '|' | ';' | '；' | '。' | '！' | '？' | '!' | '?' | '"' | '、'
            | '】' | '」' | '』' | '”' => true,
            ',' | '，' => !english,
            ' ' | '\u{3000}' => !continues_address(&rest[i + c.len_utf8()..], english),
            c if english => !c.is_ascii(),
            _ => false,
        };
        if stop {
            break;
        }
        end = i + c.len_utf8();
    }
    let value = rest[..end].trim_end_matches([' ', ',', '，', '.', '-', '(', '（']);
    let chars = value.chars().count();
    let marked = if english {
        english_address(value, strength)
    } else {
        chinese_address(value, strength)
    };
    (chars >= 4 && marked).then_some((at, at + value.len()))
}

/// After a space: does the address go on (`3号楼 501`) or did something else
/// start (a name, a phone number)?
fn continues_address(next: &str, english: bool) -> bool {
    let token = next
        .split([' ', '\u{3000}', ',', '，', ';', '；'])
        .next()
        .unwrap_or("");
    // A run of 7+ digits is a phone or another number, not a room number;
    // `18号楼1单元2204` has as many digits, in short runs.
    let longest_run = token
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    if longest_run >= 7 {
        return false;
    }
    let digits = token.bytes().filter(u8::is_ascii_digit).count();
    if english {
        return !token.is_empty() && token.is_ascii();
    }
    token.chars().any(|c| "号楼室栋幢层座单元".contains(c))
        || (!token.is_empty() && token.len() <= 6 && digits > 0 && token.is_ascii())
}

/// A mark of an address (`市`, `路`, `号`…); after a bare label
/// (`公司地址在市中心`) two different marks or a numbered mark (`88号`,
/// `3栋`), as every real address has.
fn chinese_address(value: &str, strength: Strength) -> bool {
    let mut marks = value.chars().filter(|c| ADDRESS_MARKS.contains(*c));
    let Some(first) = marks.next() else {
        return false;
    };
    let numbered = value.char_indices().any(|(i, c)| {
        c.is_ascii_digit() && value[i + 1..].starts_with(|n: char| "号弄室楼栋幢层座".contains(n))
    });
    strength == Strength::Strong || marks.any(|c| c != first) || numbered
}

fn english_address(value: &str, strength: Strength) -> bool {
    let keyword = value
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| ADDRESS_WORDS.iter().any(|k| k.eq_ignore_ascii_case(w)));
    let has_digit = value.bytes().any(|b| b.is_ascii_digit());
    keyword || (strength == Strength::Strong && has_digit && value.split(' ').count() >= 3)
}

/// A birth date right at `at`.
pub(crate) fn birth_date(t: &str, at: usize, limit: usize, today: u32) -> Option<(usize, usize)> {
    dates::parse_date(&t.as_bytes()[at..limit], today).map(|len| (at, at + len))
}

/// A passport number at `at`, after an optional `No.`/`号码`: 6–12 letters
/// and digits, at least 5 of them digits (`E12345678`, `EA1234567`).
pub(crate) fn passport(t: &str, at: usize, limit: usize) -> Option<(usize, usize)> {
    let mut at = at;
    for filler in ["number", "No.", "no.", "No", "NO", "号码", "号", "#"] {
        if t[at..limit].starts_with(filler) {
            at = skip_separators(t, at + filler.len(), limit).0;
            break;
        }
    }
    let b = &t.as_bytes()[..limit];
    let len = b[at..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    passport_token(&b[at..at + len]).then_some((at, at + len))
}

/// Whether an alphanumeric token has a passport number's shape.
pub(crate) fn passport_token(token: &[u8]) -> bool {
    let digits = token.iter().filter(|c| c.is_ascii_digit()).count();
    (6..=12).contains(&token.len()) && digits >= 5 && token.iter().all(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after_label(
        text: &str,
        read: impl Fn(&str, usize, usize, Strength) -> Option<(usize, usize)>,
    ) -> Option<&str> {
        let (at, strength) = skip_separators(text, 0, text.len());
        read(text, at, text.len(), strength).map(|(s, e)| &text[s..e])
    }

    #[test]
    fn names() {
        assert_eq!(after_label("：张三，电话", name), Some("张三"));
        assert_eq!(after_label(" 李四反馈", name), Some("李四"));
        assert_eq!(after_label("反馈问题", name), None);
        assert_eq!(after_label(": ZHANG WEI, tel", name), Some("ZHANG WEI"));
        assert_eq!(after_label(": ZHANG/WEI", name), Some("ZHANG/WEI"));
        assert_eq!(after_label(" Zhang Wei called", name), Some("Zhang Wei"));
        assert_eq!(after_label("=zhang+wei&x=1", name), Some("zhang+wei"));
        assert_eq!(after_label(": John Smith", name), Some("John Smith"));
        assert_eq!(after_label(" service center", name), None);
        assert_eq!(after_label(" Service Center", name), None);
        assert_eq!(after_label(": iPhone 15", name), None);
        assert_eq!(
            after_label(": Wang Xiao-Ming.", name),
            Some("Wang Xiao-Ming")
        );
    }

    #[test]
    fn addresses() {
        let read = |t: &str, a, l, s| address(t, a, l, s);
        assert_eq!(
            after_label(
                "：北京市朝阳区建国路88号 3号楼2单元501 张三 13812345678",
                read
            ),
            Some("北京市朝阳区建国路88号 3号楼2单元501")
        );
        assert_eq!(
            after_label("：上海市浦东新区世纪大道100号，邮编200120", read),
            Some("上海市浦东新区世纪大道100号")
        );
        assert_eq!(after_label("变更申请已提交", read), None);
        assert_eq!(after_label("在市中心", read), None);
        assert_eq!(after_label("在市中心（工单775797）", read), None);
        assert_eq!(after_label("：市中心广场", read), Some("市中心广场"));
        assert_eq!(
            after_label("为江苏省南京市鼓楼区建国路180号 12号楼6单元2010", read),
            Some("江苏省南京市鼓楼区建国路180号 12号楼6单元2010")
        );
        assert_eq!(
            after_label("：【北京市朝阳区建国路88号】已核实", read),
            Some("北京市朝阳区建国路88号")
        );
        assert_eq!(
            after_label(
                ": Room 501, No. 88 Jianguo Road, Chaoyang District; tel",
                read
            ),
            Some("Room 501, No. 88 Jianguo Road, Chaoyang District")
        );
    }

    #[test]
    fn passports_and_dates() {
        let read = |t: &str, a, l, _| passport(t, a, l);
        assert_eq!(after_label(" No. E12345678", read), Some("E12345678"));
        assert_eq!(after_label("号码：EA1234567。", read), Some("EA1234567"));
        assert_eq!(after_label(": photo", read), None);
        assert_eq!(after_label(". EC2437252", read), Some("EC2437252"));
        assert_eq!(after_label("：【EH8697718】", read), Some("EH8697718"));
        let read = |t: &str, a, l, _| birth_date(t, a, l, 20261123);
        assert_eq!(
            after_label("：1990年1月2日出生", read),
            Some("1990年1月2日")
        );
    }
}
