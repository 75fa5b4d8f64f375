//! The admin HTTP API under `/_sim/` on every listener, for scripts and the
//! demo (tests in Rust use the `Simulator` methods instead). It ignores the
//! provider's behaviour and is not recorded, so it works while the provider
//! is "down". Resource routes write the shared world whichever listener
//! receives them; `behaviour` and `requests` concern the listener's provider.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::behaviour::{Behaviour, BehaviourJson};
use crate::github::SecondaryLimit;
use crate::server::App;
use crate::spec::TokenSpec;

/// A refused admin request.
#[derive(Debug, thiserror::Error)]
enum AdminError {
    #[error("token kind {kind} belongs to {expected}, not {given}")]
    ProviderMismatch {
        kind: String,
        expected: String,
        given: String,
    },
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": self.to_string() })),
        )
            .into_response()
    }
}

/// The admin routes, relative to `/_sim`.
pub(crate) fn router() -> Router<App> {
    Router::new()
        .route("/tokens", post(add_token))
        .route("/tokens/revoke", post(revoke))
        .route("/behaviour", put(set_behaviour))
        .route("/github/repos", post(github_repo))
        .route("/github/orgs", post(github_org))
        .route("/github/secondary-limit", put(github_secondary_limit))
        .route("/gitlab/projects", post(gitlab_project))
        .route("/gitlab/groups", post(gitlab_group))
        .route("/bitbucket/workspaces", post(bitbucket_workspace))
        .route("/bitbucket/repos", post(bitbucket_repo))
        .route("/requests", get(requests).delete(reset_requests))
        .route("/minted", get(minted))
}

fn name(value: impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

async fn add_token(
    State(app): State<App>,
    Json(spec): Json<TokenSpec>,
) -> Result<Response, AdminError> {
    if spec.kind.provider() != spec.provider {
        return Err(AdminError::ProviderMismatch {
            kind: name(spec.kind),
            expected: name(spec.kind.provider()),
            given: name(spec.provider),
        });
    }
    let token = app.shared.state.lock().add_token(spec);
    Ok((StatusCode::CREATED, Json(json!({ "token": token }))).into_response())
}

#[derive(Deserialize)]
struct TokenBody {
    token: String,
}

async fn revoke(State(app): State<App>, Json(body): Json<TokenBody>) -> Response {
    let revoked = app.shared.state.lock().revoke(&body.token);
    Json(json!({ "revoked": revoked })).into_response()
}

async fn set_behaviour(State(app): State<App>, Json(body): Json<BehaviourJson>) -> StatusCode {
    *app.shared.state.lock().behaviour_mut(app.provider) = Behaviour::from(body);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct RepoBody {
    full_name: String,
    /// Public (readable by any token); private when omitted.
    #[serde(default)]
    public: bool,
    /// Without a commit yet.
    #[serde(default)]
    empty: bool,
}

async fn github_repo(State(app): State<App>, Json(body): Json<RepoBody>) -> StatusCode {
    let mut state = app.shared.state.lock();
    state.add_github_repo(&body.full_name);
    let key = body.full_name.to_ascii_lowercase();
    if body.public {
        state.github.public_repos.insert(key.clone());
    }
    if body.empty {
        state.github.empty_repos.insert(key);
    }
    StatusCode::NO_CONTENT
}

/// A GitHub secondary rate limit in force; `null` lifts it.
async fn github_secondary_limit(
    State(app): State<App>,
    Json(limit): Json<Option<SecondaryLimit>>,
) -> StatusCode {
    app.shared.state.lock().github.secondary_limit = limit;
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct OrgBody {
    org: String,
    #[serde(default)]
    members: Vec<String>,
    /// The organization forbids classic personal access tokens.
    #[serde(default)]
    forbid_classic: bool,
}

async fn github_org(State(app): State<App>, Json(body): Json<OrgBody>) -> StatusCode {
    let mut state = app.shared.state.lock();
    state.add_github_org(&body.org, &body.members);
    if body.forbid_classic {
        state
            .github
            .classic_forbidden
            .insert(body.org.to_ascii_lowercase());
    }
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct PathBody {
    path: String,
    id: u64,
}

async fn gitlab_project(State(app): State<App>, Json(body): Json<PathBody>) -> StatusCode {
    app.shared
        .state
        .lock()
        .add_gitlab_project(&body.path, body.id);
    StatusCode::NO_CONTENT
}

async fn gitlab_group(State(app): State<App>, Json(body): Json<PathBody>) -> StatusCode {
    app.shared
        .state
        .lock()
        .add_gitlab_group(&body.path, body.id);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct WorkspaceBody {
    slug: String,
}

async fn bitbucket_workspace(
    State(app): State<App>,
    Json(body): Json<WorkspaceBody>,
) -> StatusCode {
    app.shared.state.lock().add_bitbucket_workspace(&body.slug);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct BitbucketRepoBody {
    workspace: String,
    slug: String,
}

async fn bitbucket_repo(State(app): State<App>, Json(body): Json<BitbucketRepoBody>) -> StatusCode {
    app.shared
        .state
        .lock()
        .add_bitbucket_repo(&body.workspace, &body.slug);
    StatusCode::NO_CONTENT
}

async fn requests(State(app): State<App>) -> Response {
    Json(app.shared.state.lock().requests(app.provider)).into_response()
}

/// Clears the recorded requests of every provider.
async fn reset_requests(State(app): State<App>) -> StatusCode {
    app.shared.state.lock().reset_requests();
    StatusCode::NO_CONTENT
}

/// Tokens minted through the pages: `[{"token": .., "spec": ..}]`. The
/// simulator is loopback-only and its tokens are fake, so showing them here
/// is what a demo script needs.
async fn minted(State(app): State<App>) -> Response {
    let list: Vec<_> = app
        .shared
        .state
        .lock()
        .minted()
        .into_iter()
        .map(|(token, spec)| json!({ "token": token, "spec": spec }))
        .collect();
    Json(list).into_response()
}
