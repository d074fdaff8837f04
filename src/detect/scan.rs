//! One scan of one text: the early way out from the text's profile, the
//! normalized side copy for texts carrying evasions, the user patterns,
//! then the built-ins the profile allows (keyed readings, shapes, context),
//! and the matches sorted and merged.
//!
//! It knows nothing of JSON: the text and its nearest keys are handed in.
//! It errs towards a match: overlapping spans are merged, never dropped,
//! and a text that may carry evasions always takes the long way.

use std::cell::RefCell;

use super::keys;
use super::labels::{self, LabelKind};
use super::normalize::{self, Normalized};
use super::numbers::{self, Numeric};
use super::prefilter::{self, Profile};
use super::{BuiltinDetector, DetectorSet, Match};
use super::{auth_data, biometric, email, net, shape};

/// What a scanned text is: a value (with its nearest key and the key of
/// the object holding it) or a key.
#[derive(Clone, Copy)]
pub(super) enum Scope<'a> {
    Value(Option<&'a str>, Option<&'a str>),
    Key,
}

/// Per-thread buffers, so a scan allocates nothing once warm.
#[derive(Default)]
struct Scratch {
    normalized: Normalized,
    hits: Vec<labels::Hit>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Normalized copies above this size are not kept between scans.
const KEEP_SCRATCH_BYTES: usize = 1 << 20;

impl DetectorSet {
    pub(super) fn scan_in(&self, scope: Scope<'_>, text: &str, out: &mut Vec<Match>) {
        let first = out.len();
        let builtins = self.any_builtin;
        if text.is_empty() || (!builtins && self.patterns.is_empty()) {
            return;
        }
        let profile = Profile::of(text.as_bytes());
        if !self.may_find(scope, text, profile) {
            // Nothing built in can match (`SUCCESS`, `merchant_code`):
            // only the user patterns look, at the text as sent.
            self.scan_patterns(text, &mut |start, end, spec| {
                out.push(Match { start, end, spec })
            });
            settle(out, first);
            return;
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.scan_with(scope, text, profile, &mut scratch, out),
            Err(_) => self.scan_with(scope, text, profile, &mut Scratch::default(), out),
        });
        settle(out, first);
    }

    /// Whether any built-in could match `text`, from its profile alone: an
    /// early way out for the identifiers and codes most keys and many values
    /// are. Text that may carry evasions always goes the long way.
    fn may_find(&self, scope: Scope<'_>, text: &str, profile: Profile) -> bool {
        let value = matches!(scope, Scope::Value(..));
        // Labelled secrets are short and may be plain ASCII (`pwd=abcd`).
        let auth = value && self.auth_data().any();
        let keyed = matches!(scope, Scope::Value(Some(_), _)) && (self.keys.is_some() || auth);
        self.any_builtin
            && (keyed
                || profile.has_non_ascii()
                || profile.has_percent()
                || profile.digits >= 4
                || profile.has_at()
                || profile.colons >= 2
                || (auth && (profile.has_letters() || profile.digits >= 3))
                || (value
                    && (text.len() >= biometric::MIN_BASE64 && profile.has_base64()
                        || profile.may_hold_labels())))
    }

    fn scan_with(
        &self,
        scope: Scope<'_>,
        text: &str,
        profile: Profile,
        scratch: &mut Scratch,
        out: &mut Vec<Match>,
    ) {
        let bytes = text.as_bytes();
        let builtins = self.any_builtin;
        let Scratch { normalized, hits } = scratch;
        self.scan_patterns(text, &mut |start, end, spec| {
            out.push(Match { start, end, spec })
        });
        let fits_offsets = u32::try_from(text.len()).is_ok();
        if fits_offsets && normalize::needed(bytes, profile.has_non_ascii(), profile.has_percent())
        {
            normalized.build(text);
            let view = normalized.text.as_str();
            // User patterns see the evasions undone too, like the built-ins.
            self.scan_patterns(view, &mut |s, e, spec| {
                let (start, end) = normalized.original(s, e);
                out.push(Match { start, end, spec });
            });
            if builtins {
                let profile = Profile::of(view.as_bytes());
                self.scan_view(scope, view, profile, hits, &mut |s, e, d| {
                    if let Some(spec) = self.builtins[d as usize] {
                        let (start, end) = normalized.original(s, e);
                        out.push(Match { start, end, spec });
                    }
                });
            }
            if normalized.text.capacity() > KEEP_SCRATCH_BYTES {
                *normalized = Normalized::default();
            }
        } else if builtins {
            self.scan_view(scope, text, profile, hits, &mut |start, end, d| {
                if let Some(spec) = self.builtins[d as usize] {
                    out.push(Match { start, end, spec });
                }
            });
        }
    }

    /// Runs the user patterns over `t`, reporting non-empty spans of `t`.
    fn scan_patterns(&self, t: &str, emit: &mut impl FnMut(usize, usize, usize)) {
        self.patterns.scan(t, emit);
    }

    /// Runs the built-ins the profile allows over `t`, reporting spans of `t`.
    fn scan_view(
        &self,
        scope: Scope<'_>,
        t: &str,
        profile: Profile,
        hits: &mut Vec<labels::Hit>,
        emit: &mut impl FnMut(usize, usize, BuiltinDetector),
    ) {
        let mut class = keys::KeyClass::default();
        if let (Scope::Value(Some(key), owner), Some(table)) = (scope, &self.keys) {
            class = table.classify(key, owner, t.len());
            if !class.is_empty() {
                let mut whole = false;
                keys::scan_keyed(class, t, (0, t.len()), self.today, &mut |s, e, d| {
                    whole |= self.on(d) && spans_all_of(t, s, e);
                    emit(s, e, d);
                });
                // The key claimed all of the value for a detector that is
                // on: nothing is left to find.
                if whole {
                    return;
                }
            }
        }
        if class.names_an_identifier() {
            // `goods_id: 13812345678` is a goods id: a mobile number's shape
            // over the whole value is the identifier's. A number inside
            // other text, and the checksummed shapes, are still found.
            self.scan_shapes(t, profile, &mut |s, e, d| {
                if !(d == BuiltinDetector::CnMobile && spans_all_of(t, s, e)) {
                    emit(s, e, d);
                }
            });
        } else {
            self.scan_shapes(t, profile, emit);
        }
        if let Scope::Value(key, _) = scope {
            if profile.has_non_ascii() && !class.not_personal() && self.on(BuiltinDetector::Address)
            {
                // An address is strong enough alone, under any key that is
                // not a known non-address (`OcrAddress`, `jtzz`, `detail`).
                let value = t.trim();
                if shape::address_alone(value) {
                    let s = t.len() - t.trim_start().len();
                    emit(s, s + value.len(), BuiltinDetector::Address);
                    auth_data::scan(self.auth_data(), key, t, emit);
                    return;
                }
            }
            self.scan_context(t, profile, hits, emit);
            auth_data::scan(self.auth_data(), key, t, emit);
        }
    }

    fn on(&self, d: BuiltinDetector) -> bool {
        self.builtins[d as usize].is_some()
    }

    fn auth_data(&self) -> auth_data::Enabled {
        auth_data::Enabled {
            cvn: self.on(BuiltinDetector::CardCvn),
            expiry: self.on(BuiltinDetector::CardExpiry),
            track: self.on(BuiltinDetector::TrackData),
            secret: self.on(BuiltinDetector::Secret),
        }
    }

    /// The detectors a value's shape alone decides: numbers (with their
    /// checksums), emails, IPv6 addresses.
    fn scan_shapes(
        &self,
        t: &str,
        profile: Profile,
        emit: &mut impl FnMut(usize, usize, BuiltinDetector),
    ) {
        let b = t.as_bytes();
        let n = self.numbers;
        let numeric = n.resident_id || n.bank_card || n.mobile;
        if (numeric && profile.digits >= 11) || (n.ipv4 && profile.digits >= 4 && profile.dots >= 3)
        {
            numbers::scan_numbers(b, n, &mut |s, e, kind| {
                let d = match kind {
                    Numeric::ResidentId => BuiltinDetector::CnResidentId,
                    Numeric::BankCard => BuiltinDetector::BankCard,
                    Numeric::Mobile => BuiltinDetector::CnMobile,
                    Numeric::Ipv4 => BuiltinDetector::Ipv4,
                };
                emit(s, e, d);
            });
        }
        if profile.has_at() && self.on(BuiltinDetector::Email) {
            email::scan_emails(b, |s, e| emit(s, e, BuiltinDetector::Email));
        }
        if profile.colons >= 2 && self.on(BuiltinDetector::Ipv6) {
            net::scan_ipv6(b, |s, e| emit(s, e, BuiltinDetector::Ipv6));
        }
    }

    /// The detectors that need a value's context (not run on keys):
    /// biometric blobs, labelled names, addresses, dates and passports, and
    /// query strings inside a value.
    fn scan_context(
        &self,
        t: &str,
        profile: Profile,
        hits: &mut Vec<labels::Hit>,
        emit: &mut impl FnMut(usize, usize, BuiltinDetector),
    ) {
        let b = t.as_bytes();
        if t.len() >= biometric::MIN_BASE64
            && profile.has_base64()
            && self.on(BuiltinDetector::Biometric)
            && prefilter::has_base64_run(b, biometric::MIN_BASE64, biometric::MIN_DIGITS_BLOB)
        {
            biometric::scan_blobs(b, |s, e| emit(s, e, BuiltinDetector::Biometric));
        }
        if let Some(labels) = &self.labels {
            if t.len() >= 4
                && profile.may_hold_labels()
                && (profile.has_non_ascii() || prefilter::has_letter_pair(b))
            {
                let enabled = labels::Enabled {
                    name: self.on(BuiltinDetector::Name),
                    address: self.on(BuiltinDetector::Address),
                    birth_date: self.on(BuiltinDetector::BirthDate),
                    passport: self.on(BuiltinDetector::Passport),
                };
                labels.scan(t, enabled, self.today, hits, &mut |s, e, kind| {
                    let d = match kind {
                        LabelKind::Name | LabelKind::Role => BuiltinDetector::Name,
                        LabelKind::Address => BuiltinDetector::Address,
                        LabelKind::BirthDate => BuiltinDetector::BirthDate,
                        LabelKind::Passport | LabelKind::Stop => BuiltinDetector::Passport,
                    };
                    emit(s, e, d);
                });
            }
        }
        if let Some(table) = &self.keys {
            // A query string or form body; prose with an `=` in it is not
            // one, unless it carries `?` or `&` (a decoded `%20` is a space).
            if profile.has_equals()
                && (!profile.has_space() || memchr::memchr2(b'&', b'?', b).is_some())
            {
                keys::scan_query(table, t, self.today, emit);
            }
        }
    }
}

/// Sorts `out[first..]` by start (longest first) and merges overlaps, so a
/// span two detectors half-share is protected whole.
fn settle(out: &mut Vec<Match>, first: usize) {
    let found = &mut out[first..];
    if found.len() < 2 {
        return;
    }
    found.sort_unstable_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut kept = first;
    for i in first..out.len() {
        let m = out[i];
        if kept > first && m.start < out[kept - 1].end {
            let last = &mut out[kept - 1];
            last.end = last.end.max(m.end);
        } else {
            out[kept] = m;
            kept += 1;
        }
    }
    out.truncate(kept);
}

/// Whether `t[start..end]` is all of `t` but surrounding whitespace.
fn spans_all_of(t: &str, start: usize, end: usize) -> bool {
    t[..start].trim().is_empty() && t[end..].trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{DetectorKind, DetectorSpec, ExtraLabels};
    use proptest::prelude::*;

    fn all() -> &'static DetectorSet {
        static SET: std::sync::LazyLock<DetectorSet> = std::sync::LazyLock::new(build);
        &SET
    }

    fn build() -> DetectorSet {
        let mut specs: Vec<DetectorSpec> = BuiltinDetector::ALL
            .iter()
            .map(|d| DetectorSpec {
                kind: DetectorKind::Builtin(*d),
                category: None,
            })
            .collect();
        specs.push(DetectorSpec {
            kind: DetectorKind::Pattern(r"(?-u:\b)MRN-\d{8}(?-u:\b)".to_owned()),
            category: None,
        });
        DetectorSet::new(&specs, &ExtraLabels::default()).expect("compiles")
    }

    /// The scan without the early way out, for comparison.
    fn full(set: &DetectorSet, scope: Scope<'_>, text: &str) -> Vec<Match> {
        let mut out = Vec::new();
        let profile = Profile::of(text.as_bytes());
        set.scan_with(scope, text, profile, &mut Scratch::default(), &mut out);
        settle(&mut out, 0);
        out
    }

    fn pieces() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "1", "3", "8", "0", "4", "X", " ", "-", ".", ":", "@", "=", "&", "%31", "a", "Z", "_",
            "姓名", "：", "张", "dob", "name", "E", "/9j/", "MRN-", "passport", "１",
        ]);
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn the_early_way_out_never_changes_a_result(text in pieces(), keyed in any::<bool>()) {
            let set = all();
            let scopes = [
                Scope::Value(None, None),
                Scope::Value(keyed.then_some("passportNo"), None),
                Scope::Key,
            ];
            for scope in scopes {
                let mut fast = Vec::new();
                set.scan_in(scope, &text, &mut fast);
                prop_assert_eq!(fast, full(set, scope, &text), "{:?}", text);
            }
        }
    }
}
