//! Mainland China resident identity numbers (GB 11643-1999): 18 characters
//! with an ISO 7064 MOD 11-2 check character, and the 15-digit legacy form.
//!
//! Owns only the validity of one candidate (region, birth date, check
//! character); finding candidates in text is `numbers`' job.

use super::dates::{is_birth_date, number};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// The check character for the first 17 digits (ISO 7064 MOD 11-2).
pub fn check_char(first17: &[u8; 17]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// Province-level codes in use: 11–15, 21–23, 31–37, 41–46, 50–54, 61–65,
/// 71 (Taiwan), 81–83 (Hong Kong, Macao, and the 2018 residence permits), 91.
pub(crate) fn is_region(first_two: u32) -> bool {
    matches!(
        first_two,
        11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81..=83 | 91
    )
}

/// `id` is 18 bytes: 17 ASCII digits then a digit or `X`/`x`.
pub(crate) fn is_valid_18(id: &[u8], today: u32) -> bool {
    if id.len() != 18 {
        return false;
    }
    let Ok(first17) = <&[u8; 17]>::try_from(&id[..17]) else {
        return false;
    };
    first17.iter().all(u8::is_ascii_digit)
        && is_region(number(&id[..2]))
        && is_birth_date(
            number(&id[6..10]),
            number(&id[10..12]),
            number(&id[12..14]),
            today,
        )
        && check_char(first17) == id[17].to_ascii_uppercase()
}

/// 18 ASCII digits laid out like an ID number: a region code and a
/// `yyyymmdd` at the birth-date position (any day 1–31 of any month of
/// 1800–2099), whatever the check character. A mistyped or made-up ID
/// number, which no issuer range should claim as a card.
pub(crate) fn is_id_shaped(id: &[u8]) -> bool {
    id.len() == 18
        && id.iter().all(u8::is_ascii_digit)
        && is_region(number(&id[..2]))
        && (1800..=2099).contains(&number(&id[6..10]))
        && (1..=12).contains(&number(&id[10..12]))
        && (1..=31).contains(&number(&id[12..14]))
}

/// `id` is 15 ASCII digits: region, `yymmdd` (19yy), sequence; no check digit.
pub(crate) fn is_valid_15(id: &[u8], today: u32) -> bool {
    id.len() == 15
        && id.iter().all(u8::is_ascii_digit)
        && is_region(number(&id[..2]))
        && is_birth_date(
            1900 + number(&id[6..8]),
            number(&id[8..10]),
            number(&id[10..12]),
            today,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: u32 = 20261123;

    #[test]
    fn check_character_of_the_standard_example() {
        // GB 11643-1999 appendix example.
        assert!(is_valid_18(b"11010519491231002X", TODAY));
        assert!(is_valid_18(b"11010519491231002x", TODAY));
        assert!(!is_valid_18(b"110105194912310021", TODAY));
    }

    #[test]
    fn region_and_date_must_be_plausible() {
        let mut id = *b"110101199003070000";
        id[17] = check_char(id[..17].try_into().expect("17 digits"));
        assert!(is_valid_18(&id, TODAY));
        // Same digits under an unused province code, with a fixed-up check.
        let mut bad = id;
        bad[..2].copy_from_slice(b"19");
        bad[17] = check_char(bad[..17].try_into().expect("17 digits"));
        assert!(!is_valid_18(&bad, TODAY));
        // February 30th.
        let mut feb30 = *b"110101199002300000";
        feb30[17] = check_char(feb30[..17].try_into().expect("17 digits"));
        assert!(!is_valid_18(&feb30, TODAY));
        // Born in the future.
        let mut future = *b"110101209901010000";
        future[17] = check_char(future[..17].try_into().expect("17 digits"));
        assert!(!is_valid_18(&future, TODAY));
    }

    #[test]
    fn legacy_fifteen_digits() {
        assert!(is_valid_15(b"110105491231002", TODAY));
        assert!(!is_valid_15(b"110105491331002", TODAY));
        assert!(!is_valid_15(b"898310012345678", TODAY));
    }
}
