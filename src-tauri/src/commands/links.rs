//! Links to the providers' token pages. The webview never hands the shell
//! a URL to open: it names a target or a stored token, and the shell builds
//! the provider URL itself, so only provider pages can be opened.

use serde::Deserialize;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;
use tokenwarden_core::target::TokenTarget;
use tokenwarden_core::vault::suggest_name;
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct NewTokenPageInput {
    pub target: TokenTarget,
    pub name: String,
    pub description: Option<String>,
    pub expires_in_days: Option<u32>,
}

fn page_url(input: &NewTokenPageInput) -> Result<url::Url, CommandError> {
    Ok(input.target.new_token_url(
        &input.name,
        input.description.as_deref(),
        input.expires_in_days,
    )?)
}

/// The pre-filled new-token page, to show (and copy) in the wizard.
#[tracing::instrument(skip_all, err(Display))]
#[tauri::command(rename_all = "snake_case")]
pub fn new_token_link(input: NewTokenPageInput) -> Result<String, CommandError> {
    Ok(page_url(&input)?.to_string())
}

/// Opens the pre-filled new-token page in the system browser.
#[tracing::instrument(skip_all, err(Display))]
#[tauri::command(rename_all = "snake_case")]
pub fn open_new_token_page(app: AppHandle, input: NewTokenPageInput) -> Result<(), CommandError> {
    let url = page_url(&input)?;
    open(&app, url.as_str())
}

/// Opens the page where a stored token is managed and revoked.
#[tracing::instrument(skip_all, fields(name = %name), err(Display))]
#[tauri::command(rename_all = "snake_case")]
pub async fn open_tokens_page(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
) -> Result<(), CommandError> {
    let vault = state.vault()?;
    let token = tauri::async_runtime::spawn_blocking(move || vault.record(&name))
        .await
        .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))??;
    open(&app, &token.tokens_page())
}

fn open(app: &AppHandle, url: &str) -> Result<(), CommandError> {
    app.opener().open_url(url, None::<&str>).map_err(|error| {
        // The opener's own words (a missing xdg-open, no handler) go to the
        // log; the user gets one sentence and the address to copy.
        tracing::warn!(%error, "no browser could be opened");
        CommandError::new(
            ErrorCode::CannotOpen,
            format!(
                "No browser could be opened on this computer; copy this address into one: {url}"
            ),
        )
    })
}

/// A descriptive name for a new token (`github-acme-production`).
#[tracing::instrument(skip_all)]
#[tauri::command(rename_all = "snake_case")]
pub fn suggest_token_name(target: TokenTarget, environment: String) -> String {
    let what = target
        .org
        .as_deref()
        .or(target.project.as_deref())
        .or(target.group.as_deref())
        .or(target.workspace.as_deref())
        .or(target.repo.as_deref());
    suggest_name(target.provider, what, &environment)
}
