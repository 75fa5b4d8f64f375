//! The HTTP layer every provider check goes through: a timeout on every
//! request, bounded retries with backoff for transient failures (connection
//! errors, 5xx), response bodies read with a size cap, no redirects (a
//! redirect must never carry a token to another address), certificates
//! always verified (against the platform's roots, plus a private CA file
//! where the user gave one: `trust.rs`), and failures classified for the
//! user.

use std::path::Path;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, USER_AGENT};
use reqwest::{Method, StatusCode};
use url::Url;
use zeroize::{Zeroize, Zeroizing};

use super::ratelimit::{self, Holds};
use super::trust::{CaFileError, TrustCache};
use crate::secret::TokenSecret;

/// Provider responses Tokenwarden reads are a few kilobytes; anything
/// bigger than this is not what we asked for.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Per request, from sending to the last byte of the body.
    pub timeout: Duration,
    /// Extra attempts after a transient failure.
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub backoff: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(10),
            retries: 2,
            backoff: Duration::from_millis(250),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("no answer within {0} seconds")]
    Timeout(u64),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("the secure connection failed: {0}")]
    Tls(String),
    /// The server's certificate chains to no authority this client trusts.
    #[error("the server's certificate is not trusted: {0}")]
    Untrusted(String),
    #[error("the answer was larger than {MAX_BODY_BYTES} bytes")]
    BodyTooLarge,
    /// Not sent: the host rate limited an earlier request and asked to be
    /// left alone until this time.
    #[error("not sent: the server asked to wait until {until}")]
    RateLimited {
        until: chrono::DateTime<chrono::Utc>,
    },
    #[error("{0}")]
    Other(String),
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// How a request carries its credential in `Authorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Bearer T`: every provider.
    Bearer,
    /// `Token T`: Qovery's machine tokens.
    Token,
}

impl AuthScheme {
    fn word(self) -> &'static str {
        match self {
            AuthScheme::Bearer => "Bearer",
            AuthScheme::Token => "Token",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    options: HttpOptions,
    /// Clients for servers behind a private CA, shared by every clone.
    trust: TrustCache,
    /// Accounts a host rate limited, shared by every clone.
    holds: Holds,
}

/// Every client's fixed configuration. Certificate verification is
/// reqwest's default and nothing here (or anywhere) turns it off.
fn client_builder(options: &HttpOptions) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(concat!("Tokenwarden/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(options.timeout.min(Duration::from_secs(10)))
        .timeout(options.timeout)
        .pool_idle_timeout(Duration::from_secs(30))
}

impl Http {
    pub fn new(options: HttpOptions) -> Self {
        let client = client_builder(&options)
            .build()
            .expect("the HTTP client's fixed configuration is valid");
        Http {
            client,
            options,
            trust: TrustCache::default(),
            holds: Holds::default(),
        }
    }

    pub fn options(&self) -> &HttpOptions {
        &self.options
    }

    /// This client, or one that also trusts the certificate authorities in
    /// `ca_file` (on top of the platform's roots, never instead of them).
    pub fn trusting(&self, ca_file: Option<&Path>) -> Result<Http, CaFileError> {
        let Some(path) = ca_file else {
            return Ok(self.clone());
        };
        let client = self.trust.client(path, |certificates| {
            let mut builder = client_builder(&self.options);
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
            builder.build().map_err(|e| CaFileError::Invalid {
                path: path.display().to_string(),
                reason: e.to_string(),
            })
        })?;
        Ok(Http {
            client,
            ..self.clone()
        })
    }

    /// Sends an authenticated request, retrying transient failures of
    /// idempotent requests (a POST that failed may still have happened, so
    /// it is never repeated). A 5xx that outlasts the retries is returned
    /// as a response, for the caller to describe; everything else that
    /// fails is a `TransportError`. A host that rate limited an earlier
    /// request of the same account (token) is not asked again before the
    /// time it gave (`ratelimit.rs`).
    pub async fn send(
        &self,
        method: Method,
        url: &Url,
        token: &TokenSecret,
        extra_headers: &[(&'static str, &'static str)],
    ) -> Result<Response, TransportError> {
        self.send_with(method, url, AuthScheme::Bearer, token, extra_headers, None)
            .await
    }

    /// `send` with the credential's scheme and a JSON body. The body may
    /// hold a secret (a value pushed to a destination): the caller keeps
    /// it in zeroizing memory; it is copied into the request only.
    pub async fn send_with(
        &self,
        method: Method,
        url: &Url,
        scheme: AuthScheme,
        token: &TokenSecret,
        extra_headers: &[(&'static str, &'static str)],
        json_body: Option<&[u8]>,
    ) -> Result<Response, TransportError> {
        let retries = if method.is_idempotent() {
            self.options.retries
        } else {
            0
        };
        if let Some(until) = self.holds.held_until(url, token, chrono::Utc::now()) {
            return Err(TransportError::RateLimited { until });
        }
        let mut attempt = 0;
        loop {
            let outcome = self
                .send_once(method.clone(), url, scheme, token, extra_headers, json_body)
                .await;
            if let Ok(response) = &outcome {
                let now = chrono::Utc::now();
                if let Some(until) = ratelimit::rate_limit_of(response, now) {
                    self.holds.hold(url, token, until, now);
                }
            }
            let transient = match &outcome {
                Ok(response) => response.status.is_server_error(),
                Err(TransportError::Connect(_)) => true,
                Err(_) => false,
            };
            if !transient || attempt >= retries {
                return outcome;
            }
            tokio::time::sleep(self.options.backoff * 2u32.pow(attempt)).await;
            attempt += 1;
        }
    }

    /// Leaves `url`'s host alone until `until`, as if it had answered with
    /// a rate limit saying so (for a provider's own way of saying "stop",
    /// such as GitLab's failed-authentication ban).
    pub(crate) fn hold(&self, url: &Url, until: chrono::DateTime<chrono::Utc>) {
        self.holds.hold_host(url, until, chrono::Utc::now());
    }

    pub async fn get(&self, url: &Url, token: &TokenSecret) -> Result<Response, TransportError> {
        self.send(Method::GET, url, token, &[]).await
    }

    async fn send_once(
        &self,
        method: Method,
        url: &Url,
        scheme: AuthScheme,
        token: &TokenSecret,
        extra_headers: &[(&'static str, &'static str)],
        json_body: Option<&[u8]>,
    ) -> Result<Response, TransportError> {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, authorization(scheme, token)?);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("Tokenwarden/", env!("CARGO_PKG_VERSION"))),
        );
        for (name, value) in extra_headers {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        let mut request = self.client.request(method, url.clone()).headers(headers);
        if let Some(body) = json_body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let mut response = request.send().await.map_err(|e| self.classify(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(&e))? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                body.zeroize();
                return Err(TransportError::BodyTooLarge);
            }
            append_zeroizing(&mut body, &chunk);
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    fn classify(&self, error: &reqwest::Error) -> TransportError {
        if error.is_timeout() {
            return TransportError::Timeout(self.options.timeout.as_secs().max(1));
        }
        // reqwest's errors say little on their own; the cause chain names
        // DNS, refused connections and certificate problems.
        let chain = error_chain(error);
        let lower = chain.to_ascii_lowercase();
        if lower.contains("unknownissuer") || lower.contains("unknown issuer") {
            return TransportError::Untrusted(
                "it was issued by a certificate authority this computer does not know".into(),
            );
        }
        if [
            "certificate",
            "tls",
            "handshake",
            "unknownissuer",
            "corrupt message",
        ]
        .iter()
        .any(|needle| lower.contains(needle))
        {
            TransportError::Tls(chain)
        } else {
            // Unresolvable, refused, or reset mid-answer: either way the
            // provider could not be reached, which is worth a retry. Say
            // which in plain words where the cause is recognisable.
            let plain = if lower.contains("dns error") || lower.contains("lookup address") {
                "the server name could not be found"
            } else if lower.contains("connection refused") {
                "nothing is listening at that address"
            } else if lower.contains("reset")
                || lower.contains("closed")
                || lower.contains("incomplete message")
            {
                "the connection closed before an answer"
            } else {
                return TransportError::Connect(chain);
            };
            TransportError::Connect(plain.to_owned())
        }
    }
}

/// The `Authorization` header for `token`, built in a zeroizing buffer of
/// its exact size (a `format!` would leave a copy of the token in freed
/// memory) and marked sensitive, so the HTTP stack never prints it.
fn authorization(scheme: AuthScheme, token: &TokenSecret) -> Result<HeaderValue, TransportError> {
    let word = scheme.word().as_bytes();
    let value = token.expose().as_bytes();
    let mut buffer = Zeroizing::new(Vec::with_capacity(word.len() + 1 + value.len()));
    buffer.extend_from_slice(word);
    buffer.push(b' ');
    buffer.extend_from_slice(value);
    let mut header = HeaderValue::from_bytes(&buffer).map_err(|_| {
        TransportError::Other(
            "the token contains characters that cannot be sent in an HTTP header".into(),
        )
    })?;
    header.set_sensitive(true);
    Ok(header)
}

/// Appends `chunk` to a body that may hold a secret (GitLab's rotation
/// answers with the new token): when it must grow, the old buffer is
/// zeroized rather than left for the allocator as `Vec`'s growth would.
fn append_zeroizing(body: &mut Vec<u8>, chunk: &[u8]) {
    let needed = body.len() + chunk.len();
    if needed > body.capacity() {
        let mut bigger = Vec::with_capacity(needed.max(body.capacity() * 2).max(4096));
        bigger.extend_from_slice(body);
        body.zeroize();
        *body = bigger;
    }
    body.extend_from_slice(chunk);
}

/// The error and its causes, without the URL (which is ours, not news to
/// the user) and never with a header value.
fn error_chain(error: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        source = e.source();
    }
    if parts.is_empty() {
        let text = error.to_string();
        parts.push(match error.url() {
            Some(url) => text.replace(&format!(" ({url})"), ""),
            None => text,
        });
    }
    parts.join(": ")
}

#[cfg(test)]
mod zeroizing_tests {
    use super::*;

    #[test]
    fn the_authorization_header_is_sensitive_and_exact() {
        let header = authorization(AuthScheme::Bearer, &TokenSecret::new("ghp_abc")).unwrap();
        assert!(header.is_sensitive());
        assert_eq!(header.as_bytes(), b"Bearer ghp_abc");
        assert!(format!("{header:?}").contains("Sensitive"));
        assert!(!format!("{header:?}").contains("ghp_abc"));
        assert!(authorization(AuthScheme::Bearer, &TokenSecret::new("bad\u{7}value")).is_err());
        // Qovery's machine tokens go under its own scheme, as sensitive.
        let qovery = authorization(AuthScheme::Token, &TokenSecret::new("qov_abc")).unwrap();
        assert!(qovery.is_sensitive());
        assert_eq!(qovery.as_bytes(), b"Token qov_abc");
    }

    #[test]
    fn a_growing_body_keeps_every_byte_in_order() {
        let mut body = Vec::new();
        let mut expected = Vec::new();
        for i in 0..3000u32 {
            let chunk = i.to_le_bytes();
            append_zeroizing(&mut body, &chunk);
            expected.extend_from_slice(&chunk);
        }
        assert_eq!(body, expected);
    }
}
