use std::path::Path;

use super::*;
use crate::diag::Diagnostics;

fn compile(text: &str) -> Result<Policy, Diagnostics> {
    Policy::from_yaml(
        Path::new("rules/x.yaml"),
        text,
        "p",
        &Keyring::generate(),
        128,
    )
}

/// The single problem reported for `text`, as (line, column, message).
fn problem(text: &str) -> (u64, u64, String) {
    let problems = compile(text).expect_err("rules should be refused").0;
    assert_eq!(problems.len(), 1, "{problems:?}");
    let d = &problems[0];
    assert!(
        d.to_string()
            .starts_with(&format!("rules/x.yaml:{}:{}: ", d.line, d.column))
    );
    (d.line, d.column, d.message.clone())
}

#[test]
fn a_full_rules_file_compiles() {
    let policy = compile(
        r#"
subject: $.user.user_id
unknown_fields: drop
fields:
  - path: $.user.name
    category: name
    action: {mask: {keep_first: 1}}
  - path: $..id_number
    category: id_number
    action: encrypt
  - keys: [mobile, phoneNumber, 手机号]
    category: phone
    action: {mask: {keep_first: 3, keep_last: 4}}
  - keys: builtin
    category: bank_card
    action: {tokenize: {keep_last: 4}}
  - keys: builtin
    action: redact
  - path: $.amount
    category: amount
    action: allow
detect:
  - detector: cn_resident_id
    action: hash
  - pattern: '\bMRN-\d{8}\b'
    category: medical_record
    action: {redact: {text: "<mrn>"}}
headers:
  - name: X-Phone-Number
    action: {mask: {keep_last: 4}}
query:
  - name: mobile
    category: phone
    action: drop
"#,
    );
    let policy = match policy {
        Ok(policy) => policy,
        Err(errors) => panic!("{errors}"),
    };
    assert_eq!(policy.rules.len(), 6);
    assert_eq!(
        policy.selectors.len(),
        4,
        "three path rules and the subject"
    );
    assert_eq!(policy.subject.selectors, [3]);
    assert!(!policy.subject.optional);
    assert_eq!(policy.unknown_fields, UnknownFields::Drop);
    assert_eq!(policy.key_index["phonenumber"].rule, 2);
    use crate::vocab::Category;
    assert_eq!(
        policy
            .builtin_keys
            .rule(Category::BankCard)
            .map(|(r, c)| (r, &**c)),
        Some((3, "bank_card")),
        "the earlier builtin rule keeps its category"
    );
    assert_eq!(
        policy
            .builtin_keys
            .rule(Category::IdNumber)
            .map(|(r, c)| (r, &**c)),
        Some((4, "id_number")),
        "keys: builtin without category covers every built-in category"
    );
    assert!(
        !policy.key_index.contains_key("bankcardno"),
        "built-in keys go through the classifier, not the key index"
    );
    assert_eq!(&*policy.header_rules["xphonenumber"].category, "phone");
    assert_eq!(policy.detect_rules.len(), 2);
    assert!(policy.version.as_str().starts_with("sha256:"));
}

#[test]
fn yaml_syntax_error_has_its_position() {
    let (line, _, _) = problem("fields:\n  - path: [unclosed\n");
    assert!(line >= 2);
}

#[test]
fn unknown_key_is_refused_where_it_stands() {
    let (line, column, message) =
        problem("fields:\n  - path: $.a\n    category: name\n    action: drop\n    colour: red\n");
    assert_eq!((line, column), (5, 5));
    assert!(message.contains("colour"), "{message}");
}

#[test]
fn bad_path_points_at_the_path() {
    let (line, column, message) =
        problem("fields:\n  - path: user.name\n    category: name\n    action: drop\n");
    assert_eq!((line, column), (2, 11));
    assert!(message.contains("invalid path"), "{message}");
}

#[test]
fn unknown_detector_lists_the_known_ones() {
    let (line, column, message) = problem("detect:\n  - detector: ssn\n    action: redact\n");
    assert_eq!((line, column), (2, 15));
    assert!(
        message.contains("unknown detector `ssn`") && message.contains("cn_resident_id"),
        "{message}"
    );
}

#[test]
fn bad_regex_points_at_the_pattern() {
    let (line, column, message) =
        problem("detect:\n  - pattern: 'a(b'\n    category: x\n    action: redact\n");
    assert_eq!((line, column), (2, 14));
    assert!(message.contains("pattern"), "{message}");
}

#[test]
fn unknown_action_is_refused() {
    let (line, _, message) =
        problem("fields:\n  - path: $.a\n    category: name\n    action: scramble\n");
    assert_eq!(line, 4);
    assert!(message.contains("scramble"), "{message}");
}

#[test]
fn unknown_action_parameter_is_refused() {
    let (line, _, message) = problem(
        "fields:\n  - path: $.a\n    category: name\n    action: {mask: {keep_middle: 1}}\n",
    );
    assert_eq!(line, 4);
    assert!(message.contains("keep_middle"), "{message}");
}

#[test]
fn tokenize_below_the_ff1_domain_is_refused() {
    let (line, column, message) = problem(
        "fields:\n  - path: $.p\n    category: phone\n    action: {tokenize: {keep_last: 6}}\n",
    );
    assert_eq!((line, column), (4, 13));
    assert!(message.contains("FF1"), "{message}");
    let (_, _, message) =
        problem("fields:\n  - path: $.x\n    category: coupon\n    action: tokenize\n");
    assert!(message.contains("min_digits"), "{message}");
}

#[test]
fn missing_category_and_selector_are_refused() {
    let (line, column, message) = problem("fields:\n  - path: $.a\n    action: drop\n");
    assert_eq!((line, column), (2, 5));
    assert!(message.contains("category"), "{message}");
    let (_, _, message) = problem("fields:\n  - category: name\n    action: drop\n");
    assert!(message.contains("`path` or `keys`"), "{message}");
    let (_, _, message) =
        problem("fields:\n  - path: $.a\n    keys: [a]\n    category: name\n    action: drop\n");
    assert!(message.contains("not both"), "{message}");
}

#[test]
fn builtin_keys_need_a_known_dictionary() {
    let (line, column, message) =
        problem("fields:\n  - keys: builtin\n    category: coupon\n    action: drop\n");
    assert_eq!((line, column), (2, 11));
    assert!(message.contains("no built-in key dictionary"), "{message}");
}

#[test]
fn allow_is_not_a_detector_action() {
    let (line, _, message) = problem("detect:\n  - detector: email\n    action: allow\n");
    assert_eq!(line, 3);
    assert!(message.contains("must protect"), "{message}");
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let problems = compile(
        "fields:\n  - path: nope\n    category: a\n    action: drop\ndetect:\n  - detector: nope\n    action: redact\n  - pattern: '('\n    category: b\n    action: redact\n",
    )
    .expect_err("three problems")
    .0;
    let lines: Vec<u64> = problems.iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![2, 6, 8], "{problems:?}");
    assert!(
        problems.iter().all(|d| !d.message.contains('\n')),
        "one line each: {problems:?}"
    );
}

#[test]
fn consent_mode_is_read_positioned_and_checked() {
    let policy = compile("fields: []\n").expect("compiles");
    assert_eq!(policy.consent, ConsentMode::Revocable);
    assert!(policy.consent_at.is_none());
    let policy = compile("subject: $.u\nconsent: required\n").expect("compiles");
    assert_eq!(policy.consent, ConsentMode::Required);
    let at = policy.consent_at.expect("position");
    assert_eq!((at.line(), at.column()), (2, 10));
    let (line, column, message) = problem("consent: maybe\n");
    assert_eq!((line, column), (1, 10), "{message}");
    assert!(message.contains("maybe"), "{message}");
    let (line, _, message) = problem("consent: required\nconsnet: x\n");
    assert_eq!(line, 2);
    assert!(message.contains("consnet"), "{message}");
}

#[test]
fn rule_sites_keep_category_action_and_position() {
    let policy = compile(
        "\
fields:
  - path: $.id
    category: id_number
    action: allow
  - keys: builtin
    action: drop
headers:
  - name: x-card
    category: bank_card
    action: hash
detect:
  - detector: biometric
    action: drop
",
    )
    .expect("compiles");
    let site = |category: &str, kind: SiteKind| {
        policy
            .sites
            .iter()
            .find(|s| &*s.category == category && s.kind == kind)
            .unwrap_or_else(|| panic!("{category} {kind:?} in {:?}", policy.sites))
    };
    let id = site("id_number", SiteKind::Path);
    assert_eq!(id.action, Action::Allow);
    assert_eq!((id.at.line(), id.at.column()), (4, 13));
    // `keys: builtin` without a category stands for every built-in category.
    assert_eq!(site("bank_card", SiteKind::Keys).action, Action::Drop);
    assert_eq!(site("biometric", SiteKind::Keys).at.line(), 6);
    assert_eq!(site("bank_card", SiteKind::Header).action, Action::Hash);
    let detector = site("biometric", SiteKind::Detector(BuiltinDetector::Biometric));
    assert_eq!(detector.at.line(), 13);
}
