//! Positioned diagnostics for the files users write (the config and rules
//! files): `FILE:LINE:COL: message`, the form editors and CI logs link to.
//!
//! Owns the diagnostic type and the conversion of YAML errors into it, in
//! the project's own words: the YAML library's developer hints (which
//! parser option to set) are never shown to the people who write the files.
//! Knows nothing of what the files mean.

use std::borrow::Cow;
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
        let message = YamlMessages.format_message(err.without_snippet());
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

/// The messages of YAML errors as a person editing a config or rules file
/// reads them. serde-saphyr's default formatter speaks to the programmer
/// calling it (`set DuplicateKeyPolicy in Options if acceptable`, `use
/// Option<String>`); its user formatter still names parser internals. The
/// kinds a hand-written file can hit are worded here; the rest (serde's own
/// `unknown field`, `invalid type`, `missing field`) already say what to
/// change and pass through the user formatter.
struct YamlMessages;

impl MessageFormatter for YamlMessages {
    fn format_message<'a>(&self, err: &'a serde_saphyr::Error) -> Cow<'a, str> {
        use serde_saphyr::Error as E;
        match err {
            E::WithSnippet { error, .. } | E::AliasError { error, .. } => {
                self.format_message(error)
            }
            E::DuplicateMappingKey { key: Some(key), .. } => Cow::Owned(format!(
                "`{key}` is given twice in this mapping; each key may appear once"
            )),
            other => match file_words(other).or_else(|| value_words(other)) {
                Some(ours) => Cow::Borrowed(ours),
                None => serde_saphyr::UserMessageFormatter.format_message(other),
            },
        }
    }
}

/// Our words for what is wrong with the file as a whole or its structure.
fn file_words(err: &serde_saphyr::Error) -> Option<&'static str> {
    use serde_saphyr::Error as E;
    Some(match err {
        E::DuplicateMappingKey { key: None, .. } => {
            "a key is given twice in this mapping; each key may appear once"
        }
        E::MultipleDocuments { .. } => {
            "the file holds more than one YAML document (a second `---`); keep one"
        }
        E::Eof { .. } => "the file ends in the middle of a value",
        E::Budget { .. }
        | E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::RecursiveReferencesRequireWeakTypes { .. } => {
            "the file is too large or too deeply nested to read (aliases count as \
             many times as they are used)"
        }
        E::InvalidUtf8Input => "the file is not UTF-8 text",
        E::IOError { .. } => "the file could not be read",
        E::CyclicInclude { .. } | E::UnsupportedIncludeForm { .. } | E::ResolverError { .. } => {
            "`!include` is not supported: write everything in this file"
        }
        E::UnexpectedSequenceEnd { .. }
        | E::UnexpectedMappingEnd { .. }
        | E::UnexpectedContainerEndWhileSkippingNode { .. }
        | E::UnexpectedContainerEndWhileReadingKeyNode { .. }
        | E::ContainerEndMismatch { .. }
        | E::ValueRequestedBeforeKey { .. }
        | E::InternalSeedReusedForMapKey { .. }
        | E::InternalDepthUnderflow { .. }
        | E::InternalRecursionStackEmpty { .. } => {
            "the YAML is not well formed here (a list or mapping is not closed where it should be)"
        }
        _ => return None,
    })
}

/// Our words for a value the file cannot hold where it is written.
fn value_words(err: &serde_saphyr::Error) -> Option<&'static str> {
    use serde_saphyr::Error as E;
    Some(match err {
        E::NullIntoString { .. } | E::InvalidCharNull { .. } => {
            "a value is needed here, not an empty one or `null`"
        }
        E::InvalidCharNotSingleScalar { .. } => "one character is expected here",
        E::InvalidBooleanStrict { .. } => "`true` or `false` is expected here",
        E::BinaryNotUtf8 { .. }
        | E::BytesNotSupportedMissingBinaryTag { .. }
        | E::InvalidBinaryBase64 { .. } => "binary values (`!!binary`) are not accepted here",
        E::UnsupportedTag { .. }
        | E::TaggedScalarCannotDeserializeIntoString { .. }
        | E::TaggedStructFieldName { .. }
        | E::TaggedEnumMismatch { .. } => "YAML tags (`!name`) are not accepted here",
        E::MergeKeyNotAllowed { .. } | E::MergeValueNotMapOrSeqOfMaps { .. } => {
            "merge keys (`<<:`) take a mapping or a list of mappings"
        }
        E::UnknownAnchor { .. } => "this alias (`*name`) names no anchor (`&name`) above it",
        E::CannotBorrowTransformedString { .. } | E::QuotingRequired { .. } => {
            "this value must be a quoted string"
        }
        E::UnexpectedValueForUnit { .. }
        | E::ExpectedEmptyMappingForUnitStruct { .. }
        | E::UnexpectedValueForUnitEnumVariant { .. } => "no value is expected here",
        _ => return None,
    })
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

    /// What a hand-edited file can get wrong reads as the project's words:
    /// no parser option, no Rust type, no library hint.
    #[test]
    fn yaml_errors_never_show_the_library_hints() {
        let cases = [
            ("name: a\nname: b\ncount: 1\n", "`name` is given twice"),
            (
                "name: a\ncount: 1\n---\nname: b\ncount: 2\n",
                "more than one YAML document",
            ),
            ("name: ~\ncount: 1\n", "not an empty one or `null`"),
            ("name: *nowhere\ncount: 1\n", "names no anchor"),
            ("name: [a\ncount: 1\n", ""),
        ];
        for (text, expected) in cases {
            let err = serde_saphyr::from_str::<Sample>(text).expect_err(text);
            let diag = Diagnostic::from_yaml(Path::new("x.yaml"), &err);
            assert!(diag.message.contains(expected), "{text:?}: {diag}");
            for hint in ["Options", "Policy", "Option<", "String>", "set ", "serde"] {
                assert!(!diag.message.contains(hint), "{text:?}: {diag}");
            }
        }
    }
}
