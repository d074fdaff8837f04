//! The one cheap pass over a text that decides which detectors need to look
//! at it at all. Most strings in a payload (`"CNY"`, `"SUCCESS"`, a short
//! code, an object key) end here, after two table lookups per byte.

const DIGIT: u16 = 1;
const ALPHA: u16 = 2;
const B64: u16 = 4; // base64 / base64url / hex alphabet
const AT: u16 = 8;
const COLON: u16 = 16;
const PERCENT: u16 = 32;
const HIGH: u16 = 64; // a byte of a non-ASCII character
const DOT: u16 = 128;
const EQUALS: u16 = 256 | B64;
const SPACE: u16 = 512;
/// `# " ' ( [`: what may stand between a label and its value.
const OPENER: u16 = 1024;

static CLASS: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_digit() {
            DIGIT | B64
        } else if c.is_ascii_alphabetic() {
            ALPHA | B64
        } else {
            match c {
                b'+' | b'/' | b'-' | b'_' => B64,
                b'=' => EQUALS,
                b' ' | b'\t' | b'\n' | b'\r' => SPACE,
                b'@' => AT,
                b':' => COLON,
                b'%' => PERCENT,
                b'.' => DOT,
                b'#' | b'"' | b'\'' | b'(' | b'[' => OPENER,
                0x80..=0xff => HIGH,
                _ => 0,
            }
        };
        b += 1;
    }
    table
};

/// Digits, colons and dots counted in one add per byte: three 21-bit fields
/// of a `u64`, emptied every [`CHUNK`] bytes so none overflows.
const COLON_SHIFT: u32 = 21;
const DOT_SHIFT: u32 = 42;
const FIELD: u64 = (1 << COLON_SHIFT) - 1;
const CHUNK: usize = 1 << 20;

static COUNT: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'0'..=b'9' => 1,
            b':' => 1 << COLON_SHIFT,
            b'.' => 1 << DOT_SHIFT,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// What one pass learned about a text.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Profile {
    flags: u16,
    pub digits: u32,
    pub colons: u32,
    pub dots: u32,
}

impl Profile {
    pub fn of(text: &[u8]) -> Self {
        let mut profile = Profile::default();
        for chunk in text.chunks(CHUNK) {
            let (mut flags, mut counts) = (0u16, 0u64);
            for &b in chunk {
                flags |= CLASS[b as usize];
                counts += COUNT[b as usize];
            }
            profile.flags |= flags;
            profile.digits += (counts & FIELD) as u32;
            profile.colons += ((counts >> COLON_SHIFT) & FIELD) as u32;
            profile.dots += ((counts >> DOT_SHIFT) & FIELD) as u32;
        }
        profile
    }

    pub fn has_at(self) -> bool {
        self.flags & AT != 0
    }

    pub fn has_letters(self) -> bool {
        self.flags & ALPHA != 0
    }

    pub fn has_non_ascii(self) -> bool {
        self.flags & HIGH != 0
    }

    pub fn has_percent(self) -> bool {
        self.flags & PERCENT != 0
    }

    pub fn has_equals(self) -> bool {
        self.flags & EQUALS == EQUALS
    }

    pub fn has_space(self) -> bool {
        self.flags & SPACE != 0
    }

    /// Whether base64 or hex characters occur at all.
    pub fn has_base64(self) -> bool {
        self.flags & B64 != 0
    }

    /// Whether a label could announce a value here: any non-ASCII text, or
    /// ASCII letters with a separator (`name: …`, `dob=…`, `passport#…`,
    /// `DOB 1990…`). Identifiers and codes (`SUCCESS`, `merchant_code`,
    /// `U-12345678`, a hex id) cannot hold a labelled value; an English
    /// label glued to its value (`dob19900102`) is not read.
    pub fn may_hold_labels(self) -> bool {
        self.has_non_ascii()
            || (self.has_letters()
                && (self.colons > 0
                    || self.dots > 0
                    || self.flags & (SPACE | OPENER) != 0
                    || self.has_equals()))
    }
}

/// Whether `text` has a run of `enough` base64-alphabet bytes (a blob
/// candidate). Runs of digits alone must be `enough_digits` long: shorter
/// ones are order, card and ID numbers.
pub(crate) fn has_base64_run(text: &[u8], enough: usize, enough_digits: usize) -> bool {
    let (mut run, mut digits_only) = (0, true);
    for &b in text {
        let class = CLASS[b as usize];
        if class & B64 != 0 {
            run += 1;
            digits_only &= class & DIGIT != 0;
            if run >= enough && (!digits_only || run >= enough_digits) {
                return true;
            }
        } else {
            (run, digits_only) = (0, true);
        }
    }
    false
}

/// Whether two ASCII letters stand side by side: the least an English
/// label needs.
pub(crate) fn has_letter_pair(text: &[u8]) -> bool {
    text.windows(2)
        .any(|w| w[0].is_ascii_alphabetic() && w[1].is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_the_detectors_need() {
        let text = "a@b.c 12:34 张 %20 /9j/4AAQSkZJRg==";
        let p = Profile::of(text.as_bytes());
        assert!(p.has_at() && p.has_letters() && p.has_non_ascii() && p.has_percent());
        assert_eq!((p.digits, p.colons, p.dots), (8, 1, 1));
        assert!(has_base64_run(text.as_bytes(), 16, 40));
        assert!(!has_base64_run(text.as_bytes(), 17, 40));
        assert!(!has_base64_run(b"id 110105194912310021", 16, 40));
        assert!(has_base64_run(&[b'1'; 40], 16, 40));
        assert!(has_letter_pair(b"T1 dob") && !has_letter_pair(b"2026-11-23T15:30:00Z"));
        assert_eq!(Profile::of(b"SUCCESS").digits, 0);
        assert!(!Profile::of(b"merchant_code").may_hold_labels());
        assert!(!Profile::of(b"U-12345678").may_hold_labels());
        for text in ["name: x", "dob=1990", "passport#E1", "姓名张三", "(name)"] {
            assert!(Profile::of(text.as_bytes()).may_hold_labels(), "{text}");
        }
    }

    #[test]
    fn counts_survive_long_texts() {
        let text = "1:.".repeat(CHUNK);
        let p = Profile::of(text.as_bytes());
        assert_eq!(
            (p.digits, p.colons, p.dots),
            (CHUNK as u32, CHUNK as u32, CHUNK as u32)
        );
    }
}
