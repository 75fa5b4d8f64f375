//! The CLI's `--ca-file`: a self-hosted server behind a company's private
//! certificate authority (made here with rcgen) is refused without it,
//! trusted with it, and a bad file is named. The library and the vault are
//! tested the same way in the core's `checks_private_ca.rs`.

use tokenwarden_sim::{Ports, PrivateCa};
use tokio::process::Command;

use crate::support::cli::{run, Run};
use crate::support::*;

/// GitHub Enterprise behind `ca`, with a ready token.
async fn enterprise(ca: &PrivateCa) -> (Simulator, String) {
    let sim = Simulator::start_tls(Ports::default(), &ca.server_identity())
        .await
        .unwrap();
    assert!(sim.github_api_url().starts_with("https://127.0.0.1:"));
    let token = sim.add_token(
        TokenSpec::github_classic("deploy-bot", &["repo", "admin:repo_hook"])
            .expires_at(in_days(90)),
    );
    (sim, token)
}

/// `tokenwarden validate ARGS` with `token` on standard input; the token
/// never appears in what it prints.
async fn validate(args: &[&str], token: &str) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tokenwarden"));
    command.arg("validate").args(args).env("NO_COLOR", "1");
    let run = run(command, Some(token)).await;
    assert!(!run.stdout.contains(token) && !run.stderr.contains(token));
    run
}

#[tokio::test]
async fn the_cli_takes_a_ca_file_and_names_a_bad_one() {
    let ca = PrivateCa::new("Acme Private Root CA");
    let (sim, token) = enterprise(&ca).await;
    let host = sim.github_url();
    let base = [
        "--provider",
        "github",
        "--host",
        &host,
        "--json",
        "--token-stdin",
    ];

    let run = validate(&base, &token).await;
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["problems"][0]["code"], "tls_error");

    let ca_file = ca.file().display().to_string();
    let mut with = base.to_vec();
    with.extend(["--ca-file", &ca_file]);
    let run = validate(&with, &token).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["ready"], true);

    let missing = ca.folder().join("typo.pem").display().to_string();
    let mut bad = base.to_vec();
    bad.extend(["--ca-file", &missing]);
    let run = validate(&bad, &token).await;
    assert_eq!(run.code, 64, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(&missing), "{}", run.stderr);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
}
