//! Checking a Bitbucket Cloud repository or workspace access token.
//!
//! Access tokens act as themselves (no `/user`): the check reads the named
//! repository or workspace, takes the granted scopes from `x-oauth-scopes`,
//! and the expiry from the user, since no API exposes it.

use crate::check::start_of_day_utc;
use crate::check::CheckContext;
use crate::check::{CheckReport, CheckRequest, ExpirySource, ProblemCode};
use crate::model::TokenKindId;
use crate::secret::TokenSecret;

const BITBUCKET: &str = "Bitbucket";
const REQUIRED: &[&str] = &["repository", "pullrequest:write", "webhook"];

/// Bitbucket's scope implications, as Atlassian documents them (Bitbucket
/// Cloud REST API scopes): `repository:write` and `pullrequest` imply
/// `repository`; `pullrequest:write` implies `pullrequest` (so
/// `repository`); `repository:admin` implies neither `repository` nor
/// `repository:write`; `webhook` implies nothing else.
fn satisfies(granted: &[String], required: &str) -> bool {
    let has = |s: &str| granted.iter().any(|g| g == s);
    has(required)
        || match required {
            "repository" => {
                has("repository:write") || has("pullrequest") || has("pullrequest:write")
            }
            "pullrequest" => has("pullrequest:write"),
            _ => false,
        }
}

/// Parses the scopes Bitbucket lists in `x-oauth-scopes` (commas or spaces).
pub fn parse_scopes(value: &str) -> Vec<String> {
    value
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(crate) async fn run(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
) {
    let kind = request.kind.unwrap_or(if request.repo.is_some() {
        TokenKindId::Repository
    } else {
        TokenKindId::Workspace
    });
    report.kind = Some(kind);
    let web = crate::providers::Provider::web_base(&super::Bitbucket, &request.api_url);

    let Some(workspace) = &request.workspace else {
        report.problem(
            ProblemCode::NotFound,
            "No workspace was named: Bitbucket access tokens are checked against their workspace (pass --workspace NAME).",
        );
        return;
    };
    let page =
        super::links::tokens_page(&web, kind, workspace, request.repo.as_deref()).to_string();
    let (path, what) = match (kind, &request.repo) {
        (TokenKindId::Repository, Some(repo)) => (
            format!("/repositories/{workspace}/{repo}"),
            format!("the repository {workspace}/{repo}"),
        ),
        (TokenKindId::Repository, None) => {
            report.problem(
                ProblemCode::NotFound,
                "No repository was named: a repository access token is checked against its repository (pass --repo SLUG).",
            );
            return;
        }
        _ => (
            format!("/workspaces/{workspace}"),
            format!("the workspace {workspace}"),
        ),
    };

    match request.user_expires_at {
        Some(date) => report.set_expiry(
            Some(start_of_day_utc(date)),
            ExpirySource::User,
            ctx.now,
            &format!("Create its replacement at {page} and rotate it in Tokenwarden."),
        ),
        None => report.set_expiry(None, ExpirySource::Unknown, ctx.now, ""),
    }

    let Some(response) = ctx.get(request, token, report, &path).await else {
        return;
    };
    match response.status.as_u16() {
        200 | 403 => {}
        401 => {
            report.problem(
                ProblemCode::InvalidToken,
                format!("Bitbucket rejected the token: it is wrong, expired or revoked. Create a new one at {page}."),
            );
            return;
        }
        // Bitbucket answers 404 for what a valid token cannot see.
        404 => {
            report.authenticated = true;
            report.problem(
                ProblemCode::NotFound,
                format!("Bitbucket cannot find {what} for this token: check the names, and that the token was created for it."),
            );
            return;
        }
        _ => {
            report.unusable_answer(BITBUCKET, &format!("GET {path}"), &response, ctx.now);
            return;
        }
    }
    if response.status.as_u16() == 403 && report.rate_limited(BITBUCKET, &response, ctx.now) {
        return;
    }
    report.authenticated = true;
    if request.user_expires_at.is_none() {
        report.problem(
            ProblemCode::ExpiryUnknown,
            "Bitbucket never reports a token's expiry, and none was entered. Access tokens expire by default (at most a year, unless a workspace admin allows none): enter the date Bitbucket showed when it created the token (--expires-at YYYY-MM-DD, or the expiry date when saving), so Tokenwarden can warn before it stops working.",
        );
    }
    let granted = response
        .header("x-oauth-scopes")
        .map(parse_scopes)
        .or_else(|| {
            // A 403 for missing scopes lists what was granted in its body.
            response.json::<serde_json::Value>().and_then(|v| {
                v["error"]["detail"]["granted"].as_array().map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
            })
        });
    let refused = response.status.as_u16() == 403;
    let may_not_read = |report: &mut CheckReport| {
        report.problem(
            ProblemCode::NotFound,
            format!("The token may not read {what}. A repository access token cannot read its workspace: check the token's kind."),
        );
    };
    if refused && granted.is_none() {
        may_not_read(report);
        return;
    }
    // Without `x-oauth-scopes` the scopes are unknown: the requirements are
    // unverified, never missing.
    let Some(granted) = granted else {
        report
            .unverified
            .extend(REQUIRED.iter().map(|s| s.to_string()));
        return;
    };
    for scope in REQUIRED {
        if !satisfies(&granted, scope) {
            report.lacks(*scope);
        }
    }
    report.scopes = Some(granted);
    // A refusal that no missing scope explains: the token holds every
    // scope, yet may not read what it was checked against (Bitbucket lists
    // the scopes on its 403 too).
    if refused && report.missing.is_empty() {
        may_not_read(report);
        return;
    }
    if !report.missing.is_empty() {
        report.problem(
            ProblemCode::MissingPermissions,
            format!(
                "The token lacks the scope{} {}. Bitbucket cannot change a token's scopes: create a new one at {page} with Repositories: Read, Pull requests: Read and write, Webhooks: Read and write.",
                if report.missing.len() == 1 { "" } else { "s" },
                report.missing.join(", "),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broader_scopes_meet_narrower_requirements() {
        let g = |s: &str| parse_scopes(s);
        assert!(satisfies(&g("repository:write, webhook"), "repository"));
        assert!(!satisfies(&g("pullrequest"), "pullrequest:write"));
        assert!(satisfies(&g("pullrequest:write"), "pullrequest"));
        assert!(!satisfies(&g("repository"), "webhook"));
    }

    #[test]
    fn scope_implications_follow_atlassian() {
        let g = |s: &str| parse_scopes(s);
        assert!(!satisfies(&g("repository:admin"), "repository"));
        assert!(!satisfies(&g("repository:admin"), "repository:write"));
        assert!(satisfies(&g("pullrequest"), "repository"));
        assert!(satisfies(&g("pullrequest:write"), "repository"));
        assert!(!satisfies(&g("webhook"), "repository"));
        assert!(!satisfies(&g("repository:admin, pullrequest"), "webhook"));
    }

    #[test]
    fn parses_scope_headers_with_commas_or_spaces() {
        assert_eq!(
            parse_scopes("repository, pullrequest:write,webhook"),
            ["repository", "pullrequest:write", "webhook"]
        );
        assert_eq!(
            parse_scopes("repository webhook"),
            ["repository", "webhook"]
        );
    }
}
