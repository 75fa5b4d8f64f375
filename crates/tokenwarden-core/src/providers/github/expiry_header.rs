//! `GitHub-Authentication-Token-Expiration`, seen in two forms:
//! `2026-12-01 10:00:00 UTC` and `2026-12-01 19:00:00 +0900`. Undocumented
//! in GitHub's reference (PROVIDERS.md): anything else parses as None,
//! which the check reports as "unknown", never as "never expires".

use chrono::{DateTime, NaiveDateTime, Utc};

pub fn parse(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Some(naive) = value.strip_suffix(" UTC") {
        return NaiveDateTime::parse_from_str(naive, "%Y-%m-%d %H:%M:%S")
            .ok()
            .map(|dt| dt.and_utc());
    }
    DateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S %z")
        .ok()
        .map(|dt| dt.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn parses_both_observed_forms_to_the_same_instant() {
        let utc = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        assert_eq!(parse("2026-12-01 10:00:00 UTC"), Some(utc));
        assert_eq!(parse("2026-12-01 19:00:00 +0900"), Some(utc));
        assert_eq!(parse("2026-12-01 03:00:00 -0700"), Some(utc));
    }

    #[test]
    fn anything_else_is_unknown() {
        for bad in [
            "",
            "soon",
            "2026-12-01",
            "2026-13-01 10:00:00 UTC",
            "2026-12-01T10:00:00Z",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
