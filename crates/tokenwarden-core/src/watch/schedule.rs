//! The instants at which a token's alerts fall due, as pure arithmetic on
//! its expiry. Days are exact 24-hour spans from the expiry instant, never
//! calendar days, so no time zone is involved:
//!
//! - threshold `N` is crossed at `expires_at - N × 24 h` (`0`: at expiry);
//! - after-expiry alert `k` (k ≥ 1) falls due at `expires_at + k × 24 h`.
//!
//! Together these are the token's *triggers*, a sorted series of instants.
//! The state remembers, per token and expiry, the latest trigger already
//! dealt with; everything at or before it is done. All arithmetic is
//! checked: an expiry at the edge of the calendar yields fewer triggers,
//! never a panic.

use chrono::{DateTime, TimeDelta, Timelike, Utc};

use super::alert::AlertKind;
use super::settings::WatchSettings;

pub(crate) const DAY: TimeDelta = TimeDelta::days(1);

/// One token's triggers for one expiry.
pub(crate) struct Schedule {
    expires_at: DateTime<Utc>,
    /// Threshold crossings, ascending, without duplicates.
    crossings: Vec<DateTime<Utc>>,
    daily: bool,
}

/// The latest trigger in a span, and how many triggers the span holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Crossed {
    pub latest: DateTime<Utc>,
    pub count: u64,
}

/// `t`, or for an instant inside a leap second (`23:59:60`, which chrono
/// keeps as 23:59:59 plus a second's worth of nanoseconds) the same
/// fraction of the next second. chrono's day arithmetic skips leap seconds
/// while its differences count them, so a schedule built on one found a
/// trigger it had just recorded crossed again, and the watcher repeated
/// the alert (found by fuzzing: an expiry of `2026-06-30T23:59:60Z`).
fn without_leap_second(t: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = t.nanosecond();
    if nanos < 1_000_000_000 {
        return t;
    }
    t.with_nanosecond(nanos - 1_000_000_000)
        .and_then(|t| t.checked_add_signed(TimeDelta::seconds(1)))
        .unwrap_or(t)
}

impl Schedule {
    pub fn new(expires_at: DateTime<Utc>, settings: &WatchSettings) -> Self {
        let expires_at = without_leap_second(expires_at);
        let mut crossings: Vec<_> = settings
            .thresholds_days
            .iter()
            .map(|&days| {
                TimeDelta::try_days(i64::from(days))
                    .and_then(|span| expires_at.checked_sub_signed(span))
                    // Before the start of the calendar: crossed forever ago.
                    .unwrap_or(DateTime::<Utc>::MIN_UTC)
            })
            .collect();
        crossings.sort_unstable();
        crossings.dedup();
        Schedule {
            expires_at,
            crossings,
            daily: settings.after_expiry_daily,
        }
    }

    /// After-expiry alert `k`, if the calendar reaches it.
    fn daily_at(&self, k: i64) -> Option<DateTime<Utc>> {
        TimeDelta::try_days(k).and_then(|span| self.expires_at.checked_add_signed(span))
    }

    /// Whole 24-hour spans from expiry to `t` (`t` at or after expiry).
    fn days_since_expiry(&self, t: DateTime<Utc>) -> i64 {
        (t - self.expires_at).num_days()
    }

    /// The triggers in `(after, until]` (`after == None`: from the start).
    pub fn crossed(&self, after: Option<DateTime<Utc>>, until: DateTime<Utc>) -> Option<Crossed> {
        let after = after.map(without_leap_second);
        let until = without_leap_second(until);
        let in_span = |t: &DateTime<Utc>| after.is_none_or(|a| *t > a) && *t <= until;
        let thresholds: Vec<_> = self.crossings.iter().filter(|t| in_span(t)).collect();
        let mut latest = thresholds.last().map(|t| **t);
        let mut count = thresholds.len() as u64;
        if self.daily && until > self.expires_at {
            // k runs from the first after-expiry alert later than `after`
            // to the last one at or before `until`.
            let last = self.days_since_expiry(until);
            let first = match after {
                Some(a) if a >= self.expires_at => self.days_since_expiry(a) + 1,
                _ => 1,
            };
            if last >= first {
                if let Some(at) = self.daily_at(last) {
                    count += u64::try_from(last - first + 1).unwrap_or(u64::MAX);
                    latest = Some(latest.map_or(at, |l| l.max(at)));
                }
            }
        }
        latest.map(|latest| Crossed { latest, count })
    }

    /// The first trigger strictly after `t`.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let t = without_leap_second(t);
        let threshold = self.crossings.iter().find(|c| **c > t).copied();
        let daily = if !self.daily {
            None
        } else if t < self.expires_at {
            self.daily_at(1)
        } else {
            self.daily_at(self.days_since_expiry(t) + 1)
        };
        match (threshold, daily) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// How far `now` is from the expiry, in the words an alert uses.
///
/// Before expiry, `status::days_left`: the count the token list, its page,
/// the tray and the CLI show (whole days rounded down with an hour's grace:
/// the watcher wakes a moment *after* a threshold instant, and the 7-day
/// alert must still say 7, not 6). Under a day is 0 ("within a day"). From expiry on, whole days elapsed: the alert at
/// `expires_at + k × 24 h` says `k`, the one at the expiry instant `0`
/// ("has expired"). The alert's body gives the exact instant.
pub(crate) fn kind_at(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> AlertKind {
    if now < expires_at {
        AlertKind::BeforeExpiry {
            days_left: crate::status::days_left(expires_at, now),
        }
    } else {
        AlertKind::Expired {
            days_ago: (now - expires_at).num_days(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
    }

    fn schedule(thresholds: &[u32], daily: bool) -> Schedule {
        Schedule::new(
            at(20, 12),
            &WatchSettings {
                thresholds_days: thresholds.to_vec(),
                after_expiry_daily: daily,
            },
        )
    }

    #[test]
    fn counts_and_finds_the_latest_trigger_in_a_span() {
        let s = schedule(&[7, 3, 1, 0], true);
        let cases = [
            // (after, until, expected latest, expected count)
            (None, at(10, 0), None, 0),
            (None, at(13, 12), Some(at(13, 12)), 1),
            (None, at(18, 0), Some(at(17, 12)), 2),
            (Some(at(17, 12)), at(18, 0), None, 0),
            (Some(at(13, 12)), at(20, 12), Some(at(20, 12)), 3),
            (Some(at(20, 12)), at(21, 11), None, 0),
            (Some(at(20, 12)), at(21, 12), Some(at(21, 12)), 1),
            (Some(at(19, 12)), at(24, 13), Some(at(24, 12)), 5),
            (Some(at(22, 12)), at(24, 13), Some(at(24, 12)), 2),
        ];
        for (after, until, latest, count) in cases {
            let got = s.crossed(after, until);
            assert_eq!(got.map(|c| c.latest), latest, "{after:?}..{until}");
            assert_eq!(got.map_or(0, |c| c.count), count, "{after:?}..{until}");
        }
    }

    #[test]
    fn finds_the_next_trigger() {
        let cases = [
            (schedule(&[7, 3, 1, 0], true), at(1, 0), Some(at(13, 12))),
            (schedule(&[7, 3, 1, 0], true), at(13, 12), Some(at(17, 12))),
            (schedule(&[7, 3, 1, 0], true), at(20, 12), Some(at(21, 12))),
            (schedule(&[7, 3, 1, 0], true), at(23, 0), Some(at(23, 12))),
            (schedule(&[7, 3, 1, 0], false), at(20, 12), None),
            (schedule(&[7], true), at(14, 0), Some(at(21, 12))),
            (schedule(&[], false), at(1, 0), None),
        ];
        for (s, t, expected) in cases {
            assert_eq!(s.next_after(t), expected, "after {t}");
        }
    }

    #[test]
    fn an_expiry_at_the_edge_of_the_calendar_never_panics() {
        let settings = WatchSettings {
            thresholds_days: vec![u32::MAX, 0],
            after_expiry_daily: true,
        };
        for edge in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            let s = Schedule::new(edge, &settings);
            let _ = s.crossed(None, edge);
            let _ = s.next_after(edge);
            let _ = s.crossed(Some(DateTime::<Utc>::MIN_UTC), DateTime::<Utc>::MAX_UTC);
        }
    }

    // Found by fuzzing (fuzz/fuzz_targets/app_data_files.rs): with an
    // expiry inside a leap second, the after-expiry alert just recorded
    // was crossed again, so the watcher would have repeated it forever.
    #[test]
    fn an_expiry_in_a_leap_second_fires_each_alert_once() {
        let leap = chrono::NaiveDate::from_ymd_opt(2026, 6, 30)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .unwrap()
            .and_utc();
        let s = Schedule::new(leap, &WatchSettings::default());
        let now = at(1, 12) - DAY * 8;
        let first = s.crossed(None, now).unwrap();
        assert!(first.latest <= now);
        assert_eq!(s.crossed(Some(first.latest), now), None);
        let next = s.next_after(now).unwrap();
        assert!(next > now);
        assert_eq!(
            s.crossed(Some(first.latest), next).map(|c| c.count),
            Some(1)
        );
    }

    #[test]
    fn days_are_whole_days_rounded_down_with_an_hours_grace() {
        let expiry = at(20, 12);
        let cases = [
            (expiry - DAY * 7, AlertKind::BeforeExpiry { days_left: 7 }),
            (
                expiry - DAY * 7 + TimeDelta::milliseconds(5),
                AlertKind::BeforeExpiry { days_left: 7 },
            ),
            (
                expiry - DAY * 7 + TimeDelta::minutes(59),
                AlertKind::BeforeExpiry { days_left: 7 },
            ),
            (
                expiry - DAY * 6 - TimeDelta::hours(3),
                AlertKind::BeforeExpiry { days_left: 6 },
            ),
            (
                expiry - TimeDelta::minutes(1),
                AlertKind::BeforeExpiry { days_left: 0 },
            ),
            (expiry, AlertKind::Expired { days_ago: 0 }),
            (
                expiry + TimeDelta::hours(23),
                AlertKind::Expired { days_ago: 0 },
            ),
            (expiry + DAY, AlertKind::Expired { days_ago: 1 }),
            (
                expiry + DAY * 3 + TimeDelta::hours(5),
                AlertKind::Expired { days_ago: 3 },
            ),
        ];
        for (now, expected) in cases {
            assert_eq!(kind_at(expiry, now), expected, "{now}");
        }
    }
}
