//! Settings: alert thresholds, start at login, a test notification, and
//! what the platform offers (keychain, notifications, tray).

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_autostart::ManagerExt;
use tokenwarden_core::catalogue::Simulated;
use tokenwarden_core::notify::{DesktopNotification, Notifier, SystemNotifier};
use tokenwarden_core::settings::Settings;
use tokenwarden_core::watch::WatchSettings;
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;
use crate::watch_link::WatchLink;

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct PlatformStatus {
    /// Where secrets are kept, or why they cannot be.
    pub keychain: String,
    pub keychain_ok: bool,
    /// The notification server's name, or why there is none.
    pub notifications: String,
    pub notifications_ok: bool,
    /// Whether a tray host shows the tray icon.
    pub tray: String,
    pub tray_ok: bool,
}

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct SettingsView {
    pub alerts: WatchSettings,
    pub start_at_login: bool,
    pub platform: PlatformStatus,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct SettingsInput {
    pub alerts: WatchSettings,
    pub start_at_login: bool,
}

fn settings_error(error: tokenwarden_core::settings::SettingsError) -> CommandError {
    let code = match error {
        tokenwarden_core::settings::SettingsError::Invalid(_) => ErrorCode::Invalid,
        _ => ErrorCode::Storage,
    };
    CommandError::new(code, error.to_string())
}

/// A StatusNotifier host (the tray's other end on Linux) on the session bus.
async fn tray_host() -> bool {
    #[cfg(target_os = "linux")]
    {
        let Ok(connection) = zbus::Connection::session().await else {
            return false;
        };
        let Ok(dbus) = zbus::fdo::DBusProxy::new(&connection).await else {
            return false;
        };
        let Ok(name) = zbus::names::BusName::try_from("org.kde.StatusNotifierWatcher") else {
            return false;
        };
        dbus.name_has_owner(name).await.unwrap_or(false)
    }
    #[cfg(not(target_os = "linux"))]
    true
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Display))]
pub async fn get_settings(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<SettingsView, CommandError> {
    let settings = Settings::load(&state.data_dir()?).map_err(settings_error)?;
    let start_at_login = app.autolaunch().is_enabled().unwrap_or(false);
    let (keychain, keychain_ok) = match state.vault() {
        Ok(vault) => (vault.keychain_backend().to_owned(), true),
        Err(error) => (error.message, false),
    };
    let (notifications, notifications_ok) = match SystemNotifier::server() {
        Ok(name) => (name, true),
        Err(error) => (
            format!(
                "{error}. Alerts cannot be shown; the dashboard and tray still show what expires."
            ),
            false,
        ),
    };
    // The tray is the resident's (Linux) or this process's own.
    let tray_drawn = match &*app.state::<WatchLink>() {
        WatchLink::Here { .. } => app.tray_by_id(crate::tray::TRAY_ID).is_some(),
        WatchLink::Resident(resident) => resident.running().await,
    };
    let tray_ok = tray_drawn && tray_host().await;
    let tray = if tray_ok {
        "Shown in the system tray".to_owned()
    } else {
        "No system tray is available in this desktop session: closing the window quits nothing, start Tokenwarden again to reopen it.".to_owned()
    };
    Ok(SettingsView {
        alerts: settings.alerts,
        start_at_login,
        platform: PlatformStatus {
            keychain,
            keychain_ok,
            notifications,
            notifications_ok,
            tray,
            tray_ok,
        },
    })
}

#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, err(Display))]
pub fn save_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    input: SettingsInput,
) -> Result<(), CommandError> {
    // Refused before anything is saved, so the settings stay as they were.
    if input.start_at_login {
        autostart_allowed(&state.simulated)?;
    }
    let dir = state.data_dir()?;
    let mut settings = Settings::load(&dir).map_err(settings_error)?;
    settings.alerts = input.alerts;
    settings.start_at_login = Some(input.start_at_login);
    settings.save(&dir).map_err(settings_error)?;
    set_autostart(&app, input.start_at_login)?;
    // The watcher (in this process or the resident) reschedules; the
    // settings are saved whether or not it hears of them now.
    let watcher = app.clone();
    tauri::async_runtime::spawn(async move {
        watcher.state::<WatchLink>().settings_changed().await;
    });
    Ok(())
}

pub fn set_autostart(app: &AppHandle, on: bool) -> Result<(), CommandError> {
    let autolaunch = app.autolaunch();
    let result = if on {
        autolaunch.enable()
    } else {
        autolaunch.disable()
    };
    result.map_err(|e| {
        CommandError::new(
            ErrorCode::Autostart,
            format!("Start at login could not be changed: {e}"),
        )
    })
}

/// Start at login is refused in simulator mode: the login entry starts the
/// app without `--simulator`, against the real services, so a demo or a
/// test session must never leave one behind.
pub fn autostart_allowed(simulated: &Simulated) -> Result<(), CommandError> {
    if simulated.is_active() {
        return Err(CommandError::new(
            ErrorCode::Autostart,
            "Start at login is off in simulator mode: restart Tokenwarden without --simulator to turn it on.",
        ));
    }
    Ok(())
}

/// The first saved token turns start-at-login on, unless the user decided
/// (or the session is the simulator's).
pub fn autostart_after_first_token(app: &AppHandle, state: &AppState) {
    if autostart_allowed(&state.simulated).is_err() {
        return;
    }
    let Ok(dir) = state.data_dir() else { return };
    let Ok(mut settings) = Settings::load(&dir) else {
        return;
    };
    if settings.start_at_login.is_none() && set_autostart(app, true).is_ok() {
        settings.start_at_login = Some(true);
        let _ = settings.save(&dir);
    }
}

/// Shows a sample notification, so the user sees what alerts look like.
#[tauri::command]
#[tracing::instrument(skip_all, err(Display))]
pub fn send_test_notification() -> Result<(), CommandError> {
    SystemNotifier::new(None)
        .notify(&DesktopNotification {
            title: "Tokenwarden test notification".into(),
            body: "This is how Tokenwarden warns you before a token expires.".into(),
            token_id: None,
        })
        .map_err(|e| CommandError::new(ErrorCode::Notifications, e.to_string()))
}

/// What "Export to calendar" did: the file written, or nothing when the
/// user closed the save dialog.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct CalendarExport {
    /// Where the `.ics` was written; None when the dialog was cancelled.
    pub path: Option<String>,
    /// How many tokens have an event (those with an expiry date).
    pub events: usize,
}

/// "Export to calendar": asks where to save in the platform's own save
/// dialog (the webview never supplies a path), then writes an iCalendar
/// file of every expiry there, atomically (`core::export`).
#[tauri::command]
#[tracing::instrument(skip_all, err(Display))]
pub async fn export_calendar(
    app: AppHandle,
    window: tauri::WebviewWindow,
    state: State<'_, AppState>,
) -> Result<CalendarExport, CommandError> {
    use tauri_plugin_dialog::DialogExt;
    use tokenwarden_core::export::{self, ExportToken};

    let vault = state.vault()?;
    let dir = state.data_dir()?;
    let (answer, answered) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Export token expiry to a calendar")
        .set_file_name("tokenwarden.ics")
        .add_filter("iCalendar", &["ics"])
        .set_parent(&window)
        .save_file(move |path| {
            let _ = answer.send(path);
        });
    let Some(chosen) = answered.await.ok().flatten() else {
        return Ok(CalendarExport {
            path: None,
            events: 0,
        });
    };
    let path = chosen.into_path().map_err(|e| {
        CommandError::new(
            ErrorCode::Storage,
            format!("That place cannot be written to: {e}"),
        )
    })?;
    let settings = Settings::load(&dir).unwrap_or_default();
    let written = tauri::async_runtime::spawn_blocking(move || {
        let tokens: Vec<ExportToken> = vault
            .list()?
            .into_iter()
            .map(ExportToken::from_vault)
            .collect();
        let events = tokens
            .iter()
            .filter(|t| t.token.record.expires_at.is_some())
            .count();
        let text = export::ics(&tokens, &settings.alerts, chrono::Utc::now());
        export::write_atomic(&path, &text).map_err(|e| {
            CommandError::new(
                ErrorCode::Storage,
                format!("The calendar could not be saved to {}: {e}", path.display()),
            )
        })?;
        Ok::<_, CommandError>(CalendarExport {
            path: Some(path.display().to_string()),
            events,
        })
    })
    .await
    .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))??;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_at_login_is_refused_in_simulator_mode_only() {
        assert!(autostart_allowed(&Simulated::default()).is_ok());
        let simulated = Simulated::parse("gitlab=http://127.0.0.1:9").unwrap();
        let refused = autostart_allowed(&simulated).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Autostart);
        assert!(
            refused.message.contains("simulator mode"),
            "{}",
            refused.message
        );
    }
}
