//! What the fuzz targets share: the text format of a scripted exchange
//! with a provider (`provider_answers`), and what counts as a secret.
//!
//! The inputs are text rather than `arbitrary`-derived structures so that
//! the seeds under `fuzz/seeds/` are real answers anyone can read and
//! extend, and libFuzzer's byte mutations still mostly yield valid scripts.

use chrono::{DateTime, NaiveDate, Utc};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use tokenwarden_core::check::{CheckRequest, Response, TransportError};
use tokenwarden_core::providers::provider_of_token;
use tokenwarden_core::{ProviderKind, TokenKindId, TokenSecret};
use url::Url;

/// A check's request, the token, the clock, and the provider's answers in
/// the order the check will ask for them.
///
/// ```text
/// provider: github              (github | gitlab | bitbucket)
/// kind: classic                 (optional; any token kind)
/// api: https://ghe.example.com/api/v3   (optional; taken as is, even http://)
/// org: acme                     (also repo, project, group, workspace)
/// expires: 2026-12-31           (the date a user typed, optional)
/// now: 2026-11-23T12:00:00Z     (optional)
/// token: ghp_...                (optional; a realistic one per provider)
/// ---
/// HTTP 200                      (or: ERROR timeout|connect|tls|too-large|other)
/// x-oauth-scopes: repo, admin:repo_hook
///
/// {"login": "octocat"}
/// ---
/// HTTP 404
/// ...
/// ```
///
/// Sections are separated by lines holding exactly `---`. In an answer,
/// header lines run to the first empty line; the rest is the body, byte
/// for byte. Lines that do not parse are ignored, never fatal.
pub struct Script {
    pub request: CheckRequest,
    pub token: TokenSecret,
    pub now: DateTime<Utc>,
    pub answers: Vec<Answer>,
    /// Everything the provider or the user said, to tell an echo of the
    /// token they supplied from a leak.
    pub outside_text: Vec<u8>,
}

pub enum Answer {
    Response(Response),
    Failure(TransportError),
}

impl Answer {
    /// An answer that says nothing about the token: a transport failure, a
    /// 5xx or a rate limit.
    pub fn could_not_check(&self) -> bool {
        match self {
            Answer::Failure(_) => true,
            Answer::Response(r) => r.status.is_server_error() || r.status.as_u16() == 429,
        }
    }

    pub fn is_success(&self) -> bool {
        matches!(self, Answer::Response(r) if r.status.is_success())
    }
}

/// Realistic tokens, one per provider (never real ones).
pub const GITHUB_TOKEN: &str = "ghp_R4nd0mL00k1ngF4k3T0k3nF0rFuzz1ng0001";
pub const GITLAB_TOKEN: &str = "glpat-Fuzz1ngF4k3T0k3n0001";
pub const BITBUCKET_TOKEN: &str = "ATCTT3xFfGN0Fuzz1ngF4k3T0k3nV4lu3F0rT3st1ng0001";

/// The moment checks run at unless the script says otherwise.
pub fn default_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
        .expect("a valid instant")
        .with_timezone(&Utc)
}

fn split_sections(data: &[u8]) -> Vec<&[u8]> {
    let mut sections = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 5 <= data.len() {
        if &data[i..i + 5] == b"\n---\n" {
            sections.push(&data[start..i]);
            start = i + 5;
            i = start;
        } else {
            i += 1;
        }
    }
    sections.push(&data[start..]);
    sections
}

fn parse_request(text: &str) -> (CheckRequest, Option<TokenSecret>, DateTime<Utc>) {
    let fields: Vec<(&str, &str)> = text
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    let field = |name: &str| fields.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    let provider = match field("provider") {
        Some("gitlab") => ProviderKind::Gitlab,
        Some("bitbucket") => ProviderKind::Bitbucket,
        _ => ProviderKind::Github,
    };
    let api = field("api")
        .and_then(|a| Url::parse(a).ok())
        .unwrap_or_else(|| tokenwarden_core::endpoint::default_api_base(provider));
    let mut request = CheckRequest::new(provider, api);
    request.kind = field("kind").and_then(|k| match k {
        "classic" => Some(TokenKindId::Classic),
        "fine-grained" => Some(TokenKindId::FineGrained),
        "personal" => Some(TokenKindId::Personal),
        "project" => Some(TokenKindId::Project),
        "group" => Some(TokenKindId::Group),
        "repository" => Some(TokenKindId::Repository),
        "workspace" => Some(TokenKindId::Workspace),
        _ => None,
    });
    let owned = |name| field(name).map(str::to_owned);
    request.org = owned("org");
    request.repo = owned("repo");
    request.project = owned("project");
    request.group = owned("group");
    request.workspace = owned("workspace");
    request.user_expires_at = field("expires").and_then(|d| d.parse::<NaiveDate>().ok());
    let now = field("now")
        .and_then(|n| DateTime::parse_from_rfc3339(n).ok())
        .map(|n| n.with_timezone(&Utc))
        .unwrap_or_else(default_now);
    let token = field("token").map(TokenSecret::new);
    (request, token, now)
}

fn parse_answer(section: &[u8]) -> Option<Answer> {
    let (first, rest) = match section.iter().position(|b| *b == b'\n') {
        Some(i) => (&section[..i], &section[i + 1..]),
        None => (section, &[][..]),
    };
    let first = std::str::from_utf8(first).ok()?.trim();
    if let Some(kind) = first.strip_prefix("ERROR ") {
        return Some(Answer::Failure(match kind.trim() {
            "timeout" => TransportError::Timeout(10),
            "connect" => TransportError::Connect("nothing is listening at that address".into()),
            "tls" => TransportError::Tls("invalid peer certificate: UnknownIssuer".into()),
            "too-large" => TransportError::BodyTooLarge,
            other => TransportError::Other(other.to_owned()),
        }));
    }
    let status = first.strip_prefix("HTTP ")?.trim().parse::<u16>().ok()?;
    let status = StatusCode::from_u16(status).ok()?;
    let mut headers = HeaderMap::new();
    let mut remaining = rest;
    loop {
        let (line, after) = match remaining.iter().position(|b| *b == b'\n') {
            Some(i) => (&remaining[..i], &remaining[i + 1..]),
            None => (remaining, &[][..]),
        };
        remaining = after;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if let Some(colon) = line.iter().position(|b| *b == b':') {
            let name = HeaderName::from_bytes(line[..colon].trim_ascii());
            let value = HeaderValue::from_bytes(line[colon + 1..].trim_ascii());
            if let (Ok(name), Ok(value)) = (name, value) {
                headers.append(name, value);
            }
        }
        if remaining.is_empty() {
            break;
        }
    }
    Some(Answer::Response(Response {
        status,
        headers,
        body: remaining.to_vec(),
    }))
}

impl Script {
    /// Parses a script; `None` only when the input is no script at all.
    pub fn parse(data: &[u8]) -> Option<Script> {
        let sections = split_sections(data);
        let head = std::str::from_utf8(sections[0]).ok()?;
        let (request, token, now) = parse_request(head);
        let token = token.unwrap_or_else(|| {
            TokenSecret::new(match request.provider {
                ProviderKind::Github => GITHUB_TOKEN,
                ProviderKind::Gitlab => GITLAB_TOKEN,
                ProviderKind::Bitbucket => BITBUCKET_TOKEN,
            })
        });
        let answers = sections[1..]
            .iter()
            .filter_map(|s| parse_answer(s))
            .collect();
        let mut outside_text = sections[1..].concat();
        // The request's own fields (an org named like the token, say) are
        // the user's words: echoing them is not leaking the token.
        for field in [
            &request.org,
            &request.repo,
            &request.project,
            &request.group,
            &request.workspace,
        ]
        .into_iter()
        .flatten()
        {
            outside_text.extend_from_slice(field.as_bytes());
        }
        outside_text.extend_from_slice(request.api_url.as_str().as_bytes());
        Some(Script {
            request,
            token,
            now,
            answers,
            outside_text,
        })
    }
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The runs of token characters in `text` that look like a provider's
/// token: a known prefix (`ghp_`, `glpat-`, `ATCTT`, ...) and at least 16
/// characters in all, as every real token has. An error message that
/// quotes what the user typed must never quote one of these.
pub fn token_like_runs(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|run| run.len() >= 16 && provider_of_token(run).is_some())
        .collect()
}

/// Panics when `message` quotes any token-like run of `input` (in any
/// letter case: URL parsing lower-cases host names).
pub fn assert_no_token_echo(input: &str, message: &str, what: &str) {
    let lower = message.to_ascii_lowercase();
    for run in token_like_runs(input) {
        assert!(
            !lower.contains(&run.to_ascii_lowercase()),
            "{what} quotes the token-like {run:?}: {message}"
        );
    }
}
