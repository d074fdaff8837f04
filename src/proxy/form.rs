//! `application/x-www-form-urlencoded` bodies and query strings: split into
//! name/value pairs, decoded, handed to a decision function, and put back
//! together. Pairs the decision keeps come out byte-identical; only
//! replaced values are re-encoded.

/// What to do with one pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairAction {
    Keep,
    /// A new value (and, when the name itself carried data, a new name).
    Replace {
        name: Option<String>,
        value: Option<String>,
    },
    Drop,
}

/// A pair that cannot be decoded (bad `%` escape, or not UTF-8 once decoded).
/// Holds the pair's 1-based position, never its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub pair: usize,
    pub reason: &'static str,
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pair {}: {}", self.pair, self.reason)
    }
}

/// Rewrites `input` (`a=1&b=2`) with `decide(name, value)` per pair, both
/// decoded. Returns `None` when every pair was kept (the input stands as is).
pub fn rewrite(
    input: &str,
    mut decide: impl FnMut(&str, &str) -> PairAction,
) -> Result<Option<String>, FormError> {
    let mut out = String::with_capacity(input.len());
    let mut changed = false;
    for (i, raw) in input.split('&').enumerate() {
        let err = |reason| FormError {
            pair: i + 1,
            reason,
        };
        if raw.is_empty() {
            push_pair(&mut out, raw);
            continue;
        }
        let (raw_name, raw_value) = raw.split_once('=').unwrap_or((raw, ""));
        let name = decode(raw_name).map_err(err)?;
        let value = decode(raw_value).map_err(err)?;
        match decide(&name, &value) {
            PairAction::Keep => push_pair(&mut out, raw),
            PairAction::Replace { name, value } => {
                changed = true;
                let name = name.map_or_else(|| raw_name.to_owned(), |n| encode(&n));
                let value = value.map_or_else(|| raw_value.to_owned(), |v| encode(&v));
                let separator = if raw.contains('=') || !value.is_empty() {
                    "="
                } else {
                    ""
                };
                push_pair(&mut out, &format!("{name}{separator}{value}"));
            }
            PairAction::Drop => changed = true,
        }
    }
    Ok(changed.then_some(out))
}

fn push_pair(out: &mut String, pair: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(pair);
}

/// Percent-decoding with `+` as space.
fn decode(raw: &str) -> Result<String, &'static str> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or("truncated %-escape")?;
                let text = std::str::from_utf8(hex).map_err(|_| "invalid %-escape")?;
                out.push(u8::from_str_radix(text, 16).map_err(|_| "invalid %-escape")?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "not UTF-8 once decoded")
}

/// Percent-encoding of everything but RFC 3986 unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untouched_pairs_stay_byte_identical() {
        let input = "a=%41+b&mobile=138%200013%208000&z=&&flag";
        let out = rewrite(input, |name, value| match name {
            "mobile" => {
                assert_eq!(value, "138 0013 8000");
                PairAction::Replace {
                    name: None,
                    value: Some("138****8000".into()),
                }
            }
            "z" => PairAction::Drop,
            _ => PairAction::Keep,
        })
        .expect("valid");
        assert_eq!(
            out.as_deref(),
            Some("a=%41+b&mobile=138%2A%2A%2A%2A8000&&flag")
        );
        assert_eq!(rewrite(input, |_, _| PairAction::Keep), Ok(None));
    }

    #[test]
    fn chinese_values_are_decoded_and_encoded() {
        let out = rewrite("name=%E5%BC%A0%E4%B8%89", |_, v| {
            assert_eq!(v, "张三");
            PairAction::Replace {
                name: None,
                value: Some("张*".into()),
            }
        })
        .expect("valid");
        assert_eq!(out.as_deref(), Some("name=%E5%BC%A0%2A"));
    }

    #[test]
    fn bad_escapes_name_the_pair_not_the_text() {
        let err = rewrite("a=1&b=%zz", |_, _| PairAction::Keep).expect_err("bad");
        assert_eq!(err.to_string(), "pair 2: invalid %-escape");
        let err = rewrite("a=%ff", |_, _| PairAction::Keep).expect_err("bad utf-8");
        assert_eq!(err.reason, "not UTF-8 once decoded");
        assert!(rewrite("a=%4", |_, _| PairAction::Keep).is_err());
    }
}
