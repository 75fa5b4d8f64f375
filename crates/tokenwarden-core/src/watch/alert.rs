//! An alert and its words. Built from metadata only (name, provider,
//! expiry), so no secret can ever reach a notification.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::trouble::{Trouble, TroubleKind};
use crate::check::ExpirySource;
use crate::model::ProviderKind;
use crate::notify::Answers;
use crate::providers;
use crate::status::{days_left_words, Wording};

/// What an alert is about, counted from the moment it is raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlertKind {
    /// Still works; `days_left` ≥ 1, the remaining time rounded up (an
    /// alert at threshold 7 says 7; `1` means within a day).
    BeforeExpiry { days_left: i64 },
    /// Stopped working `days_ago` whole days ago: `0` for the alert at the
    /// expiry instant (threshold 0), `k` for the k-th daily alert after it.
    Expired { days_ago: i64 },
    /// The provider says the token never expires: rotate it for one that does.
    NoExpiry,
    /// Tokenwarden does not know when the token expires (the provider does
    /// not say and the user entered no date).
    UnknownExpiry,
    /// Its last check found it broken (`Alert::trouble` says how and what
    /// to do); one alert per change of `trouble`.
    Broken { trouble: TroubleKind },
}

/// One notification to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub token_id: String,
    pub token_name: String,
    pub provider: ProviderKind,
    pub kind: AlertKind,
    /// The expiry this alert was computed for (`None`: the token has none).
    /// `WatchState::record_sent` and `mark_handled` key their memory by it,
    /// so an answer to a stale notification never touches a newer expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// The scheduled instant this alert stands for: a threshold crossing or
    /// an after-expiry day (`None` for the no-expiry reminder). Recording
    /// the alert marks every trigger up to this one as done.
    pub due_at: Option<DateTime<Utc>>,
    /// The alert is late: it folds several crossings into one (the app was
    /// closed, the token snoozed, or it was added already inside several
    /// thresholds), or its crossing passed more than `CATCH_UP_GRACE` ago.
    pub catch_up: bool,
    /// For `AlertKind::Broken`: what the check found and the fix.
    #[serde(default)]
    pub trouble: Option<Trouble>,
}

impl Alert {
    /// The buttons its notification offers: a breakage is not paused or
    /// marked rotated like an expiry reminder; it is opened or rotated.
    pub fn answers(&self) -> Answers {
        match self.kind {
            AlertKind::Broken { .. } => Answers::Breakage,
            _ => Answers::Reminder,
        }
    }

    /// One line naming the token and how much time is left.
    pub fn title(&self) -> String {
        let name = &self.token_name;
        match self.kind {
            AlertKind::BeforeExpiry { days_left } if days_left <= 0 => {
                format!("{name} expires within a day")
            }
            // "expires in 6 days": the page's words for the same count.
            AlertKind::BeforeExpiry { days_left } => format!(
                "{name} expires {}",
                days_left_words(Some(days_left), ExpirySource::Provider, Wording::Page)
            ),
            AlertKind::Expired { days_ago: 0 } => format!("{name} has expired"),
            AlertKind::Expired { days_ago: 1 } => format!("{name} expired 1 day ago"),
            AlertKind::Expired { days_ago } => format!("{name} expired {days_ago} days ago"),
            AlertKind::NoExpiry => format!("{name} never expires"),
            AlertKind::UnknownExpiry => format!("{name} has no expiry date"),
            AlertKind::Broken { trouble } => format!("{name} {}", trouble.title_words()),
        }
    }

    /// Which token it is, when exactly, and what to do.
    pub fn body(&self) -> String {
        let provider = providers::get(self.provider).name();
        let when = self
            .expires_at
            .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        const ROTATE: &str = "create a new token, then use Rotate in Tokenwarden.";
        match self.kind {
            AlertKind::BeforeExpiry { .. } => {
                format!("{provider} token, expires {when}. Rotate it now: {ROTATE}")
            }
            AlertKind::Expired { .. } => format!(
                "{provider} token, expired {when}: it no longer works. Rotate it now: {ROTATE}"
            ),
            AlertKind::NoExpiry => format!(
                "{provider} token. A token that never expires keeps working for whoever finds it. \
                 Rotate it for one that expires (90 days to a year): {ROTATE}"
            ),
            AlertKind::UnknownExpiry => format!(
                "{provider} token. Tokenwarden does not know when it expires. \
                 Enter its expiry date with Edit in Tokenwarden, or Rotate it for a token whose expiry {provider} reports."
            ),
            AlertKind::Broken { .. } => format!(
                "{provider} token. {}",
                self.trouble
                    .as_ref()
                    .map(Trouble::explanation_and_fix)
                    .unwrap_or_default()
            ),
        }
    }
}
