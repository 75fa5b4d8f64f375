//! Expiry dates from outside: GitHub's `GitHub-Authentication-Token-
//! Expiration` header (`2026-12-01 10:00:00 UTC` or `... +0900`), and the
//! plain dates GitLab reports and users type (`2026-12-31`), through the
//! rules that turn them into "expired" and "expires soon".
#![no_main]

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use libfuzzer_sys::fuzz_target;
use tokenwarden_core::check::{
    start_of_day_utc, CheckReport, CheckRequest, ExpirySource, ProblemCode, EXPIRES_SOON_DAYS,
};
use tokenwarden_core::providers::github::expiry_header;
use tokenwarden_core::{endpoint, ProviderKind};
use tokenwarden_fuzz::default_now;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(at) = expiry_header::parse(text) {
        // The two forms GitHub sends, for the same instant, parse to it.
        for form in ["%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S +0000"] {
            let written = at.format(form).to_string();
            assert_eq!(expiry_header::parse(&written), Some(at), "{written}");
        }
        classify(at);
    }
    if let Ok(date) = text.trim().parse::<NaiveDate>() {
        classify(start_of_day_utc(date));
    }
});

/// The expiry rules at several moments around `at`, and at the usual one.
fn classify(at: DateTime<Utc>) {
    let moments = [
        Some(default_now()),
        Some(at),
        at.checked_sub_signed(TimeDelta::seconds(1)),
        at.checked_sub_signed(TimeDelta::days(EXPIRES_SOON_DAYS)),
    ];
    for now in moments.into_iter().flatten() {
        let mut report = CheckReport::start(&CheckRequest::new(
            ProviderKind::Github,
            endpoint::default_api_base(ProviderKind::Github),
        ));
        report.set_expiry(Some(at), ExpirySource::Provider, now, "Rotate it.");
        assert_eq!(report.has(ProblemCode::Expired), at <= now, "{at} at {now}");
        let soon = at > now && (at - now).num_days() < EXPIRES_SOON_DAYS;
        assert_eq!(report.has(ProblemCode::ExpiresSoon), soon, "{at} at {now}");
        // Whatever is said names the date.
        let date = at.format("%Y-%m-%d").to_string();
        for problem in &report.problems {
            assert!(problem.message.contains(&date), "{}", problem.message);
        }
        assert_eq!(report.expires_at, Some(at));
    }
}
