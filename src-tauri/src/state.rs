//! What the shell keeps while running: the vault (shared with the CLI
//! through the keychain and the metadata file) and the secrets a user has
//! pasted but not yet saved.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokenwarden_core::catalogue::Simulated;
use tokenwarden_core::check::{Http, HttpOptions, SystemClock};
use tokenwarden_core::checker::{CheckOptions, Checker};
use tokenwarden_core::vault::{Vault, VaultConfig, VaultNotice};
use tokenwarden_core::TokenSecret;

use crate::error::{CommandError, ErrorCode};
use tokenwarden_core::sync::LockExt;

/// A pasted secret stays in memory at most this long between "Check" and
/// "Save" in the wizard; after that the user pastes it again.
const PARKED_FOR: Duration = Duration::from_secs(15 * 60);

pub struct AppState {
    vault: Result<Arc<Vault>, String>,
    /// What opening the vault found (an interrupted change, a corrupt
    /// file), shown to the user once.
    pub notices: Mutex<Vec<VaultNotice>>,
    pub parked: ParkedSecrets,
    /// The one checker of the process: the vault's (re-checks, rotations,
    /// the watcher's daily check) and the wizard's, so an account a host
    /// rate limited is left alone by all of them, and the per-host bound is
    /// one bound.
    pub checker: Arc<Checker>,
    /// Cloud providers played by the simulator (`--simulator`), if any.
    pub simulated: Simulated,
    /// The HTTP client Qovery's calls go through (timeouts, no redirects).
    pub qovery_http: Http,
}

impl AppState {
    pub fn open(simulated: Simulated) -> Self {
        Self::with_config(VaultConfig::from_env(), simulated)
    }

    fn with_config(
        config: Result<VaultConfig, tokenwarden_core::vault::VaultError>,
        simulated: Simulated,
    ) -> Self {
        let checker = Arc::new(Checker::new(CheckOptions::default()));
        let opened =
            config.and_then(|config| Vault::open(&config, checker.clone(), Arc::new(SystemClock)));
        let (vault, notices) = match opened {
            Ok((vault, notices)) => (Ok(Arc::new(vault)), notices),
            Err(error) => {
                tracing::warn!(%error, "the vault could not be opened");
                (Err(error.to_string()), Vec::new())
            }
        };
        AppState {
            vault,
            notices: Mutex::new(notices),
            parked: ParkedSecrets::default(),
            checker,
            simulated,
            qovery_http: Http::new(HttpOptions {
                timeout: Duration::from_secs(10),
                ..HttpOptions::default()
            }),
        }
    }

    /// Qovery's API address when the user gives none: the public API, or
    /// the simulator's (`--simulator qovery=URL`).
    pub fn qovery_default_api(&self) -> String {
        self.simulated.qovery().map_or_else(
            || tokenwarden_core::destinations::qovery::DEFAULT_API_URL.to_owned(),
            |url| url.as_str().trim_end_matches('/').to_owned(),
        )
    }

    pub fn vault(&self) -> Result<Arc<Vault>, CommandError> {
        self.vault
            .clone()
            .map_err(|message| CommandError::new(ErrorCode::Storage, message))
    }

    /// The app-data folder (the vault's, shared with the CLI).
    pub fn data_dir(&self) -> Result<std::path::PathBuf, CommandError> {
        let vault = self.vault()?;
        Ok(vault
            .metadata_path()
            .parent()
            .map(std::path::PathBuf::from)
            .unwrap_or_default())
    }

    pub fn vault_problem(&self) -> Option<String> {
        self.vault.as_ref().err().cloned()
    }
}

/// Secrets between "Check" and "Save", each behind a random handle: the
/// value crosses IPC once, inward, and the webview holds only the handle.
#[derive(Default)]
pub struct ParkedSecrets {
    inner: Mutex<HashMap<String, (Arc<TokenSecret>, Instant)>>,
}

impl ParkedSecrets {
    pub fn park(&self, secret: TokenSecret) -> String {
        let handle = uuid::Uuid::new_v4().to_string();
        let mut inner = self.inner.lock_or_recover();
        inner.retain(|_, (_, at)| at.elapsed() < PARKED_FOR);
        inner.insert(handle.clone(), (Arc::new(secret), Instant::now()));
        handle
    }

    /// The secret behind `handle`, still parked (a refused save can retry).
    pub fn get(&self, handle: &str) -> Result<Arc<TokenSecret>, CommandError> {
        let inner = self.inner.lock_or_recover();
        inner
            .get(handle)
            .filter(|(_, at)| at.elapsed() < PARKED_FOR)
            .map(|(secret, _)| secret.clone())
            .ok_or_else(|| {
                CommandError::new(
                    ErrorCode::SecretExpired,
                    "The pasted token is no longer held (it is kept for 15 minutes): paste it again.",
                )
            })
    }

    /// Forgets the secret behind `handle` (its memory is zeroized once the
    /// last user lets go).
    pub fn discard(&self, handle: &str) {
        self.inner.lock_or_recover().remove(handle);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parks_and_discards_secrets_by_handle() {
        let parked = ParkedSecrets::default();
        let handle = parked.park(TokenSecret::new("ghp_x"));
        assert_eq!(parked.get(&handle).unwrap().expose(), "ghp_x");
        parked.discard(&handle);
        assert_eq!(parked.get(&handle).unwrap_err().code, "secret_expired");
        assert!(parked.get("not-a-handle").is_err());
    }

    /// The wizard's checks and the vault's (re-checks, rotations, the
    /// watcher's daily check) go through one checker, so a rate-limited
    /// host is left alone by all of them.
    #[test]
    fn the_wizard_and_the_vault_share_one_checker() {
        let dir = tempfile_dir();
        let config = VaultConfig {
            data_dir: dir.clone(),
            keychain_service: format!("tokenwarden-test-{}", uuid::Uuid::new_v4()),
            keychain_timeout: Duration::from_secs(5),
        };
        let state = AppState::with_config(Ok(config), Simulated::default());
        let vault = state
            .vault()
            .expect("an empty vault opens without the keychain");
        assert!(Arc::ptr_eq(vault.checker(), &state.checker));
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("tw-state-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
