//! The vault when the disk fails it, and when many writers share it, with
//! the real pieces: the `tokenwarden` CLI as a process, gnome-keyring, and
//! real filesystems. A full disk is a tiny tmpfs filled to the last byte;
//! a read-only app-data folder is a read-only bind mount over it. Both are
//! mounted in a private mount namespace (`unshare`), so nothing outside
//! the test sees them, and the CLI runs inside it.
//!
//! Afterwards, in every case: the user was told what is wrong (exit 74),
//! `tokens.json` is byte for byte what it was and still loads, and the
//! keychain holds exactly one secret per listed token (no orphan).
//!
//! Like vault_secret_service.rs these need a Secret Service, so they are
//! ignored by a plain `cargo test`; scripts/test.sh runs them inside
//! tests/harness/desktop-session.sh with `--ignored`.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use tokio::process::Command;

use crate::support::cli::{ready_token, run, sim, Cli, Run};
use crate::support::*;

async fn add(cli: &Cli, sim: &Simulator, name: &str, token: &str) -> Run {
    cli.run(
        &[
            "add",
            "--name",
            name,
            "--provider",
            "github",
            "--api-url",
            &sim.github_api_url(),
            "--org",
            "acme",
            "--json",
            "--token-stdin",
        ],
        Some(token),
    )
    .await
}

/// The keychain account of each listed token (`ID#generation`), sorted.
fn accounts_of(cli_list: &Value) -> Vec<String> {
    let tokens_json = cli_list.as_array().expect("a list");
    let mut accounts: Vec<String> = tokens_json
        .iter()
        .map(|t| {
            format!(
                "{}#{}",
                t["id"].as_str().unwrap(),
                t["generation"].as_u64().unwrap_or(1)
            )
        })
        .collect();
    accounts.sort();
    accounts
}

/// How to get a private mount namespace here: as root, `unshare --mount`;
/// otherwise an unprivileged user namespace that maps us to root inside.
/// Panics with the reason when neither can mount (these tests must not
/// pass by doing nothing).
async fn namespace_prefix() -> Vec<&'static str> {
    let probe_dir = tempfile::tempdir().unwrap();
    let candidates: &[&[&'static str]] = &[
        &["unshare", "--mount", "--propagation", "private"],
        &["unshare", "--user", "--map-root-user", "--mount"],
    ];
    let mut errors = Vec::new();
    for prefix in candidates {
        let out = Command::new(prefix[0])
            .args(&prefix[1..])
            .args([
                "sh",
                "-c",
                "mount -t tmpfs -o size=64k tmpfs \"$1\"",
                "probe",
            ])
            .arg(probe_dir.path())
            .output()
            .await;
        match out {
            Ok(out) if out.status.success() => return prefix.to_vec(),
            Ok(out) => errors.push(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
            Err(e) => errors.push(e.to_string()),
        }
    }
    panic!(
        "these tests mount a tmpfs in a private mount namespace, and this machine allows neither `unshare --mount` (root) nor unprivileged user namespaces: {errors:?}"
    );
}

/// Runs `script` (sh) in a private mount namespace with the CLI's
/// environment, `TW` naming the CLI binary and `DATA` its data folder.
async fn in_namespace(cli: &Cli, script: &str, env: &[(&str, &str)]) -> Run {
    let prefix = namespace_prefix().await;
    let mut command = cli.command(prefix[0]);
    command
        .args(&prefix[1..])
        .args(["sh", "-c", script])
        .env("TW", env!("CARGO_BIN_EXE_tokenwarden"))
        .env("DATA", cli.data_dir.path());
    for (k, v) in env {
        command.env(k, v);
    }
    run(command, None).await
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The three changes a full or read-only disk must refuse cleanly, run in
/// the namespace after `setup`; each one's exit status, stdout and stderr
/// land in `OUT`.
const CHANGES: &str = r#"
printf %s "$NEW_TOKEN" | "$TW" add --name newcomer --provider github --api-url "$API" --org acme --json --token-stdin >"$OUT/add.out" 2>"$OUT/add.err"; echo $? >"$OUT/add.code"
printf %s "$ROTATED_TOKEN" | "$TW" rotate existing --json --token-stdin >"$OUT/rotate.out" 2>"$OUT/rotate.err"; echo $? >"$OUT/rotate.code"
"$TW" rm existing >"$OUT/rm.out" 2>"$OUT/rm.err"; echo $? >"$OUT/rm.code"
"$TW" list --json >"$OUT/list.out" 2>"$OUT/list.err"; echo $? >"$OUT/list.code"
"#;

struct Outcome {
    out: tempfile::TempDir,
}

impl Outcome {
    fn code(&self, step: &str) -> i32 {
        read(&self.out.path().join(format!("{step}.code")))
            .trim()
            .parse()
            .unwrap()
    }
    fn stderr(&self, step: &str) -> String {
        read(&self.out.path().join(format!("{step}.err")))
    }
    fn stdout(&self, step: &str) -> String {
        read(&self.out.path().join(format!("{step}.out")))
    }
}

/// A vault holding one ready token, "existing"; then `setup` (sh, in the
/// namespace) and the three changes. Checks what every case shares.
async fn refused_changes(test: &str, setup: &str, reason: &str) -> (Cli, Outcome, String) {
    let sim = sim().await;
    let cli = Cli::new(test);
    let existing = ready_token(&sim);
    let added = add(&cli, &sim, "existing", &existing).await;
    assert_eq!(added.code, 0, "{}", added.stderr);
    let metadata_path = cli.data_dir.path().join("tokens.json");
    let before = read(&metadata_path);
    let accounts_before = cli.keyring_accounts().await;
    assert_eq!(accounts_before.len(), 1, "{accounts_before:?}");

    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("before.json"), &before).unwrap();
    let new_token = ready_token(&sim);
    let rotated_token = ready_token(&sim);
    let script = format!("set -e\n{setup}\nset +e\n{CHANGES}\ncp \"$DATA/tokens.json\" \"$OUT/after.json\"\nls -A \"$DATA\" >\"$OUT/files\"\n");
    let ran = in_namespace(
        &cli,
        &script,
        &[
            ("OUT", out.path().to_str().unwrap()),
            ("API", &sim.github_api_url()),
            ("NEW_TOKEN", &new_token),
            ("ROTATED_TOKEN", &rotated_token),
        ],
    )
    .await;
    assert_eq!(ran.code, 0, "the namespace script failed: {}", ran.stderr);
    let outcome = Outcome { out };

    for step in ["add", "rotate", "rm"] {
        let stderr = outcome.stderr(step);
        assert_eq!(
            outcome.code(step),
            74,
            "{step}: {stderr}{}",
            outcome.stdout(step)
        );
        assert!(stderr.contains(reason), "{step}: {stderr}");
        assert!(stderr.contains("Nothing was changed"), "{step}: {stderr}");
        assert!(
            stderr.contains("tokens.json"),
            "{step} names the file: {stderr}"
        );
        for secret in [&existing, &new_token, &rotated_token] {
            assert!(
                !stderr.contains(secret.as_str())
                    && !outcome.stdout(step).contains(secret.as_str()),
                "{step} printed a token"
            );
        }
    }
    // The metadata as it was, on the faulty disk itself...
    assert_eq!(read(&outcome.out.path().join("after.json")), before);
    let leftovers = read(&outcome.out.path().join("files"));
    assert!(
        !leftovers.contains(".tmp"),
        "no temporary file left behind: {leftovers}"
    );
    // ...and listing still works there, with the token intact.
    assert_eq!(outcome.code("list"), 0, "{}", outcome.stderr("list"));
    let listed: Value = serde_json::from_str(&outcome.stdout("list")).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["name"], "existing");

    // No orphan: the keychain holds exactly what it held, the existing
    // token's value unchanged.
    assert_eq!(cli.keyring_accounts().await, accounts_before);
    assert_eq!(
        cli.keyring_value(&accounts_before[0]).await.as_deref(),
        Some(existing.as_str())
    );
    (cli, outcome, before)
}

#[tokio::test]
#[ignore = "needs a Secret Service and a mount namespace: run through tests/harness/desktop-session.sh"]
async fn a_full_disk_refuses_add_rotate_and_rm_and_loses_nothing() {
    // A 256 KiB tmpfs over the data folder, holding the vault's files,
    // then filled to the last byte.
    let setup = r#"
mount -t tmpfs -o size=256k,mode=0700 tmpfs "$DATA"
cp "$OUT/before.json" "$DATA/tokens.json"
: >"$DATA/tokens.lock"
dd if=/dev/zero of="$DATA/filler" bs=4k 2>/dev/null || true
dd if=/dev/zero of="$DATA/filler2" bs=1 2>/dev/null || true
"#;
    let (_cli, outcome, _) = refused_changes("fulldisk", setup, "the disk is full").await;
    let files = read(&outcome.out.path().join("files"));
    assert!(
        files.contains("filler"),
        "the disk really was full: {files}"
    );
}

#[tokio::test]
#[ignore = "needs a Secret Service and a mount namespace: run through tests/harness/desktop-session.sh"]
async fn a_read_only_data_folder_refuses_add_rotate_and_rm_and_loses_nothing() {
    let setup = r#"
mount --bind "$DATA" "$DATA"
mount -o remount,bind,ro "$DATA"
"#;
    let (cli, _outcome, before) =
        refused_changes("readonly", setup, "the folder is not writable").await;
    // Outside the namespace the folder is writable again: the real file is
    // untouched and the vault goes on working.
    assert_eq!(read(&cli.data_dir.path().join("tokens.json")), before);
    let listed = cli.run(&["list", "--json"], None).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_eq!(listed.json()[0]["secret"], "present");
    assert_eq!(cli.run(&["rm", "existing"], None).await.code, 0);
    assert!(cli.keyring_accounts().await.is_empty());
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through tests/harness/desktop-session.sh"]
async fn concurrent_cli_writers_lose_no_update_and_leave_no_orphan() {
    let sim = sim().await;
    let cli = Cli::new("concurrent");
    for i in 0..6 {
        let token = ready_token(&sim);
        let added = add(&cli, &sim, &format!("pre-{i}"), &token).await;
        assert_eq!(added.code, 0, "{}", added.stderr);
    }
    // At once: twelve additions, three edits and three removals, each its
    // own process (as two app windows and a script would be).
    let mut jobs = Vec::new();
    for i in 0..12 {
        let token = ready_token(&sim);
        let cli = &cli;
        let sim = &sim;
        jobs.push(
            Box::pin(async move { add(cli, sim, &format!("new-{i}"), &token).await })
                as std::pin::Pin<Box<dyn std::future::Future<Output = Run>>>,
        );
    }
    for i in 0..3 {
        let name = format!("pre-{i}");
        let cli = &cli;
        jobs.push(Box::pin(async move {
            cli.run(
                &["edit", &name, "--description", "edited concurrently"],
                None,
            )
            .await
        }));
    }
    for i in 3..6 {
        let name = format!("pre-{i}");
        let cli = &cli;
        jobs.push(Box::pin(async move { cli.run(&["rm", &name], None).await }));
    }
    let runs = futures_util::future::join_all(jobs).await;
    for run in &runs {
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    }

    let listed = cli.run(&["list", "--json"], None).await.json();
    let names: BTreeSet<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = (0..3)
        .map(|i| format!("pre-{i}"))
        .chain((0..12).map(|i| format!("new-{i}")))
        .collect();
    assert_eq!(names, expected, "no addition lost, every removal done");
    for token in listed.as_array().unwrap() {
        assert_eq!(token["secret"], "present", "{token}");
        if token["name"].as_str().unwrap().starts_with("pre-") {
            assert_eq!(token["description"], "edited concurrently", "{token}");
        }
    }
    // The file is whole, holds no unfinished step, and every secret in the
    // keychain belongs to a listed token.
    let metadata: Value =
        serde_json::from_str(&read(&cli.data_dir.path().join("tokens.json"))).unwrap();
    assert_eq!(metadata["tokens"].as_array().unwrap().len(), 15);
    assert!(metadata["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t.get("pending").is_none()));
    assert_eq!(
        cli.keyring_accounts().await,
        accounts_of(&metadata["tokens"])
    );
    for name in &names {
        assert_eq!(cli.run(&["rm", name], None).await.code, 0);
    }
    assert!(cli.keyring_accounts().await.is_empty());
}
