//! The commands the webview may invoke, one per user action. Each is a few
//! lines over `tokenwarden_core`, is granted by name to the main window
//! only (src-tauri/capabilities/main.json, declared in build.rs), and
//! returns metadata: a secret only ever comes in, as a `TokenSecret`,
//! which cannot be serialized back out.

pub mod catalogue;
pub mod links;
pub mod qovery;
pub mod reminders;
pub mod settings;
pub mod startup;
pub mod tokens;
pub mod wizard;
