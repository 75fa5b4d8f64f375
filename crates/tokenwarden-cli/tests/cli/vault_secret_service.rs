//! The vault against a real Secret Service: gnome-keyring, unlocked, in a
//! private D-Bus session. The CLI runs as a process, as scripts run it.
//!
//! These tests need that session, so they are ignored by a plain
//! `cargo test`; scripts/test.sh runs them inside
//! tests/harness/desktop-session.sh with `--ignored`.

use serde_json::Value;
use tokio::process::Command;

use crate::support::cli::{files_containing, ready_token, sim, Cli};
use crate::support::*;

#[tokio::test]
#[ignore = "needs a Secret Service: run through tests/harness/desktop-session.sh"]
async fn the_whole_lifecycle_through_the_cli_keeps_secrets_in_gnome_keyring_only() {
    let sim = sim().await;
    let cli = Cli::new("lifecycle");
    let api = sim.github_api_url();
    let first = ready_token(&sim);
    let second = ready_token(&sim);

    let add = cli
        .run(
            &[
                "add",
                "--name",
                "github-acme-production",
                "--description",
                "Deploys",
                "--provider",
                "github",
                "--api-url",
                &api,
                "--org",
                "acme",
                "--json",
                "--token-stdin",
            ],
            Some(&format!("{first}\n")),
        )
        .await;
    assert_eq!(add.code, 0, "{}", add.stderr);
    let added = add.json();
    assert_eq!(added["stored"], true);
    let id = added["token"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        cli.keyring_value(&format!("{id}#1")).await.as_deref(),
        Some(first.as_str())
    );

    let list = cli.run(&["list", "--json"], None).await;
    assert_eq!(list.code, 0, "{}", list.stderr);
    let tokens = list.json();
    assert_eq!(tokens.as_array().unwrap().len(), 1);
    assert_eq!(tokens[0]["name"], "github-acme-production");
    assert_eq!(tokens[0]["status"], "ready");
    assert_eq!(tokens[0]["secret"], "present");
    assert_eq!(tokens[0]["identity"]["login"], "deploy-bot");

    let human = cli.run(&["list"], None).await;
    assert!(human.stdout.starts_with("NAME"), "{}", human.stdout);
    assert!(human.stdout.contains("github-acme-production"));
    assert!(human.stdout.contains("ready"));

    let check = cli.run(&["check", "--json"], None).await;
    assert_eq!(check.code, 0, "{}", check.stdout);
    let check = cli.run(&["check", "--within", "90"], None).await;
    assert_eq!(check.code, 1, "expires within 90 days: {}", check.stdout);

    let rotate = cli
        .run(
            &[
                "rotate",
                "github-acme-production",
                "--json",
                "--token-stdin",
            ],
            Some(&second),
        )
        .await;
    assert_eq!(rotate.code, 0, "{}", rotate.stderr);
    assert_eq!(rotate.json()["rotated"], true);
    assert_eq!(
        rotate.json()["revoke_at"],
        format!("{}/settings/tokens", sim.github_url())
    );
    assert_eq!(
        cli.keyring_value(&format!("{id}#2")).await.as_deref(),
        Some(second.as_str())
    );
    assert_eq!(
        cli.keyring_value(&format!("{id}#1")).await,
        None,
        "the old value is deleted"
    );

    let edit = cli
        .run(
            &[
                "edit",
                "github-acme-production",
                "--new-name",
                "github-acme-prod",
            ],
            None,
        )
        .await;
    assert_eq!(edit.code, 0, "{}", edit.stderr);
    let show = cli.run(&["show", "github-acme-prod", "--json"], None).await;
    assert_eq!(show.json()["description"], "Deploys");
    assert!(show.json()["rotated_at"].is_string());

    // Nothing the CLI wrote holds a secret: not the data folder, not the
    // session's home, config, cache or state folders.
    let mut roots = vec![cli.data_dir.path().to_path_buf()];
    if let Some(session) = std::env::var_os("TW_SESSION_DIR") {
        roots.push(session.into());
    }
    for root in &roots {
        let found = files_containing(root, &[first.clone(), second.clone()]);
        assert!(found.is_empty(), "secret found in {found:?}");
    }

    let rm = cli.run(&["rm", "github-acme-prod"], None).await;
    assert_eq!(rm.code, 0, "{}", rm.stderr);
    assert!(rm.stdout.contains("revoke it at"));
    assert_eq!(cli.keyring_value(&format!("{id}#2")).await, None);
    assert_eq!(
        cli.run(&["list", "--json"], None).await.json(),
        serde_json::json!([])
    );
    assert_eq!(cli.run(&["show", "github-acme-prod"], None).await.code, 64);
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through tests/harness/desktop-session.sh"]
async fn a_token_that_falls_short_is_stored_only_with_yes() {
    let sim = sim().await;
    let cli = Cli::new("shortfall");
    let api = sim.github_api_url();
    let short = sim.add_token(TokenSpec::github_classic("deploy-bot", &["repo"]));
    let args = [
        "add",
        "--name",
        "short",
        "--provider",
        "github",
        "--api-url",
        &api,
        "--json",
        "--token-stdin",
    ];
    let run = cli.run(&args, Some(&short)).await;
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["stored"], false);
    assert_eq!(
        cli.run(&["list", "--json"], None).await.json(),
        serde_json::json!([])
    );

    let mut with_yes = args.to_vec();
    with_yes.push("--yes");
    let run = cli.run(&with_yes, Some(&short)).await;
    assert_eq!(run.code, 1, "stored, but it still falls short");
    assert_eq!(run.json()["stored"], true);
    let listed = cli.run(&["list", "--json"], None).await.json();
    assert_eq!(listed[0]["status"], "falls_short");
    assert_eq!(listed[0]["shortfall_accepted"], true);
    assert_eq!(cli.run(&["check", "short"], None).await.code, 1);
    assert_eq!(cli.run(&["rm", "short"], None).await.code, 0);
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through tests/harness/desktop-session.sh"]
async fn a_secret_deleted_outside_tokenwarden_shows_as_missing() {
    let sim = sim().await;
    let cli = Cli::new("missing");
    let token = ready_token(&sim);
    let add = cli
        .run(
            &[
                "add",
                "--name",
                "prod",
                "--provider",
                "github",
                "--api-url",
                &sim.github_api_url(),
                "--json",
                "--token-stdin",
            ],
            Some(&token),
        )
        .await;
    let id = add.json()["token"]["id"].as_str().unwrap().to_owned();
    let cleared = Command::new("secret-tool")
        .args([
            "clear",
            "service",
            &cli.service,
            "username",
            &format!("{id}#1"),
        ])
        .status()
        .await
        .unwrap();
    assert!(cleared.success());
    let listed = cli.run(&["list", "--json"], None).await.json();
    assert_eq!(listed[0]["status"], "secret_missing");
    let check = cli.run(&["check"], None).await;
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check.stdout.contains("not in the keychain"),
        "{}",
        check.stdout
    );
    assert_eq!(cli.run(&["rm", "prod"], None).await.code, 0);
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through tests/harness/desktop-session.sh"]
async fn without_a_secret_service_nothing_is_stored_and_the_fix_is_named() {
    let sim = sim().await;
    let cli = Cli::new("unavailable");
    let token = ready_token(&sim);
    let run = cli
        .run_with(
            &[
                "add",
                "--name",
                "prod",
                "--provider",
                "github",
                "--api-url",
                &sim.github_api_url(),
                "--token-stdin",
            ],
            Some(&token),
            &[(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/tokenwarden-test-bus",
            )],
        )
        .await;
    assert_eq!(run.code, 74, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("gnome-keyring"), "{}", run.stderr);
    assert!(
        run.stderr.contains("never stored in plain files"),
        "{}",
        run.stderr
    );
    assert!(files_containing(cli.data_dir.path(), std::slice::from_ref(&token)).is_empty());
    assert_eq!(
        cli.run(&["list", "--json"], None).await.json(),
        serde_json::json!([])
    );
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through tests/harness/desktop-session.sh"]
async fn gitlab_self_rotation_stores_the_new_value_gitlab_issued() {
    let sim = Simulator::start().await.unwrap();
    let cli = Cli::new("selfrotate");
    let old = sim.add_token(
        TokenSpec::gitlab(
            TokenKind::GitlabPersonal,
            "deployer",
            &["api", "read_repository"],
        )
        .expires_at(in_days(20)),
    );
    let add = cli
        .run(
            &[
                "add",
                "--name",
                "gitlab-prod",
                "--provider",
                "gitlab",
                "--api-url",
                &sim.gitlab_api_url(),
                "--json",
                "--token-stdin",
            ],
            Some(&old),
        )
        .await;
    assert_eq!(add.code, 0, "{}", add.stderr);
    let id = add.json()["token"]["id"].as_str().unwrap().to_owned();
    let until = date_in_days(180).to_string();
    let run = cli
        .run(
            &[
                "rotate",
                "gitlab-prod",
                "--self-rotate",
                "--expires-at",
                &until,
                "--json",
            ],
            None,
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["rotated"], true);
    assert_eq!(json["revoke_at"], Value::Null);
    assert_eq!(json["token"]["expires_at"], format!("{until}T00:00:00Z"));
    let new = cli
        .keyring_value(&format!("{id}#2"))
        .await
        .expect("the new value is in gnome-keyring");
    assert_ne!(new, old);
    assert!(sim.is_active(&new) && !sim.is_active(&old));
    assert!(!run.stdout.contains(&new), "the new value is never printed");
    assert!(
        run.stderr.contains(&format!("will expire on {until}")),
        "{}",
        run.stderr
    );

    // Without --expires-at, the old lifetime (180 days from today) is kept,
    // said before rotating, and sent.
    let run = cli
        .run(&["rotate", "gitlab-prod", "--self-rotate", "--json"], None)
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let kept = date_in_days(180).to_string();
    assert!(
        run.stderr.contains(&format!(
            "will expire on {kept}, keeping the old token's lifetime"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.json()["token"]["expires_at"],
        format!("{kept}T00:00:00Z")
    );
    assert_eq!(cli.run(&["rm", "gitlab-prod"], None).await.code, 0);
}

/// `failing_since` in `show --json`: the first of the failed checks in a
/// row (the running app alerts once it has lasted a day), kept by later
/// failures, gone once a check gets an answer.
#[tokio::test]
#[ignore = "needs a Secret Service: run through tests/harness/desktop-session.sh"]
async fn a_check_that_gets_no_answer_records_since_when_checks_fail() {
    let sim = sim().await;
    let cli = Cli::new("failing");
    let token = ready_token(&sim);
    let add = cli
        .run(
            &[
                "add",
                "--name",
                "prod",
                "--provider",
                "github",
                "--api-url",
                &sim.github_api_url(),
                "--org",
                "acme",
                "--token-stdin",
            ],
            Some(&token),
        )
        .await;
    assert_eq!(add.code, 0, "{}", add.stderr);
    let show = || async { cli.run(&["show", "prod", "--json"], None).await.json() };
    assert!(
        show().await.get("failing_since").is_none(),
        "absent while checks get answers"
    );

    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            down: true,
            ..Behaviour::default()
        },
    );
    let check = cli.run(&["check", "prod"], None).await;
    assert_eq!(check.code, 3, "could not be checked: {}", check.stdout);
    let first = show().await;
    assert_eq!(first["status"], "check_failed");
    let since = first["failing_since"]
        .as_str()
        .expect("failing_since")
        .to_owned();
    assert_eq!(
        first["last_checked_at"],
        since.as_str(),
        "the first failed check"
    );

    let check = cli.run(&["check", "prod"], None).await;
    assert_eq!(check.code, 3);
    let second = show().await;
    assert_ne!(second["last_checked_at"], first["last_checked_at"]);
    assert_eq!(
        second["failing_since"],
        since.as_str(),
        "kept from the first failure"
    );

    sim.set_behaviour(Provider::Github, Behaviour::default());
    let check = cli.run(&["check", "prod"], None).await;
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(
        show().await.get("failing_since").is_none(),
        "an answer ends it"
    );
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through tests/harness/desktop-session.sh"]
async fn a_server_written_into_tokens_json_behind_the_vaults_back_receives_nothing() {
    let elsewhere = sim().await;
    let sim = sim().await;
    let cli = Cli::new("bound");
    let api = sim.github_api_url();
    let token = ready_token(&sim);
    let add = cli
        .run(
            &[
                "add",
                "--name",
                "prod",
                "--provider",
                "github",
                "--api-url",
                &api,
                "--org",
                "acme",
                "--json",
                "--token-stdin",
            ],
            Some(&format!("{token}\n")),
        )
        .await;
    assert_eq!(add.code, 0, "{}", add.stderr);
    let id = add.json()["token"]["id"].as_str().unwrap().to_owned();
    // gnome-keyring holds the value bound to its server.
    let item = cli.keyring_item(&format!("{id}#1")).await.unwrap();
    let origin = url::Url::parse(&api)
        .unwrap()
        .origin()
        .ascii_serialization();
    assert!(item.starts_with("tokenwarden-secret/1 {"), "{}", item.len());
    assert!(item.contains(&format!("\"origin\":\"{origin}\"")));
    assert!(item.ends_with(&format!("\n{token}")));

    let path = cli.data_dir.path().join("tokens.json");
    let listed = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, listed.replace(&api, &elsewhere.github_api_url())).unwrap();
    let run = cli.run(&["check"], None).await;
    assert_eq!(run.code, 3, "{} {}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("was changed outside Tokenwarden, so the token was not sent anywhere"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(&token) && !run.stderr.contains(&token));
    // Removing it works, but the rewritten server is not offered as the
    // place to revoke the token.
    let rm = cli.run(&["rm", "prod"], None).await;
    assert_eq!(rm.code, 0, "{}", rm.stderr);
    assert!(rm.stdout.contains("its page is not shown"), "{}", rm.stdout);
    let elsewhere_host = url::Url::parse(&elsewhere.github_api_url()).unwrap();
    assert!(
        !rm.stdout
            .contains(&elsewhere_host.port().unwrap().to_string()),
        "{}",
        rm.stdout
    );
    assert!(elsewhere.requests(Provider::Github).is_empty());
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through tests/harness/desktop-session.sh"]
async fn a_value_no_token_lists_is_found_in_gnome_keyring_and_deleted_on_open() {
    let sim = sim().await;
    let cli = Cli::new("orphans");
    let token = ready_token(&sim);
    let api = sim.github_api_url();
    let add = cli
        .run(
            &[
                "add",
                "--name",
                "prod",
                "--provider",
                "github",
                "--api-url",
                &api,
                "--org",
                "acme",
                "--json",
                "--token-stdin",
            ],
            Some(&format!("{token}\n")),
        )
        .await;
    assert_eq!(add.code, 0, "{}", add.stderr);
    let id = add.json()["token"]["id"].as_str().unwrap().to_owned();
    // What a keychain write landing after a crash leaves: a generation of
    // the token that no record names, stored with the attributes keyring
    // gives its items.
    let orphan = &format!("{id}#5");
    let mut store = cli.command("secret-tool");
    store
        .args(["store", "--label", "orphan", "service", &cli.service])
        .args(["username", orphan, "target", "default"])
        .stdin(std::process::Stdio::piped());
    let mut child = store.spawn().unwrap();
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"ghp_orphanedvalue").await.unwrap();
    }
    assert!(child.wait().await.unwrap().success());
    assert_eq!(cli.keyring_accounts().await.len(), 2);
    // A token the metadata does not know (another data folder sharing the
    // service) is not this vault's to delete.
    let other = Cli {
        data_dir: tempfile::tempdir().unwrap(),
        service: cli.service.clone(),
    };
    let other_token = ready_token(&sim);
    let added = other
        .run(
            &[
                "add",
                "--name",
                "other",
                "--provider",
                "github",
                "--api-url",
                &api,
                "--org",
                "acme",
                "--json",
                "--token-stdin",
            ],
            Some(&format!("{other_token}\n")),
        )
        .await;
    assert_eq!(added.code, 0, "{}", added.stderr);
    let other_id = added.json()["token"]["id"].as_str().unwrap().to_owned();

    let list = cli.run(&["list"], None).await;
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(
        list.stderr
            .contains("1 stored value(s) that no token listed"),
        "{}",
        list.stderr
    );
    let mut expected = vec![format!("{id}#1"), format!("{other_id}#1")];
    expected.sort();
    assert_eq!(cli.keyring_accounts().await, expected);
}
