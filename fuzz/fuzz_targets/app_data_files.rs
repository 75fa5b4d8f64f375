//! The files in the app-data folder, which anything on the machine may
//! have written: `tokens.json` (the vault's metadata), `watch.json` (the
//! watcher's memory) and `settings.json`. Each is decoded as the app does;
//! what parses is written back and must read the same; then the watcher
//! and the dashboard work on what was loaded.
//!
//! Input: the three files in that order, separated by lines holding
//! exactly `---` (missing ones count as absent).
#![no_main]

use chrono::{DateTime, TimeDelta, Utc};
use libfuzzer_sys::fuzz_target;
use serde::{de::DeserializeOwned, Serialize};
use tokenwarden_core::jsonfile::{encode, Decoded};
use tokenwarden_core::settings::Settings;
use tokenwarden_core::vault::{SecretState, TokenStatus, TokenView, VaultData, FORMAT_VERSION};
use tokenwarden_core::watch::{WatchState, WatchedToken, WATCH_FORMAT_VERSION};
use tokenwarden_fuzz::default_now;

fuzz_target!(|data: &[u8]| {
    let mut files = split(data).into_iter();
    let tokens = files.next().unwrap_or_default();
    let watch = files.next();
    let settings = files.next();

    let vault = round_trip(tokens, VaultData::decode, FORMAT_VERSION);
    let state = watch
        .and_then(|w| round_trip(w, WatchState::decode, WATCH_FORMAT_VERSION))
        .unwrap_or_default();
    let settings = settings
        // settings.json is at format 1.
        .and_then(|s| round_trip(s, Settings::decode, 1))
        .unwrap_or_default();
    let Some(vault) = vault else {
        return;
    };

    let tokens: Vec<WatchedToken> = vault.tokens.iter().map(WatchedToken::from).collect();
    let now = default_now();
    for now in [now, now + TimeDelta::days(400), now - TimeDelta::days(4000)] {
        watch_round(state.clone(), &tokens, &settings, now);
        for record in &vault.tokens {
            let view = TokenView::new(record.clone(), SecretState::Present, now);
            let expired = record.expires_at.is_some_and(|at| at <= now);
            assert_eq!(view.status == TokenStatus::Expired, expired, "{record:?}");
            if let Some(days) = view.days_left {
                assert_eq!(days < 0, expired, "{days} days left, {record:?}");
            }
        }
    }
});

/// One round of the watcher over what was loaded (expiry reminders, and
/// breakage read from each token's last check), with its documented
/// promises: alerts once, and a wake-up never in the past.
fn watch_round(
    mut state: WatchState,
    tokens: &[WatchedToken],
    settings: &Settings,
    now: DateTime<Utc>,
) {
    let alerts = &settings.alerts;
    state.forget_missing(tokens);
    state.clear_recovered(tokens);
    let breakage = state.troubles_due(tokens, now);
    assert!(
        breakage.len() <= tokens.len(),
        "more breakage alerts than tokens"
    );
    let due = state.due(tokens, alerts, now);
    assert!(due.len() <= tokens.len(), "more alerts than tokens");
    for alert in breakage.iter().chain(&due) {
        let _ = (alert.title(), alert.body());
    }
    if let Some(wake) = state.next_wake(tokens, alerts, now) {
        assert!(wake >= now, "wakes at {wake}, before {now}");
    }
    state.record_sent(&breakage, now);
    state.record_sent(&due, now);
    state.record_recheck(now);
    assert!(state.due(tokens, alerts, now).is_empty(), "sent twice");
    assert!(
        state.troubles_due(tokens, now).is_empty(),
        "breakage sent twice"
    );
    if let Some(wake) = state.next_wake(tokens, alerts, now) {
        assert!(
            wake > now,
            "wakes at {wake}, not after {now}, with nothing due"
        );
    }
    // What the watcher saves reads back the same.
    let bytes = encode(&state).expect("the state always serializes");
    assert_eq!(WatchState::decode(&bytes), Decoded::Parsed(state));
}

/// Decodes a file; what parses is written back and must decode the same.
fn round_trip<T>(bytes: &[u8], decode: fn(&[u8]) -> Decoded<T>, supported: u32) -> Option<T>
where
    T: Serialize + DeserializeOwned + PartialEq + Clone + std::fmt::Debug,
{
    match decode(bytes) {
        Decoded::Parsed(value) => {
            let written = encode(&value).expect("what was read can be written");
            assert_eq!(decode(&written), Decoded::Parsed(value.clone()));
            Some(value)
        }
        Decoded::Newer(found) => {
            assert!(found > supported, "{found} is not newer than {supported}");
            None
        }
        Decoded::Corrupt(_) => None,
    }
}

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut files = Vec::new();
    let mut rest = data;
    while let Some(i) = rest.windows(5).position(|w| w == b"\n---\n") {
        files.push(&rest[..i]);
        rest = &rest[i + 5..];
    }
    files.push(rest);
    files
}
