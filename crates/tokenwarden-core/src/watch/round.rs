//! The watcher's decisions, as pure functions of (state, tokens, settings,
//! what happened, now): what a reminder choice on a token's page means,
//! what a notification's answer means, and what one round of the watcher
//! does. The desktop shell only does the I/O around them: it sleeps until
//! `Round::next_wake`, listens for file events, resumes and answers, runs
//! the re-check, sends `Round::notify` and saves the state when
//! `Round::save` says so.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::alert::Alert;
use super::settings::{Snooze, WatchSettings};
use super::state::{Reminders, WatchState};
use super::token::WatchedToken;
use crate::notify::NotificationAction;

/// What the user chose on a token's page (sent by name to the resident
/// process on Linux).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReminderChoice {
    Tomorrow,
    NextWeek,
    /// "I rotated it": no more reminders for the current expiry.
    Rotated,
    /// Undoes a pause or "I rotated it".
    Resume,
}

/// Applies the user's choice on a token's page at `now`: pause a day or a
/// week, "I rotated it" (silences its current expiry), or resume.
pub fn apply_choice(
    state: &mut WatchState,
    token: &WatchedToken,
    choice: ReminderChoice,
    now: DateTime<Utc>,
) {
    match choice {
        ReminderChoice::Tomorrow => state.snooze(&token.id, Snooze::Day.ends_at(now)),
        ReminderChoice::NextWeek => state.snooze(&token.id, Snooze::Week.ends_at(now)),
        ReminderChoice::Rotated => state.mark_handled(&token.id, token.deadline(), now),
        ReminderChoice::Resume => state.resume(token),
    }
}

/// `apply_choice`, then the token's reminders as its page shows them anew.
pub fn choose(
    state: &mut WatchState,
    token: &WatchedToken,
    choice: ReminderChoice,
    settings: &WatchSettings,
    now: DateTime<Utc>,
) -> Reminders {
    apply_choice(state, token, choice, now);
    state.reminders(token, settings, now)
}

/// Applies a notification's answer at `now`: "Remind me tomorrow / next
/// week" snoozes the token, "I rotated it" silences its current expiry (a
/// token no longer in `tokens` is left alone). Returns whether the state
/// changed (and so should be saved). "Open" and "Rotate now" are the
/// shell's to carry out (they open a window) and change nothing here.
pub fn apply_answer(
    state: &mut WatchState,
    tokens: &[WatchedToken],
    answer: &NotificationAction,
    now: DateTime<Utc>,
) -> bool {
    match answer {
        NotificationAction::Snooze { token_id, days } => {
            let until = now
                .checked_add_signed(chrono::TimeDelta::days(i64::from(*days)))
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
            state.snooze(token_id, until);
            true
        }
        NotificationAction::Handled { token_id } => {
            match tokens.iter().find(|t| t.id == *token_id) {
                Some(token) => {
                    state.mark_handled(token_id, token.deadline(), now);
                    true
                }
                None => false,
            }
        }
        NotificationAction::Open { .. } | NotificationAction::Rotate { .. } => false,
    }
}

/// What happened since the last round, besides time passing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundInput {
    /// Answers from notifications, in the order they came.
    pub answers: Vec<NotificationAction>,
    /// The user asked to check every token now ("Check all now").
    pub check_asked: bool,
}

/// What the shell is to do after a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// Re-check every token against its provider now, then call
    /// `recheck_done` and go round again with the vault read anew (a
    /// revoked token or a changed expiry is caught by it, and the next
    /// round reschedules from what the check learned). Nothing is
    /// notified in a round that asks for a re-check.
    pub recheck: bool,
    /// The alerts to send now; already recorded in the state as sent (a
    /// notification that fails to show is not retried: otherwise it stays
    /// due and the shell would spin).
    pub notify: Vec<Alert>,
    /// The state changed in a way worth keeping: write `watch.json`.
    pub save: bool,
    /// When to go round again at the latest (`None`: only when something
    /// happens). `now` while a re-check is pending.
    pub next_wake: Option<DateTime<Utc>>,
}

/// One round of the watcher at `now`, for the whole vault (`tokens`, whose
/// `health` is what the vault recorded of their last checks, whoever ran
/// them: the app's re-check or the CLI's `check`): forgets deleted tokens,
/// applies the notifications' answers, asks for the daily (or a requested)
/// re-check, else forgets the troubles of tokens found fine again and says
/// what is due (breakage first, then expiry; recording it) and when to
/// wake next. Linear in the tokens (plus sorting what is due).
#[tracing::instrument(level = "debug", skip_all, fields(tokens = tokens.len(), answers = input.answers.len(), check_asked = input.check_asked))]
pub fn round(
    state: &mut WatchState,
    tokens: &[WatchedToken],
    settings: &WatchSettings,
    input: &RoundInput,
    now: DateTime<Utc>,
) -> Round {
    state.forget_missing(tokens);
    let mut save = false;
    for answer in &input.answers {
        save |= apply_answer(state, tokens, answer, now);
    }
    if !tokens.is_empty() && (input.check_asked || state.recheck_due(now)) {
        return Round {
            recheck: true,
            notify: Vec::new(),
            save,
            next_wake: Some(now),
        };
    }
    save |= state.clear_recovered(tokens);
    // Breakage first: a token that stopped working matters more than one
    // that expires.
    let mut notify = state.troubles_due(tokens, now);
    notify.extend(state.due(tokens, settings, now));
    if !notify.is_empty() {
        state.record_sent(&notify, now);
        save = true;
    }
    let next_wake = state.next_wake(tokens, settings, now);
    tracing::debug!(alerts = notify.len(), ?next_wake, "watch round");
    Round {
        recheck: false,
        notify,
        save,
        next_wake,
    }
}

/// Remembers that every token was re-checked at `now` (after a round asked
/// for it); the state is then worth saving.
pub fn recheck_done(state: &mut WatchState, now: DateTime<Utc>) {
    state.record_recheck(now);
}
