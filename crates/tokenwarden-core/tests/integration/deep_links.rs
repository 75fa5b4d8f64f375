//! The wizard's hand-off to the provider, in Rust: each deep link opens the
//! simulator's token page pre-filled with what the product needs, the
//! token minted there is then checked, and it is ready.

use tokenwarden_core::check::CheckRequest;
use tokenwarden_core::providers::{new_token_url, NewTokenPage};
use tokenwarden_core::{ProviderKind, TokenKindId};
use url::Url;

use crate::support::*;

fn page(kind: TokenKindId, web: &str) -> NewTokenPage {
    NewTokenPage {
        kind,
        web: Url::parse(web).unwrap(),
        name: "acme-web-production".into(),
        description: None,
        org: None,
        project: None,
        group: None,
        workspace: None,
        repo: None,
        expires_in_days: Some(90),
    }
}

async fn fetch(url: &Url) -> String {
    let response = reqwest::get(url.clone()).await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.text().await.unwrap()
}

/// The ticked scope boxes, sorted (the page orders them its own way).
fn checked_scopes(html: &str) -> Vec<String> {
    let mut scopes: Vec<String> = html
        .lines()
        .filter(|l| l.contains("name=\"scopes\"") && l.contains(" checked"))
        .filter_map(|l| {
            l.split("value=\"")
                .nth(1)?
                .split('"')
                .next()
                .map(str::to_owned)
        })
        .collect();
    scopes.sort();
    scopes
}

fn input_value(html: &str, id: &str) -> Option<String> {
    let line = html
        .lines()
        .find(|l| l.contains(&format!("id=\"{id}\"")) && l.contains("<input"))?;
    line.split("value=\"")
        .nth(1)?
        .split('"')
        .next()
        .map(str::to_owned)
}

fn selected(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("<select id=\"{id}\""))?;
    let block = &html[start..start + html[start..].find("</select>")?];
    let option = block.lines().find(|l| l.contains(" selected>"))?;
    option
        .split("value=\"")
        .nth(1)?
        .split('"')
        .next()
        .map(str::to_owned)
}

/// Submits a token page's form and returns the token it shows once.
async fn mint(url: &Url, form: &[(&str, &str)]) -> String {
    let response = reqwest::Client::new()
        .post(url.clone())
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let html = response.text().await.unwrap();
    let start = html.find("<code id=\"new-token\">").unwrap() + "<code id=\"new-token\">".len();
    html[start..start + html[start..].find("</code>").unwrap()].to_owned()
}

#[tokio::test]
async fn github_classic_link_prefills_the_scopes_and_the_minted_token_is_ready() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_org("acme", &["deploy-bot"]);
    let mut p = page(TokenKindId::Classic, &sim.github_url());
    p.org = Some("acme".into());
    let url = new_token_url(ProviderKind::Github, &p);
    let html = fetch(&url).await;
    assert_eq!(
        checked_scopes(&html),
        ["admin:repo_hook", "read:org", "repo"]
    );
    assert_eq!(
        input_value(&html, "description").as_deref(),
        Some("acme-web-production")
    );
    // The real page defaults to 30 days; the link's `default_expires_at`
    // picks the wizard's expiry instead.
    assert_eq!(
        url.query_pairs()
            .find(|(k, _)| k == "default_expires_at")
            .map(|(_, v)| v.into_owned())
            .as_deref(),
        Some("90")
    );
    assert_eq!(selected(&html, "expires_in").as_deref(), Some("90"));

    let token = mint(
        &url,
        &[
            ("login", "deploy-bot"),
            ("description", "acme-web-production"),
            ("expires_in", "90"),
            ("scopes", "repo"),
            ("scopes", "admin:repo_hook"),
            ("scopes", "read:org"),
        ],
    )
    .await;
    let mut req = CheckRequest::new(
        ProviderKind::Github,
        Url::parse(&sim.github_api_url()).unwrap(),
    );
    req.org = Some("acme".into());
    let report = check(&req, &token).await;
    assert!(report.ready, "{:?}", report.problems);
    assert_eq!(report.expires_at.unwrap().date_naive(), date_in_days(90));
}

#[tokio::test]
async fn github_fine_grained_link_prefills_owner_expiry_and_permission_levels() {
    let sim = Simulator::start().await.unwrap();
    let mut p = page(TokenKindId::FineGrained, &sim.github_url());
    p.org = Some("acme".into());
    let html = fetch(&new_token_url(ProviderKind::Github, &p)).await;
    assert_eq!(
        input_value(&html, "name").as_deref(),
        Some("acme-web-production")
    );
    assert_eq!(input_value(&html, "target_name").as_deref(), Some("acme"));
    assert_eq!(input_value(&html, "expires_in").as_deref(), Some("90"));
    assert_eq!(selected(&html, "contents").as_deref(), Some("read"));
    assert_eq!(selected(&html, "pull_requests").as_deref(), Some("write"));
    assert_eq!(
        selected(&html, "repository_hooks").as_deref(),
        Some("write")
    );
    // Repositories are never pre-filled: the user picks them by hand.
    assert_eq!(input_value(&html, "repositories").as_deref(), Some(""));
}

#[tokio::test]
async fn gitlab_personal_link_prefills_name_and_scopes_and_the_minted_token_is_ready() {
    let sim = Simulator::start().await.unwrap();
    sim.add_gitlab_project("acme/web", 42);
    let url = new_token_url(
        ProviderKind::Gitlab,
        &page(TokenKindId::Personal, &sim.gitlab_url()),
    );
    let html = fetch(&url).await;
    assert_eq!(checked_scopes(&html), ["api", "read_repository"]);
    assert_eq!(
        input_value(&html, "name").as_deref(),
        Some("acme-web-production")
    );
    let token = mint(
        &url,
        &[
            ("login", "deployer"),
            ("name", "acme-web-production"),
            ("expires_at", &date_in_days(120).to_string()),
            ("scopes", "api"),
            ("scopes", "read_repository"),
        ],
    )
    .await;
    let report = check(
        &CheckRequest::new(
            ProviderKind::Gitlab,
            Url::parse(&sim.gitlab_api_url()).unwrap(),
        ),
        &token,
    )
    .await;
    assert!(report.ready, "{:?}", report.problems);
}

/// GitLab's project and group token pages read nothing from their address
/// and start at Guest: the link carries no parameters, the page (played by
/// the simulator as GitLab serves it) shows Guest and no scopes, and the
/// catalogue never calls the link pre-filled but says what to pick.
#[tokio::test]
async fn gitlab_project_and_group_links_are_not_pre_filled_and_say_what_to_pick() {
    let sim = Simulator::start().await.unwrap();
    sim.add_gitlab_project("acme/web", 42);
    sim.add_gitlab_group("acme", 7);
    for kind in [TokenKindId::Project, TokenKindId::Group] {
        let mut p = page(kind, &sim.gitlab_url());
        p.project = Some("acme/web".into());
        p.group = Some("acme".into());
        let url = new_token_url(ProviderKind::Gitlab, &p);
        assert_eq!(url.query(), None, "{url}");
        let html = fetch(&url).await;
        assert_eq!(selected(&html, "access_level").as_deref(), Some("10"));
        assert!(checked_scopes(&html).is_empty());
    }
    let catalogue = tokenwarden_core::Catalogue::load();
    let gitlab = catalogue
        .deployments
        .iter()
        .find(|d| d.provider == ProviderKind::Gitlab)
        .unwrap();
    for kind in &gitlab.token_kinds {
        let bot = matches!(kind.id, TokenKindId::Project | TokenKindId::Group);
        assert_eq!(kind.page.prefilled, !bot, "{:?}", kind.id);
        if bot {
            assert!(kind.page.note.contains("Maintainer (or Owner)"));
            assert!(kind.page.note.contains("api and read_repository"));
            assert!(kind.page.note.contains("expiration date"));
        }
    }
}

#[tokio::test]
async fn bitbucket_links_open_the_access_token_pages() {
    let sim = Simulator::start().await.unwrap();
    sim.add_bitbucket_workspace("acme");
    sim.add_bitbucket_repo("acme", "web");
    let mut p = page(TokenKindId::Repository, &sim.bitbucket_url());
    p.workspace = Some("acme".into());
    p.repo = Some("web".into());
    let html = fetch(&new_token_url(ProviderKind::Bitbucket, &p)).await;
    assert!(
        html.contains("name=\"scopes\""),
        "the repository token form is served"
    );
    p.kind = TokenKindId::Workspace;
    fetch(&new_token_url(ProviderKind::Bitbucket, &p)).await;
}
