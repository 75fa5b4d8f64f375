//! `tokenwarden-resident`: what start at login leaves running on Linux
//! (`tokenwarden-desktop --hidden` becomes it). The expiry watcher, its
//! notifications and their answers, file events, resume from suspend, and
//! the tray as a StatusNotifierItem, in one process that links no GTK and
//! no WebKit. The window is another process (`tokenwarden-desktop`),
//! started on demand, which reaches this one over D-Bus (`bus`).

#[cfg(target_os = "linux")]
mod resident;
#[cfg(target_os = "linux")]
mod sni;

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    resident::main()
}

/// Elsewhere the desktop shell runs the watcher in its own process.
#[cfg(not(target_os = "linux"))]
fn main() -> std::process::ExitCode {
    eprintln!("tokenwarden-resident runs on Linux only; start tokenwarden-desktop instead.");
    std::process::ExitCode::FAILURE
}
