//! GitLab's API: token self-inspection, identity, membership and rotation.

use chrono::{Days, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::json;
use tokenwarden_sim::{Simulator, TokenKind, TokenSpec};

use crate::support::{client, get_json};

#[tokio::test]
async fn self_describes_the_token_and_refuses_bad_ones() {
    let sim = Simulator::start().await.unwrap();
    let api = sim.gitlab_api_url();
    let at = Utc.with_ymd_and_hms(2031, 1, 31, 0, 0, 0).unwrap();
    let token = sim.add_token(
        TokenSpec::gitlab(
            TokenKind::GitlabPersonal,
            "jane",
            &["api", "read_repository"],
        )
        .name("deploy")
        .expires_at(at),
    );
    let user_id = sim.token(&token).unwrap().user_id;
    let (status, _, body) =
        get_json(&format!("{api}/personal_access_tokens/self"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["name"], "deploy");
    assert_eq!(body["scopes"], json!(["api", "read_repository"]));
    assert_eq!(body["expires_at"], "2031-01-31");
    assert_eq!(body["active"], true);
    assert_eq!(body["revoked"], false);
    assert_eq!(body["user_id"], user_id);
    assert_eq!(body["description"], "");
    assert!(body["last_used_at"].is_null());
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(body["id"].as_u64().is_some());

    // GitLab's own header works too.
    let response = client()
        .get(format!("{api}/personal_access_tokens/self"))
        .header("PRIVATE-TOKEN", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let never = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "jane",
        &["api"],
    ));
    let (_, _, body) = get_json(&format!("{api}/personal_access_tokens/self"), Some(&never)).await;
    assert!(body["expires_at"].is_null());

    sim.revoke(&token);
    // Expires today: GitLab tokens stop at 00:00 UTC on their date.
    let expired = sim.add_token(
        TokenSpec::gitlab(TokenKind::GitlabPersonal, "jane", &["api"]).expires_at(Utc::now()),
    );
    // GitLab names why it refuses a token it knows; others get a bare 401.
    let revoked_body = json!({
        "error": "invalid_token",
        "error_description": "Token was revoked. You have to re-authorize from the user."
    });
    let expired_body = json!({
        "error": "invalid_token",
        "error_description": "Token is expired. You can either do re-authorization or token refresh."
    });
    let unknown_body = json!({ "message": "401 Unauthorized" });
    for (t, expected) in [
        (Some(token.as_str()), &revoked_body),
        (Some(expired.as_str()), &expired_body),
        (Some("glpat-unknown"), &unknown_body),
        (None, &unknown_body),
    ] {
        for path in ["/personal_access_tokens/self", "/user", "/nope"] {
            let (status, _, body) = get_json(&format!("{api}{path}"), t).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} {t:?}");
            assert_eq!(&body, expected, "{path} {t:?}");
        }
    }
}

#[tokio::test]
async fn user_tells_bots_and_needs_a_user_scope() {
    let sim = Simulator::start().await.unwrap();
    let api = sim.gitlab_api_url();
    let personal = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "jane",
        &["read_user"],
    ));
    let (status, _, body) = get_json(&format!("{api}/user"), Some(&personal)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["username"], "jane");
    assert_eq!(body["bot"], false);
    assert_eq!(body["state"], "active");

    let bot = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabProject,
        "project_42_bot",
        &["api"],
    ));
    let (_, _, body) = get_json(&format!("{api}/user"), Some(&bot)).await;
    assert_eq!(body["bot"], true);

    let narrow = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "jane",
        &["read_repository"],
    ));
    let (status, h, body) = get_json(&format!("{api}/user"), Some(&narrow)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "insufficient_scope");
    assert_eq!(body["scope"], "api read_user");
    assert_eq!(
        body["error_description"],
        "The request requires higher privileges than provided by the access token."
    );
    assert!(h.contains_key("www-authenticate"));
    // The self endpoint works with any scope.
    let (status, _, _) =
        get_json(&format!("{api}/personal_access_tokens/self"), Some(&narrow)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn members_by_numeric_id_and_encoded_path_with_group_inheritance() {
    let sim = Simulator::start().await.unwrap();
    let api = sim.gitlab_api_url();
    sim.add_gitlab_group("acme", 7);
    sim.add_gitlab_project("acme/app", 42);
    sim.add_gitlab_project("other/lib", 43);
    let project_token = sim.add_token(
        TokenSpec::gitlab(
            TokenKind::GitlabProject,
            "project_42_bot",
            &["api", "read_repository"],
        )
        .target("acme/app", 40),
    );
    let uid = sim.token(&project_token).unwrap().user_id;

    for id in ["42", "acme%2Fapp", "ACME%2Fapp"] {
        let (status, _, body) = get_json(
            &format!("{api}/projects/{id}/members/all/{uid}"),
            Some(&project_token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{id}");
        assert_eq!(body["id"], uid);
        assert_eq!(body["username"], "project_42_bot");
        assert_eq!(body["access_level"], 40);
    }
    let (status, _, body) = get_json(
        &format!("{api}/projects/999/members/all/{uid}"),
        Some(&project_token),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "404 Project Not Found");
    let (status, _, body) = get_json(
        &format!("{api}/projects/43/members/all/{uid}"),
        Some(&project_token),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "404 Not found");
    // A project member is not a member of the group above.
    let (status, _, body) = get_json(
        &format!("{api}/groups/acme/members/all/{uid}"),
        Some(&project_token),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "404 Not found");

    let group_token = sim.add_token(
        TokenSpec::gitlab(TokenKind::GitlabGroup, "group_7_bot", &["read_api"]).target("acme", 50),
    );
    let gid = sim.token(&group_token).unwrap().user_id;
    for path in [
        format!("/groups/7/members/all/{gid}"),
        format!("/groups/acme/members/all/{gid}"),
        format!("/projects/acme%2Fapp/members/all/{gid}"),
    ] {
        let (status, _, body) = get_json(&format!("{api}{path}"), Some(&group_token)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(body["access_level"], 50);
    }
    let (status, _, body) = get_json(
        &format!("{api}/groups/999/members/all/{gid}"),
        Some(&group_token),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "404 Group Not Found");

    let no_api = sim.add_token(
        TokenSpec::gitlab(TokenKind::GitlabProject, "p", &["read_repository"])
            .target("acme/app", 40),
    );
    let (status, _, body) = get_json(
        &format!("{api}/projects/42/members/all/{uid}"),
        Some(&no_api),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "insufficient_scope");
}

#[tokio::test]
async fn rotate_revokes_the_old_token_and_returns_a_new_one() {
    let sim = Simulator::start().await.unwrap();
    let api = sim.gitlab_api_url();
    let old = sim.add_token(
        TokenSpec::gitlab(
            TokenKind::GitlabPersonal,
            "jane",
            &["api", "read_repository"],
        )
        .name("ci"),
    );
    let response = client()
        .post(format!("{api}/personal_access_tokens/self/rotate"))
        .bearer_auth(&old)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    let new = body["token"].as_str().unwrap().to_owned();
    assert!(new.starts_with("glpat-") && new != old);
    assert_eq!(body["name"], "ci");
    assert_eq!(body["scopes"], json!(["api", "read_repository"]));
    let week = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(7))
        .unwrap();
    assert_eq!(body["expires_at"], week.to_string());

    let (status, _, _) = get_json(&format!("{api}/personal_access_tokens/self"), Some(&old)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, body) =
        get_json(&format!("{api}/personal_access_tokens/self"), Some(&new)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["expires_at"], week.to_string());

    let date = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(90))
        .unwrap();
    let response = client()
        .post(format!(
            "{api}/personal_access_tokens/self/rotate?expires_at={date}"
        ))
        .bearer_auth(&new)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["expires_at"], date.to_string());

    let newest = body["token"].as_str().unwrap().to_owned();
    let response = client()
        .post(format!("{api}/personal_access_tokens/self/rotate"))
        .bearer_auth(&newest)
        .json(&json!({ "expires_at": "2001-01-01" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let read_only = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "jane",
        &["read_api"],
    ));
    let response = client()
        .post(format!("{api}/personal_access_tokens/self/rotate"))
        .bearer_auth(&read_only)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "insufficient_scope");

    let self_rotate = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "jane",
        &["self_rotate"],
    ));
    let response = client()
        .post(format!("{api}/personal_access_tokens/self/rotate"))
        .bearer_auth(&self_rotate)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn project_and_group_tokens_rotate_at_their_own_endpoints_and_405_elsewhere() {
    let sim = Simulator::start().await.unwrap();
    sim.add_gitlab_project("acme/web", 42);
    sim.add_gitlab_group("acme", 7);
    let api = sim.gitlab_api_url();
    let project = sim.add_token(
        TokenSpec::gitlab(TokenKind::GitlabProject, "project_42_bot", &["api"])
            .target("acme/web", 40),
    );
    let group = sim.add_token(
        TokenSpec::gitlab(TokenKind::GitlabGroup, "group_7_bot", &["self_rotate"])
            .target("acme", 40),
    );
    let personal = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "jane",
        &["api"],
    ));
    let post = |path: String, token: String| {
        let api = api.clone();
        async move {
            let response = client()
                .post(format!("{api}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let status = response.status();
            (status, response.json::<serde_json::Value>().await.unwrap())
        }
    };
    // Not the kind that endpoint rotates: GitLab's 405.
    for (path, token) in [
        ("/personal_access_tokens/self/rotate", &project),
        ("/projects/acme%2Fweb/access_tokens/self/rotate", &personal),
        ("/projects/acme%2Fweb/access_tokens/self/rotate", &group),
        ("/groups/acme/access_tokens/self/rotate", &project),
    ] {
        let (status, body) = post(path.into(), token.clone()).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_eq!(body, json!({ "message": "405 Method Not Allowed" }));
    }
    let (status, body) = post(
        "/projects/acme%2Fnope/access_tokens/self/rotate".into(),
        project.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "404 Project Not Found");
    // More than a year ahead is refused.
    let far = Utc::now().date_naive() + chrono::Duration::days(400);
    let (status, _) = post(
        format!("/projects/42/access_tokens/self/rotate?expires_at={far}"),
        project.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let until = Utc::now().date_naive() + chrono::Duration::days(90);
    let (status, body) = post(
        format!("/projects/acme%2Fweb/access_tokens/self/rotate?expires_at={until}"),
        project.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["expires_at"], until.to_string());
    let new = body["token"].as_str().unwrap();
    assert_eq!(sim.token(new).unwrap().kind, TokenKind::GitlabProject);
    assert!(!sim.is_active(&project));

    // Without expires_at the new token gets one week.
    let (status, body) = post("/groups/7/access_tokens/self/rotate".into(), group.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let week = Utc::now().date_naive() + chrono::Duration::days(7);
    assert_eq!(body["expires_at"], week.to_string());
}

#[tokio::test]
async fn too_many_failed_authentications_ban_the_address_with_a_plain_403() {
    let sim = Simulator::start().await.unwrap();
    let api = sim.gitlab_api_url();
    let good = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "jane",
        &["api"],
    ));
    sim.ban_gitlab_after_failed_auths(2);
    let get = |token: &str| {
        let url = format!("{api}/personal_access_tokens/self");
        let token = token.to_owned();
        async move { client().get(url).bearer_auth(token).send().await.unwrap() }
    };
    assert_eq!(get("glpat-nope").await.status(), StatusCode::UNAUTHORIZED);
    // A success resets the count.
    assert_eq!(get(&good).await.status(), StatusCode::OK);
    assert_eq!(get("glpat-nope").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(get("glpat-nope").await.status(), StatusCode::UNAUTHORIZED);
    // Banned: every request, even with a good token.
    let response = get(&good).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.headers()["content-type"], "text/plain");
    assert!(response.headers().get("retry-after").is_none());
    assert!(response.headers().get("ratelimit-remaining").is_none());
    assert_eq!(response.text().await.unwrap(), "Forbidden\n");
}
