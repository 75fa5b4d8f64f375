//! The vault commands: add, list, show, edit, check, rotate, rm. They share
//! the vault with the desktop app (same keychain service, same metadata
//! file) and print metadata only, never a secret.

use std::sync::Arc;

use serde_json::json;
use tokenwarden_core::check::{SystemClock, Verdict};
use tokenwarden_core::destinations::{qovery, Destination};
use tokenwarden_core::vault::{
    AddOutcome, NewToken, ReplaceOutcome, TokenEdit, TokenRecord, TokenStatus, Vault, VaultConfig,
    VaultError,
};
use tokenwarden_core::{providers, rotation};

use super::args::{AddArgs, CheckArgs, EditArgs, ListArgs, RmArgs, RotateArgs, ShowArgs};
use super::output;
use super::validate::{checker, read_token_for, target_and_token};
use super::{read_token_from_stdin, usage_error};

/// Exit status when the keychain or the metadata file fails (EX_IOERR).
pub const EXIT_IO: u8 = 74;

pub(crate) fn fail(error: &VaultError) -> u8 {
    eprintln!("error: {error}");
    error.exit_code()
}

pub(crate) fn open(timeout_secs: u64) -> Result<Vault, u8> {
    let config = VaultConfig::from_env().map_err(|e| fail(&e))?;
    let (vault, notices) =
        Vault::open(&config, checker(timeout_secs), Arc::new(SystemClock)).map_err(|e| fail(&e))?;
    for notice in notices {
        eprintln!("note: {notice}");
    }
    Ok(vault)
}

fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string(value).expect("JSON values serialize")
    );
}

pub async fn add(args: AddArgs) -> u8 {
    let (request, token) = match target_and_token(&args.target, args.json) {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    let vault = match open(args.timeout) {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    let new = NewToken {
        name: args.name,
        description: args.description,
        host: args.target.host.clone(),
        request,
    };
    let outcome = vault.add(new, &token, args.yes).await;
    drop(token);
    match outcome {
        Err(error) => fail(&error),
        Ok(AddOutcome::Stored { token, report }) => {
            if args.json {
                print_json(&json!({"stored": true, "token": token, "check": report}));
            } else {
                print!("{}", output::human(&report));
                println!(
                    "Stored as “{}” in the {}.",
                    token.record.name,
                    vault.keychain_backend()
                );
            }
            report.verdict().exit_code()
        }
        Ok(AddOutcome::Refused { report }) => {
            if args.json {
                print_json(&json!({"stored": false, "token": null, "check": report}));
            } else {
                print!("{}", output::human(&report));
                match report.verdict() {
                    Verdict::FallsShort | Verdict::Unchecked => {
                        println!(
                            "Not stored: it falls short. Fix it, or pass --yes to store it anyway."
                        )
                    }
                    _ => println!("Not stored: this token cannot be used."),
                }
            }
            match report.verdict() {
                Verdict::Ready => 1,
                other => other.exit_code(),
            }
        }
    }
}

pub fn list(args: ListArgs) -> u8 {
    let vault = match open(10) {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    match vault.list() {
        Ok(tokens) => {
            if args.json {
                print_json(&json!(tokens));
            } else {
                print!("{}", output::token_table(&tokens));
            }
            0
        }
        Err(error) => fail(&error),
    }
}

pub fn show(args: ShowArgs) -> u8 {
    let vault = match open(10) {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    match vault.show(&args.name) {
        Ok(token) => {
            if args.json {
                print_json(&json!(token));
            } else {
                print!("{}", output::token_details(&token));
            }
            0
        }
        Err(error) => fail(&error),
    }
}

pub async fn edit(args: EditArgs) -> u8 {
    let secret = if args.token_stdin {
        match read_token_from_stdin() {
            Ok(token) if token.is_empty() => return usage_error("no token on standard input"),
            Ok(token) => Some(token),
            Err(error) => {
                return usage_error(&format!(
                    "could not read the token from standard input: {error}"
                ))
            }
        }
    } else {
        None
    };
    let vault = match open(10) {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    let edit = TokenEdit {
        new_name: args.new_name,
        description: args.description,
        host: args.host,
        api_url: args.api_url,
        ca_file: args.ca_file,
        expires_at: args.expires_at,
        secret,
        confirmed_api_url: None,
    };
    match vault.edit(&args.name, edit).await {
        Ok((token, report)) => {
            if args.json {
                print_json(&json!({"token": token, "check": report}));
            } else {
                if let Some(report) = &report {
                    print!("{}", output::human(report));
                }
                println!("Saved “{}”.", token.record.name);
            }
            0
        }
        Err(error) => fail(&error),
    }
}

pub async fn check(args: CheckArgs) -> u8 {
    let vault = match open(10) {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    let results = match vault.check(args.name.as_deref()).await {
        Ok(results) => results,
        Err(error) => return fail(&error),
    };
    let within = i64::from(args.within);
    let mut unchecked = false;
    let mut short = false;
    for result in &results {
        let token = &result.token;
        match &result.report {
            None if token.status == TokenStatus::SecretMissing => short = true,
            None => unchecked = true,
            Some(report) => match report.verdict() {
                Verdict::Unchecked | Verdict::Usage => unchecked = true,
                Verdict::Ready => {}
                _ => short = true,
            },
        }
        if token.days_left.is_some_and(|d| d < within) {
            short = true;
        }
    }
    if args.json {
        let items: Vec<_> = results
            .iter()
            .map(|r| json!({"token": r.token, "check": r.report, "error": r.error}))
            .collect();
        print_json(&json!(items));
    } else {
        let tokens: Vec<_> = results.iter().map(|r| r.token.clone()).collect();
        print!("{}", output::token_table(&tokens));
        for result in &results {
            if let Some(error) = &result.error {
                println!("{}: {error}", result.token.record.name);
            }
            if let Some(report) = &result.report {
                for problem in report.problems.iter().filter(|p| !p.code.is_warning()) {
                    println!("{}: {}", result.token.record.name, problem.message);
                }
            }
        }
    }
    if unchecked {
        3
    } else if short {
        1
    } else {
        0
    }
}

/// What a rotation did at Qovery, for a linked token (`rotate --json`'s
/// `qovery`).
struct QoveryPush {
    git_token_id: String,
    pushed: bool,
    message: String,
}

impl QoveryPush {
    fn json(&self) -> serde_json::Value {
        json!({"git_token_id": self.git_token_id, "pushed": self.pushed, "message": self.message})
    }
}

/// How long the CLI keeps trying to store a value GitLab already issued,
/// and how often: the vault holds it only while this process lives.
const KEEP_STORING_FOR: std::time::Duration = std::time::Duration::from_secs(15 * 60);
const KEEP_STORING_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// GitLab rotated the token and the keychain refused the new value: this
/// process is the only holder, so it keeps trying (each `rotate_self`
/// stores the held value without asking GitLab again) while the user
/// unlocks the keychain.
async fn keep_storing(
    vault: &Vault,
    name: &str,
    first: VaultError,
) -> Result<ReplaceOutcome, VaultError> {
    eprintln!("warning: {first}");
    eprintln!(
        "Retrying every {} seconds for up to {} minutes: unlock the keychain now, and do not interrupt this command.",
        KEEP_STORING_EVERY.as_secs(),
        KEEP_STORING_FOR.as_secs() / 60
    );
    let started = std::time::Instant::now();
    loop {
        tokio::time::sleep(KEEP_STORING_EVERY).await;
        match vault.rotate_self(name, None).await {
            Err(error @ VaultError::RotatedNotStored { .. })
                if started.elapsed() < KEEP_STORING_FOR =>
            {
                say_still_unstored(&error);
            }
            outcome => return outcome,
        }
    }
}

/// One line per failed retry, without repeating the whole explanation.
fn say_still_unstored(error: &VaultError) {
    if let VaultError::RotatedNotStored { reason, .. } = error {
        eprintln!("still not stored: {reason}");
    }
}

pub async fn rotate(args: RotateArgs) -> u8 {
    let vault = match open(10) {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    let record = match vault.record(&args.name) {
        Ok(record) => record,
        Err(error) => return fail(&error),
    };
    let http = crate::qovery::http(10);
    let mut pushed: Option<QoveryPush> = None;
    let outcome = if args.self_rotate {
        // Say which expiry is sent before anything is asked (on stderr, so
        // `--json` stays one object).
        match args.expires_at {
            Some(date) => eprintln!("The new token will expire on {date} (as asked)."),
            None => match vault.self_rotation_expiry(&args.name) {
                Ok(Some(date)) => eprintln!(
                    "The new token will expire on {date}, keeping the old token's lifetime (--expires-at to choose another date)."
                ),
                Ok(None) => {}
                Err(error) => return fail(&error),
            },
        }
        let outcome = match vault.rotate_self(&args.name, args.expires_at).await {
            Err(error @ VaultError::RotatedNotStored { .. }) => {
                keep_storing(&vault, &args.name, error).await
            }
            outcome => outcome,
        };
        // The provider has revoked the old value already: Qovery needs the
        // new one now.
        if let (Ok(ReplaceOutcome::Replaced { .. }), Some(link)) = (&outcome, &record.qovery) {
            let result = qovery::push(&vault, &http, &args.name, None, false, true).await;
            pushed = Some(QoveryPush {
                git_token_id: link.git_token_id.clone(),
                pushed: result.is_ok(),
                message: match result {
                    Ok(done) => format!("Qovery organization “{}” has the new value.", done.org.name),
                    Err(error) => format!(
                        "{error} The new value is stored; `tokenwarden qovery push {}` sends it once the problem is fixed.",
                        args.name
                    ),
                },
            });
        }
        outcome
    } else {
        let request = match record.check_request() {
            Ok(request) => request,
            Err(error) => return fail(&error),
        };
        let secret = match read_token_for(&request) {
            Ok(secret) => secret,
            Err(code) => return code,
        };
        let destinations = match qovery::destinations_for(&vault, &http, &record) {
            Ok(destinations) => destinations,
            Err(error) => return crate::qovery::fail(&error),
        };
        let refs: Vec<&dyn Destination> =
            destinations.iter().map(|d| d as &dyn Destination).collect();
        // The core's rotation flow: check, swap, push to each destination
        // the token is linked to, then say where to revoke the old value.
        let outcome = rotation::rotate(&vault, &args.name, &secret, &refs).await;
        if let (Ok(done), Some(link)) = (&outcome, &record.qovery) {
            let failure = done.pushes.iter().find_map(|p| p.error.as_ref());
            pushed = Some(QoveryPush {
                git_token_id: link.git_token_id.clone(),
                pushed: matches!(done.replace, ReplaceOutcome::Replaced { .. })
                    && failure.is_none(),
                message: match (&done.replace, failure) {
                    (ReplaceOutcome::Refused { .. }, _) => {
                        "Nothing was sent to Qovery: the new value is not ready.".to_owned()
                    }
                    (_, None) => "Qovery has the new value.".to_owned(),
                    (_, Some(error)) => format!(
                        "{error}. {}",
                        done.unfinished(&args.name).unwrap_or_default()
                    ),
                },
            });
        }
        outcome.map(|outcome| outcome.replace)
    };
    let qovery_json = pushed
        .as_ref()
        .map_or(serde_json::Value::Null, QoveryPush::json);
    let push_failed = pushed.as_ref().is_some_and(|p| !p.pushed);
    match outcome {
        Err(error) => fail(&error),
        Ok(ReplaceOutcome::Replaced {
            token,
            report,
            revoke_at,
        }) => {
            if args.json {
                print_json(
                    &json!({"rotated": true, "token": token, "check": report, "revoke_at": revoke_at, "qovery": qovery_json}),
                );
            } else {
                print!("{}", output::human(&report));
                if let Some(p) = &pushed {
                    println!("{}", p.message);
                }
                match &revoke_at {
                    Some(url) => println!(
                        "Rotated “{}”. Now revoke the old token at {url}",
                        token.record.name
                    ),
                    None if push_failed && !args.self_rotate => println!(
                        "Rotated “{}”, but do not revoke the old token yet.",
                        token.record.name
                    ),
                    None => println!(
                        "Rotated “{}”; {} has revoked the old token.",
                        token.record.name,
                        providers::get(token.record.provider).name()
                    ),
                }
            }
            // The local rotation succeeded, the push did not.
            if push_failed {
                3
            } else {
                0
            }
        }
        Ok(ReplaceOutcome::Refused { report }) => {
            if args.json {
                print_json(
                    &json!({"rotated": false, "token": null, "check": report, "revoke_at": null, "qovery": qovery_json}),
                );
            } else {
                print!("{}", output::human(&report));
                println!("Not rotated: the new value is not ready; the stored one was kept.");
            }
            match report.verdict() {
                Verdict::Ready => 1,
                other => other.exit_code(),
            }
        }
    }
}

pub async fn rm(args: RmArgs) -> u8 {
    let vault = match open(10) {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    match vault.record(&args.name) {
        Ok(record) => name_qovery_services(&vault, &record).await,
        Err(error) => return fail(&error),
    }
    // The page is named only if the record's server is the one the value
    // is bound to: a rewritten tokens.json must not choose where to send
    // the user (asked before the value is deleted, while it can be read).
    let page = vault.verified_tokens_page(&args.name);
    match vault.remove(&args.name) {
        Ok(record) => {
            let name = &record.name;
            match page {
                Ok(page) => println!(
                    "Removed “{name}” from Tokenwarden. The token itself still works until you revoke it at {page}"
                ),
                Err(VaultError::ServerChanged { .. }) => println!(
                    "Removed “{name}” from Tokenwarden. The token itself still works until you revoke it on its provider's site (its page is not shown: the token list named another server than the one its value was stored for)."
                ),
                Err(_) => println!(
                    "Removed “{name}” from Tokenwarden. The token itself still works until you revoke it on its provider's site (its page is not shown: the keychain could not confirm which server its value was stored for)."
                ),
            }
            0
        }
        Err(error) => fail(&error),
    }
}

/// Before a linked token is deleted, the Qovery services using its git
/// token, by name (on stderr): Qovery keeps the git token and its value.
async fn name_qovery_services(vault: &Vault, record: &TokenRecord) {
    let Some(link) = &record.qovery else {
        return;
    };
    match qovery::services_using(vault, &crate::qovery::http(10), record).await {
        Ok(services) if services.is_empty() => {}
        Ok(services) => {
            let names: Vec<String> = services
                .iter()
                .map(|s| format!("{}/{}/{} ({})", s.project, s.environment, s.service, s.kind))
                .collect();
            eprintln!(
                "“{}” is used by {} Qovery service(s): {}. Qovery keeps git token {} and its value; they go on deploying with it until the token is revoked.",
                record.name,
                services.len(),
                names.join(", "),
                link.git_token_id
            );
        }
        Err(error) => eprintln!(
            "note: “{}” is linked to Qovery git token {} (used by {} service(s) when last seen); Qovery could not be asked which: {error}",
            record.name, link.git_token_id, link.services_count
        ),
    }
}
