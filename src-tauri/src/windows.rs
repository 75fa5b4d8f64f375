//! The main window's life: closing it destroys the window and its webview
//! (the resident app stays light in the tray); opening it again, from the
//! tray, a notification or a second launch, builds it anew from the config.

use std::sync::Mutex;

use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, WebviewWindowBuilder};

use tokenwarden_core::sync::LockExt;

use crate::state::AppState;

pub const MAIN: &str = "main";

/// The window's state: which token it should open next, and its ear for
/// such requests.
#[derive(Default)]
pub struct OpenRequests {
    /// A token the window should open next (a tray entry or a notification
    /// was clicked), taken by the UI when it gains focus.
    request: Mutex<Option<String>>,
    /// The open window's ear for those requests: a window that already
    /// has the focus gets no focus event to ask by.
    listener: Mutex<Option<Channel<()>>>,
}

impl OpenRequests {
    /// The token requested, once.
    pub fn take(&self) -> Option<String> {
        self.request.lock_or_recover().take()
    }

    /// Where to nudge the open window.
    pub fn listen(&self, listener: Channel<()>) {
        *self.listener.lock_or_recover() = Some(listener);
    }

    fn request(&self, token_id: String) {
        *self.request.lock_or_recover() = Some(token_id);
    }

    fn nudge(&self) {
        if let Some(listener) = &*self.listener.lock_or_recover() {
            let _ = listener.send(());
        }
    }
}

/// Shows the main window (creating it if it was closed) and focuses it. With
/// a token, the UI opens that token (it asks with `take_open_request` when
/// the window gains focus).
pub fn show_main(app: &AppHandle, token_id: Option<String>) {
    open_main(app, token_id, None);
}

/// `show_main` for the process's first window, whose page is handed its
/// first screen's data (`FirstScreen`) if it is ready in time.
pub fn show_first(app: &AppHandle, token_id: Option<String>) {
    let first = crate::first_screen::FirstScreen::gather(&app.state::<AppState>());
    crate::commands::startup::shell_mark("first_screen_gathered");
    open_main(app, token_id, first.and_then(|first| first.script()));
}

fn open_main(app: &AppHandle, token_id: Option<String>, first_screen: Option<String>) {
    let requests = app.state::<OpenRequests>();
    if let Some(id) = token_id {
        requests.request(id);
    }
    let window = match app.get_webview_window(MAIN) {
        Some(window) => {
            // Already showing, perhaps focused: nudge it to take the request.
            requests.nudge();
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
            let built = WebviewWindowBuilder::from_config(app, &config).and_then(|builder| {
                match first_screen {
                    Some(script) => builder.initialization_script(script),
                    None => builder,
                }
                .build()
            });
            match built {
                Ok(window) => {
                    crate::commands::startup::shell_mark("window_built");
                    window
                }
                Err(error) => {
                    tracing::error!(%error, "could not open the main window");
                    return;
                }
            }
        }
    };
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
}
