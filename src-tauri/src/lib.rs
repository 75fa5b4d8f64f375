//! The desktop shell: windows, commands, and (as they land) the tray and the
//! expiry watcher. It holds no business logic: each command is a few lines
//! that call `tokenwarden_core` and map its result for the webview.

mod commands;

/// Builds and runs the app until the user quits.
pub fn run() {
    let app = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![commands::provider_catalogue])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(error) => {
            // No window exists yet to show this in: stderr is all there is.
            eprintln!("Tokenwarden could not start: {error}");
            std::process::exit(1);
        }
    }
}
