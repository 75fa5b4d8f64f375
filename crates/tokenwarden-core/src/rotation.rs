//! Rotation, as one flow for the CLI and the app alike: check the new value
//! → swap it in the vault → push it to each destination → record → say
//! where to revoke the old one. The swap and the list of destinations
//! still to push are saved together, and each push is struck off once it
//! succeeded, so a crash or a failed push leaves a journal that the next
//! start reports (`VaultNotice::PushUnfinished`) and [`resume`] finishes.
//! The old value is declared revocable only once every destination has the
//! new one: revoking it earlier would break what still uses it.

use crate::destinations::{Destination, PushError};
use crate::secret::TokenSecret;
use crate::vault::{ReplaceOutcome, TokenKey, TokenRecord, Vault, VaultError};

/// One destination's part in a rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushResult {
    pub destination: String,
    /// None when the destination took the new value.
    pub error: Option<PushError>,
}

#[derive(Debug)]
pub struct RotationOutcome {
    /// The vault's part: refused (nothing changed), or replaced. When a
    /// push failed, `revoke_at` is None: the old value is still needed.
    pub replace: ReplaceOutcome,
    pub pushes: Vec<PushResult>,
}

impl RotationOutcome {
    /// Whether every destination has the new value.
    pub fn all_pushed(&self) -> bool {
        self.pushes.iter().all(|p| p.error.is_none())
    }

    /// What is left to do when a push failed, in words for the user.
    pub fn unfinished(&self, name: &str) -> Option<String> {
        let failed: Vec<_> = self
            .pushes
            .iter()
            .filter(|p| p.error.is_some())
            .map(|p| p.destination.as_str())
            .collect();
        (!failed.is_empty()).then(|| {
            format!(
                "The new value of “{name}” is stored, but {} does not have it yet: do not revoke the old token. Push the new value again once the problem above is fixed.",
                failed.join(", ")
            )
        })
    }
}

/// Rotates the token `key` names (by name, or by id) to `secret`, if the
/// new value is ready, then pushes it to `destinations`.
pub async fn rotate<'a>(
    vault: &Vault,
    key: impl Into<TokenKey<'a>>,
    secret: &TokenSecret,
    destinations: &[&dyn Destination],
) -> Result<RotationOutcome, VaultError> {
    let keys = destinations.iter().map(|d| d.key()).collect();
    let replace = vault.rotate_journaled(key.into(), secret, keys).await?;
    let ReplaceOutcome::Replaced {
        token,
        report,
        revoke_at,
    } = replace
    else {
        return Ok(RotationOutcome {
            replace,
            pushes: Vec::new(),
        });
    };
    let pushes = push_all(vault, &token.record, secret, destinations).await?;
    let all_pushed = pushes.iter().all(|p| p.error.is_none());
    Ok(RotationOutcome {
        replace: ReplaceOutcome::Replaced {
            token,
            report,
            revoke_at: revoke_at.filter(|_| all_pushed),
        },
        pushes,
    })
}

/// Pushes the stored value of the token `key` names to the destinations a
/// rotation left unfinished (`TokenRecord::unpushed`) among `destinations`.
pub async fn resume<'a>(
    vault: &Vault,
    key: impl Into<TokenKey<'a>>,
    destinations: &[&dyn Destination],
) -> Result<Vec<PushResult>, VaultError> {
    let record = vault.record(key)?;
    let pending: Vec<&dyn Destination> = destinations
        .iter()
        .copied()
        .filter(|d| record.unpushed.contains(&d.key()))
        .collect();
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let secret = vault.secret(&record)?;
    push_all(vault, &record, &secret, &pending).await
}

/// Pushes `secret`, the current value of `record`, to each destination,
/// striking each one that took it off the journal.
async fn push_all(
    vault: &Vault,
    record: &TokenRecord,
    secret: &TokenSecret,
    destinations: &[&dyn Destination],
) -> Result<Vec<PushResult>, VaultError> {
    let mut results = Vec::with_capacity(destinations.len());
    for destination in destinations {
        let outcome = destination.push(record, secret).await;
        if outcome.is_ok() {
            vault.pushed(&record.id, &destination.key())?;
        }
        results.push(PushResult {
            destination: destination.describe(),
            error: outcome.err(),
        });
    }
    Ok(results)
}
