//! Qovery from the window: connect an organization (its API token comes in
//! once, as a `TokenSecret`, and goes to the keychain), list its git
//! tokens, link a stored token to one and push its value there. Each
//! command is a call to `tokenwarden_core::destinations::qovery`; errors
//! keep Qovery's own words (`CommandError::from(QoveryError)`).

use tauri::{Manager, State};
use tokenwarden_core::destinations::qovery::{
    self, OrgGitTokens, PushOutcome, QoveryError, ServiceRef,
};
use tokenwarden_core::vault::{QoveryConnection, QoveryLink, TokenKey};
use tokenwarden_core::TokenSecret;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;
use crate::watch_link::WatchLink;

/// Checks `api_token` against organization `org_id` and keeps it in the
/// keychain. An address other than Qovery's public API (or the simulator's)
/// is confirmed in a native dialog first: the API token goes only where the
/// user agreed, and a script in the webview cannot answer that dialog.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(org = %org_id), err(Display))]
pub async fn qovery_connect(
    app: tauri::AppHandle,
    window: tauri::WebviewWindow,
    state: State<'_, AppState>,
    org_id: String,
    api_url: Option<String>,
    api_token: TokenSecret,
) -> Result<QoveryConnection, CommandError> {
    let default_api = state.qovery_default_api();
    let api_url = api_url
        .map(|url| url.trim().to_owned())
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| default_api.clone());
    if api_url.trim_end_matches('/') != default_api {
        // Vetted first (https, or http on loopback), so the dialog never
        // offers an address the core would refuse anyway.
        let api = qovery::api_base(Some(&api_url)).map_err(CommandError::from)?;
        if !confirm_api_address(&app, &window, &api).await {
            return Err(CommandError::new(
                ErrorCode::Cancelled,
                "Not connected: the API token was not sent anywhere.",
            ));
        }
    }
    let vault = state.vault()?;
    let connection = qovery::connect(
        &vault,
        &state.qovery_http,
        org_id.trim(),
        Some(&api_url),
        &api_token,
    )
    .await?;
    // The watcher asks the new organization at its next round (the
    // metadata file just changed, which wakes it).
    app.state::<WatchLink>().qovery_changed().await;
    Ok(connection)
}

/// Asks, in a dialog the webview cannot script, before the API token goes
/// to a server other than Qovery's public API.
async fn confirm_api_address(
    app: &tauri::AppHandle,
    window: &tauri::WebviewWindow,
    api: &url::Url,
) -> bool {
    crate::confirm::send_there(
        app,
        window,
        "Send the Qovery API token to this server?",
        format!(
            "To connect, Tokenwarden sends the Qovery API token to {api}, which is not Qovery's public API.\n\nContinue only if you trust that server."
        ),
    )
    .await
}

/// The connected organizations (metadata only).
#[tauri::command]
#[tracing::instrument(skip_all, err(Display))]
pub async fn qovery_connections(
    state: State<'_, AppState>,
) -> Result<Vec<QoveryConnection>, CommandError> {
    super::on_vault(state.vault()?, qovery::connections).await
}

/// Removes an organization's API token from the keychain and forgets it.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(org = %org_id), err(Display))]
pub async fn qovery_disconnect(
    state: State<'_, AppState>,
    watcher: State<'_, WatchLink>,
    org_id: String,
) -> Result<QoveryConnection, CommandError> {
    let connection = super::on_vault(state.vault()?, move |vault| {
        qovery::disconnect(vault, Some(&org_id))
    })
    .await?;
    watcher.qovery_changed().await;
    Ok(connection)
}

/// An organization's git tokens, each with the local token linked to it,
/// and with the services using each when `services` is set.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(org = %org_id), err(Display))]
pub async fn qovery_git_tokens(
    state: State<'_, AppState>,
    org_id: String,
    services: bool,
) -> Result<OrgGitTokens, CommandError> {
    let vault = state.vault()?;
    Ok(qovery::git_tokens(&vault, &state.qovery_http, Some(&org_id), services).await?)
}

/// The Qovery services using a stored token's git token (none when it is
/// not linked), for the token's page and before deleting it. Tokens are
/// named by id in every command of the window.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(id = %id), err(Display))]
pub async fn qovery_services_using(
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<ServiceRef>, CommandError> {
    let vault = state.vault()?;
    let record = vault.record(TokenKey::Id(&id))?;
    Ok(qovery::services_using(&vault, &state.qovery_http, &record).await?)
}

/// Links a stored token to a git token of the same provider; nothing is
/// sent.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(id = %id, org = %org_id), err(Display))]
pub async fn qovery_link(
    state: State<'_, AppState>,
    id: String,
    org_id: String,
    git_token_id: String,
) -> Result<QoveryLink, CommandError> {
    let vault = state.vault()?;
    Ok(qovery::link(
        &vault,
        &state.qovery_http,
        TokenKey::Id(&id),
        Some(&org_id),
        &git_token_id,
    )
    .await?)
}

/// Forgets a stored token's link; Qovery keeps the value it has.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(id = %id), err(Display))]
pub async fn qovery_unlink(
    state: State<'_, AppState>,
    id: String,
) -> Result<QoveryLink, CommandError> {
    super::on_vault(state.vault()?, move |vault| {
        qovery::unlink(vault, TokenKey::Id(&id))
    })
    .await
}

/// Sends a stored token's value to its linked git token, or (`create`) to
/// a new git token of `org_id` that it is then linked to. A value that
/// falls short goes only with `consent`; an unusable one never.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(id = %id, create), err(Display))]
pub async fn qovery_push(
    state: State<'_, AppState>,
    id: String,
    org_id: Option<String>,
    create: bool,
    consent: bool,
) -> Result<PushOutcome, CommandError> {
    let vault = state.vault()?;
    let outcome = qovery::push(
        &vault,
        &state.qovery_http,
        TokenKey::Id(&id),
        org_id.as_deref(),
        create,
        consent,
    )
    .await;
    Ok(outcome.map_err(not_ready_in_app_words)?)
}

/// The core's "not ready" says how to push anyway on the command line;
/// in the window that is the "Push anyway" button.
fn not_ready_in_app_words(error: QoveryError) -> QoveryError {
    match error {
        QoveryError::NotReady { verdict, message } => QoveryError::NotReady {
            verdict,
            message: message.replace(" Push it anyway with --yes.", " Push it anyway?"),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenwarden_core::check::Verdict;

    #[test]
    fn not_ready_names_the_windows_choice_not_the_cli_flag() {
        let error = not_ready_in_app_words(QoveryError::NotReady {
            verdict: Verdict::FallsShort,
            message: "“prod” is not ready (expires soon); nothing was sent to Qovery. Push it anyway with --yes.".into(),
        });
        let message = CommandError::from(error).message;
        assert!(!message.contains("--yes"), "{message}");
        assert!(message.ends_with("Push it anyway?"), "{message}");
    }
}
