//! Bitbucket Cloud's token pages: repository and workspace access tokens.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};

use super::{
    checkboxes, date_input, form, index, minted, named_scoped, not_found_page, page, refused,
    text_input, NamedScoped, Params,
};
use crate::server::App;
use crate::spec::{TokenKind, TokenSpec};

const BITBUCKET_SCOPES: &[&str] = &[
    "repository",
    "repository:write",
    "repository:admin",
    "pullrequest",
    "pullrequest:write",
    "webhook",
    "pipeline",
];

/// Bitbucket's pages: `/{workspace}/{repo}/admin/access-tokens` and
/// `/{workspace}/workspace/settings/access-tokens`, told apart by the
/// middle segments in one route (two routes would overlap).
pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route(
            "/{workspace}/{a}/{b}/access-tokens",
            get(bitbucket_form).post(bitbucket_submit),
        )
        .route("/", get(bitbucket_index))
}

/// (kind, workspace, repository slug, title) of a settings path.
fn bitbucket_target(
    workspace: &str,
    a: &str,
    b: &str,
) -> Option<(TokenKind, Option<String>, String)> {
    match (a, b) {
        ("workspace", "settings") => Some((
            TokenKind::BitbucketWorkspace,
            None,
            format!("Workspace access tokens · {workspace}"),
        )),
        (repo, "admin") => Some((
            TokenKind::BitbucketRepository,
            Some(repo.to_owned()),
            format!("Repository access tokens · {workspace}/{repo}"),
        )),
        _ => None,
    }
}

fn bitbucket_fields(params: &Params) -> String {
    [
        text_input("name", "Name", params.get("name").unwrap_or_default(), ""),
        date_input(
            "expires_at",
            "Expiry date (optional)",
            params.get("expires_at").unwrap_or_default(),
        ),
        checkboxes("Scopes", BITBUCKET_SCOPES, &params.list("scopes")),
    ]
    .concat()
}

async fn bitbucket_form(
    Path((workspace, a, b)): Path<(String, String, String)>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let Some((_, _, title)) = bitbucket_target(&workspace, &a, &b) else {
        return not_found_page();
    };
    // The real pages read no query parameters; `name` is accepted anyway.
    let params = Params(query.into_iter().filter(|(k, _)| k == "name").collect());
    page(
        StatusCode::OK,
        &title,
        &form(None, &bitbucket_fields(&params), "Create"),
    )
}

async fn bitbucket_submit(
    State(app): State<App>,
    Path((workspace, a, b)): Path<(String, String, String)>,
    Form(posted): Form<Vec<(String, String)>>,
) -> Response {
    let Some((kind, repo, title)) = bitbucket_target(&workspace, &a, &b) else {
        return not_found_page();
    };
    let params = Params(posted);
    match named_scoped(&params) {
        Ok(NamedScoped {
            name,
            scopes,
            expires,
        }) => {
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            let repos: Vec<&str> = repo.as_deref().into_iter().collect();
            let mut spec = TokenSpec::bitbucket(kind, &workspace, &repos, &scopes).name(&name);
            spec.expires_at = expires;
            minted(&app, &title, spec)
        }
        Err(e) => refused(&title, &e, &bitbucket_fields(&params), "Create"),
    }
}

async fn bitbucket_index(State(app): State<App>) -> Response {
    let base = &app.shared.urls.bitbucket;
    index(
        "Bitbucket (simulated)",
        &[],
        &format!("{base}/2.0 · pages: /WORKSPACE/REPO/admin/access-tokens, /WORKSPACE/workspace/settings/access-tokens"),
    )
}
