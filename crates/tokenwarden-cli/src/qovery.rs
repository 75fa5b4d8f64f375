//! `tokenwarden qovery …`: connect organizations, list their git tokens,
//! link a stored token to one, push its value. The API token is read from
//! standard input only and never printed; outputs are metadata. Exit
//! statuses are `QoveryError::exit_code` (README, "Qovery").

use std::time::Duration;

use serde_json::json;
use tokenwarden_core::check::{Http, HttpOptions};
use tokenwarden_core::destinations::qovery::{self, GitToken, OrgGitTokens, QoveryError};
use tokenwarden_core::providers;
use tokenwarden_core::vault::Vault;

use super::args::{
    QoveryArgs, QoveryCommand, QoveryConnectArgs, QoveryDisconnectArgs, QoveryLinkArgs,
    QoveryPushArgs, QoveryTokensArgs, QoveryUnlinkArgs,
};
use super::vault::open;
use super::{read_token_from_stdin, usage_error};

pub async fn run(args: QoveryArgs) -> u8 {
    match args.command {
        QoveryCommand::Connect(args) => connect(args).await,
        QoveryCommand::Tokens(args) => tokens(args).await,
        QoveryCommand::Link(args) => link(args).await,
        QoveryCommand::Unlink(args) => unlink(args),
        QoveryCommand::Push(args) => push(args).await,
        QoveryCommand::Disconnect(args) => disconnect(args),
    }
}

/// The HTTP client Qovery's calls go through.
pub(crate) fn http(timeout_secs: u64) -> Http {
    Http::new(HttpOptions {
        timeout: Duration::from_secs(timeout_secs),
        ..HttpOptions::default()
    })
}

pub(crate) fn fail(error: &QoveryError) -> u8 {
    eprintln!("error: {error}");
    error.exit_code()
}

fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string(value).expect("JSON values serialize")
    );
}

/// The vault, or the exit status of why not (already printed).
fn vault() -> Result<Vault, u8> {
    open(10)
}

async fn connect(args: QoveryConnectArgs) -> u8 {
    let api_token = match read_token_from_stdin() {
        Ok(token) if token.is_empty() => return usage_error("no API token on standard input"),
        Ok(token) => token,
        Err(error) => {
            return usage_error(&format!(
                "could not read the API token from standard input: {error}"
            ))
        }
    };
    let vault = match vault() {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    let outcome = qovery::connect(
        &vault,
        &http(args.timeout),
        &args.org,
        args.api_url.as_deref(),
        &api_token,
    )
    .await;
    drop(api_token);
    match outcome {
        Err(error) => fail(&error),
        Ok(connection) => {
            if args.json {
                print_json(&json!({
                    "org": {"id": connection.org_id, "name": connection.name},
                    "api_url": connection.api_url,
                }));
            } else {
                println!(
                    "Connected to Qovery organization “{}” ({}) at {}. Its API token is in the {}.",
                    connection.name,
                    connection.org_id,
                    connection.api_url,
                    vault.keychain_backend()
                );
            }
            0
        }
    }
}

async fn tokens(args: QoveryTokensArgs) -> u8 {
    let vault = match vault() {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    match qovery::git_tokens(
        &vault,
        &http(args.timeout),
        args.org.as_deref(),
        args.services,
    )
    .await
    {
        Err(error) => fail(&error),
        Ok(listing) => {
            if args.json {
                print_json(&json!(listing));
            } else {
                print!("{}", table(&listing));
            }
            0
        }
    }
}

/// The human listing: one line per git token, its services under it.
fn table(listing: &OrgGitTokens) -> String {
    let mut out = format!(
        "Qovery organization “{}” ({})\n",
        listing.org.name, listing.org.id
    );
    if listing.git_tokens.is_empty() {
        out.push_str("No git tokens.\n");
        return out;
    }
    let rows: Vec<[String; 6]> = listing.git_tokens.iter().map(row).collect();
    let header = ["NAME", "PROVIDER", "EXPIRES", "SERVICES", "LINKED", "ID"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 6]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned() + "\n"
    };
    out.push_str(&line(&header));
    for (token, r) in listing.git_tokens.iter().zip(&rows) {
        out.push_str(&line(r));
        for s in token.services.iter().flatten() {
            out.push_str(&format!(
                "    used by {}/{}/{} ({})\n",
                s.project, s.environment, s.service, s.kind
            ));
        }
    }
    out
}

fn row(token: &GitToken) -> [String; 6] {
    [
        token.name.clone(),
        providers::get(token.provider).name().to_owned(),
        token
            .expires_at
            .map_or("-".into(), |at| at.date_naive().to_string()),
        token.services_count.to_string(),
        token.linked.clone().unwrap_or_else(|| "-".into()),
        token.id.clone(),
    ]
}

async fn link(args: QoveryLinkArgs) -> u8 {
    let vault = match vault() {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    match qovery::link(
        &vault,
        &http(args.timeout),
        &args.name,
        args.org.as_deref(),
        &args.git_token,
    )
    .await
    {
        Err(error) => fail(&error),
        Ok(link) => {
            println!(
                "Linked “{}” to Qovery git token {} (organization {}), used by {} service(s). Nothing was sent: `tokenwarden qovery push {}` sends the value.",
                args.name, link.git_token_id, link.org_id, link.services_count, args.name
            );
            0
        }
    }
}

fn unlink(args: QoveryUnlinkArgs) -> u8 {
    let vault = match vault() {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    match qovery::unlink(&vault, &args.name) {
        Err(error) => fail(&error),
        Ok(link) => {
            println!(
                "“{}” is no longer linked to Qovery git token {}; Qovery keeps the value it has.",
                args.name, link.git_token_id
            );
            0
        }
    }
}

async fn push(args: QoveryPushArgs) -> u8 {
    let vault = match vault() {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    match qovery::push(
        &vault,
        &http(args.timeout),
        &args.name,
        args.org.as_deref(),
        args.create,
        args.yes,
    )
    .await
    {
        Err(error) => fail(&error),
        Ok(outcome) => {
            if args.json {
                print_json(&json!(outcome));
            } else if outcome.created {
                println!(
                    "Created Qovery git token {} in “{}” with the value of “{}”, and linked it.",
                    outcome.git_token_id, outcome.org.name, args.name
                );
            } else {
                println!(
                    "Qovery git token {} in “{}” now has the value of “{}”.",
                    outcome.git_token_id, outcome.org.name, args.name
                );
            }
            0
        }
    }
}

fn disconnect(args: QoveryDisconnectArgs) -> u8 {
    let vault = match vault() {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    match qovery::disconnect(&vault, args.org.as_deref()) {
        Err(error) => fail(&error),
        Ok(connection) => {
            println!(
                "Disconnected Qovery organization “{}” ({}); its API token was removed from the keychain.",
                connection.name, connection.org_id
            );
            0
        }
    }
}
