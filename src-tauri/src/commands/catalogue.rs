use tauri::State;
use tokenwarden_core::Catalogue;

use crate::state::AppState;

/// The providers, token kinds and required permissions the wizard renders.
#[tauri::command]
#[tracing::instrument(skip_all)]
pub fn provider_catalogue(state: State<'_, AppState>) -> Catalogue {
    Catalogue::load_simulated(&state.simulated)
}
