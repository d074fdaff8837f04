//! Authentication data (JR/T 0171 class C3) that no other detector finds:
//! card verification numbers (`card_cvn`), a card's expiry (`card_expiry`),
//! magnetic track data (`track_data`, shapes in [`super::track_data`]) and
//! passwords, PINs and one-time codes (`auth_secret`).
//!
//! Two readings. Keyed: the value under a key that names the thing
//! (`cvv2: "123"`, `payPassword: "…"`, `track2: "…"`) when it has the
//! thing's shape (any non-empty text for a secret). Labelled, in free
//! text: a label and the value after it (`CVV2：123`, `验证码 482913`,
//! `有效期 12/27`); an expiry also counts with no label when a card number
//! is in the same text ("expiry with the card"). Track data is found by
//! its shape alone. Errs towards a match, as every detector here: a value
//! under a password key is claimed whatever it looks like.
//!
//! Knows nothing of JSON: the set hands it the value and its nearest key.

use super::BuiltinDetector::{self, CardCvn, CardExpiry, Secret, TrackData};
use super::track_data;

const CVN_KEYS: &[&str] = &[
    "cvv",
    "cvv2",
    "cvc",
    "cvc2",
    "cvn",
    "cvn2",
    "cid",
    "csc",
    "securitycode",
    "cardsecuritycode",
    "cardcvv",
    "cardcvv2",
    "cardcvn2",
    "cvvcode",
    "安全码",
    "卡验证码",
    "卡片验证码",
    "cvv码",
    "信用卡安全码",
];

const EXPIRY_KEYS: &[&str] = &[
    "expiry",
    "expirydate",
    "exp",
    "expdate",
    "expiration",
    "expirationdate",
    "cardexpiry",
    "cardexpirydate",
    "cardexp",
    "validthru",
    "validthrough",
    "expmonthyear",
    "有效期",
    "卡有效期",
    "卡片有效期",
    "信用卡有效期",
];

const EXPIRY_PART_KEYS: &[&str] = &[
    "expmonth",
    "expirymonth",
    "expirationmonth",
    "expyear",
    "expiryyear",
    "expirationyear",
];

const TRACK_KEYS: &[&str] = &[
    "track1",
    "track2",
    "track3",
    "trackdata",
    "track1data",
    "track2data",
    "track2equivalentdata",
    "magstripe",
    "magneticstripe",
    "磁道",
    "磁道信息",
    "磁道数据",
    "一磁道",
    "二磁道",
    "三磁道",
    "二磁道信息",
    "磁条信息",
];

const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passcode",
    "pin",
    "pinblock",
    "paypassword",
    "paypwd",
    "paymentpassword",
    "tradepassword",
    "tradepwd",
    "transactionpassword",
    "loginpassword",
    "loginpwd",
    "querypassword",
    "cardpassword",
    "cardpin",
    "atmpin",
    "otp",
    "otpcode",
    "totp",
    "smscode",
    "smsotp",
    "verifycode",
    "verificationcode",
    "dynamiccode",
    "onetimecode",
    "onetimepassword",
    "securitypin",
    "密码",
    "支付密码",
    "交易密码",
    "登录密码",
    "查询密码",
    "取款密码",
    "银行卡密码",
    "卡密码",
    "验证码",
    "短信验证码",
    "动态口令",
    "动态码",
    "动态密码",
];

/// Labels before a CVN in text (ASCII ones matched ignoring case).
const CVN_LABELS: &[&str] = &[
    "cvv2",
    "cvc2",
    "cvn2",
    "cvv",
    "cvc",
    "cvn",
    "安全码",
    "卡片验证码",
    "卡验证码",
];
const EXPIRY_LABELS: &[&str] = &[
    "valid thru",
    "valid through",
    "expiry",
    "expires",
    "exp",
    "有效期",
    "到期",
];
/// Labels before a one-time code: digits follow.
const OTP_LABELS: &[&str] = &[
    "verification code",
    "one-time code",
    "sms code",
    "otp",
    "短信验证码",
    "验证码",
    "动态口令",
    "动态码",
    "动态密码",
];
/// Labels before a password or PIN: a separator and a run of non-space.
const PASSWORD_LABELS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pin",
    "支付密码",
    "交易密码",
    "登录密码",
    "取款密码",
    "密码",
];

/// Which of the four detectors are on.
#[derive(Clone, Copy)]
pub(super) struct Enabled {
    pub cvn: bool,
    pub expiry: bool,
    pub track: bool,
    pub secret: bool,
}

impl Enabled {
    pub(super) fn any(self) -> bool {
        self.cvn || self.expiry || self.track || self.secret
    }
}

/// Reports every authentication value in `t` (a value under `key`, if
/// any) with the detector that found it.
pub(super) fn scan(
    on: Enabled,
    key: Option<&str>,
    t: &str,
    emit: &mut impl FnMut(usize, usize, BuiltinDetector),
) {
    if !on.any() || t.trim().is_empty() {
        return;
    }
    if let Some(key) = key {
        if let Some((s, e, d)) = keyed(on, &crate::vocab::normalize_key(key), t) {
            emit(s, e, d);
            return;
        }
    }
    if on.track {
        track_data::scan(t.as_bytes(), &mut |s, e| emit(s, e, TrackData));
    }
    if on.cvn {
        labelled(t, CVN_LABELS, Separators::Loose, &mut |rest| {
            digits_run(rest, 3, 4)
        })
        .for_each(|(s, e)| emit(s, e, CardCvn));
    }
    if on.expiry {
        expiries(t, &mut |s, e| emit(s, e, CardExpiry));
    }
    if on.secret {
        labelled(t, OTP_LABELS, Separators::Loose, &mut |rest| {
            digits_run(rest, 4, 8)
        })
        .chain(labelled(
            t,
            PASSWORD_LABELS,
            Separators::Strict,
            &mut secret_run,
        ))
        .for_each(|(s, e)| emit(s, e, Secret));
    }
}

/// The keyed reading: the span of `t` a key naming the thing claims.
fn keyed(on: Enabled, key: &str, t: &str) -> Option<(usize, usize, BuiltinDetector)> {
    let start = t.len() - t.trim_start().len();
    let end = t.trim_end().len();
    let value = &t[start..end];
    let whole = |d| Some((start, end, d));
    if on.secret && SECRET_KEYS.contains(&key) {
        return whole(Secret);
    }
    if on.track && TRACK_KEYS.contains(&key) {
        return whole(TrackData);
    }
    let digits = value.bytes().all(|b| b.is_ascii_digit());
    if on.cvn && CVN_KEYS.contains(&key) && digits && (3..=4).contains(&value.len()) {
        return whole(CardCvn);
    }
    if on.expiry && EXPIRY_KEYS.contains(&key) && expiry_len(value.as_bytes(), true) == value.len()
    {
        return whole(CardExpiry);
    }
    if on.expiry && EXPIRY_PART_KEYS.contains(&key) && digits && (1..=4).contains(&value.len()) {
        return whole(CardExpiry);
    }
    None
}

#[derive(Clone, Copy, PartialEq)]
enum Separators {
    /// Spaces alone may separate label and value.
    Loose,
    /// A `:`, `：`, `=`, `是` or `为` must.
    Strict,
}

/// Every `(start, end)` that `value` finds right after one of `labels`
/// (and the separators after it) in `t`.
fn labelled<'t>(
    t: &'t str,
    labels: &'t [&'t str],
    separators: Separators,
    value: &'t mut dyn FnMut(&str) -> usize,
) -> impl Iterator<Item = (usize, usize)> + 't {
    let lower = t.to_ascii_lowercase();
    let mut found = Vec::new();
    for label in labels {
        let mut from = 0;
        while let Some(at) = lower[from..].find(label).map(|i| from + i) {
            from = at + label.len();
            let ascii_word = label.is_ascii();
            let before_ok = !ascii_word
                || !lower[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric());
            if !before_ok {
                continue;
            }
            let Some(skip) = separator_len(&t[from..], separators) else {
                continue;
            };
            let start = from + skip;
            let len = value(&t[start..]);
            if len > 0 && !found.iter().any(|(s, _)| *s == start) {
                found.push((start, start + len));
            }
        }
    }
    found.into_iter()
}

/// The bytes of separators after a label (at most a few), or `None` when
/// the label runs on into a word or, for [`Separators::Strict`], has no
/// separator proper.
fn separator_len(rest: &str, separators: Separators) -> Option<usize> {
    let mut len = 0;
    let mut proper = false;
    for c in rest.chars().take(4) {
        match c {
            ':' | '：' | '=' | '是' | '为' | '-' => proper = true,
            ' ' | '\u{3000}' | '\t' => {}
            _ => break,
        }
        len += c.len_utf8();
    }
    let next = rest[len..].chars().next()?;
    let runs_on = len == 0 && next.is_ascii_alphabetic();
    match separators {
        _ if runs_on => None,
        Separators::Strict if !proper => None,
        _ => Some(len),
    }
}

/// `min..=max` ASCII digits at the start of `rest`, not followed by another.
fn digits_run(rest: &str, min: usize, max: usize) -> usize {
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    if (min..=max).contains(&n) { n } else { 0 }
}

/// A password's run: up to 64 characters up to a space or a sentence stop.
fn secret_run(rest: &str) -> usize {
    rest.char_indices()
        .take_while(|(i, c)| {
            *i < 256 && !c.is_whitespace() && !matches!(c, '，' | '。' | ',' | ';' | '；')
        })
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .filter(|len| *len >= 4)
        .unwrap_or(0)
}

/// Labelled expiries, and with a card number in the text every slashed
/// `MM/YY` or `MM/YYYY`.
fn expiries(t: &str, emit: &mut impl FnMut(usize, usize)) {
    let mut found: Vec<(usize, usize)> =
        labelled(t, EXPIRY_LABELS, Separators::Loose, &mut |rest| {
            expiry_len(rest.as_bytes(), true)
        })
        .collect();
    if has_card_number(t.as_bytes()) {
        let b = t.as_bytes();
        for at in 0..b.len() {
            let boundary = at == 0 || !b[at - 1].is_ascii_alphanumeric();
            if boundary && b.get(at + 2) == Some(&b'/') {
                let len = expiry_len(&b[at..], false);
                if len > 0 && !found.iter().any(|(s, _)| *s == at) {
                    found.push((at, at + len));
                }
            }
        }
    }
    found.into_iter().for_each(|(s, e)| emit(s, e));
}

/// The length of a card expiry at the start of `b`: `MM/YY`, `MM/YYYY`,
/// `MM-YY`, `YYYY-MM`, `YYYY/MM`, and with `bare` also `MMYY` / `YYMM` (a
/// month 01-12 in either half), not followed by a digit; 0 for none.
pub(super) fn expiry_len(b: &[u8], bare: bool) -> usize {
    let digits = |from: usize, n: usize| {
        b.len() >= from + n && b[from..from + n].iter().all(u8::is_ascii_digit)
    };
    let month = |from: usize| {
        let m = (b[from] - b'0') * 10 + (b[from + 1] - b'0');
        (1..=12).contains(&m)
    };
    let ends = |len: usize| !b.get(len).is_some_and(u8::is_ascii_digit);
    let sep = |at: usize| matches!(b.get(at), Some(b'/' | b'-'));
    if digits(0, 2) && month(0) && sep(2) {
        if digits(3, 4) && ends(7) {
            return 7;
        }
        if digits(3, 2) && ends(5) {
            return 5;
        }
    }
    if digits(0, 4) && sep(4) && digits(5, 2) && month(5) && ends(7) && b[0] == b'2' {
        return 7;
    }
    if bare && digits(0, 4) && ends(4) && (month(0) || month(2)) {
        return 4;
    }
    0
}

/// Whether a 13-19 digit run passing the Luhn check is in `b` (digits
/// grouped by single spaces or dashes count as one run).
fn has_card_number(b: &[u8]) -> bool {
    let mut run = Vec::with_capacity(19);
    let is_card = |run: &[u8]| (13..=19).contains(&run.len()) && super::bank_card::luhn(run);
    for (i, &c) in b.iter().enumerate() {
        let grouped = matches!(c, b' ' | b'-')
            && !run.is_empty()
            && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if c.is_ascii_digit() {
            run.push(c);
        } else if !grouped {
            if is_card(&run) {
                return true;
            }
            run.clear();
        }
    }
    is_card(&run)
}

#[cfg(test)]
mod tests;
