//! How a provider misbehaves: slow, failing, rate limited or down.
//!
//! Applied to API paths only (`/api/v3`, `/api/v4`, `/2.0`): the pages and
//! the `/_sim/` admin API keep working, so a test or the demo can always
//! switch a provider back on. Every request except admin ones is recorded
//! first, so retries against a failing provider can be counted.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, Response, StatusCode};
use axum::{body::Body, response::IntoResponse, Json};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::spec::Provider;
use crate::state::RecordedRequest;

/// A provider's behaviour. The default is a healthy provider.
#[derive(Clone, Debug, Default)]
pub struct Behaviour {
    /// Added before every API response (and before a failure or rate limit).
    pub latency: Duration,
    /// The next N API requests answer `fail_status`, then normal again.
    pub fail_next: u32,
    /// Every API request answers `fail_status`.
    pub fail_always: bool,
    /// The failing status; 503 when 0.
    pub fail_status: u16,
    /// Every API request is rate limited.
    pub rate_limited: Option<RateLimit>,
    /// Accept the TCP connection and close it without any response.
    pub down: bool,
}

/// A rate limit in force.
#[derive(Clone, Debug)]
pub struct RateLimit {
    /// When the limit resets, from the moment of each answer.
    pub reset_in: Duration,
    /// Whether answers carry `Retry-After` (and, on GitHub, use 429 instead
    /// of 403).
    pub retry_after: bool,
}

/// The admin API's JSON form of [`Behaviour`]; every field may be omitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BehaviourJson {
    pub latency_ms: u64,
    pub fail_next: u32,
    pub fail_always: bool,
    pub fail_status: u16,
    pub rate_limited: Option<RateLimitJson>,
    pub down: bool,
}

/// The admin API's JSON form of [`RateLimit`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitJson {
    pub reset_in_secs: u64,
    pub retry_after: bool,
}

impl From<BehaviourJson> for Behaviour {
    fn from(j: BehaviourJson) -> Self {
        Behaviour {
            latency: Duration::from_millis(j.latency_ms),
            fail_next: j.fail_next,
            fail_always: j.fail_always,
            fail_status: j.fail_status,
            rate_limited: j.rate_limited.map(|r| RateLimit {
                reset_in: Duration::from_secs(r.reset_in_secs),
                retry_after: r.retry_after,
            }),
            down: j.down,
        }
    }
}

/// What to do with one API request, decided under the state lock so that
/// concurrent requests each consume one `fail_next`.
#[derive(Debug)]
pub(crate) struct Decision {
    pub down: bool,
    pub latency: Duration,
    pub fail: Option<StatusCode>,
    pub rate_limited: Option<RateLimit>,
}

impl Behaviour {
    /// Decides the fate of one API request, consuming a `fail_next`.
    pub(crate) fn decide(&mut self) -> Decision {
        let status = StatusCode::from_u16(self.fail_status)
            .ok()
            .filter(|_| self.fail_status != 0)
            .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let fail = if self.down {
            None
        } else if self.fail_always {
            Some(status)
        } else if self.fail_next > 0 {
            self.fail_next -= 1;
            Some(status)
        } else {
            None
        };
        Decision {
            down: self.down,
            latency: self.latency,
            fail,
            rate_limited: self.rate_limited.clone(),
        }
    }
}

/// Whether `path` is one of `provider`'s API paths.
pub(crate) fn is_api_path(provider: Provider, path: &str) -> bool {
    let prefix = provider.api_prefix();
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|r| r.starts_with('/'))
}

/// Whether `path` is an admin path (`/_sim/...`), which is neither recorded
/// nor subject to behaviour.
pub(crate) fn is_admin_path(path: &str) -> bool {
    path == "/_sim" || path.starts_with("/_sim/")
}

/// The record of a request, without any secret.
pub(crate) fn record(method: &str, uri: &axum::http::Uri, headers: &HeaderMap) -> RecordedRequest {
    let mut path = uri.path().to_owned();
    if let Some(query) = uri.query() {
        path.push('?');
        path.push_str(&redact_query(query));
    }
    RecordedRequest {
        method: method.to_owned(),
        path,
        had_authorization: headers.contains_key(axum::http::header::AUTHORIZATION)
            || headers.contains_key("private-token"),
    }
}

/// Replaces the values of credential-looking query parameters with
/// `REDACTED` (GitLab accepts `private_token` / `access_token` there).
fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| {
            let key = pair.split('=').next().unwrap_or_default();
            let lower = key.to_ascii_lowercase();
            if matches!(
                lower.as_str(),
                "private_token" | "access_token" | "token" | "job_token"
            ) {
                format!("{key}=REDACTED")
            } else {
                pair.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn reason(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

/// The body a failing provider answers with, in the provider's error shape.
pub(crate) fn failure_response(provider: Provider, status: StatusCode) -> Response<Body> {
    let text = reason(status);
    let body = match provider {
        Provider::Github => json!({
            "message": format!("{text} (simulated)"),
            "documentation_url": "https://docs.github.com/rest",
            "status": status.as_u16().to_string(),
        }),
        Provider::Gitlab => json!({ "message": format!("{} {text}", status.as_u16()) }),
        Provider::Bitbucket => {
            json!({ "type": "error", "error": { "message": format!("{text} (simulated)") } })
        }
    };
    (status, Json(body)).into_response()
}

/// Seconds, rounded up: a client that waits this long is past the reset.
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn header(value: impl ToString) -> HeaderValue {
    HeaderValue::from_str(&value.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The provider's rate-limit answer.
pub(crate) fn rate_limited_response(provider: Provider, limit: &RateLimit) -> Response<Body> {
    let secs = ceil_secs(limit.reset_in);
    let reset_epoch = Utc::now().timestamp().max(0) as u64 + secs;
    let mut response = match provider {
        Provider::Github => {
            // GitHub answers 403 for a primary limit and 429 (with
            // Retry-After) for secondary limits.
            let status = if limit.retry_after {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::FORBIDDEN
            };
            let mut r = (
                status,
                Json(json!({
                    "message": "API rate limit exceeded for user ID 1.",
                    "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
                    "status": status.as_u16().to_string(),
                })),
            )
                .into_response();
            let h = r.headers_mut();
            h.insert("x-ratelimit-limit", header(5000));
            h.insert("x-ratelimit-remaining", header(0));
            h.insert("x-ratelimit-used", header(5000));
            h.insert("x-ratelimit-reset", header(reset_epoch));
            h.insert("x-ratelimit-resource", header("core"));
            r
        }
        Provider::Gitlab => {
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                Json(json!({ "message": "Retry later" })),
            )
                .into_response();
            let h = r.headers_mut();
            h.insert("ratelimit-limit", header(2000));
            h.insert("ratelimit-remaining", header(0));
            h.insert("ratelimit-reset", header(reset_epoch));
            r
        }
        Provider::Bitbucket => (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({
                "type": "error",
                "error": { "message": "Rate limit for this resource has been exceeded" },
            })),
        )
            .into_response(),
    };
    if limit.retry_after {
        response.headers_mut().insert("retry-after", header(secs));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_next_is_consumed_then_normal() {
        let mut b = Behaviour {
            fail_next: 2,
            ..Behaviour::default()
        };
        assert_eq!(b.decide().fail, Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(b.decide().fail, Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(b.decide().fail, None);
    }

    #[test]
    fn api_paths_are_recognised_by_prefix() {
        assert!(is_api_path(Provider::Github, "/api/v3/user"));
        assert!(!is_api_path(Provider::Github, "/api/v3x"));
        assert!(is_api_path(Provider::Bitbucket, "/2.0/workspaces/w"));
        assert!(!is_api_path(
            Provider::Gitlab,
            "/-/user_settings/personal_access_tokens"
        ));
    }

    #[test]
    fn credential_query_parameters_are_redacted() {
        assert_eq!(
            redact_query("private_token=glpat-x&per_page=1"),
            "private_token=REDACTED&per_page=1"
        );
    }
}
