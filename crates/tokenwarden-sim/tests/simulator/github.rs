//! GitHub's API: headers, probes, and the refusals a checker must tell apart.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use tokenwarden_sim::{SecondaryLimit, Simulator, TokenSpec};

use crate::support::{client, get_json, header};

#[tokio::test]
async fn classic_user_carries_scopes_rate_limit_and_utc_expiry() {
    let sim = Simulator::start().await.unwrap();
    let at = Utc.with_ymd_and_hms(2030, 1, 2, 3, 4, 5).unwrap();
    let token = sim.add_token(
        TokenSpec::github_classic("octo", &["repo", "admin:repo_hook", "read:org"]).expires_at(at),
    );
    let (status, h, body) = get_json(&format!("{}/user", sim.github_api_url()), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["login"], "octo");
    assert_eq!(body["type"], "User");
    assert!(body["id"].as_u64().unwrap() > 0);
    assert!(body["name"].is_null());
    assert_eq!(
        header(&h, "x-oauth-scopes"),
        "repo, admin:repo_hook, read:org"
    );
    assert!(h.contains_key("x-accepted-oauth-scopes"));
    assert_eq!(header(&h, "x-ratelimit-limit"), "5000");
    assert_eq!(header(&h, "x-ratelimit-remaining"), "4999");
    assert_eq!(header(&h, "x-ratelimit-resource"), "core");
    let reset: i64 = header(&h, "x-ratelimit-reset").parse().unwrap();
    assert!(reset > Utc::now().timestamp());
    assert_eq!(
        header(&h, "github-authentication-token-expiration"),
        "2030-01-02 03:04:05 UTC"
    );
    assert!(header(&h, "content-type").starts_with("application/json"));
}

#[tokio::test]
async fn expiry_header_in_offset_form_and_token_scheme() {
    let sim = Simulator::start().await.unwrap();
    let at = Utc.with_ymd_and_hms(2030, 1, 2, 3, 4, 5).unwrap();
    let token = sim.add_token(
        TokenSpec::github_classic("octo", &[])
            .expires_at(at)
            .expiry_offset_minutes(540),
    );
    let response = client()
        .get(format!("{}/user", sim.github_api_url()))
        .header("Authorization", format!("token {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let h = response.headers();
    assert_eq!(
        header(h, "github-authentication-token-expiration"),
        "2030-01-02 12:04:05 +0900"
    );
    // A classic token without scopes still sends the header, empty.
    assert!(h.contains_key("x-oauth-scopes"));
    assert_eq!(header(h, "x-oauth-scopes"), "");

    let never = sim.add_token(TokenSpec::github_classic("octo", &["repo"]));
    let (_, h, _) = get_json(&format!("{}/user", sim.github_api_url()), Some(&never)).await;
    assert!(!h.contains_key("github-authentication-token-expiration"));
}

#[tokio::test]
async fn fine_grained_has_no_scopes_header_and_probes_answer_per_permission() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_repo("acme/app");
    sim.add_github_repo("acme/other");
    let token = sim.add_token(TokenSpec::github_fine_grained(
        "octo",
        &["acme/app"],
        &[("contents", "read"), ("repository_hooks", "write")],
    ));
    let api = sim.github_api_url();

    let (status, h, _) = get_json(&format!("{api}/user"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!h.contains_key("x-oauth-scopes"));
    assert!(!h.contains_key("x-accepted-oauth-scopes"));

    let (status, _, body) = get_json(&format!("{api}/repos/acme/app"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["full_name"], "acme/app");
    assert_eq!(body["private"], true);
    assert!(body["permissions"].is_object());

    let (status, _, body) = get_json(&format!("{api}/repos/acme/app/hooks"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!([]));

    let (status, h, body) = get_json(
        &format!("{api}/repos/acme/app/pulls?per_page=1"),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body["message"],
        "Resource not accessible by personal access token"
    );
    assert_eq!(
        header(&h, "x-accepted-github-permissions"),
        "pull_requests=read"
    );

    // A repository the token was not given: 404 on every probe.
    for path in ["", "/hooks", "/pulls?per_page=1"] {
        let (status, _, body) =
            get_json(&format!("{api}/repos/acme/other{path}"), Some(&token)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["message"], "Not Found");
    }

    let no_hooks = sim.add_token(TokenSpec::github_fine_grained(
        "octo",
        &["acme/app"],
        &[("pull_requests", "write")],
    ));
    let (status, h, _) = get_json(&format!("{api}/repos/acme/app/hooks"), Some(&no_hooks)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        header(&h, "x-accepted-github-permissions"),
        "repository_hooks=read"
    );
    let (status, _, _) = get_json(
        &format!("{api}/repos/acme/app/pulls?per_page=1"),
        Some(&no_hooks),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn classic_scopes_gate_repos_hooks_and_pulls() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_repo("acme/app");
    let api = sim.github_api_url();
    let repo_only = sim.add_token(TokenSpec::github_classic("octo", &["repo"]));
    let status = |path: &'static str, token: String| {
        let api = api.clone();
        async move { get_json(&format!("{api}{path}"), Some(&token)).await.0 }
    };
    assert_eq!(
        status("/repos/acme/app", repo_only.clone()).await,
        StatusCode::OK
    );
    assert_eq!(
        status("/repos/acme/app/pulls?per_page=1", repo_only.clone()).await,
        StatusCode::OK
    );
    // `repo` alone does not reach hooks.
    assert_eq!(
        status("/repos/acme/app/hooks", repo_only.clone()).await,
        StatusCode::NOT_FOUND
    );
    let (_, h, _) = get_json(&format!("{api}/repos/acme/app"), Some(&repo_only)).await;
    assert_eq!(header(&h, "x-accepted-oauth-scopes"), "repo");

    let full = sim.add_token(TokenSpec::github_classic(
        "octo",
        &["repo", "admin:repo_hook"],
    ));
    assert_eq!(
        status("/repos/acme/app/hooks", full.clone()).await,
        StatusCode::OK
    );
    assert_eq!(
        status("/repos/acme/missing", full).await,
        StatusCode::NOT_FOUND
    );

    let none = sim.add_token(TokenSpec::github_classic("octo", &["read:org"]));
    assert_eq!(status("/repos/acme/app", none).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_revoked_expired_and_missing_tokens_get_bad_credentials() {
    let sim = Simulator::start().await.unwrap();
    let api = sim.github_api_url();
    let token = sim.add_token(TokenSpec::github_classic("octo", &["repo"]));
    assert_eq!(
        get_json(&format!("{api}/user"), Some(&token)).await.0,
        StatusCode::OK
    );
    sim.revoke(&token);
    let expired = sim.add_token(
        TokenSpec::github_classic("octo", &["repo"])
            .expires_at(Utc::now() - chrono::Duration::minutes(1)),
    );
    let gitlab_token = sim.add_token(TokenSpec::gitlab(
        tokenwarden_sim::TokenKind::GitlabPersonal,
        "octo",
        &["api"],
    ));
    for t in [
        Some(token.as_str()),
        Some(expired.as_str()),
        Some("ghp_nonsense"),
        Some(gitlab_token.as_str()),
        None,
    ] {
        for path in ["/user", "/repos/acme/app", "/anything/else"] {
            let (status, _, body) = get_json(&format!("{api}{path}"), t).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} {t:?}");
            assert_eq!(
                body,
                serde_json::json!({
                    "message": "Bad credentials",
                    "documentation_url": "https://docs.github.com/rest",
                    "status": "401"
                })
            );
        }
    }
    assert!(
        sim.token(&token).is_some(),
        "a revoked token can still be inspected"
    );
    assert!(!sim.is_active(&token));
}

#[tokio::test]
async fn sso_enforced_org_answers_403_with_the_authorization_url() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_repo("acme/app");
    sim.add_github_org("acme", &["octo"]);
    let api = sim.github_api_url();
    let token =
        sim.add_token(TokenSpec::github_classic("octo", &["repo", "read:org"]).sso_org("acme"));
    for path in [
        "/orgs/acme",
        "/repos/acme/app",
        "/orgs/acme/memberships/octo",
    ] {
        let (status, h, body) = get_json(&format!("{api}{path}"), Some(&token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        let sso = header(&h, "x-github-sso");
        let prefix = format!(
            "required; url={}/orgs/acme/sso?authorization_request=",
            sim.github_url()
        );
        assert!(sso.starts_with(&prefix), "{sso}");
        assert!(sso.len() > prefix.len());
        assert!(body["message"]
            .as_str()
            .unwrap()
            .starts_with("Resource protected by organization SAML enforcement."));
        assert_eq!(body["status"], "403");
    }
    let (status, h, _) = get_json(&format!("{api}/user"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!h.contains_key("x-github-sso"));
}

fn full_fine_grained(login: &str, repos: &[&str]) -> TokenSpec {
    TokenSpec::github_fine_grained(
        login,
        repos,
        &[
            ("contents", "read"),
            ("pull_requests", "write"),
            ("repository_hooks", "write"),
        ],
    )
}

/// A pending token reads only public resources: GitHub documents no
/// specific refusal, and a private repository answers as if absent (404).
#[tokio::test]
async fn pending_fine_grained_token_reads_only_public_org_repos() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_repo("acme/app");
    sim.add_github_repo("acme/site");
    sim.set_github_repo_public("acme/site");
    sim.add_github_repo("octo/own");
    let api = sim.github_api_url();
    let token = sim.add_token(
        full_fine_grained("octo", &["acme/app", "acme/site", "octo/own"]).pending_org("acme"),
    );
    for path in [
        "/repos/acme/app",
        "/repos/acme/app/hooks",
        "/repos/acme/app/pulls?per_page=1",
        "/repos/acme/app/commits?per_page=1",
    ] {
        let (status, _, body) = get_json(&format!("{api}{path}"), Some(&token)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["message"], "Not Found");
    }
    for path in [
        "/repos/acme/site",
        "/repos/acme/site/pulls?per_page=1",
        "/repos/octo/own",
    ] {
        let (status, _, _) = get_json(&format!("{api}{path}"), Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    // Webhooks are never public: still refused on the public repository.
    let (status, _, _) = get_json(&format!("{api}/repos/acme/site/hooks"), Some(&token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_empty_repository_answers_409_on_commits_and_no_branches() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_repo("acme/new");
    sim.set_github_repo_empty("acme/new");
    let api = sim.github_api_url();
    let token = sim.add_token(full_fine_grained("octo", &["acme/new"]));
    let (status, h, body) = get_json(
        &format!("{api}/repos/acme/new/commits?per_page=1"),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["message"], "Git Repository is empty.");
    assert_eq!(body["status"], "409");
    assert_eq!(header(&h, "x-accepted-github-permissions"), "contents=read");
    let (status, h, body) = get_json(
        &format!("{api}/repos/acme/new/branches?per_page=1"),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!([]));
    assert_eq!(header(&h, "x-accepted-github-permissions"), "contents=read");
    // Branches need Contents read like commits do.
    let without = sim.add_token(TokenSpec::github_fine_grained("octo", &["acme/new"], &[]));
    let (status, h, body) =
        get_json(&format!("{api}/repos/acme/new/branches"), Some(&without)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body["message"],
        "Resource not accessible by personal access token"
    );
    assert_eq!(header(&h, "x-accepted-github-permissions"), "contents=read");
}

#[tokio::test]
async fn a_public_repository_is_read_without_any_permission() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_repo("acme/site");
    sim.set_github_repo_public("acme/site");
    sim.add_github_repo("acme/web");
    let api = sim.github_api_url();
    // Given no repository and no permission at all.
    let token = sim.add_token(TokenSpec::github_fine_grained("octo", &[], &[]));
    let (status, _, body) = get_json(&format!("{api}/repos/acme/site"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["private"], false);
    assert_eq!(body["visibility"], "public");
    for probe in ["commits?per_page=1", "pulls?per_page=1", "branches"] {
        let (status, _, _) =
            get_json(&format!("{api}/repos/acme/site/{probe}"), Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{probe}");
    }
    let (status, _, _) = get_json(&format!("{api}/repos/acme/web"), Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let full = sim.add_token(full_fine_grained("octo", &["acme/web"]));
    let (_, _, body) = get_json(&format!("{api}/repos/acme/web"), Some(&full)).await;
    assert_eq!(body["private"], true);
    assert_eq!(body["visibility"], "private");
}

#[tokio::test]
async fn an_organization_forbidding_classic_tokens_says_so() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_org("acme", &["octo"]);
    sim.add_github_repo("acme/web");
    sim.forbid_github_classic_tokens("acme");
    let api = sim.github_api_url();
    let classic = sim.add_token(TokenSpec::github_classic(
        "octo",
        &["repo", "admin:repo_hook", "read:org"],
    ));
    for path in [
        "/orgs/acme",
        "/orgs/acme/memberships/octo",
        "/repos/acme/web",
        "/repos/acme/web/hooks",
    ] {
        let (status, _, body) = get_json(&format!("{api}{path}"), Some(&classic)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            body["message"],
            "`acme` forbids access via a personal access token (classic). Please use a GitHub App, OAuth App, or a fine-grained personal access token."
        );
    }
    let fine = sim.add_token(full_fine_grained("octo", &["acme/web"]));
    let (status, _, _) = get_json(&format!("{api}/repos/acme/web"), Some(&fine)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn hooks_need_the_user_to_be_a_repository_admin() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_repo("acme/web");
    sim.set_github_non_admin("acme/web", "octo");
    let api = sim.github_api_url();
    let classic = sim.add_token(TokenSpec::github_classic(
        "octo",
        &["repo", "admin:repo_hook"],
    ));
    let fine = sim.add_token(full_fine_grained("octo", &["acme/web"]));
    for token in [&classic, &fine] {
        let (status, _, body) = get_json(&format!("{api}/repos/acme/web/hooks"), Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["message"], "Must have admin rights to Repository.");
    }
    let (_, _, body) = get_json(&format!("{api}/repos/acme/web"), Some(&fine)).await;
    assert_eq!(body["permissions"]["admin"], false);
}

#[tokio::test]
async fn secondary_rate_limits_answer_403_or_429_with_requests_remaining() {
    let sim = Simulator::start().await.unwrap();
    let api = sim.github_api_url();
    let token = sim.add_token(TokenSpec::github_classic("octo", &["repo"]));
    sim.set_github_secondary_limit(Some(SecondaryLimit {
        status: 403,
        retry_after_secs: None,
        path_contains: None,
    }));
    let (status, h, body) = get_json(&format!("{api}/user"), Some(&token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("You have exceeded a secondary rate limit"));
    assert_ne!(header(&h, "x-ratelimit-remaining"), "0");
    assert!(!h.contains_key("retry-after"));
    sim.set_github_secondary_limit(Some(SecondaryLimit {
        status: 429,
        retry_after_secs: Some(60),
        path_contains: Some("/hooks".into()),
    }));
    let (status, _, _) = get_json(&format!("{api}/user"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "only the paths named are limited");
    let (status, h, _) = get_json(&format!("{api}/repos/a/b/hooks"), Some(&token)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&h, "retry-after"), "60");
    sim.set_github_secondary_limit(None);
    let (status, _, _) = get_json(&format!("{api}/user"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_primary_rate_limit_is_per_account() {
    let sim = Simulator::start().await.unwrap();
    let api = sim.github_api_url();
    let tired = sim.add_token(TokenSpec::github_classic("tired", &["repo"]));
    let fresh = sim.add_token(TokenSpec::github_classic("fresh", &["repo"]));
    sim.exhaust_github_rate_limit("tired", std::time::Duration::from_secs(600));
    let (status, h, body) = get_json(&format!("{api}/user"), Some(&tired)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(header(&h, "x-ratelimit-remaining"), "0");
    let reset: i64 = header(&h, "x-ratelimit-reset").parse().unwrap();
    assert!(reset >= Utc::now().timestamp() + 590);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("API rate limit exceeded for user ID"));
    let (status, _, _) = get_json(&format!("{api}/user"), Some(&fresh)).await;
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn minted_tokens_have_githubs_real_shapes() {
    // Classic: `ghp_` + 36 base62; fine-grained: `github_pat_` + 82 of
    // [A-Za-z0-9_] (22, `_`, 59).
    let sim = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(Simulator::start())
        .unwrap();
    for _ in 0..20 {
        let classic = sim.add_token(TokenSpec::github_classic("octo", &[]));
        let body = classic.strip_prefix("ghp_").unwrap();
        assert_eq!(body.len(), 36);
        assert!(body.chars().all(|c| c.is_ascii_alphanumeric()));
        let fine = sim.add_token(TokenSpec::github_fine_grained("octo", &[], &[]));
        let body = fine.strip_prefix("github_pat_").unwrap();
        assert_eq!(body.len(), 82);
        assert!(body.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        assert_eq!(body.as_bytes()[22], b'_');
    }
}

#[tokio::test]
async fn org_and_membership_follow_scopes_and_members() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_org("acme", &["octo", "Hubot"]);
    let api = sim.github_api_url();
    let read_org = sim.add_token(TokenSpec::github_classic("octo", &["repo", "read:org"]));
    let (status, _, body) = get_json(&format!("{api}/orgs/acme"), Some(&read_org)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["login"], "acme");
    assert_eq!(
        get_json(&format!("{api}/orgs/nope"), Some(&read_org))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let (status, _, body) = get_json(
        &format!("{api}/orgs/acme/memberships/octo"),
        Some(&read_org),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["state"], "active");
    assert_eq!(body["role"], "member");
    let (status, _, _) = get_json(
        &format!("{api}/user/memberships/orgs/acme"),
        Some(&read_org),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = get_json(
        &format!("{api}/orgs/acme/memberships/hubot"),
        Some(&read_org),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "logins match case-insensitively");
    let (status, _, _) = get_json(
        &format!("{api}/orgs/acme/memberships/stranger"),
        Some(&read_org),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let admin_org = sim.add_token(TokenSpec::github_classic("octo", &["admin:org"]));
    let (status, _, _) = get_json(
        &format!("{api}/orgs/acme/memberships/octo"),
        Some(&admin_org),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "admin:org implies read:org");

    let no_org = sim.add_token(TokenSpec::github_classic("octo", &["repo"]));
    let (status, _, body) =
        get_json(&format!("{api}/orgs/acme/memberships/octo"), Some(&no_org)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"].as_str().unwrap().contains("read:org"));
}
