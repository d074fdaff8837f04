//! `docs/reference.md` from the JSON Schemas: one section per kind of
//! file, one table per object (key, type, required, what it does).

use std::collections::BTreeSet;
use std::fmt::Write;

use schemars::Schema;
use serde_json::{Map, Value};

use super::Kind;

pub(super) fn render(schemas: &[(Kind, Schema)]) -> String {
    let mut out = String::from(
        "# pii-proxy — configuration reference\n\n\
         <!-- Generated from the code (the doc comments of the raw config, rules and rules \
         test types) by `PII_PROXY_BLESS=1 cargo test --test reference`; do not edit. -->\n\n\
         Every key of the files pii-proxy reads, generated from the same source as the JSON \
         Schemas in `schemas/`. Editors that speak the YAML language server validate a file \
         as you type when its first line names its schema, as the shipped files do:\n\n\
         ```yaml\n\
         # yaml-language-server: $schema=schemas/pii-proxy.schema.json\n\
         ```\n\n\
         The schemas describe the shape of a file; `pii-proxy check` judges what it means \
         (paths that exist, identifiers, cross-border rules) and reports every problem as \
         `FILE:LINE:COL: message`. Durations are written `500ms`, `10s`, `2m`, `1h 30m`.\n\n",
    );
    for (kind, schema) in schemas {
        section(&mut out, *kind, schema.as_value());
    }
    out
}

fn section(out: &mut String, kind: Kind, root: &Value) {
    let heading = match kind {
        Kind::Config => "The config file (`pii-proxy.yaml`)",
        Kind::Rules => "Rules files (`rules/*.yaml`)",
        Kind::RulesTest => "Rules test files (`rules/*.test.yaml`)",
    };
    let _ = writeln!(out, "## {heading}\n");
    let _ = writeln!(out, "Schema: [`{0}`](../{0}).\n", kind.schema_path());
    let empty = Map::new();
    let definitions = root
        .get("definitions")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut untitled = root.clone();
    if let Some(map) = untitled.as_object_mut() {
        map.remove("title");
    }
    object(out, &anchor(kind, "root"), None, &untitled, kind);
    let mut done = BTreeSet::new();
    let mut queue = references(root);
    while let Some(name) = queue.first().cloned() {
        queue.remove(0);
        if !done.insert(name.clone()) {
            continue;
        }
        let Some(definition) = definitions.get(&name) else {
            continue;
        };
        object(out, &anchor(kind, &name), Some(&name), definition, kind);
        queue.extend(references(definition));
    }
}

fn anchor(kind: Kind, name: &str) -> String {
    let prefix = match kind {
        Kind::Config => "config",
        Kind::Rules => "rules",
        Kind::RulesTest => "rules-test",
    };
    format!("{prefix}-{}", name.to_lowercase())
}

/// The definitions `value` refers to, in the order they appear.
fn references(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    collect_references(value, &mut found);
    found
}

fn collect_references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "definitions" {
                    continue;
                }
                if let (true, Some(target)) = (key == "$ref", inner.as_str()) {
                    if let Some(name) = target.strip_prefix("#/definitions/") {
                        found.push(name.to_owned());
                    }
                }
                collect_references(inner, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, found)),
        _ => {}
    }
}

/// One definition: its heading, its description, and its keys or forms.
fn object(out: &mut String, anchor: &str, name: Option<&str>, schema: &Value, kind: Kind) {
    if let Some(name) = name {
        let _ = writeln!(out, "### <a id=\"{anchor}\"></a>`{name}`\n");
    }
    if let Some(text) = description(schema) {
        let _ = writeln!(out, "{text}\n");
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        out.push_str("| key | type | required | description |\n|---|---|---|---|\n");
        for (key, property) in properties {
            let _ = writeln!(
                out,
                "| `{key}` | {} | {} | {} |",
                type_of(property, kind),
                if required.contains(key.as_str()) {
                    "yes"
                } else {
                    ""
                },
                cell(&description(property).unwrap_or_default())
            );
        }
        out.push('\n');
        return;
    }
    let forms = choices(schema);
    if !forms.is_empty() {
        for form in forms {
            let what = description(form).unwrap_or_default();
            let _ = writeln!(out, "- {}{}", type_of(form, kind), dash(&what));
        }
        out.push('\n');
    } else if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values.iter().map(literal).collect();
        let _ = writeln!(out, "One of: {}.\n", names.join(", "));
    }
}

fn dash(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(": {}", text.replace('\n', " "))
    }
}

/// The alternatives of a `oneOf` / `anyOf`, nested ones flattened.
fn choices(schema: &Value) -> Vec<&Value> {
    let list = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array);
    let Some(list) = list else {
        return Vec::new();
    };
    list.iter()
        .flat_map(|alternative| {
            let inner = choices(alternative);
            if inner.is_empty() || alternative.get("description").is_some() && inner.len() < 2 {
                vec![alternative]
            } else {
                inner
            }
        })
        .collect()
}

fn description(schema: &Value) -> Option<String> {
    let title = schema.get("title").and_then(Value::as_str);
    let text = schema.get("description").and_then(Value::as_str);
    match (title, text) {
        (Some(t), Some(d)) => Some(format!("{t}\n\n{d}")),
        (Some(t), None) => Some(t.to_owned()),
        (None, Some(d)) => Some(d.to_owned()),
        (None, None) => None,
    }
}

/// A description inside a table cell: one line, `|` escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace("\n\n", "<br>")
        .replace('\n', " ")
}

fn literal(value: &Value) -> String {
    match value {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

/// The one key of a mapping that has exactly one (`{mask: {...}}`).
fn single_key(schema: &Value) -> Option<(&String, &Value)> {
    let properties = schema.get("properties")?.as_object()?;
    match (properties.len(), properties.iter().next()) {
        (1, Some(only)) => Some(only),
        _ => None,
    }
}

/// A short type: `string`, `integer ≥ 0`, `list of [Route](#...)`, `` `a` \| `b` ``.
fn type_of(schema: &Value, kind: Kind) -> String {
    composed_type(schema, kind).unwrap_or_else(|| plain_type(schema, kind))
}

/// A type named by reference, a constant, a single `allOf`, an `enum` or
/// alternative forms; `None` for a schema that says its `type` itself.
fn composed_type(schema: &Value, kind: Kind) -> Option<String> {
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        let name = target.rsplit('/').next().unwrap_or(target);
        return Some(format!("[{name}](#{})", anchor(kind, name)));
    }
    if let Some(value) = schema.get("const") {
        return Some(literal(value));
    }
    if let Some([only]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return Some(type_of(only, kind));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values.iter().map(literal).collect();
        return Some(names.join(" \\| "));
    }
    let forms = choices(schema);
    if forms.is_empty() {
        return None;
    }
    let names: Vec<String> = forms
        .iter()
        .filter(|f| f.get("type").and_then(Value::as_str) != Some("null"))
        .map(|f| type_of(f, kind))
        .collect();
    Some(names.join(" or "))
}

/// The type a schema's `type` says (`null` left out), with what the
/// schema adds to it: a list's items, a mapping's keys, a minimum.
fn plain_type(schema: &Value, kind: Kind) -> String {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let types: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
    match types.as_slice() {
        ["array"] => {
            let item = schema
                .get("items")
                .map_or("any".to_owned(), |i| type_of(i, kind));
            format!("list of {item}")
        }
        ["object"] if single_key(schema).is_some() => {
            let (key, value) = single_key(schema).expect("checked just above");
            format!("`{{{key}: …}}` with {}", type_of(value, kind))
        }
        ["object"] if schema.get("properties").is_some() => {
            let keys: Vec<String> = schema["properties"]
                .as_object()
                .map(|p| p.keys().map(|k| format!("`{k}`")).collect())
                .unwrap_or_default();
            format!("mapping of {}", keys.join(", "))
        }
        ["integer"] => match schema.get("minimum").and_then(Value::as_f64) {
            Some(min) => format!("integer ≥ {min}"),
            None => "integer".to_owned(),
        },
        ["number"] => "number".to_owned(),
        ["string"] if schema.get("pattern").is_some() && schema.get("examples").is_some() => {
            "string (pattern)".to_owned()
        }
        [one] => (*one).to_owned(),
        [] if schema.as_bool() == Some(true) || schema.as_object().is_some_and(Map::is_empty) => {
            "any".to_owned()
        }
        [] => "any".to_owned(),
        many => many.join(" or "),
    }
}
