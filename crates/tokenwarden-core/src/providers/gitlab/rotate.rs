//! GitLab's self-rotation: `POST /personal_access_tokens/self/rotate`
//! (GitLab 16.10+, scope `api` or `self_rotate`) returns a new token and
//! revokes the one that asked. Sent once, never retried: a repeated call
//! would come from an already revoked token.

use chrono::NaiveDate;
use reqwest::Method;
use url::Url;

use crate::check::address::join;
use crate::check::{Http, Response};
use crate::providers::SelfRotateError;
use crate::secret::TokenSecret;

/// Scopes that allow a token to rotate itself.
pub fn may_self_rotate(scopes: &[String]) -> bool {
    scopes.iter().any(|s| s == "api" || s == "self_rotate")
}

/// Asks GitLab for a new value of `token`; the old one is revoked there.
pub async fn self_rotate(
    http: &Http,
    api: &Url,
    token: &TokenSecret,
    expires_at: Option<NaiveDate>,
) -> Result<TokenSecret, SelfRotateError> {
    let path = match expires_at {
        Some(date) => format!("/personal_access_tokens/self/rotate?expires_at={date}"),
        None => "/personal_access_tokens/self/rotate".to_owned(),
    };
    let url = join(api, &path);
    let response = http
        .send(Method::POST, &url, token, &[])
        .await
        .map_err(|e| SelfRotateError::Unreachable(e.to_string()))?;
    rotation_outcome(&response)
}

/// What GitLab's answer to a self-rotation means: the new value, or why
/// there is none.
pub fn rotation_outcome(response: &Response) -> Result<TokenSecret, SelfRotateError> {
    match response.status.as_u16() {
        200 | 201 => response
            .json::<serde_json::Value>()
            .and_then(|v| v["token"].as_str().map(TokenSecret::new))
            .filter(|t| !t.is_empty())
            .ok_or_else(|| SelfRotateError::Refused("its answer held no new token".into())),
        403 => Err(SelfRotateError::NotAllowed),
        404 | 405 => Err(SelfRotateError::Unsupported),
        status => {
            let detail = response
                .json::<serde_json::Value>()
                .and_then(|v| {
                    v["error"]
                        .as_str()
                        .or(v["message"].as_str())
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| format!("HTTP {status}"));
            Err(SelfRotateError::Refused(detail))
        }
    }
}
