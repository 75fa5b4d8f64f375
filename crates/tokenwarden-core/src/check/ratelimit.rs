//! Rate limits, honoured rather than hammered. A provider's rate-limit
//! answer (429, or 403 with no requests remaining) is never retried, and
//! the host is then left alone until the time it gave: every later request
//! to it, from any check sharing this client (a whole vault's "check all",
//! the watcher's next round, a rotation), is answered from here with that
//! time instead of being sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use url::Url;

use super::http::Response;
use crate::sync::LockExt;

/// How long to leave a host alone when its answer gave no time: GitHub's
/// advice for secondary limits without `Retry-After` is at least a minute.
const DEFAULT_HOLD: Duration = Duration::seconds(60);

/// Whether `response` is a rate-limit answer, and until when, if it says.
pub(crate) fn rate_limit_of(
    response: &Response,
    now: DateTime<Utc>,
) -> Option<Option<DateTime<Utc>>> {
    let status = response.status.as_u16();
    let remaining_zero = ["x-ratelimit-remaining", "ratelimit-remaining"]
        .iter()
        .any(|h| response.header(h).is_some_and(|v| v.trim() == "0"));
    let retry_after = response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<i64>().ok());
    if !(status == 429 || (status == 403 && (remaining_zero || retry_after.is_some()))) {
        return None;
    }
    let reset = ["x-ratelimit-reset", "ratelimit-reset"]
        .iter()
        .find_map(|h| {
            response
                .header(h)
                .and_then(|v| v.trim().parse::<i64>().ok())
        })
        .and_then(|epoch| DateTime::from_timestamp(epoch, 0));
    // A wait beyond the calendar is ignored like an unreadable one (adding
    // it would overflow: found by fuzzing, `retry-after: 99999999999999`).
    let after_wait = retry_after
        .and_then(|secs| Duration::try_seconds(secs.max(0)))
        .and_then(|wait| now.checked_add_signed(wait));
    Some(after_wait.or(reset))
}

/// "Try again after 14:05 UTC (in about 3 minutes)".
pub(crate) fn try_again_after(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = ((at - now).num_seconds().max(0) + 59) / 60;
    format!(
        "Try again after {} (in about {minutes} minute{})",
        at.format("%H:%M UTC"),
        if minutes == 1 { "" } else { "s" }
    )
}

/// Hosts that asked to be left alone, and until when; shared by every
/// clone of a client.
#[derive(Debug, Clone, Default)]
pub(crate) struct Holds(Arc<Mutex<HashMap<String, DateTime<Utc>>>>);

fn host_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

impl Holds {
    /// Records a rate-limit answer from `url`'s host.
    pub fn hold(&self, url: &Url, until: Option<DateTime<Utc>>, now: DateTime<Utc>) {
        let until = until.filter(|at| *at > now).unwrap_or(now + DEFAULT_HOLD);
        let mut holds = self.0.lock_or_recover();
        let entry = holds.entry(host_of(url)).or_insert(until);
        *entry = (*entry).max(until);
    }

    /// Until when `url`'s host asked to be left alone, if that is later
    /// than `now`.
    pub fn held_until(&self, url: &Url, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut holds = self.0.lock_or_recover();
        let key = host_of(url);
        match holds.get(&key) {
            Some(until) if *until > now => Some(*until),
            Some(_) => {
                holds.remove(&key);
                None
            }
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hold_covers_the_whole_host_until_its_time_then_lifts() {
        let holds = Holds::default();
        let now: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        let user = Url::parse("https://ghe.example.com/api/v3/user").unwrap();
        let repo = Url::parse("https://ghe.example.com/api/v3/repos/a/b").unwrap();
        let other = Url::parse("https://git.example.com/api/v4/user").unwrap();
        holds.hold(&user, Some(now + Duration::minutes(5)), now);
        assert_eq!(
            holds.held_until(&repo, now),
            Some(now + Duration::minutes(5))
        );
        assert_eq!(holds.held_until(&other, now), None);
        assert_eq!(holds.held_until(&repo, now + Duration::minutes(5)), None);
        // No time given (or one in the past): a minute.
        holds.hold(&other, None, now);
        assert_eq!(holds.held_until(&other, now), Some(now + DEFAULT_HOLD));
        assert_eq!(
            try_again_after(now + Duration::seconds(61), now),
            "Try again after 12:01 UTC (in about 2 minutes)"
        );
    }

    // Found by fuzzing (fuzz/fuzz_targets/provider_answers.rs): a
    // Retry-After too large for the calendar made the check panic.
    #[test]
    fn a_wait_beyond_the_calendar_is_ignored_not_a_crash() {
        let now: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        let answer = |headers: &[(&'static str, &'static str)]| {
            let mut map = reqwest::header::HeaderMap::new();
            for (name, value) in headers {
                map.insert(*name, reqwest::header::HeaderValue::from_static(value));
            }
            Response {
                status: reqwest::StatusCode::TOO_MANY_REQUESTS,
                headers: map,
                body: Vec::new(),
            }
        };
        for huge in ["99999999999999", "9223372036854775807"] {
            assert_eq!(
                rate_limit_of(&answer(&[("retry-after", huge)]), now),
                Some(None)
            );
            assert_eq!(
                rate_limit_of(
                    &answer(&[("retry-after", huge), ("x-ratelimit-reset", "1772370000")]),
                    now
                ),
                Some(DateTime::from_timestamp(1_772_370_000, 0))
            );
        }
        assert_eq!(
            rate_limit_of(&answer(&[("retry-after", "30")]), now),
            Some(Some(now + Duration::seconds(30)))
        );
    }
}
