//! A self-hosted server behind a company's private certificate authority:
//! the simulator serves HTTPS with a certificate from a CA made here
//! (rcgen). Without that CA the server is refused, and the token never
//! reaches it; with the CA file given (library, vault) it is trusted;
//! a wrong, missing or corrupt file is named in the error. No option
//! anywhere turns verification off. The CLI's `--ca-file` is tested in
//! crates/tokenwarden-cli/tests/cli/private_ca.rs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokenwarden_core::check::{ProblemCode, SystemClock, Verdict};
use tokenwarden_core::checker::CheckOptions;
use tokenwarden_core::target::TokenTarget;
use tokenwarden_core::vault::{AddOutcome, NewToken, NoFaults, TokenEdit, Vault, VaultParts};
use tokenwarden_core::ProviderKind;
use tokenwarden_core::TokenSecret;
use tokenwarden_sim::{Ports, PrivateCa};

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

fn target(sim: &Simulator, ca_file: Option<&Path>) -> TokenTarget {
    let mut target = TokenTarget::new(ProviderKind::Github);
    target.host = Some(sim.github_url());
    target.ca_file = ca_file.map(|p| p.display().to_string());
    target
}

#[tokio::test]
async fn a_private_ca_server_is_refused_without_its_ca_and_trusted_with_it() {
    let ca = PrivateCa::new("Acme Private Root CA");
    let (sim, token) = enterprise(&ca).await;

    let without = target(&sim, None).to_request().unwrap();
    let report = check(&without, &token).await;
    assert_eq!(codes(&report), [ProblemCode::TlsError], "{report:?}");
    assert_eq!(report.verdict(), Verdict::Unchecked);
    let message = &report.problems[0].message;
    assert!(message.contains("not trusted"), "{message}");
    assert!(message.contains("--ca-file"), "{message}");
    assert!(
        sim.requests(Provider::Github).is_empty(),
        "the handshake failed before any request, so the token was never sent"
    );

    let with = target(&sim, Some(&ca.file())).to_request().unwrap();
    assert_eq!(with.ca_file.as_deref(), Some(ca.file().as_path()));
    let report = check(&with, &token).await;
    assert!(report.ready, "{:?}", report.problems);
    assert_eq!(report.identity.unwrap().login, "deploy-bot");
    assert!(!sim.requests(Provider::Github).is_empty());
}

#[tokio::test]
async fn another_ca_or_a_file_that_went_away_is_named_and_trusts_nothing() {
    let ca = PrivateCa::new("Acme Private Root CA");
    let (sim, token) = enterprise(&ca).await;

    let stranger = PrivateCa::new("Some Other CA");
    let request = target(&sim, Some(&stranger.file())).to_request().unwrap();
    let report = check(&request, &token).await;
    assert_eq!(codes(&report), [ProblemCode::TlsError]);
    let message = &report.problems[0].message;
    assert!(message.contains("not trusted"), "{message}");
    assert!(
        message.contains(&stranger.file().display().to_string()),
        "{message}"
    );

    // Stored by path: a file deleted after saving is reported by name at
    // the next check, not silently ignored.
    let request = target(&sim, Some(&ca.file())).to_request().unwrap();
    std::fs::remove_file(ca.file()).unwrap();
    let report = check(&request, &token).await;
    assert_eq!(codes(&report), [ProblemCode::TlsError]);
    assert!(
        report.problems[0].message.contains("ca.pem")
            && report.problems[0].message.contains("does not exist"),
        "{}",
        report.problems[0].message
    );
    assert!(sim.requests(Provider::Github).is_empty());
}

#[tokio::test]
async fn the_vault_keeps_the_ca_path_and_uses_it_for_every_later_check() {
    let ca = PrivateCa::new("Acme Private Root CA");
    let (sim, token) = enterprise(&ca).await;
    let data = tempfile::tempdir().unwrap();
    let (vault, _) = Vault::open_with(VaultParts {
        data_dir: data.path().to_path_buf(),
        store: Arc::new(MemoryStore::default()),
        checker: checker_with(CheckOptions::default()).into(),
        clock: Arc::new(SystemClock),
        faults: Arc::new(NoFaults),
    })
    .unwrap();
    let mut typed = target(&sim, None);
    // Relative to the current folder, as typed on a command line: stored
    // absolute, so the app (started elsewhere) finds the same file.
    let relative = pathdiff(&ca.file());
    typed.ca_file = Some(relative.display().to_string());
    let new = NewToken {
        name: "ghe-prod".into(),
        description: String::new(),
        host: typed.host.clone(),
        request: typed.to_request().unwrap(),
    };
    let outcome = vault
        .add(new, &TokenSecret::new(&token), false)
        .await
        .unwrap();
    let AddOutcome::Stored { token: stored, .. } = outcome else {
        panic!("not stored: {outcome:?}")
    };
    assert_eq!(
        stored.record.ca_file.as_deref(),
        Some(ca.file().canonicalize().unwrap().to_str().unwrap())
    );
    // The app lets a target name this file without the native picker: a
    // stored token uses it. Another path is not one.
    let path = stored.record.ca_file.as_deref().unwrap();
    assert!(vault.uses_ca_file(path).unwrap());
    assert!(!vault.uses_ca_file("/etc/ssl/certs/other-ca.pem").unwrap());
    let metadata = std::fs::read_to_string(data.path().join("tokens.json")).unwrap();
    assert!(metadata.contains("\"ca_file\""), "{metadata}");
    assert!(
        !metadata.contains("BEGIN CERTIFICATE"),
        "the path is kept, not the contents"
    );

    let checked = vault.check(Some("ghe-prod")).await.unwrap();
    assert!(checked[0].report.as_ref().unwrap().ready, "{checked:?}");

    // Removing the CA file from the token makes the server untrusted again.
    let (view, report) = vault
        .edit(
            "ghe-prod",
            TokenEdit {
                ca_file: Some(String::new()),
                ..TokenEdit::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(view.record.ca_file, None);
    assert!(
        !vault.uses_ca_file(path).unwrap(),
        "no token uses it any more"
    );
    let report = report.expect("a new address is re-checked");
    assert_eq!(codes(&report), [ProblemCode::TlsError]);

    // An edit naming a file that does not exist is refused, by name.
    let error = vault
        .edit(
            "ghe-prod",
            TokenEdit {
                ca_file: Some("/nonexistent/company-ca.pem".into()),
                ..TokenEdit::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/company-ca.pem"),
        "{error}"
    );
    assert_eq!(vault.show("ghe-prod").unwrap().record.ca_file, None);
}

/// `path` relative to the current folder (`../../tmp/...`).
fn pathdiff(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap().canonicalize().unwrap();
    let target = path.canonicalize().unwrap();
    let common = cwd
        .components()
        .zip(target.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in cwd.components().skip(common) {
        out.push("..");
    }
    for part in target.components().skip(common) {
        out.push(part);
    }
    out
}

/// Certificate verification cannot be switched off: no source file in the
/// workspace calls reqwest's or rustls's escape hatches.
#[test]
fn no_source_file_disables_certificate_verification() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let hatches = [
        concat!("danger_accept_", "invalid_certs"),
        concat!("danger_accept_", "invalid_hostnames"),
        concat!(".danger", "ous()"),
        concat!("Server", "CertVerifier for"),
        concat!("NoVer", "ifier"),
    ];
    let mut stack = vec![
        root.join("crates"),
        root.join("src-tauri/src"),
        root.join("fuzz"),
    ];
    let mut scanned = 0;
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !path.ends_with("target") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                scanned += 1;
                for hatch in hatches {
                    if text.contains(hatch) {
                        found.push(format!("{}: {hatch}", path.display()));
                    }
                }
            }
        }
    }
    assert!(scanned > 50, "only {scanned} files scanned: wrong root?");
    assert!(found.is_empty(), "{found:#?}");
}
