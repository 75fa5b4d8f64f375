//! The Qovery listener's admin API under `/_sim/`, for scripts, the
//! end-to-end tests and the demo: seed organizations, machine tokens, git
//! tokens and services; set how Qovery validates values and misbehaves;
//! read back the value a git token last received. Neither recorded nor
//! subject to the behaviour, so it works while Qovery is "down".

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::world::{GitTokenSeed, QoveryRole, QoveryService, QoveryValidation};
use crate::behaviour::{Behaviour, BehaviourJson};
use crate::server::Shared;

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/organizations", post(add_org))
        .route("/api-tokens", post(add_api_token))
        .route("/git-tokens", post(add_git_token))
        .route("/git-tokens/{id}", get(git_token))
        .route("/services", post(add_service))
        .route("/validation", put(set_validation))
        .route("/behaviour", put(set_behaviour))
        .route("/requests", get(requests).delete(reset_requests))
}

fn unknown(what: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "error": format!("unknown {what}") })),
    )
        .into_response()
}

#[derive(Deserialize)]
struct OrgBody {
    name: String,
    #[serde(default)]
    id: Option<String>,
}

/// `{"name", "id"?}` → 201 `{"id"}`.
async fn add_org(State(shared): State<Arc<Shared>>, Json(body): Json<OrgBody>) -> Response {
    let id = shared.state.lock().qovery.add_org(&body.name, body.id);
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

#[derive(Deserialize)]
struct ApiTokenBody {
    organization_id: String,
    #[serde(default)]
    role: QoveryRole,
}

/// `{"organization_id", "role"?}` → 201 `{"token"}`.
async fn add_api_token(
    State(shared): State<Arc<Shared>>,
    Json(body): Json<ApiTokenBody>,
) -> Response {
    let mut state = shared.state.lock();
    if !state.qovery.orgs.contains_key(&body.organization_id) {
        return unknown("organization");
    }
    let token = state.qovery.add_api_token(&body.organization_id, body.role);
    (StatusCode::CREATED, Json(json!({ "token": token }))).into_response()
}

#[derive(Deserialize)]
struct GitTokenBody {
    organization_id: String,
    #[serde(flatten)]
    seed: GitTokenSeed,
}

/// A `GitTokenSeed` with `organization_id` → 201 `GitTokenResponse`.
async fn add_git_token(
    State(shared): State<Arc<Shared>>,
    Json(body): Json<GitTokenBody>,
) -> Response {
    let mut state = shared.state.lock();
    if !state.qovery.orgs.contains_key(&body.organization_id) {
        return unknown("organization");
    }
    let token = state.qovery.add_git_token(&body.organization_id, body.seed);
    (StatusCode::CREATED, Json(token.response(0))).into_response()
}

/// The git token as Qovery keeps it, with what the API never shows: the
/// value it last received (`token`) and how many it received
/// (`received`). The simulator is loopback-only and its tokens are fake.
async fn git_token(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let state = shared.state.lock();
    let Some(token) = state.qovery.git_tokens.get(&id) else {
        return unknown("git token");
    };
    let mut body = token.response(state.qovery.services_of(&id).len());
    body["organization_id"] = json!(token.org_id);
    body["token"] = json!(token.value);
    body["received"] = json!(token.received);
    Json(body).into_response()
}

/// A `QoveryService` (ids optional) → 201 with its ids.
async fn add_service(
    State(shared): State<Arc<Shared>>,
    Json(service): Json<QoveryService>,
) -> Response {
    let mut state = shared.state.lock();
    if !state.qovery.git_tokens.contains_key(&service.git_token_id) {
        return unknown("git token");
    }
    let body = service.response();
    state.qovery.services.push(service);
    (StatusCode::CREATED, Json(body)).into_response()
}

/// `{"accept_any"?, "refusal"?}`.
async fn set_validation(
    State(shared): State<Arc<Shared>>,
    Json(validation): Json<QoveryValidation>,
) -> StatusCode {
    shared.state.lock().qovery.validation = validation;
    StatusCode::NO_CONTENT
}

async fn set_behaviour(
    State(shared): State<Arc<Shared>>,
    Json(body): Json<BehaviourJson>,
) -> StatusCode {
    shared.state.lock().qovery.behaviour = Behaviour::from(body);
    StatusCode::NO_CONTENT
}

async fn requests(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.state.lock().qovery.requests.clone()).into_response()
}

async fn reset_requests(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.state.lock().qovery.requests.clear();
    StatusCode::NO_CONTENT
}
