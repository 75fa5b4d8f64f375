//! The error every command returns to the webview: a stable `code` the UI
//! branches on, and a `message` in plain words. Core errors never carry a
//! secret, so neither does this.

use serde::{Deserialize, Serialize};
use tokenwarden_core::check::Verdict;
use tokenwarden_core::destinations::qovery::QoveryError;
use tokenwarden_core::endpoint::EndpointError;
use tokenwarden_core::vault::{KeychainError, VaultError};
use ts_rs::TS;

/// What went wrong, for the UI to branch on. The wire names are stable: the
/// UI compares them (typed by the generated `ErrorCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    NotFound,
    NameTaken,
    BadName,
    Invalid,
    NotReady,
    KeychainLocked,
    KeychainUnavailable,
    KeychainTimeout,
    SecretMissing,
    KeychainFailed,
    Storage,
    Internal,
    InsecureUrl,
    BadCaFile,
    BadAddress,
    /// The pasted token is no longer parked (15 minutes passed).
    SecretExpired,
    /// The user said no (a new address for a token).
    Cancelled,
    /// The browser could not be opened.
    CannotOpen,
    Notifications,
    Autostart,
    /// Qovery refused the API token or the token value (401, 403, 400);
    /// the message is Qovery's own.
    QoveryRefused,
    /// Qovery could not be reached, timed out or answered 5xx.
    QoveryUnreachable,
    /// No such organization or git token, not connected, or a link across
    /// providers: nothing was sent.
    QoveryUsage,
}

impl ErrorCode {
    /// The wire name (`"not_found"`).
    pub fn wire_name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// A code by its wire name, for callers still passing strings; an unknown
/// name is a bug and becomes `Internal` (a test names every code used).
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.wire_name() == *other
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, TS)]
#[error("{message}")]
#[ts(export)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CommandError {
            code,
            message: message.into(),
        }
    }
}

impl From<VaultError> for CommandError {
    fn from(error: VaultError) -> Self {
        let code = match &error {
            VaultError::NotFound(_) | VaultError::Gone(_) => ErrorCode::NotFound,
            VaultError::NameTaken(_) => ErrorCode::NameTaken,
            VaultError::BadName { .. } => ErrorCode::BadName,
            VaultError::Invalid(_) | VaultError::ServerChanged { .. } | VaultError::TooLong(_) => {
                ErrorCode::Invalid
            }
            VaultError::NotReady(_) => ErrorCode::NotReady,
            VaultError::Keychain(KeychainError::Locked { .. }) => ErrorCode::KeychainLocked,
            VaultError::Keychain(KeychainError::Unavailable { .. }) => {
                ErrorCode::KeychainUnavailable
            }
            VaultError::Keychain(KeychainError::Timeout(_)) => ErrorCode::KeychainTimeout,
            VaultError::Keychain(KeychainError::Missing) => ErrorCode::SecretMissing,
            VaultError::Keychain(KeychainError::Failed { .. }) => ErrorCode::KeychainFailed,
            VaultError::Metadata(_) | VaultError::Lock { .. } | VaultError::NoDataDir => {
                ErrorCode::Storage
            }
            VaultError::RotatedNotStored { .. } => ErrorCode::KeychainFailed,
            VaultError::Injected(_) => ErrorCode::Internal,
        };
        CommandError::new(code, error.to_string())
    }
}

impl From<EndpointError> for CommandError {
    fn from(error: EndpointError) -> Self {
        let code = match error {
            EndpointError::Insecure { .. } => ErrorCode::InsecureUrl,
            EndpointError::CaFile(_) => ErrorCode::BadCaFile,
            EndpointError::TooLong(_) => ErrorCode::Invalid,
            _ => ErrorCode::BadAddress,
        };
        CommandError::new(code, error.to_string())
    }
}

impl From<QoveryError> for CommandError {
    fn from(error: QoveryError) -> Self {
        let code = match error {
            QoveryError::Vault(vault) => return vault.into(),
            QoveryError::Address(address) => return address.into(),
            QoveryError::ApiTokenRefused { .. } | QoveryError::ValueRefused { .. } => {
                ErrorCode::QoveryRefused
            }
            QoveryError::Unreachable(_) | QoveryError::Unexpected(_) => {
                ErrorCode::QoveryUnreachable
            }
            // Falls short: the user may consent; unusable: never sent.
            QoveryError::NotReady {
                verdict: Verdict::FallsShort | Verdict::Unchecked,
                ..
            } => ErrorCode::NotReady,
            QoveryError::NotReady { .. } => ErrorCode::Invalid,
            QoveryError::UnknownOrganization(_)
            | QoveryError::UnknownGitToken { .. }
            | QoveryError::NotConnected
            | QoveryError::OrgNotConnected(_)
            | QoveryError::WhichOrg(_)
            | QoveryError::NotLinked(_)
            | QoveryError::CrossProvider { .. } => ErrorCode::QoveryUsage,
            // As for a provider token whose server changed behind our back.
            QoveryError::ServerChanged { .. } => ErrorCode::Invalid,
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

    #[test]
    fn qovery_refusals_keep_qoverys_own_words() {
        let e = CommandError::from(QoveryError::ValueRefused {
            status: 400,
            message: "Git token is not valid".into(),
        });
        assert_eq!(e.code, ErrorCode::QoveryRefused);
        assert!(
            e.message.contains("Git token is not valid"),
            "{}",
            e.message
        );
        let e = CommandError::from(QoveryError::Unreachable("timed out".into()));
        assert_eq!(e.code, ErrorCode::QoveryUnreachable);
        let e = CommandError::from(QoveryError::NotLinked("prod".into()));
        assert_eq!(e.code, ErrorCode::QoveryUsage);
        let e = CommandError::from(QoveryError::Vault(VaultError::NotFound("prod".into())));
        assert_eq!(e.code, ErrorCode::NotFound);
    }

    /// The UI offers "Push anyway" on `not_ready` only: a value that falls
    /// short may be pushed with consent, an unusable one never.
    #[test]
    fn an_unusable_value_is_not_offered_a_push_anyway() {
        let not_ready = |verdict| QoveryError::NotReady {
            verdict,
            message: "m".into(),
        };
        assert_eq!(
            CommandError::from(not_ready(Verdict::FallsShort)).code,
            ErrorCode::NotReady
        );
        assert_eq!(
            CommandError::from(not_ready(Verdict::Unusable)).code,
            ErrorCode::Invalid
        );
    }

    #[test]
    fn every_code_keeps_its_wire_name() {
        let names = [
            "not_found",
            "name_taken",
            "bad_name",
            "invalid",
            "not_ready",
            "keychain_locked",
            "keychain_unavailable",
            "keychain_timeout",
            "secret_missing",
            "keychain_failed",
            "storage",
            "internal",
            "insecure_url",
            "bad_ca_file",
            "bad_address",
            "secret_expired",
            "cancelled",
            "cannot_open",
            "notifications",
            "autostart",
            "qovery_refused",
            "qovery_unreachable",
            "qovery_usage",
        ];
        for name in names {
            let code: ErrorCode =
                serde_json::from_value(serde_json::Value::String(name.into())).unwrap();
            assert_eq!(code.wire_name(), name);
            assert_eq!(
                serde_json::to_value(CommandError::new(code, "m")).unwrap()["code"],
                name
            );
        }
    }
}
