//! Spellings of one value: a JSON number's integer value whatever its
//! notation (`1.38001380e10` is `13800138000`). Shared by the engine (the
//! detectors read numbers as their integers) and the subject keys (`4711`,
//! `4711.0` and `4.711e3` are one subject). Knows nothing of where the
//! text comes from.

/// Longest integer spelling worth reading: no ID, card or phone number
/// is longer, and a huge exponent must not make a huge string.
const MAX_INTEGER_DIGITS: usize = 40;

/// The digits of a JSON number's integer value when it is spelled with a
/// fraction or an exponent (`1.10105194912310118e17`, `4711.0`,
/// `1.38001380e10`) and has one; `None` for a plain integer (already its
/// own digits), a value with a fractional part, or more than 40 digits. The
/// sign is left out: detectors look for the digits however they are signed.
pub fn integer_spelling(number: &str) -> Option<String> {
    let unsigned = number.strip_prefix('-').unwrap_or(number);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], unsigned[at + 1..].parse::<i64>().ok()?),
        None => (unsigned, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !unsigned.contains(['.', 'e', 'E']) {
        return None;
    }
    let digits: String = format!("{int}{frac}");
    let point = i64::try_from(int.len()).ok()?.checked_add(exponent)?;
    let point = usize::try_from(point).ok()?;
    let integer = if point >= digits.len() {
        if point > MAX_INTEGER_DIGITS + digits.len() {
            return None;
        }
        let mut integer = digits;
        integer.extend(std::iter::repeat_n('0', point - integer.len()));
        integer
    } else {
        if digits[point..].bytes().any(|b| b != b'0') {
            return None;
        }
        digits[..point].to_owned()
    };
    let integer = integer.trim_start_matches('0');
    (!integer.is_empty() && integer.len() <= MAX_INTEGER_DIGITS).then(|| integer.to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_read_as_the_integers_they_spell() {
        let cases = [
            ("110105194912310118e0", Some("110105194912310118")),
            ("1.10105194912310118e17", Some("110105194912310118")),
            ("6.222021234567890128e18", Some("6222021234567890128")),
            ("1.38001380e10", Some("13800138000")),
            ("-1.38001380E+10", Some("13800138000")),
            ("4711.0", Some("4711")),
            ("4.711e3", Some("4711")),
            ("13800138000", None),
            ("0.5", None),
            ("1.25e1", None),
            ("1e400", None),
            ("0.0", None),
        ];
        for (text, expected) in cases {
            assert_eq!(super::integer_spelling(text).as_deref(), expected, "{text}");
        }
    }
}
