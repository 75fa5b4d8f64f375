//! A token that broke: what the last check recorded in the vault says
//! against it (revoked or wrong, expired before its known expiry, short of
//! a requirement, or not checkable), and the words and fix its alert and
//! tray line give. Read from the vault's record, so a check run by the CLI
//! counts exactly like the app's own.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::check::{ProblemCode, Verdict};
use crate::status::Severity;
use crate::vault::TokenRecord;

/// A check that gets no answer (a timeout, a rate limit, a server down) is
/// transient until failures have lasted this long: only then is it alerted.
pub const FAILING_ALERT_AFTER: TimeDelta = TimeDelta::days(1);

/// How a token broke. One alert per change of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TroubleKind {
    /// The provider rejects it: revoked, deleted or wrong.
    Invalid,
    /// The provider says it expired before the expiry Tokenwarden knew.
    ExpiredEarly,
    /// It works but lacks a requirement (a permission, a role, SSO, an
    /// approval), and the user did not accept that when saving it.
    FallsShort,
    /// Every check since `Trouble::since` failed to get an answer.
    CheckFailing,
}

impl TroubleKind {
    /// How bad it is, for the tray's icon: a token that stopped working
    /// is the error state; one nobody could check for a day is too, as
    /// nothing vouches for it any more; a shortfall is a warning, like its
    /// status (`TokenStatus::FallsShort`).
    pub fn severity(self) -> Severity {
        match self {
            TroubleKind::Invalid | TroubleKind::ExpiredEarly | TroubleKind::CheckFailing => {
                Severity::Bad
            }
            TroubleKind::FallsShort => Severity::Warn,
        }
    }

    /// What happened, after the token's name in a notification's title.
    pub fn title_words(self) -> &'static str {
        match self {
            TroubleKind::Invalid => "stopped working",
            TroubleKind::ExpiredEarly => "expired early",
            TroubleKind::FallsShort => "falls short of what it is used for",
            TroubleKind::CheckFailing => "could not be checked for a day",
        }
    }
}

/// What is wrong with a token, from its last check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trouble {
    pub kind: TroubleKind,
    /// When the check found it; for `CheckFailing`, the first failed check
    /// in a row (`TokenRecord::failing_since`).
    pub since: DateTime<Utc>,
    /// The expiry Tokenwarden knew (for `ExpiredEarly`'s words).
    pub known_expiry: Option<DateTime<Utc>>,
    /// The check's own explanation: its first problem that is not a
    /// warning, in the provider's and Tokenwarden's plain words.
    pub explanation: Option<String>,
    /// The requirements it lacks, in the provider's words.
    pub missing: Vec<String>,
    /// The provider page where the token is managed and replaced.
    pub tokens_page: String,
}

/// What the vault's record says about a token, as the watcher reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CheckHealth {
    /// Nothing to go by: never checked, or checked after the expiry it was
    /// known to have (the expiry alerts speak for that).
    #[default]
    Unknown,
    /// Its last check found it ready, or short in a way the user accepted
    /// when saving it.
    Fine,
    /// Its last check found this wrong.
    Broken(Box<Trouble>),
}

impl CheckHealth {
    /// Reads the record's last check. Cheap for a healthy token (no
    /// allocation): the watcher reads every token each round.
    pub fn of(record: &TokenRecord) -> CheckHealth {
        let (Some(check), Some(checked_at)) = (&record.last_check, record.last_checked_at) else {
            return CheckHealth::Unknown;
        };
        let expired_as_known = record.expires_at.is_some_and(|at| at <= checked_at);
        let kind = match check.verdict {
            Verdict::Ready => return CheckHealth::Fine,
            Verdict::FallsShort if record.shortfall_accepted => return CheckHealth::Fine,
            Verdict::FallsShort => TroubleKind::FallsShort,
            Verdict::Unusable if expired_as_known => return CheckHealth::Unknown,
            Verdict::Unusable
                if check
                    .problems
                    .iter()
                    .any(|p| p.code == ProblemCode::Expired) =>
            {
                TroubleKind::ExpiredEarly
            }
            Verdict::Unusable => TroubleKind::Invalid,
            Verdict::Unchecked | Verdict::Usage => TroubleKind::CheckFailing,
        };
        let since = match kind {
            // A record from before `failing_since` existed: its last check
            // is the first failure known.
            TroubleKind::CheckFailing => record.failing_since.unwrap_or(checked_at),
            _ => checked_at,
        };
        CheckHealth::Broken(Box::new(Trouble {
            kind,
            since,
            known_expiry: record.expires_at,
            explanation: check
                .problems
                .iter()
                .find(|p| !p.code.is_warning())
                .map(|p| p.message.clone()),
            missing: check.missing.clone(),
            tokens_page: record.tokens_page(),
        }))
    }

    /// The trouble worth telling the user about at `now`: any but a
    /// failure to check that has lasted less than `FAILING_ALERT_AFTER`.
    pub fn trouble_at(&self, now: DateTime<Utc>) -> Option<&Trouble> {
        match self {
            CheckHealth::Broken(trouble) if trouble.alertable_at() <= now => Some(trouble),
            _ => None,
        }
    }
}

impl Trouble {
    /// When it becomes worth an alert: at once, or for a failure to check,
    /// once it has lasted a day.
    pub fn alertable_at(&self) -> DateTime<Utc> {
        match self.kind {
            TroubleKind::CheckFailing => self
                .since
                .checked_add_signed(FAILING_ALERT_AFTER)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
            _ => DateTime::<Utc>::MIN_UTC,
        }
    }

    /// What happened, after the token's name in the tray's menu, at `now`:
    /// "stopped working", "falls short: lacks admin:repo_hook", "could not
    /// be checked for 2 days".
    pub fn menu_words(&self, now: DateTime<Utc>) -> String {
        match self.kind {
            TroubleKind::Invalid | TroubleKind::ExpiredEarly => self.kind.title_words().to_owned(),
            TroubleKind::FallsShort if self.missing.is_empty() => "falls short".to_owned(),
            TroubleKind::FallsShort => format!("falls short: lacks {}", self.missing.join(", ")),
            TroubleKind::CheckFailing => match (now - self.since).num_days().max(1) {
                1 => "could not be checked for a day".to_owned(),
                days => format!("could not be checked for {days} days"),
            },
        }
    }

    /// The check's explanation, then the fix, for a notification's body
    /// (after the provider's name).
    pub fn explanation_and_fix(&self) -> String {
        let page = &self.tokens_page;
        let at = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
        let replace = format!("Create a new token at {page} and rotate it in Tokenwarden.");
        let (what, fix) = match self.kind {
            TroubleKind::Invalid => (
                self.explanation
                    .clone()
                    .unwrap_or_else(|| "The provider rejects it: it was revoked, deleted or is wrong.".into()),
                replace,
            ),
            TroubleKind::ExpiredEarly => (
                match self.known_expiry {
                    Some(expiry) => format!(
                        "The provider says it has expired, before {}, the expiry Tokenwarden knew.",
                        at(expiry)
                    ),
                    None => "The provider says it has expired.".to_owned(),
                },
                replace,
            ),
            TroubleKind::FallsShort if !self.missing.is_empty() => (
                self.explanation.clone().unwrap_or_else(|| {
                    format!("It lacks {}.", self.missing.join(", "))
                }),
                format!(
                    "Grant it {} at {page}, or create a new token that has it and rotate it in Tokenwarden.",
                    self.missing.join(", ")
                ),
            ),
            TroubleKind::FallsShort => (
                self.explanation
                    .clone()
                    .unwrap_or_else(|| "It cannot do all its deployment needs.".into()),
                "Do what the provider asks above, then use Check now on its page in Tokenwarden."
                    .to_owned(),
            ),
            TroubleKind::CheckFailing => (
                format!(
                    "Every check since {} failed: {}",
                    at(self.since),
                    self.explanation
                        .as_deref()
                        .unwrap_or("the server gave no answer.")
                ),
                "Make sure this computer reaches the server and that its address is right \
                 (Edit on the token's page in Tokenwarden), then use Check now. Until a check \
                 gets through, Tokenwarden cannot tell whether the token still works."
                    .to_owned(),
            ),
        };
        format!("{what} Fix: {fix}")
    }
}
