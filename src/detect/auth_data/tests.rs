use super::super::{BuiltinDetector, DetectorKind, DetectorSet, DetectorSpec, ExtraLabels};

fn set() -> DetectorSet {
    let specs: Vec<DetectorSpec> = [
        BuiltinDetector::CardCvn,
        BuiltinDetector::CardExpiry,
        BuiltinDetector::TrackData,
        BuiltinDetector::Secret,
    ]
    .iter()
    .map(|d| DetectorSpec {
        kind: DetectorKind::Builtin(*d),
        category: None,
    })
    .collect();
    DetectorSet::new(&specs, &ExtraLabels::default()).expect("compiles")
}

/// What the set finds in `text` under `key`: (matched text, category).
fn found(key: Option<&str>, text: &str) -> Vec<(String, String)> {
    let set = set();
    let mut out = Vec::new();
    set.scan(key, text, &mut out);
    out.iter()
        .map(|m| {
            (
                text[m.start..m.end].to_owned(),
                set.category(m.spec).to_owned(),
            )
        })
        .collect()
}

fn one(text: &str, category: &str) -> Vec<(String, String)> {
    vec![(text.to_owned(), category.to_owned())]
}

#[test]
fn cvn_under_its_key_or_after_its_label() {
    assert_eq!(found(Some("cvv2"), "123"), one("123", "cvn"));
    assert_eq!(found(Some("cardCvv"), " 4567 "), one("4567", "cvn"));
    assert_eq!(found(Some("安全码"), "321"), one("321", "cvn"));
    assert_eq!(found(None, "卡号后的CVV2：123，请核对"), one("123", "cvn"));
    assert_eq!(found(None, "cvc 987"), one("987", "cvn"));
    // A number under another key, a longer number, a word that contains
    // the label: none is a CVN.
    assert!(found(Some("count"), "123").is_empty());
    assert!(found(Some("cvv2"), "12345").is_empty());
    assert!(found(None, "cvv 12345").is_empty());
    assert!(found(None, "recvcount 123").is_empty());
}

#[test]
fn expiry_under_its_key_after_its_label_or_next_to_a_card() {
    assert_eq!(
        found(Some("expiryDate"), "12/27"),
        one("12/27", "card_expiry")
    );
    assert_eq!(found(Some("exp"), "2712"), one("2712", "card_expiry"));
    assert_eq!(found(Some("expMonth"), "09"), one("09", "card_expiry"));
    assert_eq!(found(None, "有效期 08/2029"), one("08/2029", "card_expiry"));
    assert_eq!(
        found(None, "card 6222 0212 3456 7890 128 valid 11/28"),
        one("11/28", "card_expiry")
    );
    // A date without a card or a label, a token expiry timestamp, month 13.
    assert!(found(None, "delivered 11/28").is_empty());
    assert!(found(Some("expiry"), "2026-12-01T10:00:00Z").is_empty());
    assert!(found(Some("expiry"), "13/27").is_empty());
}

#[test]
fn track_data_by_shape_and_by_key() {
    let track2 = ";6222021234567890128=27121010000012300000?";
    assert_eq!(found(None, track2), one(track2, "track_data"));
    let track1 = "%B6222021234567890128^ZHANG/SAN^2712101000001230000?";
    assert_eq!(
        found(None, &format!("raw {track1} end")),
        one(track1, "track_data")
    );
    assert_eq!(
        found(None, "6222021234567890128D27121010000012"),
        one("6222021234567890128D27121010000012", "track_data")
    );
    assert_eq!(found(Some("track2"), "opaque"), one("opaque", "track_data"));
    // The account number must pass Luhn; a key=value list is no track.
    assert!(found(None, ";6222021234567890129=27121010000012300000?").is_empty());
    assert!(found(None, "a=1&b=2712101").is_empty());
}

#[test]
fn passwords_pins_and_one_time_codes() {
    assert_eq!(found(Some("payPassword"), "x"), one("x", "auth_secret"));
    assert_eq!(found(Some("pin"), "0000"), one("0000", "auth_secret"));
    assert_eq!(
        found(Some("smsCode"), "482913"),
        one("482913", "auth_secret")
    );
    assert_eq!(
        found(Some("支付密码"), "abc123"),
        one("abc123", "auth_secret")
    );
    assert_eq!(
        found(None, "您的验证码 482913，5分钟内有效"),
        one("482913", "auth_secret")
    );
    assert_eq!(found(None, "OTP: 1234"), one("1234", "auth_secret"));
    assert_eq!(
        found(None, "password=hunter22 next"),
        one("hunter22", "auth_secret")
    );
    assert_eq!(
        found(None, "密码：Ab12cd34"),
        one("Ab12cd34", "auth_secret")
    );
    // A password label needs a separator proper; prose is not a secret.
    assert!(found(None, "password reset link sent").is_empty());
    assert!(found(Some("remark"), "hello").is_empty());
}
