//! An iCalendar file (RFC 5545) of expiry dates: one all-day event per
//! token that expires, on its expiry date (UTC, as the CLI shows it), with
//! a stable UID (the token's id, which survives renames and rotations) so
//! a calendar that re-imports the file updates the event instead of adding
//! a copy, and one display alarm per reminder threshold in Settings.
//!
//! Built with the `icalendar` crate, which writes CRLF line ends, folds
//! lines at 75 octets, escapes text values and writes `VALARM`s; the
//! tests in `tests/exports/` parse the result with Python's `icalendar`.

use chrono::{DateTime, Utc};
use icalendar::{Alarm, Calendar, Component, Event, EventLike, Property};

use super::ExportToken;
use crate::check::ExpirySource;
use crate::watch::WatchSettings;

/// The UID of a token's event: stable for as long as the token is kept.
pub fn event_uid(token: &ExportToken) -> String {
    format!(
        "{}-{}@tokenwarden",
        token.source.label(),
        token.token.record.id
    )
}

/// An alarm's trigger `days` before the event's start (`-P14D`; the day
/// itself is `PT0S`).
fn trigger(days: u32) -> String {
    if days == 0 {
        "PT0S".to_owned()
    } else {
        format!("-P{days}D")
    }
}

fn description(token: &ExportToken) -> String {
    let record = &token.token.record;
    let mut lines = vec![
        format!("Provider: {}", token.provider_name()),
        format!("Host: {}", token.api_host()),
        format!("Rotate at: {}", record.tokens_page()),
    ];
    if record.expiry == ExpirySource::User {
        lines.push(
            "Expiry date as entered in Tokenwarden (the provider does not report it).".into(),
        );
    }
    if !token.used_by.is_empty() {
        lines.push(format!("Used by: {}", token.used_by.join(", ")));
    }
    if !record.description.is_empty() {
        lines.push(format!("Notes: {}", record.description));
    }
    lines.push(format!(
        "After rotating: tokenwarden rotate {} --token-stdin",
        record.name
    ));
    lines.join("\n")
}

/// The calendar. `now` stamps each event (`DTSTAMP`); the reminder
/// thresholds of `settings` become its alarms.
pub fn ics(tokens: &[ExportToken], settings: &WatchSettings, now: DateTime<Utc>) -> String {
    let mut thresholds = settings.thresholds_days.clone();
    thresholds.sort_unstable_by(|a, b| b.cmp(a));
    thresholds.dedup();

    let mut calendar = Calendar::empty();
    calendar.append_property(Property::new("VERSION", "2.0"));
    calendar.append_property(Property::new("PRODID", "-//Tokenwarden//Token expiry//EN"));
    calendar.append_property(Property::new("CALSCALE", "GREGORIAN"));
    calendar.append_property(Property::new("METHOD", "PUBLISH"));
    calendar.append_property(Property::new("X-WR-CALNAME", "Tokenwarden: token expiry"));

    for token in tokens {
        let record = &token.token.record;
        let Some(expires_at) = record.expires_at else {
            continue;
        };
        if matches!(record.expiry, ExpirySource::Never | ExpirySource::Unknown) {
            continue;
        }
        let day = expires_at.date_naive();
        let mut event = Event::new();
        event
            .uid(&event_uid(token))
            .timestamp(now)
            .summary(&format!(
                "Rotate {}: expires on {}",
                record.name,
                day.format("%Y-%m-%d")
            ))
            .description(&description(token))
            .starts(day)
            .ends(day.succ_opt().unwrap_or(day))
            .add_property("TRANSP", "TRANSPARENT")
            .add_property(
                "LAST-MODIFIED",
                record.updated_at.format("%Y%m%dT%H%M%SZ").to_string(),
            )
            .add_property("URL", record.tokens_page());
        for days in &thresholds {
            let words = match days {
                0 => format!("{} expires today", record.name),
                1 => format!("{} expires tomorrow", record.name),
                n => format!("{} expires in {n} days", record.name),
            };
            // `Alarm::display` writes ACTION and DESCRIPTION; the trigger is
            // set in its plain RFC 5545 form (`-P14D`) over its default.
            let alarm = Alarm::display(&words, chrono::TimeDelta::zero())
                .append_property(Property::new("TRIGGER", trigger(*days)))
                .done();
            event.alarm(alarm);
        }
        calendar.push(event.done());
    }
    calendar.to_string()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::super::tests::{now, record, token};
    use super::*;

    fn settings(thresholds: &[u32]) -> WatchSettings {
        WatchSettings {
            thresholds_days: thresholds.to_vec(),
            after_expiry_daily: true,
        }
    }

    #[test]
    fn one_all_day_event_per_expiring_token_with_a_stable_uid_and_an_alarm_per_threshold() {
        let at = Utc.with_ymd_and_hms(2027, 3, 1, 23, 30, 0).unwrap();
        let tokens = [
            token(record("github-main-org-production", Some(at))),
            token(record("never-expires", None)),
        ];
        let text = ics(&tokens, &settings(&[14, 3, 0, 14]), now());
        assert!(
            text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
            "{text}"
        );
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
        assert!(text.contains("UID:vault-id-github-main-org-production@tokenwarden\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20270301\r\n"), "{text}");
        assert!(text.contains("DTEND;VALUE=DATE:20270302\r\n"));
        assert!(
            text.contains("SUMMARY:Rotate github-main-org-production: expires on 2027-03-01\r\n")
        );
        assert_eq!(text.matches("BEGIN:VALARM").count(), 3);
        for trigger in ["TRIGGER:-P14D\r\n", "TRIGGER:-P3D\r\n", "TRIGGER:PT0S\r\n"] {
            assert!(text.contains(trigger), "{trigger}");
        }
        assert_eq!(text.matches("ACTION:DISPLAY").count(), 3);
        // Every line ends in CRLF and is at most 75 octets.
        for line in text.split("\r\n") {
            assert!(line.len() <= 75 && !line.contains('\n'), "{line:?}");
        }
        // The same vault exported later gives the same UID.
        let later = ics(&tokens, &settings(&[7]), now() + chrono::TimeDelta::days(3));
        assert!(later.contains("UID:vault-id-github-main-org-production@tokenwarden\r\n"));
    }

    #[test]
    fn the_description_names_the_provider_host_and_page_and_the_services_using_it() {
        let at = Utc.with_ymd_and_hms(2027, 3, 1, 10, 0, 0).unwrap();
        let mut t = token(record("a", Some(at)));
        t.used_by = vec![
            "Qovery: acme/production/api".into(),
            "Qovery: acme/staging/api".into(),
        ];
        let text = ics(&[t], &settings(&[1]), now());
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains("DESCRIPTION:Provider: GitHub\\nHost: api.github.com\\nRotate at: https://github.com/settings/"), "{unfolded}");
        assert!(
            unfolded.contains("Used by: Qovery: acme/production/api\\, Qovery: acme/staging/api")
        );
        assert!(unfolded.contains("DESCRIPTION:a expires tomorrow"));
    }

    #[test]
    fn long_non_ascii_text_is_folded_at_75_octets_and_unfolds_to_itself() {
        let at = Utc.with_ymd_and_hms(2027, 3, 1, 10, 0, 0).unwrap();
        let mut r = record("b", Some(at));
        r.description =
            "Déploiement de l'équipe plateforme — production, Zürich; 東京 the rest ".repeat(4);
        let text = ics(&[token(r.clone())], &settings(&[1]), now());
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = text.replace("\r\n ", "");
        let escaped = r.description.replace(',', "\\,").replace(';', "\\;");
        assert!(unfolded.contains(&escaped), "{unfolded}");
    }

    #[test]
    fn an_empty_vault_is_a_valid_empty_calendar() {
        let text = ics(&[], &settings(&[]), now());
        assert!(text.contains("BEGIN:VCALENDAR\r\n") && text.contains("END:VCALENDAR\r\n"));
        assert!(!text.contains("VEVENT"));
    }
}
