//! The Tauri tray, where the app runs as one process (macOS, Windows): it
//! draws the watcher's `TrayModel` (tokenwarden-resident's `tray_model`,
//! the same model the resident's StatusNotifierItem draws on Linux), and
//! is the in-process watcher's `Surface`.

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Wry};
use tokenwarden_core::catalogue::Simulated;
use tokenwarden_resident::tray_model::{Entry, Health, TrayModel};
use tokenwarden_resident::watcher::Surface;

use crate::windows;

pub const TRAY_ID: &str = "main";

fn icon(health: Health) -> tauri::Result<Image<'static>> {
    Image::from_bytes(health.icon_png())
}

fn menu(app: &AppHandle, model: &TrayModel) -> tauri::Result<Menu<Wry>> {
    let menu = Menu::new(app)?;
    for entry in &model.menu {
        match entry {
            Entry::Separator => menu.append(&PredefinedMenuItem::separator(app)?)?,
            Entry::Inert { id, label } => {
                menu.append(&MenuItem::with_id(app, id, label, false, None::<&str>)?)?
            }
            Entry::Item { id, label } => {
                menu.append(&MenuItem::with_id(app, id, label, true, None::<&str>)?)?
            }
        }
    }
    Ok(menu)
}

/// Creates the tray icon (menu events are handled in lib.rs).
pub fn create(app: &AppHandle, simulated: &Simulated) -> tauri::Result<TrayIcon> {
    let model = TrayModel::starting(simulated);
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(model.health)?)
        .tooltip("Tokenwarden")
        .menu(&menu(app, &model)?)
        .show_menu_on_left_click(true)
        .build(app)
}

/// Shows the model: icon, tooltip, menu.
fn update(app: &AppHandle, model: &TrayModel) -> tauri::Result<()> {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return Ok(());
    };
    tray.set_icon(Some(icon(model.health)?))?;
    tray.set_tooltip(Some(&model.tooltip))?;
    tray.set_menu(Some(menu(app, model)?))?;
    Ok(())
}

/// Set by "Quit": the only way the one-process app exits.
#[derive(Default)]
pub struct Quitting(pub std::sync::atomic::AtomicBool);

/// The in-process watcher's surface: this tray and the main window.
pub struct TauriSurface(pub AppHandle);

impl Surface for TauriSurface {
    fn show(&self, model: TrayModel) {
        if let Err(error) = update(&self.0, &model) {
            tracing::debug!(%error, "the tray could not be updated");
        }
    }

    fn open(&self, token_id: Option<String>) {
        let app = self.0.clone();
        // Windows must be created on the main thread.
        let _ = self
            .0
            .run_on_main_thread(move || windows::show_main(&app, token_id));
    }

    fn quit(&self) {
        self.0
            .state::<Quitting>()
            .0
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.0.exit(0);
    }
}
