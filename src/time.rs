//! Wall-clock timestamps in the one format the project writes (RFC 3339, UTC,
//! milliseconds), so audit records, keyrings and logs agree.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, as `2026-11-23T05:00:00.123Z`.
pub fn now_rfc3339() -> String {
    format_rfc3339(OffsetDateTime::now_utc())
}

pub fn format_rfc3339(at: OffsetDateTime) -> String {
    let at = at
        .replace_nanosecond(at.millisecond() as u32 * 1_000_000)
        .expect("milliseconds are in range");
    at.format(&Rfc3339).expect("a UTC time formats as RFC 3339")
}

/// Parses an RFC 3339 timestamp (as written by [`now_rfc3339`] or typed by a user).
pub fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// Now, in milliseconds since the Unix epoch (for ages and lags).
pub fn now_unix_ms() -> u64 {
    unix_ms(OffsetDateTime::now_utc())
}

/// `at` in milliseconds since the Unix epoch (0 before it).
pub fn unix_ms(at: OffsetDateTime) -> u64 {
    u64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}
