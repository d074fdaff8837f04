//! JSON Schema shapes of values the config and rules files write as text
//! that serde reads through a helper (durations through `humantime-serde`),
//! for the `schemars` derives on the raw types. Each says in its schema
//! what it accepts, so editors flag `10 seconds` as they would `ten`.
//!
//! Knows nothing of where the values are used; fails at nothing (the
//! checks of `config` and `rules` stay the judge of a file).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

/// A duration as `humantime` reads it: `500ms`, `10s`, `2m`, `1h 30m`.
pub struct DurationText;

impl JsonSchema for DurationText {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A duration: a number and a unit (`ns`, `us`, `ms`, `s`, `m`, `h`, `d`, `w`), several added up (`1h 30m`).",
            "pattern": "^\\s*([0-9]+(\\.[0-9]+)?\\s*(nanos|nsec|ns|usec|us|µs|millis|msec|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|wks|wk|w|months|month|M|years|year|yrs|yr|y)\\s*)+$",
            "examples": ["500ms", "10s", "2m", "1h 30m"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pattern accepts what humantime parses and refuses what it does
    /// not, on the forms the shipped files and docs use.
    #[test]
    fn the_duration_pattern_agrees_with_humantime() {
        let schema = schemars::schema_for!(DurationText);
        let pattern = schema
            .get("pattern")
            .and_then(|p| p.as_str())
            .expect("a pattern");
        let pattern = regex::Regex::new(pattern).expect("the pattern compiles");
        let parse = humantime_serde::re::humantime::parse_duration;
        for text in [
            "500ms", "10s", "2m", "24h", "1h 30m", "0s", "20ms", "2 min", "1.5s",
        ] {
            assert!(parse(text).is_ok(), "{text}");
            assert!(pattern.is_match(text), "{text}");
        }
        for text in ["ten", "10", "10 seconds later", "-1s", "1,5s", ""] {
            assert!(parse(text).is_err(), "{text}");
            assert!(!pattern.is_match(text), "{text}");
        }
    }
}
