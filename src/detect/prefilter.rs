//! The one cheap pass over a text that decides which detectors need to look
//! at it at all. Most strings in a payload (`"CNY"`, `"SUCCESS"`, a short
//! code) end here, after a table lookup per byte.

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

/// What one pass learned about a text.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Profile {
    flags: u16,
    pub digits: u32,
    pub colons: u32,
    pub dots: u32,
    /// Longest run of base64-alphabet bytes (a blob candidate).
    pub longest_b64: u32,
}

impl Profile {
    pub fn of(text: &[u8]) -> Self {
        let (mut flags, mut digits, mut colons, mut dots) = (0u16, 0u32, 0u32, 0u32);
        let (mut run, mut longest) = (0u32, 0u32);
        for &b in text {
            let c = CLASS[b as usize];
            flags |= c;
            digits += u32::from(c & DIGIT);
            colons += u32::from(c == COLON);
            dots += u32::from(c == DOT);
            run = (run + 1) * u32::from(c & B64 != 0);
            longest = longest.max(run);
        }
        Self {
            flags,
            digits,
            colons,
            dots,
            longest_b64: longest,
        }
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

    /// Whether a label could announce a value here: any non-ASCII text, or
    /// ASCII letters with a digit or a separator (`name: …`, `dob=…`,
    /// `passport#…`, `DOB1990…`). `SUCCESS`, `merchant_code` and other
    /// identifiers cannot hold a labelled value.
    pub fn may_hold_labels(self) -> bool {
        self.has_non_ascii()
            || (self.has_letters()
                && (self.digits > 0
                    || self.colons > 0
                    || self.dots > 0
                    || self.flags & (SPACE | OPENER) != 0
                    || self.has_equals()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_the_detectors_need() {
        let p = Profile::of("a@b.c 12:34 张 %20 /9j/4AAQSkZJRg==".as_bytes());
        assert!(p.has_at() && p.has_letters() && p.has_non_ascii() && p.has_percent());
        assert_eq!((p.digits, p.colons, p.dots), (8, 1, 1));
        assert_eq!(p.longest_b64, 16);
        assert_eq!(Profile::of(b"SUCCESS").digits, 0);
        assert!(!Profile::of(b"merchant_code").may_hold_labels());
        for text in [
            "name: x",
            "dob19900102",
            "passport#E1",
            "姓名张三",
            "a=b",
            "(name)",
        ] {
            assert!(Profile::of(text.as_bytes()).may_hold_labels(), "{text}");
        }
    }
}
