//! The wizard's check-and-save: the pasted value is checked, parked behind
//! a handle, and saved from there.

use serde::{Deserialize, Serialize};
use tauri::State;
use tokenwarden_core::check::CheckReport;
use tokenwarden_core::target::TokenTarget;
use tokenwarden_core::vault::{AddOutcome, NewToken, TokenView};
use tokenwarden_core::TokenSecret;
use ts_rs::TS;

use crate::error::CommandError;
use crate::state::AppState;

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct CheckedNewToken {
    /// Refers to the pasted value, held by the backend; not the value.
    pub handle: String,
    pub report: CheckReport,
}

/// Checks a pasted token against its target and parks it for saving.
/// The target comes from the webview, so a server that is neither one of
/// the catalogue's nor one a stored token uses is confirmed first in a
/// native dialog the webview cannot answer; Cancel sends nothing and keeps
/// nothing. "Check again" and "Save" reuse the parked value only at the
/// server it was parked for, so they never need to ask.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(provider = ?target.provider), err(Display))]
pub async fn check_new_token(
    app: tauri::AppHandle,
    window: tauri::WebviewWindow,
    state: State<'_, AppState>,
    target: TokenTarget,
    token: TokenSecret,
) -> Result<CheckedNewToken, CommandError> {
    let request = target.to_request()?;
    crate::confirm::pasted_token_may_go(&app, &window, &state, &request.api_url).await?;
    let report = state.checker.check(&request, &token).await;
    let handle = state.parked.park(token, request.api_url.as_str());
    Ok(CheckedNewToken { handle, report })
}

/// "Check again": checks the value already pasted (still parked) against
/// `target`, after the user fixed a permission or a field, without asking
/// for it again. Only at the server it was first checked against; another
/// address is refused with `secret_expired` (paste it again), so a changed
/// address can never redirect a held secret.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(provider = ?target.provider), err(Display))]
pub async fn recheck_new_token(
    state: State<'_, AppState>,
    handle: String,
    target: TokenTarget,
) -> Result<CheckedNewToken, CommandError> {
    let request = target.to_request()?;
    let token = state.parked.get_for(&handle, request.api_url.as_str())?;
    let report = state.checker.check(&request, &token).await;
    Ok(CheckedNewToken { handle, report })
}

/// Forgets a parked token (the wizard was cancelled or restarted).
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all)]
pub fn discard_new_token(state: State<'_, AppState>, handle: String) {
    state.parked.discard(&handle);
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct SaveTokenInput {
    pub handle: String,
    pub name: String,
    pub description: String,
    pub target: TokenTarget,
    /// The user confirmed storing a token that falls short.
    pub accept_shortfall: bool,
}

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct SaveTokenResult {
    pub stored: bool,
    pub token: Option<TokenView>,
    pub report: CheckReport,
}

/// Stores the parked token in the keychain and its metadata in the vault.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(name = %input.name), err(Display))]
pub async fn save_new_token(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    input: SaveTokenInput,
) -> Result<SaveTokenResult, CommandError> {
    let vault = state.vault()?;
    let request = input.target.to_request()?;
    // Saved only for the server it was checked against: a target changed
    // since (another address) means pasting it again.
    let secret = state
        .parked
        .get_for(&input.handle, request.api_url.as_str())?;
    let new = NewToken {
        name: input.name.trim().to_owned(),
        description: input.description.trim().to_owned(),
        host: input.target.host.clone().filter(|h| !h.trim().is_empty()),
        request,
    };
    let outcome = vault.add(new, &secret, input.accept_shortfall).await?;
    Ok(match outcome {
        AddOutcome::Stored { token, report } => {
            state.parked.discard(&input.handle);
            super::settings::autostart_after_first_token(&app, &state);
            SaveTokenResult {
                stored: true,
                token: Some(*token),
                report,
            }
        }
        AddOutcome::Refused { report } => SaveTokenResult {
            stored: false,
            token: None,
            report,
        },
    })
}
