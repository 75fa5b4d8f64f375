//! The expiry watcher's decisions. Pure logic with time injected: no
//! threads, no sleeping, no notifications. The desktop shell runs
//! `round` in a loop and does only the I/O around it:
//!
//! ```text
//! let file = WatchStateFile::in_data_dir(&config.data_dir);
//! let (mut state, notice) = file.load(clock.now())?;       // tell the user about `notice`
//! loop {
//!     let tokens: Vec<WatchedToken> = vault.list()?.iter().map(WatchedToken::from).collect();
//!     let round = watch::round(&mut state, &tokens, &settings, &input, clock.now());
//!     if round.recheck { vault.check(None).await?; watch::recheck_done(&mut state, clock.now()); }
//!     for alert in &round.notify { notify(alert.title(), alert.body()) }   // best effort
//!     if round.save { file.save(&state)?; }
//!     // Sleep until `round.next_wake` (None: until woken), or until the
//!     // vault changes, the settings change, the user answers a
//!     // notification or asks to check all now, or the machine resumes
//!     // from suspend; then go round again.
//! }
//! ```
//!
//! A token's page changes its reminders with `choose` (`ReminderChoice`),
//! a notification's buttons with `apply_answer` (inside `round`).
//!
//! # Rules
//!
//! - **Triggers.** Threshold `N` (days) is crossed at `expires_at - N × 24 h`
//!   (exact instants, no calendar, no time zone); `0` is the expiry instant.
//!   After expiry, if `after_expiry_daily`, one alert every 24 hours at
//!   `expires_at + k × 24 h` (k ≥ 1) until handled. The words count from
//!   the moment of the alert: days left rounded up, days ago rounded down
//!   (see `schedule::kind_at`), so an alert fired at threshold 7 says
//!   "expires in 7 days" even if the shell woke a moment late.
//! - **Once, and no bursts.** The state keeps, per token and expiry, the
//!   latest trigger dealt with. `due` returns at most one alert per token:
//!   the latest trigger crossed since then, which marks all earlier ones
//!   done. So a gap (the app closed, a snooze, the machine asleep, a token
//!   added already inside several thresholds) yields one alert with
//!   `catch_up = true`, saying how much time is left *now*.
//! - **Keyed by expiry.** The memory is keyed by token id and the expiry it
//!   was computed for. A token whose expiry changes (rotated, edited,
//!   re-checked) starts its thresholds afresh; if its new expiry is already
//!   inside some thresholds, it gets one catch-up alert for the most urgent.
//! - **No expiry.** A token that never expires (`ExpirySource::Never`), or
//!   whose expiry is unknown (no `expires_at`), gets one reminder
//!   recommending one, remembered.
//! - **Snooze** holds back a token's alerts until it ends (crossings
//!   meanwhile fold into one alert then). **Handled** ("I rotated it")
//!   stops every further alert for that token's current expiry: remaining
//!   thresholds and the daily alerts after expiry.
//! - **Re-check** every token once a day: due at `last_recheck + 24 h`
//!   (at once before the first).
//! - **Breakage.** A token whose last check (recorded in the vault, by the
//!   app or the CLI) found it invalid, expired before its known expiry, or
//!   short of a requirement gets one alert naming it, what happened and the
//!   fix (`trouble.rs`); one that could not be checked gets one once the
//!   failures have lasted `FAILING_ALERT_AFTER` (a day) since the first.
//!   One alert per change of that state, remembered in `watch.json`; a
//!   check that finds the token fine forgets it (so a later breakage
//!   alerts again), a failed check forgets nothing. Snoozes and "I rotated
//!   it" do not hold breakage back: they answer expiry reminders.
//! - **`next_wake`** is the earliest instant any of the above can change:
//!   never in the past, `now` while something due is unrecorded, strictly
//!   later once recorded.

mod alert;
mod file;
mod round;
mod schedule;
mod settings;
mod state;
mod token;
mod trouble;

#[cfg(test)]
mod tests;

pub use alert::{Alert, AlertKind};
pub use file::{WatchFileError, WatchStateFile, WATCH_FILE_NAME};
pub use round::{
    apply_answer, apply_choice, choose, recheck_done, round, ReminderChoice, Round, RoundInput,
};
pub use settings::{Snooze, WatchSettings};
pub use state::{Reminders, WatchState, CATCH_UP_GRACE, RECHECK_EVERY, WATCH_FORMAT_VERSION};
pub use token::WatchedToken;
pub use trouble::{CheckHealth, Trouble, TroubleKind, FAILING_ALERT_AFTER};
