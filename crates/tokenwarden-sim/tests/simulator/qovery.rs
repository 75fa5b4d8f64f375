//! Qovery's organization and git-token API: `Token` authentication, the
//! fields and shapes of QOVERY.md, validation of the values sent, and the
//! admin API that seeds it and shows what each git token received.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokenwarden_sim::{
    Behaviour, QoveryGitProvider, QoveryGitTokenSeed, QoveryRole, QoveryService, QoveryValidation,
    Simulator, TokenKind, TokenSpec, QOVERY_INVALID_TOKEN_MESSAGE,
};

use crate::support::client;

struct World {
    sim: Simulator,
    org: String,
    admin: String,
    git_token: String,
}

async fn world() -> World {
    let sim = Simulator::start().await.unwrap();
    let org = sim.add_qovery_org("Acme");
    let admin = sim.add_qovery_api_token(&org, QoveryRole::Admin);
    let mut seed = QoveryGitTokenSeed::new("main", QoveryGitProvider::Github);
    seed.description = Some("deploys".into());
    seed.expired_at = Some(chrono::NaiveDate::from_ymd_opt(2027, 1, 31).unwrap());
    let git_token = sim.add_qovery_git_token(&org, seed);
    sim.add_qovery_service(QoveryService::new(&git_token, "shop", "production", "api"));
    World {
        sim,
        org,
        admin,
        git_token,
    }
}

async fn call(
    method: reqwest::Method,
    url: String,
    auth: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client().request(method, url);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

impl World {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.qovery_url())
    }
    fn auth(&self) -> String {
        format!("Token {}", self.admin)
    }
}

#[tokio::test]
async fn token_authentication_401_403_and_404() {
    let w = world().await;
    let org_url = w.url(&format!("/organization/{}", w.org));
    let (status, body) = call(reqwest::Method::GET, org_url.clone(), None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["message"], "Unauthorized");
    // The same value as a Bearer (a console session's scheme) is refused.
    let bearer = format!("Bearer {}", w.admin);
    let (status, _) = call(reqwest::Method::GET, org_url.clone(), Some(&bearer), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(
        reqwest::Method::GET,
        org_url.clone(),
        Some("Token qov_unknown"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = call(reqwest::Method::GET, org_url, Some(&w.auth()), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["id"], w.org);
    assert_eq!(body["name"], "Acme");
    // Another organization's token: 403; an unknown organization: 404.
    let other = w.sim.add_qovery_org("Other");
    let other_token = format!(
        "Token {}",
        w.sim.add_qovery_api_token(&other, QoveryRole::Admin)
    );
    let (status, body) = call(
        reqwest::Method::GET,
        w.url(&format!("/organization/{}/gitToken", w.org)),
        Some(&other_token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"].as_str().unwrap().contains("access"));
    let (status, _) = call(
        reqwest::Method::GET,
        w.url("/organization/00000000-0000-4000-8000-000000000000"),
        Some(&w.auth()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = call(
        reqwest::Method::GET,
        w.url("/organization"),
        Some(&other_token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["results"].as_array().unwrap().len(), 1);
    assert_eq!(body["results"][0]["name"], "Other");
}

#[tokio::test]
async fn git_tokens_list_with_qoverys_fields_and_associated_services() {
    let w = world().await;
    let (status, body) = call(
        reqwest::Method::GET,
        w.url(&format!("/organization/{}/gitToken", w.org)),
        Some(&w.auth()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let token = &body["results"][0];
    assert_eq!(token["id"], w.git_token);
    assert_eq!(token["name"], "main");
    assert_eq!(token["description"], "deploys");
    assert_eq!(token["type"], "GITHUB");
    assert_eq!(token["expired_at"], "2027-01-31");
    assert_eq!(token["associated_services_count"], 1);
    assert!(token.get("token").is_none(), "no value is ever returned");
    let (status, body) = call(
        reqwest::Method::GET,
        w.url(&format!(
            "/organization/{}/gitToken/{}/associatedServices",
            w.org, w.git_token
        )),
        Some(&w.auth()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let service = &body["results"][0];
    assert_eq!(service["project_name"], "shop");
    assert_eq!(service["environment_name"], "production");
    assert_eq!(service["service_name"], "api");
    assert_eq!(service["service_type"], "APPLICATION");
    let (status, _) = call(
        reqwest::Method::GET,
        w.url(&format!("/organization/{}/gitToken/unknown", w.org)),
        Some(&w.auth()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn edit_takes_a_live_token_and_learns_its_expiry_refuses_others_with_400() {
    let w = world().await;
    let expiry = Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap();
    let live = w
        .sim
        .add_token(TokenSpec::github_fine_grained("octo", &[], &[]).expires_at(expiry));
    let gitlab = w
        .sim
        .add_token(TokenSpec::gitlab(TokenKind::GitlabPersonal, "u", &["api"]));
    let edit_url = w.url(&format!("/organization/{}/gitToken/{}", w.org, w.git_token));
    let body = |token: &str| json!({ "name": "main", "type": "GITHUB", "token": token, "description": "deploys" });
    // A GitLab value under a GitHub git token cannot list GitHub's
    // repositories: 400 with Qovery's message, nothing stored.
    let (status, answer) = call(
        reqwest::Method::PUT,
        edit_url.clone(),
        Some(&w.auth()),
        Some(body(&gitlab)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["message"], QOVERY_INVALID_TOKEN_MESSAGE);
    assert_eq!(w.sim.qovery_git_token(&w.git_token).unwrap().received, 0);
    let (status, answer) = call(
        reqwest::Method::PUT,
        edit_url.clone(),
        Some(&w.auth()),
        Some(body(&live)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["expired_at"], "2027-03-01");
    assert_eq!(answer["associated_services_count"], 1);
    let kept = w.sim.qovery_git_token(&w.git_token).unwrap();
    assert_eq!(kept.value.as_deref(), Some(live.as_str()));
    assert_eq!(kept.received, 1);
    // Once revoked at the provider, the same value is refused.
    w.sim.revoke(&live);
    let (status, _) = call(
        reqwest::Method::PUT,
        edit_url.clone(),
        Some(&w.auth()),
        Some(body(&live)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A scripted refusal carries its own words.
    w.sim.set_qovery_validation(QoveryValidation {
        accept_any: false,
        refusal: Some("Token does not have the repo scope".into()),
    });
    let fresh = w
        .sim
        .add_token(TokenSpec::github_classic("octo", &["repo"]));
    let (status, answer) = call(
        reqwest::Method::PUT,
        edit_url,
        Some(&w.auth()),
        Some(body(&fresh)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["message"], "Token does not have the repo scope");
}

#[tokio::test]
async fn create_answers_201_requires_bitbucket_workspace_and_viewers_get_403() {
    let w = world().await;
    let create_url = w.url(&format!("/organization/{}/gitToken", w.org));
    let bb = w.sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketWorkspace,
        "acme",
        &[],
        &[],
    ));
    let (status, answer) = call(
        reqwest::Method::POST,
        create_url.clone(),
        Some(&w.auth()),
        Some(json!({ "name": "bb", "type": "BITBUCKET", "token": bb })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["message"], "workspace is mandatory for BITBUCKET");
    // Another workspace than the token's: its repositories are not listed.
    let (status, answer) = call(
        reqwest::Method::POST,
        create_url.clone(),
        Some(&w.auth()),
        Some(json!({ "name": "bb", "type": "BITBUCKET", "token": bb, "workspace": "other" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["message"], QOVERY_INVALID_TOKEN_MESSAGE);
    let (status, answer) = call(
        reqwest::Method::POST,
        create_url.clone(),
        Some(&w.auth()),
        Some(json!({ "name": "bb", "type": "BITBUCKET", "token": bb, "workspace": "acme" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(answer["workspace"], "acme");
    assert_eq!(answer["associated_services_count"], 0);
    let id = answer["id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(
        w.sim.qovery_git_token(id).unwrap().value.as_deref(),
        Some(bb.as_str())
    );
    let viewer = format!(
        "Token {}",
        w.sim.add_qovery_api_token(&w.org, QoveryRole::Viewer)
    );
    let (status, _) = call(
        reqwest::Method::POST,
        create_url.clone(),
        Some(&viewer),
        Some(json!({ "name": "bb2", "type": "BITBUCKET", "token": bb, "workspace": "acme" })),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        reqwest::Method::GET,
        create_url.clone(),
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "a viewer reads");
    let (status, _) = call(
        reqwest::Method::DELETE,
        format!("{create_url}/{id}"),
        Some(&w.auth()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(w.sim.qovery_git_token(id).is_none());
}

#[tokio::test]
async fn down_failing_and_slow_and_admin_api_still_answers() {
    let w = world().await;
    let org_url = w.url(&format!("/organization/{}", w.org));
    w.sim.set_qovery_behaviour(Behaviour {
        fail_always: true,
        fail_status: 502,
        ..Behaviour::default()
    });
    let (status, body) = call(reqwest::Method::GET, org_url.clone(), Some(&w.auth()), None).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(body["message"], "Bad Gateway");
    w.sim.set_qovery_behaviour(Behaviour {
        down: true,
        ..Behaviour::default()
    });
    let dropped = client()
        .get(&org_url)
        .header("authorization", w.auth())
        .send()
        .await;
    assert!(dropped.is_err(), "connection closed without an answer");
    // The admin API works while Qovery is down: seed, then read back.
    let c = client();
    let admin = |p: &str| w.url(&format!("/_sim{p}"));
    let org: Value = c
        .post(admin("/organizations"))
        .json(&json!({ "name": "Beta" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let org_id = org["id"].as_str().unwrap();
    let response = c
        .post(admin("/git-tokens"))
        .json(&json!({ "organization_id": org_id, "name": "gl", "type": "GITLAB", "token": "glpat-x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let seen: Value = c
        .get(admin(&format!(
            "/git-tokens/{}",
            created["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["token"], "glpat-x");
    assert_eq!(seen["organization_id"], org_id);
    let response = c
        .put(admin("/behaviour"))
        .json(&json!({ "latency_ms": 300 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let started = std::time::Instant::now();
    let (status, _) = call(reqwest::Method::GET, org_url, Some(&w.auth()), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let requests = w.sim.qovery_requests();
    assert!(requests.iter().all(|r| r.had_authorization));
    assert!(requests.iter().all(|r| !r.path.contains("_sim")));
}
