//! The error every command returns to the webview: a stable `code` the UI
//! branches on, and a `message` in plain words. Core errors never carry a
//! secret, so neither does this.

use serde::Serialize;
use tokenwarden_core::endpoint::EndpointError;
use tokenwarden_core::vault::{KeychainError, VaultError};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, TS)]
#[error("{message}")]
#[ts(export)]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        CommandError {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl From<VaultError> for CommandError {
    fn from(error: VaultError) -> Self {
        let code = match &error {
            VaultError::NotFound(_) => "not_found",
            VaultError::NameTaken(_) => "name_taken",
            VaultError::BadName { .. } => "bad_name",
            VaultError::Invalid(_) => "invalid",
            VaultError::NotReady(_) => "not_ready",
            VaultError::Keychain(KeychainError::Locked { .. }) => "keychain_locked",
            VaultError::Keychain(KeychainError::Unavailable { .. }) => "keychain_unavailable",
            VaultError::Keychain(KeychainError::Timeout(_)) => "keychain_timeout",
            VaultError::Keychain(KeychainError::Missing) => "secret_missing",
            VaultError::Keychain(KeychainError::Failed { .. }) => "keychain_failed",
            VaultError::Metadata(_) | VaultError::Lock { .. } | VaultError::NoDataDir => "storage",
            VaultError::Injected(_) => "internal",
        };
        CommandError::new(code, error.to_string())
    }
}

impl From<EndpointError> for CommandError {
    fn from(error: EndpointError) -> Self {
        let code = match error {
            EndpointError::Insecure { .. } => "insecure_url",
            EndpointError::CaFile(_) => "bad_ca_file",
            _ => "bad_address",
        };
        CommandError::new(code, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = CommandError::from(VaultError::NotFound("prod".into()));
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "not_found", "message": "No token is named “prod”. `tokenwarden list` shows the names."})
        );
    }
}
