//! Tokenwarden's core library: everything the app knows and does about Git
//! provider tokens, with no dependency on Tauri. The desktop shell and the
//! `tokenwarden` command-line front end are thin layers over this crate.

pub mod catalogue;
pub mod check;
pub mod cli;
pub mod endpoint;
pub mod jsonfile;
pub mod notify;
pub mod providers;
pub mod secret;
pub mod settings;
pub mod status;
pub mod sync;
pub mod vault;
pub mod watch;

pub use catalogue::{
    Catalogue, Deployment, DeploymentId, HostInput, ProviderKind, Requirement, RequirementKind,
    TokenKindId, TokenKindInfo,
};
pub use secret::TokenSecret;
