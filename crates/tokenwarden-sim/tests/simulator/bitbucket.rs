//! Bitbucket Cloud's API for repository and workspace access tokens.

use reqwest::StatusCode;
use serde_json::json;
use tokenwarden_sim::{Simulator, TokenKind, TokenSpec};

use crate::support::{get_json, header};

const SCOPES: &[&str] = &["repository", "pullrequest:write", "webhook"];

#[tokio::test]
async fn repository_token_reaches_its_repo_with_scope_headers() {
    let sim = Simulator::start().await.unwrap();
    sim.add_bitbucket_repo("ws", "app");
    sim.add_bitbucket_repo("ws", "other");
    let api = sim.bitbucket_api_url();
    let token = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "ws",
        &["app"],
        SCOPES,
    ));
    assert!(token.starts_with("ATCTT"));

    let (status, h, body) = get_json(&format!("{api}/repositories/ws/app"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["type"], "repository");
    assert_eq!(body["full_name"], "ws/app");
    assert_eq!(body["slug"], "app");
    assert_eq!(body["is_private"], true);
    assert_eq!(body["workspace"]["slug"], "ws");
    assert_eq!(
        header(&h, "x-oauth-scopes"),
        "repository, pullrequest:write, webhook"
    );
    assert_eq!(header(&h, "x-accepted-oauth-scopes"), "repository");
    assert_eq!(header(&h, "x-credential-type"), "repo_access_token");

    for path in ["/pullrequests", "/hooks"] {
        let (status, _, _) =
            get_json(&format!("{api}/repositories/ws/app{path}"), Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }

    let (status, _, body) = get_json(&format!("{api}/repositories/ws/other"), Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["message"], "Repository ws/other not found");

    let (status, h, _) = get_json(&format!("{api}/workspaces/ws"), Some(&token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(header(&h, "x-credential-type"), "repo_access_token");

    let (status, _, body) = get_json(&format!("{api}/user"), Some(&token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["type"], "error");
}

#[tokio::test]
async fn workspace_token_reaches_its_workspace_and_repos() {
    let sim = Simulator::start().await.unwrap();
    sim.add_bitbucket_repo("ws", "app");
    sim.add_bitbucket_repo("elsewhere", "lib");
    let api = sim.bitbucket_api_url();
    let token = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketWorkspace,
        "ws",
        &[],
        SCOPES,
    ));

    let (status, h, body) = get_json(&format!("{api}/workspaces/ws"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["type"], "workspace");
    assert_eq!(body["slug"], "ws");
    assert_eq!(header(&h, "x-credential-type"), "workspace_access_token");
    assert_eq!(
        header(&h, "x-oauth-scopes"),
        "repository, pullrequest:write, webhook"
    );

    let (status, h, _) = get_json(&format!("{api}/repositories/ws/app"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, "x-credential-type"), "workspace_access_token");

    assert_eq!(
        get_json(&format!("{api}/workspaces/elsewhere"), Some(&token))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_json(&format!("{api}/repositories/elsewhere/lib"), Some(&token))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn missing_scope_is_403_and_bad_tokens_are_401() {
    let sim = Simulator::start().await.unwrap();
    sim.add_bitbucket_repo("ws", "app");
    let api = sim.bitbucket_api_url();
    let narrow = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "ws",
        &["ws/app"],
        &["webhook"],
    ));
    let (status, headers, body) =
        get_json(&format!("{api}/repositories/ws/app"), Some(&narrow)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body["error"]["message"],
        "Your credentials lack one or more required privilege scopes."
    );
    assert_eq!(body["error"]["detail"]["required"], json!(["repository"]));
    assert_eq!(body["error"]["detail"]["granted"], json!(["webhook"]));
    assert_eq!(headers["x-oauth-scopes"], "webhook");
    let (status, _, _) = get_json(
        &format!("{api}/repositories/ws/app/pullrequests"),
        Some(&narrow),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Atlassian's implications: `pullrequest` implies `repository`;
    // `repository:admin` implies neither `repository` nor `webhook`.
    let pulls = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "ws",
        &["ws/app"],
        &["pullrequest"],
    ));
    let (status, _, _) = get_json(&format!("{api}/repositories/ws/app"), Some(&pulls)).await;
    assert_eq!(status, StatusCode::OK, "pullrequest implies repository");
    let (status, _, _) = get_json(&format!("{api}/repositories/ws/app/hooks"), Some(&pulls)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let wider = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "ws",
        &["ws/app"],
        &["repository:admin"],
    ));
    let (status, _, body) = get_json(&format!("{api}/repositories/ws/app"), Some(&wider)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "repository:admin does not imply repository"
    );
    assert_eq!(
        body["error"]["detail"]["granted"],
        json!(["repository:admin"])
    );

    sim.revoke(&wider);
    for t in [Some(wider.as_str()), Some("ATCTT3xFfGN0nonsense"), None] {
        let (status, _, body) = get_json(&format!("{api}/repositories/ws/app"), t).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            body,
            json!({ "type": "error", "error": { "message": "Unauthorized" } })
        );
    }
}

#[tokio::test]
async fn a_token_can_answer_without_a_scope_header() {
    let sim = Simulator::start().await.unwrap();
    sim.add_bitbucket_repo("ws", "app");
    let api = sim.bitbucket_api_url();
    let mut spec = TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "ws",
        &["ws/app"],
        &["repository", "pullrequest:write", "webhook"],
    );
    spec.no_scopes_header = true;
    let token = sim.add_token(spec);
    let (status, headers, _) = get_json(&format!("{api}/repositories/ws/app"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("x-oauth-scopes").is_none());
    assert_eq!(headers["x-credential-type"], "repo_access_token");
}
