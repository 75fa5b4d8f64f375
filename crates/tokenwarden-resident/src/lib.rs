//! The resident watcher: the expiry watcher's I/O loop (`watcher`), the
//! tray's model (`tray_model`), the Qovery-only git tokens it watches
//! (`qovery_watch`), the log (`logging`) and, on Linux, the D-Bus
//! interface between the resident process and the window process (`bus`).
//! No Tauri, GTK or WebKit: the `tokenwarden-resident` binary is what start
//! at login leaves running on Linux, and the desktop shell runs the same
//! loop in its own process on macOS and Windows.

pub mod args;
pub mod bus;
pub mod logging;
pub mod qovery_watch;
pub mod tray_model;
pub mod watcher;
