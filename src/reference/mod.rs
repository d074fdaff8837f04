//! The config reference generated from the code: the JSON Schemas of the
//! config file, rules files and rules test files (from the `schemars`
//! derives on their raw types, whose doc comments are the user docs), and
//! `docs/reference.md` rendered from the same schemas. The files are
//! committed (`schemas/`, referenced from the shipped YAML by
//! `# yaml-language-server: $schema=...` so editors validate as you type);
//! `tests/reference.rs` fails when they are stale, and regenerates them
//! with `PII_PROXY_BLESS=1`.
//!
//! Knows nothing of checking a file: a schema describes the shape serde
//! accepts; `check` stays the judge of what a file means.

mod markdown;

use schemars::generate::SchemaSettings;
use schemars::{Schema, SchemaGenerator};

/// The kinds of file the proxy reads that people write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// The proxy config (`pii-proxy.yaml`).
    Config,
    /// A partner's rules file (`rules/demo.yaml`).
    Rules,
    /// A rules test file (`rules/demo.test.yaml`).
    RulesTest,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Config, Kind::Rules, Kind::RulesTest];

    /// Where its schema is committed, relative to the repository root.
    pub fn schema_path(self) -> &'static str {
        match self {
            Kind::Config => "schemas/pii-proxy.schema.json",
            Kind::Rules => "schemas/rules.schema.json",
            Kind::RulesTest => "schemas/rules-test.schema.json",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Config => "pii-proxy config file",
            Kind::Rules => "pii-proxy rules file",
            Kind::RulesTest => "pii-proxy rules test file",
        }
    }
}

/// Where the generated reference is committed.
pub const REFERENCE_PATH: &str = "docs/reference.md";

/// The JSON Schema of one kind of file. Draft-07: the draft every editor's
/// YAML and JSON language server reads.
pub fn schema(kind: Kind) -> Schema {
    let mut generator = SchemaGenerator::new(SchemaSettings::draft07());
    let mut schema = match kind {
        Kind::Config => crate::config::config_schema(&mut generator),
        Kind::Rules => crate::rules::rules_schema(&mut generator),
        Kind::RulesTest => crate::ruletest::test_file_schema(&mut generator),
    };
    schema.insert("title".into(), kind.title().into());
    let mut value = schema.to_value();
    tidy(&mut value);
    Schema::try_from(value).expect("a tidied schema is still an object")
}

/// What the derive writes for the code, made for the reader: `Raw`
/// dropped from definition names (`RawPartner` is `Partner` to a user),
/// doc-comment line breaks joined into paragraphs, and the `default: null`
/// of every optional key left out (absent means default).
fn tidy(value: &mut serde_json::Value) {
    use serde_json::Value;
    let reader_name = |name: &str| name.strip_prefix("Raw").unwrap_or(name).to_owned();
    match value {
        Value::Object(map) => {
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            if let Some(Value::String(text)) = map.get_mut("description") {
                *text = paragraphs(text);
            }
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                if let Some(name) = target.strip_prefix("#/definitions/") {
                    *target = format!("#/definitions/{}", reader_name(name));
                }
            }
            if let Some(Value::Object(definitions)) = map.get_mut("definitions") {
                let renamed = std::mem::take(definitions)
                    .into_iter()
                    .map(|(name, schema)| (reader_name(&name), schema))
                    .collect();
                *definitions = renamed;
            }
            map.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// Doc-comment text as paragraphs: single line breaks are the comment's
/// wrapping, blank lines its paragraphs.
fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The schema's text as committed: pretty JSON ending in a newline.
pub fn schema_text(kind: Kind) -> String {
    let mut text = serde_json::to_string_pretty(&schema(kind)).expect("a JSON Schema serializes");
    text.push('\n');
    text
}

/// `docs/reference.md`: every key of every kind of file.
pub fn reference_text() -> String {
    let schemas: Vec<(Kind, Schema)> = Kind::ALL.iter().map(|&k| (k, schema(k))).collect();
    markdown::render(&schemas)
}

/// Every generated file, as (path relative to the repository root, text).
pub fn generated_files() -> Vec<(&'static str, String)> {
    let mut files: Vec<(&'static str, String)> = Kind::ALL
        .iter()
        .map(|&k| (k.schema_path(), schema_text(k)))
        .collect();
    files.push((REFERENCE_PATH, reference_text()));
    files
}
