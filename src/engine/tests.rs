use std::path::Path;

use super::*;
use crate::protect::Keyring;

fn policy(rules: &str) -> Policy {
    match Policy::from_yaml(
        Path::new("test.yaml"),
        rules,
        "demo",
        &Keyring::generate(),
        128,
    ) {
        Ok(policy) => policy,
        Err(errors) => panic!("{errors}"),
    }
}

fn run(policy: &Policy, input: &str) -> (String, Findings) {
    let crate::engine::Protected {
        output: out,
        findings,
        ..
    } = protect(policy, input.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let out = String::from_utf8(out).expect("UTF-8 out");
    serde_json::from_str::<serde_json::Value>(&out)
        .unwrap_or_else(|e| panic!("output is not JSON ({e}): {out}"));
    (out, findings)
}

fn field(path: &str, category: &str, action: &str) -> String {
    format!("fields:\n  - path: {path}\n    category: {category}\n    action: {action}\n")
}

#[test]
fn mask_keeps_what_the_rule_says_and_nothing_else_changes() {
    let p = policy(&field("$.user.name", "name", "{mask: {keep_first: 1}}"));
    let input = "{ \"user\" : {\"name\":\"张三丰\", \"age\": 1.50e1},\n  \"n\":[1, 2 ,3] }";
    let (out, findings) = run(&p, input);
    assert_eq!(out, input.replace("张三丰", "张**"));
    assert_eq!(findings.items.len(), 1);
    let finding = &findings.items[0];
    assert_eq!(
        (
            finding.path.as_str(),
            finding.category.as_str(),
            finding.action.as_str()
        ),
        ("$.user.name", "name", "mask")
    );
    assert_eq!(finding.rule.to_string(), "fields[0]");
}

#[test]
fn redact_with_default_and_configured_text() {
    let p = policy(&field("$.a", "x", "redact"));
    assert_eq!(run(&p, r#"{"a":"secret"}"#).0, r#"{"a":"[REDACTED]"}"#);
    let p = policy(&field("$.a", "x", "{redact: {text: \"***\"}}"));
    assert_eq!(run(&p, r#"{"a":{"deep":[1,2]}}"#).0, r#"{"a":"***"}"#);
}

#[test]
fn drop_removes_key_and_value_with_commas_right() {
    let p = policy(&field("$.b", "x", "drop"));
    for (input, expected) in [
        (r#"{"a":1,"b":2,"c":3}"#, r#"{"a":1,"c":3}"#),
        (r#"{"b":2,"c":3}"#, r#"{"c":3}"#),
        (r#"{"a":1,"b":2}"#, r#"{"a":1}"#),
        (r#"{"b":2}"#, r#"{}"#),
        ("{ \"b\" : [1,{\"x\":2}] , \"c\":3 }", "{ \"c\":3 }"),
        (r#"{"b":1,"b":2,"c":3,"b":4}"#, r#"{"c":3}"#),
    ] {
        assert_eq!(run(&p, input).0, expected, "{input}");
    }
    let (_, findings) = run(&p, r#"{"b":1,"b":2}"#);
    assert_eq!(findings.items.len(), 2, "every duplicate is protected");
}

#[test]
fn drop_in_arrays_keeps_the_list_valid() {
    let p = policy(&field("$.a[*].secret", "x", "drop"));
    assert_eq!(
        run(&p, r#"{"a":[{"secret":1},{"k":2,"secret":3}]}"#).0,
        r#"{"a":[{},{"k":2}]}"#
    );
    let p = policy(&field("$.a[1]", "x", "drop"));
    assert_eq!(run(&p, "[0]").0, "[0]");
    assert_eq!(run(&p, r#"{"a":[0,1,2]}"#).0, r#"{"a":[0,2]}"#);
    assert_eq!(run(&p, r#"{"a":[0,1]}"#).0, r#"{"a":[0]}"#);
    let p = policy(&field("$.a[0]", "x", "drop"));
    assert_eq!(run(&p, r#"{"a":[0, 1]}"#).0, r#"{"a":[1]}"#);
}

#[test]
fn hash_is_stable_per_partner_and_differs_across_partners() {
    let rules = field("$.id", "id_number", "hash");
    let keyring = Keyring::generate();
    let load = |partner| {
        Policy::from_yaml(Path::new("t"), &rules, partner, &keyring, 128).expect("compiles")
    };
    let (a, b) = (load("a"), load("b"));
    let input = r#"{"id":"110101199003074578"}"#;
    let hashed = |p: &Policy| run(p, input).0;
    assert_eq!(hashed(&a), hashed(&a));
    assert_ne!(hashed(&a), hashed(&b));
    let value: serde_json::Value = serde_json::from_str(&hashed(&a)).expect("json");
    assert_eq!(value["id"].as_str().expect("string").len(), 64);
}

#[test]
fn encrypt_round_trips_through_decrypt_for_strings_numbers_and_objects() {
    let p = policy(
        "fields:\n  - path: $.a\n    category: id_number\n    action: encrypt\n  - path: $.n\n    category: bank_card\n    action: encrypt\n  - path: $.o\n    category: address\n    action: encrypt\n",
    );
    let input =
        r#"{"a":"110101199003074578","n":6222021234567890128,"o":{"city":"北京","no":[1,2]}}"#;
    let (out, _) = run(&p, input);
    assert!(
        !out.contains("110101199003074578")
            && !out.contains("6222021234567890128")
            && !out.contains("北京")
    );
    let back = crate::engine::decrypt_document(&p, out.as_bytes()).expect("decrypts");
    assert_eq!(String::from_utf8(back.output).expect("utf8"), input);
    assert_eq!((back.restored, back.unopened.len()), (3, 0));
}

#[test]
fn tokenize_keeps_format_and_reverses() {
    let p = policy(&field("$.card", "bank_card", "{tokenize: {keep_last: 4}}"));
    let input = r#"{"card":"6222021234567890128"}"#;
    let (out, _) = run(&p, input);
    let token = serde_json::from_str::<serde_json::Value>(&out).expect("json")["card"]
        .as_str()
        .expect("s")
        .to_owned();
    assert_eq!(token.len(), 19);
    assert!(token.ends_with("0128") && token != "6222021234567890128");
    assert_eq!(run(&p, input).0, out, "deterministic for the partner");
    let back = crate::engine::decrypt_document(&p, out.as_bytes()).expect("detokenizes");
    assert_eq!(
        (
            String::from_utf8(back.output).expect("utf8").as_str(),
            back.restored
        ),
        (input, 1)
    );
}

#[test]
fn every_selector_form_matches() {
    let cases = [
        (
            "$.a.b",
            r#"{"a":{"b":"x","c":"y"}}"#,
            r#"{"a":{"b":"*","c":"y"}}"#,
        ),
        (
            "$['身份证号']",
            r#"{"身份证号":"x","b":"y"}"#,
            r#"{"身份证号":"*","b":"y"}"#,
        ),
        ("$.l[*]", r#"{"l":["x","y"]}"#, r#"{"l":["*","*"]}"#),
        ("$.l[1]", r#"{"l":["x","y"]}"#, r#"{"l":["x","*"]}"#),
        (
            "$..k",
            r#"{"k":"x","a":[{"k":"y"}],"b":{"c":{"k":"z"}}}"#,
            r#"{"k":"*","a":[{"k":"*"}],"b":{"c":{"k":"*"}}}"#,
        ),
        (
            "$.o.*",
            r#"{"o":{"a":"x","b":"y"}}"#,
            r#"{"o":{"a":"*","b":"*"}}"#,
        ),
        ("$", r#""x""#, r#""*""#),
    ];
    for (path, input, expected) in cases {
        let p = policy(&field(&format!("\"{path}\""), "x", "mask"));
        assert_eq!(run(&p, input).0, expected, "{path}");
    }
}

#[test]
fn keys_match_any_depth_case_and_separator_insensitively() {
    let p = policy("fields:\n  - keys: [idNumber, 手机号]\n    category: x\n    action: redact\n");
    let input = r#"{"ID_NUMBER":"a","x":{"id-number":"b","list":[{"IdNumber":"c"}]},"手机号":"d","other":"e"}"#;
    let (out, findings) = run(&p, input);
    assert_eq!(out.matches("[REDACTED]").count(), 4, "{out}");
    assert!(out.contains(r#""other":"e""#));
    assert_eq!(findings.items[2].path, "$.x.list[0].IdNumber");
}

#[test]
fn builtin_keys_cover_pinyin_and_chinese_names() {
    let p = policy("fields:\n  - keys: builtin\n    action: redact\n");
    let input =
        r#"{"sfzh":"a","银行卡号":"b","realName":"c","faceImage":"d","imei":"e","orderNo":"f"}"#;
    let (out, findings) = run(&p, input);
    assert!(out.ends_with(r#""orderNo":"f"}"#), "{out}");
    let categories: Vec<&str> = findings.items.iter().map(|f| &*f.category).collect();
    assert_eq!(
        categories,
        ["id_number", "bank_card", "name", "biometric", "device"]
    );
}

#[test]
fn escaped_keys_are_decoded_before_matching() {
    let p = policy(&field("$.id_number", "id_number", "redact"));
    let (out, findings) = run(&p, r#"{"id\u005fnumber":"110101199003074578"}"#);
    assert_eq!(out, r#"{"id\u005fnumber":"[REDACTED]"}"#);
    assert_eq!(findings.items[0].path, "$.id_number");
}

#[test]
fn unknown_fields_drop_keeps_only_named_fields() {
    let p = policy(
        "unknown_fields: drop\nfields:\n  - path: $.user.name\n    category: name\n    action: {mask: {keep_first: 1}}\n  - path: $.amount\n    category: amount\n    action: allow\n  - path: $.items[*].sku\n    category: product\n    action: allow\n",
    );
    let input = r#"{"user":{"id":1,"name":"张三","phone":"13812345678"},"amount":{"v":10,"c":"CNY"},"extra":{"a":1},"items":[{"sku":"A","p":1},{"p":2}],"z":null}"#;
    let (out, _) = run(&p, input);
    assert_eq!(
        out,
        r#"{"user":{"name":"张*"},"amount":{"v":10,"c":"CNY"},"items":[{"sku":"A"}]}"#
    );
}

#[test]
fn containers_under_mask_have_every_leaf_masked() {
    let p = policy(&field("$.addr", "address", "{mask: {keep_first: 1}}"));
    let (out, findings) = run(
        &p,
        r#"{"addr":{"city":"北京市","no":12345,"ok":true,"n":null}}"#,
    );
    assert_eq!(
        out,
        r#"{"addr":{"city":"北**","no":"1****","ok":true,"n":null}}"#
    );
    assert_eq!(findings.items.len(), 1);
}

#[test]
fn json_inside_strings_is_protected_and_reencoded() {
    let p = policy(&field("$..card", "bank_card", "{mask: {keep_last: 4}}"));
    let inner = r#"{\"card\":\"6222021234567890128\",\"memo\":\"{\\\"card\\\":\\\"4111111111111111\\\"}\"}"#;
    let input = format!(r#"{{"payload":"{inner}","n":1}}"#);
    let (out, findings) = run(&p, &input);
    assert!(
        !out.contains("6222021234567890128") && !out.contains("4111111111111111"),
        "{out}"
    );
    let outer: serde_json::Value = serde_json::from_str(&out).expect("json");
    let payload: serde_json::Value =
        serde_json::from_str(outer["payload"].as_str().expect("s")).expect("inner json");
    assert_eq!(payload["card"], "***************0128");
    let paths: Vec<&str> = findings.items.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["$.payload.card", "$.payload.memo.card"]);
}

#[test]
fn pattern_detectors_replace_only_the_span() {
    let p = policy(
        "detect:\n  - pattern: 'MRN-\\d{8}'\n    category: medical_record\n    action: {mask: {keep_first: 4}}\n",
    );
    let (out, findings) = run(
        &p,
        r#"{"note":"patient MRN-12345678 seen","k":"MRN-00000000"}"#,
    );
    assert_eq!(
        out,
        r#"{"note":"patient MRN-******** seen","k":"MRN-********"}"#
    );
    assert_eq!(findings.items.len(), 2);
    assert_eq!(findings.items[0].rule.to_string(), "detect:pattern[0]");
}

#[test]
fn detectors_see_decoded_text_and_numbers_and_keys() {
    let p = policy(
        "detect:\n  - pattern: '\\d{11}'\n    category: phone\n    action: {mask: {keep_first: 3, keep_last: 4}}\n",
    );
    let (out, _) = run(
        &p,
        r#"{"a":"tel \u0031\u0033812345678","n":13812345678,"m":{"13912345678":"x"}}"#,
    );
    assert_eq!(
        out,
        r#"{"a":"tel 138****5678","n":"138****5678","m":{"139****5678":"x"}}"#
    );
}

#[test]
fn detector_drop_removes_the_member() {
    let p = policy("detect:\n  - pattern: 'SECRET'\n    category: x\n    action: drop\n");
    assert_eq!(run(&p, r#"{"a":"has SECRET","b":"ok"}"#).0, r#"{"b":"ok"}"#);
}

#[test]
fn subject_is_captured_but_never_shown() {
    let p = policy("subject: $.user.user_id\n");
    let (_, findings) = run(&p, r#"{"user":{"user_id":"U-42"}}"#);
    let subject = findings.subjects.first().cloned().expect("captured");
    assert_eq!(subject.expose(), "U-42");
    assert!(!format!("{subject:?}").contains("U-42"));
}

#[test]
fn refusals_carry_position_and_code_but_no_value() {
    let p = policy("{}");
    let err = protect(&p, b"{\n  \"a\": 1,\n  \"b\": tru }").expect_err("bad literal");
    assert_eq!((err.code(), err.line, err.column), ("invalid_json", 3, 8));
    assert!(err.to_string().starts_with("line 3 column 8: "), "{err}");
    let err = protect(&p, br#"{"card":"6222021234567890128",}"#).expect_err("trailing comma");
    assert!(!err.to_string().contains("6222"), "{err}");
    let deep = "[".repeat(200) + &"]".repeat(200);
    assert_eq!(
        protect(&p, deep.as_bytes()).expect_err("too deep").code(),
        "too_deep"
    );
}

#[test]
fn a_key_a_detector_rewrites_is_read_as_rewritten_below_it() {
    // A card number used as a key, holding an object: the keys inside are
    // classified with the rewritten key as their owner (no stale range).
    let p = policy(
        "fields:\n  - keys: builtin\n    action: redact\ndetect:\n  - detector: bank_card\n    action: {redact: {text: \"x\"}}\n",
    );
    let (out, _) = run(
        &p,
        r#"{"contacts":{"6222021234567890128":{"relation":"spouse","name":"王华"}}}"#,
    );
    assert!(!out.contains("6222021234567890128"), "{out}");
    assert!(out.contains("spouse"), "{out}");
}

#[test]
fn a_name_the_document_declares_is_protected_where_it_is_repeated() {
    let p = policy(
        "fields:\n  - keys: builtin\n    category: name\n    action: {mask: {keep_first: 1}}\ndetect:\n  - detector: name\n    action: {mask: {keep_first: 1}}\n",
    );
    let input = r#"{"note":"易静预付定金，Paid by CHEN/JINGTAO","payee_nm":"陈静涛","memo":"丁博欣房租押金","to":{"name":"丁博欣"}}"#;
    let (out, findings) = run(&p, input);
    assert!(!out.contains("CHEN/JINGTAO"), "{out}");
    assert!(!out.contains("丁博欣"), "{out}");
    assert!(!out.contains("陈静涛"), "{out}");
    let paths: Vec<&str> = findings.items.iter().map(|f| f.path.as_str()).collect();
    assert!(
        paths.contains(&"$.note") && paths.contains(&"$.memo"),
        "{paths:?}"
    );
    assert!(
        !format!("{findings:?}").contains("丁博欣"),
        "names never in Debug"
    );
    // A document naming nobody twice is walked once, and is unchanged
    // where it names nobody.
    let (out, _) = run(&p, r#"{"memo":"房租押金","n":1}"#);
    assert_eq!(out, r#"{"memo":"房租押金","n":1}"#);
    // Echoes the detectors read in every spelling: escaped (ensure_ascii),
    // inside JSON in a string, inside base64-wrapped pairs.
    let escaped = r#"{"memo":"\u4e01\u535a\u6b23\u623f\u79df","to":{"name":"\u4e01\u535a\u6b23"}}"#;
    let (out, findings) = run(&p, escaped);
    assert!(
        !out.contains(r"\u4e01\u535a\u6b23") && !out.contains("丁博欣"),
        "{out}"
    );
    assert!(findings.items.iter().any(|f| f.path == "$.memo"), "{out}");
    let nested = r#"{"ext":"{\"memo\":\"丁博欣房租\"}","to":{"name":"丁博欣"}}"#;
    let (out, _) = run(&p, nested);
    assert!(!out.contains("丁博欣"), "{out}");
    use base64::Engine as _;
    let wrapped = base64::engine::general_purpose::STANDARD.encode("memo=丁博欣房租&amt=1");
    let (out, _) = run(
        &p,
        &format!(r#"{{"info":"{wrapped}","to":{{"name":"丁博欣"}}}}"#),
    );
    assert!(
        !out.contains(&wrapped),
        "the wrapped echo is protected: {out}"
    );
}

#[test]
fn a_goods_id_shaped_like_a_mobile_number_is_an_id() {
    let p = policy(
        "fields:\n  - keys: builtin\n    action: redact\ndetect:\n  - detector: cn_mobile\n    action: {redact: {text: \"M\"}}\n",
    );
    let input = r#"{"item_list":[{"goods_id":13424594656,"sku_id":"15912345678"}],"trade_no":" 13812345678 ","remark":"13812345678","order_no":"改派13700001111"}"#;
    let (out, _) = run(&p, input);
    for kept in ["13424594656", "15912345678", " 13812345678 "] {
        assert!(out.contains(kept), "{kept}: {out}");
    }
    // Not under an identifier's key, or inside other text: a phone.
    assert!(out.contains(r#""remark":"M""#), "{out}");
    assert!(!out.contains("13700001111"), "{out}");
}

#[test]
fn a_masked_address_object_keeps_its_regions_as_a_masked_address_keeps_its_start() {
    let builtin = policy(
        "fields:\n  - keys: builtin\n    category: address\n    action: {mask: {keep_first: 2}}\n",
    );
    let input = r#"{"recipient":{"address":{"province":{"id":53,"name":"云南省"},"city":"昆明市","town":"西山区","detail":"滇池路1936号嘉禾里31号楼1-406","note":"放门口"}}}"#;
    let (out, _) = run(&builtin, input);
    for kept in ["云南省", "昆明市", "西山区"] {
        assert!(out.contains(kept), "{kept}: {out}");
    }
    for masked in ["滇池路1936号", "放门口"] {
        assert!(!out.contains(masked), "{masked}: {out}");
    }
    // Named by path, the object is protected whole.
    let by_path = policy(
        "fields:\n  - path: $.recipient.address\n    category: address\n    action: {mask: {keep_first: 0}}\n",
    );
    let (out, _) = run(&by_path, input);
    for masked in ["云南省", "昆明市", "西山区", "滇池路1936号"] {
        assert!(!out.contains(masked), "{masked}: {out}");
    }
}

#[test]
fn a_detector_that_is_off_does_not_hide_a_phone_inside_an_address() {
    let p = policy("detect:\n  - detector: cn_mobile\n    action: {redact: {text: \"M\"}}\n");
    let (out, _) = run(
        &p,
        r#"{"address":"北京市朝阳区建国路88号 电话13812345678","birth_date":"13812345678"}"#,
    );
    assert!(!out.contains("13812345678"), "{out}");
}
