//! Magnetic-stripe track data (ISO/IEC 7813) and its chip equivalent, by
//! shape: track 1 `%B<PAN>^<NAME>^<YYMM><service code>…?`, track 2
//! `;<PAN>=<YYMM><service code>…?`, and track-2-equivalent data without
//! sentinels (`<PAN>=…` or EMV tag 57's `<PAN>D…`). The account number
//! must pass the Luhn check and at least the expiry and service code
//! (7 digits) must follow its separator, so a `key=value` list of numbers
//! is not taken for a track.

/// Calls `emit` with the span of every track found in `b`.
pub(super) fn scan(b: &[u8], emit: &mut impl FnMut(usize, usize)) {
    let mut at = 0;
    while at < b.len() {
        match track_at(b, at) {
            Some(end) => {
                emit(at, end);
                at = end;
            }
            None => at += 1,
        }
    }
}

/// The end of a track starting at `at`, if one does.
fn track_at(b: &[u8], at: usize) -> Option<usize> {
    let boundary = at == 0 || !b[at - 1].is_ascii_alphanumeric();
    if !boundary {
        return None;
    }
    match b[at] {
        b'%' if b.get(at + 1) == Some(&b'B') => track1(b, at + 2),
        b'B' if at == 0 || !b[at - 1].is_ascii_alphanumeric() => track1(b, at + 1),
        b';' => track2(b, at + 1, true),
        b'0'..=b'9' => track2(b, at, false),
        _ => None,
    }
}

/// `PAN^NAME^YYMMSSS…[?]` from `from`.
fn track1(b: &[u8], from: usize) -> Option<usize> {
    let pan = pan_len(b, from)?;
    let mut i = from + pan;
    if b.get(i) != Some(&b'^') {
        return None;
    }
    i += 1;
    let name = b[i..].iter().take(27).position(|c| *c == b'^')?;
    i += name + 1;
    let tail = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if tail < 7 {
        return None;
    }
    i += tail;
    Some(if b.get(i) == Some(&b'?') { i + 1 } else { i })
}

/// `PAN=YYMMSSS…[?]` (or `D` for the separator without sentinels).
fn track2(b: &[u8], from: usize, sentinel: bool) -> Option<usize> {
    let pan = pan_len(b, from)?;
    let mut i = from + pan;
    match b.get(i) {
        Some(b'=') => {}
        Some(b'D') if !sentinel => {}
        _ => return None,
    }
    i += 1;
    let tail = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if tail < 7 {
        return None;
    }
    i += tail;
    match b.get(i) {
        Some(b'?') => Some(i + 1),
        Some(c) if c.is_ascii_alphanumeric() => None,
        _ => Some(i),
    }
}

/// The length of a 12-19 digit account number passing Luhn at `from`.
fn pan_len(b: &[u8], from: usize) -> Option<usize> {
    let n = b[from.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    ((12..=19).contains(&n) && super::bank_card::luhn(&b[from..from + n])).then_some(n)
}
