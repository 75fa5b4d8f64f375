//! GitLab's token pages: personal, project and group access tokens.

use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::{Days, Utc};

use super::{
    checkboxes, date_input, form, index, login_field, minted, named_scoped, not_found_page, page,
    refused, select, text_input, NamedScoped, Params,
};
use crate::server::App;
use crate::spec::{TokenKind, TokenSpec};
use crate::state::random_alnum;

const GITLAB_PERSONAL_SCOPES: &[&str] = &[
    "api",
    "read_api",
    "read_user",
    "read_repository",
    "write_repository",
    "self_rotate",
];
const GITLAB_RESOURCE_SCOPES: &[&str] = &[
    "api",
    "read_api",
    "read_repository",
    "write_repository",
    "read_registry",
    "write_registry",
    "self_rotate",
];
const GITLAB_ROLES: &[(&str, &str)] = &[
    ("10", "Guest"),
    ("20", "Reporter"),
    ("30", "Developer"),
    ("40", "Maintainer"),
    ("50", "Owner"),
];

/// GitLab's personal token pages (current and older path). Project and
/// group pages have arbitrary-depth paths and are served by
/// [`resource_page`] as the listener's fallback.
pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route(
            "/-/user_settings/personal_access_tokens",
            get(gitlab_personal_form).post(gitlab_personal_submit),
        )
        .route(
            "/-/profile/personal_access_tokens",
            get(gitlab_personal_form).post(gitlab_personal_submit),
        )
        .route("/", get(gitlab_index))
}

const GITLAB_PERSONAL_TITLE: &str = "Personal access tokens";

fn default_expiry_date() -> String {
    Utc::now()
        .date_naive()
        .checked_add_days(Days::new(30))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

fn gitlab_personal_fields(params: &Params) -> String {
    [
        login_field(params),
        text_input(
            "name",
            "Token name",
            params.get("name").unwrap_or_default(),
            "",
        ),
        date_input(
            "expires_at",
            "Expiration date",
            &params
                .get("expires_at")
                .map_or_else(default_expiry_date, str::to_owned),
        ),
        checkboxes(
            "Select scopes",
            GITLAB_PERSONAL_SCOPES,
            &params.list("scopes"),
        ),
    ]
    .concat()
}

async fn gitlab_personal_form(Query(query): Query<Vec<(String, String)>>) -> Response {
    let fields = gitlab_personal_fields(&Params(query));
    page(
        StatusCode::OK,
        GITLAB_PERSONAL_TITLE,
        &form(None, &fields, "Create personal access token"),
    )
}

async fn gitlab_personal_submit(
    State(app): State<App>,
    Form(posted): Form<Vec<(String, String)>>,
) -> Response {
    let params = Params(posted);
    match named_scoped(&params) {
        Ok(NamedScoped {
            name,
            scopes,
            expires,
        }) => {
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            let mut spec =
                TokenSpec::gitlab(TokenKind::GitlabPersonal, &params.login(), &scopes).name(&name);
            spec.expires_at = expires;
            minted(&app, GITLAB_PERSONAL_TITLE, spec)
        }
        Err(e) => refused(
            GITLAB_PERSONAL_TITLE,
            &e,
            &gitlab_personal_fields(&params),
            "Create personal access token",
        ),
    }
}

/// Which project or group a settings path names.
#[derive(Debug, PartialEq, Eq)]
enum Resource {
    Project(String),
    Group(String),
}

fn gitlab_resource(path: &str) -> Option<Resource> {
    let inner = path
        .strip_prefix('/')?
        .strip_suffix("/-/settings/access_tokens")?;
    if inner.split('/').any(str::is_empty) {
        return None;
    }
    match inner.strip_prefix("groups/") {
        Some(group) => Some(Resource::Group(group.to_owned())),
        // A project lives in a namespace: at least `group/project`.
        None if inner.contains('/') => Some(Resource::Project(inner.to_owned())),
        None => None,
    }
}

fn gitlab_resource_fields(params: &Params) -> String {
    let level = params
        .get("access_level")
        .filter(|v| GITLAB_ROLES.iter().any(|(o, _)| o == v))
        .unwrap_or("10");
    [
        text_input(
            "login",
            "Bot user (simulated)",
            params.get("login").unwrap_or_default(),
            "",
        ),
        text_input(
            "name",
            "Token name",
            params.get("name").unwrap_or_default(),
            "",
        ),
        date_input(
            "expires_at",
            "Expiration date",
            &params
                .get("expires_at")
                .map_or_else(default_expiry_date, str::to_owned),
        ),
        select("access_level", "Select a role", GITLAB_ROLES, level),
        checkboxes(
            "Select scopes",
            GITLAB_RESOURCE_SCOPES,
            &params.list("scopes"),
        ),
    ]
    .concat()
}

/// The project and group access token pages (listener fallback): any other
/// unknown path answers 404. Unlike the personal page, they read nothing
/// from the address.
pub(crate) async fn resource_page(State(app): State<App>, request: Request) -> Response {
    let Some(resource) = gitlab_resource(request.uri().path()) else {
        return not_found_page();
    };
    let (kind, path, title, prefix) = match &resource {
        Resource::Project(p) => (
            TokenKind::GitlabProject,
            p.clone(),
            "Project access tokens",
            "project",
        ),
        Resource::Group(g) => (
            TokenKind::GitlabGroup,
            g.clone(),
            "Group access tokens",
            "group",
        ),
    };
    let id = {
        let state = app.shared.state.lock();
        let map = match resource {
            Resource::Project(_) => &state.gitlab_projects,
            Resource::Group(_) => &state.gitlab_groups,
        };
        map.get(&path.to_ascii_lowercase()).map_or(0, |n| n.id)
    };
    let title = format!("{title} · {path}");
    let submit = "Create access token";
    match *request.method() {
        Method::GET => {
            // GitLab's project and group token pages ignore query
            // parameters (gitlabhq `access_tokens_actions.rb`): no name,
            // scopes or role are pre-filled, and the role starts at Guest.
            // Project and group tokens belong to a new bot user; GitLab
            // names it `project_<id>_bot_<random>`.
            let params = Params(vec![(
                "login".into(),
                format!("{prefix}_{id}_bot_{}", random_alnum(8).to_ascii_lowercase()),
            )]);
            page(
                StatusCode::OK,
                &title,
                &form(None, &gitlab_resource_fields(&params), submit),
            )
        }
        Method::POST => {
            let params = match Form::<Vec<(String, String)>>::from_request(request, &app).await {
                Ok(Form(posted)) => Params(posted),
                Err(e) => return e.into_response(),
            };
            let level = params
                .get("access_level")
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|l| [10, 20, 30, 40, 50].contains(l))
                .unwrap_or(10);
            match named_scoped(&params) {
                Ok(NamedScoped {
                    name,
                    scopes,
                    expires,
                }) => {
                    let login = params
                        .text("login")
                        .map_or_else(|| format!("{prefix}_{id}_bot"), str::to_owned);
                    let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
                    let mut spec = TokenSpec::gitlab(kind, &login, &scopes)
                        .name(&name)
                        .target(&path, level);
                    spec.expires_at = expires;
                    minted(&app, &title, spec)
                }
                Err(e) => refused(&title, &e, &gitlab_resource_fields(&params), submit),
            }
        }
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

async fn gitlab_index(State(app): State<App>) -> Response {
    let base = &app.shared.urls.gitlab;
    index(
        "GitLab (simulated)",
        &[(
            "/-/user_settings/personal_access_tokens",
            "Personal access tokens",
        )],
        &format!("{base}/api/v4"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_settings_paths_name_projects_and_groups() {
        assert_eq!(
            gitlab_resource("/acme/app/-/settings/access_tokens"),
            Some(Resource::Project("acme/app".into()))
        );
        assert_eq!(
            gitlab_resource("/acme/sub/app/-/settings/access_tokens"),
            Some(Resource::Project("acme/sub/app".into()))
        );
        assert_eq!(
            gitlab_resource("/groups/acme/sub/-/settings/access_tokens"),
            Some(Resource::Group("acme/sub".into()))
        );
        assert_eq!(gitlab_resource("/app/-/settings/access_tokens"), None);
        assert_eq!(gitlab_resource("/acme/app"), None);
    }
}
