//! The `/_sim/` admin API, binding and shutdown.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokenwarden_sim::{Ports, Provider, Simulator};

use crate::support::{client, get, get_json};

#[tokio::test]
async fn start_binds_loopback_only() {
    let sim = Simulator::start().await.unwrap();
    for provider in Provider::ALL {
        let addr = sim.addr(provider);
        assert_eq!(addr.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST), "{provider:?}");
        assert_ne!(addr.port(), 0);
        assert_eq!(
            sim.url(provider),
            format!("http://127.0.0.1:{}", addr.port())
        );
        // Bound to 127.0.0.1 itself, not to every address: another loopback
        // address of the same port is refused.
        let other = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), addr.port());
        let attempt = tokio::time::timeout(
            Duration::from_secs(2),
            tokio::net::TcpStream::connect(other),
        )
        .await;
        assert!(
            !matches!(attempt, Ok(Ok(_))),
            "{provider:?} reachable on {other}"
        );
    }
    assert!(sim.github_api_url().ends_with("/api/v3"));
    assert!(sim.gitlab_api_url().ends_with("/api/v4"));
    assert!(sim.bitbucket_api_url().ends_with("/2.0"));
    let ports: Vec<u16> = Provider::ALL.iter().map(|p| sim.addr(*p).port()).collect();
    assert!(ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2]);
}

#[tokio::test]
async fn start_on_uses_the_given_ports_and_shutdown_closes_them() {
    // Find free ports, then ask for them explicitly.
    let probe = Simulator::start().await.unwrap();
    let ports = Ports {
        github: probe.addr(Provider::Github).port(),
        gitlab: probe.addr(Provider::Gitlab).port(),
        bitbucket: probe.addr(Provider::Bitbucket).port(),
        qovery: probe.qovery_addr().port(),
    };
    probe.shutdown().await;
    let sim = Simulator::start_on(ports).await.unwrap();
    assert_eq!(sim.addr(Provider::Gitlab).port(), ports.gitlab);
    let url = format!("{}/user", sim.github_api_url());
    assert_eq!(get(&url, None).await.status(), StatusCode::UNAUTHORIZED);
    let handle = sim.clone();
    sim.shutdown().await;
    assert!(client().get(&url).send().await.is_err());
    drop(handle);
}

#[tokio::test]
async fn admin_api_sets_githubs_repository_facts_org_policy_and_secondary_limit() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let admin = |path: &str| format!("{}/_sim{path}", sim.github_url());
    for body in [
        json!({ "full_name": "acme/site", "public": true }),
        json!({ "full_name": "acme/new", "empty": true }),
    ] {
        let response = c
            .post(admin("/github/repos"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
    let response = c
        .post(admin("/github/orgs"))
        .json(&json!({ "org": "acme", "members": ["octo"], "forbid_classic": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let api = sim.github_api_url();
    let classic = sim.add_token(tokenwarden_sim::TokenSpec::github_classic(
        "octo",
        &["repo"],
    ));
    let (status, _, _) = get_json(&format!("{api}/repos/acme/site"), Some(&classic)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "classic tokens forbidden by acme"
    );
    let fine = sim.add_token(tokenwarden_sim::TokenSpec::github_fine_grained(
        "octo",
        &["acme/new"],
        &[("contents", "read")],
    ));
    let (_, _, body) = get_json(&format!("{api}/repos/acme/site"), Some(&fine)).await;
    assert_eq!(body["visibility"], "public");
    let (status, _, _) = get_json(&format!("{api}/repos/acme/new/commits"), Some(&fine)).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let response = c
        .put(admin("/github/secondary-limit"))
        .json(&json!({ "status": 429, "retry_after_secs": 60 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _, _) = get_json(&format!("{api}/user"), Some(&fine)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let response = c
        .put(admin("/github/secondary-limit"))
        .json(&Value::Null)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _, _) = get_json(&format!("{api}/user"), Some(&fine)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn admin_api_seeds_tokens_resources_and_behaviour() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let admin = |provider: Provider, path: &str| format!("{}/_sim{path}", sim.url(provider));

    let response = c
        .post(admin(Provider::Github, "/tokens"))
        .json(&json!({
            "provider": "github",
            "kind": "github-fine-grained",
            "login": "octo",
            "repositories": ["acme/app"],
            "permissions": { "contents": "read" },
            "expires_at": "2030-01-01T00:00:00Z"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let token = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(token.starts_with("github_pat_"));

    let response = c
        .post(admin(Provider::Gitlab, "/github/repos"))
        .json(&json!({ "full_name": "acme/app" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, h, _) = get_json(
        &format!("{}/repos/acme/app", sim.github_api_url()),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        h.get("github-authentication-token-expiration").unwrap(),
        "2030-01-01 00:00:00 UTC"
    );

    for (path, body) in [
        (
            "/github/orgs",
            json!({ "org": "acme", "members": ["octo"] }),
        ),
        ("/gitlab/projects", json!({ "path": "acme/app", "id": 42 })),
        ("/gitlab/groups", json!({ "path": "acme", "id": 7 })),
        ("/bitbucket/workspaces", json!({ "slug": "ws" })),
        (
            "/bitbucket/repos",
            json!({ "workspace": "ws", "slug": "app" }),
        ),
    ] {
        let response = c
            .post(admin(Provider::Github, path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{path}");
    }
    let gl = c
        .post(admin(Provider::Gitlab, "/tokens"))
        .json(&json!({
            "provider": "gitlab", "kind": "gitlab-project", "login": "bot",
            "scopes": ["api"], "target": "acme/app", "access_level": 40
        }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let uid = sim.token(&gl).unwrap().user_id;
    let (status, _, _) = get_json(
        &format!("{}/projects/42/members/all/{uid}", sim.gitlab_api_url()),
        Some(&gl),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let mismatch = c
        .post(admin(Provider::Github, "/tokens"))
        .json(&json!({ "provider": "github", "kind": "gitlab-personal" }))
        .send()
        .await
        .unwrap();
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = c
        .post(admin(Provider::Github, "/tokens/revoke"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "revoked": true })
    );
    let (status, _, _) = get_json(&format!("{}/user", sim.github_api_url()), Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Behaviour set through one listener applies to its provider only.
    let response = c
        .put(admin(Provider::Bitbucket, "/behaviour"))
        .json(&json!({ "fail_next": 1, "fail_status": 500, "rate_limited": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(sim.behaviour(Provider::Bitbucket).fail_next, 1);
    let status = get(&format!("{}/workspaces/ws", sim.bitbucket_api_url()), None)
        .await
        .status();
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let status = get(&format!("{}/workspaces/ws", sim.bitbucket_api_url()), None)
        .await
        .status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    c.put(admin(Provider::Github, "/behaviour"))
        .json(&json!({ "rate_limited": { "reset_in_secs": 5, "retry_after": true }, "latency_ms": 1 }))
        .send()
        .await
        .unwrap();
    let rl = sim.behaviour(Provider::Github).rate_limited.unwrap();
    assert_eq!(rl.reset_in, Duration::from_secs(5));
    assert!(rl.retry_after);

    let requests: Value = c
        .get(admin(Provider::Bitbucket, "/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        requests,
        json!([
            { "method": "GET", "path": "/2.0/workspaces/ws", "had_authorization": false },
            { "method": "GET", "path": "/2.0/workspaces/ws", "had_authorization": false }
        ])
    );
    let minted: Value = c
        .get(admin(Provider::Github, "/minted"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(minted, json!([]));
}
