//! The desktop shell: windows, commands, the tray and the expiry watcher.
//! It holds no business logic: each command is a few lines that call
//! `tokenwarden_core` and map its result for the webview.

mod commands;
mod confirm;
mod error;
pub mod logging;
mod qovery_watch;
mod state;
mod tray;
mod watcher;
mod windows;

use tauri::{Manager, RunEvent};

pub use error::{CommandError, ErrorCode};

/// `--simulator github=URL,gitlab=URL,bitbucket=URL,qovery=URL` points the
/// cloud deployments (and Qovery's default address) at the simulator on
/// loopback (demos and tests).
fn simulated_from_args() -> tokenwarden_core::catalogue::Simulated {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let spec = match arg.strip_prefix("--simulator=") {
            Some(spec) => Some(spec.to_owned()),
            None if arg == "--simulator" => args.next(),
            None => None,
        };
        if let Some(spec) = spec {
            match tokenwarden_core::catalogue::Simulated::parse(&spec) {
                Ok(simulated) => return simulated,
                Err(error) => tracing::warn!(%error, "ignoring --simulator"),
            }
        }
    }
    Default::default()
}

/// `--hidden`: start in the tray without opening the window (how start at
/// login launches it).
pub const HIDDEN_ARG: &str = "--hidden";

fn started_hidden() -> bool {
    std::env::args().skip(1).any(|arg| arg == HIDDEN_ARG)
}

/// Set by "Quit": the only way the resident app exits.
#[derive(Default)]
struct Quitting(std::sync::atomic::AtomicBool);

/// Builds and runs the app until the user quits.
pub fn run() {
    // Before anything reads a token: no core dump may hold one. Said on
    // stderr, as the log is not set up yet (and must not wait for this).
    if let Err(error) = tokenwarden_core::hardening::disable_core_dumps() {
        eprintln!("tokenwarden-desktop: warning: {error}");
    }
    logging::init();
    let app = tauri::Builder::default()
        // First: a second launch only focuses the running app.
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            // A login start while the app already runs changes nothing.
            if !args.iter().any(|arg| arg == HIDDEN_ARG) {
                windows::show_main(app, None);
            }
        }))
        .plugin(tauri_plugin_opener::init())
        // Used from Rust only (no capability grants it to the webview): the
        // confirmation before a secret goes to a new address.
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![HIDDEN_ARG]),
        ))
        .manage(state::AppState::open(simulated_from_args()))
        .manage(windows::OpenRequests::default())
        .manage(Quitting::default())
        .manage(qovery_watch::QoveryWatched::default())
        .setup(|app| {
            let handle = app.handle();
            // Without a tray host the app still runs; settings say so.
            if let Err(error) = tray::create(handle) {
                tracing::warn!(%error, "no system tray");
            }
            let hidden = started_hidden();
            // With a window, the watcher's first round (listing the vault,
            // building the tray menu on the main thread) waits for its first
            // screen, so as not to slow the window coming up.
            let first_screen = (!hidden).then(|| {
                let shown = std::sync::Arc::new(tokio::sync::Notify::new());
                let notify = shown.clone();
                let _ =
                    commands::startup::ON_FIRST_SCREEN.set(Box::new(move || notify.notify_one()));
                shown
            });
            app.manage(watcher::start(handle, first_screen));
            // The window is not created from the config at start
            // ("create": false), so that a hidden start costs no webview.
            if !hidden {
                windows::show_main(handle, None);
            }
            Ok(())
        })
        // A closed window leaves no wizard to save a pasted secret: none
        // stays in memory after it.
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Destroyed = event {
                window.state::<state::AppState>().parked.clear();
            }
        })
        .on_menu_event(|app, event| {
            let id = event.id().as_ref();
            if let Some(token) = id.strip_prefix(tray::TOKEN_ITEM_PREFIX) {
                windows::show_main(app, Some(token.to_owned()));
            } else if id == tray::MENU_OPEN || id.starts_with(tray::QOVERY_ITEM_PREFIX) {
                windows::show_main(app, None);
            } else if id == tray::MENU_CHECK_ALL {
                app.state::<watcher::WatcherHandle>()
                    .post(watcher::WatchEvent::CheckAllNow);
            } else if id == tray::MENU_QUIT {
                app.state::<Quitting>()
                    .0
                    .store(true, std::sync::atomic::Ordering::SeqCst);
                app.exit(0);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::catalogue::provider_catalogue,
            commands::tokens::vault_overview,
            commands::wizard::check_new_token,
            commands::wizard::recheck_new_token,
            commands::wizard::discard_new_token,
            commands::wizard::save_new_token,
            commands::wizard::choose_ca_file,
            commands::tokens::recheck_tokens,
            commands::tokens::remove_token,
            commands::tokens::rotate_token,
            commands::tokens::self_rotate_token,
            commands::tokens::edit_token,
            commands::tokens::take_open_request,
            commands::tokens::listen_open_requests,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::settings::send_test_notification,
            commands::settings::export_calendar,
            commands::reminders::token_reminders,
            commands::reminders::set_token_reminders,
            commands::links::new_token_link,
            commands::links::open_new_token_page,
            commands::links::open_tokens_page,
            commands::links::open_fix_address,
            commands::links::suggest_token_name,
            commands::startup::startup_mark,
            commands::qovery::qovery_connect,
            commands::qovery::qovery_connections,
            commands::qovery::qovery_disconnect,
            commands::qovery::qovery_git_tokens,
            commands::qovery::qovery_services_using,
            commands::qovery::qovery_link,
            commands::qovery::qovery_unlink,
            commands::qovery::qovery_push,
        ])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|app, event| {
            // Closing the window destroys it and its webview; the app stays
            // in the tray until "Quit".
            if let RunEvent::ExitRequested {
                api, code: None, ..
            } = event
            {
                let quitting = app
                    .state::<Quitting>()
                    .0
                    .load(std::sync::atomic::Ordering::SeqCst);
                if !quitting {
                    api.prevent_exit();
                }
            }
        }),
        Err(error) => {
            // No window exists yet to show this in: stderr and the log.
            tracing::error!(%error, "could not start");
            eprintln!("Tokenwarden could not start: {error}");
            std::process::exit(1);
        }
    }
}
