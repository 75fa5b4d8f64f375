//! A token's reminders on its page: when the next alert comes, and the
//! same choices a notification offers (pause a day or a week, "I rotated
//! it", or resume), for platforms whose notifications have no buttons.

use tauri::State;
use tokenwarden_core::settings::Settings;
use tokenwarden_core::watch::{ReminderChoice, Reminders, WatchSettings, WatchedToken};

use crate::error::CommandError;
use crate::state::AppState;
use crate::watcher::WatcherHandle;

async fn watched(
    state: &AppState,
    name: String,
) -> Result<(WatchedToken, WatchSettings), CommandError> {
    let vault = state.vault()?;
    let settings = Settings::load(&state.data_dir()?)
        .map(|s| s.alerts)
        .unwrap_or_default();
    let record = super::on_vault(vault, move |vault| vault.record(&name)).await?;
    Ok((WatchedToken::from(&record), settings))
}

/// The reminders of the token named `name`.
#[tauri::command]
#[tracing::instrument(skip_all, fields(name = %name), err(Display))]
pub async fn token_reminders(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherHandle>,
    name: String,
) -> Result<Reminders, CommandError> {
    let (token, settings) = watched(&state, name).await?;
    Ok(watcher.reminders(&token, &settings))
}

/// Applies the user's choice to the token's reminders; returns them anew.
#[tauri::command]
#[tracing::instrument(skip_all, fields(name = %name, ?choice), err(Display))]
pub async fn set_token_reminders(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherHandle>,
    name: String,
    choice: ReminderChoice,
) -> Result<Reminders, CommandError> {
    let (token, settings) = watched(&state, name).await?;
    Ok(watcher.choose(&token, choice, &settings))
}
