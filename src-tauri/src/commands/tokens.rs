//! The dashboard's commands over stored tokens.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tauri::State;
use tokenwarden_core::check::{CheckReport, EXPIRES_SOON_DAYS};
use tokenwarden_core::destinations::{qovery, Destination};
use tokenwarden_core::status::{status_change, StatusChange, TokenStatus};
use tokenwarden_core::vault::{
    CheckedToken, ReplaceOutcome, TokenEdit, TokenKey, TokenView, VaultNotice,
};
use tokenwarden_core::{endpoint, rotation};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;
use crate::windows::OpenRequests;
use tokenwarden_core::sync::LockExt;

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct VaultOverview {
    /// Soonest expiry first.
    pub tokens: Vec<TokenView>,
    /// Things to tell the user once (recovered changes, a corrupt file).
    pub notices: Vec<VaultNotice>,
    /// Where secrets are kept, for the settings and the empty state.
    pub keychain: String,
    /// Set when the vault could not be opened at all.
    pub problem: Option<String>,
    /// "Expires soon" means within this many days (`check::EXPIRES_SOON_DAYS`),
    /// as the dashboard's summary says it.
    pub expires_soon_days: u32,
}

/// `EXPIRES_SOON_DAYS`, which is a small positive count.
const EXPIRES_SOON: u32 = EXPIRES_SOON_DAYS.unsigned_abs() as u32;

/// Every stored token, with what the app should tell the user.
#[tauri::command]
#[tracing::instrument(skip_all, err(Display))]
pub async fn vault_overview(state: State<'_, AppState>) -> Result<VaultOverview, CommandError> {
    let tokens = match state.vault() {
        Err(_) => Vec::new(),
        // The first screen's list, if it was read while the webview
        // started and not handed to the page with it.
        Ok(vault) => match state.take_first_list().await {
            Some(listing) => listing?,
            None => super::on_vault(vault, |vault| vault.list()).await?,
        },
    };
    Ok(overview(&state, tokens))
}

/// The overview of `tokens` (the vault's listing; none when it could not
/// be opened), with the notices not shown yet, which it takes.
pub fn overview(state: &AppState, tokens: Vec<TokenView>) -> VaultOverview {
    let notices = std::mem::take(&mut *state.notices.lock_or_recover());
    let (keychain, problem) = match state.vault() {
        Ok(vault) => (vault.keychain_backend().to_owned(), None),
        Err(_) => (String::new(), state.vault_problem()),
    };
    VaultOverview {
        tokens,
        notices,
        keychain,
        problem,
        expires_soon_days: EXPIRES_SOON,
    }
}

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct RecheckResult {
    pub token: TokenView,
    pub report: Option<CheckReport>,
    pub error: Option<String>,
    /// Its status before this check (None: it was not listed then).
    pub before: Option<TokenStatus>,
    /// What this check changed that the user must hear of
    /// (`status::status_change`): "1 stopped working".
    pub change: Option<StatusChange>,
}

/// Re-checks one token (by id: the window's list may be stale, and a name
/// can move to another token meanwhile) or all of them, concurrently, and
/// says what changed.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(id = ?id), err(Display))]
pub async fn recheck_tokens(
    state: State<'_, AppState>,
    id: Option<String>,
) -> Result<Vec<RecheckResult>, CommandError> {
    let vault = state.vault()?;
    let before: HashMap<String, TokenStatus> = super::on_vault(vault.clone(), |vault| vault.list())
        .await?
        .into_iter()
        .map(|t| (t.record.id, t.status))
        .collect();
    let results = vault.check_key(id.as_deref().map(TokenKey::Id)).await?;
    Ok(results
        .into_iter()
        .map(|r| with_change(r, &before))
        .collect())
}

/// A check's result with the status it had before and what changed.
fn with_change(checked: CheckedToken, before: &HashMap<String, TokenStatus>) -> RecheckResult {
    let was = before.get(&checked.token.record.id).copied();
    RecheckResult {
        change: was.and_then(|was| status_change(was, checked.token.status)),
        before: was,
        token: checked.token,
        report: checked.report,
        error: checked.error,
    }
}

/// Deletes a token's keychain entry and metadata (the token the window
/// showed, by id).
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(id = %id), err(Display))]
pub async fn remove_token(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    let vault = state.vault()?;
    super::on_vault(vault, move |vault| vault.remove(TokenKey::Id(&id))).await?;
    Ok(())
}

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct RotateResult {
    pub rotated: bool,
    pub token: Option<TokenView>,
    pub report: CheckReport,
    /// Where to revoke the old value now; None while a destination still
    /// lacks the new value (or when the provider revoked it itself).
    pub revoke_at: Option<String>,
    /// What is left to do when a push to a destination failed.
    pub unfinished: Option<String>,
    /// What the rotation did at Qovery, for a linked token.
    pub qovery: Option<QoveryRotation>,
}

/// A linked token's rotation at Qovery (`rotate --json`'s `qovery`).
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct QoveryRotation {
    pub git_token_id: String,
    /// Whether Qovery has the new value.
    pub pushed: bool,
    /// What happened, or exactly how to finish.
    pub message: String,
}

/// Replaces a token's value (the token the window showed, by id) with a
/// parked new one, if that one is ready.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(id = %id), err(Display))]
pub async fn rotate_token(
    state: State<'_, AppState>,
    id: String,
    handle: String,
) -> Result<RotateResult, CommandError> {
    let vault = state.vault()?;
    let record = vault.record(TokenKey::Id(&id))?;
    let name = record.name.clone();
    // The new value was checked at the token's own server (the rotate
    // panel's check); it is stored for that server only.
    let secret = state.parked.get_for(&handle, &record.api_url)?;
    let destinations = qovery::destinations_for(&vault, &state.qovery_http, &record)?;
    let refs: Vec<&dyn Destination> = destinations.iter().map(|d| d as &dyn Destination).collect();
    // The core's rotation flow: check, swap, push to each destination the
    // token is linked to, then say where to revoke the old value, only once
    // every destination has it.
    let outcome = rotation::rotate(&vault, TokenKey::Id(&id), &secret, &refs).await?;
    let unfinished = outcome.unfinished(&name);
    let qovery = record.qovery.as_ref().map(|link| {
        let failure = outcome.pushes.iter().find_map(|p| p.error.as_ref());
        let replaced = matches!(outcome.replace, ReplaceOutcome::Replaced { .. });
        QoveryRotation {
            git_token_id: link.git_token_id.clone(),
            pushed: replaced && failure.is_none(),
            message: match (replaced, failure) {
                (false, _) => "Nothing was sent to Qovery: the new value is not ready.".to_owned(),
                (true, None) => "Qovery has the new value.".to_owned(),
                (true, Some(error)) => format!(
                    "{error}. The new value is stored; push it to Qovery from this token's Qovery panel once the problem is fixed, and only then revoke the old token."
                ),
            },
        }
    });
    Ok(match outcome.replace {
        ReplaceOutcome::Replaced {
            token,
            report,
            revoke_at,
        } => {
            state.parked.discard(&handle);
            RotateResult {
                rotated: true,
                token: Some(*token),
                report,
                revoke_at,
                unfinished,
                qovery,
            }
        }
        ReplaceOutcome::Refused { report } => RotateResult {
            rotated: false,
            token: None,
            report,
            revoke_at: None,
            unfinished: None,
            qovery,
        },
    })
}

/// Has the provider issue a token's new value itself (GitLab's personal,
/// project and group access tokens; it revokes the old one), to expire on
/// `expires_at`, or by default on the date the token's view shows
/// (`self_rotation_expires_at`). No value crosses IPC.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(id = %id), err(Display))]
pub async fn self_rotate_token(
    state: State<'_, AppState>,
    id: String,
    expires_at: Option<chrono::NaiveDate>,
) -> Result<RotateResult, CommandError> {
    let vault = state.vault()?;
    let key = TokenKey::Id(&id);
    let link = vault.record(key)?.qovery;
    let outcome = vault.rotate_self(key, expires_at).await?;
    // The provider has revoked the old value already: Qovery needs the new
    // one now.
    let qovery = match (&outcome, link) {
        (ReplaceOutcome::Replaced { .. }, Some(link)) => {
            let pushed = qovery::push(&vault, &state.qovery_http, key, None, false, true).await;
            Some(QoveryRotation {
                git_token_id: link.git_token_id,
                pushed: pushed.is_ok(),
                message: match pushed {
                    Ok(done) => format!("Qovery organization “{}” has the new value.", done.org.name),
                    Err(error) => format!(
                        "{error} The new value is stored; push it to Qovery from this token's Qovery panel once the problem is fixed."
                    ),
                },
            })
        }
        _ => None,
    };
    Ok(match outcome {
        ReplaceOutcome::Replaced {
            token,
            report,
            revoke_at,
        } => RotateResult {
            rotated: true,
            token: Some(*token),
            report,
            revoke_at,
            unfinished: None,
            qovery,
        },
        ReplaceOutcome::Refused { report } => RotateResult {
            rotated: false,
            token: None,
            report,
            revoke_at: None,
            unfinished: None,
            qovery,
        },
    })
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct EditTokenInput {
    pub new_name: Option<String>,
    pub description: Option<String>,
    pub host: Option<String>,
    #[ts(type = "string | null")]
    pub expires_at: Option<chrono::NaiveDate>,
}

/// Changes a token's name, description, address or user-entered expiry.
/// A new address means the stored secret is sent there to check it, so the
/// user confirms it in a native dialog first: a script that found its way
/// into the webview could call this command, but cannot answer that.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(id = %id), err(Display))]
pub async fn edit_token(
    app: tauri::AppHandle,
    window: tauri::WebviewWindow,
    state: State<'_, AppState>,
    id: String,
    input: EditTokenInput,
) -> Result<TokenView, CommandError> {
    // By id: a name can be taken by another token (of another provider, or
    // after a rename) between this lookup and the edit; an id cannot.
    let vault = state.vault()?;
    let lookup = id.clone();
    let current = super::on_vault(vault, move |vault| vault.record_by_id(&lookup)).await?;
    let mut confirmed = current.api_url.clone();
    if let Some(host) = &input.host {
        let new_api = endpoint::api_base_from_host(current.provider, host)?;
        if new_api.as_str().trim_end_matches('/') != current.api_url.trim_end_matches('/') {
            if !confirm_new_address(&app, &window, &current.name, &new_api).await {
                return Err(CommandError::new(
                    ErrorCode::Cancelled,
                    "The address was not changed, and the token was not sent anywhere.",
                ));
            }
            confirmed = new_api.as_str().to_owned();
        }
    }
    let edit = TokenEdit {
        new_name: input.new_name,
        description: input.description,
        host: input.host,
        api_url: None,
        ca_file: None,
        expires_at: input.expires_at,
        secret: None,
        // What the user saw (and, for a new address, confirmed) travels
        // with the edit and is checked before any secret is read.
        confirmed_api_url: Some(confirmed),
    };
    let (token, _) = state.vault()?.edit_by_id(&id, edit).await?;
    Ok(token)
}

/// Asks, in a dialog the webview cannot script, before a stored secret
/// goes to a server it has not been sent to before.
async fn confirm_new_address(
    app: &tauri::AppHandle,
    window: &tauri::WebviewWindow,
    name: &str,
    api: &url::Url,
) -> bool {
    crate::confirm::send_there(
        app,
        window,
        "Send this token to a new server?",
        format!(
            "To check \u{201c}{name}\u{201d} at its new address, Tokenwarden sends its secret to {api}\n\nContinue only if you trust that server."
        ),
    )
    .await
}

/// Tells the window whenever it is asked to open a token while it is
/// already showing (it then calls `take_open_request`). The channel carries
/// no data, and needs no event permission.
#[tauri::command]
#[tracing::instrument(skip_all)]
pub fn listen_open_requests(
    requests: State<'_, OpenRequests>,
    on_request: tauri::ipc::Channel<()>,
) {
    requests.listen(on_request);
}

/// The token the window was asked to open (from the tray or a
/// notification), once.
#[tauri::command]
#[tracing::instrument(skip_all)]
pub fn take_open_request(requests: State<'_, OpenRequests>) -> Option<String> {
    requests.take()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenwarden_core::vault::{SecretState, TokenRecord};

    fn checked(id: &str, verdict: &str) -> CheckedToken {
        let record: TokenRecord = serde_json::from_value(serde_json::json!({
            "id": id, "name": id, "provider": "github", "kind": null, "host": null,
            "api_url": "https://api.github.com/", "org": null, "repo": null, "project": null,
            "group": null, "workspace": null, "ca_file": null, "identity": null, "scopes": null,
            "expires_at": null, "expiry": "never", "user_expires_at": null,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "last_checked_at": "2026-01-02T00:00:00Z", "rotated_at": null,
            "shortfall_accepted": false,
            "last_check": {"verdict": verdict, "ready": verdict == "ready", "missing": [],
                           "unverified": [], "problems": []},
        }))
        .expect("a record as the vault stores it");
        CheckedToken {
            token: TokenView::new(record, SecretState::Present, chrono::Utc::now()),
            report: None,
            error: None,
        }
    }

    /// "Checked 3 tokens: 1 stopped working" counts from these fields.
    #[test]
    fn a_recheck_says_which_tokens_changed_state() {
        let before = HashMap::from([
            ("a".to_owned(), TokenStatus::Ready),
            ("b".to_owned(), TokenStatus::Invalid),
            ("c".to_owned(), TokenStatus::Ready),
        ]);
        let a = with_change(checked("a", "unusable"), &before);
        assert_eq!(a.before, Some(TokenStatus::Ready));
        assert_eq!(a.token.status, TokenStatus::Invalid);
        assert_eq!(a.change, Some(StatusChange::StoppedWorking));
        let b = with_change(checked("b", "ready"), &before);
        assert_eq!(b.change, Some(StatusChange::Recovered));
        let c = with_change(checked("c", "ready"), &before);
        assert_eq!(c.change, None);
        let new = with_change(checked("d", "unusable"), &before);
        assert_eq!((new.before, new.change), (None, None));
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["change"], "stopped_working");
        assert_eq!(json["before"], "ready");
    }
}
