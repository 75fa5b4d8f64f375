//! GitHub's token pages: classic and fine-grained personal access tokens.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};

use super::{
    checkboxes, expires_in, form, index, login_field, max_len, minted, page, refused, required,
    select, text_input, textarea, Params,
};
use crate::server::App;
use crate::spec::TokenSpec;

const GITHUB_CLASSIC_SCOPES: &[&str] = &[
    "repo",
    "repo:status",
    "repo_deployment",
    "public_repo",
    "repo:invite",
    "security_events",
    "workflow",
    "admin:org",
    "write:org",
    "read:org",
    "admin:repo_hook",
    "write:repo_hook",
    "read:repo_hook",
    "user",
    "read:user",
    "user:email",
];
const GITHUB_CLASSIC_EXPIRY: &[(&str, &str)] = &[
    ("7", "7 days"),
    ("30", "30 days"),
    ("60", "60 days"),
    ("90", "90 days"),
    ("365", "365 days"),
    ("none", "No expiration"),
];
const FINE_GRAINED_LEVELS: &[(&str, &str)] = &[
    ("none", "No access"),
    ("read", "Read-only"),
    ("write", "Read and write"),
];
/// (form name, label) of the fine-grained permissions the page offers.
const FINE_GRAINED_PERMISSIONS: &[(&str, &str)] = &[
    ("contents", "Contents"),
    ("pull_requests", "Pull requests"),
    ("repository_hooks", "Webhooks"),
];

/// GitHub's pages, at the listener's root.
pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route(
            "/settings/tokens/new",
            get(github_classic_form).post(github_classic_submit),
        )
        .route(
            "/settings/personal-access-tokens/new",
            get(github_fine_grained_form).post(github_fine_grained_submit),
        )
        .route("/", get(github_index))
}

const CLASSIC_TITLE: &str = "New personal access token (classic)";

/// The classic page's expiry: the posted `expires_in` when a refused form
/// is shown again, else the link's `default_expires_at` (days or `none`,
/// as the real page reads it), else 30 days (the real page's default). A
/// number of days the list lacks is offered as a custom choice.
fn github_classic_fields(params: &Params) -> String {
    let wanted = params
        .get("expires_in")
        .or_else(|| params.get("default_expires_at"))
        .map(str::trim)
        .filter(|v| *v == "none" || v.parse::<u32>().is_ok_and(|days| (1..=366).contains(&days)));
    let custom;
    let mut options: Vec<(&str, &str)> = GITHUB_CLASSIC_EXPIRY.to_vec();
    if let Some(days) = wanted.filter(|v| !options.iter().any(|(o, _)| o == v)) {
        custom = format!("{days} days (custom)");
        options.insert(options.len() - 1, (days, custom.as_str()));
    }
    let expiry = wanted.unwrap_or("30");
    [
        login_field(params),
        text_input(
            "description",
            "Note (what's this token for?)",
            params.get("description").unwrap_or_default(),
            "",
        ),
        select("expires_in", "Expiration", &options, expiry),
        checkboxes(
            "Select scopes",
            GITHUB_CLASSIC_SCOPES,
            &params.list("scopes"),
        ),
    ]
    .concat()
}

async fn github_classic_form(Query(query): Query<Vec<(String, String)>>) -> Response {
    let fields = github_classic_fields(&Params(query));
    page(
        StatusCode::OK,
        CLASSIC_TITLE,
        &form(None, &fields, "Generate token"),
    )
}

async fn github_classic_submit(
    State(app): State<App>,
    Form(posted): Form<Vec<(String, String)>>,
) -> Response {
    let params = Params(posted);
    let spec = (|| {
        let note = required(&params, "description", "Note")?;
        let expires = expires_in(&params)?;
        let scopes = params.list("scopes");
        let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
        let mut spec = TokenSpec::github_classic(&params.login(), &scopes).name(note);
        spec.expires_at = expires;
        Ok(spec)
    })();
    match spec {
        Ok(spec) => minted(&app, CLASSIC_TITLE, spec),
        Err(e) => refused(
            CLASSIC_TITLE,
            &e,
            &github_classic_fields(&params),
            "Generate token",
        ),
    }
}

const FINE_GRAINED_TITLE: &str = "New fine-grained personal access token";

/// `prefill_repositories` is false for the deep link: the real page makes
/// the user pick repositories by hand.
fn github_fine_grained_fields(params: &Params, prefill_repositories: bool) -> String {
    let mut html = [
        login_field(params),
        text_input(
            "name",
            "Token name",
            params.get("name").unwrap_or_default(),
            " maxlength=\"40\"",
        ),
        textarea(
            "description",
            "Description",
            params.get("description").unwrap_or_default(),
            1024,
        ),
        text_input(
            "target_name",
            "Resource owner",
            params.get("target_name").unwrap_or_default(),
            "",
        ),
        text_input(
            "expires_in",
            "Expiration (days from 1 to 366, or none)",
            params.get("expires_in").unwrap_or("30"),
            "",
        ),
        text_input(
            "repositories",
            "Only select repositories (owner/name, comma separated)",
            if prefill_repositories {
                params.get("repositories").unwrap_or_default()
            } else {
                ""
            },
            "",
        ),
    ]
    .concat();
    html.push_str("<fieldset>\n<legend>Repository permissions</legend>\n");
    for (name, label) in FINE_GRAINED_PERMISSIONS {
        let level = params
            .get(name)
            .filter(|v| FINE_GRAINED_LEVELS.iter().any(|(o, _)| o == v))
            .unwrap_or("none");
        html.push_str(&select(name, label, FINE_GRAINED_LEVELS, level));
    }
    html.push_str("</fieldset>\n");
    html
}

async fn github_fine_grained_form(Query(query): Query<Vec<(String, String)>>) -> Response {
    let fields = github_fine_grained_fields(&Params(query), false);
    page(
        StatusCode::OK,
        FINE_GRAINED_TITLE,
        &form(None, &fields, "Generate token"),
    )
}

async fn github_fine_grained_submit(
    State(app): State<App>,
    Form(posted): Form<Vec<(String, String)>>,
) -> Response {
    let params = Params(posted);
    let spec = (|| {
        let name = required(&params, "name", "Token name")?;
        max_len(name, "Token name", 40)?;
        max_len(
            params.get("description").unwrap_or_default(),
            "Description",
            1024,
        )?;
        let expires = expires_in(&params)?;
        let login = params.login();
        let owner = params.text("target_name").unwrap_or(&login).to_owned();
        let repos: Vec<String> = params
            .list("repositories")
            .into_iter()
            .map(|r| {
                if r.contains('/') {
                    r
                } else {
                    format!("{owner}/{r}")
                }
            })
            .collect();
        let repos: Vec<&str> = repos.iter().map(String::as_str).collect();
        let permissions: Vec<(&str, &str)> = FINE_GRAINED_PERMISSIONS
            .iter()
            .filter_map(|(p, _)| {
                let level = params.get(p)?;
                matches!(level, "read" | "write").then_some((*p, level))
            })
            .collect();
        let mut spec = TokenSpec::github_fine_grained(&login, &repos, &permissions).name(name);
        spec.expires_at = expires;
        spec.target = Some(owner);
        Ok(spec)
    })();
    match spec {
        Ok(spec) => minted(&app, FINE_GRAINED_TITLE, spec),
        Err(e) => refused(
            FINE_GRAINED_TITLE,
            &e,
            &github_fine_grained_fields(&params, true),
            "Generate token",
        ),
    }
}

async fn github_index(State(app): State<App>) -> Response {
    let base = &app.shared.urls.github;
    index(
        "GitHub (simulated)",
        &[
            ("/settings/tokens/new", "New classic token"),
            (
                "/settings/personal-access-tokens/new",
                "New fine-grained token",
            ),
        ],
        &format!("{base}/api/v3"),
    )
}
