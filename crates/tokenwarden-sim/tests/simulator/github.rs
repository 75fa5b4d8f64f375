//! GitHub's API: headers, probes, and the refusals a checker must tell apart.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use tokenwarden_sim::{Simulator, TokenSpec};

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

#[tokio::test]
async fn pending_fine_grained_token_is_refused_on_the_org_repos() {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_repo("acme/app");
    sim.add_github_repo("octo/own");
    let api = sim.github_api_url();
    let token = sim.add_token(
        TokenSpec::github_fine_grained(
            "octo",
            &["acme/app", "octo/own"],
            &[
                ("contents", "read"),
                ("pull_requests", "write"),
                ("repository_hooks", "write"),
            ],
        )
        .pending_org("acme"),
    );
    for path in [
        "/repos/acme/app",
        "/repos/acme/app/hooks",
        "/repos/acme/app/pulls?per_page=1",
    ] {
        let (status, _, body) = get_json(&format!("{api}{path}"), Some(&token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            body["message"],
            "This fine-grained personal access token is pending approval by the organization."
        );
    }
    let (status, _, _) = get_json(&format!("{api}/repos/octo/own"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
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
