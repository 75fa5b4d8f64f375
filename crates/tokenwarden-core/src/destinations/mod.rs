//! Destinations: the places a token's value is pushed to after it is
//! created or rotated, because something there uses it (a deployment
//! platform's Git settings). One destination kind, one folder here; each
//! implements [`Destination`], and the rotation flow (`crate::rotation`)
//! pushes to every destination a token is linked to, journaling each push
//! so a crash or a refusal leaves a state the next start explains.
//!
//! Qovery is the first kind (`qovery/`): a token linked to one of an
//! organization's git tokens is pushed there.

pub mod qovery;

use futures_util::future::BoxFuture;

use crate::secret::TokenSecret;
use crate::vault::TokenRecord;

/// One place a token's value lives besides the keychain.
pub trait Destination: Send + Sync {
    /// A stable key for the journal (`qovery:ORG:GIT_TOKEN`): the same
    /// destination has the same key in every process.
    fn key(&self) -> String;
    /// How the user knows it ("Qovery organization Acme, git token main").
    fn describe(&self) -> String;
    /// Sends `secret`, the value of `token`, to the destination. Once: a
    /// refusal is reported, never retried blindly.
    fn push<'a>(
        &'a self,
        token: &'a TokenRecord,
        secret: &'a TokenSecret,
    ) -> BoxFuture<'a, Result<(), PushError>>;
}

/// Why a push did not happen. The words are the destination's own, and
/// never contain the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The destination answered and refused (it validates the value, or
    /// the credentials to reach it are wrong).
    #[error("{destination} refused the new value: {message}")]
    Refused {
        destination: String,
        message: String,
    },
    /// The destination could not be reached, timed out or failed.
    #[error("{destination} could not be reached: {message}")]
    Unreachable {
        destination: String,
        message: String,
    },
}
