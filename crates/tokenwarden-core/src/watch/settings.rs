//! What the user can tune about alerts, and how long a snooze lasts.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// When alerts fire. Stored with the app's settings; every field has a
/// default, so a settings file from an older version still loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(default)]
pub struct WatchSettings {
    /// Alert when a token has this many days left: threshold `N` is crossed
    /// at `expires_at - N × 24 h`, and `0` at the expiry instant itself.
    /// Order and duplicates do not matter.
    pub thresholds_days: Vec<u32>,
    /// After expiry, alert again every 24 hours (at `expires_at + k × 24 h`,
    /// k ≥ 1) until the token is rotated, removed, or marked handled.
    pub after_expiry_daily: bool,
}

impl WatchSettings {
    /// The default thresholds: 30, 14, 7, 3 and 1 days before, and at expiry.
    pub const DEFAULT_THRESHOLDS_DAYS: [u32; 6] = [30, 14, 7, 3, 1, 0];
}

impl Default for WatchSettings {
    fn default() -> Self {
        WatchSettings {
            thresholds_days: Self::DEFAULT_THRESHOLDS_DAYS.to_vec(),
            after_expiry_daily: true,
        }
    }
}

/// "Remind me later", as a notification action offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Snooze {
    /// 24 hours from now.
    Day,
    /// 7 × 24 hours from now.
    Week,
    /// Until the given instant.
    Until(DateTime<Utc>),
}

impl Snooze {
    /// The instant the snooze ends, for a snooze chosen at `now`.
    pub fn ends_at(self, now: DateTime<Utc>) -> DateTime<Utc> {
        let after = |days| {
            now.checked_add_signed(TimeDelta::days(days))
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
        };
        match self {
            Snooze::Day => after(1),
            Snooze::Week => after(7),
            Snooze::Until(at) => at,
        }
    }
}
