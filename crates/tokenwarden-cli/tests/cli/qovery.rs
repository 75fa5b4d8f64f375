//! `tokenwarden qovery …` as a process against the simulated Qovery: every
//! exit status (0; 2 for 401, 403 and 400 with Qovery's message; 3 for
//! down, 5xx and timeouts; 64 usage; 74 metadata), the JSON fields exactly,
//! `rotate`, `list`/`show` and `rm` of a linked token, and a search of every
//! file written (the data folder and the harness session's folders) for the
//! provider tokens and the Qovery API tokens.
//!
//! Connecting stores the API token in the keychain, so the flows past
//! `connect` need a Secret Service and are ignored by a plain `cargo test`
//! (scripts/test.sh runs them in tests/harness/desktop-session.sh); what
//! fails before the keychain is reached is tested everywhere.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::cli::{files_containing, ready_token, sim, Cli};
use crate::support::*;
use tokenwarden_sim::{
    QoveryGitProvider, QoveryGitTokenSeed, QoveryRole, QoveryService, QoveryValidation,
};

/// A simulator with organization "Acme", its admin API token, and a GitHub
/// git token "main" (expiring 2027-01-31) used by two services.
struct Qovery {
    sim: Simulator,
    org: String,
    api_token: String,
    git_token: String,
}

async fn qovery() -> Qovery {
    let sim = sim().await;
    let org = sim.add_qovery_org("Acme");
    let api_token = sim.add_qovery_api_token(&org, QoveryRole::Admin);
    let mut seed = QoveryGitTokenSeed::new("main", QoveryGitProvider::Github);
    seed.description = Some("Qovery's description".into());
    seed.expired_at = Some(chrono::NaiveDate::from_ymd_opt(2027, 1, 31).unwrap());
    let git_token = sim.add_qovery_git_token(&org, seed);
    sim.add_qovery_service(QoveryService::new(&git_token, "shop", "production", "api"));
    let mut cron = QoveryService::new(&git_token, "shop", "staging", "nightly");
    cron.service_type = "CRON".into();
    sim.add_qovery_service(cron);
    Qovery {
        sim,
        org,
        api_token,
        git_token,
    }
}

impl Qovery {
    async fn connect(&self, cli: &Cli, token: &str, extra: &[&str]) -> crate::support::cli::Run {
        let url = self.sim.qovery_url();
        let mut args = vec![
            "qovery",
            "connect",
            "--org",
            &self.org,
            "--api-url",
            &url,
            "--token-stdin",
        ];
        args.extend_from_slice(extra);
        cli.run(&args, Some(&format!("{token}\n"))).await
    }
}

#[tokio::test]
async fn connect_refusals_exit_2_3_and_64_before_anything_is_stored() {
    let q = qovery().await;
    let cli = Cli::new("qovery-connect-codes");
    // 401: an unknown API token.
    let run = q.connect(&cli, "qov_unknown", &[]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("HTTP 401"), "{}", run.stderr);
    assert!(
        run.stderr.contains("Unauthorized"),
        "Qovery's words: {}",
        run.stderr
    );
    // 403: another organization's token.
    let other = q.sim.add_qovery_org("Other");
    let foreign = q.sim.add_qovery_api_token(&other, QoveryRole::Admin);
    let run = q.connect(&cli, &foreign, &[]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("You do not have access to this organization"),
        "{}",
        run.stderr
    );
    // 404: an organization that does not exist is a usage error.
    let url = q.sim.qovery_url();
    let run = cli
        .run(
            &[
                "qovery",
                "connect",
                "--org",
                "nope",
                "--api-url",
                &url,
                "--token-stdin",
            ],
            Some(&q.api_token),
        )
        .await;
    assert_eq!(run.code, 64, "{}", run.stderr);
    // 5xx, down and slow: could not be reached.
    q.sim.set_qovery_behaviour(Behaviour {
        fail_always: true,
        fail_status: 502,
        ..Behaviour::default()
    });
    let run = q.connect(&cli, &q.api_token, &[]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("HTTP 502"), "{}", run.stderr);
    q.sim.set_qovery_behaviour(Behaviour {
        down: true,
        ..Behaviour::default()
    });
    let run = q.connect(&cli, &q.api_token, &[]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    q.sim.set_qovery_behaviour(Behaviour {
        latency: Duration::from_millis(2500),
        ..Behaviour::default()
    });
    let run = q.connect(&cli, &q.api_token, &["--timeout", "1"]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("no answer within 1 seconds"),
        "{}",
        run.stderr
    );
    // Plain http to another computer: refused before sending.
    let before = q.sim.qovery_requests().len();
    let run = cli
        .run(
            &[
                "qovery",
                "connect",
                "--org",
                &q.org,
                "--api-url",
                "http://qovery.example.com",
                "--token-stdin",
            ],
            Some(&q.api_token),
        )
        .await;
    assert_eq!(run.code, 64, "{}", run.stderr);
    assert!(run.stderr.contains("plain HTTP"), "{}", run.stderr);
    assert_eq!(q.sim.qovery_requests().len(), before);
    // The API token is read from standard input only.
    let run = cli
        .run(&["qovery", "connect", "--org", &q.org], Some(&q.api_token))
        .await;
    assert_eq!(run.code, 64);
    let run = cli
        .run(
            &["qovery", "connect", "--org", &q.org, "--token-stdin"],
            Some(""),
        )
        .await;
    assert_eq!(run.code, 64);
    assert!(run.stderr.contains("no API token"), "{}", run.stderr);
    for secret in [&q.api_token, &foreign] {
        assert!(files_containing(cli.data_dir.path(), &[secret.to_string()]).is_empty());
    }
}

#[tokio::test]
async fn without_a_connection_every_command_is_a_usage_error_and_a_broken_folder_is_74() {
    let cli = Cli::new("qovery-usage");
    for (args, words) in [
        (
            vec!["qovery", "tokens"],
            "No Qovery organization is connected",
        ),
        (
            vec!["qovery", "disconnect"],
            "No Qovery organization is connected",
        ),
        (vec!["qovery", "tokens", "--org", "x"], "is not connected"),
        (
            vec!["qovery", "link", "nope", "--git-token", "x"],
            "No token is named",
        ),
        (vec!["qovery", "unlink", "nope"], "No token is named"),
        (vec!["qovery", "push", "nope"], "No token is named"),
        (vec!["qovery", "link", "nope"], "--git-token"),
    ] {
        let run = cli.run(&args, None).await;
        assert_eq!(run.code, 64, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{args:?}: {}", run.stderr);
    }
    // The data folder is a file: the metadata cannot be read or locked.
    let file = cli.data_dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let run = cli
        .run_with(
            &["qovery", "tokens"],
            None,
            &[("TOKENWARDEN_DATA_DIR", file.to_str().unwrap())],
        )
        .await;
    assert_eq!(run.code, 74, "{}", run.stderr);
}

/// Adds a ready GitHub token named `name` to the vault; returns its value.
async fn add(cli: &Cli, sim: &Simulator, name: &str) -> String {
    let value = ready_token(sim);
    let api = sim.github_api_url();
    let run = cli
        .run(
            &[
                "add",
                "--name",
                name,
                "--description",
                "Deploys",
                "--provider",
                "github",
                "--api-url",
                &api,
                "--org",
                "acme",
                "--token-stdin",
            ],
            Some(&value),
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    value
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through tests/harness/desktop-session.sh"]
async fn connect_list_link_push_rotate_rm_disconnect_with_exact_json_and_no_secret_in_files() {
    let q = qovery().await;
    let cli = Cli::new("qovery-flow");
    let mut secrets = vec![q.api_token.clone()];
    secrets.push(add(&cli, &q.sim, "prod").await);

    let run = q.connect(&cli, &q.api_token, &["--json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json(),
        json!({"org": {"id": q.org, "name": "Acme"}, "api_url": q.sim.qovery_url()})
    );
    // gnome-keyring holds the API token, bound to the address it was
    // checked at (an envelope naming the origin, then the token).
    let item = cli
        .keyring_item(&format!("qovery:{}", q.org))
        .await
        .expect("the API token is in gnome-keyring");
    let origin = url::Url::parse(&q.sim.qovery_url())
        .unwrap()
        .origin()
        .ascii_serialization();
    assert!(item.starts_with("tokenwarden-secret/1 {"), "{}", item.len());
    assert!(item.contains(&format!("\"origin\":\"{origin}\"")));
    assert!(item.ends_with(&format!("\n{}", q.api_token)));

    // A GitLab git token: a link across providers is refused, nothing sent.
    let gitlab = q.sim.add_qovery_git_token(
        &q.org,
        QoveryGitTokenSeed::new("gl", QoveryGitProvider::Gitlab),
    );
    let run = cli
        .run(&["qovery", "link", "prod", "--git-token", &gitlab], None)
        .await;
    assert_eq!(run.code, 64, "{}", run.stderr);
    assert!(run.stderr.contains("same provider"), "{}", run.stderr);
    assert!(q.sim.qovery_requests().iter().all(|r| r.method == "GET"));
    let run = cli
        .run(
            &["qovery", "link", "prod", "--git-token", "no-such-id"],
            None,
        )
        .await;
    assert_eq!(run.code, 64, "{}", run.stderr);
    let run = cli
        .run(
            &["qovery", "link", "prod", "--git-token", &q.git_token],
            None,
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Nothing was sent"), "{}", run.stdout);
    assert_eq!(q.sim.qovery_git_token(&q.git_token).unwrap().received, 0);

    let run = cli
        .run(&["qovery", "tokens", "--services", "--json"], None)
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listing = run.json();
    assert_eq!(listing["org"], json!({"id": q.org, "name": "Acme"}));
    let main = listing["git_tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == q.git_token.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        main,
        json!({
            "id": q.git_token,
            "name": "main",
            "description": "Qovery's description",
            "provider": "github",
            "expires_at": "2027-01-31T00:00:00Z",
            "git_api_url": null,
            "workspace": null,
            "services_count": 2,
            "services": [
                {"project": "shop", "environment": "production", "service": "api", "type": "APPLICATION"},
                {"project": "shop", "environment": "staging", "service": "nightly", "type": "CRON"},
            ],
            "linked": "prod",
        })
    );
    let run = cli.run(&["qovery", "tokens", "--json"], None).await;
    let plain = run.json();
    let gl: Vec<&Value> = plain["git_tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["id"] == gitlab.as_str())
        .collect();
    assert_eq!(gl[0]["provider"], "gitlab");
    assert_eq!(gl[0]["linked"], Value::Null);
    assert!(
        gl[0].get("services").is_none(),
        "omitted without --services"
    );
    let human = cli.run(&["qovery", "tokens", "--services"], None).await;
    assert!(
        human.stdout.contains("used by shop/staging/nightly (CRON)"),
        "{}",
        human.stdout
    );

    let show = cli.run(&["show", "prod", "--json"], None).await.json();
    assert_eq!(
        show["qovery"],
        json!({"org_id": q.org, "git_token_id": q.git_token, "services_count": 2})
    );
    let human = cli.run(&["show", "prod"], None).await.stdout;
    assert!(
        human.contains(&format!(
            "git token {} of organization {}, used by 2 service(s)",
            q.git_token, q.org
        )),
        "{human}"
    );
    let list = cli.run(&["list", "--json"], None).await.json();
    assert_eq!(list[0]["qovery"]["git_token_id"], q.git_token.as_str());

    // Qovery refuses the value: exit 2 with its message, link unchanged.
    q.sim.set_qovery_validation(QoveryValidation {
        accept_any: false,
        refusal: Some("Git token is invalid: cannot list repositories".into()),
    });
    let run = cli.run(&["qovery", "push", "prod", "--json"], None).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Git token is invalid: cannot list repositories"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    q.sim.set_qovery_validation(QoveryValidation::default());
    let run = cli.run(&["qovery", "push", "prod", "--json"], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json(),
        json!({"git_token_id": q.git_token, "created": false, "org": {"id": q.org, "name": "Acme"}})
    );
    assert_eq!(
        q.sim
            .qovery_git_token(&q.git_token)
            .unwrap()
            .value
            .as_deref(),
        Some(secrets[1].as_str())
    );
    assert_eq!(q.sim.qovery_git_token(&q.git_token).unwrap().name, "main");

    // Rotation pushes the new value before the old one is revocable.
    let new = ready_token(&q.sim);
    secrets.push(new.clone());
    let run = cli
        .run(&["rotate", "prod", "--json", "--token-stdin"], Some(&new))
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rotated = run.json();
    assert_eq!(
        rotated["qovery"],
        json!({"git_token_id": q.git_token, "pushed": true, "message": "Qovery has the new value."})
    );
    assert!(rotated["revoke_at"].is_string());
    assert_eq!(
        q.sim
            .qovery_git_token(&q.git_token)
            .unwrap()
            .value
            .as_deref(),
        Some(new.as_str())
    );
    // Qovery down: rotated locally, exit 3, not revocable; push finishes.
    q.sim.set_qovery_behaviour(Behaviour {
        down: true,
        ..Behaviour::default()
    });
    let newer = ready_token(&q.sim);
    secrets.push(newer.clone());
    let run = cli
        .run(&["rotate", "prod", "--json", "--token-stdin"], Some(&newer))
        .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    let rotated = run.json();
    assert_eq!(rotated["rotated"], true);
    assert_eq!(rotated["revoke_at"], Value::Null);
    assert_eq!(rotated["qovery"]["pushed"], false);
    let message = rotated["qovery"]["message"].as_str().unwrap();
    assert!(message.contains("do not revoke the old token"), "{message}");
    let run = cli.run(&["qovery", "push", "prod"], None).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    q.sim.set_qovery_behaviour(Behaviour::default());
    let run = cli.run(&["qovery", "push", "prod"], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        q.sim
            .qovery_git_token(&q.git_token)
            .unwrap()
            .value
            .as_deref(),
        Some(newer.as_str())
    );

    // --create makes a git token for another local token and links it.
    secrets.push(add(&cli, &q.sim, "staging").await);
    let run = cli
        .run(&["qovery", "push", "staging", "--create", "--json"], None)
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let created = run.json();
    assert_eq!(created["created"], true);
    let id = created["git_token_id"].as_str().unwrap();
    let made = q.sim.qovery_git_token(id).unwrap();
    assert_eq!(made.name, "staging");
    assert_eq!(
        made.value.as_deref(),
        Some(secrets.last().unwrap().as_str())
    );
    let run = cli.run(&["qovery", "unlink", "staging"], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cli.run(&["qovery", "push", "staging"], None).await;
    assert_eq!(run.code, 64, "not linked any more: {}", run.stderr);

    // The API token revoked at Qovery: 401, exit 2.
    q.sim.revoke_qovery_api_token(&q.api_token);
    let run = cli.run(&["qovery", "tokens"], None).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    // A read-only role: reads, but a push is refused with 403, exit 2.
    let viewer = q.sim.add_qovery_api_token(&q.org, QoveryRole::Viewer);
    secrets.push(viewer.clone());
    assert_eq!(q.connect(&cli, &viewer, &[]).await.code, 0);
    assert_eq!(cli.run(&["qovery", "tokens"], None).await.code, 0);
    let run = cli.run(&["qovery", "push", "prod"], None).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("HTTP 403"), "{}", run.stderr);

    // Deleting a token Qovery services use names them first.
    let run = cli.run(&["rm", "prod"], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("shop/production/api (APPLICATION)")
            && run.stderr.contains("shop/staging/nightly (CRON)"),
        "{}",
        run.stderr
    );

    // Two organizations: --org is needed.
    let beta = q.sim.add_qovery_org("Beta");
    let beta_token = q.sim.add_qovery_api_token(&beta, QoveryRole::Admin);
    secrets.push(beta_token.clone());
    let url = q.sim.qovery_url();
    let run = cli
        .run(
            &[
                "qovery",
                "connect",
                "--org",
                &beta,
                "--api-url",
                &url,
                "--token-stdin",
            ],
            Some(&beta_token),
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cli.run(&["qovery", "tokens"], None).await;
    assert_eq!(run.code, 64);
    assert!(run.stderr.contains("--org"), "{}", run.stderr);
    let run = cli
        .run(&["qovery", "disconnect", "--org", &beta], None)
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(cli.keyring_value(&format!("qovery:{beta}")).await, None);
    let run = cli.run(&["qovery", "disconnect"], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(cli.keyring_value(&format!("qovery:{}", q.org)).await, None);

    // Nothing written holds a secret: not the data folder, not the
    // session's home, config, cache or state folders (the harness's).
    let mut roots = vec![cli.data_dir.path().to_path_buf()];
    if let Some(session) = std::env::var_os("TW_SESSION_DIR") {
        roots.push(session.into());
    }
    for root in &roots {
        let found = files_containing(root, &secrets);
        assert!(found.is_empty(), "secret found in {found:?}");
    }
    let accounts = cli.keyring_accounts().await;
    assert!(
        accounts.iter().all(|a| !a.starts_with("qovery:")),
        "{accounts:?}"
    );
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through tests/harness/desktop-session.sh"]
async fn a_value_that_falls_short_is_pushed_only_with_yes() {
    let q = qovery().await;
    let cli = Cli::new("qovery-short");
    // Without admin:repo_hook: authenticated, but short of what deploying needs.
    let short = q.sim.add_token(
        TokenSpec::github_classic("deploy-bot", &["repo", "read:org"]).expires_at(in_days(60)),
    );
    let api = q.sim.github_api_url();
    let run = cli
        .run(
            &[
                "add",
                "--name",
                "short",
                "--provider",
                "github",
                "--api-url",
                &api,
                "--org",
                "acme",
                "--yes",
                "--token-stdin",
            ],
            Some(&short),
        )
        .await;
    assert_eq!(
        run.code, 1,
        "stored with --yes, exit as validate: {}",
        run.stderr
    );
    assert_eq!(q.connect(&cli, &q.api_token, &[]).await.code, 0);
    let run = cli
        .run(
            &["qovery", "link", "short", "--git-token", &q.git_token],
            None,
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cli.run(&["qovery", "push", "short"], None).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert_eq!(q.sim.qovery_git_token(&q.git_token).unwrap().received, 0);
    let run = cli
        .run(&["qovery", "push", "short", "--yes", "--json"], None)
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        q.sim
            .qovery_git_token(&q.git_token)
            .unwrap()
            .value
            .as_deref(),
        Some(short.as_str())
    );
    let run = cli.run(&["qovery", "disconnect"], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through tests/harness/desktop-session.sh"]
async fn without_a_secret_service_connect_stores_nothing_and_exits_74() {
    let q = qovery().await;
    let cli = Cli::new("qovery-no-keychain");
    let url = q.sim.qovery_url();
    let run = cli
        .run_with(
            &[
                "qovery",
                "connect",
                "--org",
                &q.org,
                "--api-url",
                &url,
                "--token-stdin",
            ],
            Some(&q.api_token),
            &[(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/tokenwarden-test-bus",
            )],
        )
        .await;
    assert_eq!(run.code, 74, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("gnome-keyring"), "{}", run.stderr);
    assert!(!run.stderr.contains(&q.api_token));
    assert!(files_containing(cli.data_dir.path(), std::slice::from_ref(&q.api_token)).is_empty());
    let run = cli.run(&["qovery", "tokens"], None).await;
    assert_eq!(run.code, 64, "not connected: {}", run.stderr);
}
