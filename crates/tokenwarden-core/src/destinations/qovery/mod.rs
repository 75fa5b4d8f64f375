//! Qovery, the first destination: an organization's "Git Repository
//! Access" tokens, read and updated through Qovery's public API
//! (`../shared/QOVERY.md`).
//!
//! What the app and the CLI call (each takes the vault, and the `Http`
//! its requests go through):
//! - [`connect`], [`connections`], [`disconnect`]: an organization's API
//!   token checked, kept in the keychain; `{org id, name, api_url}` in the
//!   vault's metadata.
//! - [`git_tokens`]: the organization's git tokens, with the local token
//!   linked to each and, on request, the services using it;
//!   [`services_using`] for one local token (before deleting it);
//!   [`OrgGitTokens::watched`] gives the unlinked ones to the expiry
//!   watcher.
//! - [`link`], [`unlink`], [`push`]: a local token tied to a git token of
//!   the same provider, and its value sent there (or to a new one).
//! - [`destinations_for`]: what `rotation::rotate` pushes a token to.
//!
//! Errors are [`QoveryError`], whose `exit_code` is the CLI's.

mod client;
mod connection;
mod error;
mod push;
mod tokens;

pub use client::{api_base, DEFAULT_API_URL};
pub use connection::{connect, connections, disconnect, resolve};
pub use error::QoveryError;
pub use push::{destinations_for, link, push, unlink, PushOutcome, QoveryDestination};
pub use tokens::{git_tokens, services_using, GitToken, OrgGitTokens, OrgRef, ServiceRef};
