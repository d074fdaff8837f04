//! Biometric blobs: face images and fingerprint, face and iris templates
//! carried as base64, base64url, a `data:` URI or hex, recognized by the
//! magic bytes of what they decode to (JPEG, PNG, WebP, JPEG 2000, WSQ, ISO/IEC
//! 19794 `FMR`/`FIR`/`FAC`/`IIR` records).
//!
//! Owns the blob shapes and the magic numbers. Only a blob's first bytes are
//! decoded, never the whole value; values under biometric keys are the
//! `keys` module's business.

/// Fewest base64 characters (12 bytes) or hex digits (8 bytes) worth decoding.
pub(crate) const MIN_BASE64: usize = 16;
const MIN_HEX: usize = 16;

/// Base64 and base64url characters; `=` only pads the end of a run.
fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Whether decoded leading bytes are an image or a biometric record.
pub(crate) fn is_biometric_magic(head: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\xFF\xD8\xFF",         // JPEG
        b"\x89PNG\r\n\x1A\n",    // PNG
        b"\x00\x00\x00\x0CjP  ", // JPEG 2000 (ISO 19794-5 faces)
        b"\xFF\x4F\xFF\x51",     // JPEG 2000 codestream
        b"\xFF\xA0\xFF",         // WSQ fingerprint image
        b"FMR\0",                // ISO 19794-2 / ANSI 378 minutiae
        b"FIR\0",                // ISO 19794-4 finger image
        b"FAC\0",                // ISO 19794-5 face
        b"IIR\0",                // ISO 19794-6 iris
    ];
    MAGIC.iter().any(|m| head.starts_with(m))
        || (head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP")
}

fn b64_value(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    })
}

/// Decodes the first 16 characters of standard or URL-safe base64.
fn decode_b64_head(text: &[u8]) -> Option<[u8; 12]> {
    let mut out = [0u8; 12];
    for (group, chunk) in text.get(..16)?.chunks(4).enumerate() {
        let mut bits = 0u32;
        for c in chunk {
            bits = (bits << 6) | u32::from(b64_value(*c)?);
        }
        out[group * 3..group * 3 + 3].copy_from_slice(&bits.to_be_bytes()[1..]);
    }
    Some(out)
}

fn decode_hex_head(text: &[u8]) -> Option<[u8; 12]> {
    let mut out = [0u8; 12];
    let len = (text.len() / 2).min(12);
    hex::decode_to_slice(&text[..len * 2], &mut out[..len]).ok()?;
    Some(out)
}

/// Whether the run `text` (base64-alphabet bytes) is a biometric blob.
pub(crate) fn is_blob(text: &[u8]) -> bool {
    let hex = text
        .strip_prefix(b"0x")
        .or_else(|| text.strip_prefix(b"0X"))
        .unwrap_or(text);
    if hex.len() >= MIN_HEX && hex.iter().all(u8::is_ascii_hexdigit) {
        if let Some(head) = decode_hex_head(hex) {
            if is_biometric_magic(&head) {
                return true;
            }
        }
    }
    text.len() >= MIN_BASE64 && decode_b64_head(text).is_some_and(|head| is_biometric_magic(&head))
}

/// Calls `emit(start, end)` for each blob in `t`. A `data:` URI is reported
/// whole (scheme and media type included): it is one value to protect.
pub(crate) fn scan_blobs(t: &[u8], mut emit: impl FnMut(usize, usize)) {
    let mut i = 0;
    while i < t.len() {
        if !is_b64(t[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < t.len() && is_b64(t[i]) {
            i += 1;
        }
        while i < t.len() && t[i] == b'=' && i - start >= MIN_BASE64 {
            i += 1;
        }
        if i - start < MIN_BASE64 || short_number(&t[start..i]) {
            continue;
        }
        let data_uri = data_uri_start(t, start);
        if data_uri.is_some() || is_blob(&t[start..i]) {
            emit(data_uri.unwrap_or(start), i);
        }
    }
}

/// Digits alone, shorter than any real template: an order number, a card
/// or ID number, a timestamp. (Hex of `FIR\0`/`FAC\0`/`IIR\0` starts with
/// digits only, but a whole template is hundreds of hex digits, letters
/// among them.)
fn short_number(run: &[u8]) -> bool {
    run.len() < MIN_DIGITS_BLOB && run.iter().all(u8::is_ascii_digit)
}

/// Runs of digits alone shorter than this are numbers, not blobs.
pub(crate) const MIN_DIGITS_BLOB: usize = 40;

/// Where `data:<type>;base64,` begins, if it ends right at `payload`.
fn data_uri_start(t: &[u8], payload: usize) -> Option<usize> {
    let head = &t[..payload];
    if !head.ends_with(b";base64,") {
        return None;
    }
    let window = &head[head.len().saturating_sub(80)..];
    let at = memchr::memmem::rfind(window, b"data:")?;
    let media = &window[at + 5..window.len() - 8];
    let image = media.starts_with(b"image/") || media.starts_with(b"application/octet-stream");
    image.then_some(head.len() - window.len() + at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    fn blobs(text: &str) -> Vec<&str> {
        let mut found = Vec::new();
        scan_blobs(text.as_bytes(), |s, e| found.push(&text[s..e]));
        found
    }

    fn with_body(magic: &[u8]) -> Vec<u8> {
        let mut bytes = magic.to_vec();
        bytes.extend((0u8..60).map(|i| i.wrapping_mul(37)));
        bytes
    }

    #[test]
    fn encoded_images_and_templates() {
        let jpeg = STANDARD.encode(with_body(b"\xFF\xD8\xFF\xE0"));
        let text = format!("face={jpeg}&x=1");
        assert_eq!(blobs(&text), [jpeg.as_str()]);

        let fmr = URL_SAFE_NO_PAD.encode(with_body(b"FMR\0 20\0"));
        assert_eq!(blobs(&fmr), [fmr.as_str()]);

        let iris = hex::encode(with_body(b"IIR\0 20\0"));
        let text = format!("虹膜模板：{iris}。");
        assert_eq!(blobs(&text), [iris.as_str()]);

        let png = STANDARD.encode(with_body(b"\x89PNG\r\n\x1A\n"));
        let uri = format!("data:image/png;base64,{png}");
        assert_eq!(blobs(&format!("<img src=\"{uri}\">")), [uri.as_str()]);

        let mut webp = b"RIFF\x10\0\0\0WEBPVP8 ".to_vec();
        webp.extend([0u8; 40]);
        let webp = STANDARD.encode(webp);
        assert_eq!(blobs(&webp), [webp.as_str()]);
    }

    #[test]
    fn other_long_tokens_are_not_blobs() {
        for text in [
            "550e8400-e29b-41d4-a716-446655440000",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
            "SGVsbG8sIHRoaXMgaXMgbm90IGFuIGltYWdl",
        ] {
            assert!(blobs(text).is_empty(), "{text}");
        }
    }
}
