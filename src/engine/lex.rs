//! The lexical layer of the engine: whitespace, strings, numbers and
//! literals, validated exactly as `serde_json` validates them, without
//! building values. Written by hand because no maintained crate offers a
//! validating tokenizer that reports byte offsets and leaves the input
//! untouched (serde_json's `RawValue` allocates per value and cannot be
//! resumed mid-document; simd-json rewrites its input).

/// A lexical error: byte offset and a message that never quotes the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LexError {
    pub offset: usize,
    pub message: &'static str,
}

type Lexed<T> = Result<T, LexError>;

fn fail<T>(offset: usize, message: &'static str) -> Lexed<T> {
    Err(LexError { offset, message })
}

#[inline]
pub fn skip_whitespace(input: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = input.get(pos) {
        pos += 1;
    }
    pos
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Bit 7 of each byte of the result is set where `word` has a zero byte;
/// the lowest set bit is exact (higher ones may be borrow artefacts).
#[inline]
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(LO) & !word & HI
}

/// Index of the first `"`, `\` or control byte at or after `pos`, eight
/// bytes at a time (the common case is long runs of plain text).
#[inline]
fn find_string_special(input: &[u8], mut pos: usize) -> usize {
    while let Some(chunk) = input.get(pos..pos + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let quote = zero_bytes(word ^ (LO * b'"' as u64));
        let backslash = zero_bytes(word ^ (LO * b'\\' as u64));
        let control = word.wrapping_sub(LO * 0x20) & !word & HI;
        let hits = quote | backslash | control;
        if hits != 0 {
            return pos + (hits.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while let Some(&b) = input.get(pos) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return pos;
        }
        pos += 1;
    }
    pos
}

/// Scans the string starting at `input[start] == b'"'`. Returns the offset
/// just past the closing quote and whether the string holds escapes.
pub fn scan_string(input: &[u8], start: usize) -> Lexed<(usize, bool)> {
    let mut pos = start + 1;
    let mut escaped = false;
    loop {
        pos = find_string_special(input, pos);
        match input.get(pos) {
            None => return fail(pos, "EOF while parsing a string"),
            Some(b'"') => return Ok((pos + 1, escaped)),
            Some(b'\\') => {
                escaped = true;
                pos = scan_escape(input, pos)?;
            }
            Some(_) => {
                return fail(
                    pos,
                    "control character (\\u0000-\\u001F) found while parsing a string",
                );
            }
        }
    }
}

/// Validates the escape at `input[pos] == b'\\'`; returns the offset after it.
fn scan_escape(input: &[u8], pos: usize) -> Lexed<usize> {
    match input.get(pos + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(pos + 2),
        Some(b'u') => {
            let unit = hex4(input, pos + 2)?;
            match unit {
                0xD800..=0xDBFF => {
                    if input.get(pos + 6) != Some(&b'\\') || input.get(pos + 7) != Some(&b'u') {
                        return fail(pos, "lone leading surrogate in hex escape");
                    }
                    match hex4(input, pos + 8)? {
                        0xDC00..=0xDFFF => Ok(pos + 12),
                        _ => fail(pos + 6, "lone leading surrogate in hex escape"),
                    }
                }
                0xDC00..=0xDFFF => fail(pos, "lone trailing surrogate in hex escape"),
                _ => Ok(pos + 6),
            }
        }
        None => fail(pos + 1, "EOF while parsing a string"),
        Some(_) => fail(pos + 1, "invalid escape"),
    }
}

fn hex4(input: &[u8], pos: usize) -> Lexed<u32> {
    let Some(digits) = input.get(pos..pos + 4) else {
        return fail(input.len(), "EOF while parsing a string");
    };
    let mut value = 0u32;
    for (i, &b) in digits.iter().enumerate() {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return fail(pos + i, "invalid escape"),
        };
        value = value * 16 + u32::from(digit);
    }
    Ok(value)
}

/// Decodes the content of a validated string (between its quotes) into `out`.
pub fn decode_string(content: &[u8], out: &mut String) {
    out.clear();
    let mut pos = 0;
    while pos < content.len() {
        let run_end = memchr::memchr(b'\\', &content[pos..]).map_or(content.len(), |i| pos + i);
        out.push_str(
            std::str::from_utf8(&content[pos..run_end]).expect("validated UTF-8 between escapes"),
        );
        if run_end == content.len() {
            break;
        }
        let (c, len) = decode_escape(&content[run_end..]);
        out.push(c);
        pos = run_end + len;
    }
}

/// One validated escape → (char, bytes consumed).
fn decode_escape(escape: &[u8]) -> (char, usize) {
    let simple = |c| (c, 2);
    match escape[1] {
        b'"' => simple('"'),
        b'\\' => simple('\\'),
        b'/' => simple('/'),
        b'b' => simple('\u{8}'),
        b'f' => simple('\u{c}'),
        b'n' => simple('\n'),
        b'r' => simple('\r'),
        b't' => simple('\t'),
        _ => {
            let unit = hex4(escape, 2).expect("validated escape");
            if (0xD800..=0xDBFF).contains(&unit) {
                let low = hex4(escape, 8).expect("validated surrogate pair");
                let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                (
                    char::from_u32(code).expect("a surrogate pair is a scalar value"),
                    12,
                )
            } else {
                (
                    char::from_u32(unit).expect("a non-surrogate unit is a scalar value"),
                    6,
                )
            }
        }
    }
}

/// Scans a number starting at `start`; returns the offset after it. Numbers
/// too large for an f64 are refused, as serde_json refuses them.
pub fn scan_number(input: &[u8], start: usize) -> Lexed<usize> {
    let mut pos = start;
    if input.get(pos) == Some(&b'-') {
        pos += 1;
    }
    let int_start = pos;
    match input.get(pos) {
        Some(b'0') => pos += 1,
        Some(b'1'..=b'9') => pos = skip_digits(input, pos),
        _ => return fail(pos, "invalid number"),
    }
    let int_digits = pos - int_start;
    if let Some(b'0'..=b'9') = input.get(pos) {
        return fail(pos, "invalid number");
    }
    let mut exotic = int_digits > 300;
    if input.get(pos) == Some(&b'.') {
        pos += 1;
        if !matches!(input.get(pos), Some(b'0'..=b'9')) {
            return fail(pos, "invalid number");
        }
        pos = skip_digits(input, pos);
    }
    if let Some(b'e' | b'E') = input.get(pos) {
        exotic = true;
        pos += 1;
        if let Some(b'+' | b'-') = input.get(pos) {
            pos += 1;
        }
        if !matches!(input.get(pos), Some(b'0'..=b'9')) {
            return fail(pos, "invalid number");
        }
        pos = skip_digits(input, pos);
    }
    if exotic {
        let text = std::str::from_utf8(&input[start..pos]).expect("ASCII number");
        if text.parse::<f64>().map_or(true, f64::is_infinite) {
            return fail(start, "number out of range");
        }
    }
    Ok(pos)
}

#[inline]
fn skip_digits(input: &[u8], mut pos: usize) -> usize {
    while let Some(b'0'..=b'9') = input.get(pos) {
        pos += 1;
    }
    pos
}

/// Scans `true`, `false` or `null` at `start`.
pub fn scan_literal(input: &[u8], start: usize) -> Lexed<usize> {
    for word in [&b"true"[..], b"false", b"null"] {
        if input[start..].starts_with(word) {
            return Ok(start + word.len());
        }
    }
    fail(start, "expected value")
}

/// Appends `text` as a JSON string (quotes included), escaping only what
/// JSON requires.
pub fn write_json_string(out: &mut Vec<u8>, text: &str) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1F => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[run_start..i]);
        if escape.is_empty() {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            out.extend_from_slice(escape);
        }
        run_start = i + 1;
    }
    out.extend_from_slice(&bytes[run_start..]);
    out.push(b'"');
}

/// How a string was escaped as sent: every non-ASCII character as `\uXXXX`
/// (Python's `ensure_ascii`, PHP's `json_encode`), and `/` as `\/`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Escapes {
    pub ascii: bool,
    pub slash: bool,
}

impl Escapes {
    /// The style of the raw string `raw` (quotes included or not).
    pub fn of(raw: &[u8]) -> Escapes {
        let escaped = memchr::memchr(b'\\', raw).is_some();
        Escapes {
            ascii: escaped && raw.is_ascii() && memchr::memmem::find(raw, b"\\u").is_some(),
            slash: escaped && memchr::memmem::find(raw, b"\\/").is_some(),
        }
    }
}

/// [`write_json_string`] in the escaping style the value was sent in, so a
/// protected value goes back the way the document writes its strings.
pub(crate) fn write_json_string_as(out: &mut Vec<u8>, text: &str, style: Escapes) {
    if style == Escapes::default() {
        return write_json_string(out, text);
    }
    let mut plain = Vec::with_capacity(text.len() + 2);
    write_json_string(&mut plain, text);
    let inner = std::str::from_utf8(&plain).expect("written from a str");
    for c in inner.chars() {
        match c {
            '/' if style.slash => out.extend_from_slice(b"\\/"),
            c if style.ascii && !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.extend_from_slice(format!("\\u{unit:04x}").as_bytes());
                }
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_go_back_in_their_escaping_style() {
        let style = Escapes::of(br#""\u5f20\u4e09 https:\/\/x""#);
        assert_eq!(
            style,
            Escapes {
                ascii: true,
                slash: true
            }
        );
        let mut out = Vec::new();
        write_json_string_as(&mut out, "张* https://x", style);
        assert_eq!(out, br#""\u5f20* https:\/\/x""#);
        assert_eq!(Escapes::of(b"\"plain\""), Escapes::default());
        assert_eq!(Escapes::of("\"张\\n\"".as_bytes()), Escapes::default());
    }

    #[test]
    fn special_byte_search_finds_the_first_hit_in_any_lane() {
        for len in 0..20 {
            for hit in [b'"', b'\\', 0x01, 0x1F] {
                for at in 0..len {
                    let mut text = vec![b'a'; len];
                    text[at] = hit;
                    if at + 1 < len {
                        text[at + 1] = b'"';
                    }
                    assert_eq!(find_string_special(&text, 0), at, "len {len} at {at}");
                }
            }
            assert_eq!(
                find_string_special(&vec![0xE4; len], 0),
                len,
                "UTF-8 bytes are plain"
            );
        }
    }

    #[test]
    fn decodes_every_escape() {
        let mut out = String::new();
        decode_string(br#"a\"b\\c\/d\b\f\n\r\t\u4e2d\ud83d\ude00e"#, &mut out);
        assert_eq!(out, "a\"b\\c/d\u{8}\u{c}\n\r\t中😀e");
    }

    #[test]
    fn written_strings_read_back_through_serde_json() {
        for text in ["plain", "q\"b\\s", "ctl\u{1}\u{1f}\n\t", "中文😀"] {
            let mut out = Vec::new();
            write_json_string(&mut out, text);
            assert_eq!(serde_json::from_slice::<String>(&out).expect("valid"), text);
        }
    }
}
