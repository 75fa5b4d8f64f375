//! What the watcher remembers between runs, and the scheduling decisions
//! made from it: `due` (the expiry reminders to send now), `troubles_due`
//! (the breakage alerts) and `next_wake` (when to look again). All are pure
//! functions of (tokens, state, settings, now), linear in the tokens: the
//! memory is looked up by token id, never searched.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::alert::{Alert, AlertKind};
use super::schedule::{kind_at, Schedule, DAY};
use super::settings::WatchSettings;
use super::token::WatchedToken;
use super::trouble::{CheckHealth, TroubleKind};
use crate::check::ExpirySource;

/// The state file's format version. A file with a higher version was
/// written by a newer Tokenwarden and is refused, never rewritten.
pub const WATCH_FORMAT_VERSION: u32 = 1;

/// An alert raised more than this long after its crossing is a catch-up.
/// (The shell wakes a few milliseconds late; a machine waking from
/// suspend or an app started after a gap is hours late.)
pub const CATCH_UP_GRACE: TimeDelta = TimeDelta::hours(1);

/// How often every token is re-checked against its provider.
pub const RECHECK_EVERY: TimeDelta = DAY;

/// A token's reminders, as its page shows them (read back by the window
/// process from the resident's D-Bus answer on Linux).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Reminders {
    /// When the next alert can come (a threshold, the end of a snooze, the
    /// next day after expiry); `None` when none will.
    #[ts(type = "string | null")]
    pub next_at: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub snoozed_until: Option<DateTime<Utc>>,
    /// "I rotated it" was chosen for the current expiry.
    pub handled: bool,
}

/// The watcher's memory. Persisted as `watch.json` (`WatchStateFile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchState {
    version: u32,
    /// When every token was last re-checked against its provider.
    #[serde(default)]
    last_recheck: Option<DateTime<Utc>>,
    /// Snoozes by token id. They belong to the token, not to one expiry:
    /// "not now" stands even if a re-check moves the expiry meanwhile.
    #[serde(default)]
    snoozed_until: BTreeMap<String, DateTime<Utc>>,
    /// One entry per token and expiry alerted about (or marked handled),
    /// by token id: a round looks every token up, so a map, not a list
    /// (10,000 tokens). Written as the list it always was.
    #[serde(default, with = "entries")]
    tokens: BTreeMap<String, Vec<TokenWatch>>,
    /// The trouble last alerted about, by token id: one alert per change
    /// of it; forgotten when a check finds the token fine again, so a
    /// later breakage alerts anew. Absent from files written before it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    troubles: BTreeMap<String, TroubleWatch>,
}

/// The trouble a token was last alerted about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TroubleWatch {
    kind: TroubleKind,
    alerted_at: DateTime<Utc>,
}

/// `WatchState::tokens` on disk: the flat list of entries of format 1.
mod entries {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    use super::TokenWatch;

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<String, Vec<TokenWatch>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.values().flatten())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, Vec<TokenWatch>>, D::Error> {
        let list = Vec::<TokenWatch>::deserialize(deserializer)?;
        let mut map: BTreeMap<String, Vec<TokenWatch>> = BTreeMap::new();
        for entry in list {
            let same = map.entry(entry.id.clone()).or_default();
            // A hand-edited file may repeat an entry: the first one counts,
            // as the list's linear search used to find.
            if !same.iter().any(|e| e.expires_at == entry.expires_at) {
                same.push(entry);
            }
        }
        Ok(map)
    }
}

/// What was done about one token for one expiry. A token whose expiry
/// changes (rotated, edited, re-checked) is looked up under its new expiry,
/// finds nothing, and so starts its thresholds afresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TokenWatch {
    id: String,
    /// The expiry this entry is for; `None` for a token without one.
    expires_at: Option<DateTime<Utc>>,
    /// Every trigger (threshold crossing, after-expiry day) at or before
    /// this instant is done: alerted, or folded into a later alert. One
    /// mark instead of a set of fired thresholds, so changing the
    /// thresholds never re-fires anything less urgent than what was sent.
    #[serde(default)]
    alerted_through: Option<DateTime<Utc>>,
    /// When the last alert was sent. For a token without an expiry, its
    /// presence means the one reminder was given.
    #[serde(default)]
    last_alert_at: Option<DateTime<Utc>>,
    /// The user said "I rotated it": no more alerts for this expiry.
    #[serde(default)]
    handled_at: Option<DateTime<Utc>>,
}

impl Default for WatchState {
    fn default() -> Self {
        WatchState {
            version: WATCH_FORMAT_VERSION,
            last_recheck: None,
            snoozed_until: BTreeMap::new(),
            tokens: BTreeMap::new(),
            troubles: BTreeMap::new(),
        }
    }
}

impl WatchState {
    /// The alerts to send at `now`: at most one per token, the most urgent
    /// of the triggers crossed since the last alert (earlier ones are
    /// folded into it, not sent). Soonest expiry first, tokens without an
    /// expiry last. Nothing for a snoozed or handled token.
    ///
    /// Call `record_sent` with what was sent (or attempted: a notification
    /// that failed to show must be recorded too, or `next_wake` stays at
    /// `now` and the shell spins).
    pub fn due(
        &self,
        tokens: &[WatchedToken],
        settings: &WatchSettings,
        now: DateTime<Utc>,
    ) -> Vec<Alert> {
        let mut alerts: Vec<Alert> = tokens
            .iter()
            .filter_map(|token| self.due_for(token, settings, now))
            .collect();
        alerts.sort_by(|a, b| {
            (
                a.expires_at.is_none(),
                a.expires_at,
                &a.token_name,
                &a.token_id,
            )
                .cmp(&(
                    b.expires_at.is_none(),
                    b.expires_at,
                    &b.token_name,
                    &b.token_id,
                ))
        });
        alerts
    }

    fn due_for(
        &self,
        token: &WatchedToken,
        settings: &WatchSettings,
        now: DateTime<Utc>,
    ) -> Option<Alert> {
        if self.is_snoozed(&token.id, now) {
            return None;
        }
        let deadline = token.deadline();
        let entry = self.entry(&token.id, deadline);
        if entry.is_some_and(|e| e.handled_at.is_some()) {
            return None;
        }
        let alert = |kind, due_at, catch_up| Alert {
            token_id: token.id.clone(),
            token_name: token.name.clone(),
            provider: token.provider,
            kind,
            expires_at: deadline,
            due_at,
            catch_up,
            trouble: None,
        };
        match deadline {
            None => {
                if entry.is_some_and(|e| e.last_alert_at.is_some()) {
                    return None;
                }
                let kind = if token.expiry == ExpirySource::Never {
                    AlertKind::NoExpiry
                } else {
                    AlertKind::UnknownExpiry
                };
                Some(alert(kind, None, false))
            }
            Some(expires_at) => {
                let after = entry.and_then(|e| e.alerted_through);
                let crossed = Schedule::new(expires_at, settings).crossed(after, now)?;
                let catch_up = crossed.count > 1 || now - crossed.latest > CATCH_UP_GRACE;
                Some(alert(
                    kind_at(expires_at, now),
                    Some(crossed.latest),
                    catch_up,
                ))
            }
        }
    }

    /// The breakage alerts to send at `now`, one per token whose last check
    /// found it broken (a failure to check only once it has lasted
    /// `FAILING_ALERT_AFTER`), unless this same trouble was alerted
    /// already. Neither a snooze nor "I rotated it" holds them back: those
    /// answer an expiry reminder, and a token that broke since is news.
    /// Worst first, then by name. `record_sent` remembers them.
    pub fn troubles_due(&self, tokens: &[WatchedToken], now: DateTime<Utc>) -> Vec<Alert> {
        let mut alerts: Vec<Alert> = first_per_id(tokens)
            .filter_map(|token| {
                let trouble = token.health.trouble_at(now)?;
                if self.alerted_trouble(&token.id) == Some(trouble.kind) {
                    return None;
                }
                Some(Alert {
                    token_id: token.id.clone(),
                    token_name: token.name.clone(),
                    provider: token.provider,
                    kind: AlertKind::Broken {
                        trouble: trouble.kind,
                    },
                    expires_at: token.deadline(),
                    due_at: None,
                    catch_up: false,
                    trouble: Some(trouble.clone()),
                })
            })
            .collect();
        alerts.sort_by_cached_key(|a| {
            let severity = match a.kind {
                AlertKind::Broken { trouble } => trouble.severity(),
                _ => crate::status::Severity::Good,
            };
            (
                std::cmp::Reverse(severity),
                a.token_name.clone(),
                a.token_id.clone(),
            )
        });
        alerts
    }

    /// The trouble this token was last alerted about, while it lasts.
    pub fn alerted_trouble(&self, token_id: &str) -> Option<TroubleKind> {
        self.troubles.get(token_id).map(|t| t.kind)
    }

    /// Forgets the trouble of every token whose last check found it fine
    /// again, so that breaking later alerts anew. A check that got no
    /// answer (not yet a day) says nothing either way and forgets nothing.
    /// Returns whether anything was forgotten (the state is worth saving).
    pub fn clear_recovered(&mut self, tokens: &[WatchedToken]) -> bool {
        if self.troubles.is_empty() {
            return false;
        }
        let mut cleared = false;
        for token in first_per_id(tokens) {
            if token.health == CheckHealth::Fine && self.troubles.remove(&token.id).is_some() {
                cleared = true;
            }
        }
        cleared
    }

    /// When the next breakage alert can fall due without anything else
    /// happening: `now` while one is due and unrecorded, else the instant
    /// the earliest failure to check will have lasted a day.
    fn next_trouble(&self, tokens: &[WatchedToken], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        first_per_id(tokens)
            .filter_map(|token| match &token.health {
                CheckHealth::Broken(trouble)
                    if self.alerted_trouble(&token.id) != Some(trouble.kind) =>
                {
                    Some(trouble.alertable_at().max(now))
                }
                _ => None,
            })
            .min()
    }

    /// Remembers that `alerts` (from `due` or `troubles_due`) were sent at
    /// `now`, so they and every crossing they folded in never fire again.
    pub fn record_sent(&mut self, alerts: &[Alert], now: DateTime<Utc>) {
        for alert in alerts {
            if let AlertKind::Broken { trouble } = alert.kind {
                self.troubles.insert(
                    alert.token_id.clone(),
                    TroubleWatch {
                        kind: trouble,
                        alerted_at: now,
                    },
                );
                continue;
            }
            let entry = self.entry_mut(&alert.token_id, alert.expires_at);
            entry.last_alert_at = Some(now);
            if let Some(due_at) = alert.due_at {
                entry.alerted_through =
                    Some(entry.alerted_through.map_or(due_at, |t| t.max(due_at)));
            }
        }
    }

    /// No alerts for this token until `until` (`Snooze::ends_at` computes
    /// it). Crossings meanwhile are folded into one alert when it ends. A
    /// later snooze replaces an earlier one; `until <= now` ends it.
    pub fn snooze(&mut self, token_id: &str, until: DateTime<Utc>) {
        self.snoozed_until.insert(token_id.to_owned(), until);
    }

    /// When the token's snooze ends, if it is snoozed at `now`.
    pub fn snoozed_until(&self, token_id: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.snoozed_until
            .get(token_id)
            .copied()
            .filter(|until| *until > now)
    }

    fn is_snoozed(&self, token_id: &str, now: DateTime<Utc>) -> bool {
        self.snoozed_until(token_id, now).is_some()
    }

    /// "I rotated it": no more alerts about this token for `expires_at`
    /// (pass `Alert::expires_at` from the notification, or
    /// `WatchedToken::deadline()`), neither the remaining thresholds nor the
    /// daily alerts after expiry. A new expiry (the rotated value checked,
    /// or a date edited) is watched afresh.
    pub fn mark_handled(
        &mut self,
        token_id: &str,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) {
        self.entry_mut(token_id, expires_at).handled_at = Some(now);
    }

    /// Whether the user marked this token handled for its current expiry.
    pub fn is_handled(&self, token: &WatchedToken) -> bool {
        self.entry(&token.id, token.deadline())
            .is_some_and(|e| e.handled_at.is_some())
    }

    /// Undoes a snooze and "I rotated it" for the token's current expiry:
    /// alerts resume (what was crossed meanwhile comes as one catch-up).
    pub fn resume(&mut self, token: &WatchedToken) {
        self.snoozed_until.remove(&token.id);
        let deadline = token.deadline();
        if let Some(entry) = self
            .tokens
            .get_mut(&token.id)
            .and_then(|entries| entries.iter_mut().find(|e| e.expires_at == deadline))
        {
            entry.handled_at = None;
        }
    }

    /// What the token's page says about its reminders.
    pub fn reminders(
        &self,
        token: &WatchedToken,
        settings: &WatchSettings,
        now: DateTime<Utc>,
    ) -> Reminders {
        Reminders {
            next_at: self.next_event(token, settings, now),
            snoozed_until: self.snoozed_until(&token.id, now),
            handled: self.is_handled(token),
        }
    }

    /// Drops what is remembered about deleted tokens, and about expiries
    /// tokens no longer have (so the file does not grow with rotations).
    /// Call it with the whole vault, after any change to it.
    pub fn forget_missing(&mut self, tokens: &[WatchedToken]) {
        // Token ids first, then each remembered entry looked up: linear in
        // the tokens, not quadratic.
        let deadlines: BTreeMap<&str, Option<DateTime<Utc>>> = tokens
            .iter()
            .map(|t| (t.id.as_str(), t.deadline()))
            .collect();
        self.tokens
            .retain(|id, entries| match deadlines.get(id.as_str()) {
                Some(deadline) => {
                    entries.retain(|e| e.expires_at == *deadline);
                    !entries.is_empty()
                }
                None => false,
            });
        let ids: HashSet<&str> = deadlines.keys().copied().collect();
        self.snoozed_until.retain(|id, _| ids.contains(id.as_str()));
        self.troubles.retain(|id, _| ids.contains(id.as_str()));
    }

    /// The earliest instant at which `due` or `recheck_due` can change its
    /// answer: the next threshold crossing or after-expiry day of any token,
    /// the end of a snooze holding one back, a no-expiry reminder not yet
    /// given, or the next daily re-check. Never earlier than `now`: it is
    /// `now` itself while something is due and not yet recorded, and later
    /// than `now` once it has been. `None` when nothing will ever be due
    /// (no tokens, or every token handled and already reminded).
    ///
    /// A wall-clock instant: the shell should sleep on the wall clock (or
    /// recompute on resume from suspend, and after any vault change).
    pub fn next_wake(
        &self,
        tokens: &[WatchedToken],
        settings: &WatchSettings,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let alerts = tokens
            .iter()
            .filter_map(|token| self.next_event(token, settings, now));
        // Nothing to re-check without tokens: the shell wakes on a vault
        // change instead.
        let recheck =
            (!tokens.is_empty()).then(|| self.next_recheck().map_or(now, |at| at.max(now)));
        alerts
            .chain(recheck)
            .chain(self.next_trouble(tokens, now))
            .min()
    }

    fn next_event(
        &self,
        token: &WatchedToken,
        settings: &WatchSettings,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let deadline = token.deadline();
        let entry = self.entry(&token.id, deadline);
        if entry.is_some_and(|e| e.handled_at.is_some()) {
            return None;
        }
        let event = match deadline {
            None => entry
                .is_none_or(|e| e.last_alert_at.is_none())
                .then_some(now),
            Some(expires_at) => {
                let schedule = Schedule::new(expires_at, settings);
                let after = entry.and_then(|e| e.alerted_through);
                if schedule.crossed(after, now).is_some() {
                    Some(now)
                } else {
                    // `after` is later than `now` only if the clock went back.
                    schedule.next_after(after.map_or(now, |a| a.max(now)))
                }
            }
        }?;
        Some(match self.snoozed_until(&token.id, now) {
            Some(until) => event.max(until),
            None => event,
        })
    }

    /// Whether the daily re-check of every token is due: never done, or
    /// done 24 hours ago or more.
    pub fn recheck_due(&self, now: DateTime<Utc>) -> bool {
        self.next_recheck().is_none_or(|at| at <= now)
    }

    /// Remembers a re-check of every token at `now`.
    pub fn record_recheck(&mut self, now: DateTime<Utc>) {
        self.last_recheck = Some(now);
    }

    pub fn last_recheck(&self) -> Option<DateTime<Utc>> {
        self.last_recheck
    }

    /// `last_recheck + 24 h`; `None` before the first re-check.
    pub fn next_recheck(&self) -> Option<DateTime<Utc>> {
        self.last_recheck
            .map(|at| at.checked_add_signed(RECHECK_EVERY).unwrap_or(at))
    }

    /// (token id, expiry) of every entry remembered.
    #[cfg(test)]
    pub(super) fn remembered(&self) -> Vec<(&str, Option<DateTime<Utc>>)> {
        self.tokens
            .values()
            .flatten()
            .map(|e| (e.id.as_str(), e.expires_at))
            .collect()
    }

    pub(crate) fn version(&self) -> u32 {
        self.version
    }

    /// Brings a state loaded from an older format up to this one.
    pub(crate) fn upgrade(&mut self) {
        self.version = WATCH_FORMAT_VERSION;
    }

    fn entry(&self, token_id: &str, expires_at: Option<DateTime<Utc>>) -> Option<&TokenWatch> {
        self.tokens
            .get(token_id)?
            .iter()
            .find(|e| e.expires_at == expires_at)
    }

    fn entry_mut(&mut self, token_id: &str, expires_at: Option<DateTime<Utc>>) -> &mut TokenWatch {
        let entries = self.tokens.entry(token_id.to_owned()).or_default();
        let index = match entries.iter().position(|e| e.expires_at == expires_at) {
            Some(index) => index,
            None => {
                entries.push(TokenWatch {
                    id: token_id.to_owned(),
                    expires_at,
                    alerted_through: None,
                    last_alert_at: None,
                    handled_at: None,
                });
                entries.len() - 1
            }
        };
        &mut entries[index]
    }
}

/// Each token id once, with its first token (as the vault finds a token).
/// A vault never repeats an id, but a hand-edited file may, and two
/// readings of one id remembered under that one id would take turns
/// alerting (found by fuzzing `app_data_files`).
fn first_per_id(tokens: &[WatchedToken]) -> impl Iterator<Item = &WatchedToken> {
    let mut seen = HashSet::with_capacity(tokens.len());
    tokens.iter().filter(move |t| seen.insert(t.id.as_str()))
}
