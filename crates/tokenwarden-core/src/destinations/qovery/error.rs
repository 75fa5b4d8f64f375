//! Why a Qovery operation did not happen, in words a user can act on, each
//! mapped onto the command line's exit status. No variant ever holds the
//! API token or a token's value: messages are Qovery's own words (its
//! answers never echo a credential) or ours.

use crate::check::{EndpointError, Verdict};
use crate::vault::VaultError;

#[derive(Debug, thiserror::Error)]
pub enum QoveryError {
    /// 401 or 403: the API token is unknown, revoked, of another
    /// organization, or its role may not do this.
    #[error("Qovery refused the API token (HTTP {status}): {message}")]
    ApiTokenRefused { status: u16, message: String },
    /// 400: Qovery tested the value and refused it ("Test and Save").
    #[error("Qovery refused the token value (HTTP {status}): {message}. Nothing was changed in Tokenwarden.")]
    ValueRefused { status: u16, message: String },
    /// Connection failed, timed out, or Qovery answered 5xx.
    #[error("Qovery could not be reached: {0}. Nothing was changed; try again later.")]
    Unreachable(String),
    #[error("Qovery has no organization {0} that this API token can see: check the organization id in Qovery's settings.")]
    UnknownOrganization(String),
    #[error("Qovery has no git token {id} in organization {org}: `tokenwarden qovery tokens` lists them.")]
    UnknownGitToken { org: String, id: String },
    #[error("No Qovery organization is connected: run `tokenwarden qovery connect --org ORG_ID --token-stdin` first.")]
    NotConnected,
    #[error("Qovery organization {0} is not connected: `tokenwarden qovery connect --org {0} --token-stdin` connects it.")]
    OrgNotConnected(String),
    #[error("Several Qovery organizations are connected ({0}): say which with --org.")]
    WhichOrg(String),
    #[error("“{0}” is not linked to a Qovery git token: `tokenwarden qovery link {0} --git-token ID` links it, or `push --create` makes one.")]
    NotLinked(String),
    /// A GitHub token is never linked to a GitLab git token; nothing sent.
    #[error("“{name}” is a {local} token and Qovery's git token {id} is for {qovery}: a token is only linked to a git token of the same provider. Nothing was sent.")]
    CrossProvider {
        name: String,
        local: &'static str,
        qovery: String,
        id: String,
    },
    #[error("{0}")]
    Address(#[from] EndpointError),
    /// The local value's check says it must not be pushed as it is.
    #[error("{message}")]
    NotReady { verdict: Verdict, message: String },
    /// Qovery answered something this client does not understand.
    #[error("Qovery answered unexpectedly: {0}")]
    Unexpected(String),
    /// tokens.json names another Qovery address for the organization than
    /// the one its API token was stored for: nothing was sent.
    #[error("The Qovery organization “{org}” is listed at {listed}, but its API token was stored for {stored}. The token list (tokens.json) was changed outside Tokenwarden, so the API token was not sent anywhere. If you moved it yourself, connect again (`tokenwarden qovery connect --org {org} --api-url URL --token-stdin`, or Settings → Qovery in the app); otherwise restore tokens.json from a backup.")]
    ServerChanged {
        org: String,
        listed: String,
        stored: String,
    },
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// `tokenwarden`'s exit statuses (README): 64 usage, 74 keychain/metadata.
const EXIT_USAGE: u8 = 64;

impl QoveryError {
    /// The command line's exit status for this error: 2 Qovery refused,
    /// 3 unreachable, 64 usage, 74 keychain or metadata; a local value not
    /// ready exits as its verdict does (`validate`).
    pub fn exit_code(&self) -> u8 {
        match self {
            QoveryError::ApiTokenRefused { .. } | QoveryError::ValueRefused { .. } => 2,
            QoveryError::Unreachable(_) | QoveryError::Unexpected(_) => 3,
            QoveryError::UnknownOrganization(_)
            | QoveryError::UnknownGitToken { .. }
            | QoveryError::NotConnected
            | QoveryError::OrgNotConnected(_)
            | QoveryError::WhichOrg(_)
            | QoveryError::NotLinked(_)
            | QoveryError::CrossProvider { .. }
            | QoveryError::Address(_) => EXIT_USAGE,
            QoveryError::NotReady { verdict, .. } => verdict.exit_code(),
            // tokens.json no longer matches the keychain: a metadata failure.
            QoveryError::ServerChanged { .. } => 74,
            QoveryError::Vault(error) => error.exit_code(),
        }
    }
}
