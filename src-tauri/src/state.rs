//! What the shell keeps while running: the vault (shared with the CLI
//! through the keychain and the metadata file) and the secrets a user has
//! pasted but not yet saved.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokenwarden_core::catalogue::Simulated;
use tokenwarden_core::check::{Http, HttpOptions, SystemClock};
use tokenwarden_core::checker::{CheckOptions, Checker};
use tokenwarden_core::vault::{TokenView, Vault, VaultConfig, VaultError, VaultNotice};
use tokenwarden_core::TokenSecret;

use crate::error::{CommandError, ErrorCode};
use tokenwarden_core::sync::LockExt;

/// A pasted secret stays in memory at most this long between "Check" and
/// "Save" in the wizard; after that the user pastes it again.
const PARKED_FOR: Duration = Duration::from_secs(15 * 60);

pub struct AppState {
    vault: Result<Arc<Vault>, String>,
    /// What opening the vault found (an interrupted change, a corrupt
    /// file, keychain entries swept), shown to the user once.
    pub notices: Arc<Mutex<Vec<VaultNotice>>>,
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
    /// The vault listed while the webview starts (`finish_opening`),
    /// taken by the first overview the page asks for.
    first_list: FirstList,
}

pub type Listing = Result<Vec<TokenView>, VaultError>;

/// The first screen's list of tokens, read while GTK and WebKit start
/// rather than after the page asks (BENCHMARKS.md, "Start-up"), and used
/// once: handed to the page with it (`first_list_within`), or else to the
/// page's first `vault_overview`.
#[derive(Default)]
struct FirstList(Mutex<Option<tokio::sync::oneshot::Receiver<Listing>>>);

impl AppState {
    pub fn open(simulated: Simulated) -> Self {
        Self::with_config(VaultConfig::from_env(), simulated)
    }

    pub(crate) fn with_config(
        config: Result<VaultConfig, tokenwarden_core::vault::VaultError>,
        simulated: Simulated,
    ) -> Self {
        let checker = Arc::new(Checker::new(CheckOptions::default()));
        // The sweep of orphaned keychain entries searches the keychain: it
        // waits for `finish_opening`, off the way to the first screen.
        let opened = config.and_then(|config| {
            Vault::open_unswept(&config, checker.clone(), Arc::new(SystemClock))
        });
        let (vault, notices) = match opened {
            Ok((vault, notices)) => (Ok(Arc::new(vault)), notices),
            Err(error) => {
                tracing::warn!(%error, "the vault could not be opened");
                (Err(error.to_string()), Vec::new())
            }
        };
        AppState {
            vault,
            notices: Arc::new(Mutex::new(notices)),
            parked: ParkedSecrets::default(),
            checker,
            simulated,
            qovery_http: Http::new(HttpOptions {
                timeout: Duration::from_secs(10),
                ..HttpOptions::default()
            }),
            first_list: FirstList::default(),
        }
    }

    /// Finishes opening the vault off the main thread: lists it for the
    /// window's first screen (with `for_window`), then sweeps the keychain
    /// entries no token lists (`Vault::sweep_orphans`), whose notice the
    /// next overview shows.
    pub fn finish_opening(&self, for_window: bool) {
        let Ok(vault) = self.vault.clone() else {
            return;
        };
        let first_list = for_window.then(|| {
            let (sender, receiver) = tokio::sync::oneshot::channel();
            *self.first_list.0.lock_or_recover() = Some(receiver);
            sender
        });
        let notices = self.notices.clone();
        tauri::async_runtime::spawn_blocking(move || {
            if let Some(sender) = first_list {
                let _ = sender.send(vault.list());
            }
            match vault.sweep_orphans() {
                Ok(found) => notices.lock_or_recover().extend(found),
                Err(error) => tracing::warn!(%error, "keychain entries no token lists not swept"),
            }
        });
    }

    /// The first screen's listing if it is ready within `wait`, for the
    /// page to be handed with it; otherwise it is left for the page's
    /// first `vault_overview` (a slow keychain must not hold the window).
    pub fn first_list_within(&self, wait: Duration) -> Option<Listing> {
        let mut receiver = self.first_list.0.lock_or_recover().take()?;
        // The timer is made inside the runtime, which it needs.
        let waited = tauri::async_runtime::block_on(async {
            tokio::time::timeout(wait, &mut receiver).await
        });
        match waited {
            Ok(listing) => listing.ok(),
            Err(_late) => {
                *self.first_list.0.lock_or_recover() = Some(receiver);
                None
            }
        }
    }

    /// The listing `finish_opening` started, once; `None` when none was
    /// started or it was taken already.
    pub async fn take_first_list(&self) -> Option<Listing> {
        let receiver = self.first_list.0.lock_or_recover().take()?;
        receiver.await.ok()
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
/// Each is bound to the API base it was first checked against, so "Check
/// again" never sends it to a server the user did not paste it for.
///
/// A parked secret is dropped when its 15 minutes are up (by a timer, not
/// only when the next paste sweeps), when the wizard that holds its handle
/// goes away (`discard`), and when the window closes (`clear`).
pub struct ParkedSecrets {
    inner: Arc<Mutex<HashMap<String, Parked>>>,
    lifetime: Duration,
    /// The servers (origins) the user agreed, in the native dialog, to
    /// send pasted tokens to while this window lives: a second paste for
    /// the same server is not asked about again. Forgotten with the
    /// parked secrets when the window closes.
    agreed: Mutex<HashSet<String>>,
    /// The CA files the user picked in the native file dialog
    /// (`choose_ca_file`) while this window lives: the only paths, besides
    /// those stored tokens use, that a target from the webview may name.
    picked_ca_files: Mutex<HashSet<String>>,
}

impl Default for ParkedSecrets {
    fn default() -> Self {
        Self::with_lifetime(PARKED_FOR)
    }
}

struct Parked {
    secret: Arc<TokenSecret>,
    server: String,
    at: Instant,
}

/// An API base compared the way the vault compares them (a trailing slash
/// is no other server).
fn same_server(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

impl ParkedSecrets {
    /// Parks `secret`, checked against the API base `server`.
    pub fn park(&self, secret: TokenSecret, server: &str) -> String {
        let handle = uuid::Uuid::new_v4().to_string();
        self.inner.lock_or_recover().insert(
            handle.clone(),
            Parked {
                secret: Arc::new(secret),
                server: server.to_owned(),
                at: Instant::now(),
            },
        );
        // The value leaves memory when its time is up even if nothing else
        // happens in the app meanwhile (handles are never reused, so this
        // removes only this one).
        let inner = Arc::downgrade(&self.inner);
        let (expiring, lifetime) = (handle.clone(), self.lifetime);
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(lifetime).await;
            if let Some(inner) = inner.upgrade() {
                inner.lock_or_recover().remove(&expiring);
            }
        });
        handle
    }

    /// Parked secrets that live `lifetime` instead of 15 minutes (tests).
    fn with_lifetime(lifetime: Duration) -> Self {
        ParkedSecrets {
            inner: Arc::default(),
            lifetime,
            agreed: Mutex::default(),
            picked_ca_files: Mutex::default(),
        }
    }

    /// How many secrets are held now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock_or_recover().len()
    }

    /// Forgets every parked secret: the window closed, so no wizard is
    /// left to save one.
    pub fn clear(&self) {
        self.inner.lock_or_recover().clear();
        self.agreed.lock_or_recover().clear();
        self.picked_ca_files.lock_or_recover().clear();
    }

    /// Remembers a CA file the user picked in the native dialog.
    pub fn picked_ca_file(&self, path: &str) {
        self.picked_ca_files
            .lock_or_recover()
            .insert(path.to_owned());
    }

    /// Whether the user picked `path` in the native dialog.
    pub fn was_picked(&self, path: &str) -> bool {
        self.picked_ca_files.lock_or_recover().contains(path)
    }

    /// Remembers that the user agreed to send pasted tokens to the server
    /// of `api` (its scheme, host and port).
    pub fn agree(&self, api: &url::Url) {
        self.agreed
            .lock_or_recover()
            .insert(api.origin().ascii_serialization());
    }

    /// Whether the user agreed to send pasted tokens to the server of
    /// `api` while this window lives.
    pub fn agreed(&self, api: &url::Url) -> bool {
        self.agreed
            .lock_or_recover()
            .contains(&api.origin().ascii_serialization())
    }

    /// The secret behind `handle`, to check again, save or rotate at
    /// `server` (a refused save can retry): only the
    /// server it was first checked against. Another address means pasting
    /// it again, so a changed field can never redirect a held secret.
    pub fn get_for(&self, handle: &str, server: &str) -> Result<Arc<TokenSecret>, CommandError> {
        let inner = self.inner.lock_or_recover();
        let parked = inner
            .get(handle)
            .filter(|parked| parked.at.elapsed() < self.lifetime)
            .ok_or_else(expired)?;
        if !same_server(&parked.server, server) {
            return Err(CommandError::new(
                ErrorCode::SecretExpired,
                format!(
                    "The address changed since the token was checked at {}: a pasted token is only sent to the server it was pasted for, so paste it again to check it at {server}.",
                    parked.server
                ),
            ));
        }
        Ok(parked.secret.clone())
    }

    /// Forgets the secret behind `handle` (its memory is zeroized once the
    /// last user lets go).
    pub fn discard(&self, handle: &str) {
        self.inner.lock_or_recover().remove(handle);
    }
}

fn expired() -> CommandError {
    CommandError::new(
        ErrorCode::SecretExpired,
        "The pasted token is no longer held (it is kept for 15 minutes): paste it again.",
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An app state over an empty vault in a fresh folder (no keychain
    /// needed until a token is stored), with `simulated` cloud providers.
    pub(crate) fn state_with(simulated: Simulated) -> AppState {
        let config = VaultConfig {
            data_dir: tempfile_dir(),
            keychain_service: format!("tokenwarden-test-{}", uuid::Uuid::new_v4()),
            keychain_timeout: Duration::from_secs(5),
        };
        AppState::with_config(Ok(config), simulated)
    }

    /// The first listing is handed over once, to the window if ready in
    /// time, else kept for the page's first overview.
    #[test]
    fn the_first_listing_goes_to_the_window_in_time_or_to_the_page() {
        let state = state_with(Simulated::default());
        state.finish_opening(true);
        let listing = state.first_list_within(Duration::from_secs(5));
        assert!(matches!(listing, Some(Ok(ref tokens)) if tokens.is_empty()));
        assert!(state.first_list_within(Duration::from_millis(1)).is_none());

        // Late: the window gives up, and the page's overview gets it.
        let (sender, receiver) = tokio::sync::oneshot::channel();
        *state.first_list.0.lock_or_recover() = Some(receiver);
        assert!(state.first_list_within(Duration::from_millis(20)).is_none());
        sender.send(Ok(Vec::new())).unwrap();
        let taken = tauri::async_runtime::block_on(state.take_first_list());
        assert!(matches!(taken, Some(Ok(ref tokens)) if tokens.is_empty()));
        assert!(tauri::async_runtime::block_on(state.take_first_list()).is_none());
    }

    #[test]
    fn parks_and_discards_secrets_by_handle() {
        let parked = ParkedSecrets::default();
        let handle = parked.park(TokenSecret::new("ghp_x"), "https://api.github.com/");
        let github = "https://api.github.com/";
        assert_eq!(parked.get_for(&handle, github).unwrap().expose(), "ghp_x");
        parked.discard(&handle);
        assert_eq!(
            parked.get_for(&handle, github).unwrap_err().code,
            "secret_expired"
        );
        assert!(parked.get_for("not-a-handle", github).is_err());
    }

    /// "Check again" reuses a parked secret only at the server it was
    /// checked against; any other address asks for the paste again, and
    /// the error names the addresses, never the secret.
    #[test]
    fn a_parked_secret_is_bound_to_its_server() {
        let parked = ParkedSecrets::default();
        let handle = parked.park(
            TokenSecret::new("glpat-secret"),
            "https://gitlab.acme.test/api/v4/",
        );
        let again = parked
            .get_for(&handle, "https://gitlab.acme.test/api/v4")
            .unwrap();
        assert_eq!(again.expose(), "glpat-secret");
        let moved = parked
            .get_for(&handle, "https://evil.test/api/v4/")
            .unwrap_err();
        assert_eq!(moved.code, "secret_expired");
        assert!(
            moved.message.contains("paste it again"),
            "{}",
            moved.message
        );
        assert!(moved.message.contains("https://evil.test/api/v4/"));
        assert!(!moved.message.contains("glpat-secret"));
        parked.discard(&handle);
        assert!(parked
            .get_for(&handle, "https://gitlab.acme.test/api/v4/")
            .is_err());
    }

    /// A parked secret leaves memory when its time is up, with no other
    /// call to sweep it, and all of them when the window closes.
    #[test]
    fn parked_secrets_expire_on_a_timer_and_go_with_the_window() {
        // The timer runs on the app's async runtime, as in the app.
        let parked = ParkedSecrets::with_lifetime(Duration::from_millis(50));
        parked.park(TokenSecret::new("ghp_soon_gone"), "https://api.github.com/");
        assert_eq!(parked.len(), 1);
        let deadline = Instant::now() + Duration::from_secs(10);
        while parked.len() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(parked.len(), 0, "expired without another paste");

        let parked = ParkedSecrets::default();
        parked.park(TokenSecret::new("ghp_a"), "https://api.github.com/");
        parked.park(TokenSecret::new("ghp_b"), "https://api.github.com/");
        assert_eq!(parked.len(), 2);
        parked.clear();
        assert_eq!(parked.len(), 0);
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
