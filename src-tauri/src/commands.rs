//! The commands the webview may invoke, one per user action. Each is granted
//! to the main window only (src-tauri/capabilities/main.json) and returns
//! metadata, never a secret.

use tokenwarden_core::Catalogue;

/// The providers, token kinds and required permissions the wizard renders.
#[tauri::command]
pub fn provider_catalogue() -> Catalogue {
    Catalogue::load()
}
