//! The watcher driven by an injected `now`: time is walked, never slept.

use std::fs;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::schedule::DAY;
use super::*;
use crate::check::ExpirySource;
use crate::providers::provider_of_token;
use crate::ProviderKind;

const HOUR: TimeDelta = TimeDelta::hours(1);

/// The expiry most tests use: 2026-12-20 12:00 UTC.
fn expiry() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 20, 12, 0, 0).unwrap()
}

fn token(id: &str, expires_at: Option<DateTime<Utc>>) -> WatchedToken {
    WatchedToken {
        id: id.into(),
        name: format!("github-{id}-production"),
        provider: ProviderKind::Github,
        expires_at,
        expiry: if expires_at.is_some() {
            ExpirySource::Provider
        } else {
            ExpirySource::Unknown
        },
        health: CheckHealth::Unknown,
    }
}

fn settings(thresholds: &[u32], daily: bool) -> WatchSettings {
    WatchSettings {
        thresholds_days: thresholds.to_vec(),
        after_expiry_daily: daily,
    }
}

/// Far enough ahead that the daily re-check never gets in a test's way.
fn far() -> DateTime<Utc> {
    expiry() + DAY * 1000
}

/// One step of the shell's loop: what is due is sent and recorded, the
/// re-check done if due; afterwards `next_wake` must lie strictly ahead.
fn step(
    state: &mut WatchState,
    tokens: &[WatchedToken],
    settings: &WatchSettings,
    now: DateTime<Utc>,
) -> Vec<Alert> {
    let alerts = state.due(tokens, settings, now);
    state.record_sent(&alerts, now);
    if state.recheck_due(now) {
        state.record_recheck(now);
    }
    if let Some(wake) = state.next_wake(tokens, settings, now) {
        assert!(wake > now, "next_wake {wake} is not after {now}");
    }
    assert!(
        state.due(tokens, settings, now).is_empty(),
        "due twice at {now}"
    );
    alerts
}

/// Walks `now` from `from` to `to` in `by` steps, the way the shell would
/// if it woke every `by`; returns (when, kind, catch_up) of each alert.
/// Also proves `next_wake` honest: nothing falls due before it.
fn walk(
    state: &mut WatchState,
    tokens: &[WatchedToken],
    settings: &WatchSettings,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    by: TimeDelta,
) -> Vec<(DateTime<Utc>, AlertKind, bool)> {
    let mut fired = Vec::new();
    let mut wake = Some(from);
    let mut now = from;
    while now <= to {
        let alerts = step(state, tokens, settings, now);
        if wake.is_none_or(|w| now < w) {
            assert!(
                alerts.is_empty(),
                "alerts at {now} before next_wake {wake:?}"
            );
        }
        fired.extend(alerts.iter().map(|a| (now, a.kind, a.catch_up)));
        wake = state.next_wake(tokens, settings, now);
        now += by;
    }
    fired
}

fn before(days_left: i64) -> AlertKind {
    AlertKind::BeforeExpiry { days_left }
}

fn expired(days_ago: i64) -> AlertKind {
    AlertKind::Expired { days_ago }
}

#[test]
fn each_threshold_fires_once_then_daily_after_expiry() {
    // The expiry on the hour and off it: hourly steps then wake up to 59
    // minutes after a crossing, and the words must not change.
    for offset in [TimeDelta::zero(), TimeDelta::minutes(17)] {
        let expires_at = expiry() + offset;
        let tokens = [token("acme", Some(expires_at))];
        let mut state = WatchState::default();
        let start = expiry() - DAY * 35;
        let fired = walk(
            &mut state,
            &tokens,
            &WatchSettings::default(),
            start,
            start + DAY * 40 - HOUR,
            HOUR,
        );
        let kinds: Vec<_> = fired.iter().map(|(_, kind, _)| *kind).collect();
        assert_eq!(
            kinds,
            [
                before(30),
                before(14),
                before(7),
                before(3),
                before(1),
                expired(0),
                expired(1),
                expired(2),
                expired(3),
                expired(4),
            ],
            "offset {offset}"
        );
        // Each at the first step at or after its crossing, none a catch-up.
        let crossings = [30, 14, 7, 3, 1, 0]
            .map(|n| expires_at - DAY * n)
            .into_iter()
            .chain((1..=4).map(|k| expires_at + DAY * k));
        for ((when, kind, catch_up), crossing) in fired.iter().zip(crossings) {
            assert!(
                *when >= crossing && *when - crossing < HOUR,
                "{kind:?} at {when}, crossing {crossing}"
            );
            assert!(!catch_up, "{kind:?}");
        }
    }
}

#[test]
fn next_wake_is_exactly_the_next_crossing() {
    let tokens = [token("acme", Some(expiry()))];
    let settings = WatchSettings::default();
    let mut state = WatchState::default();
    state.record_recheck(far());
    let mut now = expiry() - DAY * 40;
    let mut fired = Vec::new();
    let mut stops = Vec::new();
    // Jump from wake to wake, as the shell does: every stop is a crossing.
    for _ in 0..9 {
        let alerts = step(&mut state, &tokens, &settings, now);
        fired.extend(alerts.iter().map(|a| a.kind));
        now = state.next_wake(&tokens, &settings, now).unwrap();
        stops.push(now);
    }
    assert_eq!(
        fired,
        [
            before(30),
            before(14),
            before(7),
            before(3),
            before(1),
            expired(0),
            expired(1),
            expired(2)
        ]
    );
    let expected: Vec<_> = [-30, -14, -7, -3, -1, 0, 1, 2, 3]
        .map(|d| expiry() + DAY * d)
        .into();
    assert_eq!(stops, expected);
}

#[test]
fn next_wake_cases() {
    let settings = WatchSettings::default();
    let now = expiry() - DAY * 20;
    let acme = [token("acme", Some(expiry()))];

    // No tokens, no re-check: nothing to wake for. No tokens but a
    // re-check schedule: still nothing (nothing to re-check).
    let mut state = WatchState::default();
    assert_eq!(state.next_wake(&[], &settings, now), None);
    state.record_recheck(now);
    assert_eq!(state.next_wake(&[], &settings, now), None);

    // A token with no alert pending and no re-check yet: the re-check is
    // due now.
    let far_off = [token("far-off", Some(now + DAY * 365))];
    let mut state = WatchState::default();
    assert_eq!(state.due(&far_off, &settings, now), []);
    assert_eq!(state.next_wake(&far_off, &settings, now), Some(now));
    state.record_recheck(now);
    assert_eq!(state.next_wake(&far_off, &settings, now), Some(now + DAY));

    // Due and unrecorded: now. Recorded: the next crossing (14 days).
    let mut state = WatchState::default();
    state.record_recheck(now + DAY * 10);
    assert_eq!(state.next_wake(&acme, &settings, now), Some(now));
    let alerts = state.due(&acme, &settings, now);
    state.record_sent(&alerts, now);
    assert_eq!(
        state.next_wake(&acme, &settings, now),
        Some(expiry() - DAY * 14)
    );

    // The re-check when it comes first.
    state.record_recheck(now - DAY + HOUR * 4);
    assert_eq!(state.next_wake(&acme, &settings, now), Some(now + HOUR * 4));

    // An overdue re-check never yields a past instant.
    state.record_recheck(now - DAY * 3);
    assert_eq!(state.next_wake(&acme, &settings, now), Some(now));
}

#[test]
fn a_gap_yields_one_catch_up_alert_for_the_most_urgent_crossing() {
    let tokens = [token("acme", Some(expiry()))];
    let settings = WatchSettings::default();
    let cases = [
        // (app closed at, reopened at, the one alert on reopening)
        (expiry() - DAY * 20, expiry() - DAY * 2, before(2)),
        (expiry() - DAY * 10, expiry() - DAY * 5, before(5)),
        (
            expiry() - DAY * 2,
            expiry() + DAY * 5 + HOUR * 3,
            expired(5),
        ),
        (expiry() - DAY * 2, expiry() + HOUR * 2, expired(0)),
    ];
    for (closed, reopened, expected) in cases {
        let mut state = WatchState::default();
        let before_gap = walk(
            &mut state,
            &tokens,
            &settings,
            closed - DAY * 40,
            closed,
            HOUR,
        );
        assert!(!before_gap.is_empty());
        let alerts = step(&mut state, &tokens, &settings, reopened);
        assert_eq!(alerts.len(), 1, "{closed} → {reopened}: {alerts:?}");
        assert_eq!(alerts[0].kind, expected);
        assert!(alerts[0].catch_up);
    }

    // And then it carries on as usual: the app reopened 2 days before
    // expiry next alerts at 1 day, on time.
    let mut state = WatchState::default();
    walk(
        &mut state,
        &tokens,
        &settings,
        expiry() - DAY * 40,
        expiry() - DAY * 20,
        HOUR,
    );
    let after = walk(
        &mut state,
        &tokens,
        &settings,
        expiry() - DAY * 2,
        expiry() - HOUR,
        HOUR,
    );
    assert_eq!(
        after,
        [
            (expiry() - DAY * 2, before(2), true),
            (expiry() - DAY, before(1), false)
        ]
    );
}

#[test]
fn nothing_repeats_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = WatchStateFile::in_data_dir(dir.path());
    let tokens = [
        token("acme", Some(expiry())),
        token("old", Some(expiry() - DAY * 9)),
        token("forever", None),
    ];
    let settings = WatchSettings::default();
    let now = expiry() - DAY * 5;
    let mut state = WatchState::default();
    let alerts = step(&mut state, &tokens, &settings, now);
    assert_eq!(alerts.len(), 3);
    state.record_recheck(now);
    let wake = state.next_wake(&tokens, &settings, now);
    file.save(&state).unwrap();

    // The app restarts at the same instant, and an hour later.
    let (loaded, notice) = file.load(now).unwrap();
    assert_eq!(notice, None);
    assert_eq!(loaded, state);
    for later in [now, now + HOUR] {
        assert_eq!(loaded.due(&tokens, &settings, later), []);
        assert!(!loaded.recheck_due(later));
        assert_eq!(loaded.next_wake(&tokens, &settings, later), wake);
    }
}

#[test]
fn a_snooze_holds_alerts_back_then_folds_them_into_one() {
    let tokens = [token("acme", Some(expiry()))];
    let settings = WatchSettings::default();
    let at_14 = expiry() - DAY * 14;
    let cases = [
        // A day: nothing crosses meanwhile; the next alert is 7 days, on time.
        (
            Snooze::Day,
            expiry() - DAY * 7,
            vec![(expiry() - DAY * 7, before(7), false)],
        ),
        // A week: 7 days crosses during it and fires when it ends.
        (
            Snooze::Week,
            expiry() - DAY * 7,
            vec![(expiry() - DAY * 7, before(7), false)],
        ),
        // Ten days: 7 crosses during it; one catch-up alert when it ends.
        (
            Snooze::Until(at_14 + DAY * 10),
            expiry() - DAY * 4,
            vec![(expiry() - DAY * 4, before(4), true)],
        ),
    ];
    for (snooze, expected_wake, expected) in cases {
        let mut state = WatchState::default();
        state.record_recheck(at_14 + DAY * 100);
        assert_eq!(step(&mut state, &tokens, &settings, at_14).len(), 1);
        let until = snooze.ends_at(at_14);
        state.snooze("acme", until);
        assert_eq!(state.snoozed_until("acme", at_14), Some(until));
        assert_eq!(
            state.next_wake(&tokens, &settings, at_14),
            Some(expected_wake),
            "{snooze:?}"
        );
        let fired = walk(
            &mut state,
            &tokens,
            &settings,
            at_14,
            expiry() - DAY * 3 - HOUR,
            HOUR,
        );
        assert_eq!(fired, expected, "{snooze:?}");
        assert_eq!(state.snoozed_until("acme", until), None);
    }
    assert_eq!(Snooze::Day.ends_at(at_14), at_14 + DAY);
    assert_eq!(Snooze::Week.ends_at(at_14), at_14 + DAY * 7);
}

#[test]
fn a_snoozed_token_does_not_hold_back_the_others() {
    let tokens = [token("a", Some(expiry())), token("b", Some(expiry()))];
    let settings = WatchSettings::default();
    let now = expiry() - DAY * 7;
    let mut state = WatchState::default();
    state.snooze("a", now + DAY);
    let alerts = step(&mut state, &tokens, &settings, now);
    assert_eq!(
        alerts
            .iter()
            .map(|a| a.token_id.as_str())
            .collect::<Vec<_>>(),
        ["b"]
    );
    // a's alert waits for the end of its snooze.
    assert_eq!(state.next_wake(&tokens, &settings, now), Some(now + DAY));
    let alerts = step(&mut state, &tokens, &settings, now + DAY);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].token_id, "a");
    assert_eq!(alerts[0].kind, before(6));
    assert!(alerts[0].catch_up);
}

#[test]
fn handled_stops_the_daily_alerts_after_expiry() {
    let tokens = [token("acme", Some(expiry()))];
    let settings = WatchSettings::default();
    let mut state = WatchState::default();
    state.record_recheck(far());
    let fired = walk(
        &mut state,
        &tokens,
        &settings,
        expiry() - HOUR,
        expiry() + DAY * 2 + HOUR,
        HOUR,
    );
    assert_eq!(fired.last().unwrap().1, expired(2));
    let now = expiry() + DAY * 2 + HOUR;
    state.mark_handled("acme", Some(expiry()), now);
    assert!(state.is_handled(&tokens[0]));
    // Only the re-check is left to wake for.
    assert_eq!(
        state.next_wake(&tokens, &settings, now),
        state.next_recheck()
    );
    let fired = walk(&mut state, &tokens, &settings, now, now + DAY * 30, HOUR);
    assert_eq!(fired, []);
}

#[test]
fn handled_before_expiry_silences_the_remaining_thresholds() {
    let tokens = [token("acme", Some(expiry()))];
    let settings = WatchSettings::default();
    let mut state = WatchState::default();
    let now = expiry() - DAY * 7;
    let alerts = step(&mut state, &tokens, &settings, now);
    state.mark_handled(&alerts[0].token_id, alerts[0].expires_at, now);
    let fired = walk(&mut state, &tokens, &settings, now, now + DAY * 30, HOUR);
    assert_eq!(fired, []);
}

#[test]
fn a_new_expiry_starts_the_thresholds_afresh() {
    let settings = WatchSettings::default();
    let old = token("acme", Some(expiry()));
    let mut state = WatchState::default();
    let now = expiry() - DAY * 2;
    walk(
        &mut state,
        std::slice::from_ref(&old),
        &settings,
        now - DAY * 40,
        now,
        HOUR,
    );
    state.mark_handled("acme", Some(expiry()), now);

    let cases = [
        // (the new expiry, what fires at once)
        (now + DAY * 90, vec![]),
        (now + DAY * 20, vec![before(20)]),
        // Brought forward inside several thresholds: one, the most urgent.
        (now + DAY * 5, vec![before(5)]),
    ];
    for (new_expiry, expected) in cases {
        let mut state = state.clone();
        let rotated = token("acme", Some(new_expiry));
        let alerts = step(&mut state, std::slice::from_ref(&rotated), &settings, now);
        assert_eq!(
            alerts.iter().map(|a| a.kind).collect::<Vec<_>>(),
            expected,
            "{new_expiry}"
        );
        assert!(!state.is_handled(&rotated));
        // Then every later threshold of the new expiry, once.
        let fired = walk(
            &mut state,
            std::slice::from_ref(&rotated),
            &settings,
            now,
            new_expiry,
            HOUR,
        );
        let later: Vec<_> = [30_i64, 14, 7, 3, 1, 0]
            .into_iter()
            .filter(|&n| new_expiry - DAY * n as i32 > now)
            .map(|n| if n == 0 { expired(0) } else { before(n) })
            .collect();
        assert_eq!(
            fired.iter().map(|f| f.1).collect::<Vec<_>>(),
            later,
            "{new_expiry}"
        );
        // The old expiry's memory is dropped with the vault's next change.
        state.forget_missing(&[rotated]);
        assert_eq!(state.remembered(), [("acme", Some(new_expiry))]);
    }
}

#[test]
fn an_answer_to_a_stale_notification_leaves_the_new_expiry_alone() {
    let settings = WatchSettings::default();
    let now = expiry() - DAY * 7;
    let mut state = WatchState::default();
    state.record_recheck(far());
    let alerts = step(&mut state, &[token("acme", Some(expiry()))], &settings, now);
    // The token is rotated before the user answers the old notification.
    let rotated = token("acme", Some(now + DAY * 20));
    step(&mut state, std::slice::from_ref(&rotated), &settings, now);
    state.mark_handled("acme", alerts[0].expires_at, now + HOUR);
    assert!(!state.is_handled(&rotated));
    assert_eq!(
        state.next_wake(&[rotated], &settings, now + HOUR),
        Some(now + DAY * 6) // threshold 14 of the new expiry
    );
}

#[test]
fn tokens_added_while_running_catch_up_once_without_disturbing_others() {
    let settings = WatchSettings::default();
    let now = expiry() - DAY * 10;
    let watched = token("acme", Some(expiry()));
    let mut state = WatchState::default();
    walk(
        &mut state,
        std::slice::from_ref(&watched),
        &settings,
        now - DAY * 30,
        now,
        HOUR,
    );

    let cases = [
        // (time left when added, the one alert at once)
        (DAY * 5, Some((before(5), true))),
        (DAY * 5 + HOUR * 3, Some((before(5), true))),
        (DAY * 29 + HOUR * 23, Some((before(30), false))),
        (DAY * 31, None),
        (HOUR * 12, Some((before(0), true))),
        (-DAY * 3, Some((expired(3), true))),
        (-(DAY * 3 + HOUR), Some((expired(3), true))),
    ];
    for (left, expected) in cases {
        let mut state = state.clone();
        let added = token("new", Some(now + left));
        let tokens = [watched.clone(), added];
        let alerts = step(&mut state, &tokens, &settings, now);
        assert_eq!(
            alerts
                .iter()
                .map(|a| (a.kind, a.catch_up))
                .collect::<Vec<_>>(),
            expected.into_iter().collect::<Vec<_>>(),
            "{left}"
        );
        assert!(alerts.iter().all(|a| a.token_id == "new"));
    }

    // Added with 5 days left: 5 now, then 3 and 1 on time.
    let added = token("new", Some(now + DAY * 5));
    let tokens = [watched, added];
    let fired = walk(
        &mut state,
        &tokens,
        &settings,
        now,
        now + DAY * 5 - HOUR,
        HOUR,
    );
    assert_eq!(
        fired,
        [
            (now, before(5), true),
            (now + DAY * 2, before(3), false),
            (now + DAY * 3, before(7), false), // acme's 7 days
            (now + DAY * 4, before(1), false),
        ]
    );
}

#[test]
fn a_token_without_an_expiry_is_reminded_once() {
    let settings = WatchSettings::default();
    let now = expiry();
    let never = WatchedToken {
        expiry: ExpirySource::Never,
        ..token("never", None)
    };
    // The provider's word wins over a stray date.
    let never_with_date = WatchedToken {
        expiry: ExpirySource::Never,
        ..token("never-dated", Some(now + DAY * 3))
    };
    let unknown = token("unknown", None);
    let tokens = [never, never_with_date, unknown];
    let mut state = WatchState::default();
    state.record_recheck(now);
    let alerts = step(&mut state, &tokens, &settings, now);
    assert_eq!(
        alerts
            .iter()
            .map(|a| (a.token_id.as_str(), a.kind, a.expires_at))
            .collect::<Vec<_>>(),
        [
            ("never-dated", AlertKind::NoExpiry, None),
            ("never", AlertKind::NoExpiry, None),
            ("unknown", AlertKind::UnknownExpiry, None),
        ]
    );
    // Only the re-check remains to wake for.
    assert_eq!(state.next_wake(&tokens, &settings, now), Some(now + DAY));
    let fired = walk(&mut state, &tokens, &settings, now, now + DAY * 60, HOUR);
    assert_eq!(fired, []);

    // Given an expiry later, it is watched like any other token.
    let dated = token("unknown", Some(now + DAY * 70));
    let alerts = step(&mut state, &[dated], &settings, now + DAY * 61);
    assert_eq!(
        alerts
            .iter()
            .map(|a| (a.kind, a.catch_up))
            .collect::<Vec<_>>(),
        [(before(9), true)]
    );
}

#[test]
fn the_daily_recheck() {
    let now = expiry();
    let mut state = WatchState::default();
    assert!(state.recheck_due(now));
    assert_eq!(state.next_recheck(), None);
    state.record_recheck(now);
    assert_eq!(state.last_recheck(), Some(now));
    assert_eq!(state.next_recheck(), Some(now + DAY));
    for (at, due) in [
        (now, false),
        (now + DAY - TimeDelta::seconds(1), false),
        (now + DAY, true),
        (now + DAY * 3, true),
    ] {
        assert_eq!(state.recheck_due(at), due, "{at}");
    }
    // It is what next_wake waits for when no alert is pending.
    let tokens = [token("far", Some(now + DAY * 365))];
    assert_eq!(
        state.next_wake(&tokens, &WatchSettings::default(), now + HOUR),
        Some(now + DAY)
    );
}

#[test]
fn custom_thresholds() {
    let tokens = [token("acme", Some(expiry()))];
    let cases = [
        (settings(&[10, 2], false), vec![before(10), before(2)]),
        // Order and duplicates do not matter.
        (settings(&[2, 10, 2], false), vec![before(10), before(2)]),
        (
            settings(&[45, 0], true),
            vec![before(45), expired(0), expired(1), expired(2)],
        ),
        (settings(&[], true), vec![expired(1), expired(2)]),
        (settings(&[], false), vec![]),
    ];
    for (settings, expected) in cases {
        let mut state = WatchState::default();
        let fired = walk(
            &mut state,
            &tokens,
            &settings,
            expiry() - DAY * 50,
            expiry() + DAY * 2 + HOUR,
            HOUR,
        );
        assert_eq!(
            fired.iter().map(|f| f.1).collect::<Vec<_>>(),
            expected,
            "{settings:?}"
        );
        if !settings.after_expiry_daily {
            // Nothing more to alert about: only the re-check remains.
            let now = expiry() + DAY * 2 + HOUR;
            assert_eq!(
                state.next_wake(&tokens, &settings, now),
                state.next_recheck()
            );
        }
    }
}

#[test]
fn changing_thresholds_never_refires_something_less_urgent() {
    let tokens = [token("acme", Some(expiry()))];
    let now = expiry() - DAY * 10;
    let mut state = WatchState::default();
    step(&mut state, &tokens, &WatchSettings::default(), now);
    // 21 and 20 added: both lie before the 14 days already sent.
    let more = settings(&[30, 21, 20, 14, 7, 3, 1, 0], true);
    assert!(state.due(&tokens, &more, now).is_empty());
    // 12 added: crossed after the last alert, so it fires, once.
    let more = settings(&[30, 14, 12, 7, 3, 1, 0], true);
    let alerts = step(&mut state, &tokens, &more, now);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].kind, before(10));
}

#[test]
fn settings_default_and_load_from_partial_json() {
    let default = WatchSettings::default();
    assert_eq!(default.thresholds_days, [30, 14, 7, 3, 1, 0]);
    assert!(default.after_expiry_daily);
    assert_eq!(
        serde_json::from_str::<WatchSettings>("{}").unwrap(),
        default
    );
    let partial: WatchSettings = serde_json::from_str(r#"{"after_expiry_daily": false}"#).unwrap();
    assert_eq!(partial.thresholds_days, default.thresholds_days);
    assert!(!partial.after_expiry_daily);
    let json = serde_json::to_string(&default).unwrap();
    assert_eq!(
        serde_json::from_str::<WatchSettings>(&json).unwrap(),
        default
    );
}

#[test]
fn forget_missing_drops_deleted_tokens_and_their_snoozes() {
    let settings = WatchSettings::default();
    let now = expiry() - DAY * 3;
    let a = token("a", Some(expiry()));
    let b = token("b", Some(expiry()));
    let mut state = WatchState::default();
    step(&mut state, &[a.clone(), b.clone()], &settings, now);
    state.snooze("b", now + DAY);
    state.forget_missing(std::slice::from_ref(&a));
    assert_eq!(state.remembered(), [("a", Some(expiry()))]);
    assert_eq!(state.snoozed_until("b", now), None);
    // A token re-added under the same id is a new token.
    let alerts = state.due(&[a, b], &settings, now);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].token_id, "b");
}

#[test]
fn alerts_are_sorted_soonest_expiry_first() {
    let settings = WatchSettings::default();
    let now = expiry() - DAY * 3;
    let tokens = [
        token("none", None),
        token("later", Some(expiry() + DAY)),
        token("gone", Some(expiry() - DAY * 5)),
        token("soon", Some(expiry())),
    ];
    let alerts = WatchState::default().due(&tokens, &settings, now);
    assert_eq!(
        alerts
            .iter()
            .map(|a| a.token_id.as_str())
            .collect::<Vec<_>>(),
        ["gone", "soon", "later", "none"]
    );
}

// ---- words ----------------------------------------------------------------

fn alert(provider: ProviderKind, kind: AlertKind) -> Alert {
    Alert {
        token_id: "0c4e6a1e-9d2f-4c1b-8a3e-2f6b7c8d9e0f".into(),
        token_name: "github-acme-production".into(),
        provider,
        kind,
        expires_at: match kind {
            AlertKind::NoExpiry | AlertKind::UnknownExpiry => None,
            _ => Some(expiry()),
        },
        due_at: None,
        catch_up: false,
        trouble: None,
    }
}

#[test]
fn alert_words_name_the_token_the_provider_the_time_left_and_what_to_do() {
    let cases = [
        (
            ProviderKind::Github,
            before(6),
            "github-acme-production expires in 6 days",
            "GitHub token, expires 2026-12-20 12:00 UTC. Rotate it now: create a new token, then use Rotate in Tokenwarden.",
        ),
        (
            ProviderKind::Gitlab,
            before(1),
            "github-acme-production expires in 1 day",
            "GitLab token, expires 2026-12-20 12:00 UTC. Rotate it now: create a new token, then use Rotate in Tokenwarden.",
        ),
        (
            ProviderKind::Gitlab,
            before(0),
            "github-acme-production expires within a day",
            "GitLab token, expires 2026-12-20 12:00 UTC. Rotate it now: create a new token, then use Rotate in Tokenwarden.",
        ),
        (
            ProviderKind::Bitbucket,
            expired(0),
            "github-acme-production has expired",
            "Bitbucket token, expired 2026-12-20 12:00 UTC: it no longer works. Rotate it now: create a new token, then use Rotate in Tokenwarden.",
        ),
        (
            ProviderKind::Github,
            expired(1),
            "github-acme-production expired 1 day ago",
            "GitHub token, expired 2026-12-20 12:00 UTC: it no longer works. Rotate it now: create a new token, then use Rotate in Tokenwarden.",
        ),
        (
            ProviderKind::Github,
            expired(12),
            "github-acme-production expired 12 days ago",
            "GitHub token, expired 2026-12-20 12:00 UTC: it no longer works. Rotate it now: create a new token, then use Rotate in Tokenwarden.",
        ),
        (
            ProviderKind::Github,
            AlertKind::NoExpiry,
            "github-acme-production never expires",
            "GitHub token. A token that never expires keeps working for whoever finds it. Rotate it for one that expires (90 days to a year): create a new token, then use Rotate in Tokenwarden.",
        ),
        (
            ProviderKind::Bitbucket,
            AlertKind::UnknownExpiry,
            "github-acme-production has no expiry date",
            "Bitbucket token. Tokenwarden does not know when it expires. Enter its expiry date with Edit in Tokenwarden, or Rotate it for a token whose expiry Bitbucket reports.",
        ),
    ];
    for (provider, kind, title, body) in cases {
        let alert = alert(provider, kind);
        assert_eq!(alert.title(), title);
        assert_eq!(alert.body(), body);
        let text = format!("{} {}", alert.title(), alert.body());
        assert!(text.contains("Rotate"), "{text}");
        // Never a token-like string: no provider prefix, no long opaque
        // run of characters, not even the internal id.
        for word in text.split(|c: char| c.is_whitespace() || c == ':' || c == '(') {
            assert_eq!(provider_of_token(word), None, "{word}");
        }
        for run in text.split(|c: char| !c.is_ascii_alphanumeric()) {
            assert!(run.len() < 16, "{run}");
        }
        assert!(!text.contains(&alert.token_id));
    }
}

// ---- the state file -------------------------------------------------------

fn state_file() -> (tempfile::TempDir, WatchStateFile) {
    let dir = tempfile::tempdir().unwrap();
    let file = WatchStateFile::in_data_dir(&dir.path().join("data"));
    (dir, file)
}

fn busy_state() -> WatchState {
    let settings = WatchSettings::default();
    let now = expiry() - DAY * 3;
    let tokens = [
        token("a", Some(expiry())),
        token("b", Some(expiry() - DAY * 9)),
        token("c", None),
    ];
    let mut state = WatchState::default();
    step(&mut state, &tokens, &settings, now);
    state.snooze("a", now + DAY);
    state.mark_handled("b", Some(expiry() - DAY * 9), now);
    state.record_recheck(now);
    state
}

#[test]
fn the_state_file_round_trips_and_a_missing_file_is_a_fresh_state() {
    let (_dir, file) = state_file();
    assert!(file.path().ends_with("data/watch.json"));
    assert_eq!(file.load(expiry()).unwrap(), (WatchState::default(), None));
    let state = busy_state();
    file.save(&state).unwrap();
    assert_eq!(file.load(expiry()).unwrap(), (state.clone(), None));
    // Saving again replaces it.
    let mut changed = state;
    changed.record_recheck(expiry());
    file.save(&changed).unwrap();
    assert_eq!(file.load(expiry()).unwrap().0, changed);
    let json: serde_json::Value = serde_json::from_slice(&fs::read(file.path()).unwrap()).unwrap();
    assert_eq!(json["version"], WATCH_FORMAT_VERSION);
}

#[test]
fn the_state_file_is_written_atomically_and_privately() {
    let (_dir, file) = state_file();
    for _ in 0..3 {
        file.save(&busy_state()).unwrap();
    }
    let folder = file.path().parent().unwrap();
    let names: Vec<_> = fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["watch.json"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(file.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let mode = fs::metadata(folder).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}

#[test]
fn a_corrupt_state_file_is_moved_aside_and_a_fresh_state_started() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 34, 56).unwrap();
    let cases: [&[u8]; 3] = [
        b"{\"version\": 1, \"tokens\": [ {oops",
        b"[1, 2, 3]",
        b"{\"version\": 1, \"tokens\": [{\"id\": 7}]}",
    ];
    for bytes in cases {
        let (_dir, file) = state_file();
        fs::create_dir_all(file.path().parent().unwrap()).unwrap();
        fs::write(file.path(), bytes).unwrap();
        let (state, notice) = file.load(now).unwrap();
        assert_eq!(state, WatchState::default());
        let Some(crate::vault::LoadNotice::CorruptMovedAside { moved_to, .. }) = notice else {
            panic!("no notice")
        };
        assert!(moved_to.ends_with("watch.json.corrupt-20261123T123456Z"));
        assert_eq!(fs::read(&moved_to).unwrap(), bytes);
        assert!(!file.path().exists());
        // A second corrupt file in the same second gets its own name.
        fs::write(file.path(), bytes).unwrap();
        let (_, notice) = file.load(now).unwrap();
        let Some(crate::vault::LoadNotice::CorruptMovedAside { moved_to, .. }) = notice else {
            panic!("no notice")
        };
        assert!(moved_to.ends_with("watch.json.corrupt-20261123T123456Z-2"));
    }
}

#[test]
fn a_newer_state_file_is_refused_and_left_untouched() {
    let (_dir, file) = state_file();
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    let newer = br#"{"version": 2, "alerts": {"something": "new"}}"#;
    fs::write(file.path(), newer).unwrap();
    let error = file.load(expiry()).unwrap_err();
    assert!(matches!(
        error,
        WatchFileError::NewerVersion { found: 2, .. }
    ));
    assert!(error.to_string().contains("newer Tokenwarden"));
    assert_eq!(fs::read(file.path()).unwrap(), newer);
}

#[test]
fn watched_tokens_come_from_vault_records() {
    let record: crate::vault::TokenRecord = serde_json::from_value(serde_json::json!({
        "id": "id-1",
        "name": "gitlab-main-ci",
        "provider": "gitlab",
        "kind": null,
        "host": null,
        "api_url": "https://gitlab.com/api/v4",
        "org": null, "repo": null, "project": null, "group": null, "workspace": null,
        "identity": null, "scopes": null,
        "expires_at": "2026-12-20T00:00:00Z",
        "expiry": "user",
        "user_expires_at": "2026-12-20",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "last_checked_at": null, "last_check": null, "rotated_at": null
    }))
    .unwrap();
    let watched = WatchedToken::from(&record);
    assert_eq!(
        watched,
        WatchedToken {
            id: "id-1".into(),
            name: "gitlab-main-ci".into(),
            provider: ProviderKind::Gitlab,
            expires_at: Some(Utc.with_ymd_and_hms(2026, 12, 20, 0, 0, 0).unwrap()),
            expiry: ExpirySource::User,
            health: CheckHealth::Unknown,
        }
    );
    assert_eq!(watched.deadline(), watched.expires_at);
}

#[test]
fn a_tokens_reminders_say_when_the_next_comes_and_resume_undoes_a_snooze_or_handled() {
    let acme = token("acme", Some(expiry()));
    let tokens = [acme.clone()];
    let settings = WatchSettings::default();
    let at_14 = expiry() - DAY * 14;
    let mut state = WatchState::default();
    state.record_recheck(far());
    assert_eq!(step(&mut state, &tokens, &settings, at_14).len(), 1);
    assert_eq!(
        state.reminders(&acme, &settings, at_14),
        Reminders {
            next_at: Some(expiry() - DAY * 7),
            snoozed_until: None,
            handled: false,
        }
    );

    // Paused past the 7-day threshold: the next comes when the pause ends.
    let until = at_14 + DAY * 8;
    state.snooze("acme", until);
    let paused = state.reminders(&acme, &settings, at_14);
    assert_eq!(
        (paused.next_at, paused.snoozed_until),
        (Some(until), Some(until))
    );

    state.mark_handled("acme", acme.deadline(), at_14);
    let handled = state.reminders(&acme, &settings, at_14);
    assert!(handled.handled);
    assert_eq!(handled.next_at, None, "no more reminders for this expiry");

    state.resume(&acme);
    assert_eq!(
        state.reminders(&acme, &settings, at_14),
        Reminders {
            next_at: Some(expiry() - DAY * 7),
            snoozed_until: None,
            handled: false,
        }
    );
    // A crossing missed meanwhile comes as one catch-up alert.
    let fired = state.due(&tokens, &settings, expiry() - DAY * 2);
    assert_eq!(fired.len(), 1);
    assert!(fired[0].catch_up);
}

// The decisions the desktop shell used to make itself: a reminder choice,
// a notification's answer, and a whole round, driven by moving time.

use crate::notify::NotificationAction;

fn apply_answers(
    state: &mut WatchState,
    tokens: &[WatchedToken],
    answers: Vec<NotificationAction>,
    now: DateTime<Utc>,
) {
    for answer in &answers {
        apply_answer(state, tokens, answer, now);
    }
}

fn six_days(now: DateTime<Utc>) -> WatchedToken {
    WatchedToken {
        id: "t1".into(),
        name: "prod".into(),
        provider: ProviderKind::Github,
        expires_at: Some(now + TimeDelta::days(6)),
        expiry: ExpirySource::Provider,
        health: CheckHealth::Unknown,
    }
}

#[test]
fn notification_answers_snooze_or_silence_the_token() {
    let now = expiry() - DAY * 30;
    let tokens = [six_days(now)];
    let settings = WatchSettings::default();

    let mut snoozed = WatchState::default();
    apply_answers(
        &mut snoozed,
        &tokens,
        vec![NotificationAction::Snooze {
            token_id: "t1".into(),
            days: 1,
        }],
        now,
    );
    assert!(
        snoozed.due(&tokens, &settings, now).is_empty(),
        "snoozed for a day"
    );
    assert!(
        !snoozed
            .due(&tokens, &settings, now + TimeDelta::hours(25))
            .is_empty(),
        "due again after it"
    );

    let mut handled = WatchState::default();
    apply_answers(
        &mut handled,
        &tokens,
        vec![NotificationAction::Handled {
            token_id: "t1".into(),
        }],
        now,
    );
    assert!(
        handled
            .due(&tokens, &settings, now + TimeDelta::days(10))
            .is_empty(),
        "silenced for this expiry"
    );
}

#[test]
fn answers_that_change_nothing_ask_for_no_save() {
    let now = expiry() - DAY * 30;
    let tokens = [six_days(now)];
    let mut state = WatchState::default();
    let before = state.clone();
    for answer in [
        NotificationAction::Open {
            token_id: "t1".into(),
        },
        NotificationAction::Rotate {
            token_id: "t1".into(),
        },
        NotificationAction::Handled {
            token_id: "deleted".into(),
        },
    ] {
        assert!(
            !apply_answer(&mut state, &tokens, &answer, now),
            "{answer:?}"
        );
    }
    assert_eq!(state, before);
    assert!(apply_answer(
        &mut state,
        &tokens,
        &NotificationAction::Snooze {
            token_id: "t1".into(),
            days: 7
        },
        now
    ));
}

#[test]
fn choices_on_a_token_page_pause_stop_or_resume_its_reminders() {
    let now = expiry() - DAY * 30;
    let t = six_days(now);
    let settings = WatchSettings::default();
    let mut state = WatchState::default();
    for (choice, paused_days, handled) in [
        (ReminderChoice::Tomorrow, Some(1), false),
        (ReminderChoice::NextWeek, Some(7), false),
        (ReminderChoice::Resume, None, false),
        (ReminderChoice::Rotated, None, true),
        (ReminderChoice::Resume, None, false),
    ] {
        apply_choice(&mut state, &t, choice, now);
        let reminders = state.reminders(&t, &settings, now);
        assert_eq!(
            reminders.snoozed_until,
            paused_days.map(|d| now + TimeDelta::days(d)),
            "{choice:?}"
        );
        assert_eq!(reminders.handled, handled, "{choice:?}");
        assert_eq!(
            choose(&mut state.clone(), &t, choice, &settings, now),
            reminders
        );
    }
}

#[test]
fn the_reminder_choice_keeps_its_wire_names() {
    for (choice, wire) in [
        (ReminderChoice::Tomorrow, "tomorrow"),
        (ReminderChoice::NextWeek, "next_week"),
        (ReminderChoice::Rotated, "rotated"),
        (ReminderChoice::Resume, "resume"),
    ] {
        let parsed: ReminderChoice = serde_json::from_value(serde_json::json!(wire)).unwrap();
        assert_eq!(parsed, choice);
    }
}

/// Runs rounds the way the shell does, with `now` moved instead of slept:
/// a round that asks for a re-check is followed by `recheck_done` and
/// another round at the same instant.
fn shell_round(
    state: &mut WatchState,
    tokens: &[WatchedToken],
    settings: &WatchSettings,
    input: RoundInput,
    now: DateTime<Utc>,
) -> (Round, bool) {
    let first = round(state, tokens, settings, &input, now);
    if !first.recheck {
        return (first, false);
    }
    recheck_done(state, now);
    let again = round(state, tokens, settings, &RoundInput::default(), now);
    assert!(!again.recheck, "a re-check asked twice at {now}");
    (again, true)
}

#[test]
fn a_round_rechecks_daily_then_notifies_what_is_due_and_says_when_to_wake() {
    let settings = settings(&[7, 1, 0], false);
    let tokens = [token("a", Some(expiry()))];
    let mut state = WatchState::default();

    // First round: the daily re-check comes first.
    let start = expiry() - DAY * 7 - HOUR * 12;
    let (r, rechecked) = shell_round(&mut state, &tokens, &settings, RoundInput::default(), start);
    assert!(rechecked, "the first round re-checks every token");
    assert!(r.notify.is_empty(), "nothing due 7.5 days out");
    assert!(!r.save);
    assert_eq!(r.next_wake, Some(expiry() - DAY * 7), "the 7-day threshold");

    // Woken at the 7-day threshold: one alert, recorded, saved.
    let (r, rechecked) = shell_round(
        &mut state,
        &tokens,
        &settings,
        RoundInput::default(),
        expiry() - DAY * 7,
    );
    assert!(!rechecked);
    assert_eq!(
        r.notify.iter().map(|a| a.kind).collect::<Vec<_>>(),
        vec![before(7)]
    );
    assert!(r.save);
    let wake = r.next_wake.unwrap();
    assert!(wake > expiry() - DAY * 7);

    // Woken again at the same instant (a file event): nothing repeats.
    let (r, _) = shell_round(
        &mut state,
        &tokens,
        &settings,
        RoundInput::default(),
        expiry() - DAY * 7,
    );
    assert!(r.notify.is_empty());
    assert!(!r.save);

    // The daily re-check falls due first, 24 hours after the last.
    assert_eq!(wake, start + DAY);
    let (_, rechecked) = shell_round(&mut state, &tokens, &settings, RoundInput::default(), wake);
    assert!(rechecked);
}

#[test]
fn check_all_now_rechecks_at_once_and_only_with_tokens() {
    let settings = WatchSettings::default();
    let now = expiry() - DAY * 60;
    let asked = || RoundInput {
        check_asked: true,
        ..RoundInput::default()
    };
    let mut state = WatchState::default();
    let r = round(&mut state, &[], &settings, &asked(), now);
    assert!(!r.recheck, "nothing to check");
    assert_eq!(r.next_wake, None, "sleep until the vault changes");

    let tokens = [token("a", Some(expiry()))];
    recheck_done(&mut state, now);
    assert!(!round(&mut state, &tokens, &settings, &RoundInput::default(), now).recheck);
    let r = round(&mut state, &tokens, &settings, &asked(), now);
    assert!(r.recheck, "asked for");
    assert_eq!(r.next_wake, Some(now));
}

#[test]
fn answers_in_a_round_are_applied_and_saved_before_anything_is_sent() {
    let settings = settings(&[7], false);
    let tokens = [token("a", Some(expiry())), token("b", Some(expiry()))];
    let now = expiry() - DAY * 7;
    let mut state = WatchState::default();
    recheck_done(&mut state, now);
    let input = RoundInput {
        answers: vec![NotificationAction::Snooze {
            token_id: "a".into(),
            days: 1,
        }],
        check_asked: false,
    };
    let r = round(&mut state, &tokens, &settings, &input, now);
    assert!(r.save);
    assert_eq!(
        r.notify
            .iter()
            .map(|a| a.token_id.as_str())
            .collect::<Vec<_>>(),
        vec!["b"],
        "a is snoozed"
    );
    // The snooze ends a day later: a's 7-day alert comes then, as a catch-up
    // (after that day's re-check).
    let later = now + DAY;
    let (r, _) = shell_round(&mut state, &tokens, &settings, RoundInput::default(), later);
    assert_eq!(r.notify.len(), 1);
    assert_eq!(r.notify[0].token_id, "a");
    assert!(r.notify[0].catch_up);
}

#[test]
fn a_round_forgets_deleted_tokens() {
    let settings = WatchSettings::default();
    let now = expiry() - DAY * 7;
    let mut state = WatchState::default();
    recheck_done(&mut state, now);
    let tokens = [token("a", Some(expiry()))];
    assert_eq!(
        round(&mut state, &tokens, &settings, &RoundInput::default(), now)
            .notify
            .len(),
        1
    );
    assert_eq!(state.remembered().len(), 1);
    round(&mut state, &[], &settings, &RoundInput::default(), now);
    assert!(state.remembered().is_empty());
}

#[test]
fn an_alert_and_the_token_list_agree_on_the_days_left() {
    let settings = WatchSettings::default();
    let mut state = WatchState::default();
    // Every hour of the last 40 days before expiry, woken a moment late.
    for hours in 1..(40 * 24) {
        let expires = expiry();
        let now = expires - HOUR * hours + TimeDelta::milliseconds(7);
        let t = token("a", Some(expires));
        for alert in state.due(std::slice::from_ref(&t), &settings, now) {
            let AlertKind::BeforeExpiry { days_left } = alert.kind else {
                continue;
            };
            assert_eq!(
                days_left,
                crate::status::days_left(expires, now),
                "at {now}"
            );
            let words = crate::status::days_left_words(
                Some(days_left),
                ExpirySource::Provider,
                crate::status::Wording::Page,
            );
            if days_left >= 1 {
                assert!(
                    alert.title().ends_with(&format!("expires {words}")),
                    "{words}"
                );
            }
        }
        state = WatchState::default();
    }
}

// ---- breakage: what the vault's last check says -----------------------------

/// The vault's record of a GitHub token expiring 60 days after
/// `expiry()`'s reference, last checked at `checked_at` with `report`'s
/// findings (absorbed exactly as `Vault::check` does).
fn checked_record(
    id: &str,
    report: &crate::check::CheckReport,
    checked_at: DateTime<Utc>,
) -> crate::vault::TokenRecord {
    let mut record: crate::vault::TokenRecord = serde_json::from_value(serde_json::json!({
        "id": id,
        "name": format!("github-{id}-deploy"),
        "provider": "github",
        "kind": "classic",
        "host": null,
        "api_url": "https://api.github.com",
        "org": "acme", "repo": null, "project": null, "group": null, "workspace": null,
        "identity": {"login": "deploy-bot"}, "scopes": ["repo"],
        "expires_at": expiry() + DAY * 60,
        "expiry": "provider",
        "user_expires_at": null,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "last_checked_at": null, "last_check": null, "rotated_at": null
    }))
    .unwrap();
    record.absorb(report, checked_at);
    record
}

/// A report as a GitHub check ends: authenticated (or not), with problems
/// and missing requirements.
fn report(
    authenticated: bool,
    problems: &[(crate::check::ProblemCode, &str)],
    missing: &[&str],
) -> crate::check::CheckReport {
    let request = crate::check::CheckRequest::new(
        ProviderKind::Github,
        url::Url::parse("https://api.github.com").unwrap(),
    );
    let mut report = crate::check::CheckReport::start(&request);
    report.authenticated = authenticated;
    if authenticated {
        report.expires_at = Some(expiry() + DAY * 60);
        report.expiry = ExpirySource::Provider;
    }
    for (code, message) in problems {
        report.problem(*code, *message);
    }
    for requirement in missing {
        report.lacks(*requirement);
    }
    report.finish()
}

fn ready() -> crate::check::CheckReport {
    report(true, &[], &[])
}

fn revoked() -> crate::check::CheckReport {
    report(
        false,
        &[(
            crate::check::ProblemCode::InvalidToken,
            "GitHub rejected the token: it is wrong, expired or revoked. Create a new one at https://github.com/settings/tokens.",
        )],
        &[],
    )
}

fn timed_out() -> crate::check::CheckReport {
    report(
        false,
        &[(
            crate::check::ProblemCode::Unreachable,
            "Could not reach api.github.com: the connection timed out.",
        )],
        &[],
    )
}

/// The watcher's view of `record`, as the shell builds it each round.
fn watched(record: &crate::vault::TokenRecord) -> WatchedToken {
    WatchedToken::from(record)
}

/// The shell's round at `now` (and the daily re-check's second round; the
/// tokens stand for what that re-check recorded), returning its alerts'
/// titles.
fn titles(
    state: &mut WatchState,
    tokens: &[WatchedToken],
    now: DateTime<Utc>,
) -> (Vec<String>, Round) {
    let (r, _) = shell_round(
        state,
        tokens,
        &WatchSettings::default(),
        RoundInput::default(),
        now,
    );
    if let Some(wake) = r.next_wake {
        assert!(wake > now, "next_wake {wake} is not after {now}");
    }
    (r.notify.iter().map(Alert::title).collect(), r)
}

#[test]
fn a_revoked_token_alerts_once_naming_it_and_the_fix_until_it_recovers() {
    let t0 = expiry();
    let mut state = WatchState::default();
    state.record_recheck(t0);
    let fine = checked_record("acme", &ready(), t0);
    assert_eq!(watched(&fine).health, CheckHealth::Fine);
    let (alerts, _) = titles(&mut state, &[watched(&fine)], t0);
    assert!(alerts.is_empty(), "a ready token is no news: {alerts:?}");

    // Revoked at GitHub; a check (the app's or the CLI's) records it.
    let broken = checked_record("acme", &revoked(), t0 + HOUR);
    let (alerts, r) = titles(&mut state, &[watched(&broken)], t0 + HOUR);
    assert_eq!(alerts, ["github-acme-deploy stopped working"]);
    assert!(r.save, "the alert is remembered in watch.json");
    assert_eq!(
        r.notify[0].body(),
        "GitHub token. GitHub rejected the token: it is wrong, expired or revoked. \
         Create a new one at https://github.com/settings/tokens. \
         Fix: Create a new token at https://github.com/settings/tokens and rotate it in Tokenwarden."
    );
    assert_eq!(
        r.notify[0].token_id, "acme",
        "the notification opens the token"
    );

    // Later rounds, a day of them, and a re-check finding the same: silence.
    for hours in [1, 2, 12, 30] {
        let again = checked_record("acme", &revoked(), t0 + HOUR * hours);
        let (alerts, r) = titles(&mut state, &[watched(&again)], t0 + HOUR * hours);
        assert!(alerts.is_empty(), "{hours} h: {alerts:?}");
        assert!(!r.save);
    }

    // Rotated (or re-issued): found ready; the memory is cleared and saved.
    let rotated = checked_record("acme", &ready(), t0 + DAY * 2);
    let (alerts, r) = titles(&mut state, &[watched(&rotated)], t0 + DAY * 2);
    assert!(alerts.is_empty());
    assert!(r.save, "forgetting the trouble is saved");
    assert_eq!(state.alerted_trouble("acme"), None);

    // Broken again later: a new alert.
    let broken_again = checked_record("acme", &revoked(), t0 + DAY * 3);
    let (alerts, _) = titles(&mut state, &[watched(&broken_again)], t0 + DAY * 3);
    assert_eq!(alerts, ["github-acme-deploy stopped working"]);
}

#[test]
fn a_failure_to_check_alerts_only_once_it_has_lasted_a_day() {
    let t0 = expiry();
    let mut state = WatchState::default();
    state.record_recheck(t0);
    let mut record = checked_record("acme", &ready(), t0 - HOUR);

    // The first failed check starts the clock; later failures keep it.
    record.absorb(&timed_out(), t0);
    assert_eq!(record.failing_since, Some(t0));
    let (alerts, r) = titles(&mut state, &[watched(&record)], t0);
    assert!(alerts.is_empty(), "a timeout is transient: {alerts:?}");
    assert_eq!(
        r.next_wake,
        Some(t0 + DAY),
        "wakes when the failure will have lasted a day"
    );
    record.absorb(&timed_out(), t0 + HOUR * 12);
    assert_eq!(
        record.failing_since,
        Some(t0),
        "from the first failed check"
    );
    let (alerts, _) = titles(&mut state, &[watched(&record)], t0 + HOUR * 23);
    assert!(alerts.is_empty(), "23 hours: {alerts:?}");

    let (alerts, r) = titles(&mut state, &[watched(&record)], t0 + DAY);
    assert_eq!(
        alerts,
        ["github-acme-deploy could not be checked for a day"]
    );
    let body = r.notify[0].body();
    assert!(
        body.contains(
            "Every check since 2026-12-20 12:00 UTC failed: Could not reach api.github.com"
        ),
        "{body}"
    );
    assert!(
        body.contains("Fix: Make sure this computer reaches the server"),
        "{body}"
    );
    let (alerts, _) = titles(&mut state, &[watched(&record)], t0 + DAY * 3);
    assert!(alerts.is_empty(), "once per change of state");

    // A check gets through: the failure is over, and a new one starts afresh.
    record.absorb(&ready(), t0 + DAY * 4);
    assert_eq!(record.failing_since, None);
    let (_, r) = titles(&mut state, &[watched(&record)], t0 + DAY * 4);
    assert!(r.save);
    record.absorb(&timed_out(), t0 + DAY * 5);
    let (alerts, r) = titles(&mut state, &[watched(&record)], t0 + DAY * 5 + HOUR);
    assert!(alerts.is_empty());
    assert_eq!(r.next_wake, Some(t0 + DAY * 6));
}

#[test]
fn a_short_failure_to_check_neither_alerts_nor_clears_a_breakage() {
    let t0 = expiry();
    let mut state = WatchState::default();
    state.record_recheck(t0);
    let mut record = checked_record("acme", &revoked(), t0);
    let (alerts, _) = titles(&mut state, &[watched(&record)], t0);
    assert_eq!(alerts.len(), 1);
    // GitHub rate-limits the next check: nothing learned about the token.
    record.absorb(
        &report(
            false,
            &[(
                crate::check::ProblemCode::RateLimited,
                "GitHub's rate limit.",
            )],
            &[],
        ),
        t0 + HOUR,
    );
    let (alerts, r) = titles(&mut state, &[watched(&record)], t0 + HOUR);
    assert!(alerts.is_empty());
    assert!(!r.save);
    assert_eq!(state.alerted_trouble("acme"), Some(TroubleKind::Invalid));
    // Still revoked at the next check: no second alert.
    record.absorb(&revoked(), t0 + HOUR * 2);
    let (alerts, _) = titles(&mut state, &[watched(&record)], t0 + HOUR * 2);
    assert!(alerts.is_empty(), "{alerts:?}");
}

#[test]
fn expired_early_falls_short_and_each_change_of_state_alert_once() {
    use crate::check::ProblemCode;
    let t0 = expiry();
    let mut state = WatchState::default();
    state.record_recheck(t0);

    // The provider says "expired" 60 days before the expiry we knew.
    let expired = report(
        false,
        &[(ProblemCode::Expired, "The token has expired.")],
        &[],
    );
    let record = checked_record("acme", &expired, t0);
    let (alerts, r) = titles(&mut state, &[watched(&record)], t0);
    assert_eq!(alerts, ["github-acme-deploy expired early"]);
    assert!(
        r.notify[0].body().contains(
            "before 2027-02-18 12:00 UTC, the expiry Tokenwarden knew. \
             Fix: Create a new token at https://github.com/settings/tokens and rotate it in Tokenwarden."
        ),
        "{}",
        r.notify[0].body()
    );

    // The replacement lacks a scope: a change of state, so a new alert.
    let short = report(
        true,
        &[(
            ProblemCode::MissingPermissions,
            "The token lacks the scope admin:repo_hook.",
        )],
        &["admin:repo_hook"],
    );
    let record = checked_record("acme", &short, t0 + HOUR);
    let (alerts, r) = titles(&mut state, &[watched(&record)], t0 + HOUR);
    assert_eq!(
        alerts,
        ["github-acme-deploy falls short of what it is used for"]
    );
    assert!(
        r.notify[0].body().ends_with(
            "Fix: Grant it admin:repo_hook at https://github.com/settings/tokens, \
             or create a new token that has it and rotate it in Tokenwarden."
        ),
        "{}",
        r.notify[0].body()
    );

    // Stored although it fell short, knowingly: not news.
    let mut accepted = checked_record("ci", &short, t0);
    accepted.shortfall_accepted = true;
    assert_eq!(watched(&accepted).health, CheckHealth::Fine);

    // Checked after the expiry we knew: the expiry alerts speak for it.
    let late = checked_record("late", &expired, t0 + DAY * 61);
    assert_eq!(watched(&late).health, CheckHealth::Unknown);
    let (alerts, _) = titles(&mut state, &[watched(&late)], t0 + DAY * 61);
    assert!(
        alerts.iter().all(|a| !a.contains("expired early")),
        "{alerts:?}"
    );
}

#[test]
fn breakage_comes_first_and_ignores_a_snooze_of_the_expiry_reminders() {
    let t0 = expiry();
    let mut state = WatchState::default();
    state.record_recheck(t0);
    let mut soon = checked_record("soon", &ready(), t0);
    soon.expires_at = Some(t0 + DAY * 2);
    let broken = checked_record("acme", &revoked(), t0);
    state.snooze("acme", t0 + DAY * 7);
    let (alerts, _) = titles(&mut state, &[watched(&soon), watched(&broken)], t0);
    assert_eq!(
        alerts,
        [
            "github-acme-deploy stopped working",
            "github-soon-deploy expires in 2 days"
        ]
    );
}

#[test]
fn the_memory_of_troubles_survives_a_restart_and_an_old_watch_json_still_loads() {
    let t0 = expiry();
    let (_dir, file) = state_file();
    let mut state = WatchState::default();
    state.record_recheck(t0);
    let broken = watched(&checked_record("acme", &revoked(), t0));
    let (alerts, _) = titles(&mut state, std::slice::from_ref(&broken), t0);
    assert_eq!(alerts.len(), 1);
    file.save(&state).unwrap();

    // The app restarts: the same trouble is not news.
    let (mut loaded, notice) = file.load(t0 + HOUR).unwrap();
    assert!(notice.is_none());
    assert_eq!(loaded, state);
    let (alerts, _) = titles(&mut loaded, std::slice::from_ref(&broken), t0 + HOUR);
    assert!(alerts.is_empty(), "{alerts:?}");

    // A watch.json written before breakage alerts existed.
    let old = format!(
        r#"{{"version": 1, "last_recheck": "{t0}", "snoozed_until": {{}},
            "tokens": [{{"id": "acme", "expires_at": null, "alerted_through": null,
                        "last_alert_at": "{t0}", "handled_at": null}}]}}"#,
        t0 = t0.to_rfc3339()
    );
    fs::write(file.path(), old).unwrap();
    let (mut old_state, notice) = file.load(t0).unwrap();
    assert!(notice.is_none(), "an old file is not corrupt");
    assert_eq!(old_state.remembered(), [("acme", None)]);
    let (alerts, _) = titles(&mut old_state, std::slice::from_ref(&broken), t0 + HOUR);
    assert_eq!(alerts, ["github-acme-deploy stopped working"]);
    // And what this version writes keeps the list form older ones read.
    file.save(&old_state).unwrap();
    let written: serde_json::Value =
        serde_json::from_slice(&fs::read(file.path()).unwrap()).unwrap();
    assert!(written["tokens"].is_array(), "{written}");
    assert_eq!(written["troubles"]["acme"]["kind"], "invalid");
}

#[test]
fn a_deleted_token_forgets_its_trouble() {
    let t0 = expiry();
    let mut state = WatchState::default();
    state.record_recheck(t0);
    let broken = watched(&checked_record("acme", &revoked(), t0));
    titles(&mut state, &[broken], t0);
    assert!(state.alerted_trouble("acme").is_some());
    titles(&mut state, &[], t0 + HOUR);
    assert_eq!(state.alerted_trouble("acme"), None);
}

#[test]
fn a_repeated_token_id_is_read_once_so_its_alerts_never_take_turns() {
    // A hand-edited tokens.json may repeat an id: the first record counts,
    // as the vault's own lookup finds it.
    let t0 = expiry();
    let mut state = WatchState::default();
    state.record_recheck(t0);
    let fine = watched(&checked_record("acme", &ready(), t0));
    let broken = watched(&checked_record("acme", &revoked(), t0));
    for (hour, tokens) in [
        (0, [broken.clone(), fine.clone()]),
        (1, [broken.clone(), fine.clone()]),
    ] {
        let (alerts, _) = titles(&mut state, &tokens, t0 + HOUR * hour);
        assert_eq!(alerts.len(), usize::from(hour == 0), "{hour} h: {alerts:?}");
    }
    let (alerts, _) = titles(&mut state, &[fine.clone(), broken.clone()], t0 + HOUR * 2);
    assert!(alerts.is_empty(), "the working one first: fine, forgotten");
    for hour in 3..5 {
        let (alerts, _) = titles(
            &mut state,
            &[fine.clone(), broken.clone()],
            t0 + HOUR * hour,
        );
        assert!(alerts.is_empty(), "{hour} h: {alerts:?}");
    }
}
