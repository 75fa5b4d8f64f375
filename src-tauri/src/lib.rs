//! The desktop shell: windows, commands, the tray and the expiry watcher.
//! It holds no business logic: each command is a few lines that call
//! `tokenwarden_core` and map its result for the webview.
//!
//! On Linux it is the window process only: start at login (`--hidden`)
//! becomes `tokenwarden-resident` (the watcher and a StatusNotifierItem
//! tray, no WebKit), which this process starts if it is not running and
//! reaches over D-Bus (`watch_link`); closing the window ends it. On macOS
//! and Windows, whose webviews cost a resident process little, the app is
//! one process: the same watcher loop runs here with the Tauri tray.

mod commands;
mod confirm;
mod error;
mod first_screen;
mod state;
mod tray;
mod watch_link;
mod windows;

use std::sync::Arc;

use tauri::{Manager, RunEvent};
use tokenwarden_resident::args::{self, HIDDEN_ARG};
use tokenwarden_resident::qovery_watch::QoveryWatched;
use tokenwarden_resident::tray_model::Action;
use tokenwarden_resident::watcher::{self, Watched};

pub use error::{CommandError, ErrorCode};
pub use tokenwarden_resident::logging;

use watch_link::{ResidentLink, WatchLink};

/// Whether the watcher and the tray run in a process of their own (Linux,
/// where the webview would make them cost 70 MB; see BENCHMARKS.md).
const RESIDENT_APART: bool = cfg!(target_os = "linux");

fn cli_args() -> impl Iterator<Item = String> {
    std::env::args().skip(1)
}

/// `--hidden` on Linux: the login start becomes the resident, before GTK
/// or WebKit is loaded, with the other arguments (`--simulator`).
#[cfg(target_os = "linux")]
fn become_resident_if_hidden() {
    use std::os::unix::process::CommandExt;
    if !args::hidden(cli_args()) {
        return;
    }
    let resident = match std::env::current_exe() {
        Ok(exe) => exe.with_file_name("tokenwarden-resident"),
        Err(error) => {
            eprintln!("tokenwarden-desktop: cannot find tokenwarden-resident: {error}");
            std::process::exit(1);
        }
    };
    let error = std::process::Command::new(&resident)
        .args(cli_args().filter(|arg| arg != HIDDEN_ARG))
        .exec();
    eprintln!(
        "tokenwarden-desktop: cannot start {}: {error}",
        resident.display()
    );
    std::process::exit(1);
}

/// Builds and runs the app until the user quits.
pub fn run() {
    commands::startup::shell_mark("run");
    #[cfg(target_os = "linux")]
    become_resident_if_hidden();
    // Before anything reads a token: no core dump may hold one. Said on
    // stderr, as the log is not set up yet (and must not wait for this).
    if let Err(error) = tokenwarden_core::hardening::disable_core_dumps() {
        eprintln!("tokenwarden-desktop: warning: {error}");
    }
    logging::init();
    commands::startup::shell_mark("logging");
    let simulator_spec = args::simulator_spec(cli_args());
    // The vault is opened, and listed for the first screen, while GTK
    // starts; the state is managed in `setup`, before any window (and so
    // any command) exists.
    let opening = {
        let simulated = args::parse_simulated(simulator_spec.as_deref());
        let for_window = !args::hidden(cli_args());
        std::thread::spawn(move || {
            let state = state::AppState::open(simulated);
            state.finish_opening(for_window);
            commands::startup::shell_mark("state_opened");
            state
        })
    };
    let app = tauri::Builder::default()
        // First: a second launch only focuses the running app, at the token
        // it was asked to open (`--open ID`: the resident's tray entry or
        // notification).
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            // A login start while the app already runs changes nothing.
            if !args::hidden(args.iter().cloned()) {
                windows::show_main(app, args::open_request(args));
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
        .manage(windows::OpenRequests::default())
        .manage(tray::Quitting::default())
        .setup(move |app| {
            commands::startup::shell_mark("setup");
            let state = opening.join().unwrap_or_else(|_| {
                // The thread panicked: open here instead, whatever it costs.
                state::AppState::open(args::parse_simulated(simulator_spec.as_deref()))
            });
            app.manage(state);
            let handle = app.handle();
            if RESIDENT_APART {
                window_process(handle, args::simulator_args(simulator_spec.as_deref()));
            } else {
                one_process(handle);
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
            let (Some(action), WatchLink::Here { watcher, .. }) = (
                Action::from_id(event.id().as_ref()),
                &*app.state::<WatchLink>(),
            ) else {
                return;
            };
            watcher::act(action, &tray::TauriSurface(app.clone()), watcher);
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
            // One process: closing the window destroys it and its webview;
            // the app stays in the tray until "Quit". (The window process
            // of Linux just ends: its resident stays.)
            if let RunEvent::ExitRequested {
                api, code: None, ..
            } = event
            {
                let quitting = RESIDENT_APART
                    || app
                        .state::<tray::Quitting>()
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

/// Linux: the window, and the resident it makes sure runs (started with
/// the same `--simulator`), which it follows when "Quit" is chosen.
fn window_process(app: &tauri::AppHandle, simulator_args: Vec<String>) {
    let link = match tokenwarden_core::vault::VaultConfig::from_env() {
        Ok(config) => ResidentLink::for_data_dir(&config.data_dir),
        Err(error) => {
            tracing::warn!(%error, "no data folder: no resident watcher");
            ResidentLink::for_data_dir(std::path::Path::new(""))
        }
    };
    app.manage(WatchLink::Resident(link));
    // The resident is looked for (and started if need be) once the first
    // screen is painted (`WatchLink::keep`); its "Quit" is listened for
    // from the start.
    let shown = first_screen_notice();
    let keeper = app.clone();
    tauri::async_runtime::spawn(async move {
        if let WatchLink::Resident(link) = &*keeper.state::<WatchLink>() {
            link.keep(keeper.clone(), simulator_args, shown).await;
        }
    });
    windows::show_first(app, args::open_request(cli_args()));
}

/// Notified when the window's first screen is painted (`startup_mark`).
fn first_screen_notice() -> Arc<tokio::sync::Notify> {
    let shown = Arc::new(tokio::sync::Notify::new());
    let notify = shown.clone();
    let _ = commands::startup::ON_FIRST_SCREEN.set(Box::new(move || notify.notify_one()));
    shown
}

/// macOS, Windows: the tray and the watcher in this process.
fn one_process(app: &tauri::AppHandle) {
    let state = app.state::<state::AppState>();
    // Without a tray host the app still runs; settings say so.
    if let Err(error) = tray::create(app, &state.simulated) {
        tracing::warn!(%error, "no system tray");
    }
    let hidden = args::hidden(cli_args());
    // With a window, the watcher's first round (listing the vault,
    // building the tray menu on the main thread) waits for its first
    // screen, so as not to slow the window coming up.
    let first_screen = (!hidden).then(first_screen_notice);
    let qovery = Arc::new(QoveryWatched::default());
    let watched = state.vault().ok().map(|vault| Watched {
        data_dir: Watched::data_dir_of(&vault),
        vault,
        qovery: qovery.clone(),
        qovery_http: state.qovery_http.clone(),
        simulated: state.simulated.clone(),
    });
    let surface = Arc::new(tray::TauriSurface(app.clone()));
    let (watcher, task) = watcher::start(watched, surface, first_screen);
    if let Some(task) = task {
        tauri::async_runtime::spawn(task);
    }
    app.manage(WatchLink::Here { watcher, qovery });
    // The window is not created from the config at start ("create":
    // false), so that a hidden start costs no webview.
    if !hidden {
        windows::show_first(app, args::open_request(cli_args()));
    }
}
