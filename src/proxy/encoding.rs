//! `Content-Encoding`: gzip, deflate and br bodies are decoded for
//! inspection and re-encoded afterwards. The decoded size is capped by the
//! body limit, so a small compressed body cannot expand into a large one
//! (a decompression bomb). Unknown codings are refused: a body the proxy
//! cannot read is a body it cannot inspect.

use std::io::{Read, Write};

use http::{HeaderMap, header};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Gzip,
    Deflate,
    Brotli,
}

/// The codings applied to a body, in the order they were applied. Absent,
/// empty and `identity` mean none. The error is the detail of a 415
/// `unsupported_content_encoding`.
pub fn codings(headers: &HeaderMap) -> Result<Vec<Coding>, String> {
    let mut out = Vec::new();
    for value in headers.get_all(header::CONTENT_ENCODING) {
        let text = value
            .to_str()
            .map_err(|_| "the Content-Encoding header is not ASCII".to_string())?;
        for token in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            match token.to_ascii_lowercase().as_str() {
                "gzip" | "x-gzip" => out.push(Coding::Gzip),
                "deflate" => out.push(Coding::Deflate),
                "br" => out.push(Coding::Brotli),
                "identity" => {}
                _ => {
                    return Err(format!(
                        "Content-Encoding `{token}` cannot be inspected; use gzip, deflate, br or none"
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// Why decoding stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The decoded body would exceed the limit.
    TooLarge,
    /// The bytes are not valid for their coding.
    Corrupt(String),
}

/// Undoes `codings` (last applied first), never producing more than `limit` bytes.
pub fn decode(body: &[u8], codings: &[Coding], limit: usize) -> Result<Vec<u8>, DecodeError> {
    let mut data = body.to_vec();
    for coding in codings.iter().rev() {
        data = decode_one(&data, *coding, limit)?;
    }
    Ok(data)
}

fn decode_one(input: &[u8], coding: Coding, limit: usize) -> Result<Vec<u8>, DecodeError> {
    // `limit + 1` bytes at most: reading one byte past the limit proves the
    // body is too large without decoding the rest of a bomb.
    let cap = (limit as u64).saturating_add(1);
    let mut out = Vec::new();
    let result = match coding {
        Coding::Gzip => flate2::read::MultiGzDecoder::new(input)
            .take(cap)
            .read_to_end(&mut out),
        Coding::Deflate => {
            // "deflate" is zlib-wrapped by the RFC; some clients send raw
            // deflate, which is recognizable by its missing zlib header.
            if zlib_header(input) {
                flate2::read::ZlibDecoder::new(input)
                    .take(cap)
                    .read_to_end(&mut out)
            } else {
                flate2::read::DeflateDecoder::new(input)
                    .take(cap)
                    .read_to_end(&mut out)
            }
        }
        Coding::Brotli => brotli::Decompressor::new(input, 4096)
            .take(cap)
            .read_to_end(&mut out),
    };
    match result {
        Ok(_) if out.len() > limit => Err(DecodeError::TooLarge),
        Ok(_) => Ok(out),
        Err(e) => Err(DecodeError::Corrupt(
            format!("{coding:?} data is invalid: {e}").to_lowercase(),
        )),
    }
}

fn zlib_header(input: &[u8]) -> bool {
    input.len() >= 2
        && input[0] & 0x0f == 8
        && (u16::from(input[0]) << 8 | u16::from(input[1])) % 31 == 0
}

/// Applies `codings` in order.
pub fn encode(body: &[u8], codings: &[Coding]) -> std::io::Result<Vec<u8>> {
    let mut data = body.to_vec();
    for coding in codings {
        data = encode_one(&data, *coding)?;
    }
    Ok(data)
}

fn encode_one(input: &[u8], coding: Coding) -> std::io::Result<Vec<u8>> {
    let level = flate2::Compression::default();
    match coding {
        Coding::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
            e.write_all(input)?;
            e.finish()
        }
        Coding::Deflate => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), level);
            e.write_all(input)?;
            e.finish()
        }
        Coding::Brotli => {
            let mut out = Vec::new();
            {
                let mut e = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                e.write_all(input)?;
                e.flush()?;
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn codings_are_parsed_in_order_and_unknown_refused() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static("gzip, identity, BR"),
        );
        assert_eq!(codings(&h), Ok(vec![Coding::Gzip, Coding::Brotli]));
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("zstd"));
        assert!(codings(&h).expect_err("zstd").contains("`zstd`"));
        assert_eq!(codings(&HeaderMap::new()), Ok(vec![]));
    }

    #[test]
    fn every_coding_round_trips_and_stacks() {
        let body = br#"{"user":{"name":"x"}}"#.repeat(50);
        for chain in [
            vec![Coding::Gzip],
            vec![Coding::Deflate],
            vec![Coding::Brotli],
            vec![Coding::Deflate, Coding::Gzip, Coding::Brotli],
        ] {
            let encoded = encode(&body, &chain).expect("encode");
            assert_ne!(encoded, body);
            assert_eq!(
                decode(&encoded, &chain, body.len()).expect("decode"),
                body,
                "{chain:?}"
            );
        }
    }

    #[test]
    fn raw_deflate_is_accepted() {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"{\"a\":1}").expect("write");
        let raw = e.finish().expect("finish");
        assert_eq!(
            decode(&raw, &[Coding::Deflate], 100).expect("decode"),
            b"{\"a\":1}"
        );
    }

    #[test]
    fn bombs_stop_at_the_limit_and_garbage_is_corrupt() {
        let zeros = vec![b'0'; 10 * 1024 * 1024];
        let bomb = encode(&zeros, &[Coding::Gzip]).expect("encode");
        assert!(bomb.len() < 64 * 1024);
        assert_eq!(
            decode(&bomb, &[Coding::Gzip], 1024 * 1024),
            Err(DecodeError::TooLarge)
        );
        assert!(matches!(
            decode(b"not gzip", &[Coding::Gzip], 100),
            Err(DecodeError::Corrupt(_))
        ));
    }
}
