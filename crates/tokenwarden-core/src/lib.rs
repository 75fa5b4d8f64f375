//! Tokenwarden's core library: everything the app knows and does about Git
//! provider tokens, with no dependency on Tauri. The desktop shell and the
//! `tokenwarden` command-line front end are thin layers over this crate.
//!
//! Layers, each importing only those below it (ARCHITECTURE.md):
//! `model` and `secret` (the shared vocabulary) → `check` (the toolkit
//! checks share) → `providers` (one folder each, behind a registry) →
//! `endpoint`, `catalogue`, `checker`, `target` → `vault`, `watch`, `rotation`, `destinations` → `export`. The CLI (`crates/tokenwarden-cli`) and the desktop shell sit on top.

pub mod catalogue;
pub mod check;
pub mod checker;
pub mod destinations;
pub mod endpoint;
pub mod export;
pub mod hardening;
pub mod jsonfile;
pub mod model;
pub mod notify;
pub mod providers;
pub mod rotation;
pub mod secret;
pub mod settings;
pub mod status;
pub mod sync;
pub mod target;
pub mod vault;
pub mod watch;

pub use catalogue::Catalogue;
pub use checker::{check_scripted, CheckOptions, Checker};
pub use model::{
    Deployment, DeploymentId, HostInput, ProviderKind, Requirement, RequirementKind, TokenKindId,
    TokenKindInfo,
};
pub use secret::TokenSecret;
pub use target::TokenTarget;
