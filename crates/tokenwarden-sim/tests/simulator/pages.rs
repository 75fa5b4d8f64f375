//! The token-creation pages: pre-fill from deep links, minting, escaping.

use reqwest::StatusCode;
use tokenwarden_sim::{Simulator, TokenKind, DEFAULT_LOGIN};

use crate::support::{client, get, get_json, header, shown_token};

async fn html(url: &str) -> (StatusCode, String) {
    let response = get(url, None).await;
    let status = response.status();
    assert!(header(response.headers(), "content-type").starts_with("text/html"));
    (status, response.text().await.unwrap())
}

async fn post_form(url: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let response = client().post(url).form(form).send().await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn github_classic_page_prefills_and_mints_a_working_token() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_repo("acme/app");
    let url = format!(
        "{}/settings/tokens/new?scopes=repo,admin:repo_hook,read:org&description=github-main-org-production",
        sim.github_url()
    );
    let (status, page) = html(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<form method=\"post\">"));
    assert!(page.contains(
        "<input type=\"checkbox\" id=\"scope-repo\" name=\"scopes\" value=\"repo\" checked>"
    ));
    assert!(page.contains(
        "id=\"scope-admin-repo_hook\" name=\"scopes\" value=\"admin:repo_hook\" checked>"
    ));
    assert!(page.contains("value=\"read:org\" checked>"));
    assert!(
        page.contains("value=\"workflow\">"),
        "unrequested scopes stay unchecked"
    );
    assert!(page
        .contains("id=\"description\" name=\"description\" value=\"github-main-org-production\""));
    assert!(page.contains(&format!(
        "id=\"login\" name=\"login\" value=\"{DEFAULT_LOGIN}\""
    )));
    assert!(page.contains("<option value=\"none\">"));

    let (status, result) = post_form(
        &url,
        &[
            ("login", "sim-user"),
            ("description", "github-main-org-production"),
            ("expires_in", "90"),
            ("scopes", "repo"),
            ("scopes", "admin:repo_hook"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = shown_token(&result);
    assert!(token.starts_with("ghp_"));

    let (status, h, body) = get_json(&format!("{}/user", sim.github_api_url()), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["login"], DEFAULT_LOGIN);
    assert_eq!(header(&h, "x-oauth-scopes"), "repo, admin:repo_hook");
    assert!(h.contains_key("github-authentication-token-expiration"));
    let (status, _, _) = get_json(
        &format!("{}/repos/acme/app/hooks", sim.github_api_url()),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let minted = sim.minted();
    assert_eq!(minted.len(), 1);
    assert_eq!(minted[0].0, token);
    assert_eq!(minted[0].1.kind, TokenKind::GithubClassic);
    assert_eq!(minted[0].1.name, "github-main-org-production");
    assert_eq!(minted[0].1.login, DEFAULT_LOGIN);
}

/// The real classic page defaults to 30 days and reads the link's
/// `default_expires_at` (days, or `none`).
#[tokio::test]
async fn github_classic_page_reads_default_expires_at_and_defaults_to_30_days() {
    let sim = Simulator::start().await.unwrap();
    let base = format!("{}/settings/tokens/new?scopes=repo", sim.github_url());
    let (_, page) = html(&base).await;
    assert!(page.contains("<option value=\"30\" selected>"), "{page}");
    let (_, page) = html(&format!("{base}&default_expires_at=90")).await;
    assert!(page.contains("<option value=\"90\" selected>"), "{page}");
    let (_, page) = html(&format!("{base}&default_expires_at=none")).await;
    assert!(page.contains("<option value=\"none\" selected>"), "{page}");
    // A number of days the list lacks becomes a custom choice.
    let (_, page) = html(&format!("{base}&default_expires_at=180")).await;
    assert!(
        page.contains("<option value=\"180\" selected>180 days (custom)</option>"),
        "{page}"
    );
    // Nonsense is ignored.
    let (_, page) = html(&format!("{base}&default_expires_at=9000")).await;
    assert!(page.contains("<option value=\"30\" selected>"), "{page}");
}

#[tokio::test]
async fn github_fine_grained_page_prefills_all_but_repositories() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_repo("acme/app");
    let url = format!(
        "{}/settings/personal-access-tokens/new?name=deploy&description=For%20Qovery&target_name=acme&expires_in=90&contents=read&pull_requests=write&repository_hooks=write&repositories=acme/app",
        sim.github_url()
    );
    let (status, page) = html(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"name\" name=\"name\" value=\"deploy\" maxlength=\"40\""));
    assert!(page.contains("maxlength=\"1024\">For Qovery</textarea>"));
    assert!(page.contains("id=\"target_name\" name=\"target_name\" value=\"acme\""));
    assert!(page.contains("id=\"expires_in\" name=\"expires_in\" value=\"90\""));
    assert!(page.contains("id=\"repositories\" name=\"repositories\" value=\"\""));
    let select = |name: &str| {
        let start = page.find(&format!("<select id=\"{name}\"")).unwrap();
        let end = start + page[start..].find("</select>").unwrap();
        page[start..end].to_owned()
    };
    assert!(select("contents").contains("<option value=\"read\" selected>"));
    assert!(select("pull_requests").contains("<option value=\"write\" selected>"));
    assert!(select("repository_hooks").contains("<option value=\"write\" selected>"));

    let (status, result) = post_form(
        &url,
        &[
            ("login", "octo"),
            ("name", "deploy"),
            ("description", "For Qovery"),
            ("target_name", "acme"),
            ("expires_in", "90"),
            ("repositories", "app"),
            ("contents", "read"),
            ("pull_requests", "write"),
            ("repository_hooks", "none"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = shown_token(&result);
    assert!(token.starts_with("github_pat_"));
    let spec = sim.token(&token).unwrap();
    assert_eq!(spec.login, "octo");
    assert_eq!(spec.repositories, vec!["acme/app"]);
    assert_eq!(
        spec.permissions.get("pull_requests").map(String::as_str),
        Some("write")
    );
    assert!(!spec.permissions.contains_key("repository_hooks"));

    let api = sim.github_api_url();
    let (status, h, _) = get_json(&format!("{api}/repos/acme/app"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!h.contains_key("x-oauth-scopes"));
    assert_eq!(
        get_json(&format!("{api}/repos/acme/app/hooks"), Some(&token))
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    let long = "x".repeat(41);
    let (status, refused) = post_form(&url, &[("name", long.as_str()), ("expires_in", "30")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("id=\"error\""));
    let (status, _) = post_form(&url, &[("name", "ok"), ("expires_in", "367")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(sim.minted().len(), 1);
}

#[tokio::test]
async fn gitlab_personal_page_prefills_and_mints() {
    let sim = Simulator::start().await.unwrap();
    for path in [
        "/-/user_settings/personal_access_tokens",
        "/-/profile/personal_access_tokens",
    ] {
        let url = format!(
            "{}{path}?name=qovery&scopes=api,read_repository",
            sim.gitlab_url()
        );
        let (status, page) = html(&url).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(page.contains("id=\"name\" name=\"name\" value=\"qovery\""));
        assert!(page.contains("id=\"scope-api\" name=\"scopes\" value=\"api\" checked>"));
        assert!(page.contains("value=\"read_repository\" checked>"));
        assert!(page.contains("value=\"self_rotate\">"));
        assert!(page.contains("type=\"date\" id=\"expires_at\""));
    }
    let url = format!(
        "{}/-/user_settings/personal_access_tokens",
        sim.gitlab_url()
    );
    let (status, result) = post_form(
        &url,
        &[
            ("login", "jane"),
            ("name", "qovery"),
            ("expires_at", "2099-12-31"),
            ("scopes", "api"),
            ("scopes", "read_repository"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = shown_token(&result);
    let (status, _, body) = get_json(
        &format!("{}/personal_access_tokens/self", sim.gitlab_api_url()),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["name"], "qovery");
    assert_eq!(body["expires_at"], "2099-12-31");
    assert_eq!(
        body["scopes"],
        serde_json::json!(["api", "read_repository"])
    );

    let (status, refused) = post_form(&url, &[("name", "no-scope")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("Select at least one scope"));
}

#[tokio::test]
async fn gitlab_project_and_group_pages_mint_bot_tokens_with_a_role() {
    let sim = Simulator::start().await.unwrap();
    sim.add_gitlab_project("acme/app", 42);
    sim.add_gitlab_group("acme", 7);
    let url = format!(
        "{}/acme/app/-/settings/access_tokens?name=deploy&scopes=api,read_repository&access_level=40",
        sim.gitlab_url()
    );
    let (status, page) = html(&url).await;
    assert_eq!(status, StatusCode::OK);
    // As on GitLab, the project page reads nothing from the address: the
    // role starts at Guest, and neither name nor scopes are filled in.
    assert!(page.contains("<option value=\"10\" selected>Guest</option>"));
    assert!(!page.contains("<option value=\"40\" selected>"));
    assert!(!page.contains("value=\"deploy\""));
    assert!(!page.contains("checked"));
    assert!(page.contains("value=\"project_42_bot_"));
    let (status, result) = post_form(
        &url,
        &[
            ("login", "project_42_bot_x"),
            ("name", "deploy"),
            ("access_level", "40"),
            ("scopes", "api"),
            ("scopes", "read_repository"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = shown_token(&result);
    let spec = sim.token(&token).unwrap();
    assert_eq!(spec.kind, TokenKind::GitlabProject);
    assert_eq!(spec.target.as_deref(), Some("acme/app"));
    let (status, _, body) = get_json(
        &format!(
            "{}/projects/acme%2Fapp/members/all/{}",
            sim.gitlab_api_url(),
            spec.user_id
        ),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["access_level"], 40);

    let group_url = format!("{}/groups/acme/-/settings/access_tokens", sim.gitlab_url());
    let (status, page) = html(&group_url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<option value=\"10\" selected>Guest</option>"));
    let (status, result) = post_form(
        &group_url,
        &[
            ("name", "g"),
            ("access_level", "50"),
            ("scopes", "read_api"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let spec = sim.token(&shown_token(&result)).unwrap();
    assert_eq!(spec.kind, TokenKind::GitlabGroup);
    assert_eq!(spec.access_level, Some(50));

    let (status, _) = html(&format!("{}/nothing/here", sim.gitlab_url())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bitbucket_pages_mint_repository_and_workspace_tokens() {
    let sim = Simulator::start().await.unwrap();
    sim.add_bitbucket_repo("ws", "app");
    let url = format!(
        "{}/ws/app/admin/access-tokens?name=qovery",
        sim.bitbucket_url()
    );
    let (status, page) = html(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"name\" name=\"name\" value=\"qovery\""));
    assert!(page
        .contains("id=\"scope-pullrequest-write\" name=\"scopes\" value=\"pullrequest:write\">"));
    let (status, result) = post_form(
        &url,
        &[
            ("name", "qovery"),
            ("scopes", "repository"),
            ("scopes", "pullrequest:write"),
            ("scopes", "webhook"),
            ("expires_at", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = shown_token(&result);
    let api = sim.bitbucket_api_url();
    let (status, h, _) = get_json(&format!("{api}/repositories/ws/app"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&h, "x-oauth-scopes"),
        "repository, pullrequest:write, webhook"
    );

    let ws_url = format!(
        "{}/ws/workspace/settings/access-tokens",
        sim.bitbucket_url()
    );
    let (status, result) = post_form(&ws_url, &[("name", "w"), ("scopes", "repository")]).await;
    assert_eq!(status, StatusCode::CREATED);
    let token = shown_token(&result);
    let (status, h, _) = get_json(&format!("{api}/workspaces/ws"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, "x-credential-type"), "workspace_access_token");

    let (status, _) = html(&format!(
        "{}/ws/app/other/access-tokens",
        sim.bitbucket_url()
    ))
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rendered_values_are_escaped() {
    let sim = Simulator::start().await.unwrap();
    let attack = "<script>alert(1)</script>\"'&";
    let encoded = "%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%27%26";
    for url in [
        format!(
            "{}/settings/personal-access-tokens/new?name={encoded}&description={encoded}",
            sim.github_url()
        ),
        format!(
            "{}/settings/tokens/new?description={encoded}&scopes={encoded}",
            sim.github_url()
        ),
        format!(
            "{}/-/user_settings/personal_access_tokens?name={encoded}",
            sim.gitlab_url()
        ),
        format!(
            "{}/ws/app/admin/access-tokens?name={encoded}",
            sim.bitbucket_url()
        ),
    ] {
        let (status, page) = html(&url).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert!(!page.contains("<script"), "{url}");
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"),
            "{url}"
        );
    }
    let (status, result) = post_form(
        &format!("{}/settings/tokens/new", sim.github_url()),
        &[
            ("login", attack),
            ("description", attack),
            ("scopes", "repo"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(!result.contains("<script"));
    assert!(result.contains("&lt;script&gt;"));
    let (status, refused) = post_form(
        &format!("{}/settings/personal-access-tokens/new", sim.github_url()),
        &[
            ("name", ""),
            ("description", attack),
            ("repositories", attack),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!refused.contains("<script"));
    // The project page reads nothing from its address; what is posted is
    // escaped when the form comes back refused.
    sim.add_gitlab_project("acme/app", 42);
    let (status, refused) = post_form(
        &format!("{}/acme/app/-/settings/access_tokens", sim.gitlab_url()),
        &[("login", attack), ("name", attack)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!refused.contains("<script"));
    assert!(refused.contains("&lt;script&gt;"));
}
