//! Qovery's API over the check toolkit's HTTP layer (timeouts, bounded
//! retries of idempotent calls, capped bodies, no redirects), with its
//! `Authorization: Token …` machine tokens. Endpoints and shapes:
//! `../shared/QOVERY.md`. The API token lives in a `TokenSecret` and is
//! never formatted; a value being pushed is serialized into zeroizing
//! memory.

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::{Method, StatusCode};
use secrecy::zeroize::Zeroizing;
use serde::{Deserialize, Serialize};
use url::Url;

use super::error::QoveryError;
use crate::check::address::{join, parse_user_url, trimmed_path, with_path};
use crate::check::{AuthScheme, Http, Response, TransportError};
use crate::model::ProviderKind;
use crate::providers;
use crate::secret::TokenSecret;

/// Qovery's public API.
pub const DEFAULT_API_URL: &str = "https://api.qovery.com";

/// Qovery's API base from what the user typed: https, or http on loopback
/// only (as for providers); never a credential or a token.
pub fn api_base(input: Option<&str>) -> Result<Url, QoveryError> {
    let input = input.unwrap_or(DEFAULT_API_URL);
    let url = parse_user_url(input, |text| {
        providers::contains_token(text) || text.contains("qov_")
    })?;
    let path = trimmed_path(&url);
    Ok(with_path(&url, &path))
}

/// `Organization`, as far as Tokenwarden reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct Organization {
    pub name: String,
}

/// `GitTokenResponse`: no value, ever.
#[derive(Debug, Clone, Deserialize)]
pub struct GitTokenResponse {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub expired_at: Option<NaiveDate>,
    #[serde(default)]
    pub workspace: Option<String>,
    #[serde(default)]
    pub associated_services_count: u32,
    #[serde(default)]
    pub git_api_url: Option<String>,
}

impl GitTokenResponse {
    /// The provider of Qovery's `type` (`GITHUB` → GitHub), if known.
    pub fn provider(&self) -> Option<ProviderKind> {
        providers::by_slug(&self.kind.to_ascii_lowercase()).map(|p| p.kind())
    }

    /// `expired_at` as an instant: midnight UTC of Qovery's date.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expired_at
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
    }
}

/// One of `getGitTokenAssociatedServices`' results.
#[derive(Debug, Clone, Deserialize)]
pub struct AssociatedService {
    pub project_name: String,
    pub environment_name: String,
    pub service_name: String,
    pub service_type: String,
}

#[derive(Deserialize)]
struct Results<T> {
    results: Vec<T>,
}

/// `GitTokenRequest`: the whole object on create and on edit.
#[derive(Serialize)]
pub struct GitTokenRequest<'a> {
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: String,
    pub token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git_api_url: Option<&'a str>,
}

/// Qovery's `type` for a provider (`GITHUB`).
pub fn qovery_type(provider: ProviderKind) -> String {
    providers::get(provider).slug().to_ascii_uppercase()
}

/// One organization's API, reached with its machine token.
pub struct Client<'a> {
    http: &'a Http,
    api: Url,
    api_token: &'a TokenSecret,
}

impl<'a> Client<'a> {
    pub fn new(http: &'a Http, api: Url, api_token: &'a TokenSecret) -> Self {
        Client {
            http,
            api,
            api_token,
        }
    }

    /// Sends one call; `value` is the token value the body carries, if
    /// any, so that an answer quoting it (or the API token) is never
    /// repeated to the user.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
        value: Option<&str>,
    ) -> Result<Response, QoveryError> {
        let url = join(&self.api, path);
        let response = self
            .http
            .send_with(method, &url, AuthScheme::Token, self.api_token, &[], body)
            .await
            .map_err(unreachable)?;
        let message = || {
            let secrets = [Some(self.api_token.expose()), value];
            scrub(&message_of(&response), secrets.into_iter().flatten())
        };
        if response.status.is_server_error() {
            return Err(QoveryError::Unreachable(format!(
                "Qovery answered HTTP {} ({})",
                response.status.as_u16(),
                message()
            )));
        }
        match response.status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(QoveryError::ApiTokenRefused {
                status: response.status.as_u16(),
                message: message(),
            }),
            StatusCode::BAD_REQUEST => Err(QoveryError::ValueRefused {
                status: 400,
                message: message(),
            }),
            // A rate limit says nothing about the token: try later.
            StatusCode::TOO_MANY_REQUESTS => Err(QoveryError::Unreachable(format!(
                "Qovery is limiting requests (HTTP 429: {})",
                message()
            ))),
            _ => Ok(response),
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(response: &Response) -> Result<T, QoveryError> {
        response.json().ok_or_else(|| {
            QoveryError::Unexpected(format!(
                "HTTP {} with a body that is not what its API describes",
                response.status.as_u16()
            ))
        })
    }

    /// `getOrganization`.
    pub async fn organization(&self, org: &str) -> Result<Organization, QoveryError> {
        let response = self
            .call(Method::GET, &format!("/organization/{org}"), None, None)
            .await?;
        if response.status == StatusCode::NOT_FOUND {
            return Err(QoveryError::UnknownOrganization(org.to_owned()));
        }
        Self::parse(&response)
    }

    /// `listOrganizationGitTokens`.
    pub async fn git_tokens(&self, org: &str) -> Result<Vec<GitTokenResponse>, QoveryError> {
        let response = self
            .call(
                Method::GET,
                &format!("/organization/{org}/gitToken"),
                None,
                None,
            )
            .await?;
        if response.status == StatusCode::NOT_FOUND {
            return Err(QoveryError::UnknownOrganization(org.to_owned()));
        }
        Ok(Self::parse::<Results<GitTokenResponse>>(&response)?.results)
    }

    /// `getOrganizationGitToken`.
    pub async fn git_token(&self, org: &str, id: &str) -> Result<GitTokenResponse, QoveryError> {
        let response = self
            .call(
                Method::GET,
                &format!("/organization/{org}/gitToken/{id}"),
                None,
                None,
            )
            .await?;
        if response.status == StatusCode::NOT_FOUND {
            return Err(unknown(org, id));
        }
        Self::parse(&response)
    }

    /// `getGitTokenAssociatedServices`.
    pub async fn associated_services(
        &self,
        org: &str,
        id: &str,
    ) -> Result<Vec<AssociatedService>, QoveryError> {
        let response = self
            .call(
                Method::GET,
                &format!("/organization/{org}/gitToken/{id}/associatedServices"),
                None,
                None,
            )
            .await?;
        if response.status == StatusCode::NOT_FOUND {
            return Err(unknown(org, id));
        }
        Ok(Self::parse::<Results<AssociatedService>>(&response)?.results)
    }

    /// `createGitToken` (201) or, with `id`, `editGitToken` (200).
    pub async fn save_git_token(
        &self,
        org: &str,
        id: Option<&str>,
        request: &GitTokenRequest<'_>,
    ) -> Result<GitTokenResponse, QoveryError> {
        // The body holds the value: zeroized once sent.
        let body = Zeroizing::new(
            serde_json::to_vec(request).map_err(|e| QoveryError::Unexpected(e.to_string()))?,
        );
        let (method, path) = match id {
            Some(id) => (Method::PUT, format!("/organization/{org}/gitToken/{id}")),
            None => (Method::POST, format!("/organization/{org}/gitToken")),
        };
        let response = self
            .call(method, &path, Some(&body), Some(request.token))
            .await?;
        if response.status == StatusCode::NOT_FOUND {
            return Err(match id {
                Some(id) => unknown(org, id),
                None => QoveryError::UnknownOrganization(org.to_owned()),
            });
        }
        if !response.status.is_success() {
            return Err(QoveryError::Unexpected(format!(
                "HTTP {} ({})",
                response.status.as_u16(),
                scrub(
                    &message_of(&response),
                    [self.api_token.expose(), request.token]
                )
            )));
        }
        Self::parse(&response)
    }
}

fn unknown(org: &str, id: &str) -> QoveryError {
    QoveryError::UnknownGitToken {
        org: org.to_owned(),
        id: id.to_owned(),
    }
}

fn unreachable(error: TransportError) -> QoveryError {
    QoveryError::Unreachable(error.to_string())
}

/// Qovery's words for a refusal: the `message` of a JSON body, else the
/// text (QOVERY.md: the spec describes no error body), else the status's
/// reason. Capped, so a proxy's HTML page does not flood a terminal.
pub(crate) fn message_of(response: &Response) -> String {
    #[derive(Deserialize)]
    struct WithMessage {
        message: String,
    }
    let text = match response.json::<WithMessage>() {
        Some(body) => body.message,
        None => String::from_utf8_lossy(&response.body).trim().to_owned(),
    };
    if text.is_empty() {
        return response
            .status
            .canonical_reason()
            .unwrap_or("no message")
            .to_owned();
    }
    text.chars().take(300).collect()
}

/// `text` with every non-empty secret in `secrets` replaced: a server that
/// echoes what it was sent must not make us print it.
fn scrub<'s>(text: &str, secrets: impl IntoIterator<Item = &'s str>) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        if !secret.is_empty() {
            out = out.replace(secret, "[redacted]");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Response {
        Response {
            status: StatusCode::from_u16(status).unwrap(),
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_refusal_shows_qoverys_message_or_its_text_or_the_reason() {
        let json = answer(
            400,
            r#"{"status":400,"message":"Token cannot list repositories"}"#,
        );
        assert_eq!(message_of(&json), "Token cannot list repositories");
        assert_eq!(
            message_of(&answer(403, "Forbidden by policy\n")),
            "Forbidden by policy"
        );
        assert_eq!(message_of(&answer(401, "")), "Unauthorized");
        assert_eq!(message_of(&answer(502, &"x".repeat(5000))).len(), 300);
    }

    #[test]
    fn an_echoed_secret_is_never_repeated() {
        let text = "bad token ghp_abc for key qov_123";
        assert_eq!(
            scrub(text, ["ghp_abc", "qov_123", ""]),
            "bad token [redacted] for key [redacted]"
        );
    }

    #[test]
    fn the_api_address_is_https_or_loopback_and_defaults_to_qoverys() {
        assert_eq!(api_base(None).unwrap().as_str(), "https://api.qovery.com/");
        assert!(api_base(Some("http://127.0.0.1:8080")).is_ok());
        assert!(api_base(Some("http://api.qovery.com")).is_err());
        assert!(api_base(Some("https://user:pw@api.qovery.com")).is_err());
        assert!(matches!(
            api_base(Some("qov_abcdef0123456789")),
            Err(QoveryError::Address(_))
        ));
    }

    #[test]
    fn qoverys_types_are_the_providers_slugs_upper_cased() {
        for provider in providers::all() {
            let kind = qovery_type(provider.kind());
            let token = GitTokenResponse {
                id: "id".into(),
                name: "n".into(),
                description: None,
                kind,
                expired_at: NaiveDate::from_ymd_opt(2027, 1, 31),
                workspace: None,
                associated_services_count: 0,
                git_api_url: None,
            };
            assert_eq!(token.provider(), Some(provider.kind()));
            assert_eq!(
                token.expires_at().unwrap().to_rfc3339(),
                "2027-01-31T00:00:00+00:00"
            );
        }
    }
}
