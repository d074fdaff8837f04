//! Rule tests: a `*.test.yaml` beside a rules file holds cases (an input
//! document, the findings and/or output the rules must give, or the
//! refusal), and [`run_file`] runs them through the engine as `serve`
//! would, reporting each case as passed or failed with a readable diff.
//! `pii-proxy test` is the command; the shipped rules carry tests that
//! `cargo test` and CI run.
//!
//! Owns the test file format and the comparison. Knows nothing of the
//! config file: each rules file is compiled alone with a throwaway keyring
//! (so nothing here needs, or ever sees, a real key) and the default
//! depth limit. Fails closed: a test file or rules file that does not
//! compile is an error, never a pass.

mod expect;
mod file;

use std::path::{Path, PathBuf};

use crate::config::Limits;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine;
use crate::protect::Keyring;
use crate::rules::Policy;

use file::{RawCase, RawTestFile};

/// The suffix that marks a rules test file (`demo.test.yaml`).
pub const TEST_SUFFIX: &str = ".test.yaml";

/// The result of one case.
#[derive(Debug)]
pub struct CaseResult {
    pub name: String,
    /// Where the case starts, for `FILE:LINE:COL` in the report.
    pub line: u64,
    pub column: u64,
    /// What differs from the expectation; empty when the case passed.
    pub problems: Vec<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The results of one test file.
#[derive(Debug)]
pub struct FileResult {
    pub file: PathBuf,
    pub rules: PathBuf,
    pub cases: Vec<CaseResult>,
}

/// Why a test file could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    /// The test file or its rules file cannot be read (trouble).
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The test file or its rules file does not compile: every problem,
    /// positioned.
    #[error("{0}")]
    Invalid(Diagnostics),
}

/// The JSON Schema of a rules test file.
pub fn test_file_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    generator.root_schema_for::<RawTestFile>()
}

/// The rules file a test file tests by default: `demo.test.yaml` →
/// `demo.yaml`.
pub fn rules_beside(test_file: &Path) -> Option<PathBuf> {
    let name = test_file.file_name()?.to_str()?;
    let stem = name.strip_suffix(TEST_SUFFIX)?;
    Some(test_file.with_file_name(format!("{stem}.yaml")))
}

/// The test file beside a rules file: `demo.yaml` → `demo.test.yaml`.
pub fn test_beside(rules_file: &Path) -> Option<PathBuf> {
    let name = rules_file.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))?;
    Some(rules_file.with_file_name(format!("{stem}{TEST_SUFFIX}")))
}

fn read(path: &Path) -> Result<String, TestError> {
    std::fs::read_to_string(path).map_err(|source| TestError::Unreadable {
        path: path.to_path_buf(),
        source,
    })
}

fn one(file: &Path, line: u64, column: u64, message: impl Into<String>) -> TestError {
    TestError::Invalid(Diagnostics(vec![Diagnostic::new(
        file, line, column, message,
    )]))
}

/// Runs every case of the test file at `path`.
pub fn run_file(path: &Path) -> Result<FileResult, TestError> {
    let text = read(path)?;
    let raw: RawTestFile = serde_saphyr::from_str(&text)
        .map_err(|e| TestError::Invalid(Diagnostics(vec![Diagnostic::from_yaml(path, &e)])))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let rules = match &raw.rules {
        Some(rules) => dir.join(&rules.value),
        None => rules_beside(path).ok_or_else(|| {
            one(
                path,
                0,
                0,
                format!(
                    "name the rules file with `rules:` (the file does not end in `{TEST_SUFFIX}`)"
                ),
            )
        })?,
    };
    let partner = match &raw.partner {
        Some(partner) => partner.value.clone(),
        None => rules
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("test")
            .to_owned(),
    };
    let rules_text = read(&rules)?;
    let keyring = Keyring::generate();
    let depth = Limits::default().max_depth;
    let policy = Policy::from_yaml(&rules, &rules_text, &partner, &keyring, depth)
        .map_err(TestError::Invalid)?;
    if raw.tests.is_empty() {
        return Err(one(path, 1, 1, "`tests` lists no case"));
    }
    let mut cases = Vec::new();
    for case in &raw.tests {
        let at = &case.referenced;
        let problems = run_case(&policy, dir, &case.value)
            .map_err(|message| one(path, at.line(), at.column(), message))?;
        cases.push(CaseResult {
            name: case.value.name.clone(),
            line: at.line(),
            column: at.column(),
            problems,
        });
    }
    Ok(FileResult {
        file: path.to_path_buf(),
        rules,
        cases,
    })
}

/// The body a case gives, from exactly one of its three input keys.
fn input_of(dir: &Path, case: &RawCase) -> Result<Vec<u8>, String> {
    match (&case.input, &case.input_json, &case.input_file) {
        (Some(value), None, None) => {
            Ok(serde_json::to_vec(value).expect("a JSON value serializes"))
        }
        (None, Some(text), None) => Ok(text.clone().into_bytes()),
        (None, None, Some(file)) => {
            let path = dir.join(file);
            std::fs::read(&path)
                .map_err(|e| format!("cannot read `input_file` {}: {e}", path.display()))
        }
        _ => Err(format!(
            "case `{}` needs exactly one of `input`, `input_json` and `input_file`",
            case.name
        )),
    }
}

/// Runs one case: what differs from its expectations, or why the case
/// itself is malformed.
fn run_case(policy: &Policy, dir: &Path, case: &RawCase) -> Result<Vec<String>, String> {
    if case.findings.is_none() && case.output.is_none() && case.refused.is_none() {
        return Err(format!(
            "case `{}` expects nothing: give `findings`, `output` or `refused`",
            case.name
        ));
    }
    let input = input_of(dir, case)?;
    let outcome = engine::protect(policy, &input);
    // The profile's refusal comes after the engine, as in the proxy.
    let forbidden = outcome
        .as_ref()
        .ok()
        .and_then(|p| p.findings.forbidden(policy).map(|f| f.path.clone()));
    if let Some(path) = forbidden {
        return Ok(match case.refused.as_deref() {
            Some("forbidden_category") => Vec::new(),
            Some(code) => vec![format!(
                "expected refusal `{code}`, got `forbidden_category` (at {path})"
            )],
            None => vec![format!("refused (forbidden_category): at {path}")],
        });
    }
    let protected = match (outcome, &case.refused) {
        (Err(e), Some(code)) if e.code() == code => return Ok(Vec::new()),
        (Err(e), Some(code)) => {
            return Ok(vec![format!(
                "expected refusal `{code}`, got `{}` ({e})",
                e.code()
            )]);
        }
        (Err(e), None) => return Ok(vec![format!("refused ({}): {e}", e.code())]),
        (Ok(_), Some(code)) => {
            return Ok(vec![format!(
                "expected refusal `{code}`, but the document was accepted"
            )]);
        }
        (Ok(protected), None) => protected,
    };
    let mut problems = Vec::new();
    if let Some(expected) = &case.findings {
        problems.extend(expect::findings(expected, &protected.findings.items));
    }
    if let Some(expected) = &case.output {
        match serde_json::from_slice::<serde_json::Value>(&protected.output) {
            Ok(actual) => problems.extend(expect::output(expected, &actual)),
            Err(e) => problems.push(format!("the output is not JSON: {e}")),
        }
    }
    Ok(problems)
}

/// The test files under `path`: the file itself (a test file, or the test
/// file beside a rules file), or every test file in a directory, sorted.
/// Rules files in a directory without a test file are returned apart, so
/// the command can say which rules go untested.
pub fn discover(path: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    if !std::fs::metadata(path)?.is_dir() {
        let is_test = path.to_str().is_some_and(|p| p.ends_with(TEST_SUFFIX));
        let test = if is_test {
            Some(path.to_path_buf())
        } else {
            test_beside(path)
        };
        return Ok(match test {
            Some(test) if test.exists() => (vec![test], Vec::new()),
            _ => (Vec::new(), vec![path.to_path_buf()]),
        });
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    let name = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned()
    };
    let tests: Vec<PathBuf> = entries
        .iter()
        .filter(|p| name(p).ends_with(TEST_SUFFIX))
        .cloned()
        .collect();
    let untested = entries
        .into_iter()
        .filter(|p| {
            let n = name(p);
            (n.ends_with(".yaml") || n.ends_with(".yml")) && !n.ends_with(TEST_SUFFIX)
        })
        .filter(|p| test_beside(p).is_none_or(|t| !t.exists()))
        .collect();
    Ok((tests, untested))
}
