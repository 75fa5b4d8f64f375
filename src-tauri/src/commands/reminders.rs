//! A token's reminders on its page: when the next alert comes, and the
//! same choices a notification offers (pause a day or a week, "I rotated
//! it", or resume), for platforms whose notifications have no buttons.
//! The watcher holds them (`WatchLink`: in this process, or the resident's).

use tauri::State;
use tokenwarden_core::watch::{ReminderChoice, Reminders};

use crate::error::CommandError;
use crate::watch_link::WatchLink;

/// The reminders of the token `id` names.
#[tauri::command]
#[tracing::instrument(skip_all, fields(id = %id), err(Display))]
pub async fn token_reminders(
    watcher: State<'_, WatchLink>,
    id: String,
) -> Result<Reminders, CommandError> {
    watcher.reminders(id).await
}

/// Applies the user's choice to the token's reminders; returns them anew.
#[tauri::command]
#[tracing::instrument(skip_all, fields(id = %id, ?choice), err(Display))]
pub async fn set_token_reminders(
    watcher: State<'_, WatchLink>,
    id: String,
    choice: ReminderChoice,
) -> Result<Reminders, CommandError> {
    watcher.choose(id, choice).await
}
