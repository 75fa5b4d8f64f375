//! GitLab's self-rotation (GitLab 16.10+, scope `api` or `self_rotate`):
//! `POST /personal_access_tokens/self/rotate`, and for project and group
//! access tokens `POST /projects/:id/access_tokens/self/rotate` and
//! `POST /groups/:id/access_tokens/self/rotate`. Each returns a new token
//! and revokes the one that asked. `expires_at` is always sent: without it
//! the new token gets one week (when expiry is required) or the instance's
//! maximum. Sent once, never retried: a repeated call would come from an
//! already revoked token.

use chrono::NaiveDate;
use reqwest::Method;
use zeroize::Zeroize;

use crate::check::address::join;
use crate::check::{CheckRequest, Http, Response};
use crate::model::TokenKindId;
use crate::providers::SelfRotateError;
use crate::secret::TokenSecret;

/// Scopes that allow a token to rotate itself.
pub fn may_self_rotate(scopes: &[String]) -> bool {
    scopes.iter().any(|s| s == "api" || s == "self_rotate")
}

/// The rotation endpoint for `request`'s token, and what that endpoint
/// rotates (for a 405's words).
pub fn endpoint(request: &CheckRequest) -> (String, &'static str) {
    let encode =
        |path: &str| -> String { url::form_urlencoded::byte_serialize(path.as_bytes()).collect() };
    match (request.kind, &request.project, &request.group) {
        (Some(TokenKindId::Project), Some(project), _) => (
            format!("/projects/{}/access_tokens/self/rotate", encode(project)),
            "project access token of that project",
        ),
        (Some(TokenKindId::Group), _, Some(group)) => (
            format!("/groups/{}/access_tokens/self/rotate", encode(group)),
            "group access token of that group",
        ),
        _ => (
            "/personal_access_tokens/self/rotate".to_owned(),
            "personal access token",
        ),
    }
}

/// Asks GitLab for a new value of `token`, to expire on `expires_at`; the
/// old one is revoked there.
pub async fn self_rotate(
    http: &Http,
    request: &CheckRequest,
    token: &TokenSecret,
    expires_at: NaiveDate,
) -> Result<TokenSecret, SelfRotateError> {
    let (path, what) = endpoint(request);
    let url = join(&request.api_url, &format!("{path}?expires_at={expires_at}"));
    let mut response = http
        .send(Method::POST, &url, token, &[])
        .await
        .map_err(|e| SelfRotateError::Unreachable(e.to_string()))?;
    let outcome = rotation_outcome(&response, what);
    // The answer's body holds the new token: not left in freed memory.
    response.body.zeroize();
    outcome
}

/// The one field of a successful answer read: straight into a
/// `TokenSecret`, never through a `serde_json::Value` (whose string would
/// be a copy nobody zeroizes).
#[derive(serde::Deserialize)]
struct Rotated {
    token: TokenSecret,
}

/// What GitLab's answer to a self-rotation means: the new value, or why
/// there is none. `what` names the kind the endpoint rotates.
pub fn rotation_outcome(
    response: &Response,
    what: &'static str,
) -> Result<TokenSecret, SelfRotateError> {
    match response.status.as_u16() {
        200 | 201 => response
            .json::<Rotated>()
            .map(|rotated| rotated.token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| SelfRotateError::Refused("its answer held no new token".into())),
        403 => Err(SelfRotateError::NotAllowed),
        404 => Err(SelfRotateError::Unsupported),
        // Not the kind of token this endpoint rotates (gitlabhq's
        // `not_allowed!`), not an old GitLab.
        405 => Err(SelfRotateError::WrongKind(what)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProviderKind;

    #[test]
    fn each_kind_rotates_at_its_own_endpoint() {
        let mut request = CheckRequest::new(
            ProviderKind::Gitlab,
            url::Url::parse("https://gitlab.com/api/v4").unwrap(),
        );
        assert_eq!(endpoint(&request).0, "/personal_access_tokens/self/rotate");
        request.kind = Some(TokenKindId::Project);
        request.project = Some("acme/web".into());
        assert_eq!(
            endpoint(&request).0,
            "/projects/acme%2Fweb/access_tokens/self/rotate"
        );
        request.kind = Some(TokenKindId::Group);
        request.group = Some("acme/sub".into());
        assert_eq!(
            endpoint(&request).0,
            "/groups/acme%2Fsub/access_tokens/self/rotate"
        );
    }
}
