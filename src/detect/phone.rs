//! Mainland China mobile numbers: `1[3-9]` and nine more digits, written with
//! an optional country code (`+86`, `0086`, `86-`) and 3-4-4 grouping.
//!
//! Owns only what a valid number and its groupings look like; `numbers`
//! finds the digit runs and applies the boundary rules.

/// Eleven ASCII digits that form a mainland mobile number.
pub(crate) fn is_mobile(digits: &[u8]) -> bool {
    digits.len() == 11
        && digits[0] == b'1'
        && (b'3'..=b'9').contains(&digits[1])
        && digits.iter().all(u8::is_ascii_digit)
}

/// Groupings people write a mobile number in: `138 1234 5678`, `138-12345678`.
pub(crate) fn is_grouping(lengths: &[usize]) -> bool {
    matches!(lengths, [3, 4, 4] | [3, 8] | [7, 4])
}

/// A country-code run written before a mobile number (`86`, `0086`).
pub(crate) fn is_country_code(run: &[u8]) -> bool {
    run == b"86" || run == b"0086"
}

/// A single run carrying the country code without separator
/// (`8613812345678`, `008613812345678`): the length of that prefix.
pub(crate) fn glued_country_code(run: &[u8]) -> Option<usize> {
    let prefix = match run.len() {
        13 if run.starts_with(b"86") => 2,
        15 if run.starts_with(b"0086") => 4,
        _ => return None,
    };
    is_mobile(&run[prefix..]).then_some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_prefixes() {
        assert!(is_mobile(b"13812345678"));
        assert!(is_mobile(b"19912345678"));
        assert!(!is_mobile(b"12812345678"));
        assert!(!is_mobile(b"23812345678"));
        assert!(!is_mobile(b"1381234567"));
    }

    #[test]
    fn country_codes() {
        assert_eq!(glued_country_code(b"8613812345678"), Some(2));
        assert_eq!(glued_country_code(b"008613812345678"), Some(4));
        assert_eq!(glued_country_code(b"8612812345678"), None);
        assert!(is_country_code(b"0086"));
        assert!(is_grouping(&[3, 4, 4]));
        assert!(!is_grouping(&[4, 4, 3]));
    }
}
