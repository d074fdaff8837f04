//! Undoes the evasions that hide a number or a word from byte matching:
//! full-width forms (`１３８`), invisible characters inside a value (zero-width
//! space, joiners, word joiner, BOM, soft hyphen, bidi controls) and
//! percent-encoding (`%E5%BC%A0`, `%40`, `%2B86`).
//!
//! The detectors then run on a normalized copy, and every byte of the copy
//! remembers the span of the original text it came from, so matches are
//! reported in the caller's offsets. Plain ASCII text without `%XX` never
//! comes here.

/// A normalized copy of a text with, per byte, the original span it stands for.
#[derive(Debug, Default)]
pub(crate) struct Normalized {
    pub text: String,
    starts: Vec<u32>,
    ends: Vec<u32>,
}

impl Normalized {
    /// The original span of normalized bytes `start..end` (`end > start`).
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (self.starts[start] as usize, self.ends[end - 1] as usize)
    }

    /// Rebuilds the copy from `source`.
    pub fn build(&mut self, source: &str) {
        self.text.clear();
        self.starts.clear();
        self.ends.clear();
        let bytes = source.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                if let Some(next) = self.percent_sequence(source, i) {
                    i = next;
                    continue;
                }
            }
            let c = source[i..].chars().next().expect("i is on a char boundary");
            let len = c.len_utf8();
            self.push(normalize_char(c), i, i + len);
            i += len;
        }
    }

    fn push(&mut self, c: Option<char>, start: usize, end: usize) {
        let Some(c) = c else { return };
        let mut buf = [0u8; 4];
        let encoded = c.encode_utf8(&mut buf);
        self.text.push_str(encoded);
        for _ in 0..encoded.len() {
            self.starts.push(start as u32);
            self.ends.push(end as u32);
        }
    }

    /// Decodes the run of `%XX` triplets at `at` into characters (each mapped
    /// to its triplets); bytes that do not form UTF-8 stay as written.
    /// Returns where the run ends, or `None` if `at` starts no triplet.
    fn percent_sequence(&mut self, source: &str, at: usize) -> Option<usize> {
        let bytes = source.as_bytes();
        let mut decoded = [0u8; 64];
        let mut count = 0;
        let mut end = at;
        while count < decoded.len() {
            match bytes.get(end..end + 3) {
                Some([b'%', h, l]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                    decoded[count] = (hex_value(*h) << 4) | hex_value(*l);
                    count += 1;
                    end += 3;
                }
                _ => break,
            }
        }
        if count == 0 {
            return None;
        }
        if count == decoded.len() {
            // Stop before a character the buffer cut in two; the next call
            // decodes it whole.
            if let Err(err) = std::str::from_utf8(&decoded[..count]) {
                if err.error_len().is_none() && err.valid_up_to() > 0 {
                    count = err.valid_up_to();
                    end = at + 3 * count;
                }
            }
        }
        let mut k = 0;
        while k < count {
            let chunk = &decoded[k..count];
            let valid = match std::str::from_utf8(chunk) {
                Ok(all) => all,
                Err(err) => std::str::from_utf8(&chunk[..err.valid_up_to()]).unwrap_or(""),
            };
            for c in valid.chars() {
                let (s, e) = (at + 3 * k, at + 3 * (k + c.len_utf8()));
                self.push(normalize_char(c), s, e);
                k += c.len_utf8();
            }
            if k < count && valid.is_empty() {
                // Not UTF-8 (or cut at the run's end): keep `%XX` as written.
                let s = at + 3 * k;
                for (offset, c) in source[s..s + 3].char_indices() {
                    self.push(Some(c), s + offset, s + offset + 1);
                }
                k += 1;
            }
        }
        Some(end)
    }
}

fn hex_value(h: u8) -> u8 {
    match h {
        b'0'..=b'9' => h - b'0',
        b'a'..=b'f' => h - b'a' + 10,
        _ => h - b'A' + 10,
    }
}

/// The character a detector should see for `c`; `None` drops it.
fn normalize_char(c: char) -> Option<char> {
    match c {
        // Full-width digits, letters and the signs numbers and emails use.
        '\u{FF10}'..='\u{FF19}'
        | '\u{FF21}'..='\u{FF3A}'
        | '\u{FF41}'..='\u{FF5A}'
        | '\u{FF0B}'
        | '\u{FF0D}'
        | '\u{FF0E}'
        | '\u{FF20}'
        | '\u{FF3F}' => char::from_u32(c as u32 - 0xFF00 + 0x20),
        '\u{3000}' => Some(' '),
        c if crate::protect::actions::is_invisible(c) => None,
        c => Some(c),
    }
}

/// Whether `text` holds anything [`Normalized::build`] would change. Cheap:
/// looks only at the lead bytes of the characters it handles.
pub(crate) fn needed(text: &[u8], non_ascii: bool, percent: bool) -> bool {
    if percent && has_percent_triplet(text) {
        return true;
    }
    // Lead bytes only: every hit is checked in place, so Chinese text (full
    // of `E3 80 8x` punctuation) costs one SIMD pass per lead-byte set.
    non_ascii
        && (memchr::memchr3_iter(0xEF, 0xE2, 0xE3, text).any(|i| match text[i] {
            // Full-width `+ - .`, digits, `@`, letters, `_` (U+FF0B..U+FF5A
            // without the CJK punctuation in between); U+FEFF (EF BB BF).
            0xEF => matches!(
                text.get(i + 1..i + 3),
                Some(
                    [0xBC, 0x8B | 0x8D | 0x8E | 0x90..=0x99 | 0xA0..=0xBA | 0xBF]
                    | [0xBD, 0x81..=0x9A]
                    | [0xBB, 0xBF],
                )
            ),
            // U+200B..U+200F, U+202A..U+202E, U+2060..U+2064
            0xE2 => matches!(
                text.get(i + 1..i + 3),
                Some([0x80, 0x8B..=0x8F | 0xAA..=0xAE] | [0x81, 0xA0..=0xA4])
            ),
            // U+3000 ideographic space
            _ => text.get(i + 1..i + 3) == Some(&[0x80, 0x80]),
        }) || memchr::memchr2_iter(0xC2, 0xE1, text).any(|i| match text[i] {
            // U+00AD soft hyphen
            0xC2 => text.get(i + 1) == Some(&0xAD),
            // U+180E Mongolian vowel separator
            _ => text.get(i + 1..i + 3) == Some(&[0xA0, 0x8E]),
        }))
}

fn has_percent_triplet(text: &[u8]) -> bool {
    memchr::memchr_iter(b'%', text).any(|i| {
        matches!(text.get(i + 1..i + 3), Some([h, l]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(text: &str) -> Normalized {
        let mut n = Normalized::default();
        n.build(text);
        n
    }

    #[test]
    fn full_width_and_invisible_characters() {
        let text = "手机１３８\u{200B}1234\u{FEFF}5678。";
        assert!(needed(text.as_bytes(), true, false));
        let n = normalized(text);
        assert_eq!(n.text, "手机13812345678。");
        let start = n.text.find("138").expect("digits");
        let (s, e) = n.original(start, start + 11);
        assert_eq!(&text[s..e], "１３８\u{200B}1234\u{FEFF}5678");
    }

    #[test]
    fn percent_encoding_maps_back_to_the_triplets() {
        let text = "a=1&name=%E5%BC%A0%E4%B8%89&m=%2B8613812345678&bad=%FF%41";
        let n = normalized(text);
        assert_eq!(n.text, "a=1&name=张三&m=+8613812345678&bad=%FFA");
        let start = n.text.find('张').expect("name");
        let (s, e) = n.original(start, start + "张三".len());
        assert_eq!(&text[s..e], "%E5%BC%A0%E4%B8%89");
    }

    #[test]
    fn chinese_punctuation_alone_needs_no_copy() {
        assert!(!needed("姓名：张三，电话".as_bytes(), true, false));
        assert!(!needed(b"100% sure", false, true));
        assert!(needed("１".as_bytes(), true, false));
        assert!(needed("a\u{00AD}b".as_bytes(), true, false));
        assert!(needed("a\u{3000}b".as_bytes(), true, false));
        assert!(needed("a\u{180E}b".as_bytes(), true, false));
        assert!(!needed("。、【】「」".as_bytes(), true, false));
    }
}
