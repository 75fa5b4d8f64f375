//! Where the window's commands reach the expiry watcher: in this process
//! (macOS, Windows: one process, the Tauri tray), or in the resident
//! process over D-Bus (Linux: `tokenwarden-resident`, which start at login
//! runs and this window process starts when it is not running).

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use tauri::AppHandle;
use tokenwarden_core::watch::{ReminderChoice, Reminders};
use tokenwarden_resident::bus::{self, ResidentError, ResidentProxy};
use tokenwarden_resident::qovery_watch::QoveryWatched;
use tokenwarden_resident::watcher::{self, WatchEvent, WatcherHandle};
use tokio::sync::OnceCell;

use crate::error::{CommandError, ErrorCode};

/// The resident's binary, installed beside this one.
const RESIDENT_BINARY: &str = "tokenwarden-resident";

pub enum WatchLink {
    /// The watcher runs in this process.
    Here {
        watcher: WatcherHandle,
        qovery: Arc<QoveryWatched>,
    },
    /// The resident process runs it.
    Resident(ResidentLink),
}

impl WatchLink {
    /// The reminders of the token `id` names.
    pub async fn reminders(&self, id: String) -> Result<Reminders, CommandError> {
        match self {
            WatchLink::Here { watcher, .. } => {
                let watcher = watcher.clone();
                here(move || {
                    let (token, settings) = watcher.watched(&id)?;
                    Ok(watcher.reminders(&token, &settings))
                })
                .await
            }
            WatchLink::Resident(link) => {
                let json = link.proxy().await?.reminders(&id).await?;
                Ok(bus::parse_reminders(&json)?)
            }
        }
    }

    /// Applies a choice made on the token's page; the reminders anew.
    pub async fn choose(
        &self,
        id: String,
        choice: ReminderChoice,
    ) -> Result<Reminders, CommandError> {
        match self {
            WatchLink::Here { watcher, .. } => {
                let watcher = watcher.clone();
                here(move || {
                    let (token, settings) = watcher.watched(&id)?;
                    Ok(watcher.choose(&token, choice, &settings))
                })
                .await
            }
            WatchLink::Resident(link) => {
                let wire = serde_json::to_value(choice)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let json = link.proxy().await?.choose(&id, &wire).await?;
                Ok(bus::parse_reminders(&json)?)
            }
        }
    }

    /// The alert settings were saved: the watcher reschedules.
    pub async fn settings_changed(&self) {
        match self {
            WatchLink::Here { watcher, .. } => watcher.post(WatchEvent::SettingsChanged),
            WatchLink::Resident(link) => {
                if let Err(error) = link
                    .call(|p| async move { p.settings_changed().await })
                    .await
                {
                    tracing::warn!(%error, "the resident did not hear of the new settings");
                }
            }
        }
    }

    /// A Qovery organization was connected or disconnected: the watcher
    /// asks Qovery again at its next round.
    pub async fn qovery_changed(&self) {
        match self {
            WatchLink::Here { watcher, qovery } => {
                qovery.forget();
                watcher.post(WatchEvent::VaultChanged);
            }
            WatchLink::Resident(link) => {
                if let Err(error) = link.call(|p| async move { p.qovery_changed().await }).await {
                    tracing::warn!(%error, "the resident did not hear of the Qovery change");
                }
            }
        }
    }
}

async fn here<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, tokenwarden_core::vault::VaultError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?
        .map_err(CommandError::from)
}

impl From<ResidentError> for CommandError {
    fn from(error: ResidentError) -> Self {
        match error {
            ResidentError::NotFound(message) => CommandError::new(ErrorCode::NotFound, message),
            ResidentError::BadChoice(message) => CommandError::new(ErrorCode::Invalid, message),
            ResidentError::Vault(message) => CommandError::new(ErrorCode::Storage, message),
            ResidentError::ZBus(error) => CommandError::new(
                ErrorCode::Internal,
                format!(
                    "The resident watcher (tokenwarden-resident) did not answer: {error}. Close and open Tokenwarden again to restart it."
                ),
            ),
        }
    }
}

/// The window's line to its data folder's resident.
pub struct ResidentLink {
    bus_name: String,
    proxy: OnceCell<ResidentProxy<'static>>,
}

impl ResidentLink {
    pub fn for_data_dir(data_dir: &Path) -> ResidentLink {
        ResidentLink {
            bus_name: bus::bus_name(data_dir),
            proxy: OnceCell::new(),
        }
    }

    async fn proxy(&self) -> Result<&ResidentProxy<'static>, ResidentError> {
        let proxy = self
            .proxy
            .get_or_try_init(|| async {
                let session = zbus::Connection::session().await?;
                ResidentProxy::builder(&session)
                    .destination(self.bus_name.clone())?
                    .cache_properties(zbus::proxy::CacheProperties::No)
                    .build()
                    .await
            })
            .await?;
        Ok(proxy)
    }

    async fn call<F, Fut>(&self, call: F) -> Result<(), ResidentError>
    where
        F: FnOnce(ResidentProxy<'static>) -> Fut,
        Fut: std::future::Future<Output = zbus::Result<()>>,
    {
        let proxy = self.proxy().await?.clone();
        Ok(call(proxy).await?)
    }

    /// Whether the resident runs (the tray is its).
    pub async fn running(&self) -> bool {
        match self.proxy().await {
            Ok(proxy) => bus::running(proxy.inner().connection(), &self.bus_name).await,
            Err(_) => false,
        }
    }

    /// Starts the resident unless it runs, passing `simulator_args` on;
    /// then ends this process when the resident quits ("Quit" in its tray).
    pub async fn keep(
        &self,
        app: AppHandle,
        simulator_args: Vec<String>,
        first_screen: Arc<tokio::sync::Notify>,
    ) {
        let proxy = match self.proxy().await {
            Ok(proxy) => proxy,
            Err(error) => {
                tracing::warn!(%error, "no session bus: no resident watcher");
                return;
            }
        };
        use futures_util::StreamExt;
        // Listening first, so a quit right after the start is not missed.
        let mut quitting = proxy.receive_quitting().await.ok();
        // Looking for the resident (and starting one) waits for the first
        // screen, or 3 s: starting a process is not what the window's first
        // frame should wait for on two cores. A "Quit" meanwhile ends the
        // window and starts nothing.
        let first_frame = watcher::first_screen(&first_screen);
        if let Some(stream) = quitting.as_mut() {
            tokio::select! {
                _ = first_frame => {}
                _ = stream.next() => {
                    close_with_resident(&app);
                    return;
                }
            }
        } else {
            first_frame.await;
        }
        if !bus::running(proxy.inner().connection(), &self.bus_name).await {
            start_resident(&simulator_args);
        }
        let Some(mut quitting) = quitting else {
            return;
        };
        if quitting.next().await.is_some() {
            close_with_resident(&app);
        }
    }
}

/// The resident quit ("Quit" in its tray): the window goes with it.
fn close_with_resident(app: &AppHandle) {
    tracing::info!("the resident quit: closing the window");
    app.exit(0);
}

/// Starts `tokenwarden-resident` beside this binary, in its own process
/// group, so it outlives the window.
fn start_resident(simulator_args: &[String]) {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe.with_file_name(RESIDENT_BINARY),
        Err(error) => {
            tracing::error!(%error, "the resident's binary could not be found");
            return;
        }
    };
    let mut command = Command::new(exe);
    command
        .args(simulator_args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    match command.spawn() {
        Ok(mut child) => {
            tracing::info!("resident started");
            // Reaped if it ends while the window is open.
            std::thread::spawn(move || child.wait());
        }
        Err(error) => tracing::error!(%error, "the resident could not be started"),
    }
}
