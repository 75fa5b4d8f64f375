//! Rate limits, honoured rather than hammered. A provider's rate-limit
//! answer (429, 403 with no requests remaining, or GitHub's secondary limit)
//! is never retried, and the account is then left alone on that host until
//! the time it gave: every later request with the same token, from any check
//! sharing this client (a whole vault's "check all", the watcher's next
//! round, a rotation), is answered from here with that time instead of being
//! sent. Limits are per account, not per host (GitHub's primary limit is per
//! user): another account's checks on the same host still go out.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use url::Url;

use super::http::Response;
use crate::secret::TokenSecret;
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
    let secondary = is_secondary_limit(response);
    if !(status == 429 || (status == 403 && (remaining_zero || retry_after.is_some() || secondary)))
    {
        return None;
    }
    // A secondary limit leaves requests in the hour's budget, so the hour's
    // reset says nothing about it: without Retry-After, wait at least a
    // minute (github/docs, rate limits for the REST API).
    if secondary && !remaining_zero && retry_after.is_none() {
        return Some(now.checked_add_signed(DEFAULT_HOLD));
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

/// GitHub's secondary rate limit, told by its message ("You have exceeded a
/// secondary rate limit"): its answers may carry neither `Retry-After` nor
/// `x-ratelimit-remaining: 0`.
pub(crate) fn is_secondary_limit(response: &Response) -> bool {
    matches!(response.status.as_u16(), 403 | 429)
        && response
            .json::<serde_json::Value>()
            .and_then(|v| v["message"].as_str().map(str::to_ascii_lowercase))
            .is_some_and(|m| m.contains("secondary rate limit"))
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

/// Accounts that a host asked to leave alone, and until when; shared by
/// every clone of a client. An account is known by a keyed hash of its
/// token (the key random per process, the token itself never kept here).
#[derive(Debug, Clone, Default)]
pub(crate) struct Holds {
    until: Arc<Mutex<HashMap<HoldKey, DateTime<Utc>>>>,
    fingerprints: RandomState,
}

/// A host (its origin) and an account on it (its token's fingerprint), or
/// None: every account on the host.
type HoldKey = (String, Option<u64>);

impl Holds {
    fn key(&self, url: &Url, token: &TokenSecret) -> HoldKey {
        (
            url.origin().ascii_serialization(),
            Some(self.fingerprints.hash_one(token.expose())),
        )
    }

    /// Records a hold of `url`'s whole host, for every account: for the
    /// limits a provider applies per address rather than per account.
    pub fn hold_host(&self, url: &Url, until: DateTime<Utc>, now: DateTime<Utc>) {
        let until = if until > now {
            until
        } else {
            now + DEFAULT_HOLD
        };
        let mut holds = self.until.lock_or_recover();
        let entry = holds
            .entry((url.origin().ascii_serialization(), None))
            .or_insert(until);
        *entry = (*entry).max(until);
    }

    /// Records a rate-limit answer from `url`'s host to `token`'s account.
    pub fn hold(
        &self,
        url: &Url,
        token: &TokenSecret,
        until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) {
        let until = until.filter(|at| *at > now).unwrap_or(now + DEFAULT_HOLD);
        let mut holds = self.until.lock_or_recover();
        let entry = holds.entry(self.key(url, token)).or_insert(until);
        *entry = (*entry).max(until);
    }

    /// Until when `url`'s host asked `token`'s account (or every account) to
    /// leave it alone, if that is later than `now`.
    pub fn held_until(
        &self,
        url: &Url,
        token: &TokenSecret,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let mut holds = self.until.lock_or_recover();
        let account = self.key(url, token);
        let host = (account.0.clone(), None);
        let mut latest = None;
        for key in [account, host] {
            match holds.get(&key) {
                Some(until) if *until > now => latest = latest.max(Some(*until)),
                Some(_) => {
                    holds.remove(&key);
                }
                None => {}
            }
        }
        latest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hold_covers_the_whole_host_until_its_time_then_lifts() {
        let holds = Holds::default();
        let token = TokenSecret::new("ghp_one");
        let now: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        let user = Url::parse("https://ghe.example.com/api/v3/user").unwrap();
        let repo = Url::parse("https://ghe.example.com/api/v3/repos/a/b").unwrap();
        let other = Url::parse("https://git.example.com/api/v4/user").unwrap();
        holds.hold(&user, &token, Some(now + Duration::minutes(5)), now);
        assert_eq!(
            holds.held_until(&repo, &token, now),
            Some(now + Duration::minutes(5))
        );
        assert_eq!(holds.held_until(&other, &token, now), None);
        assert_eq!(
            holds.held_until(&repo, &token, now + Duration::minutes(5)),
            None
        );
        // No time given (or one in the past): a minute.
        holds.hold(&other, &token, None, now);
        assert_eq!(
            holds.held_until(&other, &token, now),
            Some(now + DEFAULT_HOLD)
        );
        assert_eq!(
            try_again_after(now + Duration::seconds(61), now),
            "Try again after 12:01 UTC (in about 2 minutes)"
        );
    }

    #[test]
    fn a_hold_is_per_account_not_per_host() {
        let holds = Holds::default();
        let now: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        let url = Url::parse("https://api.github.com/user").unwrap();
        let tired = TokenSecret::new("ghp_tired");
        let fresh = TokenSecret::new("ghp_fresh");
        holds.hold(&url, &tired, Some(now + Duration::minutes(5)), now);
        assert_eq!(
            holds.held_until(&url, &tired, now),
            Some(now + Duration::minutes(5))
        );
        assert_eq!(holds.held_until(&url, &fresh, now), None);
        // A clone shares the holds and the fingerprints.
        let clone = holds.clone();
        assert!(clone.held_until(&url, &tired, now).is_some());
        // A hold of the whole host (a limit per address) covers everyone.
        holds.hold_host(&url, now + Duration::minutes(10), now);
        assert_eq!(
            holds.held_until(&url, &fresh, now),
            Some(now + Duration::minutes(10))
        );
        assert_eq!(
            holds.held_until(&url, &tired, now),
            Some(now + Duration::minutes(10))
        );
    }

    #[test]
    fn a_secondary_limit_without_retry_after_waits_a_minute_not_the_hour() {
        let now: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        let answer = |status: u16, message: &str, retry_after: Option<&'static str>| {
            let mut map = reqwest::header::HeaderMap::new();
            map.insert(
                "x-ratelimit-remaining",
                reqwest::header::HeaderValue::from_static("4990"),
            );
            map.insert(
                "x-ratelimit-reset",
                reqwest::header::HeaderValue::from_static("1772370000"),
            );
            if let Some(secs) = retry_after {
                map.insert(
                    "retry-after",
                    reqwest::header::HeaderValue::from_static(secs),
                );
            }
            Response {
                status: reqwest::StatusCode::from_u16(status).unwrap(),
                headers: map,
                body: serde_json::to_vec(&serde_json::json!({ "message": message })).unwrap(),
            }
        };
        let secondary = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
        for status in [403, 429] {
            assert_eq!(
                rate_limit_of(&answer(status, secondary, None), now),
                Some(Some(now + DEFAULT_HOLD))
            );
            assert_eq!(
                rate_limit_of(&answer(status, secondary, Some("120")), now),
                Some(Some(now + Duration::seconds(120)))
            );
        }
        // A permission refusal is not a rate limit.
        assert_eq!(
            rate_limit_of(
                &answer(
                    403,
                    "Resource not accessible by personal access token",
                    None
                ),
                now
            ),
            None
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
