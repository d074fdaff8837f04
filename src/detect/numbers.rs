//! The numeric detectors' shared front end: one walk over the digits of a
//! text that finds resident IDs, bank cards, mobile numbers and IPv4
//! addresses.
//!
//! Digits are read as *chains*: maximal digit runs joined by single spaces
//! or dashes (`6222 0212 3456 7890 123`, `138-1234-5678`). A candidate is a
//! run of consecutive runs of a chain, so a number never matches the middle of
//! a longer digit run (`20261123138001380001234` is an order number, not a
//! phone), and a few shapes of grouping are accepted per detector. Knows
//! nothing of labels or keys; works on ASCII digits (the caller normalizes
//! full-width digits and invisible characters first).

use super::{bank_card, net, phone, resident_id};

/// What a numeric candidate turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Numeric {
    ResidentId,
    BankCard,
    Mobile,
    Ipv4,
}

/// Which numeric detectors are enabled, and today's date for birth dates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wanted {
    pub resident_id: bool,
    pub bank_card: bool,
    pub mobile: bool,
    pub ipv4: bool,
    pub today: u32,
}

/// A digit run `start..end` of a chain; `x` when an ID check `X` follows it.
#[derive(Clone, Copy, Default)]
struct Run {
    start: usize,
    end: usize,
    x: bool,
}

impl Run {
    fn len(self) -> usize {
        self.end - self.start
    }
}

/// Longest chain examined at once; longer chains are cut, which at worst
/// misses a number split across the cut of a 16-group digit table.
const MAX_RUNS: usize = 16;

/// Calls `emit(start, end, kind)` for each numeric match in `t`, in order.
pub(crate) fn scan_numbers(t: &[u8], want: Wanted, emit: &mut impl FnMut(usize, usize, Numeric)) {
    let mut runs = [Run::default(); MAX_RUNS];
    let mut i = 0;
    while let Some(first) = next_digit(t, i) {
        let mut count = 0;
        let mut at = first;
        i = loop {
            if want.ipv4 && t.get(at + 1..at + 4).is_some_and(|r| r.contains(&b'.')) {
                if let Some(end) = net::ipv4_at(t, at) {
                    evaluate_chain(t, &runs[..count], want, emit);
                    emit(at, end, Numeric::Ipv4);
                    count = 0;
                    break end;
                }
            }
            let end = at + t[at..].iter().take_while(|b| b.is_ascii_digit()).count();
            let x = matches!(t.get(end), Some(b'X' | b'x'))
                && !t.get(end + 1).is_some_and(u8::is_ascii_alphanumeric);
            runs[count] = Run { start: at, end, x };
            count += 1;
            let joined = matches!(t.get(end), Some(b' ' | b'-'))
                && t.get(end + 1).is_some_and(u8::is_ascii_digit);
            if !joined || x || count == MAX_RUNS {
                break end;
            }
            at = end + 1;
        };
        evaluate_chain(t, &runs[..count], want, emit);
    }
}

fn next_digit(t: &[u8], from: usize) -> Option<usize> {
    t.get(from..)?
        .iter()
        .position(u8::is_ascii_digit)
        .map(|p| p + from)
}

/// Picks, left to right, the longest valid candidate starting at each run.
fn evaluate_chain(
    t: &[u8],
    runs: &[Run],
    want: Wanted,
    emit: &mut impl FnMut(usize, usize, Numeric),
) {
    let mut a = 0;
    // Runs before `fresh` belong to a match or start the chain.
    let mut fresh = 0;
    while a < runs.len() {
        // A group of four nobody matched, then another short group: one
        // number written in fours (`9558 4230 9141 0815 990`), and what
        // starts inside it is a slice of it, not a number of its own.
        if a > fresh && runs[a - 1].len() == 4 && runs[a].len() <= 4 {
            a += 1;
            continue;
        }
        let mut best = None;
        let mut digits = [0u8; 20];
        let mut len = 0;
        for b in a..runs.len() {
            let run = &t[runs[b].start..runs[b].end];
            if len + run.len() > 19 {
                break;
            }
            digits[len..len + run.len()].copy_from_slice(run);
            len += run.len();
            // A short group that ends the chain may complete the number.
            let next = runs.get(b + 1).copied().filter(|_| b + 2 == runs.len());
            if let Some(found) = classify(t, &runs[a..=b], next, &digits[..len], want) {
                best = Some((b, found));
            }
        }
        match best {
            Some((b, (start, end, kind))) => {
                emit(start, end, kind);
                a = b + 1;
                fresh = a;
            }
            None => a += 1,
        }
    }
}

/// The candidate formed by `runs` (whose digits are `digits`), if valid;
/// `next` is the chain's last run when it follows right after `runs`.
fn classify(
    t: &[u8],
    runs: &[Run],
    next: Option<Run>,
    digits: &[u8],
    want: Wanted,
) -> Option<(usize, usize, Numeric)> {
    let first = runs[0];
    let last = runs[runs.len() - 1];
    let (start, end) = (first.start, last.end);
    if !clear_before(t, start) || (!clear_after(t, end) && !last.x) {
        return None;
    }
    let single = runs.len() == 1;
    let min_group = runs.iter().map(|r| r.len()).min().unwrap_or(0);
    if want.resident_id && (single || min_group >= 3) {
        if last.x && digits.len() == 17 {
            let mut id = [0u8; 18];
            id[..17].copy_from_slice(digits);
            id[17] = b'X';
            if resident_id::is_valid_18(&id, want.today) {
                return Some((start, end + 1, Numeric::ResidentId));
            }
        }
        let valid = match digits.len() {
            18 => resident_id::is_valid_18(digits, want.today),
            15 => resident_id::is_valid_15(digits, want.today),
            _ => false,
        };
        if valid && !last.x {
            return Some((start, end, Numeric::ResidentId));
        }
    }
    if last.x || money_before(t, start) {
        return None;
    }
    // Laid out like a resident ID but failing its checks: a mistyped or
    // made-up ID number, whatever issuer range its digits fall in.
    if digits.len() == 18 && resident_id::is_id_shaped(digits) {
        return None;
    }
    if want.bank_card && card_grouping(runs, next) && bank_card::is_card(digits) {
        return Some((start, end, Numeric::BankCard));
    }
    if want.mobile {
        return mobile(runs, digits, start, end);
    }
    None
}

/// Whether `runs` are grouped the way card numbers are written: one run,
/// groups of 3–6 (`4-4-4-4`, Amex `4-6-5`), or fours ending in a shorter
/// group (`6222 0212 3456 7890 12`). Fours that go on with another short
/// group that ends the chain are the front of a longer number, not a card
/// of their own (the first 16 digits of a Luhn-invalid 19-digit number pass
/// Luhn one time in ten).
fn card_grouping(runs: &[Run], next: Option<Run>) -> bool {
    if runs.len() == 1 {
        return true;
    }
    let (last, front) = runs.split_last().expect("at least one run");
    let fours = front.iter().all(|r| r.len() == 4);
    if fours && next.is_some_and(|n| n.len() < 4 && digits_in(runs) + n.len() <= 19) {
        return false;
    }
    runs.iter().all(|r| (3..=6).contains(&r.len())) || (fours && last.len() <= 4)
}

fn digits_in(runs: &[Run]) -> usize {
    runs.iter().map(|r| r.len()).sum()
}

fn mobile(
    runs: &[Run],
    digits: &[u8],
    start: usize,
    end: usize,
) -> Option<(usize, usize, Numeric)> {
    if runs.len() == 1 {
        if phone::is_mobile(digits) {
            return Some((start, end, Numeric::Mobile));
        }
        // The country code is not personal: the span is the national number.
        let prefix = phone::glued_country_code(digits)?;
        return Some((start + prefix, end, Numeric::Mobile));
    }
    let mut lengths = [0usize; 4];
    if runs.len() > lengths.len() {
        return None;
    }
    for (slot, run) in lengths.iter_mut().zip(runs) {
        *slot = run.len();
    }
    let lengths = &lengths[..runs.len()];
    if phone::is_grouping(lengths) && phone::is_mobile(digits) {
        return Some((start, end, Numeric::Mobile));
    }
    // `86-138-1234-5678`, `0086 13812345678`: skip the country-code run.
    let code = &digits[..runs[0].len()];
    let rest = &digits[code.len()..];
    let grouped = runs.len() == 2 || phone::is_grouping(&lengths[1..]);
    (phone::is_country_code(code) && grouped && phone::is_mobile(rest)).then_some((
        runs[1].start,
        end,
        Numeric::Mobile,
    ))
}

/// A number glued to a word (`SF1234567890123`, `v2`) or continuing a decimal
/// (`0.13812345678`) is part of something else.
fn clear_before(t: &[u8], start: usize) -> bool {
    match start.checked_sub(1).map(|p| t[p]) {
        None => true,
        Some(b'.') => !(start >= 2 && t[start - 2].is_ascii_digit()),
        Some(b) => !b.is_ascii_alphabetic(),
    }
}

fn clear_after(t: &[u8], end: usize) -> bool {
    match t.get(end) {
        None => true,
        Some(b'.') => !t.get(end + 1).is_some_and(u8::is_ascii_digit),
        Some(b) => !b.is_ascii_alphabetic(),
    }
}

/// An amount: a currency sign right before the number (`¥13812345678`).
fn money_before(t: &[u8], start: usize) -> bool {
    let head = &t[..start];
    let head = head.strip_suffix(b" ").unwrap_or(head);
    head.ends_with(b"$")
        || head.ends_with("¥".as_bytes())
        || head.ends_with("￥".as_bytes())
        || head.ends_with("€".as_bytes())
        || head.ends_with("£".as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WANT: Wanted = Wanted {
        resident_id: true,
        bank_card: true,
        mobile: true,
        ipv4: true,
        today: 20261123,
    };

    fn found(text: &str) -> Vec<(&str, Numeric)> {
        let mut out = Vec::new();
        scan_numbers(text.as_bytes(), WANT, &mut |s, e, k| {
            out.push((&text[s..e], k))
        });
        out
    }

    #[test]
    fn plain_numbers_in_text() {
        assert_eq!(
            found("卡号6222021234567890128余额"),
            [("6222021234567890128", Numeric::BankCard)]
        );
        assert_eq!(
            found("身份证11010519491231002X。"),
            [("11010519491231002X", Numeric::ResidentId)]
        );
        assert_eq!(
            found("电话：13812345678，"),
            [("13812345678", Numeric::Mobile)]
        );
        assert_eq!(
            found("6222021234567890128"),
            [("6222021234567890128", Numeric::BankCard)]
        );
    }

    #[test]
    fn grouped_numbers() {
        assert_eq!(
            found("card 6222 0212 3456 7890 128 ok"),
            [("6222 0212 3456 7890 128", Numeric::BankCard)]
        );
        assert_eq!(
            found("4111-1111-1111-1111"),
            [("4111-1111-1111-1111", Numeric::BankCard)]
        );
        assert_eq!(
            found("call 138 1234 5678"),
            [("138 1234 5678", Numeric::Mobile)]
        );
        assert_eq!(
            found("+86 138-1234-5678"),
            [("138-1234-5678", Numeric::Mobile)]
        );
        assert_eq!(
            found("0086-13812345678"),
            [("13812345678", Numeric::Mobile)]
        );
        assert_eq!(found("+8613812345678"), [("13812345678", Numeric::Mobile)]);
        assert_eq!(
            found("110105 19491231 002X"),
            [("110105 19491231 002X", Numeric::ResidentId)]
        );
        assert_eq!(
            found("13812345678 13912345678"),
            [
                ("13812345678", Numeric::Mobile),
                ("13912345678", Numeric::Mobile)
            ]
        );
    }

    #[test]
    fn decoys_stay_untouched() {
        for text in [
            "订单号20261123138001380001234",
            "¥1,234.56",
            "¥13812345678",
            "ts=1732345678901",
            "2026-11-23 10:32:01",
            "SF1234567890123",
            "0.13812345678",
            "13812345678.5",
            "商户号898310012345678",
            "12812345678",
            "6222021234567890127",
            "550e8400-e29b-41d4-a716-446655440000",
            "11010519491231002Y",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn card_groupings() {
        // 18- and 19-digit cards written in fours.
        assert_eq!(
            found("卡号 6202 0000 0000 0000 03，"),
            [("6202 0000 0000 0000 03", Numeric::BankCard)]
        );
        // Luhn-invalid as 19 digits, but its first 16 pass Luhn: not a card.
        assert!(crate::detect::bank_card::is_card(b"6222021265917992"));
        assert!(found("卡号6222 0212 6591 7992 661校验失败").is_empty());
        // A real card followed by something else than a short group.
        assert_eq!(
            found("4111 1111 1111 1111 2026-11-23"),
            [("4111 1111 1111 1111", Numeric::BankCard)]
        );
    }

    #[test]
    fn no_numbers_inside_a_number_written_in_fours() {
        // `4230 9141 0815 990` would be a valid 15-digit ID number.
        assert!(found("银行卡：9558 4230 9141 0815 990（无效卡号）").is_empty());
        // Not in fours: the mobile after a year still counts.
        assert_eq!(
            found("2026 13812345678"),
            [("13812345678", Numeric::Mobile)]
        );
        // Two cards in one chain: the second starts after a match.
        assert_eq!(
            found("4111 1111 1111 1111 5555 5555 5555 4444"),
            [
                ("4111 1111 1111 1111", Numeric::BankCard),
                ("5555 5555 5555 4444", Numeric::BankCard)
            ]
        );
    }

    #[test]
    fn mistyped_resident_ids_are_not_cards() {
        // Valid region and birth date, wrong check digit; Luhn-valid and in
        // the UnionPay (62), Mir (2201), Diners (36) and Discover (65) ranges.
        for text in [
            "620103195708298293",
            "220102195507272218",
            "360102196412138365",
            "650102199902218816",
            // A check character that fits, an impossible date (February 30th).
            "810000196302301609",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn ipv4_inside_a_chain_of_numbers() {
        assert_eq!(found("100 192.168.1.1"), [("192.168.1.1", Numeric::Ipv4)]);
    }
}
