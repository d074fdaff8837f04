//! Calendar checks shared by the resident-ID and birth-date detectors, and the
//! parser for the date spellings people type after a birth-date label.
//!
//! Dates are compared as `yyyymmdd` integers; "today" is fixed when a
//! [`super::DetectorSet`] is built so a scan never reads the clock.

/// Today as `yyyymmdd` (UTC), read once at load time.
pub(crate) fn today_yyyymmdd() -> u32 {
    let today = time::OffsetDateTime::now_utc().date();
    let year = u32::try_from(today.year()).unwrap_or(0);
    year * 10_000 + u32::from(u8::from(today.month())) * 100 + u32::from(today.day())
}

fn is_leap(year: u32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A real calendar day between 1900-01-01 and `today` (a birth date cannot
/// lie in the future, and nobody alive was born before 1900).
pub(crate) fn is_birth_date(year: u32, month: u32, day: u32, today: u32) -> bool {
    (1900..=9999).contains(&year)
        && day >= 1
        && day <= days_in_month(year, month)
        && year * 10_000 + month * 100 + day <= today
}

/// Value of the ASCII digits in `digits` (callers pass only digits).
pub(crate) fn number(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, d| acc * 10 + u32::from(d.wrapping_sub(b'0')))
}

/// Reads 1..=`max` ASCII digits at `at`; returns (value, digits read).
fn digits_at(b: &[u8], at: usize, max: usize) -> Option<(u32, usize)> {
    let len = b
        .get(at..)?
        .iter()
        .take(max)
        .take_while(|c| c.is_ascii_digit())
        .count();
    (len > 0).then(|| (number(&b[at..at + len]), len))
}

/// Skips one date separator (`-`, `/`, `.`, `年`, `月`) at `at`, returning its length.
fn separator_at(b: &[u8], at: usize) -> Option<usize> {
    let rest = b.get(at..)?;
    match rest.first()? {
        b'-' | b'/' | b'.' => Some(1),
        _ if rest.starts_with("年".as_bytes()) || rest.starts_with("月".as_bytes()) => Some(3),
        _ => None,
    }
}

/// Parses a birth date at the start of `b` and returns its length in bytes.
/// Accepts `1990-01-02`, `1990/1/2`, `1990.01.02`, `1990年1月2日`, `19900102`,
/// `02/01/1990` (day or month first), and year-month forms `1990年1月`,
/// `1990-01` (a `出生年月` field holds no day).
pub(crate) fn parse_date(b: &[u8], today: u32) -> Option<usize> {
    let (first, first_len) = digits_at(b, 0, 8)?;
    let date = match first_len {
        8 => {
            let (y, m, d) = (first / 10_000, first / 100 % 100, first % 100);
            is_birth_date(y, m, d, today).then_some(8)
        }
        4 => year_first(b, first, today),
        1 | 2 => day_or_month_first(b, first_len, first, today),
        _ => None,
    }?;
    // A date glued to more digits or letters is some other number.
    match b.get(date) {
        Some(c) if c.is_ascii_alphanumeric() => None,
        _ => Some(date),
    }
}

fn year_first(b: &[u8], year: u32, today: u32) -> Option<usize> {
    let mut at = 4 + separator_at(b, 4)?;
    let (month, len) = digits_at(b, at, 2)?;
    at += len;
    let year_month_ok = is_birth_date(year, month, 1, today);
    let Some(sep) = separator_at(b, at) else {
        // `1990-01` or `1990年1月` without a day.
        return year_month_ok.then_some(at);
    };
    if b[at..].starts_with("月".as_bytes()) && digits_at(b, at + sep, 2).is_none() {
        return year_month_ok.then_some(at + sep);
    }
    let (day, len) = digits_at(b, at + sep, 2)?;
    let mut end = at + sep + len;
    if b[end..].starts_with("日".as_bytes()) {
        end += 3;
    }
    is_birth_date(year, month, day, today).then_some(end)
}

fn day_or_month_first(b: &[u8], first_len: usize, first: u32, today: u32) -> Option<usize> {
    let sep = *b.get(first_len)?;
    if sep != b'/' && sep != b'-' && sep != b'.' {
        return None;
    }
    let (second, len) = digits_at(b, first_len + 1, 2)?;
    let at = first_len + 1 + len;
    if b.get(at) != Some(&sep) {
        return None;
    }
    let (year, len) = digits_at(b, at + 1, 4)?;
    if len != 4 {
        return None;
    }
    let valid =
        is_birth_date(year, second, first, today) || is_birth_date(year, first, second, today);
    valid.then_some(at + 1 + len)
}

/// The first birth date inside `b`, as a byte span.
pub(crate) fn find_date(b: &[u8], today: u32) -> Option<(usize, usize)> {
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            if let Some(len) = parse_date(&b[i..], today) {
                return Some((i, i + len));
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: u32 = 2026_11_23;

    #[test]
    fn calendar_rules() {
        assert!(is_birth_date(2000, 2, 29, TODAY));
        assert!(!is_birth_date(1900, 2, 29, TODAY));
        assert!(!is_birth_date(1990, 4, 31, TODAY));
        assert!(!is_birth_date(1899, 12, 31, TODAY));
        assert!(!is_birth_date(2026, 11, 24, TODAY));
        assert!(is_birth_date(2026, 11, 23, TODAY));
    }

    #[test]
    fn date_spellings() {
        for text in [
            "1990-01-02",
            "1990/1/2",
            "1990.01.02",
            "1990年1月2日",
            "19900102",
            "02/01/1990",
            "12/31/1990",
            "1990年1月",
            "1990-01",
        ] {
            assert_eq!(
                parse_date(text.as_bytes(), TODAY),
                Some(text.len()),
                "{text}"
            );
        }
        for text in [
            "1990-13-02",
            "19901302",
            "1990-02-30",
            "2030-01-01",
            "123456789",
            "1990-01-02x",
        ] {
            assert_eq!(parse_date(text.as_bytes(), TODAY), None, "{text}");
        }
    }

    #[test]
    fn finds_a_date_inside_text() {
        let text = "born on 1990-01-02 in Beijing";
        assert_eq!(find_date(text.as_bytes(), TODAY), Some((8, 18)));
    }
}
