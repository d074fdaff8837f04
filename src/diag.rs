//! Positioned diagnostics for the files users write (the config and rules
//! files): `FILE:LINE:COL: message`, the form editors and CI logs link to.
//!
//! Owns the diagnostic type and the conversion of YAML errors into it. Knows
//! nothing of what the files mean.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_saphyr::{Location, MessageFormatter};

/// One problem in one file, at a 1-based line and column (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: &Path, line: u64, column: u64, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }

    /// A diagnostic at a location recorded by `serde_saphyr::Spanned`.
    pub fn at(file: &Path, location: &Location, message: impl Into<String>) -> Self {
        Self::new(file, location.line(), location.column(), message)
    }

    /// A diagnostic about the file as a whole (unreadable, missing).
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        Self::new(file, 0, 0, message)
    }

    /// Converts a YAML syntax or shape error (unknown key, wrong type,
    /// duplicate key) into a diagnostic at the position the parser reports.
    pub fn from_yaml(file: &Path, err: &serde_saphyr::Error) -> Self {
        let (line, column) = err
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        let message = serde_saphyr::DefaultMessageFormatter.format_message(err.without_snippet());
        Self::new(file, line, column, message.into_owned())
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Several diagnostics, printed one per line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// What is wrong with a JSON text named `what` (`the record`, `the body`),
/// by kind and column: serde_json's own message can quote the input, which
/// may be personal data.
pub fn json_error(what: &str, error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let problem = match error.classify() {
        Category::Io => "could not be read",
        Category::Syntax => "is not valid JSON",
        Category::Data => "has a missing, unknown or invalid member",
        Category::Eof => "ends early",
    };
    format!("{what} {problem} (at column {})", error.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "fields exist to be deserialized")]
    struct Sample {
        name: String,
        count: u32,
    }

    #[test]
    fn yaml_errors_carry_file_line_and_column() {
        let err =
            serde_saphyr::from_str::<Sample>("name: a\ncount: many\n").expect_err("bad count");
        let diag = Diagnostic::from_yaml(Path::new("x.yaml"), &err);
        assert_eq!((diag.line, diag.column), (2, 8), "{diag}");
        assert!(diag.to_string().starts_with("x.yaml:2:8: "), "{diag}");
        let err = serde_saphyr::from_str::<Sample>("name: a\ncount: 1\nextra: 2\n")
            .expect_err("unknown key");
        let diag = Diagnostic::from_yaml(Path::new("x.yaml"), &err);
        assert_eq!(diag.line, 3, "{diag}");
        assert!(diag.message.contains("extra"), "{diag}");
    }
}
