//! Expiry rules shared by every provider, with the clock injected so that
//! tests move time instead of sleeping.

use chrono::{DateTime, NaiveDate, Utc};

use super::report::{CheckReport, ExpirySource, ProblemCode};

/// A token expiring within this many days gets an `expires_soon` warning.
pub const EXPIRES_SOON_DAYS: i64 = 14;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// 00:00 UTC of a date: when GitLab (and a date the user typed) says a
/// token stops working.
pub fn start_of_day_utc(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
}

fn days_word(days: i64) -> String {
    match days {
        0 => "today".into(),
        1 => "in 1 day".into(),
        n => format!("in {n} days"),
    }
}

impl CheckReport {
    /// Records the expiry and what it means now: `expired` once past,
    /// `expires_soon` within two weeks, `no_expiry` for a token that never
    /// expires (a risk the product asks users to avoid).
    pub fn set_expiry(
        &mut self,
        expires_at: Option<DateTime<Utc>>,
        source: ExpirySource,
        now: DateTime<Utc>,
        rotate_hint: &str,
    ) {
        self.expires_at = expires_at;
        self.expiry = source;
        match (expires_at, source) {
            (Some(at), _) if at <= now => self.problem(
                ProblemCode::Expired,
                format!(
                    "The token expired on {}. {rotate_hint}",
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
            ),
            (Some(at), _) => {
                let days = (at - now).num_days();
                if days < EXPIRES_SOON_DAYS {
                    self.problem(
                        ProblemCode::ExpiresSoon,
                        format!(
                            "The token expires {} ({}). {rotate_hint}",
                            days_word(days),
                            at.format("%Y-%m-%d %H:%M UTC")
                        ),
                    );
                }
            }
            (None, ExpirySource::Never) => self.problem(
                ProblemCode::NoExpiry,
                "The token never expires. Best practice is an expiry between 90 days and 1 year, rotated before it ends.",
            ),
            (None, _) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckRequest;
    use crate::model::ProviderKind;
    use chrono::TimeZone;

    fn report() -> CheckReport {
        CheckReport::start(&CheckRequest::new(
            ProviderKind::Gitlab,
            url::Url::parse("https://gitlab.com/api/v4").unwrap(),
        ))
    }

    fn codes(r: &CheckReport) -> Vec<ProblemCode> {
        r.problems.iter().map(|p| p.code).collect()
    }

    #[test]
    fn classifies_expiry_relative_to_now() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let cases = [
            (
                Some(Utc.with_ymd_and_hms(2026, 11, 23, 11, 0, 0).unwrap()),
                vec![ProblemCode::Expired],
            ),
            (
                Some(start_of_day_utc(
                    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                )),
                vec![ProblemCode::ExpiresSoon],
            ),
            (
                Some(Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap()),
                vec![],
            ),
            (
                Some(Utc.with_ymd_and_hms(2027, 6, 1, 0, 0, 0).unwrap()),
                vec![],
            ),
        ];
        for (at, expected) in cases {
            let mut r = report();
            r.set_expiry(at, ExpirySource::Provider, now, "Rotate it.");
            assert_eq!(codes(&r), expected, "{at:?}");
        }
    }

    #[test]
    fn never_expiring_is_a_warning_and_unknown_is_silent() {
        let now = Utc::now();
        let mut r = report();
        r.set_expiry(None, ExpirySource::Never, now, "");
        assert_eq!(codes(&r), [ProblemCode::NoExpiry]);
        let mut r = report();
        r.set_expiry(None, ExpirySource::Unknown, now, "");
        assert!(r.problems.is_empty());
    }

    #[test]
    fn says_how_many_days_are_left() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let mut r = report();
        r.set_expiry(
            Some(Utc.with_ymd_and_hms(2026, 11, 29, 13, 0, 0).unwrap()),
            ExpirySource::Provider,
            now,
            "Rotate it.",
        );
        assert_eq!(
            r.problems[0].message,
            "The token expires in 6 days (2026-11-29 13:00 UTC). Rotate it."
        );
    }
}
