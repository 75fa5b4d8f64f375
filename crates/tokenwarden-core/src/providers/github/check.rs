//! Checking a GitHub or GitHub Enterprise Server token.
//!
//! Classic tokens: identity and scopes from `GET /user`, the scope
//! hierarchy applied, the organization and repository probed when named.
//! Fine-grained tokens (prefix `github_pat_`, no `X-OAuth-Scopes` header):
//! their permissions cannot be listed, so the named repository is probed;
//! write permissions a read cannot prove are reported as unverified.

use url::Url;

use super::{expiry_header, scopes};
use crate::check::CheckContext;
use crate::check::{CheckReport, CheckRequest, ExpirySource, Identity, ProblemCode, Response};
use crate::model::TokenKindId;
use crate::providers::Provider;
use crate::secret::TokenSecret;

const GITHUB: &str = "GitHub";

/// The classic scopes the product needs, in the order they are reported.
const CLASSIC_REQUIRED: &[&str] = &["repo", "admin:repo_hook"];
const CLASSIC_ORG_REQUIRED: &str = "read:org";

struct Links {
    web: Url,
}

impl Links {
    fn classic_tokens(&self) -> String {
        super::links::classic_tokens(&self.web).to_string()
    }
    fn fine_grained_tokens(&self) -> String {
        super::links::fine_grained_tokens(&self.web).to_string()
    }
}

pub(crate) async fn run(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
) {
    let links = Links {
        web: super::GitHub.web_base(&request.api_url),
    };
    let Some(user) = ctx.get(request, token, report, "/user").await else {
        return;
    };
    match user.status.as_u16() {
        200 => {}
        401 => {
            report.problem(
                ProblemCode::InvalidToken,
                format!(
                    "GitHub rejected the token: it is wrong, expired or revoked. Create a new one at {}.",
                    links.classic_tokens()
                ),
            );
            return;
        }
        _ => {
            report.unusable_answer(GITHUB, "GET /user", &user, ctx.now);
            return;
        }
    }
    let Some(login) = user
        .json::<serde_json::Value>()
        .and_then(|v| v["login"].as_str().map(str::to_owned))
    else {
        report.problem(
            ProblemCode::UnexpectedResponse,
            "GitHub's answer to GET /user had no login: is this address really a GitHub API?",
        );
        return;
    };
    report.authenticated = true;
    report.identity = Some(Identity {
        login: login.clone(),
    });

    let scope_header = user.header("x-oauth-scopes");
    let fine_grained = token.expose().starts_with("github_pat_") || scope_header.is_none();
    report.kind = Some(if fine_grained {
        TokenKindId::FineGrained
    } else {
        TokenKindId::Classic
    });

    let (expires_at, source) = match user.header("github-authentication-token-expiration") {
        None => (None, ExpirySource::Never),
        Some(value) => match expiry_header::parse(value) {
            Some(at) => (Some(at), ExpirySource::Provider),
            None => (None, ExpirySource::Unknown),
        },
    };
    let tokens_page = if fine_grained {
        links.fine_grained_tokens()
    } else {
        links.classic_tokens()
    };
    report.set_expiry(
        expires_at,
        source,
        ctx.now,
        &format!("Create its replacement at {tokens_page} and rotate it in Tokenwarden."),
    );

    if fine_grained {
        check_fine_grained(ctx, request, token, report, &links).await;
    } else {
        let granted = scopes::parse_header(scope_header.unwrap_or_default());
        check_classic(ctx, request, token, report, &links, &login, granted).await;
    }
}

async fn check_classic(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
    links: &Links,
    login: &str,
    granted: Vec<String>,
) {
    let mut required: Vec<&str> = CLASSIC_REQUIRED.to_vec();
    if request.org.is_some() {
        required.push(CLASSIC_ORG_REQUIRED);
    }
    for scope in required {
        if !scopes::satisfies(&granted, scope) {
            report.lacks(scope);
        }
    }
    report.scopes = Some(granted.clone());
    if !report.missing.is_empty() {
        report.problem(
            ProblemCode::MissingPermissions,
            format!(
                "The token lacks the scope{} {}. Edit it at {} and tick {}, or create a new one.",
                if report.missing.len() == 1 { "" } else { "s" },
                report.missing.join(", "),
                links.classic_tokens(),
                if report.missing.len() == 1 {
                    "it"
                } else {
                    "them"
                },
            ),
        );
    }
    if let Some(org) = &request.org {
        if !check_org(ctx, request, token, report, org).await {
            return;
        }
        if scopes::satisfies(&granted, CLASSIC_ORG_REQUIRED)
            && !check_membership(ctx, request, token, report, org, login).await
        {
            return;
        }
    }
    if let Some(repo) = &request.repo {
        check_repo_visible(ctx, request, token, report, repo, links, false).await;
    }
}

async fn check_fine_grained(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
    links: &Links,
) {
    if let Some(org) = &request.org {
        if !check_org(ctx, request, token, report, org).await {
            return;
        }
    }
    let Some(repo) = &request.repo else {
        report.unverified = [
            "contents:read",
            "pull_requests:write",
            "repository_hooks:write",
        ]
        .map(String::from)
        .to_vec();
        report.problem(
            ProblemCode::NotFound,
            "No repository was named: a fine-grained token's permissions can only be checked against a repository it was given (pass --repo OWNER/NAME).",
        );
        return;
    };
    if !check_repo_visible(ctx, request, token, report, repo, links, true).await {
        return;
    }
    // Each probe reads; a 200 proves read access, and the write half of a
    // read-and-write permission stays unverified.
    let probes: [(&str, &str, Option<&str>, &str); 3] = [
        (
            "/commits?per_page=1",
            "contents:read",
            None,
            "Contents: Read-only",
        ),
        (
            "/hooks",
            "repository_hooks:write",
            Some("repository_hooks:write"),
            "Webhooks: Read and write",
        ),
        (
            "/pulls?per_page=1",
            "pull_requests:write",
            Some("pull_requests:write"),
            "Pull requests: Read and write",
        ),
    ];
    let mut lacking = Vec::new();
    for (suffix, requirement, write_unproven, label) in probes {
        let path = format!("/repos/{repo}{suffix}");
        let Some(response) = ctx.get(request, token, report, &path).await else {
            return;
        };
        match response.status.as_u16() {
            200 => {
                if let Some(unproven) = write_unproven {
                    report.unverified.push(unproven.to_owned());
                }
            }
            403 | 404 => {
                if report.rate_limited(GITHUB, &response, ctx.now) || sso(report, &response) {
                    return;
                }
                report.lacks(requirement);
                lacking.push(label);
            }
            _ => {
                report.unexpected(GITHUB, &format!("GET {path}"), &response);
                return;
            }
        }
    }
    if !lacking.is_empty() {
        report.problem(
            ProblemCode::MissingPermissions,
            format!(
                "On {repo} the token lacks: {}. Edit it at {} (Repository permissions) or create a new one.",
                lacking.join("; "),
                links.fine_grained_tokens()
            ),
        );
    }
}

/// GET /orgs/{org}: the organization exists and the token may see it
/// (SAML SSO is enforced here). Returns false when the check must stop.
async fn check_org(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
    org: &str,
) -> bool {
    let path = format!("/orgs/{org}");
    let Some(response) = ctx.get(request, token, report, &path).await else {
        return false;
    };
    match response.status.as_u16() {
        200 => true,
        404 => {
            report.problem(
                ProblemCode::NotFound,
                format!("The organization {org} does not exist on this server, or the token cannot see it. Check its name."),
            );
            false
        }
        403 if sso(report, &response) => false,
        _ => {
            report.unusable_answer(GITHUB, &format!("GET {path}"), &response, ctx.now);
            false
        }
    }
}

/// The token's user must be an active member of the organization.
async fn check_membership(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
    org: &str,
    login: &str,
) -> bool {
    let path = format!("/orgs/{org}/memberships/{login}");
    let Some(response) = ctx.get(request, token, report, &path).await else {
        return false;
    };
    match response.status.as_u16() {
        200 => {
            let state = response
                .json::<serde_json::Value>()
                .and_then(|v| v["state"].as_str().map(str::to_owned));
            if state.as_deref() == Some("active") {
                return true;
            }
            report.problem(
                ProblemCode::NotFound,
                format!(
                    "{login}'s membership in {org} is {}: accept the invitation on GitHub first.",
                    state.as_deref().unwrap_or("not active")
                ),
            );
            false
        }
        404 => {
            report.problem(
                ProblemCode::NotFound,
                format!("{login} is not a member of the organization {org}. Use a token of an account that belongs to it (ideally a dedicated service account)."),
            );
            false
        }
        403 if sso(report, &response) => false,
        _ => {
            report.unusable_answer(GITHUB, &format!("GET {path}"), &response, ctx.now);
            false
        }
    }
}

/// GET /repos/{owner}/{repo}. Returns false when the check must stop.
async fn check_repo_visible(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
    repo: &str,
    links: &Links,
    fine_grained: bool,
) -> bool {
    let path = format!("/repos/{repo}");
    let Some(response) = ctx.get(request, token, report, &path).await else {
        return false;
    };
    match response.status.as_u16() {
        200 => true,
        403 if sso(report, &response) => false,
        403 if pending_approval(&response) => {
            let owner = repo.split('/').next().unwrap_or(repo);
            report.problem(
                ProblemCode::PendingApproval,
                format!("The token is waiting for the organization {owner} to approve it. Until an owner approves it (Organization settings → Personal access tokens → Pending requests), it can read only public resources."),
            );
            false
        }
        404 => {
            let fix = if fine_grained {
                format!(
                    "or the token was not given access to it: add it under Repository access at {}",
                    links.fine_grained_tokens()
                )
            } else {
                "or the token's account cannot see it".to_owned()
            };
            report.problem(
                ProblemCode::NotFound,
                format!("The repository {repo} does not exist, {fix}."),
            );
            false
        }
        _ => {
            report.unusable_answer(GITHUB, &format!("GET {path}"), &response, ctx.now);
            false
        }
    }
}

/// Records SAML SSO enforcement when the response carries `X-GitHub-SSO`.
fn sso(report: &mut CheckReport, response: &Response) -> bool {
    let Some(value) = response.header("x-github-sso") else {
        return false;
    };
    if !value.trim_start().starts_with("required") {
        return false;
    }
    let url = value
        .split(';')
        .find_map(|part| part.trim().strip_prefix("url="))
        .map(str::trim);
    let message = match url {
        Some(url) => format!("The organization enforces SAML single sign-on and the token is not authorized for it. Authorize it at {url}"),
        None => "The organization enforces SAML single sign-on and the token is not authorized for it. On GitHub: Settings → Personal access tokens → Configure SSO → Authorize.".to_owned(),
    };
    report.problem(ProblemCode::SsoRequired, message);
    true
}

/// A fine-grained token awaiting an organization's approval. GitHub's
/// exact answer is undocumented (PROVIDERS.md): match its message loosely.
fn pending_approval(response: &Response) -> bool {
    response
        .json::<serde_json::Value>()
        .and_then(|v| v["message"].as_str().map(str::to_ascii_lowercase))
        .is_some_and(|m| m.contains("pending") && m.contains("approv"))
}
