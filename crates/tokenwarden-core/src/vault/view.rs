//! A token as lists and screens show it: its metadata, whether its secret
//! is in the keychain, and one status word derived from both.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::record::TokenRecord;
use crate::check::{Verdict, EXPIRES_SOON_DAYS};
use crate::status::{days_left, days_left_words, TokenStatus, Wording};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SecretState {
    Present,
    /// Deleted from the keychain outside Tokenwarden: shown, never dropped.
    Missing,
    /// The keychain could not be asked (locked, unavailable).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TokenView {
    #[serde(flatten)]
    pub record: TokenRecord,
    pub secret: SecretState,
    pub status: TokenStatus,
    /// Whole days until expiry (negative once expired), if it expires:
    /// `status::days_left`, the count every place shows.
    pub days_left: Option<i64>,
    /// Where the token can rotate itself (GitLab): the expiry the new
    /// token will be given, keeping the old one's lifetime
    /// (`TokenRecord::self_rotation_expiry`). None where it cannot.
    #[ts(type = "string | null")]
    pub self_rotation_expires_at: Option<NaiveDate>,
}

impl TokenView {
    pub fn new(record: TokenRecord, secret: SecretState, now: DateTime<Utc>) -> Self {
        let days_left = record.expires_at.map(|at| days_left(at, now));
        let status = if secret == SecretState::Missing {
            TokenStatus::SecretMissing
        } else if record.expires_at.is_some_and(|at| at <= now) {
            TokenStatus::Expired
        } else {
            match record.last_check.as_ref().map(|c| c.verdict) {
                None => TokenStatus::Unchecked,
                Some(Verdict::Unusable) => TokenStatus::Invalid,
                Some(Verdict::FallsShort) => TokenStatus::FallsShort,
                Some(Verdict::Unchecked | Verdict::Usage) => TokenStatus::CheckFailed,
                Some(Verdict::Ready) if days_left.is_some_and(|d| d < EXPIRES_SOON_DAYS) => {
                    TokenStatus::Expiring
                }
                Some(Verdict::Ready) => TokenStatus::Ready,
            }
        };
        let self_rotation_expires_at = (secret != SecretState::Missing)
            .then(|| record.self_rotation_expiry(now.date_naive()))
            .flatten();
        TokenView {
            record,
            secret,
            status,
            days_left,
            self_rotation_expires_at,
        }
    }

    /// Its days left in the words of `wording`'s place.
    pub fn days_left_words(&self, wording: Wording) -> String {
        days_left_words(self.days_left, self.record.expiry, wording)
    }
}
