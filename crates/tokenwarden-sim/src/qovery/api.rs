//! Qovery's organization and git-token endpoints (tag "Organization Main
//! Calls" of its OpenAPI description), with its field names and its
//! `Authorization: Token …` machine-token authentication.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::world::{GitProvider, QoveryRole, QoveryWorld, INVALID_TOKEN_MESSAGE};
use crate::server::Shared;
use crate::state::State as World;
use crate::util::json;

/// The API routes, at the listener's root (`https://api.qovery.com/...`).
pub(crate) fn api() -> Router<Arc<Shared>> {
    Router::new()
        .route("/organization", get(organizations))
        .route("/organization/{org}", get(organization))
        .route(
            "/organization/{org}/gitToken",
            get(list_git_tokens).post(create_git_token),
        )
        .route(
            "/organization/{org}/gitToken/{id}",
            get(get_git_token)
                .put(edit_git_token)
                .delete(delete_git_token),
        )
        .route(
            "/organization/{org}/gitToken/{id}/associatedServices",
            get(associated_services),
        )
        .fallback(|| async { error(StatusCode::NOT_FOUND, "Not Found") })
}

/// Qovery's error answer. Its OpenAPI description gives no error body;
/// the API answers errors with a JSON object whose `message` is what its
/// console shows (QOVERY.md: show `message` when the body is JSON), so the
/// simulator sends the status and that message, nothing a client could
/// come to rely on beyond them.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    json(
        status,
        json!({
            "status": status.as_u16(),
            "error": status.canonical_reason().unwrap_or("Error"),
            "message": message,
        }),
    )
}

/// A refusal, turned into Qovery's error answer at the handler's edge.
pub(crate) struct Refusal(StatusCode, String);

impl Refusal {
    fn new(status: StatusCode, message: &str) -> Self {
        Refusal(status, message.to_owned())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error(self.0, &self.1)
    }
}

/// The caller: a known machine token sent as `Authorization: Token …`.
/// A console JWT (`Bearer`) is not what this simulation hands out, so any
/// other scheme, a missing header or an unknown value answers 401.
struct Caller {
    org_id: String,
    role: QoveryRole,
}

impl FromRequestParts<Arc<Shared>> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized = || error(StatusCode::UNAUTHORIZED, "Unauthorized");
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(unauthorized)?;
        let (scheme, token) = value.trim().split_once(' ').ok_or_else(unauthorized)?;
        if !scheme.eq_ignore_ascii_case("token") {
            return Err(unauthorized());
        }
        let state = shared.state.lock();
        let api = state
            .qovery
            .api_tokens
            .get(token.trim())
            .ok_or_else(unauthorized)?;
        Ok(Caller {
            org_id: api.org_id.clone(),
            role: api.role,
        })
    }
}

/// What a call needs: reading, or changing the organization's git tokens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

/// 404 for an unknown organization, 403 for another organization's token
/// or a read-only role asked to write.
fn authorize(
    world: &QoveryWorld,
    caller: &Caller,
    org: &str,
    access: Access,
) -> Result<(), Refusal> {
    if !world.orgs.contains_key(org) {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            "Organization not found",
        ));
    }
    if caller.org_id != org {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "You do not have access to this organization",
        ));
    }
    if access == Access::Write && caller.role == QoveryRole::Viewer {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "Your role does not allow you to manage git tokens of this organization",
        ));
    }
    Ok(())
}

fn org_json(world: &QoveryWorld, id: &str) -> serde_json::Value {
    let org = &world.orgs[id];
    json!({
        "id": org.id,
        "created_at": org.created_at.to_rfc3339(),
        "name": org.name,
        "plan": "TEAM",
        "description": null,
    })
}

async fn organizations(State(shared): State<Arc<Shared>>, caller: Caller) -> Response {
    let state = shared.state.lock();
    let results: Vec<_> = state
        .qovery
        .orgs
        .keys()
        .filter(|id| **id == caller.org_id)
        .map(|id| org_json(&state.qovery, id))
        .collect();
    json(StatusCode::OK, json!({ "results": results }))
}

async fn organization(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    Path(org): Path<String>,
) -> Response {
    let state = shared.state.lock();
    match authorize(&state.qovery, &caller, &org, Access::Read) {
        Ok(()) => json(StatusCode::OK, org_json(&state.qovery, &org)),
        Err(r) => r.into_response(),
    }
}

async fn list_git_tokens(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    Path(org): Path<String>,
) -> Response {
    let state = shared.state.lock();
    let world = &state.qovery;
    if let Err(r) = authorize(world, &caller, &org, Access::Read) {
        return r.into_response();
    }
    let mut tokens: Vec<_> = world
        .git_tokens
        .values()
        .filter(|t| t.org_id == org)
        .collect();
    tokens.sort_by_key(|t| t.created_at);
    let results: Vec<_> = tokens
        .into_iter()
        .map(|t| t.response(world.services_of(&t.id).len()))
        .collect();
    json(StatusCode::OK, json!({ "results": results }))
}

/// The git token `id` of `org`, or 404.
fn git_token_response(world: &QoveryWorld, org: &str, id: &str) -> Response {
    match world.git_tokens.get(id).filter(|t| t.org_id == org) {
        Some(t) => json(StatusCode::OK, t.response(world.services_of(id).len())),
        None => error(StatusCode::NOT_FOUND, "Git token not found"),
    }
}

async fn get_git_token(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let state = shared.state.lock();
    if let Err(r) = authorize(&state.qovery, &caller, &org, Access::Read) {
        return r.into_response();
    }
    git_token_response(&state.qovery, &org, &id)
}

async fn associated_services(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let state = shared.state.lock();
    let world = &state.qovery;
    if let Err(r) = authorize(world, &caller, &org, Access::Read) {
        return r.into_response();
    }
    if world.git_tokens.get(&id).is_none_or(|t| t.org_id != org) {
        return error(StatusCode::NOT_FOUND, "Git token not found");
    }
    let results: Vec<_> = world
        .services_of(&id)
        .iter()
        .map(|s| s.response())
        .collect();
    json(StatusCode::OK, json!({ "results": results }))
}

async fn delete_git_token(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let mut state = shared.state.lock();
    let world = &mut state.qovery;
    if let Err(r) = authorize(world, &caller, &org, Access::Write) {
        return r.into_response();
    }
    if world.git_tokens.get(&id).is_none_or(|t| t.org_id != org) {
        return error(StatusCode::NOT_FOUND, "Git token not found");
    }
    world.git_tokens.remove(&id);
    world.services.retain(|s| s.git_token_id != id);
    StatusCode::NO_CONTENT.into_response()
}

/// `GitTokenRequest`: the whole object on create and on edit.
#[derive(Debug, Deserialize)]
struct GitTokenRequest {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<GitProvider>,
    token: Option<String>,
    description: Option<String>,
    workspace: Option<String>,
    git_api_url: Option<String>,
}

/// A request Qovery accepted: its fields, and the expiry it learnt from
/// the provider when it tested the value.
struct Accepted {
    name: String,
    kind: GitProvider,
    token: String,
    description: Option<String>,
    workspace: Option<String>,
    git_api_url: Option<String>,
    /// What the provider said of the expiry; None when the value was not
    /// tested (a test told the simulation to accept any), so an edit keeps
    /// what Qovery knew.
    expired_at: Option<Option<chrono::NaiveDate>>,
}

/// Qovery's "Test and Save": required fields, Bitbucket's workspace, then
/// the value itself (a live token of the provider of that type, unless a
/// test set another validation).
fn judge(state: &World, body: &Bytes) -> Result<Accepted, Refusal> {
    let bad = |m: &str| Refusal::new(StatusCode::BAD_REQUEST, m);
    let request: GitTokenRequest = serde_json::from_slice(body)
        .map_err(|_| bad("The request body is not a valid GitTokenRequest"))?;
    let name = request
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| bad("name is required"))?;
    let kind = request.kind.ok_or_else(|| bad("type is required"))?;
    let token = request
        .token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| bad("token is required"))?;
    let workspace = request.workspace.filter(|w| !w.is_empty());
    if kind == GitProvider::Bitbucket && workspace.is_none() {
        return Err(bad("workspace is mandatory for BITBUCKET"));
    }
    let validation = &state.qovery.validation;
    if let Some(message) = &validation.refusal {
        return Err(bad(message));
    }
    let expired_at = if validation.accept_any {
        None
    } else {
        let record = state
            .active_token(kind.provider(), &token)
            .ok_or_else(|| bad(INVALID_TOKEN_MESSAGE))?;
        // A Bitbucket access token lists its own workspace's repositories
        // only: under another workspace, Qovery's test finds nothing.
        if kind == GitProvider::Bitbucket
            && !crate::util::same_name(
                record.spec.target.as_deref(),
                workspace.as_deref().unwrap_or(""),
            )
        {
            return Err(bad(INVALID_TOKEN_MESSAGE));
        }
        Some(record.spec.expires_at.map(|at| at.date_naive()))
    };
    Ok(Accepted {
        name,
        kind,
        token,
        description: request.description,
        workspace,
        git_api_url: request.git_api_url.filter(|u| !u.is_empty()),
        expired_at,
    })
}

async fn create_git_token(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    Path(org): Path<String>,
    body: Bytes,
) -> Response {
    let mut state = shared.state.lock();
    if let Err(r) = authorize(&state.qovery, &caller, &org, Access::Write) {
        return r.into_response();
    }
    let accepted = match judge(&state, &body) {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    let world = &mut state.qovery;
    let mut token = world.add_git_token(
        &org,
        super::world::GitTokenSeed {
            name: accepted.name,
            kind: accepted.kind,
            description: accepted.description,
            expired_at: accepted.expired_at.flatten(),
            workspace: accepted.workspace,
            git_api_url: accepted.git_api_url,
            token: Some(accepted.token),
        },
    );
    token.received = 1;
    world.git_tokens.insert(token.id.clone(), token.clone());
    json(StatusCode::CREATED, token.response(0))
}

async fn edit_git_token(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    Path((org, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut state = shared.state.lock();
    if let Err(r) = authorize(&state.qovery, &caller, &org, Access::Write) {
        return r.into_response();
    }
    if state
        .qovery
        .git_tokens
        .get(&id)
        .is_none_or(|t| t.org_id != org)
    {
        return error(StatusCode::NOT_FOUND, "Git token not found");
    }
    let accepted = match judge(&state, &body) {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    let world = &mut state.qovery;
    let services = world.services_of(&id).len();
    let Some(token) = world.git_tokens.get_mut(&id) else {
        return error(StatusCode::NOT_FOUND, "Git token not found");
    };
    token.name = accepted.name;
    token.kind = accepted.kind;
    token.description = accepted.description;
    token.workspace = accepted.workspace;
    token.git_api_url = accepted.git_api_url;
    if let Some(expired_at) = accepted.expired_at {
        token.expired_at = expired_at;
    }
    token.value = Some(accepted.token);
    token.received += 1;
    token.updated_at = Utc::now();
    json(StatusCode::OK, token.response(services))
}
