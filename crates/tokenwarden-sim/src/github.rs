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
use serde_json::{json, Value};

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
        .fallback(fallback)
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
        let record = app
            .shared
            .state
            .lock()
            .active_token(Provider::Github, &token);
        record.map(|r| Caller(r.spec)).ok_or_else(bad_credentials)
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

    /// Whether the token reaches an existing repository `full_name`.
    fn sees_repo(&self, full_name: &str) -> bool {
        if self.classic() {
            self.has_scope("repo")
        } else {
            self.0
                .repositories
                .iter()
                .any(|r| r.eq_ignore_ascii_case(full_name))
        }
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

    /// The refusals that come before any look-up on `owner`'s repositories:
    /// SSO, then a fine-grained token still awaiting `owner`'s approval.
    fn owner_block(&self, app: &App, owner: &str, endpoint: Endpoint) -> Option<Response> {
        if let Some(response) = self.sso_block(app, owner, endpoint) {
            return Some(response);
        }
        if !self.classic() && same_name(self.0.pending_org.as_deref(), owner) {
            // UNCONFIRMED wording: GitHub's docs say a pending token can read
            // only public resources but do not quote the error message.
            let body = message(
                StatusCode::FORBIDDEN,
                "This fine-grained personal access token is pending approval by the organization.",
            );
            return Some(self.respond(StatusCode::FORBIDDEN, body, endpoint));
        }
        None
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
    if let Some(response) = caller.sso_block(&app, &org, ORG) {
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
    if let Some(response) = caller.sso_block(app, org, MEMBERSHIP) {
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

/// The registered repository `owner/repo`, if any: (display name, id).
fn find_repo(app: &App, owner: &str, repo: &str) -> Option<(String, u64)> {
    let key = format!("{owner}/{repo}").to_ascii_lowercase();
    app.shared
        .state
        .lock()
        .github_repos
        .get(&key)
        .map(|n| (n.name.clone(), n.id))
}

async fn repo(
    caller: Caller,
    State(app): State<App>,
    Path((owner, repo)): Path<(String, String)>,
) -> Response {
    if let Some(response) = caller.owner_block(&app, &owner, REPO) {
        return response;
    }
    match find_repo(&app, &owner, &repo).filter(|(name, _)| caller.sees_repo(name)) {
        Some((full_name, id)) => {
            let (owner_login, name) = full_name.split_once('/').unwrap_or(("", &full_name));
            caller.respond(
                StatusCode::OK,
                json!({
                    "id": id,
                    "name": name,
                    "full_name": full_name,
                    "private": true,
                    "owner": { "login": owner_login },
                    "html_url": format!("{}/{full_name}", app.shared.urls.github),
                    // Describes the user, not the token (as on GitHub).
                    "permissions": {
                        "admin": true, "maintain": true, "push": true, "triage": true, "pull": true
                    },
                }),
                REPO,
            )
        }
        None => caller.not_found(REPO),
    }
}

async fn hooks(
    caller: Caller,
    State(app): State<App>,
    Path((owner, repo)): Path<(String, String)>,
) -> Response {
    if let Some(response) = caller.owner_block(&app, &owner, HOOKS) {
        return response;
    }
    let Some((full_name, _)) = find_repo(&app, &owner, &repo) else {
        return caller.not_found(HOOKS);
    };
    if caller.classic() {
        // `repo` alone does not reach hooks: a hook scope is needed.
        return if caller.has_scope("read:repo_hook") {
            caller.respond(StatusCode::OK, json!([]), HOOKS)
        } else {
            caller.not_found(HOOKS)
        };
    }
    if !caller.sees_repo(&full_name) {
        caller.not_found(HOOKS)
    } else if caller.can_read("repository_hooks") {
        caller.respond(StatusCode::OK, json!([]), HOOKS)
    } else {
        caller.not_accessible(HOOKS)
    }
}

/// A repository endpoint a classic token reaches with `repo` and a
/// fine-grained one with read access to `permission`.
fn repo_probe(
    caller: &Caller,
    app: &App,
    owner: &str,
    repo: &str,
    endpoint: Endpoint,
    permission: &str,
) -> Response {
    if let Some(response) = caller.owner_block(app, owner, endpoint) {
        return response;
    }
    let Some((full_name, _)) = find_repo(app, owner, repo) else {
        return caller.not_found(endpoint);
    };
    if !caller.sees_repo(&full_name) {
        caller.not_found(endpoint)
    } else if caller.classic() || caller.can_read(permission) {
        caller.respond(StatusCode::OK, json!([]), endpoint)
    } else {
        caller.not_accessible(endpoint)
    }
}

/// `GET /repos/{owner}/{repo}/pulls`: needs Pull requests read (fine-grained).
async fn pulls(
    caller: Caller,
    State(app): State<App>,
    Path((owner, repo)): Path<(String, String)>,
) -> Response {
    repo_probe(&caller, &app, &owner, &repo, PULLS, "pull_requests")
}

/// `GET /repos/{owner}/{repo}/commits`: needs Contents read (fine-grained).
async fn commits(
    caller: Caller,
    State(app): State<App>,
    Path((owner, repo)): Path<(String, String)>,
) -> Response {
    repo_probe(&caller, &app, &owner, &repo, COMMITS, "contents")
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
