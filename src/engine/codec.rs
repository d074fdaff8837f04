//! The text codecs of the wrappings `wrapped` and `path` read through:
//! `k=v&k=v` pairs (bare, braced, after a URL's `?`), base64 that holds
//! text, and percent-encoding. Pure functions of text: what a value means
//! and how it is protected is not known here.

use base64::Engine as _;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Base64 longer than this is not decoded (an image, not a wrapping).
const MAX_BASE64: usize = 256 * 1024;

/// What stays unescaped in a protected path segment: RFC 3986's unreserved
/// characters (a mask's `*` is escaped, it is a sub-delimiter there).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What stays unescaped in a re-encoded form value: the unreserved
/// characters and the mask character, as form encoders write them.
const FORM_VALUE: &AsciiSet = &PATH_SEGMENT.remove(b'*');

/// A text of `k=v&k=v` pairs: what stands before them (a URL up to its
/// `?`), the opening and closing braces of `{k=v&k=v}`, and the pairs.
pub(super) struct Pairs<'t> {
    pub(super) prefix: &'t str,
    pub(super) open: &'static str,
    pub(super) body: &'t str,
    pub(super) close: &'t str,
}

impl<'t> Pairs<'t> {
    /// `single`: one pair is enough (the text came out of base64).
    pub(super) fn split(text: &'t str, single: bool) -> Option<Pairs<'t>> {
        if !text.contains('=') || text.len() > 1 << 20 {
            return None;
        }
        let braced = text.len() >= 2 && text.starts_with('{') && text.ends_with('}');
        let (prefix, open, body, close) = if braced {
            ("", "{", &text[1..text.len() - 1], "}")
        } else if let Some(q) = url_query(text) {
            let rest = &text[q..];
            let end = rest.find('#').map_or(rest.len(), |h| h);
            (&text[..q], "", &rest[..end], &rest[end..])
        } else {
            ("", "", text, "")
        };
        let mut count = 0;
        for part in body.split('&') {
            let (name, _) = part.split_once('=')?;
            let plain_name = !name.is_empty()
                && name.len() <= 64
                && !name.contains([' ', '"', '{', '}', ':', '\n', '\t', ',', '，', '。']);
            if !plain_name {
                return None;
            }
            count += 1;
        }
        let enough = count >= 2 || braced || !prefix.is_empty() || (single && count == 1);
        enough.then_some(Pairs {
            prefix,
            open,
            body,
            close,
        })
    }
}

/// Where a URL's query starts (after its `?`), for URL-shaped text.
fn url_query(text: &str) -> Option<usize> {
    let q = text.find('?')?;
    let head = &text[..q];
    let url = head.contains("://") || head.starts_with('/');
    (url && !head.contains([' ', '"'])).then_some(q + 1)
}

/// What every wrapping needs, tested before the value's path is built:
/// base64's length, or a pair's `=`.
pub(super) fn may_wrap(text: &str) -> bool {
    let len = text.len();
    (len >= 8 && len % 4 == 0 && len <= MAX_BASE64)
        || memchr::memchr(b'=', text.as_bytes()).is_some()
}

/// The text base64 holds, if it is text (UTF-8 without control characters
/// other than line breaks and tabs); binary base64 is not.
pub(super) fn base64_text(text: &str) -> Option<String> {
    let b = text.as_bytes();
    if b.len() < 8 || b.len() % 4 != 0 || b.len() > MAX_BASE64 {
        return None;
    }
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2
        || !body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
        || body.bytes().all(|c| c.is_ascii_hexdigit())
    {
        return None;
    }
    // The first bytes tell text from an image or a signature.
    let engine = &base64::engine::general_purpose::STANDARD;
    let head = engine.decode(&text[..b.len().min(32)]).ok()?;
    let valid = match std::str::from_utf8(&head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && b.len() > 32,
    };
    if !valid
        || head
            .iter()
            .any(|c| *c < 0x20 && !matches!(c, b'\n' | b'\r' | b'\t'))
    {
        return None;
    }
    let decoded = String::from_utf8(engine.decode(text).ok()?).ok()?;
    let printable = !decoded
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    (printable && !decoded.trim().is_empty()).then_some(decoded)
}

/// Whether `text` holds a `%XX` escape (it was percent-encoded).
pub(super) fn has_percent_triplet(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'%', b)
        .any(|i| matches!(b.get(i + 1..i + 3), Some([h, l]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit()))
}

/// `%XX` decoded (`+` stays, a malformed escape is read as it is); `None`
/// if the bytes are not UTF-8.
pub(super) fn percent_decode(text: &str) -> Option<String> {
    percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

/// A path segment decoded for the detectors: a malformed escape or bytes
/// that are not UTF-8 are read as they are (the detectors still see the
/// rest).
pub(super) fn path_segment_decode(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// A protected path segment, escaped so the path stays a valid path.
pub(super) fn path_segment_encode(text: &str) -> String {
    utf8_percent_encode(text, PATH_SEGMENT).to_string()
}

/// `text` percent-encoded when the original was, as written otherwise.
pub(super) fn encode_like(text: &str, encoded: bool) -> String {
    if encoded {
        utf8_percent_encode(text, FORM_VALUE).to_string()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_text_and_binary() {
        let engine = &base64::engine::general_purpose::STANDARD;
        let kv = engine.encode("{phoneNo=13812345678&customerNm=张三}");
        assert_eq!(
            base64_text(&kv).as_deref(),
            Some("{phoneNo=13812345678&customerNm=张三}")
        );
        let jpeg = engine.encode([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1]);
        assert_eq!(base64_text(&jpeg), None);
        assert_eq!(base64_text("d41d8cd98f00b204e9800998ecf8427e"), None);
        assert_eq!(base64_text("20240213213304"), None);
    }

    #[test]
    fn pairs_and_their_wrappings() {
        let p = Pairs::split("{a=1&b=2}", false).expect("braced");
        assert_eq!((p.open, p.body, p.close), ("{", "a=1&b=2", "}"));
        let p = Pairs::split("https://x.example/cb?a=1#top", false).expect("a URL");
        assert_eq!(
            (p.prefix, p.body, p.close),
            ("https://x.example/cb?", "a=1", "#top")
        );
        assert!(Pairs::split("a=1", false).is_none());
        assert!(Pairs::split("a=1", true).is_some());
        assert!(Pairs::split("x = 1 & y = 2", false).is_none());
        assert!(Pairs::split("备注：a=1，b=2", false).is_none());
    }

    #[test]
    fn percent_encoding_round_trips() {
        assert_eq!(
            percent_decode("%E5%BC%A0%E4%B8%89").as_deref(),
            Some("张三")
        );
        assert_eq!(percent_decode("%FF"), None);
        assert_eq!(encode_like("张*", true), "%E5%BC%A0*");
        assert_eq!(encode_like("张*", false), "张*");
    }

    #[test]
    fn path_segments_decode_leniently_and_encode_strictly() {
        assert_eq!(path_segment_decode("13800%31%33%38000"), "13800138000");
        assert_eq!(path_segment_decode("%zz1"), "%zz1");
        assert_eq!(path_segment_decode("%E5%BC%A0"), "张");
        assert_eq!(path_segment_encode("138****8000"), "138%2A%2A%2A%2A8000");
        assert_eq!(path_segment_encode("张"), "%E5%BC%A0");
    }
}
