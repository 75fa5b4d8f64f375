//! Slow, failing, rate-limited and down providers, and request recording.

use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::StatusCode;
use tokenwarden_sim::{
    Behaviour, Provider, RateLimit, RecordedRequest, Simulator, TokenKind, TokenSpec,
};

use crate::support::{client, get, get_json, header};

fn rate_limited(secs: u64, retry_after: bool) -> Behaviour {
    Behaviour {
        rate_limited: Some(RateLimit {
            reset_in: Duration::from_secs(secs),
            retry_after,
        }),
        ..Behaviour::default()
    }
}

fn reset_is_about(value: &str, secs: i64) {
    let reset: i64 = value.parse().expect("epoch seconds");
    let expected = Utc::now().timestamp() + secs;
    assert!((reset - expected).abs() <= 2, "{reset} vs {expected}");
}

#[tokio::test]
async fn github_rate_limit_is_403_or_429_with_headers() {
    let sim = Simulator::start().await.unwrap();
    let token = sim.add_token(TokenSpec::github_classic("octo", &["repo"]));
    let url = format!("{}/user", sim.github_api_url());

    sim.set_behaviour(Provider::Github, rate_limited(60, false));
    let (status, h, body) = get_json(&url, Some(&token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(header(&h, "x-ratelimit-remaining"), "0");
    reset_is_about(header(&h, "x-ratelimit-reset"), 60);
    assert!(!h.contains_key("retry-after"));
    assert_eq!(body["message"], "API rate limit exceeded for user ID 1.");
    assert_eq!(body["status"], "403");

    sim.set_behaviour(Provider::Github, rate_limited(30, true));
    let (status, h, body) = get_json(&url, Some(&token)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&h, "retry-after"), "30");
    assert_eq!(header(&h, "x-ratelimit-remaining"), "0");
    assert_eq!(body["status"], "429");

    // Other providers are unaffected.
    let gl = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "jane",
        &["api"],
    ));
    let (status, _, _) = get_json(&format!("{}/user", sim.gitlab_api_url()), Some(&gl)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn gitlab_and_bitbucket_rate_limits_are_429() {
    let sim = Simulator::start().await.unwrap();
    sim.set_behaviour(Provider::Gitlab, rate_limited(45, true));
    let gl = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "jane",
        &["api"],
    ));
    let (status, h, body) = get_json(&format!("{}/user", sim.gitlab_api_url()), Some(&gl)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&h, "retry-after"), "45");
    assert_eq!(header(&h, "ratelimit-remaining"), "0");
    reset_is_about(header(&h, "ratelimit-reset"), 45);
    assert_eq!(body["message"], "Retry later");

    sim.set_behaviour(Provider::Bitbucket, rate_limited(10, true));
    sim.add_bitbucket_repo("ws", "app");
    let bb = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "ws",
        &["app"],
        &["repository"],
    ));
    let (status, h, body) = get_json(
        &format!("{}/repositories/ws/app", sim.bitbucket_api_url()),
        Some(&bb),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&h, "retry-after"), "10");
    assert_eq!(
        body["error"]["message"],
        "Rate limit for this resource has been exceeded"
    );

    sim.set_behaviour(Provider::Bitbucket, rate_limited(10, false));
    let (status, h, _) = get_json(
        &format!("{}/repositories/ws/app", sim.bitbucket_api_url()),
        Some(&bb),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!h.contains_key("retry-after"));
}

#[tokio::test]
async fn fail_next_then_recovery_and_fail_always_with_status() {
    let sim = Simulator::start().await.unwrap();
    let token = sim.add_token(TokenSpec::github_classic("octo", &[]));
    let url = format!("{}/user", sim.github_api_url());
    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            fail_next: 2,
            ..Behaviour::default()
        },
    );
    for _ in 0..2 {
        let (status, h, _) = get_json(&url, Some(&token)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(header(&h, "content-type").starts_with("application/json"));
    }
    assert_eq!(get(&url, Some(&token)).await.status(), StatusCode::OK);
    assert_eq!(sim.behaviour(Provider::Github).fail_next, 0);

    sim.set_behaviour(
        Provider::Gitlab,
        Behaviour {
            fail_always: true,
            fail_status: 502,
            ..Behaviour::default()
        },
    );
    let gl = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "jane",
        &["api"],
    ));
    for _ in 0..3 {
        let response = get(
            &format!("{}/personal_access_tokens/self", sim.gitlab_api_url()),
            Some(&gl),
        )
        .await;
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    }
    // Pages are not API paths: they keep working.
    let page = get(
        &format!(
            "{}/-/user_settings/personal_access_tokens",
            sim.gitlab_url()
        ),
        None,
    )
    .await;
    assert_eq!(page.status(), StatusCode::OK);
    sim.set_behaviour(Provider::Gitlab, Behaviour::default());
    let response = get(
        &format!("{}/personal_access_tokens/self", sim.gitlab_api_url()),
        Some(&gl),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn latency_delays_api_answers() {
    let sim = Simulator::start().await.unwrap();
    let token = sim.add_token(TokenSpec::github_classic("octo", &[]));
    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            latency: Duration::from_millis(300),
            ..Behaviour::default()
        },
    );
    let started = Instant::now();
    let response = get(&format!("{}/user", sim.github_api_url()), Some(&token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // A client with a shorter timeout gives up instead of waiting.
    let response = client()
        .get(format!("{}/user", sim.github_api_url()))
        .bearer_auth(&token)
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(response.unwrap_err().is_timeout());
}

#[tokio::test]
async fn down_provider_drops_connections_until_back_up() {
    let sim = Simulator::start().await.unwrap();
    let token = sim.add_token(TokenSpec::github_classic("octo", &[]));
    let url = format!("{}/user", sim.github_api_url());
    // Warm a pooled connection first: it must be dropped too.
    let c = client();
    assert_eq!(
        c.get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            down: true,
            ..Behaviour::default()
        },
    );
    for _ in 0..2 {
        let error = c.get(&url).bearer_auth(&token).send().await.unwrap_err();
        assert!(error.is_request() || error.is_connect(), "{error:?}");
        assert!(!error.is_status());
    }
    let error = client()
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_err();
    assert!(!error.is_timeout(), "{error:?}");
    // The pages and the admin API stay up.
    let page = get(&format!("{}/settings/tokens/new", sim.github_url()), None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let admin = client()
        .put(format!("{}/_sim/behaviour", sim.github_url()))
        .json(&serde_json::json!({ "down": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), StatusCode::NO_CONTENT);
    assert_eq!(get(&url, Some(&token)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn requests_are_recorded_without_token_values() {
    let sim = Simulator::start().await.unwrap();
    let token = sim.add_token(TokenSpec::github_classic("octo", &["repo"]));
    sim.add_github_repo("acme/app");
    let api = sim.github_api_url();
    get(
        &format!("{api}/repos/acme/app/pulls?per_page=1"),
        Some(&token),
    )
    .await;
    get(&format!("{api}/user"), None).await;
    get(&format!("{}/_sim/requests", sim.github_url()), None).await;
    let gl = sim.gitlab_api_url();
    get(&format!("{gl}/user?private_token=glpat-secret"), None).await;

    let recorded = sim.requests(Provider::Github);
    assert_eq!(
        recorded,
        vec![
            RecordedRequest {
                method: "GET".into(),
                path: "/api/v3/repos/acme/app/pulls?per_page=1".into(),
                had_authorization: true,
            },
            RecordedRequest {
                method: "GET".into(),
                path: "/api/v3/user".into(),
                had_authorization: false,
            },
        ]
    );
    let gitlab = sim.requests(Provider::Gitlab);
    assert_eq!(gitlab.len(), 1);
    assert_eq!(gitlab[0].path, "/api/v4/user?private_token=REDACTED");
    let all = format!("{recorded:?}{gitlab:?}");
    assert!(!all.contains(&token) && !all.contains("secret"));
    assert!(sim.requests(Provider::Bitbucket).is_empty());

    sim.reset_requests();
    assert!(sim.requests(Provider::Github).is_empty());
}
