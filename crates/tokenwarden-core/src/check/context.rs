//! What a provider's check works with: where its requests go (the network
//! or a script standing in for it), the time, and the provider's name for
//! the messages that describe a failed request. Providers import this; it
//! imports no provider.

use chrono::{DateTime, Utc};
use reqwest::Method;
use url::Url;

use super::address;
use super::http::{Http, Response, TransportError};
use super::ratelimit::{is_secondary_limit, rate_limit_of, try_again_after};
use super::report::{CheckReport, CheckRequest, ProblemCode};
use crate::secret::TokenSecret;

/// Stands in for a provider in `check_scripted`: given the method and URL
/// of each request a check makes, the answer to classify.
pub type ScriptedAnswers<'a> =
    &'a (dyn Fn(&Method, &Url) -> Result<Response, TransportError> + Sync);

/// Where a check's requests go.
pub enum Transport<'a> {
    Network(&'a Http),
    Scripted(ScriptedAnswers<'a>),
}

/// What a provider's check needs besides the request and the token.
pub struct CheckContext<'a> {
    pub transport: Transport<'a>,
    pub now: DateTime<Utc>,
    /// The provider's name as users know it ("GitHub"), for messages.
    pub provider: &'static str,
}

impl CheckContext<'_> {
    /// One request to `path` under the API base. A transport failure is
    /// recorded on the report (as `provider`'s) and yields None.
    pub async fn call(
        &self,
        method: Method,
        request: &CheckRequest,
        token: &TokenSecret,
        report: &mut CheckReport,
        path: &str,
    ) -> Option<Response> {
        let url = address::join(&request.api_url, path);
        let outcome = match self.transport {
            Transport::Network(http) => http.send(method, &url, token, &[]).await,
            Transport::Scripted(answer) => answer(&method, &url),
        };
        match outcome {
            Ok(response) => Some(response),
            Err(error) => {
                report.transport_failure(self.provider, request, &error);
                None
            }
        }
    }

    /// Leaves the request's host alone until `until`: every later request
    /// to it through this client is answered locally, not sent. For
    /// answers a provider means as "stop" without rate-limit headers.
    pub fn hold(&self, request: &CheckRequest, until: DateTime<Utc>) {
        if let Transport::Network(http) = self.transport {
            http.hold(&request.api_url, until);
        }
    }

    pub async fn get(
        &self,
        request: &CheckRequest,
        token: &TokenSecret,
        report: &mut CheckReport,
        path: &str,
    ) -> Option<Response> {
        self.call(Method::GET, request, token, report, path).await
    }
}

/// Why a server's certificate was refused, and the one fix that is safe.
fn untrusted(provider: &str, request: &CheckRequest) -> String {
    let host = request.api_url.host_str().unwrap_or_default();
    match &request.ca_file {
        None => format!(
            "The certificate of {provider} at {host} is not trusted: it was issued by a certificate authority this computer does not know, so the token was not sent. If {host} uses your company's own certificate authority, give its CA certificate file (--ca-file in the command line, \"CA certificate file\" in the app's wizard)."
        ),
        Some(path) => format!(
            "The certificate of {provider} at {host} is not trusted, neither by this computer nor by the CA certificate file {}, so the token was not sent. Check that the file holds the authority that issued {host}'s certificate.",
            path.display()
        ),
    }
}

impl CheckReport {
    /// Describes a request that got no usable answer.
    pub fn transport_failure(
        &mut self,
        provider: &str,
        request: &CheckRequest,
        error: &TransportError,
    ) {
        let (code, message) = match error {
            TransportError::Timeout(secs) => (
                ProblemCode::Unreachable,
                format!("{provider} did not answer within {secs} seconds. Check your connection, or try again with a longer --timeout."),
            ),
            TransportError::Connect(detail) => (
                ProblemCode::Unreachable,
                format!("{provider} could not be reached ({detail}). Check the address and your network connection."),
            ),
            TransportError::Untrusted(_) => (ProblemCode::TlsError, untrusted(provider, request)),
            TransportError::RateLimited { until } => (
                ProblemCode::RateLimited,
                format!(
                    "{provider} is rate limiting requests, and asked to be left alone until then: Tokenwarden did not ask again. {}. This is not a problem with the token.",
                    try_again_after(*until, chrono::Utc::now())
                ),
            ),
            TransportError::Tls(detail) => (
                ProblemCode::TlsError,
                format!("The secure connection to {provider} failed ({detail}). If your server uses a private certificate authority, that authority must be trusted by this computer."),
            ),
            TransportError::BodyTooLarge | TransportError::Other(_) => (
                ProblemCode::UnexpectedResponse,
                format!("{provider} gave an answer Tokenwarden cannot use: {error}."),
            ),
        };
        self.problem(code, message);
    }

    /// Describes an answer no rule above it expected.
    pub fn unexpected(&mut self, provider: &str, what: &str, response: &Response) {
        let message = if response.status.is_server_error() {
            format!(
                "{provider} is having trouble (HTTP {} on {what}). This says nothing about the token: try again later.",
                response.status.as_u16()
            )
        } else {
            format!(
                "{provider} answered {what} with HTTP {}, which Tokenwarden did not expect.",
                response.status.as_u16()
            )
        };
        self.problem(ProblemCode::UnexpectedResponse, message);
    }

    /// Describes an answer the check cannot use: rate limiting when the
    /// response says so, otherwise an unexpected response.
    pub fn unusable_answer(
        &mut self,
        provider: &str,
        what: &str,
        response: &Response,
        now: DateTime<Utc>,
    ) {
        if !self.rate_limited(provider, response, now) {
            self.unexpected(provider, what, response);
        }
    }

    /// Records rate limiting when the response says so, and returns true.
    /// A rate limit is not a bad token: it says when to try again.
    pub fn rate_limited(
        &mut self,
        provider: &str,
        response: &Response,
        now: DateTime<Utc>,
    ) -> bool {
        let Some(when) = rate_limit_of(response, now) else {
            return false;
        };
        let message = match when {
            Some(at) if is_secondary_limit(response) => format!(
                "{provider} applied a secondary rate limit (too many requests in a short time), so this could not be checked. Wait at least a minute: {}. This is not a problem with the token.",
                try_again_after(at, now)
            ),
            Some(at) => format!(
                "{provider} is rate limiting requests. {}. This is not a problem with the token.",
                try_again_after(at, now)
            ),
            None => format!("{provider} is rate limiting requests. Try again in a few minutes. This is not a problem with the token."),
        };
        self.problem(ProblemCode::RateLimited, message);
        true
    }
}
