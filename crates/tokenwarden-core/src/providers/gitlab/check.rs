//! Checking a GitLab or self-managed GitLab token.
//!
//! `GET /personal_access_tokens/self` (GitLab 15.5+) gives scopes, state
//! and expiry (a date: the token stops at 00:00 UTC that day); `GET /user`
//! gives the identity (a bot user for project and group tokens), whose
//! role on the named project or group must be Maintainer (40) or Owner (50).

use crate::check::start_of_day_utc;
use crate::check::CheckContext;
use crate::check::{CheckReport, CheckRequest, ExpirySource, Identity, ProblemCode, Response};
use crate::model::TokenKindId;
use crate::providers::Provider;
use crate::secret::TokenSecret;
use serde::Deserialize;

const GITLAB: &str = "GitLab";
const REQUIRED_SCOPES: &[&str] = &["api", "read_repository"];
const MAINTAINER: u64 = 40;

#[derive(Deserialize)]
struct SelfToken {
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default = "yes")]
    active: bool,
    #[serde(default)]
    revoked: bool,
    expires_at: Option<chrono::NaiveDate>,
    user_id: Option<u64>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct User {
    id: u64,
    username: String,
}

/// Scopes that contain another (GitLab's scope list).
fn satisfies(granted: &[String], required: &str) -> bool {
    let has = |s: &str| granted.iter().any(|g| g == s);
    has(required)
        || match required {
            "read_api" => has("api"),
            "read_repository" => has("write_repository"),
            _ => false,
        }
}

fn role_name(level: u64) -> &'static str {
    match level {
        0 => "no access",
        5 => "Minimal access",
        10 => "Guest",
        15 => "Planner",
        20 => "Reporter",
        30 => "Developer",
        40 => "Maintainer",
        50 => "Owner",
        _ => "an unknown role",
    }
}

fn encode(path: &str) -> String {
    url::form_urlencoded::byte_serialize(path.as_bytes()).collect()
}

pub(crate) async fn run(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
) {
    let kind = request
        .kind
        .unwrap_or(match (&request.project, &request.group) {
            (Some(_), _) => TokenKindId::Project,
            (None, Some(_)) => TokenKindId::Group,
            _ => TokenKindId::Personal,
        });
    report.kind = Some(kind);
    let web = super::GitLab.web_base(&request.api_url);
    let page = super::links::tokens_page(
        &web,
        kind,
        request.project.as_deref(),
        request.group.as_deref(),
    )
    .to_string();

    let Some(response) = ctx
        .get(request, token, report, "/personal_access_tokens/self")
        .await
    else {
        return;
    };
    if banned(ctx, request, report, &response) {
        return;
    }
    let mut user_id = None;
    let mut scopes = None;
    match response.status.as_u16() {
        200 => {
            let Some(info) = response.json::<SelfToken>() else {
                report.problem(
                    ProblemCode::UnexpectedResponse,
                    "GitLab's description of the token could not be read: is this address really a GitLab API?",
                );
                return;
            };
            let expires_at = info.expires_at.map(start_of_day_utc);
            if info.revoked {
                report.problem(
                    ProblemCode::InvalidToken,
                    format!("The token was revoked. Create a new one at {page}."),
                );
                return;
            }
            if !info.active && expires_at.is_none_or(|at| at > ctx.now) {
                report.problem(
                    ProblemCode::InvalidToken,
                    format!(
                        "GitLab says the token is no longer active. Create a new one at {page}."
                    ),
                );
                return;
            }
            report.authenticated = true;
            report.set_expiry(
                expires_at,
                if expires_at.is_some() {
                    ExpirySource::Provider
                } else {
                    ExpirySource::Never
                },
                ctx.now,
                &format!("Create its replacement at {page} and rotate it in Tokenwarden."),
            );
            user_id = info.user_id;
            scopes = Some(info.scopes);
        }
        401 => {
            invalid(report, &response, &page);
            return;
        }
        // GitLab before 15.5 has no self endpoint: carry on without the
        // token's scopes and expiry.
        404 => {}
        _ => {
            report.unusable_answer(
                GITLAB,
                "GET /personal_access_tokens/self",
                &response,
                ctx.now,
            );
            return;
        }
    }

    let Some(response) = ctx.get(request, token, report, "/user").await else {
        return;
    };
    if banned(ctx, request, report, &response) {
        return;
    }
    match response.status.as_u16() {
        200 => {
            if let Some(user) = response.json::<User>() {
                report.authenticated = true;
                user_id = Some(user.id);
                report.identity = Some(Identity {
                    login: user.username,
                });
            }
        }
        401 => {
            invalid(report, &response, &page);
            return;
        }
        // A token without a user-reading scope cannot see itself; its
        // scopes (reported below) already say what is missing.
        403 => {}
        _ => {
            report.unusable_answer(GITLAB, "GET /user", &response, ctx.now);
            return;
        }
    }
    if !report.authenticated {
        report.problem(
            ProblemCode::UnexpectedResponse,
            "GitLab accepted the token but said nothing about it: is this address really a GitLab API?",
        );
        return;
    }

    if let Some(granted) = &scopes {
        for scope in REQUIRED_SCOPES {
            if !satisfies(granted, scope) {
                report.lacks(*scope);
            }
        }
        if !report.missing.is_empty() {
            report.problem(
                ProblemCode::MissingPermissions,
                format!(
                    "The token lacks the scope{} {}. GitLab cannot add scopes to a token: create a new one at {page} with api and read_repository.",
                    if report.missing.len() == 1 { "" } else { "s" },
                    report.missing.join(", "),
                ),
            );
        }
    } else {
        report
            .unverified
            .extend(REQUIRED_SCOPES.iter().map(|s| s.to_string()));
    }
    report.scopes = scopes;

    match kind {
        TokenKindId::Project | TokenKindId::Group => {
            check_role(ctx, request, token, report, kind, user_id, &page).await
        }
        _ => {}
    }
}

/// How long GitLab bans an address after too many failed authentications.
const BAN: chrono::Duration = chrono::Duration::hours(1);

/// GitLab's failed-authentication ban (Rack::Attack): after too many
/// failed authentications from one address, every request from it answers
/// 403 with the plain text "Forbidden" and no headers, for up to an hour
/// (GitLab docs, "Abuse and failed authentication bans"). Its API's own
/// 403s are JSON. The host is then left alone for that hour, by every
/// check sharing the client, instead of being hammered.
fn banned(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    report: &mut CheckReport,
    response: &Response,
) -> bool {
    let plain_forbidden = response.status.as_u16() == 403
        && String::from_utf8_lossy(&response.body).trim() == "Forbidden";
    if !plain_forbidden {
        return false;
    }
    let until = ctx.now + BAN;
    ctx.hold(request, until);
    report.problem(
        ProblemCode::RateLimited,
        format!(
            "GitLab is refusing every request from this computer's address (403 Forbidden): after too many failed sign-ins from one address it blocks that address for up to an hour. Tokenwarden will not ask it again before {}. This says nothing about this token.",
            until.format("%H:%M UTC")
        ),
    );
    true
}

/// A 401: GitLab's body says whether the token expired or was revoked.
fn invalid(report: &mut CheckReport, response: &Response, page: &str) {
    let detail = response
        .json::<serde_json::Value>()
        .map(|v| {
            format!(
                "{} {}",
                v["error_description"].as_str().unwrap_or_default(),
                v["message"].as_str().unwrap_or_default()
            )
            .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if detail.contains("expired") {
        report.problem(
            ProblemCode::Expired,
            format!(
                "The token has expired. Create a new one at {page} and rotate it in Tokenwarden."
            ),
        );
    } else if detail.contains("revoked") {
        report.problem(
            ProblemCode::InvalidToken,
            format!("The token was revoked. Create a new one at {page}."),
        );
    } else {
        report.problem(
            ProblemCode::InvalidToken,
            format!("GitLab rejected the token: it is wrong, expired or revoked. Create a new one at {page}."),
        );
    }
}

async fn check_role(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
    kind: TokenKindId,
    user_id: Option<u64>,
    page: &str,
) {
    let (noun, collection, target) = match kind {
        TokenKindId::Project => ("project", "projects", &request.project),
        _ => ("group", "groups", &request.group),
    };
    let Some(target) = target else {
        report.unverified.push("role:maintainer".into());
        report.problem(
            ProblemCode::NotFound,
            format!("No {noun} was named: a {noun} access token's role can only be checked on its {noun} (pass --{noun} PATH)."),
        );
        return;
    };
    let Some(user_id) = user_id else {
        report.unverified.push("role:maintainer".into());
        return;
    };
    let path = format!("/{collection}/{}/members/all/{user_id}", encode(target));
    let Some(response) = ctx.get(request, token, report, &path).await else {
        return;
    };
    match response.status.as_u16() {
        200 => {
            let level = response
                .json::<serde_json::Value>()
                .and_then(|v| v["access_level"].as_u64())
                .unwrap_or(0);
            if level < MAINTAINER {
                report.lacks("role:maintainer");
                report.problem(
                    ProblemCode::InsufficientRole,
                    format!(
                        "The token's user has the {} role ({level}) on {target}; it needs Maintainer (40) or Owner (50). A token's role cannot be changed: create a new {noun} access token with the Maintainer role at {page}.",
                        role_name(level)
                    ),
                );
            }
        }
        404 => {
            let message = response
                .json::<serde_json::Value>()
                .and_then(|v| v["message"].as_str().map(str::to_ascii_lowercase))
                .unwrap_or_default();
            if message.contains("project not found") || message.contains("group not found") {
                report.problem(
                    ProblemCode::NotFound,
                    format!("The {noun} {target} does not exist, or the token cannot see it. Check its path."),
                );
            } else {
                report.lacks("role:maintainer");
                report.problem(
                    ProblemCode::InsufficientRole,
                    format!("The token's user is not a member of {target}. Create the token from the {noun} itself, with the Maintainer role, at {page}."),
                );
            }
        }
        // Without a scope that reads members, the role cannot be seen.
        403 => report.unverified.push("role:maintainer".into()),
        _ => {
            report.unusable_answer(GITLAB, &format!("GET {path}"), &response, ctx.now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_containment_follows_gitlab() {
        let g = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(satisfies(&g(&["api"]), "api"));
        assert!(satisfies(&g(&["api"]), "read_api"));
        assert!(!satisfies(&g(&["read_api"]), "api"));
        assert!(satisfies(&g(&["write_repository"]), "read_repository"));
        assert!(!satisfies(&g(&["api"]), "read_repository"));
    }

    #[test]
    fn encodes_paths_as_one_segment() {
        assert_eq!(encode("group/sub/project"), "group%2Fsub%2Fproject");
    }
}
