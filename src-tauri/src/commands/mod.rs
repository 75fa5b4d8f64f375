//! The commands the webview may invoke, one per user action. Each is a few
//! lines over `tokenwarden_core`, is granted by name to the main window
//! only (src-tauri/capabilities/main.json, declared in build.rs), and
//! returns metadata: a secret only ever comes in, as a `TokenSecret`,
//! which cannot be serialized back out.

pub mod catalogue;
pub mod links;
pub mod qovery;
pub mod reminders;
pub mod settings;
pub mod startup;
pub mod tokens;
pub mod wizard;

use std::sync::Arc;

use tokenwarden_core::vault::Vault;

use crate::error::{CommandError, ErrorCode};

/// Runs a vault operation (the metadata file, the keychain: blocking I/O)
/// off the async runtime's threads, as every command that reads or writes
/// the vault does, and maps its error for the webview.
pub(crate) async fn on_vault<T, E>(
    vault: Arc<Vault>,
    work: impl FnOnce(&Vault) -> Result<T, E> + Send + 'static,
) -> Result<T, CommandError>
where
    T: Send + 'static,
    E: Into<CommandError> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(move || work(&vault))
        .await
        .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?
        .map_err(Into::into)
}
