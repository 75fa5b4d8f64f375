//! Runs checks: one token, or many at once with a bound per host so that a
//! large vault does not open a flood of connections to one provider. Sits
//! above the providers: it refuses what must not be sent, then hands the
//! request to the provider's own check through the registry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use futures_util::FutureExt;
use tokio::sync::Semaphore;

use crate::check::{
    is_loopback, CaFileError, CheckContext, CheckReport, CheckRequest, Clock, Http, HttpOptions,
    ProblemCode, ScriptedAnswers, SystemClock, Transport,
};
use crate::providers;
use crate::secret::TokenSecret;
use crate::sync::LockExt;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub http: HttpOptions,
    /// Checks running at once against one host (scheme, name and port).
    /// Bounded so a large vault cannot flood one provider; 100 is GitHub's
    /// documented ceiling for concurrent requests (secondary rate limits),
    /// and lets 100 tokens be checked in one round trip's time
    /// (BENCHMARKS.md).
    pub per_host_concurrency: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            http: HttpOptions::default(),
            per_host_concurrency: 100,
        }
    }
}

pub struct Checker {
    http: Http,
    clock: Arc<dyn Clock>,
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Checker {
    pub fn new(options: CheckOptions) -> Self {
        Self::with_clock(options, Arc::new(SystemClock))
    }

    pub fn with_clock(options: CheckOptions, clock: Arc<dyn Clock>) -> Self {
        Checker {
            http: Http::new(options.http),
            clock,
            per_host: options.per_host_concurrency.max(1),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// The HTTP client for `request`'s server (trusting its CA file, if
    /// any), for provider calls other than checks (GitLab's self-rotation).
    pub fn http_for(&self, request: &CheckRequest) -> Result<Http, CaFileError> {
        self.http.trusting(request.ca_file.as_deref())
    }

    fn host_slot(&self, request: &CheckRequest) -> Arc<Semaphore> {
        let key = request.api_url.origin().ascii_serialization();
        let mut hosts = self.hosts.lock_or_recover();
        hosts
            .entry(key)
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
            .clone()
    }

    /// Checks one token. Never fails: every outcome is a report.
    #[tracing::instrument(level = "info", name = "check", skip_all, fields(provider = ?request.provider, api = %request.api_url.origin().ascii_serialization()))]
    pub async fn check(&self, request: &CheckRequest, token: &TokenSecret) -> CheckReport {
        let mut report = CheckReport::start(request);
        if refused(request, token, &mut report) {
            return report.finish();
        }
        let http = match self.http_for(request) {
            Ok(http) => http,
            Err(error) => {
                // Without its CA the server would be refused anyway; say
                // which file is wrong instead of a handshake failure.
                report.problem(ProblemCode::TlsError, error.to_string());
                return report.finish();
            }
        };
        let slot = self.host_slot(request);
        let _permit = slot
            .acquire()
            .await
            .expect("host semaphores are never closed");
        let ctx = CheckContext {
            transport: Transport::Network(&http),
            now: self.clock.now(),
            provider: providers::get(request.provider).name(),
        };
        run_provider(&ctx, request, token, &mut report).await;
        report.finish()
    }

    /// Checks many tokens concurrently (bounded per host); reports come
    /// back in the order of the input.
    pub async fn check_many(&self, items: &[(CheckRequest, &TokenSecret)]) -> Vec<CheckReport> {
        join_all(
            items
                .iter()
                .map(|(request, token)| self.check(request, token)),
        )
        .await
    }
}

/// Checks `token` for `request` at `now` with `answer` standing in for the
/// provider: every request the check makes is answered by it, and each
/// answer is classified exactly as a real one would be (the same refusals
/// before sending, the same parsing of statuses, headers and bodies).
/// Nothing goes to the network. This is how the fuzz targets (`fuzz/`)
/// feed hostile answers to the checks, and how tests pin down the
/// classification of one exact answer.
pub fn check_scripted(
    request: &CheckRequest,
    token: &TokenSecret,
    now: DateTime<Utc>,
    answer: ScriptedAnswers<'_>,
) -> CheckReport {
    let mut report = CheckReport::start(request);
    if refused(request, token, &mut report) {
        return report.finish();
    }
    let ctx = CheckContext {
        transport: Transport::Scripted(answer),
        now,
        provider: providers::get(request.provider).name(),
    };
    run_provider(&ctx, request, token, &mut report)
        .now_or_never()
        .expect("a scripted check never waits: every answer is ready when asked for");
    report.finish()
}

async fn run_provider(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
) {
    providers::get(request.provider)
        .check(ctx, request, token, report)
        .await;
}

/// Records why the token must not be sent at all, if it must not.
fn refused(request: &CheckRequest, token: &TokenSecret, report: &mut CheckReport) -> bool {
    match refuse_before_sending(request, token) {
        Some((code, message)) => {
            report.problem(code, message);
            true
        }
        None => false,
    }
}

/// Reasons not to send the token at all.
fn refuse_before_sending(
    request: &CheckRequest,
    token: &TokenSecret,
) -> Option<(ProblemCode, String)> {
    let own = providers::get(request.provider);
    let provider = own.name();
    if token.is_empty() {
        return Some((
            ProblemCode::InvalidToken,
            "The token is empty: paste the whole value the provider showed.".into(),
        ));
    }
    if let Some(why) = own.refuse_token(token.expose()) {
        return Some((ProblemCode::WrongTokenType, why));
    }
    if let Some(owner) = providers::provider_of_token(token.expose()) {
        if owner != request.provider {
            return Some((
                ProblemCode::ProviderMismatch,
                format!(
                    "This looks like a {} token, not a {provider} one: it was not sent to {provider}. Check that you picked the right provider.",
                    providers::get(owner).name()
                ),
            ));
        }
    }
    if request.api_url.scheme() != "https" && !is_loopback(&request.api_url) {
        return Some((
            ProblemCode::InsecureUrl,
            format!(
                "Refusing to send the token over plain HTTP to {}: use an https:// address.",
                request.api_url.host_str().unwrap_or_default()
            ),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::check::{ExpirySource, Response, TransportError};
    use crate::model::ProviderKind;
    use reqwest::header::{HeaderMap, HeaderValue};
    use reqwest::{Method, StatusCode};
    use url::Url;

    fn github() -> CheckRequest {
        CheckRequest::new(
            ProviderKind::Github,
            Url::parse("https://ghe.example.com/api/v3").unwrap(),
        )
    }

    fn answer(status: u16, headers: &[(&'static str, &'static str)], body: &str) -> Response {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_static(value));
        }
        Response {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_scripted_check_classifies_the_answers_it_is_given() {
        let asked = Mutex::new(Vec::new());
        let answers = |method: &Method, url: &Url| {
            asked.lock().unwrap().push(format!("{method} {url}"));
            Ok(answer(
                200,
                &[
                    ("x-oauth-scopes", "repo"),
                    (
                        "github-authentication-token-expiration",
                        "2027-01-01 00:00:00 UTC",
                    ),
                ],
                r#"{"login":"octocat"}"#,
            ))
        };
        let now = "2026-11-23T12:00:00Z".parse().unwrap();
        let token = TokenSecret::new("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
        let report = check_scripted(&github(), &token, now, &answers);
        assert_eq!(
            *asked.lock().unwrap(),
            ["GET https://ghe.example.com/api/v3/user"]
        );
        assert!(report.authenticated);
        assert_eq!(report.missing, ["admin:repo_hook"]);
        assert_eq!(report.expiry, ExpirySource::Provider);
        assert_eq!(report.verdict(), crate::check::Verdict::FallsShort);
    }

    #[test]
    fn a_scripted_check_refuses_before_asking_like_a_real_one() {
        let asked = Mutex::new(0);
        let answers = |_: &Method, _: &Url| {
            *asked.lock().unwrap() += 1;
            Err(TransportError::Timeout(1))
        };
        let token = TokenSecret::new("glpat-abcdefghijklmnopqrst");
        let report = check_scripted(&github(), &token, Utc::now(), &answers);
        assert!(report.has(ProblemCode::ProviderMismatch));
        assert_eq!(*asked.lock().unwrap(), 0);
    }
}
