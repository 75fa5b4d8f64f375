//! Connected organizations: an API token checked against the organization
//! (`getOrganization`), kept in the keychain under its own account, and
//! `{org id, name, api_url}` in the vault's metadata. Several can be
//! connected; the one a command means is resolved here.

use url::Url;

use super::client::{api_base, Client};
use super::error::QoveryError;
use crate::check::Http;
use crate::secret::TokenSecret;
use crate::vault::binding::{seal, unseal, Binding, Unsealed};
use crate::vault::{KeychainError, QoveryConnection, Vault, VaultError};

/// Checks `api_token` against organization `org_id` at `api_url` (Qovery's
/// public API when None), then stores it in the keychain and the
/// connection in the metadata. Connecting an organization again replaces
/// its API token.
#[tracing::instrument(level = "info", skip_all, fields(org = org_id), err(Display))]
pub async fn connect(
    vault: &Vault,
    http: &Http,
    org_id: &str,
    api_url: Option<&str>,
    api_token: &TokenSecret,
) -> Result<QoveryConnection, QoveryError> {
    if api_token.is_empty() {
        return Err(QoveryError::ApiTokenRefused {
            status: 401,
            message: "the API token is empty".into(),
        });
    }
    crate::check::limits::within("organization id", org_id, crate::check::limits::PLACE)
        .map_err(crate::check::EndpointError::from)?;
    let api = api_base(api_url)?;
    let org = Client::new(http, api.clone(), api_token)
        .organization(org_id)
        .await?;
    let connection = QoveryConnection {
        org_id: org_id.to_owned(),
        name: org.name,
        api_url: api.as_str().trim_end_matches('/').to_owned(),
    };
    let account = connection.keychain_account();
    // Bound to the address it was checked at, like a provider token: a
    // rewritten tokens.json cannot send it anywhere else.
    vault
        .store()
        .put(&account, &seal(api_token, &bound_to(&connection)))
        .map_err(VaultError::from)?;
    let saved = vault.locked(|s| {
        s.data.qovery.retain(|c| c.org_id != connection.org_id);
        s.data.qovery.push(connection.clone());
        s.save()
    });
    if let Err(error) = saved {
        // Metadata not written: no connection names the entry, remove it.
        let _ = vault.store().delete(&account);
        return Err(error.into());
    }
    Ok(connection)
}

/// The connected organizations, in the order they were connected.
pub fn connections(vault: &Vault) -> Result<Vec<QoveryConnection>, QoveryError> {
    Ok(vault.locked(|s| Ok(s.data.qovery.clone()))?)
}

/// The organization `org` names, or the only one connected.
pub fn resolve(vault: &Vault, org: Option<&str>) -> Result<QoveryConnection, QoveryError> {
    let all = connections(vault)?;
    match org {
        Some(id) => all
            .into_iter()
            .find(|c| c.org_id == id)
            .ok_or_else(|| QoveryError::OrgNotConnected(id.to_owned())),
        None => match all.len() {
            0 => Err(QoveryError::NotConnected),
            1 => Ok(all.into_iter().next().expect("one connection")),
            _ => Err(QoveryError::WhichOrg(
                all.iter()
                    .map(|c| format!("{} ({})", c.org_id, c.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            )),
        },
    }
}

/// Removes the organization's API token from the keychain, then the
/// connection from the metadata. Links to its git tokens stay, dormant,
/// until it is connected again.
#[tracing::instrument(level = "info", skip_all, err(Display))]
pub fn disconnect(vault: &Vault, org: Option<&str>) -> Result<QoveryConnection, QoveryError> {
    let connection = resolve(vault, org)?;
    vault
        .store()
        .delete(&connection.keychain_account())
        .map_err(VaultError::from)?;
    vault.locked(|s| {
        s.data.qovery.retain(|c| c.org_id != connection.org_id);
        s.save()
    })?;
    Ok(connection)
}

/// The API token of `connection`, from the keychain.
pub(crate) fn api_token(
    vault: &Vault,
    connection: &QoveryConnection,
) -> Result<TokenSecret, QoveryError> {
    let account = connection.keychain_account();
    let stored = match vault.store().get(&account) {
        Ok(stored) => stored,
        Err(KeychainError::Missing) => {
            return Err(QoveryError::OrgNotConnected(connection.org_id.clone()))
        }
        Err(error) => return Err(VaultError::from(error).into()),
    };
    let expected = bound_to(connection);
    match unseal(stored).map_err(QoveryError::Unexpected)? {
        Unsealed::Bound(token, binding) if binding == expected => Ok(token),
        Unsealed::Bound(_, binding) => Err(QoveryError::ServerChanged {
            org: connection.org_id.clone(),
            listed: expected.describe(),
            stored: binding.describe(),
        }),
        // Stored before API tokens were bound: bound now to the address its
        // connection names (trust on first use, as for provider tokens).
        Unsealed::Plain(token) => {
            if let Err(error) = vault.store().put(&account, &seal(&token, &expected)) {
                tracing::warn!(%error, "could not bind the Qovery API token to its address");
            }
            Ok(token)
        }
    }
}

/// The server a connection's API token may go to.
fn bound_to(connection: &QoveryConnection) -> Binding {
    Binding::new(&connection.api_url, None)
}

/// The connection's API base, as stored (it was vetted when connecting).
pub(crate) fn api_of(connection: &QoveryConnection) -> Result<Url, QoveryError> {
    api_base(Some(&connection.api_url))
}
