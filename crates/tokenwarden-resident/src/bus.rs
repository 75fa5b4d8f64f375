//! The resident's D-Bus interface on the session bus, and the window
//! process's side of it (Linux). The resident owns a bus name made from
//! its data folder (`bus_name`), so each data folder has one resident (a
//! second one for the same folder finds the name taken and leaves), and
//! the window finds its own even when several run in one session (the
//! end-to-end suite). Only metadata crosses it: token names, reminder
//! choices and reminders, never a secret.

use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tokenwarden_core::vault::VaultError;
use tokenwarden_core::watch::{ReminderChoice, Reminders};
use tokio::sync::Notify;

use crate::qovery_watch::QoveryWatched;
use crate::watcher::{WatchEvent, WatcherHandle};

/// The interface's name, and the prefix of every resident's bus name.
pub const INTERFACE: &str = "dev.tokenwarden.Resident";
pub const PATH: &str = "/dev/tokenwarden/Resident";

/// The bus name of the resident watching `data_dir`:
/// `dev.tokenwarden.Resident.d` and the first 16 hex digits of the SHA-256
/// of its absolute path.
pub fn bus_name(data_dir: &Path) -> String {
    let absolute = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_owned());
    let digest = Sha256::digest(absolute.as_os_str().as_encoded_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{INTERFACE}.d{hex}")
}

/// What the resident answers when it cannot.
#[derive(Debug, zbus::DBusError)]
#[zbus(prefix = "dev.tokenwarden.Resident.Error")]
pub enum ResidentError {
    #[zbus(error)]
    ZBus(zbus::Error),
    /// No token by that id.
    NotFound(String),
    /// A choice this version does not know.
    BadChoice(String),
    /// The vault could not be read.
    Vault(String),
}

impl From<VaultError> for ResidentError {
    fn from(error: VaultError) -> Self {
        match error {
            VaultError::NotFound(_) | VaultError::Gone(_) => {
                ResidentError::NotFound(error.to_string())
            }
            _ => ResidentError::Vault(error.to_string()),
        }
    }
}

/// The resident's side: the watcher, the Qovery-only tokens it holds,
/// and its way out.
pub struct Service {
    pub watcher: WatcherHandle,
    pub qovery: Arc<QoveryWatched>,
    pub quit: Arc<Notify>,
}

#[zbus::interface(name = "dev.tokenwarden.Resident")]
impl Service {
    /// The reminders of the token `id` names, as JSON (`Reminders`).
    async fn reminders(&self, id: String) -> Result<String, ResidentError> {
        let watcher = self.watcher.clone();
        let reminders = blocking(move || {
            let (token, settings) = watcher.watched(&id)?;
            Ok(watcher.reminders(&token, &settings))
        })
        .await?;
        Ok(to_json(&reminders))
    }

    /// Applies a choice made on a token's page (`ReminderChoice`'s wire
    /// name: `tomorrow`, `next_week`, `rotated`, `resume`), saved at once;
    /// the reminders anew, as JSON.
    async fn choose(&self, id: String, choice: String) -> Result<String, ResidentError> {
        let choice: ReminderChoice =
            serde_json::from_value(serde_json::Value::String(choice.clone())).map_err(|_| {
                ResidentError::BadChoice(format!("Unknown reminder choice {choice:?}."))
            })?;
        let watcher = self.watcher.clone();
        let reminders = blocking(move || {
            let (token, settings) = watcher.watched(&id)?;
            Ok(watcher.choose(&token, choice, &settings))
        })
        .await?;
        Ok(to_json(&reminders))
    }

    /// "Check all now" from the window.
    async fn check_all_now(&self) {
        self.watcher.post(WatchEvent::CheckAllNow);
    }

    /// The alert settings were saved.
    async fn settings_changed(&self) {
        self.watcher.post(WatchEvent::SettingsChanged);
    }

    /// A Qovery organization was connected or disconnected: ask again.
    async fn qovery_changed(&self) {
        self.qovery.forget();
        self.watcher.post(WatchEvent::VaultChanged);
    }

    /// Ends the resident (and, through `Quitting`, the window).
    async fn quit(&self) {
        self.quit.notify_one();
    }

    /// Sent when the resident ends: the window process ends with it.
    #[zbus(signal)]
    pub async fn quitting(emitter: &zbus::object_server::SignalEmitter<'_>) -> zbus::Result<()>;
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, VaultError> + Send + 'static,
) -> Result<T, ResidentError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(ResidentError::from),
        Err(_) => Err(ResidentError::Vault(
            "The vault could not be read: the resident's worker stopped.".into(),
        )),
    }
}

fn to_json(reminders: &Reminders) -> String {
    serde_json::to_string(reminders).unwrap_or_default()
}

/// The window process's side of the interface.
#[zbus::proxy(
    interface = "dev.tokenwarden.Resident",
    default_path = "/dev/tokenwarden/Resident",
    gen_blocking = false
)]
pub trait Resident {
    fn reminders(&self, id: &str) -> Result<String, ResidentError>;
    fn choose(&self, id: &str, choice: &str) -> Result<String, ResidentError>;
    fn check_all_now(&self) -> zbus::Result<()>;
    fn settings_changed(&self) -> zbus::Result<()>;
    fn qovery_changed(&self) -> zbus::Result<()>;
    fn quit(&self) -> zbus::Result<()>;
    #[zbus(signal)]
    fn quitting(&self) -> zbus::Result<()>;
}

/// The reminders a resident answered.
pub fn parse_reminders(json: &str) -> Result<Reminders, ResidentError> {
    serde_json::from_str(json).map_err(|error| {
        ResidentError::Vault(format!("The resident's answer was unreadable: {error}"))
    })
}

/// Whether a resident owns `name` on this session bus.
pub async fn running(connection: &zbus::Connection, name: &str) -> bool {
    let Ok(dbus) = zbus::fdo::DBusProxy::new(connection).await else {
        return false;
    };
    let Ok(name) = zbus::names::BusName::try_from(name) else {
        return false;
    };
    dbus.name_has_owner(name).await.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_data_folder_has_its_own_valid_bus_name() {
        let a = bus_name(Path::new("/home/ana/.local/share/dev.tokenwarden.app"));
        let b = bus_name(Path::new("/tmp/e2e/spec-05/data"));
        assert_ne!(a, b);
        assert_eq!(
            a,
            bus_name(Path::new("/home/ana/.local/share/dev.tokenwarden.app"))
        );
        for name in [&a, &b] {
            assert!(name.starts_with("dev.tokenwarden.Resident.d"), "{name}");
            assert_eq!(name.len(), "dev.tokenwarden.Resident.d".len() + 16);
            zbus::names::WellKnownName::try_from(name.as_str()).expect("a valid bus name");
        }
    }

    /// Needs a D-Bus session bus (scripts/test.sh runs it inside
    /// tests/harness/desktop-session.sh): the window's proxy reaches a
    /// resident served on its folder's name, and hears it quit.
    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs a D-Bus session bus: run inside tests/harness/desktop-session.sh"]
    async fn the_window_reaches_its_resident_over_the_session_bus() {
        use futures_util::StreamExt;
        let name = bus_name(Path::new(&format!("/tmp/tw-bus-{}", std::process::id())));
        let (watcher, mut events) = WatcherHandle::new();
        let quit = Arc::new(Notify::new());
        let service = Service {
            watcher,
            qovery: Arc::default(),
            quit: quit.clone(),
        };
        let resident = zbus::connection::Builder::session()
            .unwrap()
            .name(name.as_str())
            .unwrap()
            .serve_at(PATH, service)
            .unwrap()
            .build()
            .await
            .expect("a session bus");
        let window = zbus::Connection::session().await.unwrap();
        assert!(running(&window, &name).await);
        assert!(!running(&window, &format!("{INTERFACE}.d0000000000000000")).await);
        let proxy = ResidentProxy::builder(&window)
            .destination(name.as_str())
            .unwrap()
            .build()
            .await
            .unwrap();

        proxy.check_all_now().await.unwrap();
        assert_eq!(events.recv().await, Some(WatchEvent::CheckAllNow));
        proxy.settings_changed().await.unwrap();
        assert_eq!(events.recv().await, Some(WatchEvent::SettingsChanged));
        match proxy.reminders("nobody").await {
            Err(ResidentError::NotFound(message)) => {
                assert!(message.contains("no longer in Tokenwarden"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        match proxy.choose("nobody", "someday").await {
            Err(ResidentError::BadChoice(message)) => assert!(message.contains("someday")),
            other => panic!("{other:?}"),
        }

        let mut quitting = proxy.receive_quitting().await.unwrap();
        proxy.quit().await.unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), quit.notified())
            .await
            .expect("Quit reached the resident");
        let emitter = zbus::object_server::SignalEmitter::new(&resident, PATH).unwrap();
        Service::quitting(&emitter).await.unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), quitting.next())
            .await
            .expect("the window heard the resident quit");
    }
}
