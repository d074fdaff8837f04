//! `pii-proxy test` as a rules author runs it in CI: the shipped rules'
//! tests pass, a broken expectation fails with a readable diff and exit 1,
//! a case file that does not compile is positioned, a missing path is
//! trouble (exit 2); and `mask --diff --fail-on` turns a difference into
//! a failing exit for CI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The shipped rules carry tests, and they pass: this is how `cargo test`
/// (and so CI) runs them.
#[test]
fn the_shipped_rules_tests_pass() {
    let out = run_in(&root(), &["test", "rules/"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    for file in [
        "demo.test.yaml",
        "credit-bureau.test.yaml",
        "demo-next.test.yaml",
    ] {
        assert!(stdout.contains(file), "{file} was not run: {stdout}");
    }
    assert!(!stdout.contains("FAIL"), "{stdout}");
    assert!(
        !stdout.contains("no tests"),
        "every shipped rules file has tests: {stdout}"
    );
}

const RULES: &str = "\
subject: $.user.user_id
fields:
  - path: $.user.name
    category: name
    action: {mask: {keep_first: 1}}
  - keys: [mobile, 手机号]
    category: phone
    action: {mask: {keep_first: 3, keep_last: 4}}
  - path: $.user.id_number
    category: id_number
    action: encrypt
";

fn scratch(tests: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("rules")).expect("rules dir");
    std::fs::write(dir.path().join("rules/p.yaml"), RULES).expect("rules");
    std::fs::write(dir.path().join("rules/p.test.yaml"), tests).expect("tests");
    dir
}

#[test]
fn a_failed_case_prints_what_differs_and_exits_1() {
    let dir = scratch(
        "tests:\n\
         \x20 - name: passes\n\
         \x20   input: {user: {name: 张三丰, id_number: 11010519491231002X}}\n\
         \x20   output: {user: {name: 张**, id_number: \"{{encrypted}}\"}}\n\
         \x20 - name: expects the wrong mask and misses a finding\n\
         \x20   input: {user: {name: 张三丰, 手机号: \"13912345678\"}}\n\
         \x20   output: {user: {name: 张三丰, 手机号: 139****5678}}\n\
         \x20   findings:\n\
         \x20     - {path: $.user.name, action: mask}\n",
    );
    let out = run_in(dir.path(), &["test"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("  ok    passes"), "{stdout}");
    assert!(
        stdout
            .contains("  FAIL  rules/p.test.yaml:5:5: expects the wrong mask and misses a finding"),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#"$.user.name: expected "张三丰", got "张**""#),
        "{stdout}"
    );
    assert!(
        stdout.contains("+ finding $.user.手机号 phone mask (fields[1])"),
        "{stdout}"
    );
    assert!(
        stdout.contains("rules tests: 1 passed, 1 failed"),
        "{stdout}"
    );
}

#[test]
fn a_refusal_and_a_rules_file_beside_are_tested_by_naming_the_rules_file() {
    let dir = scratch(
        "tests:\n  - name: not JSON\n    input_json: '{\"a\": '\n    refused: invalid_json\n  - name: JSON\n    input: {a: 1}\n    refused: invalid_json\n",
    );
    let out = run_in(dir.path(), &["test", "rules/p.yaml"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("  ok    not JSON"), "{stdout}");
    assert!(
        stdout.contains("expected refusal `invalid_json`, but the document was accepted"),
        "{stdout}"
    );
}

#[test]
fn a_test_file_that_does_not_compile_is_positioned_and_exits_1() {
    let dir = scratch("tests:\n  - name: x\n    input: {}\n    expect: []\n");
    let out = run_in(dir.path(), &["test", "rules"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("rules/p.test.yaml:4:5: unknown field `expect`"),
        "{stderr}"
    );
    // A case that expects nothing is refused too, never counted as passed.
    std::fs::write(
        dir.path().join("rules/p.test.yaml"),
        "tests:\n  - name: x\n    input: {}\n",
    )
    .expect("write");
    let out = run_in(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("expects nothing"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_path_that_cannot_be_read_or_holds_no_test_is_trouble() {
    let dir = scratch("tests: []\n");
    let out = run_in(dir.path(), &["test", "missing/"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    std::fs::remove_file(dir.path().join("rules/p.test.yaml")).expect("rm");
    let out = run_in(dir.path(), &["test", "rules/p.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("rules/p.yaml: no tests (write rules/p.test.yaml)"));
}

#[test]
fn mask_diff_fails_on_the_differences_named_for_ci() {
    let dir = scratch("tests: []\n");
    let d = dir.path();
    std::fs::write(
        d.join("new.yaml"),
        RULES.replace(
            "category: name\n    action: {mask: {keep_first: 1}}",
            "category: name\n    action: allow",
        ),
    )
    .expect("new");
    std::fs::write(
        d.join("in.json"),
        r#"{"user":{"name":"张三丰","手机号":"13912345678"}}"#,
    )
    .expect("in");
    let diff = |extra: &[&str]| {
        let mut args = vec!["mask", "--diff", "rules/p.yaml", "new.yaml", "in.json"];
        args.extend_from_slice(extra);
        run_in(d, &args)
    };
    // Without --fail-on, a difference is reported, not failed.
    let out = diff(&[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("- $.user.name"),
        "{}",
        text(&out.stdout)
    );
    let out = diff(&["--fail-on", "left_unprotected"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("new.yaml would leave 1 field(s) unprotected (--fail-on)"),
        "{}",
        text(&out.stderr)
    );
    // Failing on another kind of difference passes.
    assert_eq!(
        diff(&["--fail-on", "newly_protected,changed"])
            .status
            .code(),
        Some(0)
    );
    // A rules file named on the command line that cannot be read: trouble.
    let out = run_in(
        d,
        &["mask", "--diff", "rules/p.yaml", "absent.yaml", "in.json"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("cannot read absent.yaml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn mask_table_columns_line_up_with_chinese_keys() {
    let dir = scratch("tests: []\n");
    let d = dir.path();
    std::fs::write(
        d.join("pii-proxy.yaml"),
        "listen: 127.0.0.1:0\npartners:\n  - id: p\n    route: /p/\n    upstream: builtin:echo\n    rules: rules/p.yaml\n",
    )
    .expect("config");
    pii_proxy::protect::Keyring::generate()
        .save(&d.join("keys/keyring.json"))
        .expect("keyring");
    std::fs::write(
        d.join("in.json"),
        r#"{"user":{"name":"张三丰","手机号":"13912345678","mobile":"13800138000"}}"#,
    )
    .expect("in");
    let out = run_in(d, &["mask", "--partner", "p", "--table", "in.json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let table: Vec<&str> = stderr
        .lines()
        .skip_while(|l| !l.starts_with("path"))
        .collect();
    assert_eq!(table.len(), 4, "{stderr}");
    // The display column where `category` starts is the same on every row.
    let column = |line: &str| {
        let at = line.find("  ").expect("two spaces after the path");
        let rest = &line[at..];
        let start = at + (rest.len() - rest.trim_start().len());
        unicode_columns(&line[..start])
    };
    let first = column(table[0]);
    for line in &table {
        assert_eq!(column(line), first, "{stderr}");
    }
}

/// Display columns of `text`: CJK ideographs take two, ASCII one (all this
/// test prints).
fn unicode_columns(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// keygen's one verdict is the refusal to overwrite (1); a keyring to
/// rotate that is missing or does not load is a file named on the command
/// line that cannot be read (2).
#[test]
fn keygen_rotate_of_a_missing_or_broken_keyring_is_trouble() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["keygen", "--out", "k.json", "--rotate"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("no keyring"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(dir.path().join("k.json"), "{not a keyring").expect("write");
    let out = run_in(dir.path(), &["keygen", "--out", "k.json", "--rotate"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = run_in(dir.path(), &["keygen", "--out", "k.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}
