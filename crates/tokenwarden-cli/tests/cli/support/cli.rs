//! The `tokenwarden` CLI run as a process against its own data folder and
//! keychain service, as scripts run it; and what the real keychain
//! (gnome-keyring, through libsecret's `secret-tool`) holds for it.

use std::path::Path;
use std::process::Stdio;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// A simulator with the `acme` organization, whose member `deploy-bot`
/// owns the tokens these tests store.
pub async fn sim() -> super::Simulator {
    let sim = super::Simulator::start().await.unwrap();
    sim.add_github_org("acme", &["deploy-bot"]);
    sim
}

/// A classic GitHub token with everything deployments need, for 60 days.
pub fn ready_token(sim: &super::Simulator) -> String {
    sim.add_token(
        super::TokenSpec::github_classic("deploy-bot", &["repo", "admin:repo_hook", "read:org"])
            .expires_at(super::in_days(60)),
    )
}

pub struct Cli {
    pub data_dir: tempfile::TempDir,
    pub service: String,
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: {:?} / {}", self.stdout, self.stderr))
    }
}

impl Cli {
    pub fn new(test: &str) -> Cli {
        Cli {
            data_dir: tempfile::tempdir().unwrap(),
            service: format!("dev.tokenwarden.test.{test}.{}", std::process::id()),
        }
    }

    /// The CLI's environment: this folder, this keychain service.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("TOKENWARDEN_DATA_DIR", self.data_dir.path())
            .env("TOKENWARDEN_KEYCHAIN_SERVICE", &self.service)
            .env("TOKENWARDEN_KEYCHAIN_TIMEOUT", "5")
            .env("NO_COLOR", "1");
        command
    }

    pub async fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_with(args, stdin, &[]).await
    }

    pub async fn run_with(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        let mut command = self.command(env!("CARGO_BIN_EXE_tokenwarden"));
        command.args(args);
        for (k, v) in env {
            command.env(k, v);
        }
        run(command, stdin).await
    }

    /// The token gnome-keyring holds for an account, read with libsecret's
    /// own tool (keyring stores `service` and `username` attributes), out
    /// of the envelope that binds it to its server (`vault/binding.rs`).
    pub async fn keyring_value(&self, account: &str) -> Option<String> {
        let item = self.keyring_item(account).await?;
        Some(match item.strip_prefix("tokenwarden-secret/1 ") {
            Some(sealed) => sealed.split_once('\n').expect("an envelope").1.to_owned(),
            None => item,
        })
    }

    /// The keychain item's whole value, envelope included.
    pub async fn keyring_item(&self, account: &str) -> Option<String> {
        let out = Command::new("secret-tool")
            .args(["lookup", "service", &self.service, "username", account])
            .output()
            .await
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).unwrap())
    }

    /// Every account gnome-keyring holds under this service, sorted: what
    /// an orphan (a secret no record lists) would show up in.
    pub async fn keyring_accounts(&self) -> Vec<String> {
        let out = Command::new("secret-tool")
            .args(["search", "--all", "service", &self.service])
            .output()
            .await
            .unwrap();
        let listing = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let mut accounts: Vec<String> = listing
            .lines()
            .filter_map(|l| l.strip_prefix("attribute.username = "))
            .map(str::to_owned)
            .collect();
        accounts.sort();
        accounts
    }
}

/// Runs `command` with `stdin` piped in, collecting everything.
pub async fn run(mut command: Command, stdin: Option<&str>) -> Run {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    // A usage error exits before reading: a broken pipe is expected then.
    let _ = input.write_all(stdin.unwrap_or("").as_bytes()).await;
    drop(input);
    let out = child.wait_with_output().await.unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Every file under `root` that holds any of `secrets`, byte for byte.
pub fn files_containing(root: &Path, secrets: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let bytes = std::fs::read(&path).unwrap_or_default();
                for secret in secrets {
                    if bytes.windows(secret.len()).any(|w| w == secret.as_bytes()) {
                        found.push(path.display().to_string());
                    }
                }
            }
        }
    }
    found
}
