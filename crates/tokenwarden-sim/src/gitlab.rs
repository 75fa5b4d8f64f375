//! GitLab's REST API (under `/api/v4`): token self-inspection, identity,
//! membership and self-rotation, for personal, project and group access
//! tokens (the latter two belong to bot users).

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Days, NaiveDate, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::server::App;
use crate::spec::{Provider, TokenKind};
use crate::state::{Named, State as World, TokenRecord};
use crate::util::{credential, hv, json, Schemes};

const SCHEMES: Schemes = Schemes {
    token_scheme: false,
    private_token_header: true,
};

/// How long a rotated token lives when the caller gives no `expires_at`.
const ROTATION_DEFAULT_DAYS: u64 = 7;
/// The longest lifetime GitLab allows by default.
const MAX_LIFETIME_DAYS: u64 = 365;

/// The API routes, relative to `/api/v4`. `{id}` takes a numeric id or a
/// URL-encoded path (`group%2Fproject`): the router matches the raw path, so
/// `%2F` stays inside one segment, and `Path` decodes it.
pub(crate) fn api() -> Router<App> {
    Router::new()
        .route("/personal_access_tokens/self", get(self_token))
        .route("/personal_access_tokens/self/rotate", post(rotate))
        .route(
            "/projects/{id}/access_tokens/self/rotate",
            post(rotate_project_token),
        )
        .route(
            "/groups/{id}/access_tokens/self/rotate",
            post(rotate_group_token),
        )
        .route("/user", get(user))
        .route("/projects/{id}/members/all/{user_id}", get(project_member))
        .route("/groups/{id}/members/all/{user_id}", get(group_member))
        .fallback(fallback)
}

/// Rack::Attack's answer to a banned address: 403, plain text
/// "Forbidden", no rate-limit headers (GitLab docs, "Abuse and failed
/// authentication bans": "No response headers are provided").
fn banned() -> Response {
    let mut response = (StatusCode::FORBIDDEN, "Forbidden\n").into_response();
    response
        .headers_mut()
        .insert("content-type", hv("text/plain"));
    response
}

fn unauthorized() -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        json!({ "message": "401 Unauthorized" }),
    )
}

/// GitLab's 401 for a token it knows but will not accept, naming why
/// (the wording of GitLab's auth finders).
fn rejected(record: &TokenRecord) -> Response {
    let description = if record.revoked {
        "Token was revoked. You have to re-authorize from the user."
    } else {
        "Token is expired. You can either do re-authorization or token refresh."
    };
    json(
        StatusCode::UNAUTHORIZED,
        json!({ "error": "invalid_token", "error_description": description }),
    )
}

/// GitLab's 403 for a token without a needed scope; `scope` lists the
/// scopes that would do, space-separated.
fn insufficient_scope(scope: &str) -> Response {
    let description = "The request requires higher privileges than provided by the access token.";
    let mut response = json(
        StatusCode::FORBIDDEN,
        json!({ "error": "insufficient_scope", "error_description": description, "scope": scope }),
    );
    response.headers_mut().insert(
        "www-authenticate",
        hv(format!(
            "Bearer realm=\"\", error=\"insufficient_scope\", error_description=\"{description}\", scope=\"{scope}\""
        )),
    );
    response
}

fn not_found(what: &str) -> Response {
    json(
        StatusCode::NOT_FOUND,
        json!({ "message": format!("404 {what}") }),
    )
}

/// The authenticated caller. As an extractor it answers 401 for a
/// missing, unknown, revoked or expired token (GitLab says 401 for all).
struct Caller {
    value: String,
    record: TokenRecord,
}

impl FromRequestParts<App> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let mut state = app.shared.state.lock();
        let now = Utc::now();
        if state.gitlab_ban.until.is_some_and(|until| until > now) {
            return Err(banned());
        }
        let value = credential(&parts.headers, SCHEMES);
        let record = value.as_ref().and_then(|v| state.token(v)).cloned();
        let outcome = match (value, record) {
            (Some(value), Some(record)) if record.spec.provider == Provider::Gitlab => {
                if record.is_active() {
                    Ok(Caller { value, record })
                } else {
                    Err(rejected(&record))
                }
            }
            _ => Err(unauthorized()),
        };
        let ban = &mut state.gitlab_ban;
        if let Some(after) = ban.after {
            if outcome.is_err() {
                ban.failures += 1;
                if ban.failures >= after {
                    ban.until = Some(now + chrono::Duration::hours(1));
                }
            } else {
                // A successful authentication resets the count.
                ban.failures = 0;
            }
        }
        outcome
    }
}

impl Caller {
    fn has_any(&self, scopes: &[&str]) -> bool {
        self.record
            .spec
            .scopes
            .iter()
            .any(|s| scopes.contains(&s.as_str()))
    }
}

/// GitLab's personal access token entity.
fn token_json(record: &TokenRecord) -> Value {
    let spec = &record.spec;
    json!({
        "id": record.id,
        "name": spec.name,
        "revoked": record.revoked,
        "created_at": record.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "description": "",
        "scopes": spec.scopes,
        "user_id": spec.user_id,
        "last_used_at": null,
        "active": record.is_active(),
        "expires_at": spec.expires_at.map(|at| at.date_naive().to_string()),
    })
}

async fn self_token(caller: Caller) -> Response {
    json(StatusCode::OK, token_json(&caller.record))
}

async fn user(caller: Caller, State(app): State<App>) -> Response {
    if !caller.has_any(&["api", "read_api", "read_user"]) {
        return insufficient_scope("api read_user");
    }
    let spec = &caller.record.spec;
    json(
        StatusCode::OK,
        json!({
            "id": spec.user_id,
            "username": spec.login,
            "name": spec.login,
            "state": "active",
            "bot": spec.kind != TokenKind::GitlabPersonal,
            "web_url": format!("{}/{}", app.shared.urls.gitlab, spec.login),
        }),
    )
}

/// A project or group by numeric id or (decoded) path.
fn resolve(map: &std::collections::BTreeMap<String, Named>, id: &str) -> Option<Named> {
    match id.parse::<u64>() {
        Ok(n) => map.values().find(|named| named.id == n).cloned(),
        Err(_) => map.get(&id.to_ascii_lowercase()).cloned(),
    }
}

/// `user_id`'s (username, access level) on `path`, from the tokens whose
/// user is a member of `path` or of a group above it (GitLab's
/// `members/all` includes inherited members). The highest level wins.
fn membership(state: &World, path: &str, user_id: u64) -> Option<(String, u32)> {
    let path = path.to_ascii_lowercase();
    state
        .tokens()
        .filter(|r| r.spec.provider == Provider::Gitlab && r.spec.user_id == user_id)
        .filter_map(|r| {
            let target = r.spec.target.as_deref()?.to_ascii_lowercase();
            let covers = path == target
                || path
                    .strip_prefix(&target)
                    .is_some_and(|rest| rest.starts_with('/'));
            covers.then(|| (r.spec.login.clone(), r.spec.access_level.unwrap_or(40)))
        })
        .max_by_key(|(_, level)| *level)
}

fn member_response(app: &App, user_id: u64, username: &str, level: u32) -> Response {
    json(
        StatusCode::OK,
        json!({
            "id": user_id,
            "username": username,
            "name": username,
            "state": "active",
            "access_level": level,
            "expires_at": null,
            "membership_state": "active",
            "web_url": format!("{}/{username}", app.shared.urls.gitlab),
        }),
    )
}

async fn project_member(
    caller: Caller,
    State(app): State<App>,
    Path((id, user_id)): Path<(String, String)>,
) -> Response {
    member_of(&caller, &app, false, &id, &user_id)
}

async fn group_member(
    caller: Caller,
    State(app): State<App>,
    Path((id, user_id)): Path<(String, String)>,
) -> Response {
    member_of(&caller, &app, true, &id, &user_id)
}

fn member_of(caller: &Caller, app: &App, group: bool, id: &str, user_id: &str) -> Response {
    if !caller.has_any(&["api", "read_api"]) {
        return insufficient_scope("api read_api");
    }
    let state = app.shared.state.lock();
    let (map, missing) = if group {
        (&state.gitlab_groups, "Group Not Found")
    } else {
        (&state.gitlab_projects, "Project Not Found")
    };
    let Some(named) = resolve(map, id) else {
        return not_found(missing);
    };
    let found = user_id
        .parse::<u64>()
        .ok()
        .and_then(|uid| Some((uid, membership(&state, &named.name, uid)?)));
    drop(state);
    match found {
        Some((uid, (username, level))) => member_response(app, uid, &username, level),
        None => not_found("Not found"),
    }
}

/// `expires_at` from a JSON or form body, else from the query.
fn requested_expiry(query: &[(String, String)], body: &Bytes) -> Option<String> {
    let from_json = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
        v.get("expires_at")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let from_form = || {
        std::str::from_utf8(body).ok().and_then(|text| {
            text.split('&').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                (k == "expires_at").then(|| v.to_owned())
            })
        })
    };
    let from_query = || {
        query
            .iter()
            .find(|(k, _)| k == "expires_at")
            .map(|(_, v)| v.clone())
    };
    from_json.or_else(from_form).or_else(from_query)
}

/// GitLab's `not_allowed!`: the endpoint does not rotate this kind of
/// token (a project token at the personal endpoint, a personal token at a
/// project's, a token of another project).
fn not_allowed() -> Response {
    json(
        StatusCode::METHOD_NOT_ALLOWED,
        json!({ "message": "405 Method Not Allowed" }),
    )
}

/// `POST /personal_access_tokens/self/rotate`: personal access tokens only.
async fn rotate(
    caller: Caller,
    State(app): State<App>,
    Query(query): Query<Vec<(String, String)>>,
    body: Bytes,
) -> Response {
    if caller.record.spec.kind != TokenKind::GitlabPersonal {
        return not_allowed();
    }
    rotate_caller(caller, app, query, body)
}

async fn rotate_project_token(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    body: Bytes,
) -> Response {
    rotate_resource_token(caller, app, false, &id, query, body)
}

async fn rotate_group_token(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    body: Bytes,
) -> Response {
    rotate_resource_token(caller, app, true, &id, query, body)
}

/// `POST /projects/:id/access_tokens/self/rotate` and the group's: only a
/// project (group) access token of that very project (group).
fn rotate_resource_token(
    caller: Caller,
    app: App,
    group: bool,
    id: &str,
    query: Vec<(String, String)>,
    body: Bytes,
) -> Response {
    let named = {
        let state = app.shared.state.lock();
        let map = if group {
            &state.gitlab_groups
        } else {
            &state.gitlab_projects
        };
        resolve(map, id)
    };
    let Some(named) = named else {
        return not_found(if group {
            "Group Not Found"
        } else {
            "Project Not Found"
        });
    };
    let spec = &caller.record.spec;
    let kind = if group {
        TokenKind::GitlabGroup
    } else {
        TokenKind::GitlabProject
    };
    let own = spec
        .target
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case(&named.name));
    if spec.kind != kind || !own {
        return not_allowed();
    }
    rotate_caller(caller, app, query, body)
}

/// Rotates the caller: a new token like it, expiring on the requested date
/// (one week when none is given: gitlab.com requires an expiry), at most a
/// year ahead; the caller is revoked.
fn rotate_caller(caller: Caller, app: App, query: Vec<(String, String)>, body: Bytes) -> Response {
    if !caller.has_any(&["api", "self_rotate"]) {
        return insufficient_scope("api self_rotate");
    }
    let today = Utc::now().date_naive();
    let latest = today.checked_add_days(Days::new(MAX_LIFETIME_DAYS));
    let expires_on = match requested_expiry(&query, &body) {
        None => today.checked_add_days(Days::new(ROTATION_DEFAULT_DAYS)),
        Some(text) => NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .ok()
            .filter(|d| *d > today && Some(*d) <= latest),
    };
    let Some(expires_at) = expires_on.and_then(|d| d.and_hms_opt(0, 0, 0)) else {
        return json(
            StatusCode::BAD_REQUEST,
            json!({ "error": "expires_at is invalid" }),
        );
    };
    let mut state = app.shared.state.lock();
    // Another request may have rotated or revoked it since authentication.
    if state
        .active_token(Provider::Gitlab, &caller.value)
        .is_none()
    {
        return unauthorized();
    }
    state.revoke(&caller.value);
    let mut spec = caller.record.spec.clone();
    spec.expires_at = Some(expires_at.and_utc());
    let value = state.add_token(spec);
    let Some(record) = state.token(&value).cloned() else {
        return unauthorized();
    };
    drop(state);
    let mut body = token_json(&record);
    body["token"] = Value::String(value);
    json(StatusCode::OK, body)
}

/// Any other API path: 401 without a good token, else 404.
async fn fallback(_caller: Caller) -> Response {
    json(StatusCode::NOT_FOUND, json!({ "error": "404 Not Found" }))
}
