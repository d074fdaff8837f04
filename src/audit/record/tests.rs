use super::*;
use crate::audit::chain::{GENESIS, line_intact};

fn label(text: &str) -> Ident {
    Ident::new(text).expect("valid label")
}

pub(crate) fn sample_share() -> Share {
    let hasher = SubjectHasher::new(&[1; 32]);
    Share {
        id: Ident::new("req-1").expect("id"),
        partner: label("credit-bureau"),
        method: label("POST"),
        path: AuditPath::from_request("/v1/query?id=110101199003077777"),
        subject: Some(hasher.hash("110101199003077777")),
        consent: Consent::Granted,
        subjects: Vec::new(),
        subject_parts: 0,
        fields_total: None,
        classes: Default::default(),
        fields: vec![Finding::by_rule(
            FieldPath::new("$.user.id_number"),
            label("id_number"),
            label("encrypt"),
            1,
        )],
        rules_version: RulesVersion::of_policy(b"rules"),
        bytes_in: 1024,
        bytes_out: 1100,
        cross_border: None,
        export_basis: None,
        partner_name: None,
        scenario: None,
        consent_decisions: Vec::new(),
        consent_decisions_more: None,
        candidate: None,
    }
}

#[test]
fn share_line_has_the_documented_member_order() {
    let mut buf = Vec::new();
    let body = Body::Share(sample_share());
    encode(
        &mut buf,
        &ChainKey::Plain,
        1,
        "2026-11-23T05:00:00.123Z",
        None,
        &body,
        GENESIS,
    );
    let line = std::str::from_utf8(&buf).expect("utf8");
    assert!(line.ends_with("\"}\n"));
    let keys = [
        "\"seq\":1,",
        "\"ts\":",
        "\"kind\":\"share\"",
        "\"id\":",
        "\"partner\":",
        "\"method\":",
        "\"path\":\"/v1/query\"",
        "\"subject\":\"hmac:",
        "\"consent\":\"granted\"",
        "\"fields\":[{\"path\":\"$.user.id_number\",\"category\":\"id_number\",\"action\":\"encrypt\",\"rule\":1}]",
        "\"rules_version\":\"sha256:",
        "\"bytes_in\":1024",
        "\"bytes_out\":1100",
        "\"prev\":",
        "\"hash\":",
    ];
    let mut at = 0;
    for key in keys {
        let found = line[at..]
            .find(key)
            .unwrap_or_else(|| panic!("{key} after {at} in {line}"));
        at += found + key.len();
    }
    assert!(!line.contains("cross_border"));
    assert_eq!(
        line_intact(&ChainKey::Plain, &buf[..buf.len() - 1]),
        Some(true)
    );
    let record: Record = serde_json::from_slice(&buf).expect("reads back");
    assert_eq!(record.body, body);
    assert_eq!(record.seq, 1);
    assert_eq!(record.prev, GENESIS);
}

#[test]
fn reading_refuses_unknown_members_and_unsanitized_values() {
    let mut buf = Vec::new();
    encode(
        &mut buf,
        &ChainKey::Plain,
        1,
        "t",
        None,
        &Body::Share(sample_share()),
        GENESIS,
    );
    let line = String::from_utf8(buf).expect("utf8");
    let extra = line.replace("\"consent\":", "\"note\":\"x\",\"consent\":");
    assert!(serde_json::from_str::<Record>(&extra).is_err());
    let raw = line.replace(
        "\"path\":\"/v1/query\"",
        "\"path\":\"/v1/110101199003077777\"",
    );
    assert!(serde_json::from_str::<Record>(&raw).is_err());
}

#[test]
fn labels_refuse_what_looks_like_personal_data() {
    assert!(Ident::new("credit-bureau").is_ok());
    assert!(Ident::new("pattern:2").is_ok());
    assert!(Ident::new("13812345678").is_err());
    assert!(Ident::new("a@b.cn").is_err());
    assert!(Ident::new("医疗记录").is_ok());
    assert!(Ident::new("").is_err());
    let message = Ident::new("110101199003077777")
        .expect_err("refused")
        .to_string();
    assert!(!message.contains("110101"));
}

#[test]
fn paths_lose_queries_and_value_like_segments() {
    let cases = [
        ("/v1/query?id=110101199003077777", "/v1/query"),
        ("/v1/users/110101199003077777/card", "/v1/users/*/card"),
        ("/v1/users/a@b.cn", "/v1/users/*"),
        ("/v1/%E5%BC%A0%E4%B8%89#frag", "/v1/*"),
        ("/v1/张三/x", "/v1/*/x"),
        ("/v2/orders/12345", "/v2/orders/12345"),
        ("/v1/cards/6222-0212-3456-7890", "/v1/cards/*"),
        ("/v1/people/zhangsanfeng/cards", "/v1/people/*/cards"),
        ("relative", "/relative"),
        ("", "/"),
    ];
    for (input, expected) in cases {
        assert_eq!(AuditPath::from_request(input).as_str(), expected, "{input}");
    }
}

#[test]
fn field_paths_blank_value_like_keys() {
    let cases = [
        ("$.user.id_number", "$.user.id_number"),
        ("$.items[2].phone", "$.items[2].phone"),
        ("$.contacts.13812345678.name", "$.contacts.*.name"),
        ("$['a@b.cn']", "$['*']"),
        ("$['手机号']", "$['手机号']"),
        ("$['a.b'].c", "$['a.b'].c"),
        ("$[\"13812345678\"]", "$[\"*\"]"),
        ("$['unterminated", "$['unterminated"),
        ("$.by_id['1101-0519-4912-3100-2X']", "$.by_id['*']"),
        ("query:138.0013.8000", "query:*.*.*"),
        ("query:ip.192.168.1.20", "query:ip.*.*.*.*"),
        ("$.v1.2.items", "$.v1.2.items"),
        ("$.orders[3].sku", "$.orders[3].sku"),
        ("$.张三丰.mobile", "$.*.mobile"),
        ("$.users.zhangsanfeng.card", "$.users.*.card"),
        ("$['Zhang San'].phone", "$['*'].phone"),
        ("$.联系人.手机号", "$.联系人.手机号"),
    ];
    for (input, expected) in cases {
        assert_eq!(FieldPath::new(input).as_str(), expected, "{input}");
    }
}

#[test]
fn subject_hash_is_keyed_and_stable() {
    let a = SubjectHasher::new(&[1; 32]);
    let b = SubjectHasher::new(&[2; 32]);
    let id = "110101199003077777";
    assert_eq!(a.hash(id), a.hash(id));
    assert_ne!(a.hash(id), b.hash(id));
    assert!(a.hash(id).as_str().starts_with("hmac:"));
    assert_eq!(a.hash(id).as_str().len(), 5 + 64);
    assert!(!format!("{a:?}").contains("1, 1"));
}

#[test]
fn rules_versions_have_one_shape() {
    assert!(
        RulesVersion::of_policy(b"x")
            .as_str()
            .starts_with("sha256:")
    );
    let version = RulesVersion::of_policy(b"x");
    assert_eq!(RulesVersion::parse(version.as_str()).ok(), Some(version));
    assert!(RulesVersion::parse("sha256:110101199003077777").is_err());
    assert!(RulesVersion::parse("v1").is_err());
    assert!(RulesVersion::parse("sha256:ZZZZZZZZZZZZZZZZ").is_err());
}
