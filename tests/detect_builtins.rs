//! The detector set as the engine sees it: built-ins and user patterns
//! together, evasions, keys, spans in the caller's offsets, errors.

use pii_proxy::detect::{
    BuiltinDetector, DetectorKind, DetectorSet, DetectorSpec, ExtraLabels, Match,
};
use proptest::prelude::*;

fn builtin_specs() -> Vec<DetectorSpec> {
    BuiltinDetector::ALL
        .iter()
        .map(|d| DetectorSpec {
            kind: DetectorKind::Builtin(*d),
            category: None,
        })
        .collect()
}

fn all() -> &'static DetectorSet {
    static SET: std::sync::LazyLock<DetectorSet> = std::sync::LazyLock::new(|| {
        DetectorSet::new(&builtin_specs(), &ExtraLabels::default()).expect("built-ins compile")
    });
    &SET
}

fn found(set: &DetectorSet, key: Option<&str>, text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    set.scan(key, text, &mut out);
    out.iter()
        .map(|m| {
            (
                set.category(m.spec).to_owned(),
                text[m.start..m.end].to_owned(),
            )
        })
        .collect()
}

fn one(category: &str, value: &str) -> Vec<(String, String)> {
    vec![(category.to_owned(), value.to_owned())]
}

#[test]
fn each_category_in_free_text() {
    let set = all();
    let cases = [
        (
            "备注：身份证11010519491231002X已核验",
            "id_number",
            "11010519491231002X",
        ),
        (
            "卡号6222021234567890128余额不足",
            "bank_card",
            "6222021234567890128",
        ),
        ("请联系13812345678。", "phone", "13812345678"),
        (
            "邮箱zhang.san@example.com",
            "email",
            "zhang.san@example.com",
        ),
        ("登录IP 203.0.113.7 异常", "ip_address", "203.0.113.7"),
        (
            "from 2001:db8::8a2e:370:7334 ok",
            "ip_address",
            "2001:db8::8a2e:370:7334",
        ),
        ("护照号 E12345678", "passport", "E12345678"),
        ("姓名：张三", "name", "张三"),
        (
            "收货地址：北京市朝阳区建国路88号",
            "address",
            "北京市朝阳区建国路88号",
        ),
        ("出生日期 1990-01-02", "birth_date", "1990-01-02"),
    ];
    for (text, category, value) in cases {
        assert_eq!(found(set, None, text), one(category, value), "{text}");
    }
}

#[test]
fn evasions_map_back_to_the_original_text() {
    let set = all();
    let cases = [
        ("手机１３８１２３４５６７８，", "１３８１２３４５６７８"),
        (
            "手机138\u{200B}1234\u{200B}5678",
            "138\u{200B}1234\u{200B}5678",
        ),
        (
            "tel 138\u{00AD}1234\u{2060}5678.",
            "138\u{00AD}1234\u{2060}5678",
        ),
        ("（13812345678）", "13812345678"),
        ("电话：+86 138 1234 5678", "138 1234 5678"),
        ("\u{FEFF}13812345678", "13812345678"),
    ];
    for (text, value) in cases {
        assert_eq!(found(set, None, text), one("phone", value), "{text:?}");
    }
    assert_eq!(
        found(
            set,
            None,
            "卡号：６２２２ ０２１２ ３４５６ ７８９０ １２８"
        ),
        one("bank_card", "６２２２ ０２１２ ３４５６ ７８９０ １２８")
    );
}

#[test]
fn percent_encoded_query_strings() {
    let set = all();
    let text = "a=1&mobile=13812345678&name=%E5%BC%A0%E4%B8%89&mail=li%40example.com";
    assert_eq!(
        found(set, None, text),
        [
            ("phone".to_owned(), "13812345678".to_owned()),
            ("name".to_owned(), "%E5%BC%A0%E4%B8%89".to_owned()),
            ("email".to_owned(), "li%40example.com".to_owned()),
        ]
    );
    let text = "https://partner.example/cb?passportNo=E12345678&realName=ZHANG%2FWEI";
    assert_eq!(
        found(set, None, text),
        [
            ("passport".to_owned(), "E12345678".to_owned()),
            ("name".to_owned(), "ZHANG%2FWEI".to_owned()),
        ]
    );
}

#[test]
fn numbers_keys_and_key_scoped_values() {
    let set = all();
    // A JSON number's text, under an innocent key.
    assert_eq!(
        found(set, Some("amount"), "6222021234567890128"),
        one("bank_card", "6222021234567890128")
    );
    // An object key (no enclosing key).
    assert_eq!(found(set, None, "13812345678"), one("phone", "13812345678"));
    assert_eq!(
        found(set, Some("passportNo"), "E12345678"),
        one("passport", "E12345678")
    );
    assert_eq!(found(set, Some("passportNo"), "N/A"), []);
    assert_eq!(found(set, Some("remark"), "E12345678"), []);
    assert_eq!(
        found(set, Some("faceImage"), "opaque-vendor-template-0001"),
        one("biometric", "opaque-vendor-template-0001")
    );
    assert_eq!(found(set, Some("real_name"), "张三"), one("name", "张三"));
    assert_eq!(found(set, Some("name"), "iPhone 15 Pro"), []);
    assert_eq!(
        found(set, Some("birthday"), "1990年1月2日"),
        one("birth_date", "1990年1月2日")
    );
}

#[test]
fn decoys_are_left_alone() {
    let set = all();
    for text in [
        "订单号20261123138001380001234已支付",
        "金额¥1,234.56，手续费￥0.50",
        "ts=1732345678901",
        "2026-11-23 10:32:01",
        "商户号898310058121234",
        "550e8400-e29b-41d4-a716-446655440000",
        "运单号SF1234567890123",
        "身份证11010519491231002Y",
        "卡号6222021234567890127",
        "version 1.2.3.4.5",
        "客户端版本3.2.1，客户反馈已处理",
        "CNY",
        "SUCCESS",
        "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709",
    ] {
        assert_eq!(found(set, None, text), [], "{text}");
    }
}

#[test]
fn patterns_and_builtins_together_merge_overlaps() {
    let mut specs = builtin_specs();
    specs.push(DetectorSpec {
        kind: DetectorKind::Pattern(r"MRN-\d{8}".to_owned()),
        category: Some("medical_record".to_owned()),
    });
    specs.push(DetectorSpec {
        kind: DetectorKind::Pattern(r"1381234".to_owned()),
        category: Some("prefix".to_owned()),
    });
    let set = DetectorSet::new(&specs, &ExtraLabels::default()).expect("compiles");
    assert_eq!(
        found(&set, None, "MRN-12345678 tel 13812345678"),
        [
            ("medical_record".to_owned(), "MRN-12345678".to_owned()),
            ("phone".to_owned(), "13812345678".to_owned()),
        ]
    );
}

#[test]
fn categories_and_extra_labels() {
    let specs = [DetectorSpec {
        kind: DetectorKind::Builtin(BuiltinDetector::Name),
        category: Some("person".to_owned()),
    }];
    let extra = ExtraLabels {
        name: vec!["乘车人".to_owned()],
        ..ExtraLabels::default()
    };
    let set = DetectorSet::new(&specs, &extra).expect("compiles");
    assert_eq!(
        found(&set, None, "乘车人：赵六，电话13812345678"),
        one("person", "赵六")
    );
    assert_eq!(found(&set, Some("乘车人"), "赵六"), one("person", "赵六"));
}

#[test]
fn errors_name_the_spec() {
    let specs = [
        DetectorSpec {
            kind: DetectorKind::Pattern("(unclosed".to_owned()),
            category: None,
        },
        DetectorSpec {
            kind: DetectorKind::Builtin(BuiltinDetector::Email),
            category: None,
        },
        DetectorSpec {
            kind: DetectorKind::Builtin(BuiltinDetector::Email),
            category: None,
        },
        DetectorSpec {
            kind: DetectorKind::Pattern("x*".to_owned()),
            category: None,
        },
    ];
    let errors = DetectorSet::new(&specs, &ExtraLabels::default()).expect_err("three bad specs");
    let indexes: Vec<usize> = errors.iter().map(|(i, _)| *i).collect();
    assert_eq!(indexes, [0, 2, 3]);
    assert!(errors[0].1.contains("invalid pattern"));
    assert!(errors[1].1.contains("email"));
}

#[test]
fn the_set_is_shareable_and_empty_sets_find_nothing() {
    fn shareable<T: Send + Sync>() {}
    shareable::<DetectorSet>();
    let set = DetectorSet::new(&[], &ExtraLabels::default()).expect("empty");
    assert!(set.is_empty());
    assert_eq!(found(&set, None, "13812345678"), []);
}

#[test]
fn appends_after_existing_matches() {
    let set = all();
    let mut out = vec![Match {
        start: 0,
        end: 1,
        spec: 0,
    }];
    set.scan(None, "13812345678", &mut out);
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[0],
        Match {
            start: 0,
            end: 1,
            spec: 0
        }
    );
}

fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "1",
        "3",
        "8",
        "6",
        "2",
        "0",
        "X",
        " ",
        "-",
        ".",
        ":",
        "@",
        "%",
        "%E5",
        "%BC",
        "%A0",
        "=",
        "&",
        "１",
        "３",
        "８",
        "\u{200B}",
        "\u{00AD}",
        "\u{FEFF}",
        "张",
        "三",
        "：",
        "，",
        "姓名",
        "地址",
        "护照",
        "name",
        "DOB",
        "a",
        "f",
        "/9j/",
        "Rk1SAA",
        "data:image/png;base64,",
        "\u{3000}",
        "é",
        "😀",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn spans_are_sorted_disjoint_and_on_char_boundaries(text in tricky_text(), keyed in any::<bool>()) {
        let set = all();
        let mut out = Vec::new();
        set.scan(keyed.then_some("name"), &text, &mut out);
        let mut last_end = 0;
        for m in &out {
            prop_assert!(m.start < m.end && m.end <= text.len());
            prop_assert!(m.start >= last_end);
            prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
            last_end = m.end;
        }
    }
}

/// ICBC's 19-digit 9558 debit cards were missing from the issuer list.
#[test]
fn icbc_9558_and_other_cn_issuers_in_free_text() {
    let set = all();
    for card in [
        "9558801001114978122",
        "9559980210373015416",
        "6013821234567890",
        "6033671000123456785",
        "8171999927660000",
    ] {
        let text = format!("工行卡{card}，已绑定");
        assert_eq!(found(set, None, &text), one("bank_card", card), "{text}");
    }
    // Same lengths and prefixes, Luhn digit off by one.
    for card in ["9558801001114978123", "6013821234567891"] {
        assert_eq!(found(set, None, card), [], "{card}");
    }
}
