//! A bare Tauri window: the floor the app's start-up time and memory are
//! measured against. One window showing a static page, which calls the
//! same start-up mark as the app once its first frame is painted. No tray,
//! no plugins, no state.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// The app's own mark command, compiled in here from its source, so both
// sides of the comparison record the mark the same way without the floor
// linking the app.
#[path = "../../../src-tauri/src/commands/startup.rs"]
mod startup;

fn main() {
    startup::shell_mark("run");
    let result = tauri::Builder::default()
        // Reached once the window from the config is built.
        .setup(|_| {
            startup::shell_mark("setup");
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![startup::startup_mark])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("bare-window could not start: {error}");
        std::process::exit(1);
    }
}
