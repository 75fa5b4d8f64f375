use tokenwarden_core::Catalogue;

/// The providers, token kinds and required permissions the wizard renders.
#[tauri::command]
pub fn provider_catalogue() -> Catalogue {
    Catalogue::load()
}
