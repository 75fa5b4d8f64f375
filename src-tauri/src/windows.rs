//! The main window's life: closing it destroys the window and its webview
//! (the resident app stays light in the tray); opening it again, from the
//! tray, a notification or a second launch, builds it anew from the config.

use tauri::{AppHandle, Manager, WebviewWindowBuilder};

use crate::state::AppState;

pub const MAIN: &str = "main";

/// Shows the main window (creating it if it was closed) and focuses it. With
/// a token, the UI opens that token (it asks with `take_open_request` when
/// the window gains focus).
pub fn show_main(app: &AppHandle, token_id: Option<String>) {
    if let Some(id) = token_id {
        *app.state::<AppState>()
            .open_request
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(id);
    }
    let window = match app.get_webview_window(MAIN) {
        Some(window) => {
            // Already showing, perhaps focused: nudge it to take the request.
            if let Some(listener) = &*app
                .state::<AppState>()
                .open_listener
                .lock()
                .unwrap_or_else(|p| p.into_inner())
            {
                let _ = listener.send(());
            }
            window
        }
        None => {
            let Some(config) = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == MAIN)
                .cloned()
            else {
                return;
            };
            match WebviewWindowBuilder::from_config(app, &config).and_then(|b| b.build()) {
                Ok(window) => window,
                Err(error) => {
                    eprintln!("Tokenwarden could not open its window: {error}");
                    return;
                }
            }
        }
    };
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
}
