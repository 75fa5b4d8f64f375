//! GitHub's REST API (GitHub Enterprise Server layout, under `/api/v3`): the
//! endpoints a token checker calls, answering as github.com does for classic
//! and fine-grained personal access tokens.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::server::App;
use crate::spec::{Provider, TokenKind, TokenSpec};
use crate::state::random_alnum;
use crate::util::{credential, hv, json, same_name, Schemes};

const SCHEMES: Schemes = Schemes {
    token_scheme: true,
    private_token_header: false,
};
const DOCS: &str = "https://docs.github.com/rest";

/// The API routes, relative to `/api/v3`.
pub(crate) fn api() -> Router<App> {
    Router::new()
        .route("/user", get(user))
        .route("/user/memberships/orgs/{org}", get(own_membership))
        .route("/orgs/{org}", get(org))
        .route("/orgs/{org}/memberships/{login}", get(membership))
        .route("/repos/{owner}/{repo}", get(repo))
        .route("/repos/{owner}/{repo}/hooks", get(hooks))
        .route("/repos/{owner}/{repo}/pulls", get(pulls))
        .route("/repos/{owner}/{repo}/commits", get(commits))
        .route("/repos/{owner}/{repo}/branches", get(branches))
        .fallback(fallback)
}

/// What GitHub knows beyond names: which repositories are public or empty,
/// which organizations forbid classic tokens, who is not an admin of a
/// repository, and the rate limits in force (PROVIDERS.md, "Real behaviours
/// the checks must handle").
#[derive(Debug, Default)]
pub struct GithubWorld {
    /// Lowercase `owner/name` of public repositories (the others are private).
    pub public_repos: BTreeSet<String>,
    /// Lowercase `owner/name` of repositories without a commit yet.
    pub empty_repos: BTreeSet<String>,
    /// Lowercase organizations that forbid classic tokens.
    pub classic_forbidden: BTreeSet<String>,
    /// Lowercase `owner/name` -> lowercase logins who can reach the
    /// repository but are not its admins.
    pub non_admins: BTreeMap<String, BTreeSet<String>>,
    /// Lowercase login -> seconds until its used-up primary limit resets.
    /// Primary limits are per account, not per host.
    pub exhausted: BTreeMap<String, u64>,
    /// A secondary rate limit in force.
    pub secondary_limit: Option<SecondaryLimit>,
}

/// GitHub's secondary rate limit: 403 or 429, `x-ratelimit-remaining` not
/// zero, sometimes `Retry-After` (github/docs, rate limits for the REST API).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecondaryLimit {
    /// 403 or 429 (403 when 0).
    pub status: u16,
    /// Seconds sent as `Retry-After`; none: no such header.
    pub retry_after_secs: Option<u64>,
    /// Only API paths containing this text are limited (all when None).
    pub path_contains: Option<String>,
}

const SECONDARY_LIMIT_MESSAGE: &str = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333:44444444.";
const RATE_LIMIT_DOCS: &str =
    "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";

/// The rate-limit answer `spec`'s account gets for `path`, if any: its used
/// up primary limit, or the secondary limit in force.
fn rate_limit_answer(world: &GithubWorld, spec: &TokenSpec, path: &str) -> Option<Response> {
    let now = Utc::now().timestamp();
    if let Some(reset_in) = world.exhausted.get(&spec.login.to_ascii_lowercase()) {
        let status = StatusCode::FORBIDDEN;
        let body = json!({
            "message": format!("API rate limit exceeded for user ID {}. If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333:44444444.", spec.user_id),
            "documentation_url": RATE_LIMIT_DOCS,
            "status": "403",
        });
        let mut response = json(status, body);
        let h = response.headers_mut();
        h.insert("x-ratelimit-limit", hv("5000"));
        h.insert("x-ratelimit-remaining", hv("0"));
        h.insert("x-ratelimit-used", hv("5000"));
        h.insert(
            "x-ratelimit-reset",
            hv((now + i64::try_from(*reset_in).unwrap_or(3600)).to_string()),
        );
        h.insert("x-ratelimit-resource", hv("core"));
        return Some(response);
    }
    let limit = world.secondary_limit.as_ref()?;
    if limit
        .path_contains
        .as_deref()
        .is_some_and(|part| !path.contains(part))
    {
        return None;
    }
    let status = match limit.status {
        429 => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::FORBIDDEN,
    };
    let body = json!({
        "message": SECONDARY_LIMIT_MESSAGE,
        "documentation_url": format!("{RATE_LIMIT_DOCS}#about-secondary-rate-limits"),
        "status": status.as_u16().to_string(),
    });
    let mut response = json(status, body);
    let h = response.headers_mut();
    h.insert("x-ratelimit-limit", hv("5000"));
    h.insert("x-ratelimit-remaining", hv("4990"));
    h.insert("x-ratelimit-used", hv("10"));
    h.insert("x-ratelimit-reset", hv((now + 3600).to_string()));
    h.insert("x-ratelimit-resource", hv("core"));
    if let Some(secs) = limit.retry_after_secs {
        h.insert("retry-after", hv(secs.to_string()));
    }
    Some(response)
}

/// A primary limit used up for one account until `reset_in` from each answer.
pub(crate) fn exhaust(world: &mut GithubWorld, login: &str, reset_in: Duration) {
    world
        .exhausted
        .insert(login.to_ascii_lowercase(), reset_in.as_secs().max(1));
}

/// What an endpoint accepts, echoed in GitHub's `X-Accepted-*` headers.
#[derive(Debug, Clone, Copy)]
struct Endpoint {
    /// `X-Accepted-OAuth-Scopes` (sent for classic tokens).
    scopes: &'static str,
    /// `X-Accepted-GitHub-Permissions` (sent for fine-grained tokens; empty:
    /// not sent).
    permissions: &'static str,
}

const USER: Endpoint = Endpoint {
    scopes: "",
    permissions: "",
};
const ORG: Endpoint = Endpoint {
    scopes: "admin:org, read:org, repo, user, write:org",
    permissions: "",
};
const MEMBERSHIP: Endpoint = Endpoint {
    scopes: "admin:org, read:org, write:org",
    permissions: "members=read",
};
const REPO: Endpoint = Endpoint {
    scopes: "repo",
    permissions: "metadata=read",
};
const HOOKS: Endpoint = Endpoint {
    scopes: "admin:repo_hook, read:repo_hook, write:repo_hook",
    permissions: "repository_hooks=read",
};
const COMMITS: Endpoint = Endpoint {
    scopes: "repo",
    permissions: "contents=read",
};
const PULLS: Endpoint = Endpoint {
    scopes: "repo",
    permissions: "pull_requests=read",
};
const BRANCHES: Endpoint = Endpoint {
    scopes: "repo",
    permissions: "contents=read",
};

/// Classic scopes and the narrower scopes each one grants.
const IMPLIED: &[(&str, &[&str])] = &[
    (
        "repo",
        &[
            "repo:status",
            "repo_deployment",
            "public_repo",
            "repo:invite",
            "security_events",
        ],
    ),
    ("admin:repo_hook", &["write:repo_hook", "read:repo_hook"]),
    ("write:repo_hook", &["read:repo_hook"]),
    ("admin:org", &["write:org", "read:org"]),
    ("write:org", &["read:org"]),
    ("user", &["read:user", "user:email", "user:follow"]),
];

/// Whether `granted` includes `required` itself or a scope containing it.
pub(crate) fn has_scope(granted: &[String], required: &str) -> bool {
    granted.iter().any(|g| {
        g == required
            || IMPLIED
                .iter()
                .any(|(wide, narrow)| g == wide && narrow.contains(&required))
    })
}

fn message(status: StatusCode, text: &str) -> Value {
    json!({ "message": text, "documentation_url": DOCS, "status": status.as_u16().to_string() })
}

fn bad_credentials() -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        message(StatusCode::UNAUTHORIZED, "Bad credentials"),
    )
}

/// The authenticated caller: an active GitHub token's spec. As an extractor
/// it answers 401 `Bad credentials` for a missing, unknown, revoked or
/// expired token.
struct Caller(TokenSpec);

impl FromRequestParts<App> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = credential(&parts.headers, SCHEMES).ok_or_else(bad_credentials)?;
        let state = app.shared.state.lock();
        let spec = state
            .active_token(Provider::Github, &token)
            .map(|r| r.spec)
            .ok_or_else(bad_credentials)?;
        match rate_limit_answer(&state.github, &spec, parts.uri.path()) {
            Some(limited) => Err(limited),
            None => Ok(Caller(spec)),
        }
    }
}

impl Caller {
    fn classic(&self) -> bool {
        self.0.kind == TokenKind::GithubClassic
    }

    fn has_scope(&self, scope: &str) -> bool {
        self.classic() && has_scope(&self.0.scopes, scope)
    }

    /// Fine-grained: whether `permission` is at least `read`.
    fn can_read(&self, permission: &str) -> bool {
        !self.classic()
            && matches!(
                self.0.permissions.get(permission).map(String::as_str),
                Some("read" | "write" | "admin")
            )
    }

    /// Whether the token reaches the existing repository `repo`: a public
    /// one with any token (public resources need no permission); a private
    /// one with `repo` (classic) or when given it (fine-grained, and not
    /// awaiting the owner's approval: a pending token reads only public
    /// resources).
    fn sees_repo(&self, repo: &RepoFacts) -> bool {
        if repo.public {
            true
        } else if self.classic() {
            self.has_scope("repo")
        } else {
            !self.pending_for(&repo.full_name)
                && self
                    .0
                    .repositories
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(&repo.full_name))
        }
    }

    /// A fine-grained token awaiting the approval of `full_name`'s owner.
    fn pending_for(&self, full_name: &str) -> bool {
        let owner = full_name.split('/').next().unwrap_or_default();
        !self.classic() && same_name(self.0.pending_org.as_deref(), owner)
    }

    /// Whether the fine-grained token was given `repo` (and may use it).
    fn given(&self, repo: &RepoFacts) -> bool {
        !self.classic()
            && !self.pending_for(&repo.full_name)
            && self
                .0
                .repositories
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&repo.full_name))
    }

    /// A response carrying the headers GitHub adds for authenticated calls.
    fn respond(&self, status: StatusCode, body: Value, endpoint: Endpoint) -> Response {
        let mut response = json(status, body);
        let h = response.headers_mut();
        let reset = Utc::now().timestamp() + 3600;
        h.insert("x-ratelimit-limit", hv("5000"));
        h.insert("x-ratelimit-remaining", hv("4999"));
        h.insert("x-ratelimit-used", hv("1"));
        h.insert("x-ratelimit-reset", hv(reset.to_string()));
        h.insert("x-ratelimit-resource", hv("core"));
        if self.classic() {
            h.insert("x-oauth-scopes", hv(self.0.scopes_header()));
            h.insert("x-accepted-oauth-scopes", hv(endpoint.scopes));
        } else if !endpoint.permissions.is_empty() {
            h.insert("x-accepted-github-permissions", hv(endpoint.permissions));
        }
        if let Some(expiry) = expiry_header(&self.0) {
            h.insert("github-authentication-token-expiration", hv(expiry));
        }
        response
    }

    fn not_found(&self, endpoint: Endpoint) -> Response {
        let body = message(StatusCode::NOT_FOUND, "Not Found");
        self.respond(StatusCode::NOT_FOUND, body, endpoint)
    }

    /// 403 for a fine-grained token lacking a permission; the header names
    /// the permission the endpoint needs.
    fn not_accessible(&self, endpoint: Endpoint) -> Response {
        let body = message(
            StatusCode::FORBIDDEN,
            "Resource not accessible by personal access token",
        );
        let mut response = self.respond(StatusCode::FORBIDDEN, body, endpoint);
        response
            .headers_mut()
            .insert("x-accepted-github-permissions", hv(endpoint.permissions));
        response
    }

    /// SAML SSO refusal for `org`, when the token is not authorized there.
    fn sso_block(&self, app: &App, org: &str, endpoint: Endpoint) -> Option<Response> {
        if !same_name(self.0.sso_org.as_deref(), org) {
            return None;
        }
        let body = json!({
            "message": "Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.",
            "documentation_url": "https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/",
            "status": "403",
        });
        let mut response = self.respond(StatusCode::FORBIDDEN, body, endpoint);
        let url = format!(
            "{}/orgs/{org}/sso?authorization_request={}",
            app.shared.urls.github,
            random_alnum(20)
        );
        response
            .headers_mut()
            .insert("x-github-sso", hv(format!("required; url={url}")));
        Some(response)
    }

    /// The refusals that come before any look-up on `owner`'s resources:
    /// SSO, then an organization that forbids classic tokens (github/docs,
    /// managing your personal access tokens).
    fn owner_block(&self, app: &App, owner: &str, endpoint: Endpoint) -> Option<Response> {
        if let Some(response) = self.sso_block(app, owner, endpoint) {
            return Some(response);
        }
        let forbids = app
            .shared
            .state
            .lock()
            .github
            .classic_forbidden
            .contains(&owner.to_ascii_lowercase());
        if self.classic() && forbids {
            let body = message(
                StatusCode::FORBIDDEN,
                &format!("`{owner}` forbids access via a personal access token (classic). Please use a GitHub App, OAuth App, or a fine-grained personal access token."),
            );
            return Some(self.respond(StatusCode::FORBIDDEN, body, endpoint));
        }
        None
    }

    /// 403 on a repository's webhooks for a user who is not its admin.
    fn not_admin(&self, endpoint: Endpoint) -> Response {
        let body = message(
            StatusCode::FORBIDDEN,
            "Must have admin rights to Repository.",
        );
        self.respond(StatusCode::FORBIDDEN, body, endpoint)
    }
}

/// GitHub's `GitHub-Authentication-Token-Expiration` value, in the form
/// the spec asks for.
fn expiry_header(spec: &TokenSpec) -> Option<String> {
    let at = spec.expires_at?;
    let offset = spec
        .expiry_offset_minutes
        .and_then(|m| FixedOffset::east_opt(m.checked_mul(60)?));
    Some(match offset {
        None => at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        Some(offset) => at
            .with_timezone(&offset)
            .format("%Y-%m-%d %H:%M:%S %z")
            .to_string(),
    })
}

async fn user(caller: Caller, State(app): State<App>) -> Response {
    let login = &caller.0.login;
    let body = json!({
        "login": login,
        "id": caller.0.user_id,
        "node_id": format!("U_sim{}", caller.0.user_id),
        "type": "User",
        "site_admin": false,
        "name": null,
        "url": format!("{}/api/v3/users/{login}", app.shared.urls.github),
        "html_url": format!("{}/{login}", app.shared.urls.github),
    });
    caller.respond(StatusCode::OK, body, USER)
}

async fn org(caller: Caller, State(app): State<App>, Path(org): Path<String>) -> Response {
    if let Some(response) = caller.owner_block(&app, &org, ORG) {
        return response;
    }
    let found = app
        .shared
        .state
        .lock()
        .github_orgs
        .get(&org.to_ascii_lowercase())
        .map(|(named, _)| named.clone());
    match found {
        Some(named) => caller.respond(
            StatusCode::OK,
            json!({
                "login": named.name,
                "id": named.id,
                "type": "Organization",
                "url": format!("{}/api/v3/orgs/{}", app.shared.urls.github, named.name),
            }),
            ORG,
        ),
        None => caller.not_found(ORG),
    }
}

async fn membership(
    caller: Caller,
    State(app): State<App>,
    Path((org, login)): Path<(String, String)>,
) -> Response {
    membership_of(caller, &app, &org, &login)
}

async fn own_membership(
    caller: Caller,
    State(app): State<App>,
    Path(org): Path<String>,
) -> Response {
    let login = caller.0.login.clone();
    membership_of(caller, &app, &org, &login)
}

/// `login`'s membership of `org`: needs `read:org` (or wider) on a classic
/// token, the `members` permission on a fine-grained one.
fn membership_of(caller: Caller, app: &App, org: &str, login: &str) -> Response {
    if let Some(response) = caller.owner_block(app, org, MEMBERSHIP) {
        return response;
    }
    let found = app
        .shared
        .state
        .lock()
        .github_orgs
        .get(&org.to_ascii_lowercase())
        .map(|(named, members)| (named.clone(), members.contains(&login.to_ascii_lowercase())));
    let Some((named, is_member)) = found else {
        return caller.not_found(MEMBERSHIP);
    };
    if caller.classic() && !caller.has_scope("read:org") {
        let body = message(
            StatusCode::FORBIDDEN,
            "You must have the read:org scope to view organization memberships.",
        );
        return caller.respond(StatusCode::FORBIDDEN, body, MEMBERSHIP);
    }
    if !caller.classic() && !caller.can_read("members") {
        return caller.not_accessible(MEMBERSHIP);
    }
    if !is_member {
        return caller.not_found(MEMBERSHIP);
    }
    caller.respond(
        StatusCode::OK,
        json!({
            "state": "active",
            "role": "member",
            "organization": { "login": named.name, "id": named.id },
            "user": { "login": login },
        }),
        MEMBERSHIP,
    )
}

/// A registered repository and what GitHub knows of it.
struct RepoFacts {
    full_name: String,
    id: u64,
    public: bool,
    empty: bool,
    /// Lowercase logins that reach it without being its admins.
    non_admins: BTreeSet<String>,
}

impl RepoFacts {
    fn is_admin(&self, login: &str) -> bool {
        !self.non_admins.contains(&login.to_ascii_lowercase())
    }
}

/// The registered repository `owner/repo`, if any.
fn find_repo(app: &App, owner: &str, repo: &str) -> Option<RepoFacts> {
    let key = format!("{owner}/{repo}").to_ascii_lowercase();
    let state = app.shared.state.lock();
    let named = state.github_repos.get(&key)?;
    Some(RepoFacts {
        full_name: named.name.clone(),
        id: named.id,
        public: state.github.public_repos.contains(&key),
        empty: state.github.empty_repos.contains(&key),
        non_admins: state
            .github
            .non_admins
            .get(&key)
            .cloned()
            .unwrap_or_default(),
    })
}

async fn repo(
    caller: Caller,
    State(app): State<App>,
    Path((owner, repo)): Path<(String, String)>,
) -> Response {
    if let Some(response) = caller.owner_block(&app, &owner, REPO) {
        return response;
    }
    match find_repo(&app, &owner, &repo).filter(|r| caller.sees_repo(r)) {
        Some(facts) => {
            let full_name = &facts.full_name;
            let (owner_login, name) = full_name.split_once('/').unwrap_or(("", full_name));
            let admin = facts.is_admin(&caller.0.login);
            caller.respond(
                StatusCode::OK,
                json!({
                    "id": facts.id,
                    "name": name,
                    "full_name": full_name,
                    "private": !facts.public,
                    "visibility": if facts.public { "public" } else { "private" },
                    "owner": { "login": owner_login },
                    "html_url": format!("{}/{full_name}", app.shared.urls.github),
                    // Describes the user, not the token (as on GitHub).
                    "permissions": {
                        "admin": admin, "maintain": admin, "push": true, "triage": true, "pull": true
                    },
                }),
                REPO,
            )
        }
        None => caller.not_found(REPO),
    }
}

/// `GET /repos/{owner}/{repo}/hooks`: never public. Classic tokens need a
/// hook scope, fine-grained ones Webhooks read on a repository they were
/// given; either way the user must be the repository's admin.
async fn hooks(
    caller: Caller,
    State(app): State<App>,
    Path((owner, repo)): Path<(String, String)>,
) -> Response {
    if let Some(response) = caller.owner_block(&app, &owner, HOOKS) {
        return response;
    }
    let Some(facts) = find_repo(&app, &owner, &repo) else {
        return caller.not_found(HOOKS);
    };
    if caller.classic() {
        // `repo` alone does not reach hooks: a hook scope is needed.
        return if !caller.has_scope("read:repo_hook") || !caller.sees_repo(&facts) {
            caller.not_found(HOOKS)
        } else if !facts.is_admin(&caller.0.login) {
            caller.not_admin(HOOKS)
        } else {
            caller.respond(StatusCode::OK, json!([]), HOOKS)
        };
    }
    if !caller.sees_repo(&facts) {
        caller.not_found(HOOKS)
    } else if !caller.given(&facts) || !caller.can_read("repository_hooks") {
        caller.not_accessible(HOOKS)
    } else if !facts.is_admin(&caller.0.login) {
        caller.not_admin(HOOKS)
    } else {
        caller.respond(StatusCode::OK, json!([]), HOOKS)
    }
}

/// A repository endpoint a classic token reaches with `repo`, a
/// fine-grained one with read access to `permission`, and any token on a
/// public repository: the repository when reached, else the refusal.
fn repo_probe(
    caller: &Caller,
    app: &App,
    owner: &str,
    repo: &str,
    endpoint: Endpoint,
    permission: &str,
) -> Result<RepoFacts, Box<Response>> {
    if let Some(response) = caller.owner_block(app, owner, endpoint) {
        return Err(Box::new(response));
    }
    let Some(facts) = find_repo(app, owner, repo) else {
        return Err(Box::new(caller.not_found(endpoint)));
    };
    if !caller.sees_repo(&facts) {
        Err(Box::new(caller.not_found(endpoint)))
    } else if facts.public || caller.classic() || caller.can_read(permission) {
        Ok(facts)
    } else {
        Err(Box::new(caller.not_accessible(endpoint)))
    }
}

/// `GET /repos/{owner}/{repo}/pulls`: needs Pull requests read (fine-grained).
async fn pulls(
    caller: Caller,
    State(app): State<App>,
    Path((owner, repo)): Path<(String, String)>,
) -> Response {
    match repo_probe(&caller, &app, &owner, &repo, PULLS, "pull_requests") {
        Ok(_) => caller.respond(StatusCode::OK, json!([]), PULLS),
        Err(refusal) => *refusal,
    }
}

/// `GET /repos/{owner}/{repo}/commits`: needs Contents read (fine-grained).
async fn commits(
    caller: Caller,
    State(app): State<App>,
    Path((owner, repo)): Path<(String, String)>,
) -> Response {
    match repo_probe(&caller, &app, &owner, &repo, COMMITS, "contents") {
        // An empty repository has no commits to list: GitHub answers 409.
        Ok(facts) if facts.empty => {
            let body = json!({
                "message": "Git Repository is empty.",
                "documentation_url": "https://docs.github.com/rest/commits/commits#list-commits",
                "status": "409",
            });
            caller.respond(StatusCode::CONFLICT, body, COMMITS)
        }
        Ok(_) => caller.respond(
            StatusCode::OK,
            json!([{ "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e" }]),
            COMMITS,
        ),
        Err(refusal) => *refusal,
    }
}

/// `GET /repos/{owner}/{repo}/branches`: needs Contents read
/// (fine-grained); an empty repository has none (200 `[]`).
async fn branches(
    caller: Caller,
    State(app): State<App>,
    Path((owner, repo)): Path<(String, String)>,
) -> Response {
    match repo_probe(&caller, &app, &owner, &repo, BRANCHES, "contents") {
        Ok(facts) if facts.empty => caller.respond(StatusCode::OK, json!([]), BRANCHES),
        Ok(_) => caller.respond(
            StatusCode::OK,
            json!([{ "name": "main", "protected": false }]),
            BRANCHES,
        ),
        Err(refusal) => *refusal,
    }
}

/// Any other API path: 401 without a good token, else 404.
async fn fallback(caller: Caller) -> Response {
    caller.not_found(USER)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn wide_scopes_grant_narrow_ones() {
        let granted = vec!["admin:repo_hook".to_owned(), "admin:org".to_owned()];
        assert!(has_scope(&granted, "read:repo_hook"));
        assert!(has_scope(&granted, "read:org"));
        assert!(!has_scope(&granted, "repo"));
        assert!(has_scope(&["write:org".to_owned()], "read:org"));
        assert!(!has_scope(&["read:org".to_owned()], "write:org"));
    }

    #[test]
    fn expiry_header_has_both_forms() {
        let at = Utc.with_ymd_and_hms(2021, 10, 7, 19, 7, 53).unwrap();
        let spec = TokenSpec::github_classic("u", &[]).expires_at(at);
        assert_eq!(expiry_header(&spec).unwrap(), "2021-10-07 19:07:53 UTC");
        let spec = spec.expiry_offset_minutes(540);
        assert_eq!(expiry_header(&spec).unwrap(), "2021-10-08 04:07:53 +0900");
        assert_eq!(expiry_header(&TokenSpec::github_classic("u", &[])), None);
    }
}
