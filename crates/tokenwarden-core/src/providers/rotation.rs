//! Self-rotation shared words and policy (`Provider::self_rotation`). Only
//! GitLab offers self-rotation today, so the words are GitLab's.

use chrono::{DateTime, Days, NaiveDate, Utc};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelfRotateError {
    #[error("This token may not rotate itself: it needs the api or self_rotate scope. Create a new token and use `tokenwarden rotate` instead.")]
    NotAllowed,
    #[error("This GitLab does not offer self-rotation for this token (it needs GitLab 16.10 or later), or cannot find its project or group. Create a new token and use `tokenwarden rotate` instead.")]
    Unsupported,
    /// GitLab's 405: the endpoint rotates another kind of token.
    #[error("GitLab says this is not a {0}, so it cannot rotate itself as one (HTTP 405). Check the token's kind (personal, project or group access token) and its project or group, or create a new token and use `tokenwarden rotate`.")]
    WrongKind(&'static str),
    #[error("GitLab refused to rotate the token: {0}")]
    Refused(String),
    #[error("GitLab could not be asked to rotate the token: {0}. The token was not changed.")]
    Unreachable(String),
}

/// The longest lifetime a rotated token is given by default (GitLab's
/// default maximum: 365 days).
pub const MAX_LIFETIME_DAYS: u64 = 365;
/// The lifetime given when the old one is not known (the product's
/// recommended default).
pub const DEFAULT_LIFETIME_DAYS: u64 = 90;

/// The expiry sent with a self-rotation when the user names none: the old
/// token's lifetime (from when it was issued, or last rotated, to its
/// expiry) counted again from `today`, at most [`MAX_LIFETIME_DAYS`];
/// [`DEFAULT_LIFETIME_DAYS`] when the old lifetime is not known. Always a
/// date: without one, GitLab gives the new token a week, or the instance's
/// maximum.
pub fn keep_lifetime(
    issued: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    today: NaiveDate,
) -> NaiveDate {
    let days = expires_at
        .map(|at| (at.date_naive() - issued.date_naive()).num_days())
        .filter(|d| *d > 0)
        .map_or(DEFAULT_LIFETIME_DAYS, |d| (d as u64).min(MAX_LIFETIME_DAYS));
    today.checked_add_days(Days::new(days)).unwrap_or(today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_old_lifetime_capped_at_a_year() {
        let at = |s: &str| format!("{s}T00:00:00Z").parse::<DateTime<Utc>>().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(
            keep_lifetime(at("2026-06-01"), Some(at("2026-12-01")), today),
            NaiveDate::from_ymd_opt(2027, 5, 31).unwrap(),
            "183 days again"
        );
        assert_eq!(
            keep_lifetime(at("2024-01-01"), Some(at("2026-12-01")), today),
            NaiveDate::from_ymd_opt(2027, 11, 29).unwrap(),
            "at most a year"
        );
        assert_eq!(
            keep_lifetime(at("2026-06-01"), None, today),
            NaiveDate::from_ymd_opt(2027, 2, 27).unwrap(),
            "90 days when unknown"
        );
    }
}
