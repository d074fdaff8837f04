//! A rules test file as written (`demo.test.yaml` beside `demo.yaml`):
//! serde types read straight from the YAML text, unknown keys rejected,
//! positions kept for the report. Field doc comments are the user
//! documentation (the schema in `schemas/` is generated from them).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// Test cases for one rules file, in the manner of `vector test` and `opa
/// test`: each case gives an input document and what the rules must make
/// of it. `pii-proxy test` runs them with a throwaway keyring, so
/// encrypted, hashed and tokenized values are matched by their shape.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTestFile {
    /// The rules file under test, relative to this file. Default: this
    /// file's name without `.test` (`demo.test.yaml` tests `demo.yaml`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub rules: Option<Spanned<String>>,
    /// The partner id the rules are compiled for (keys are derived from
    /// it). Default: the rules file's name without `.yaml`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub partner: Option<Spanned<String>>,
    /// The cases, run in order.
    #[schemars(with = "Vec<RawCase>")]
    pub tests: Vec<Spanned<RawCase>>,
}

/// One case: one input (`input`, `input_json` or `input_file`) and at
/// least one expectation (`findings`, `output` or `refused`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCase {
    /// What the case shows; printed with its result.
    pub name: String,
    /// The request body, written as YAML or JSON (`{user: {name: 张三丰}}`).
    #[serde(default)]
    pub input: Option<serde_json::Value>,
    /// The request body as exact text, for what a YAML value cannot say
    /// (duplicate keys, escapes, invalid JSON).
    #[serde(default)]
    pub input_json: Option<String>,
    /// A file holding the request body, relative to this file.
    #[serde(default)]
    pub input_file: Option<String>,
    /// Every finding the rules must report, in any order, and no other:
    /// each names its `path` and optionally its `category`, `action` and
    /// `rule` (`fields[2]`, `detect:cn_mobile`).
    #[serde(default)]
    pub findings: Option<Vec<ExpectedFinding>>,
    /// The document the rules must produce. A string may hold shapes for
    /// values that change with the keys: `{{encrypted}}` (an envelope
    /// `pii:v1:<kid>:<base64url>`, or `pii:sm1:` under `crypto: sm`),
    /// `{{hash}}` (64 hex digits), `{{any}}`
    /// (anything), and `{{digits:N}}` (N digits) inside a string, as in
    /// `"{{digits:15}}0128"` for a tokenized card.
    #[serde(default)]
    pub output: Option<serde_json::Value>,
    /// The input must be refused with this code (`invalid_json`,
    /// `too_deep`, or `forbidden_category` for what a profile never lets
    /// leave).
    #[serde(default)]
    pub refused: Option<String>,
}

/// A finding a case expects; unnamed parts match anything.
#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(super) struct ExpectedFinding {
    /// The JSONPath of the protected value (`$.user.name`, `$.items[0].card`).
    pub path: String,
    /// The category reported (`name`, `phone`).
    #[serde(default)]
    pub category: Option<String>,
    /// The action taken (`mask`, `encrypt`, `drop`).
    #[serde(default)]
    pub action: Option<String>,
    /// The rule that matched: `fields[N]` or `detect:<detector>`.
    #[serde(default)]
    pub rule: Option<String>,
}
