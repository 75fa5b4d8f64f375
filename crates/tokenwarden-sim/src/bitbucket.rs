//! Bitbucket Cloud's REST API (under `/2.0`) for repository and workspace
//! access tokens. Such tokens have no user: they can read what they were
//! made for, and report their scopes in `x-oauth-scopes`.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use crate::server::App;
use crate::spec::{Provider, TokenKind, TokenSpec};
use crate::util::{credential, hv, json, same_name, Schemes};

const SCHEMES: Schemes = Schemes {
    token_scheme: false,
    private_token_header: false,
};

/// The API routes, relative to `/2.0`.
pub(crate) fn api() -> Router<App> {
    Router::new()
        .route("/repositories/{workspace}/{slug}", get(repository))
        .route(
            "/repositories/{workspace}/{slug}/pullrequests",
            get(pullrequests),
        )
        .route("/repositories/{workspace}/{slug}/hooks", get(hooks))
        .route("/workspaces/{workspace}", get(workspace))
        .route("/user", get(user))
        .fallback(fallback)
}

fn error(status: StatusCode, message: &str) -> Response {
    json(
        status,
        json!({ "type": "error", "error": { "message": message } }),
    )
}

/// Scope families: a requirement is met by any scope of its family.
const FAMILIES: &[(&str, &[&str])] = &[
    // `repository:admin` implies neither `repository` nor
    // `repository:write`; `pullrequest` implies `repository` (Atlassian,
    // Bitbucket Cloud REST API scopes).
    (
        "repository",
        &[
            "repository",
            "repository:write",
            "pullrequest",
            "pullrequest:write",
        ],
    ),
    ("pullrequest", &["pullrequest", "pullrequest:write"]),
    ("webhook", &["webhook"]),
];

/// The authenticated caller. As an extractor it answers 401 for a
/// missing, unknown, revoked or expired token.
struct Caller(TokenSpec);

impl FromRequestParts<App> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let unauthorized = || error(StatusCode::UNAUTHORIZED, "Unauthorized");
        let token = credential(&parts.headers, SCHEMES).ok_or_else(unauthorized)?;
        let record = app
            .shared
            .state
            .lock()
            .active_token(Provider::Bitbucket, &token);
        record.map(|r| Caller(r.spec)).ok_or_else(unauthorized)
    }
}

impl Caller {
    fn is_workspace_token(&self) -> bool {
        self.0.kind == TokenKind::BitbucketWorkspace
    }

    fn has(&self, requirement: &str) -> bool {
        let family = FAMILIES
            .iter()
            .find(|(name, _)| *name == requirement)
            .map_or(&[][..], |(_, members)| *members);
        self.0
            .scopes
            .iter()
            .any(|s| s == requirement || family.contains(&s.as_str()))
    }

    /// Whether the token was made for `workspace/slug` (or its workspace).
    fn reaches(&self, workspace: &str, slug: &str) -> bool {
        if self.is_workspace_token() {
            same_name(self.0.target.as_deref(), workspace)
        } else {
            let full = format!("{workspace}/{slug}");
            self.0
                .repositories
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&full))
        }
    }

    /// A response with Bitbucket's token headers; `accepted` empty: no
    /// `x-accepted-oauth-scopes`.
    fn respond(&self, status: StatusCode, body: Value, accepted: &str) -> Response {
        let mut response = json(status, body);
        let h = response.headers_mut();
        if !self.0.no_scopes_header {
            h.insert("x-oauth-scopes", hv(self.0.scopes_header()));
        }
        if !accepted.is_empty() {
            h.insert("x-accepted-oauth-scopes", hv(accepted));
        }
        let credential_type = if self.is_workspace_token() {
            "workspace_access_token"
        } else {
            "repo_access_token"
        };
        h.insert("x-credential-type", hv(credential_type));
        response
    }

    fn lacks_scope(&self, required: &str) -> Response {
        let body = json!({
            "type": "error",
            "error": {
                "message": "Your credentials lack one or more required privilege scopes.",
                "detail": { "required": [required], "granted": self.0.scopes },
            },
        });
        self.respond(StatusCode::FORBIDDEN, body, required)
    }
}

/// The repository if it exists and the caller reaches it:
/// (workspace, slug) as registered.
fn reachable_repo(
    caller: &Caller,
    app: &App,
    workspace: &str,
    slug: &str,
) -> Option<(String, String)> {
    let key = format!("{workspace}/{slug}").to_ascii_lowercase();
    let name = app
        .shared
        .state
        .lock()
        .bitbucket_repos
        .get(&key)
        .map(|n| n.name.clone())?;
    let (ws, s) = name.split_once('/')?;
    caller.reaches(ws, s).then(|| (ws.to_owned(), s.to_owned()))
}

fn repo_not_found(caller: &Caller, workspace: &str, slug: &str, accepted: &str) -> Response {
    let body = json!({
        "type": "error",
        "error": { "message": format!("Repository {workspace}/{slug} not found") },
    });
    caller.respond(StatusCode::NOT_FOUND, body, accepted)
}

async fn repository(
    caller: Caller,
    State(app): State<App>,
    Path((workspace, slug)): Path<(String, String)>,
) -> Response {
    let Some((ws, s)) = reachable_repo(&caller, &app, &workspace, &slug) else {
        return repo_not_found(&caller, &workspace, &slug, "repository");
    };
    if !caller.has("repository") {
        return caller.lacks_scope("repository");
    }
    caller.respond(
        StatusCode::OK,
        json!({
            "type": "repository",
            "full_name": format!("{ws}/{s}"),
            "name": s,
            "slug": s,
            "is_private": true,
            "workspace": { "type": "workspace", "slug": ws },
            "links": { "html": { "href": format!("{}/{ws}/{s}", app.shared.urls.bitbucket) } },
        }),
        "repository",
    )
}

/// An empty page of a paginated list.
fn empty_page() -> Value {
    json!({ "values": [], "pagelen": 10, "size": 0, "page": 1 })
}

async fn pullrequests(
    caller: Caller,
    State(app): State<App>,
    Path((workspace, slug)): Path<(String, String)>,
) -> Response {
    if reachable_repo(&caller, &app, &workspace, &slug).is_none() {
        return repo_not_found(&caller, &workspace, &slug, "pullrequest");
    }
    if !caller.has("pullrequest") {
        return caller.lacks_scope("pullrequest");
    }
    caller.respond(StatusCode::OK, empty_page(), "pullrequest")
}

async fn hooks(
    caller: Caller,
    State(app): State<App>,
    Path((workspace, slug)): Path<(String, String)>,
) -> Response {
    if reachable_repo(&caller, &app, &workspace, &slug).is_none() {
        return repo_not_found(&caller, &workspace, &slug, "webhook");
    }
    if !caller.has("webhook") {
        return caller.lacks_scope("webhook");
    }
    caller.respond(StatusCode::OK, empty_page(), "webhook")
}

async fn workspace(
    caller: Caller,
    State(app): State<App>,
    Path(workspace): Path<String>,
) -> Response {
    let found = app
        .shared
        .state
        .lock()
        .bitbucket_workspaces
        .get(&workspace.to_ascii_lowercase())
        .cloned();
    let not_found = |caller: &Caller| {
        let body = json!({
            "type": "error",
            "error": { "message": format!("No workspace with identifier '{workspace}'.") },
        });
        caller.respond(StatusCode::NOT_FOUND, body, "")
    };
    let Some(named) = found else {
        return not_found(&caller);
    };
    if !caller.is_workspace_token() {
        let body = json!({
            "type": "error",
            "error": { "message": "A repository access token cannot access this resource." },
        });
        return caller.respond(StatusCode::FORBIDDEN, body, "");
    }
    if !same_name(caller.0.target.as_deref(), &named.name) {
        return not_found(&caller);
    }
    caller.respond(
        StatusCode::OK,
        json!({
            "type": "workspace",
            "uuid": format!("{{00000000-0000-0000-0000-{:012}}}", named.id),
            "slug": named.name,
            "name": named.name,
            "is_private": true,
        }),
        "",
    )
}

/// Access tokens have no user identity.
async fn user(caller: Caller) -> Response {
    let body = json!({
        "type": "error",
        "error": { "message": "This API is not accessible with access tokens." },
    });
    caller.respond(StatusCode::FORBIDDEN, body, "account")
}

/// Any other API path: 401 without a good token, else 404.
async fn fallback(caller: Caller) -> Response {
    let body = json!({ "type": "error", "error": { "message": "Resource not found" } });
    caller.respond(StatusCode::NOT_FOUND, body, "")
}
