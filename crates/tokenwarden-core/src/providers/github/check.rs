//! Checking a GitHub or GitHub Enterprise Server token.
//!
//! Classic tokens: identity and scopes from `GET /user`, the scope
//! hierarchy applied, the organization and repository probed when named.
//! Fine-grained tokens (prefix `github_pat_`, no `X-OAuth-Scopes` header):
//! their permissions cannot be listed, so the named repository is probed;
//! write permissions a read cannot prove are reported as unverified, and so
//! is anything a read proves on a public repository (public resources need
//! no permission). GitHub's real answers (PROVIDERS.md, "Real behaviours"):
//! 409 on an empty repository's commits, secondary rate limits on 403/429,
//! `X-Accepted-GitHub-Permissions` on permission gaps, organizations that
//! forbid classic tokens, 404 for a token awaiting an organization's
//! approval, 403 on webhooks for a user who is not a repository admin.

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
        check_fine_grained(ctx, request, token, report, &links, &login).await;
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
        if !check_org(ctx, request, token, report, links, org).await {
            return;
        }
        if scopes::satisfies(&granted, CLASSIC_ORG_REQUIRED)
            && !check_membership(ctx, request, token, report, links, org, login).await
        {
            return;
        }
    }
    if let Some(repo) = &request.repo {
        let visible = check_repo_visible(ctx, request, token, report, repo, links, None).await;
        if visible.is_some() && scopes::satisfies(&granted, "admin:repo_hook") {
            check_classic_hooks(ctx, request, token, report, repo, links).await;
        }
    }
}

/// GET /repos/{owner}/{repo}/hooks with a classic token that has the hook
/// scope: GitHub shows a repository's webhooks to its admins only, so a
/// 403 here says the account is not an admin (or, GitHub's answers being
/// terse, that the token lacks the scope after all): both are said.
async fn check_classic_hooks(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
    repo: &str,
    links: &Links,
) {
    let path = format!("/repos/{repo}/hooks");
    let owner = repo.split('/').next().unwrap_or(repo);
    let Some(response) = ctx.get(request, token, report, &path).await else {
        return;
    };
    match response.status.as_u16() {
        200 => {}
        403 if report.rate_limited(GITHUB, &response, ctx.now)
            || sso(report, &response)
            || classic_forbidden(report, &response, owner, links) => {}
        403 => report.problem(
            ProblemCode::InsufficientRole,
            format!(
                "GitHub refused the webhooks of {repo}: the token's account is not an admin of the repository (ask an owner to make it one), or the token lacks admin:repo_hook (edit it at {}). Deployments need to manage webhooks.",
                links.classic_tokens()
            ),
        ),
        _ => report.unusable_answer(GITHUB, &format!("GET {path}"), &response, ctx.now),
    }
}

async fn check_fine_grained(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
    links: &Links,
    login: &str,
) {
    if let Some(org) = &request.org {
        if !check_org(ctx, request, token, report, links, org).await {
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
    let Some(visible) =
        check_repo_visible(ctx, request, token, report, repo, links, Some(login)).await
    else {
        return;
    };
    // Each probe reads; a 200 proves read access on a private repository,
    // and the write half of a read-and-write permission stays unverified.
    // On a public repository reads need no permission: a 200 from a probe
    // anyone may call proves nothing, so that requirement stays unverified.
    struct Probe {
        suffix: &'static str,
        requirement: &'static str,
        write_unproven: bool,
        public_read: bool,
        label: &'static str,
    }
    let probes = [
        Probe {
            suffix: "/commits?per_page=1",
            requirement: "contents:read",
            write_unproven: false,
            public_read: true,
            label: "Contents: Read-only",
        },
        Probe {
            suffix: "/hooks",
            requirement: "repository_hooks:write",
            write_unproven: true,
            public_read: false,
            label: "Webhooks: Read and write",
        },
        Probe {
            suffix: "/pulls?per_page=1",
            requirement: "pull_requests:write",
            write_unproven: true,
            public_read: true,
            label: "Pull requests: Read and write",
        },
    ];
    let mut lacking = Vec::new();
    for probe in probes {
        let mut path = format!("/repos/{repo}{}", probe.suffix);
        let Some(mut response) = ctx.get(request, token, report, &path).await else {
            return;
        };
        if probe.suffix.starts_with("/commits") && is_empty_repository(&response) {
            // An empty repository has no commits to list (409): its
            // branches need the same Contents permission.
            path = format!("/repos/{repo}/branches?per_page=1");
            let Some(branches) = ctx.get(request, token, report, &path).await else {
                return;
            };
            response = branches;
        }
        match response.status.as_u16() {
            200 => {
                if (visible.public && probe.public_read) || probe.write_unproven {
                    report.unverified.push(probe.requirement.to_owned());
                }
            }
            403 | 404 => {
                if report.rate_limited(GITHUB, &response, ctx.now) || sso(report, &response) {
                    return;
                }
                report.lacks(probe.requirement);
                let mut what = probe.label.to_owned();
                if let Some(accepted) = accepted_permissions(&response) {
                    what.push_str(&format!(" (GitHub says this needs {accepted})"));
                }
                if probe.suffix == "/hooks" && response.status.as_u16() == 403 {
                    what.push_str(&format!(
                        ", or the token's account is not an admin of {repo} (GitHub shows webhooks to repository admins only: ask an owner to make the account an admin)"
                    ));
                }
                lacking.push(what);
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

/// GitHub's answer to listing an empty repository's commits: 409
/// "Git Repository is empty.".
fn is_empty_repository(response: &Response) -> bool {
    response.status.as_u16() == 409
        && message_of(response).is_some_and(|m| m.to_ascii_lowercase().contains("is empty"))
}

/// What `X-Accepted-GitHub-Permissions` says the endpoint needs, in words:
/// `pull_requests=write,contents=read` (all of them), `;` between
/// alternatives.
fn accepted_permissions(response: &Response) -> Option<String> {
    let value = response.header("x-accepted-github-permissions")?.trim();
    if value.is_empty() {
        return None;
    }
    let alternatives: Vec<String> = value
        .split(';')
        .map(|set| {
            set.split(',')
                .map(|p| p.trim().replace('=', ": "))
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .filter(|set| !set.is_empty())
        .collect();
    (!alternatives.is_empty()).then(|| alternatives.join(", or "))
}

/// The `message` of a GitHub error body.
fn message_of(response: &Response) -> Option<String> {
    response
        .json::<serde_json::Value>()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
}

/// An organization that forbids classic tokens answers 403 "`ORG` forbids
/// access via a personal access token (classic). Please use a GitHub App,
/// OAuth App, or a fine-grained personal access token." Records it plainly
/// and returns true.
fn classic_forbidden(
    report: &mut CheckReport,
    response: &Response,
    owner: &str,
    links: &Links,
) -> bool {
    let forbidden = response.status.as_u16() == 403
        && message_of(response).is_some_and(|m| {
            m.to_ascii_lowercase()
                .contains("forbids access via a personal access token (classic)")
        });
    if forbidden {
        report.problem(
            ProblemCode::ClassicTokenForbidden,
            format!(
                "The organization {owner} forbids classic personal access tokens, so this token cannot reach its resources. Use a fine-grained personal access token with {owner} as its resource owner instead (create it at {}); the organization may have to approve it.",
                links.fine_grained_tokens()
            ),
        );
    }
    forbidden
}

/// What a readable repository's answer says about it.
struct Visible {
    /// Public, or not said to be private: any token reads it, so a read
    /// proves no permission.
    public: bool,
}

/// GET /orgs/{org}: the organization exists and the token may see it
/// (SAML SSO is enforced here). Returns false when the check must stop.
async fn check_org(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
    links: &Links,
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
        403 if sso(report, &response) || classic_forbidden(report, &response, org, links) => false,
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
    links: &Links,
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
        403 if sso(report, &response) || classic_forbidden(report, &response, org, links) => false,
        _ => {
            report.unusable_answer(GITHUB, &format!("GET {path}"), &response, ctx.now);
            false
        }
    }
}

/// GET /repos/{owner}/{repo}, read before any probe. None when the check
/// must stop. `fine_grained_login`: the login of a fine-grained token's
/// account, whose 404 on an organization's repository may also mean the
/// organization has not approved the token yet.
async fn check_repo_visible(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
    repo: &str,
    links: &Links,
    fine_grained_login: Option<&str>,
) -> Option<Visible> {
    let path = format!("/repos/{repo}");
    let owner = repo.split('/').next().unwrap_or(repo);
    let response = ctx.get(request, token, report, &path).await?;
    match response.status.as_u16() {
        200 => {
            let body = response.json::<serde_json::Value>().unwrap_or_default();
            let private = body["private"].as_bool() == Some(true)
                || matches!(body["visibility"].as_str(), Some("private" | "internal"));
            Some(Visible { public: !private })
        }
        403 if sso(report, &response) || classic_forbidden(report, &response, owner, links) => None,
        403 if pending_approval(&response) => {
            report.problem(
                ProblemCode::PendingApproval,
                format!("The token is waiting for the organization {owner} to approve it. Until an owner approves it (Organization settings → Personal access tokens → Pending requests), it can read only public resources."),
            );
            None
        }
        404 => {
            let message = match fine_grained_login {
                None => format!(
                    "The repository {repo} does not exist, or the token's account cannot see it."
                ),
                Some(login) => {
                    let given = format!(
                        "the token was not given access to it: add it under Repository access at {}",
                        links.fine_grained_tokens()
                    );
                    if is_organization(ctx, request, token, report, owner, login).await? {
                        format!("The repository {repo} was not found: it does not exist, or {given}, or the token is waiting for the organization {owner}'s approval (a pending token reads only public resources): ask an owner of {owner} to approve it under Organization settings → Personal access tokens → Pending requests.")
                    } else {
                        format!("The repository {repo} does not exist, or {given}.")
                    }
                }
            };
            report.problem(ProblemCode::NotFound, message);
            None
        }
        _ => {
            report.unusable_answer(GITHUB, &format!("GET {path}"), &response, ctx.now);
            None
        }
    }
}

/// Whether `owner` is an organization: the one named in the request, or one
/// `GET /orgs/{owner}` finds. Never the token's own account. None when the
/// check must stop (the question itself failed to get an answer).
async fn is_organization(
    ctx: &CheckContext<'_>,
    request: &CheckRequest,
    token: &TokenSecret,
    report: &mut CheckReport,
    owner: &str,
    login: &str,
) -> Option<bool> {
    if owner.eq_ignore_ascii_case(login) {
        return Some(false);
    }
    if request
        .org
        .as_deref()
        .is_some_and(|org| org.eq_ignore_ascii_case(owner))
    {
        return Some(true);
    }
    let response = ctx
        .get(request, token, report, &format!("/orgs/{owner}"))
        .await?;
    if report.rate_limited(GITHUB, &response, ctx.now) {
        return None;
    }
    Some(response.status.as_u16() == 200)
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
