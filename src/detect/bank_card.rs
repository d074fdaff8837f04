//! Payment card numbers: the Luhn check and the issuer (IIN) ranges of the
//! networks a Chinese payment company sees, each with its card lengths.
//!
//! Owns only the validity of one candidate; `numbers` finds candidates and
//! decides on separators and boundaries.

use super::dates::number;

/// One issuer range: numbers whose first `digits` digits lie in `low..=high`
/// and whose length lies in `lengths`.
struct Range {
    digits: usize,
    low: u32,
    high: u32,
    lengths: std::ops::RangeInclusive<usize>,
}

const fn range(digits: usize, low: u32, high: u32, min: usize, max: usize) -> Range {
    Range {
        digits,
        low,
        high,
        lengths: min..=max,
    }
}

/// Networks and lengths. UnionPay (62, 81) issues 16–19 digits; the big
/// Chinese banks still have 19-digit debit cards from before UnionPay
/// (ICBC 9558, ABC 95595–95599), and city banks issue `60…` BINs. A number
/// that matches no range is left alone, which keeps order numbers and
/// timestamps (`20…`, `17…`) out even when their Luhn digit happens to fit.
const RANGES: &[Range] = &[
    range(2, 62, 62, 16, 19),       // UnionPay
    range(2, 81, 81, 16, 19),       // UnionPay (2020s range)
    range(4, 9558, 9558, 19, 19),   // ICBC legacy debit (牡丹灵通卡)
    range(5, 95595, 95599, 19, 19), // ABC legacy debit (金穗卡)
    range(2, 60, 60, 16, 19),       // Discover 6011, RuPay, CN city-bank BINs (601382, 603367…)
    range(1, 4, 4, 13, 19),         // Visa (13, 16, 19; see `visa_length`)
    range(2, 51, 55, 16, 16),       // Mastercard
    range(4, 2221, 2720, 16, 16),   // Mastercard 2-series
    range(2, 34, 34, 15, 15),       // American Express
    range(2, 37, 37, 15, 15),       // American Express
    range(4, 3528, 3589, 16, 19),   // JCB
    range(3, 644, 649, 16, 19),     // Discover
    range(2, 65, 65, 16, 19),       // Discover / RuPay
    // Diners Club: 14 digits, 16 where cards run on the Discover network.
    // Other lengths would only catch resident IDs of Jiangxi (36…).
    range(3, 300, 305, 14, 14),
    range(3, 300, 305, 16, 16),
    range(4, 3095, 3095, 14, 14),
    range(4, 3095, 3095, 16, 16),
    range(2, 36, 36, 14, 14),
    range(2, 38, 39, 14, 14),
    range(2, 38, 39, 16, 16),
    range(4, 2200, 2204, 16, 19), // Mir
    range(4, 5018, 5018, 13, 19), // Maestro
    range(4, 5020, 5020, 13, 19), // Maestro
    range(4, 5038, 5038, 13, 19), // Maestro
    range(4, 6304, 6304, 13, 19), // Maestro
    range(4, 6759, 6759, 13, 19), // Maestro
    range(4, 6761, 6763, 13, 19), // Maestro
];

fn visa_length(len: usize) -> bool {
    matches!(len, 13 | 16 | 19)
}

/// The Luhn (mod 10) check over ASCII digits.
pub(crate) fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// Whether some network issues numbers with this prefix and length.
pub(crate) fn known_issuer(digits: &[u8]) -> bool {
    let len = digits.len();
    if len < 6 || (digits[0] == b'4' && !visa_length(len)) {
        return false;
    }
    // The leading 1..=5 digits as numbers, read once for all ranges.
    let mut prefix = [0u32; 6];
    for i in 1..prefix.len() {
        prefix[i] = number(&digits[..i]);
    }
    RANGES
        .iter()
        .any(|r| r.lengths.contains(&len) && (r.low..=r.high).contains(&prefix[r.digits]))
}

/// A card number: 13–19 ASCII digits, a known issuer, and a valid Luhn digit.
pub(crate) fn is_card(digits: &[u8]) -> bool {
    (13..=19).contains(&digits.len())
        && digits.iter().all(u8::is_ascii_digit)
        && known_issuer(digits)
        && luhn(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_numbers_of_each_network() {
        for card in [
            "4111111111111111",    // Visa
            "4222222222222",       // Visa, 13 digits
            "5555555555554444",    // Mastercard
            "2223003122003222",    // Mastercard 2-series
            "378282246310005",     // Amex
            "3530111333300000",    // JCB
            "6011111111111117",    // Discover
            "6200000000000005",    // UnionPay 16
            "6222021234567890128", // UnionPay 19
            "8171999927660000",    // UnionPay 81
            "9558801001114978122", // ICBC 9558
            "9559980210373015416", // ABC 95599
            "6013821234567890",    // Bank of China 601382
            "6033671000123456785", // Hangzhou Bank 603367
            "30569309025904",      // Diners 14
        ] {
            assert!(is_card(card.as_bytes()), "{card}");
        }
    }

    #[test]
    fn luhn_failures_and_unknown_issuers() {
        assert!(!is_card(b"4111111111111112"));
        assert!(!is_card(b"6222021234567890127"));
        // Luhn-valid, but no network issues `17…` or `20…` numbers.
        assert!(!is_card(b"1732345678905"));
        assert!(!is_card(b"2026112300000006"));
        // Right prefix, wrong length: Amex is always 15 digits, ICBC's
        // 9558 cards 19.
        assert!(!is_card(b"3782822463100052"));
        assert!(!is_card(b"9558801001114972"));
        // Diners lengths: 14 and 16 only, so a 15-digit merchant code
        // `301…` or an 18-digit `36…` ID number is no card.
        assert!(!is_card(b"301651057327724"));
        assert!(!is_card(b"360102196412138365"));
        // Luhn-valid `95…` outside the two legacy bank ranges.
        assert!(!is_card(b"9550801001114978129"));
    }
}
