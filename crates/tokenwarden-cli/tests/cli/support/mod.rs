//! Shared set-up for the CLI's tests: the provider simulator, and dates
//! the way the core's integration tests make them (the simulator judges
//! expiry by the real clock, so these tests do too).
#![allow(dead_code, unused_imports)]

pub mod cli;

use chrono::{DateTime, Utc};

pub use tokenwarden_sim::{Behaviour, Provider, RateLimit, Simulator, TokenKind, TokenSpec};

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// `days` from now, to the second (providers report whole seconds).
pub fn in_days(days: i64) -> DateTime<Utc> {
    let at = now() + chrono::Duration::days(days);
    DateTime::from_timestamp(at.timestamp(), 0).unwrap()
}

/// A date `days` from today, as GitLab and Bitbucket expiry dates are.
pub fn date_in_days(days: i64) -> chrono::NaiveDate {
    (now() + chrono::Duration::days(days)).date_naive()
}
