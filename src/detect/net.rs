//! IP addresses: dotted IPv4 with real octets, and IPv6 in any form
//! `std::net::Ipv6Addr` accepts.
//!
//! Owns the candidate rules (what may stand around an address, what makes a
//! dotted number a version string instead); knows nothing of other detectors.

use std::net::Ipv6Addr;

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// One octet at `at`: 1–3 digits, no leading zero, at most 255. Returns its end.
fn octet(t: &[u8], at: usize) -> Option<usize> {
    let len = t
        .get(at..)?
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if len == 0 || len > 3 || (len > 1 && t[at] == b'0') {
        return None;
    }
    let value = t[at..at + len]
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    (value <= 255).then_some(at + len)
}

/// An IPv4 address starting at `at` (the start of a digit run): returns its end.
/// Refuses dotted numbers that go on (`1.2.3.4.5`, a version string) and
/// addresses glued to letters (`v1.2.3.4`).
pub(crate) fn ipv4_at(t: &[u8], at: usize) -> Option<usize> {
    if at > 0 {
        let before = t[at - 1];
        if is_word(before) || (before == b'.' && at > 1 && t[at - 2].is_ascii_digit()) {
            return None;
        }
    }
    let mut end = octet(t, at)?;
    for _ in 0..3 {
        if t.get(end) != Some(&b'.') {
            return None;
        }
        end = octet(t, end + 1)?;
    }
    match t.get(end..) {
        Some([b'.', d, ..]) if d.is_ascii_digit() => None,
        Some([b, ..]) if is_word(*b) => None,
        _ => Some(end),
    }
}

fn is_v6_char(b: u8) -> bool {
    b.is_ascii_hexdigit() || b == b':' || b == b'.'
}

/// Calls `emit(start, end)` for each IPv6 address in `t`.
pub(crate) fn scan_ipv6(t: &[u8], mut emit: impl FnMut(usize, usize)) {
    let mut next = 0;
    for colon in memchr::memchr_iter(b':', t) {
        if colon < next {
            continue;
        }
        let mut start = colon;
        while start > 0 && is_v6_char(t[start - 1]) {
            start -= 1;
        }
        let mut end = colon;
        while end < t.len() && is_v6_char(t[end]) {
            end += 1;
        }
        next = end;
        if let Some((s, e)) = ipv6_candidate(t, start, end) {
            emit(s, e);
        }
    }
}

/// Trims a run of hex digits, colons and dots to an address, if it is one.
fn ipv6_candidate(t: &[u8], mut start: usize, mut end: usize) -> Option<(usize, usize)> {
    // `ip:2001:db8::1` — a single leading colon belongs to a label.
    if t[start] == b':' && t.get(start + 1) != Some(&b':') {
        start += 1;
    }
    // Sentence punctuation after the address.
    while end > start && t[end - 1] == b'.' {
        end -= 1;
    }
    if end - start < 6 || (start > 0 && is_word(t[start - 1])) {
        return None;
    }
    if t.get(end).is_some_and(|b| is_word(*b)) {
        return None;
    }
    let text = std::str::from_utf8(&t[start..end]).ok()?;
    let colons = text.bytes().filter(|b| *b == b':').count();
    let addr: Ipv6Addr = text.parse().ok()?;
    (colons >= 2 && !addr.is_unspecified()).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(text: &str) -> Option<&str> {
        let start = text.find(|c: char| c.is_ascii_digit())?;
        ipv4_at(text.as_bytes(), start).map(|end| &text[start..end])
    }

    fn v6(text: &str) -> Vec<&str> {
        let mut found = Vec::new();
        scan_ipv6(text.as_bytes(), |s, e| found.push(&text[s..e]));
        found
    }

    #[test]
    fn ipv4_addresses_and_look_alikes() {
        assert_eq!(v4("from 192.168.1.10, ok"), Some("192.168.1.10"));
        assert_eq!(v4("ip=8.8.8.8"), Some("8.8.8.8"));
        assert_eq!(v4("登录IP：10.0.0.1。"), Some("10.0.0.1"));
        assert_eq!(v4("version 1.2.3.4.5"), None);
        assert_eq!(v4("v1.2.3.4"), None);
        assert_eq!(v4("256.1.1.1"), None);
        assert_eq!(v4("10.01.1.1"), None);
        assert_eq!(v4("10.0.19041.1"), None);
        assert_eq!(v4("1.2.3"), None);
    }

    #[test]
    fn ipv6_addresses_and_look_alikes() {
        assert_eq!(
            v6("from 2001:db8::8a2e:370:7334 at"),
            ["2001:db8::8a2e:370:7334"]
        );
        assert_eq!(
            v6("[fe80::1ff:fe23:4567:890a]:443"),
            ["fe80::1ff:fe23:4567:890a"]
        );
        assert_eq!(v6("ip:2001:db8::1."), ["2001:db8::1"]);
        assert_eq!(v6("::ffff:192.168.1.1"), ["::ffff:192.168.1.1"]);
        assert!(v6("at 12:30:45 today").is_empty());
        assert!(v6("mac 00:1A:2B:3C:4D:5E").is_empty());
        assert!(v6("2026-11-23T05:00:00Z").is_empty());
        assert!(v6("std::vec::Vec").is_empty());
    }
}
