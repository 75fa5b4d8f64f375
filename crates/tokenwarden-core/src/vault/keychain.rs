//! The OS keychain, behind a small trait: the one place a token's value is
//! stored. `KeyringStore` uses the `keyring` crate with each platform's
//! real store (Cargo.toml enables them; keyring 3 without one would keep
//! secrets in memory and lose them). Failures name the fix; nothing ever
//! falls back to a file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use keyring::credential::CredentialBuilder;
use keyring::Entry;

use crate::secret::TokenSecret;
use crate::sync::LockExt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    #[error("The token's secret is not in the keychain (it was deleted outside Tokenwarden). Replace it with a new value, or remove the token.")]
    Missing,
    #[error(
        "{} Tokens are never stored in plain files instead.",
        unavailable_fix()
    )]
    Unavailable { detail: String },
    #[error("{}", locked_fix())]
    Locked { detail: String },
    #[error("The keychain did not answer within {0} seconds; it may be waiting for you to unlock it. Unlock it and try again.")]
    Timeout(u64),
    #[error("The keychain refused the operation: {detail}")]
    Failed { detail: String },
}

fn unavailable_fix() -> &'static str {
    if cfg!(target_os = "linux") {
        "No keychain is available: Tokenwarden stores tokens in the Secret Service (GNOME Keyring or KWallet) over D-Bus, and none answered. Install and start gnome-keyring (or KWallet) in your desktop session, then try again."
    } else if cfg!(target_os = "macos") {
        "The macOS Keychain is not available. Make sure you are logged in to a desktop session, then try again."
    } else {
        "Windows Credential Manager is not available. Make sure you are logged in to a desktop session, then try again."
    }
}

fn locked_fix() -> &'static str {
    if cfg!(target_os = "linux") {
        "The keyring is locked. Unlock it (log in to your desktop session, or open Passwords and Keys / Seahorse and unlock the Login keyring), then try again."
    } else if cfg!(target_os = "macos") {
        "The login keychain is locked or denied access. Unlock it in Keychain Access (or allow Tokenwarden when asked), then try again."
    } else {
        "Windows Credential Manager denied access. Make sure you are logged in as the user who owns the tokens, then try again."
    }
}

pub trait SecretStore: Send + Sync {
    fn put(&self, account: &str, secret: &TokenSecret) -> Result<(), KeychainError>;
    fn get(&self, account: &str) -> Result<TokenSecret, KeychainError>;
    /// Deletes the entry; an entry that is already gone is not an error.
    fn delete(&self, account: &str) -> Result<(), KeychainError>;
    /// Whether a value is stored, without reading it where the platform
    /// allows (the Secret Service answers from attributes).
    fn exists(&self, account: &str) -> Result<bool, KeychainError>;
    /// `exists` for every account in `accounts`, in order. Listing the
    /// vault asks this of every token, so a store that can answer in one
    /// round trip should (the Secret Service does); by default, one
    /// `exists` call each.
    fn exist_many(&self, accounts: &[String]) -> Vec<Result<bool, KeychainError>> {
        accounts
            .iter()
            .map(|account| self.exists(account))
            .collect()
    }
    /// The backend's name, for the settings screen.
    fn backend(&self) -> &'static str;
    /// Whether `accounts` can list what is stored under the service: the
    /// Secret Service can; keyring's macOS and Windows stores and its mock
    /// cannot (there, only the journal prevents orphans).
    fn lists_accounts(&self) -> bool {
        false
    }
    /// Every account stored under the service, where `lists_accounts`.
    /// Opening the vault deletes the ones no record lists.
    fn accounts(&self) -> Result<Vec<String>, KeychainError> {
        Ok(Vec::new())
    }
    /// Writes that finished after their caller stopped waiting
    /// (`TimedStore`), each reported once.
    fn late_writes(&self) -> Vec<LateWrite> {
        Vec::new()
    }
}

/// A keychain write that outlived its deadline, as it finally ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateWrite {
    pub account: String,
    pub outcome: Result<(), KeychainError>,
}

/// The platform keychain through `keyring`, one entry per account under a
/// fixed service name.
pub struct KeyringStore {
    service: String,
    builder: Option<Box<CredentialBuilder>>,
    backend: &'static str,
    /// Entries are kept: keyring's mock store (used in unit tests) keeps a
    /// value only inside the `Entry` that set it.
    entries: Mutex<HashMap<String, Arc<Entry>>>,
}

impl KeyringStore {
    /// The platform's real store.
    pub fn platform(service: &str) -> Self {
        KeyringStore {
            service: service.to_owned(),
            builder: None,
            backend: if cfg!(target_os = "linux") {
                "Secret Service (GNOME Keyring / KWallet)"
            } else if cfg!(target_os = "macos") {
                "macOS Keychain"
            } else {
                "Windows Credential Manager"
            },
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Any keyring credential builder: keyring's mock in tests.
    pub fn with_builder(
        service: &str,
        builder: Box<CredentialBuilder>,
        backend: &'static str,
    ) -> Self {
        KeyringStore {
            service: service.to_owned(),
            builder: Some(builder),
            backend,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The entry for `account` (created on first use).
    pub fn entry(&self, account: &str) -> Result<Arc<Entry>, KeychainError> {
        let mut entries = self.entries.lock_or_recover();
        if let Some(entry) = entries.get(account) {
            return Ok(entry.clone());
        }
        let entry = match &self.builder {
            Some(builder) => builder
                .build(None, &self.service, account)
                .map(Entry::new_with_credential),
            None => Entry::new(&self.service, account),
        }
        .map_err(map_error)?;
        let entry = Arc::new(entry);
        entries.insert(account.to_owned(), entry.clone());
        Ok(entry)
    }
}

impl SecretStore for KeyringStore {
    fn put(&self, account: &str, secret: &TokenSecret) -> Result<(), KeychainError> {
        self.entry(account)?
            .set_password(secret.expose())
            .map_err(map_error)
    }

    fn get(&self, account: &str) -> Result<TokenSecret, KeychainError> {
        self.entry(account)?
            .get_password()
            .map(TokenSecret::new)
            .map_err(map_error)
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }

    fn exists(&self, account: &str) -> Result<bool, KeychainError> {
        match self.entry(account)?.get_attributes() {
            Ok(_) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_error(e)),
        }
    }

    /// On Linux, the platform's Secret Service is asked once for every item
    /// under the service, instead of once per account: keyring opens a new
    /// D-Bus connection and an encrypted session for each call, which made
    /// listing 100 tokens take most of a second (BENCHMARKS.md). Attributes
    /// are public, so the search needs neither encryption nor unlocking.
    fn exist_many(&self, accounts: &[String]) -> Vec<Result<bool, KeychainError>> {
        #[cfg(target_os = "linux")]
        if self.builder.is_none() {
            return match secret_service::accounts_under(&self.service) {
                Ok(present) => accounts
                    .iter()
                    .map(|account| Ok(present.contains(account)))
                    .collect(),
                Err(error) => accounts.iter().map(|_| Err(error.clone())).collect(),
            };
        }
        accounts
            .iter()
            .map(|account| self.exists(account))
            .collect()
    }

    fn backend(&self) -> &'static str {
        self.backend
    }

    fn lists_accounts(&self) -> bool {
        cfg!(target_os = "linux") && self.builder.is_none()
    }

    fn accounts(&self) -> Result<Vec<String>, KeychainError> {
        #[cfg(target_os = "linux")]
        if self.builder.is_none() {
            return secret_service::accounts_under(&self.service)
                .map(|accounts| accounts.into_iter().collect());
        }
        Ok(Vec::new())
    }
}

/// The one query keyring lacks: every account stored under a service.
#[cfg(target_os = "linux")]
mod secret_service {
    use std::collections::{HashMap, HashSet};

    use std::time::{Duration, Instant};

    use dbus::arg::Variant;
    use dbus::blocking::Connection;
    use dbus::{Message, Path};

    use super::{absent_or_failed, KeychainError};

    const SERVICE: &str = "org.freedesktop.secrets";

    /// The accounts (keyring's `username` attribute) of every item that
    /// keyring stored for `service` in the default collection, locked or not.
    ///
    /// One D-Bus connection and no session: searching and reading
    /// attributes need neither encryption nor unlocking. (Through keyring's
    /// client, each listing opened a second connection and a "plain"
    /// session; gnome-keyring-daemon was seen to abort in that session's
    /// set-up, `plain_negotiate`, for a client of a short-lived command.)
    pub(super) fn accounts_under(service: &str) -> Result<HashSet<String>, KeychainError> {
        let connection = Connection::new_session().map_err(dbus_failure)?;
        // The attributes keyring 3 gives every item it creates.
        let search = HashMap::from([("service", service), ("target", "default")]);
        let (unlocked, locked): (Vec<Path<'static>>, Vec<Path<'static>>) = connection
            .with_proxy(SERVICE, "/org/freedesktop/secrets", REPLY_WAIT)
            .method_call("org.freedesktop.Secret.Service", "SearchItems", (search,))
            .map_err(dbus_failure)?;
        let paths: Vec<Path<'static>> = unlocked.into_iter().chain(locked).collect();
        let mut accounts = HashSet::new();
        for mut attributes in attributes_of(&connection, &paths)? {
            if let Some(account) = attributes.remove("username") {
                accounts.insert(account);
            }
        }
        Ok(accounts)
    }

    /// Every item's attributes, asked all at once on one connection and
    /// then collected: one round trip's wait for a hundred tokens rather
    /// than a hundred (the window's first listing waited ≈ 30 ms on them).
    fn attributes_of(
        connection: &Connection,
        paths: &[Path<'static>],
    ) -> Result<Vec<Attributes>, KeychainError> {
        let channel = connection.channel();
        let mut pending = HashSet::with_capacity(paths.len());
        for path in paths {
            let call = Message::new_method_call(
                SERVICE,
                path.clone(),
                "org.freedesktop.DBus.Properties",
                "Get",
            )
            .map_err(|detail| KeychainError::Failed { detail })?
            .append2("org.freedesktop.Secret.Item", "Attributes");
            let serial = channel.send(call).map_err(|()| KeychainError::Failed {
                detail: "the D-Bus connection closed while asking for attributes".into(),
            })?;
            pending.insert(serial);
        }
        channel.flush();
        let mut answers = Vec::with_capacity(paths.len());
        let deadline = Instant::now() + REPLY_WAIT;
        while !pending.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = channel
                .blocking_pop_message(left)
                .map_err(dbus_failure)?
                .ok_or_else(|| KeychainError::Failed {
                    detail: format!("the Secret Service did not answer within {REPLY_WAIT:?}"),
                })?;
            if !message
                .get_reply_serial()
                .is_some_and(|s| pending.remove(&s))
            {
                continue; // a signal, or an answer to something else
            }
            let mut message = message;
            if let Some(error) = message.as_result().err() {
                return Err(dbus_failure(error));
            }
            let Variant(attributes): Variant<Attributes> =
                message.read1().map_err(|error| KeychainError::Failed {
                    detail: format!("unexpected attributes from the Secret Service: {error}"),
                })?;
            answers.push(attributes);
        }
        Ok(answers)
    }

    type Attributes = HashMap<String, String>;

    /// How long the attributes' answers may take, all together.
    const REPLY_WAIT: Duration = Duration::from_secs(20);

    fn dbus_failure(error: dbus::Error) -> KeychainError {
        absent_or_failed(error.message().unwrap_or("D-Bus error").to_owned())
    }
}

/// Sorts keyring's errors into what the user can act on. The platform's
/// own words are kept as detail (they never contain the secret).
fn map_error(error: keyring::Error) -> KeychainError {
    match error {
        keyring::Error::NoEntry => KeychainError::Missing,
        keyring::Error::NoStorageAccess(e) => {
            let detail = e.to_string();
            if looks_absent(&detail) {
                KeychainError::Unavailable { detail }
            } else {
                KeychainError::Locked { detail }
            }
        }
        keyring::Error::PlatformFailure(e) => absent_or_failed(e.to_string()),
        keyring::Error::BadEncoding(_) => KeychainError::Failed {
            detail: "the stored value is not text".into(),
        },
        other => KeychainError::Failed {
            detail: other.to_string(),
        },
    }
}

/// A platform failure: no Secret Service at all, or another failure.
fn absent_or_failed(detail: String) -> KeychainError {
    if looks_absent(&detail) {
        KeychainError::Unavailable { detail }
    } else {
        KeychainError::Failed { detail }
    }
}

/// D-Bus's ways of saying that no Secret Service (or no session bus) exists.
fn looks_absent(detail: &str) -> bool {
    let lower = detail.to_ascii_lowercase();
    [
        "org.freedesktop.secrets",
        "serviceunknown",
        "not provided by any .service",
        "autolaunch",
        "dbus_session_bus_address",
        "no such file or directory",
        "connection refused",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use keyring::mock::MockCredential;

    pub(crate) fn mock_store() -> KeyringStore {
        KeyringStore::with_builder(
            "dev.tokenwarden.test",
            keyring::mock::default_credential_builder(),
            "mock",
        )
    }

    /// The accounts `store` (keyring's mock) holds a value for, sorted.
    /// The mock cannot list its entries, but `KeyringStore` keeps every
    /// entry it ever made, and only the vault makes them: so this is
    /// everything the vault wrote and did not delete.
    pub(crate) fn held(store: &KeyringStore) -> Vec<String> {
        let entries: Vec<_> = store
            .entries
            .lock_or_recover()
            .iter()
            .map(|(account, entry)| (account.clone(), entry.clone()))
            .collect();
        let mut held: Vec<String> = entries
            .into_iter()
            .filter(|(account, entry)| match entry.get_password() {
                Ok(_) => true,
                Err(keyring::Error::NoEntry) => false,
                // A failure the test injected and no call consumed would
                // hide whether a value is there.
                Err(error) => panic!("{account}: an injected failure is still pending: {error}"),
            })
            .map(|(account, _)| account)
            .collect();
        held.sort();
        held
    }

    /// Makes the next operation on `account` fail with `error`.
    pub(crate) fn inject(store: &KeyringStore, account: &str, error: keyring::Error) {
        let entry = store.entry(account).unwrap();
        entry
            .get_credential()
            .downcast_ref::<MockCredential>()
            .expect("a mock credential")
            .set_error(error);
    }

    #[derive(Debug)]
    struct Platform(&'static str);
    impl std::fmt::Display for Platform {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Platform {}

    #[test]
    fn stores_reads_and_deletes_a_value() {
        let store = mock_store();
        store.put("a#1", &TokenSecret::new("ghp_value")).unwrap();
        assert_eq!(store.get("a#1").unwrap().expose(), "ghp_value");
        store.delete("a#1").unwrap();
        assert_eq!(store.get("a#1").unwrap_err(), KeychainError::Missing);
        store.delete("a#1").unwrap();
    }

    #[test]
    fn a_locked_keyring_names_the_fix() {
        let store = mock_store();
        inject(
            &store,
            "a#1",
            keyring::Error::NoStorageAccess(Box::new(Platform("collection is locked"))),
        );
        let error = store.put("a#1", &TokenSecret::new("x")).unwrap_err();
        assert!(matches!(error, KeychainError::Locked { .. }));
        assert!(error.to_string().contains("locked"), "{error}");
    }

    #[test]
    fn a_missing_secret_service_names_what_to_install() {
        let store = mock_store();
        inject(
            &store,
            "a#1",
            keyring::Error::PlatformFailure(Box::new(Platform(
                "The name org.freedesktop.secrets was not provided by any .service files",
            ))),
        );
        let error = store.get("a#1").unwrap_err();
        assert!(matches!(error, KeychainError::Unavailable { .. }));
        if cfg!(target_os = "linux") {
            assert!(error.to_string().contains("gnome-keyring"), "{error}");
        }
        assert!(error.to_string().contains("never stored in plain files"));
    }
}
