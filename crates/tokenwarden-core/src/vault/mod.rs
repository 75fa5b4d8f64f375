//! The vault: secrets in the OS keychain, metadata beside them in one file,
//! and the token lifecycle (add, list, edit, check, rotate, remove).
//!
//! One vault serves the app and the CLI: the same keychain service and the
//! same metadata file, guarded by a lock file, re-read before every change,
//! so either sees what the other did.
//!
//! Nothing is lost at any step. Every change that touches the keychain is
//! first written to the metadata file as a `Pending` step (the journal);
//! the keychain is changed next; the journal entry is cleared last. A crash
//! anywhere leaves a journal entry that `Vault::open` finishes or undoes,
//! so there is never metadata pointing at nothing nor a secret nobody lists.

pub(crate) mod binding;
mod keychain;
mod metadata;
mod names;
mod ops;
mod record;
mod timed;
mod view;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use crate::check::Clock;
use crate::checker::Checker;

pub use crate::status::TokenStatus;
pub use keychain::{KeychainError, KeyringStore, LateWrite, SecretStore};
pub use metadata::{LoadNotice, MetadataError, MetadataFile};
pub use names::{name_problem, suggest_name};
pub use ops::{AddOutcome, CheckedToken, NewToken, ReplaceOutcome, TokenEdit, TokenKey};
pub use record::{
    LastCheck, Pending, QoveryConnection, QoveryLink, TokenRecord, VaultData, FORMAT_VERSION,
};
pub use timed::TimedStore;
pub use view::{SecretState, TokenView};

/// The keychain service every entry is stored under (the app identifier).
pub const KEYCHAIN_SERVICE: &str = "dev.tokenwarden.app";
pub const METADATA_FILE_NAME: &str = "tokens.json";
const LOCK_FILE_NAME: &str = "tokens.lock";

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error("No token is named “{0}”. `tokenwarden list` shows the names.")]
    NotFound(String),
    /// The token a window was showing (by id) is no longer in the vault.
    #[error("This token is no longer in Tokenwarden (it was removed meanwhile); nothing was changed or sent.")]
    Gone(String),
    #[error("A token named “{0}” already exists for this provider and host. Pick another name.")]
    NameTaken(String),
    #[error("“{name}” cannot be a token name: {reason}.")]
    BadName { name: String, reason: &'static str },
    #[error("{0}")]
    Invalid(String),
    /// A field longer than Tokenwarden accepts (`check::limits`).
    #[error(transparent)]
    TooLong(#[from] crate::check::TooLong),
    #[error("The new value is not ready, so the stored one was kept: {0}")]
    NotReady(String),
    /// tokens.json names another server than the one the token's value was
    /// stored for (`binding.rs`): nothing was sent.
    #[error("“{name}” is listed for {listed}, but its secret was stored for {stored}. The token list (tokens.json) was changed outside Tokenwarden, so the token was not sent anywhere. If you moved it yourself, give its address again (`tokenwarden edit {name} --api-url URL`, and `--ca-file` for a private CA; the app's Edit asks before a new server): it is checked there and bound to it. Otherwise restore tokens.json from a backup.")]
    ServerChanged {
        name: String,
        listed: String,
        stored: String,
    },
    /// GitLab issued a new value (revoking the stored one) and the keychain
    /// would not take it, even after retries. The value is held in memory.
    #[error("GitLab already rotated “{name}”: the stored value no longer works, and the new one could not be stored yet ({reason}). Tokenwarden holds the new value until it is stored: fix the keychain (unlock it), then rotate “{name}” again, which stores it without asking GitLab again. If Tokenwarden stops first, the new value is lost: create a new token then.")]
    RotatedNotStored { name: String, reason: String },
    #[error("Tokenwarden could not lock its token list at {path}: {reason}")]
    Lock { path: PathBuf, reason: String },
    #[error("No app-data folder is known for this user: set TOKENWARDEN_DATA_DIR.")]
    NoDataDir,
    #[error("stopped at {0} (fault injection)")]
    Injected(&'static str),
}

impl VaultError {
    /// The command line's exit status for this error (a contract, README
    /// "Exit codes"): 64 for what the user typed, 1 for a value that is
    /// not ready, 74 for the keychain, the metadata file or the folder.
    /// One mapping, for the vault commands and for Qovery's.
    pub fn exit_code(&self) -> u8 {
        match self {
            VaultError::NotFound(_)
            | VaultError::Gone(_)
            | VaultError::NameTaken(_)
            | VaultError::BadName { .. }
            | VaultError::Invalid(_)
            | VaultError::TooLong(_) => 64,
            VaultError::NotReady(_) => 1,
            VaultError::Metadata(_)
            | VaultError::Keychain(_)
            | VaultError::Lock { .. }
            | VaultError::NoDataDir
            // tokens.json no longer matches the keychain: a metadata failure.
            | VaultError::ServerChanged { .. }
            | VaultError::RotatedNotStored { .. }
            | VaultError::Injected(_) => 74,
        }
    }
}

/// Where the vault lives. The app and the CLI compute the same one.
#[derive(Debug, Clone)]
pub struct VaultConfig {
    pub data_dir: PathBuf,
    pub keychain_service: String,
    pub keychain_timeout: Duration,
}

impl VaultConfig {
    /// The platform's app-data folder for the app's identifier (the folder
    /// Tauri's `app_data_dir` also uses), unless `TOKENWARDEN_DATA_DIR` says
    /// otherwise; the keychain service likewise from
    /// `TOKENWARDEN_KEYCHAIN_SERVICE`, and the keychain deadline from
    /// `TOKENWARDEN_KEYCHAIN_TIMEOUT` (seconds, default 20).
    pub fn from_env() -> Result<Self, VaultError> {
        let data_dir = match std::env::var_os("TOKENWARDEN_DATA_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => dirs::data_dir()
                .ok_or(VaultError::NoDataDir)?
                .join(KEYCHAIN_SERVICE),
        };
        let keychain_service = std::env::var("TOKENWARDEN_KEYCHAIN_SERVICE")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| KEYCHAIN_SERVICE.to_owned());
        let keychain_timeout = std::env::var("TOKENWARDEN_KEYCHAIN_TIMEOUT")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|&s| s > 0)
            .map_or(Duration::from_secs(20), Duration::from_secs);
        Ok(VaultConfig {
            data_dir,
            keychain_service,
            keychain_timeout,
        })
    }
}

/// Crash points for tests: `check` is called between the steps of every
/// change, and returning an error there stops the change as a crash would.
pub trait Faults: Send + Sync {
    fn check(&self, point: &'static str) -> Result<(), VaultError>;
}

pub struct NoFaults;

impl Faults for NoFaults {
    fn check(&self, _: &'static str) -> Result<(), VaultError> {
        Ok(())
    }
}

/// Something the user should know about the vault's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum VaultNotice {
    /// The metadata file could not be read and was kept aside.
    CorruptMovedAside { moved_to: String, reason: String },
    /// A change interrupted earlier was finished or undone.
    Recovered { name: String, what: String },
    /// A rotation stored the new value but did not push it everywhere.
    PushUnfinished {
        name: String,
        destinations: Vec<String>,
    },
}

impl std::fmt::Display for VaultNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VaultNotice::CorruptMovedAside { moved_to, reason } => write!(
                f,
                "The token list could not be read ({reason}). It was kept as {moved_to} and a new, empty list was started; the secrets stay in the keychain."
            ),
            VaultNotice::Recovered { name, what } => write!(f, "“{name}”: {what}"),
            VaultNotice::PushUnfinished { name, destinations } => write!(
                f,
                "“{name}”: its new value is stored, but {} did not receive it yet; do not revoke the old token until the new value is pushed there.",
                destinations.join(", ")
            ),
        }
    }
}

pub struct VaultParts {
    pub data_dir: PathBuf,
    pub store: Arc<dyn SecretStore>,
    /// Shared with whoever else checks tokens in the process (the app's
    /// wizard), so one rate-limit hold or host bound applies to all.
    pub checker: Arc<Checker>,
    pub clock: Arc<dyn Clock>,
    pub faults: Arc<dyn Faults>,
}

pub struct Vault {
    meta: MetadataFile,
    lock_path: PathBuf,
    store: Arc<dyn SecretStore>,
    checker: Arc<Checker>,
    clock: Arc<dyn Clock>,
    faults: Arc<dyn Faults>,
    /// New values a provider issued (and so revoked the stored one) that
    /// the keychain would not take yet, by token id: held here, never
    /// dropped, until a retry stores them (`ops::Unstored`).
    unstored: std::sync::Mutex<std::collections::HashMap<String, ops::Unstored>>,
}

/// The metadata, loaded under the lock for one change.
pub(crate) struct Session<'v> {
    vault: &'v Vault,
    pub data: VaultData,
    pub notices: Vec<VaultNotice>,
}

impl Session<'_> {
    pub fn save(&self) -> Result<(), VaultError> {
        self.vault.meta.save(&self.data)?;
        Ok(())
    }
}

impl Vault {
    /// Opens the vault in the platform keychain, finishing or undoing any
    /// change a crash interrupted.
    pub fn open(
        config: &VaultConfig,
        checker: impl Into<Arc<Checker>>,
        clock: Arc<dyn Clock>,
    ) -> Result<(Vault, Vec<VaultNotice>), VaultError> {
        Vault::open_with(Vault::platform_parts(config, checker.into(), clock))
    }

    /// `open`, without the sweep of keychain entries no token lists, which
    /// searches the keychain (tens of milliseconds over D-Bus): for the
    /// window, which calls `sweep_orphans` once its first screen is under
    /// way rather than make the user wait for it.
    pub fn open_unswept(
        config: &VaultConfig,
        checker: impl Into<Arc<Checker>>,
        clock: Arc<dyn Clock>,
    ) -> Result<(Vault, Vec<VaultNotice>), VaultError> {
        Vault::open_unswept_with(Vault::platform_parts(config, checker.into(), clock))
    }

    fn platform_parts(
        config: &VaultConfig,
        checker: Arc<Checker>,
        clock: Arc<dyn Clock>,
    ) -> VaultParts {
        let keyring: Arc<dyn SecretStore> =
            Arc::new(KeyringStore::platform(&config.keychain_service));
        VaultParts {
            data_dir: config.data_dir.clone(),
            store: Arc::new(TimedStore::new(keyring, config.keychain_timeout)),
            checker,
            clock,
            faults: Arc::new(NoFaults),
        }
    }

    pub fn open_with(parts: VaultParts) -> Result<(Vault, Vec<VaultNotice>), VaultError> {
        Vault::open_parts(parts, true)
    }

    /// Deletes the keychain entries of this vault's tokens that no record
    /// names (a write that landed after a crash or a give-up), and says
    /// what it deleted. `open` does it; after `open_unswept`, call it once.
    pub fn sweep_orphans(&self) -> Result<Vec<VaultNotice>, VaultError> {
        self.locked(|session| {
            ops::sweep_orphans(session);
            Ok(std::mem::take(&mut session.notices))
        })
    }

    pub fn open_unswept_with(parts: VaultParts) -> Result<(Vault, Vec<VaultNotice>), VaultError> {
        Vault::open_parts(parts, false)
    }

    /// Opens the vault, finishing or undoing any change a crash
    /// interrupted, and with `sweep` deleting orphaned keychain entries,
    /// all under one hold of the lock and one read of the metadata.
    fn open_parts(parts: VaultParts, sweep: bool) -> Result<(Vault, Vec<VaultNotice>), VaultError> {
        let vault = Vault {
            meta: MetadataFile::new(parts.data_dir.join(METADATA_FILE_NAME)),
            lock_path: parts.data_dir.join(LOCK_FILE_NAME),
            store: parts.store,
            checker: parts.checker,
            clock: parts.clock,
            faults: parts.faults,
            unstored: Default::default(),
        };
        let notices = vault.locked(|session| {
            ops::reconcile(session)?;
            if sweep {
                ops::sweep_orphans(session);
            }
            Ok(std::mem::take(&mut session.notices))
        })?;
        Ok((vault, notices))
    }

    /// The keychain, for destinations that keep their own credentials
    /// there (a Qovery organization's API token).
    pub(crate) fn store(&self) -> &Arc<dyn SecretStore> {
        &self.store
    }

    pub fn metadata_path(&self) -> &Path {
        self.meta.path()
    }

    pub fn keychain_backend(&self) -> &'static str {
        self.store.backend()
    }

    /// The checker its checks go through (shared with whoever passed it).
    pub fn checker(&self) -> &Arc<Checker> {
        &self.checker
    }

    /// Runs `f` on freshly loaded metadata while holding the vault's lock,
    /// so that the app and the CLI never interleave their changes.
    pub(crate) fn locked<T>(
        &self,
        f: impl FnOnce(&mut Session<'_>) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let dir = self.lock_path.parent().unwrap_or(Path::new("."));
        let lock_error = |e: std::io::Error| VaultError::Lock {
            path: self.lock_path.clone(),
            reason: e.to_string(),
        };
        crate::jsonfile::create_private_dir(dir).map_err(lock_error)?;
        let file: File = match crate::jsonfile::open_private(&self.lock_path) {
            Ok(file) => file,
            // A read-only folder: the existing lock file still locks when
            // opened for reading, so the tokens can be listed and a change
            // fails at its first write with the metadata file's own words
            // ("the folder is not writable. Nothing was changed.").
            Err(error) => File::open(&self.lock_path).map_err(|_| lock_error(error))?,
        };
        file.lock().map_err(lock_error)?;
        let (data, notice) = self.meta.load(self.clock.now())?;
        let mut session = Session {
            vault: self,
            data,
            notices: notice
                .into_iter()
                .map(|LoadNotice::CorruptMovedAside { moved_to, reason }| {
                    VaultNotice::CorruptMovedAside {
                        moved_to: moved_to.display().to_string(),
                        reason,
                    }
                })
                .collect(),
        };
        // Not fatal: the journal keeps what could not be settled (a
        // read-only folder still lists its tokens).
        if let Err(error) = ops::settle_late_writes(&mut session) {
            tracing::warn!(%error, "late keychain writes not settled yet");
        }
        let result = f(&mut session);
        drop(file); // releases the lock
        result
    }
}
