//! What a case expects, compared with what the engine did, as a list of
//! readable differences (empty: the case passes).
//!
//! Output is compared as JSON values (key order and spacing do not count);
//! a string in the expected output may hold shapes (`{{encrypted}}`,
//! `{{hash}}`, `{{any}}`, `{{digits:N}}`) for the values that change with
//! every keyring. Knows nothing of files or of how the output was made.

use regex::Regex;
use serde_json::Value;

use super::file::ExpectedFinding;
use crate::engine::Finding;

/// The findings expected against those reported: each expected one must
/// match a distinct reported one, and none may be left over.
pub(super) fn findings(expected: &[ExpectedFinding], actual: &[Finding]) -> Vec<String> {
    let mut unmatched: Vec<&Finding> = actual.iter().collect();
    let mut problems = Vec::new();
    for want in expected {
        match unmatched.iter().position(|got| finding_matches(want, got)) {
            Some(i) => {
                unmatched.remove(i);
            }
            None => problems.push(format!("- finding {}", describe_expected(want))),
        }
    }
    for got in unmatched {
        problems.push(format!("+ finding {}", describe(got)));
    }
    problems
}

fn finding_matches(want: &ExpectedFinding, got: &Finding) -> bool {
    let same = |want: &Option<String>, got: &str| want.as_deref().is_none_or(|w| w == got);
    want.path == got.path
        && same(&want.category, got.category.as_str())
        && same(&want.action, got.action.as_str())
        && same(&want.rule, &got.rule.to_string())
}

fn describe_expected(f: &ExpectedFinding) -> String {
    let part = |p: &Option<String>| p.as_deref().unwrap_or("*").to_owned();
    format!(
        "{} {} {} ({})",
        f.path,
        part(&f.category),
        part(&f.action),
        part(&f.rule)
    )
}

fn describe(f: &Finding) -> String {
    format!("{} {} {} ({})", f.path, f.category, f.action, f.rule)
}

/// The expected document against the one produced, one line per place
/// they differ (`$.user.name: expected "张*", got "张三"`).
pub(super) fn output(expected: &Value, actual: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    compare("$", expected, actual, &mut problems);
    problems
}

fn compare(path: &str, expected: &Value, actual: &Value, problems: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => compare_objects(path, want, got, problems),
        (Value::Array(want), Value::Array(got)) => compare_arrays(path, want, got, problems),
        (Value::String(shape), Value::String(text)) if shape.contains("{{") => {
            compare_shape(path, shape, text, problems)
        }
        (want, got) if want == got => {}
        (want, got) => problems.push(format!("{path}: expected {want}, got {got}")),
    }
}

/// Every expected member compared, then every member not expected.
fn compare_objects(
    path: &str,
    want: &serde_json::Map<String, Value>,
    got: &serde_json::Map<String, Value>,
    problems: &mut Vec<String>,
) {
    for (key, value) in want {
        let at = member_path(path, key);
        match got.get(key) {
            Some(found) => compare(&at, value, found, problems),
            None => problems.push(format!("{at}: expected {}, but it is missing", value)),
        }
    }
    for (key, value) in got {
        if !want.contains_key(key) {
            let at = member_path(path, key);
            problems.push(format!("{at}: not expected, got {value}"));
        }
    }
}

/// The elements both have compared in order, then their counts.
fn compare_arrays(path: &str, want: &[Value], got: &[Value], problems: &mut Vec<String>) {
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        compare(&format!("{path}[{i}]"), w, g, problems);
    }
    if want.len() != got.len() {
        problems.push(format!(
            "{path}: expected {} elements, got {}",
            want.len(),
            got.len()
        ));
    }
}

/// A string holding shapes against the text produced.
fn compare_shape(path: &str, shape: &str, text: &str, problems: &mut Vec<String>) {
    match shape_regex(shape) {
        Ok(re) if re.is_match(text) => {}
        Ok(_) => problems.push(format!(
            "{path}: expected the shape {shape:?}, got {text:?}"
        )),
        Err(e) => problems.push(format!("{path}: {e}")),
    }
}

fn member_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_owned()))
    }
}

/// The regular expression of a string holding shapes: the text around
/// them literal, the whole string matched.
fn shape_regex(shape: &str) -> Result<Regex, String> {
    let mut pattern = String::from("^");
    let mut rest = shape;
    while let Some(start) = rest.find("{{") {
        pattern.push_str(&regex::escape(&rest[..start]));
        let Some(len) = rest[start..].find("}}") else {
            return Err(format!(
                "unclosed shape in {shape:?} (`{{{{` without `}}}}`)"
            ));
        };
        let name = rest[start + 2..start + len].trim();
        pattern.push_str(&shape_pattern(name)?);
        rest = &rest[start + len + 2..];
    }
    pattern.push_str(&regex::escape(rest));
    pattern.push('$');
    Regex::new(&pattern).map_err(|e| format!("shape {shape:?}: {e}"))
}

fn shape_pattern(name: &str) -> Result<String, String> {
    Ok(match name {
        "encrypted" => "pii:(?:v1|sm1):[A-Za-z0-9_.-]+:[A-Za-z0-9_-]+".to_owned(),
        "hash" => "[0-9a-f]{64}".to_owned(),
        "any" => "(?s:.*)".to_owned(),
        _ => match name.strip_prefix("digits:").map(str::trim) {
            Some(n) if n.parse::<u16>().is_ok() => format!("[0-9]{{{n}}}"),
            _ => {
                return Err(format!(
                    "unknown shape `{{{{{name}}}}}`: expected encrypted, hash, any or digits:N"
                ));
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_match_what_changes_with_the_keys_and_nothing_else() {
        let want = json!({
            "id": "{{encrypted}}",
            "device": "{{hash}}",
            "card": "{{digits:15}}0128",
            "note": "{{any}}",
            "name": "张**"
        });
        let got = json!({
            "id": "pii:v1:k1:se6dgsRu6QuCaTwb2l1iTIq8T7ERLCvBf7vI1TteHR-GPIyfB80F",
            "device": "a".repeat(64),
            "card": "5310274019365120128",
            "note": "whatever",
            "name": "张**"
        });
        assert_eq!(output(&want, &got), Vec::<String>::new());
        let wrong = json!({
            "id": "11010519491231002X",
            "device": "abc",
            "card": "531027401936512012",
            "note": "",
            "name": "张三丰"
        });
        let problems = output(&want, &wrong);
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("$.name: expected \"张**\""))
        );
    }

    #[test]
    fn missing_and_extra_members_are_named_with_their_path() {
        let problems = output(
            &json!({"user": {"手机号": "138****8000", "a": [1, 2]}}),
            &json!({"user": {"a": [1], "b": true}}),
        );
        assert_eq!(
            problems,
            vec![
                "$.user.a: expected 2 elements, got 1".to_owned(),
                "$.user.手机号: expected \"138****8000\", but it is missing".to_owned(),
                "$.user.b: not expected, got true".to_owned(),
            ]
        );
    }

    #[test]
    fn an_unknown_shape_is_reported_not_matched() {
        let problems = output(&json!("{{secret}}"), &json!("x"));
        assert!(
            problems[0].contains("unknown shape `{{secret}}`"),
            "{problems:?}"
        );
    }
}
