//! The `tokenwarden validate` contract: options, JSON fields and exit
//! codes, run as a real process against the provider simulator.

use std::process::Stdio;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::support::*;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {:?}", self.stdout))
    }
}

async fn validate(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
        .arg("validate")
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // A usage error exits before reading: a broken pipe is expected then.
    let _ = input.write_all(stdin.as_bytes()).await;
    drop(input);
    let out = child.wait_with_output().await.unwrap();
    let run = Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    // Whatever happened, the token is never printed.
    let token = stdin.trim();
    if token.len() > 8 {
        assert!(
            !run.stdout.contains(token) && !run.stderr.contains(token),
            "token leaked: {}{}",
            run.stdout,
            run.stderr
        );
    }
    run
}

fn codes(json: &Value) -> Vec<String> {
    json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn sim() -> Simulator {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_org("acme", &["deploy-bot"]);
    sim.add_github_repo("acme/web");
    sim
}

#[tokio::test]
async fn a_ready_token_prints_the_documented_json_and_exits_0() {
    let sim = sim().await;
    let expires = in_days(200);
    let token = sim.add_token(
        TokenSpec::github_classic("deploy-bot", &["repo", "admin:repo_hook", "read:org"])
            .expires_at(expires),
    );
    let api = sim.github_api_url();
    let run = validate(
        &[
            "--provider",
            "github",
            "--api-url",
            &api,
            "--org",
            "acme",
            "--repo",
            "acme/web",
            "--json",
            "--token-stdin",
        ],
        &format!("{token}\n"),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    let expected = serde_json::json!({
        "provider": "github",
        "kind": "classic",
        "api_url": api,
        "authenticated": true,
        "identity": {"login": "deploy-bot"},
        "scopes": ["repo", "admin:repo_hook", "read:org"],
        "missing": [],
        "unverified": [],
        "expires_at": expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "expiry": "provider",
        "problems": [],
        "ready": true,
    });
    assert_eq!(json, expected);
}

#[tokio::test]
async fn exit_codes_follow_the_verdict() {
    let sim = sim().await;
    sim.add_gitlab_project("acme/web", 42);
    let api = sim.github_api_url();
    let short = sim.add_token(TokenSpec::github_classic("deploy-bot", &["repo"]));
    let revoked = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook"],
    ));
    sim.revoke(&revoked);

    let run = validate(
        &[
            "--provider",
            "github",
            "--api-url",
            &api,
            "--json",
            "--token-stdin",
        ],
        &short,
    )
    .await;
    assert_eq!(run.code, 1);
    assert_eq!(
        run.json()["missing"],
        serde_json::json!(["admin:repo_hook"])
    );
    assert_eq!(codes(&run.json()), ["no_expiry", "missing_permissions"]);

    let run = validate(
        &[
            "--provider",
            "github",
            "--api-url",
            &api,
            "--json",
            "--token-stdin",
        ],
        &revoked,
    )
    .await;
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["authenticated"], false);
    assert_eq!(run.json()["problems"][0]["code"], "invalid_token");

    let run = validate(
        &[
            "--provider",
            "gitlab",
            "--api-url",
            &sim.gitlab_api_url(),
            "--json",
            "--token-stdin",
        ],
        &short,
    )
    .await;
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["problems"][0]["code"], "provider_mismatch");

    let bot = sim.add_token(
        TokenSpec::gitlab(
            TokenKind::GitlabProject,
            "project_42_bot",
            &["api", "read_repository"],
        )
        .target("acme/web", 30),
    );
    let run = validate(
        &[
            "--provider",
            "gitlab",
            "--kind",
            "project",
            "--project",
            "acme/web",
            "--api-url",
            &sim.gitlab_api_url(),
            "--json",
            "--token-stdin",
        ],
        &bot,
    )
    .await;
    assert_eq!(run.code, 1);
    assert_eq!(
        run.json()["missing"],
        serde_json::json!(["role:maintainer"])
    );

    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            fail_always: true,
            ..Behaviour::default()
        },
    );
    let run = validate(
        &[
            "--provider",
            "github",
            "--api-url",
            &api,
            "--json",
            "--token-stdin",
        ],
        &short,
    )
    .await;
    assert_eq!(run.code, 3);
    assert_eq!(run.json()["problems"][0]["code"], "unexpected_response");
}

/// GitHub's organization policy and secondary rate limit, as `validate
/// --json` reports them: a documented code with exit 1, and "could not
/// check" with exit 3 (never a missing permission).
#[tokio::test]
async fn github_policy_refusals_and_secondary_limits_keep_the_exit_contract() {
    let sim = sim().await;
    sim.forbid_github_classic_tokens("acme");
    let api = sim.github_api_url();
    let classic = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook", "read:org"],
    ));
    let args = [
        "--provider",
        "github",
        "--api-url",
        &api,
        "--org",
        "acme",
        "--repo",
        "acme/web",
        "--json",
        "--token-stdin",
    ];
    let run = validate(&args, &classic).await;
    assert_eq!(run.code, 1);
    assert_eq!(codes(&run.json()), ["no_expiry", "classic_token_forbidden"]);
    assert_eq!(run.json()["ready"], false);

    let fine = sim.add_token(TokenSpec::github_fine_grained(
        "deploy-bot",
        &["acme/web"],
        &[
            ("contents", "read"),
            ("pull_requests", "write"),
            ("repository_hooks", "write"),
        ],
    ));
    sim.set_github_secondary_limit(Some(tokenwarden_sim::SecondaryLimit {
        status: 403,
        retry_after_secs: None,
        path_contains: Some("/pulls".into()),
    }));
    let run = validate(&args, &fine).await;
    assert_eq!(run.code, 3);
    assert!(codes(&run.json()).contains(&"rate_limited".to_owned()));
    assert_eq!(run.json()["missing"], serde_json::json!([]));
}

#[tokio::test]
async fn an_insecure_url_is_refused_with_64_and_nothing_is_sent() {
    let run = validate(
        &[
            "--provider",
            "gitlab",
            "--host",
            "http://gitlab.example.com",
            "--json",
            "--token-stdin",
        ],
        "glpat-abcdefghijklmnopqrst",
    )
    .await;
    assert_eq!(run.code, 64);
    let json = run.json();
    assert_eq!(json["problems"][0]["code"], "insecure_url");
    assert_eq!(json["ready"], false);
    assert_eq!(json["authenticated"], false);

    let run = validate(
        &[
            "--provider",
            "github",
            "--api-url",
            "http://10.1.2.3/api/v3",
            "--token-stdin",
        ],
        "ghp_x",
    )
    .await;
    assert_eq!(run.code, 64);
    assert!(run.stderr.contains("plain HTTP"), "{}", run.stderr);
}

#[tokio::test]
async fn usage_errors_exit_64() {
    for args in [
        vec!["--provider", "github"],                 // no --token-stdin
        vec!["--provider", "gitea", "--token-stdin"], // unknown provider
        vec!["--provider", "github", "--kind", "project", "--token-stdin"], // kind of another provider
        vec![
            "--provider",
            "github",
            "--host",
            "a",
            "--api-url",
            "b",
            "--token-stdin",
        ],
        vec!["--provider", "bitbucket", "--token-stdin"], // no workspace
        vec!["--provider", "gitlab", "--kind", "group", "--token-stdin"], // no group
        vec!["--provider", "github", "--workspace", "w", "--token-stdin"], // wrong target
        vec![
            "--provider",
            "github",
            "--expires-at",
            "tomorrow",
            "--token-stdin",
        ],
        vec![
            "--provider",
            "github",
            "--host",
            "https://u:p@x.example",
            "--token-stdin",
        ],
    ] {
        let run = validate(&args, "ghp_abcdefghijklmnopqrstuvwxyz0123456789").await;
        assert_eq!(run.code, 64, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
    }
    let run = validate(
        &[
            "--provider",
            "github",
            "--kind",
            "fine-grained",
            "--token-stdin",
        ],
        "github_pat_x",
    )
    .await;
    assert_eq!(run.code, 64);
    assert!(run.stderr.contains("--repo"));
    let run = validate(&["--provider", "github", "--token-stdin"], "\n").await;
    assert_eq!(run.code, 64);
    assert!(run.stderr.contains("no token"));
}

#[tokio::test]
async fn the_human_summary_states_the_verdict_and_the_fix() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_classic("deploy-bot", &["repo"]));
    let run = validate(
        &[
            "--provider",
            "github",
            "--api-url",
            &sim.github_api_url(),
            "--token-stdin",
        ],
        &token,
    )
    .await;
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .starts_with("FALLS SHORT  GitHub classic token of deploy-bot\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Missing    admin:repo_hook"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("/settings/tokens"), "{}", run.stdout);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "no colour when not on a terminal"
    );
}

#[tokio::test]
async fn bitbucket_takes_the_expiry_from_the_user() {
    let sim = Simulator::start().await.unwrap();
    sim.add_bitbucket_workspace("acme");
    sim.add_bitbucket_repo("acme", "web");
    let token = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "acme",
        &["acme/web"],
        &["repository", "pullrequest:write", "webhook"],
    ));
    let date = date_in_days(100).to_string();
    let run = validate(
        &[
            "--provider",
            "bitbucket",
            "--workspace",
            "acme",
            "--repo",
            "web",
            "--expires-at",
            &date,
            "--api-url",
            &sim.bitbucket_api_url(),
            "--json",
            "--token-stdin",
        ],
        &token,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["expiry"], "user");
    assert_eq!(json["expires_at"], format!("{date}T00:00:00Z"));
    assert_eq!(json["identity"], Value::Null);
    assert_eq!(json["kind"], "repository");
}

#[tokio::test]
async fn a_bitbucket_token_without_a_date_is_ready_with_a_clear_warning() {
    let sim = Simulator::start().await.unwrap();
    sim.add_bitbucket_workspace("acme");
    sim.add_bitbucket_repo("acme", "web");
    let token = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "acme",
        &["acme/web"],
        &["repository", "pullrequest:write", "webhook"],
    ));
    let args = [
        "--provider",
        "bitbucket",
        "--workspace",
        "acme",
        "--repo",
        "web",
        "--api-url",
        &sim.bitbucket_api_url(),
        "--token-stdin",
    ];
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let run = validate(&json_args, &token).await;
    assert_eq!(run.code, 0, "a warning, not a failure: {}", run.stdout);
    let json = run.json();
    assert_eq!(json["expiry"], "unknown");
    assert_eq!(json["problems"][0]["code"], "expiry_unknown");
    assert_eq!(json["ready"], true);
    let run = validate(&args, &token).await;
    assert!(
        run.stdout.contains("--expires-at YYYY-MM-DD"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(&token));
}

#[tokio::test]
async fn an_atlassian_api_token_is_refused_before_sending_with_exit_2() {
    let sim = Simulator::start().await.unwrap();
    let token = "ATATT3xFfGF0abcdefghijklmnopqrstuvwxyz_0123456789-ABCDEFGHIJ=0A1B2C3D";
    let run = validate(
        &[
            "--provider",
            "bitbucket",
            "--workspace",
            "acme",
            "--api-url",
            &sim.bitbucket_api_url(),
            "--json",
            "--token-stdin",
        ],
        token,
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["problems"][0]["code"], "wrong_token_type");
    assert!(!run.stdout.contains(token) && !run.stderr.contains(token));
    assert!(sim.requests(Provider::Bitbucket).is_empty());
}
