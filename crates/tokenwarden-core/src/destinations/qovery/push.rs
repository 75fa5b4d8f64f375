//! Linking a local token to a Qovery git token, and pushing its value:
//! `editGitToken` keeping the name and description Qovery has (with the
//! workspace for Bitbucket and `git_api_url` for self-hosted servers), or
//! `createGitToken` for a new one. Only a value whose check is ready is
//! pushed (one that falls short with consent; an unusable one never), and
//! Qovery's refusal leaves the vault as it was. [`QoveryDestination`] is
//! the same push inside the core's rotation flow.

use futures_util::future::BoxFuture;
use serde::Serialize;
use ts_rs::TS;

use super::client::{qovery_type, Client, GitTokenRequest, GitTokenResponse};
use super::connection::{api_of, api_token, resolve};
use super::error::QoveryError;
use super::tokens::{same_provider, OrgRef};
use crate::check::{Http, Verdict};
use crate::destinations::{Destination, PushError};
use crate::providers;
use crate::secret::TokenSecret;
use crate::vault::{QoveryConnection, QoveryLink, TokenKey, TokenRecord, Vault};

/// What a push did (the `push --json` contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, rename = "QoveryPushOutcome")]
pub struct PushOutcome {
    pub git_token_id: String,
    /// A new git token was made (`--create`), rather than one edited.
    pub created: bool,
    pub org: OrgRef,
}

/// Links the local token `key` names (by name, or by id) to Qovery's git
/// token `git_token_id` of organization `org`. Only reads from Qovery:
/// nothing is sent, and a git token of another provider is refused.
#[tracing::instrument(level = "info", skip_all, err(Display))]
pub async fn link<'a>(
    vault: &Vault,
    http: &Http,
    key: impl Into<TokenKey<'a>>,
    org: Option<&str>,
    git_token_id: &str,
) -> Result<QoveryLink, QoveryError> {
    let record = vault.record(key)?;
    let connection = resolve(vault, org)?;
    let secret = api_token(vault, &connection)?;
    let client = Client::new(http, api_of(&connection)?, &secret);
    let token = client.git_token(&connection.org_id, git_token_id).await?;
    same_provider(&record, &token)?;
    let link = QoveryLink {
        org_id: connection.org_id.clone(),
        git_token_id: token.id.clone(),
        services_count: token.associated_services_count,
    };
    save_link(vault, &record, Some(link.clone()))?;
    Ok(link)
}

/// Forgets the link of the token `key` names; Qovery is not asked.
pub fn unlink<'a>(vault: &Vault, key: impl Into<TokenKey<'a>>) -> Result<QoveryLink, QoveryError> {
    let record = vault.record(key)?;
    let link = record
        .qovery
        .clone()
        .ok_or_else(|| QoveryError::NotLinked(record.name.clone()))?;
    save_link(vault, &record, None)?;
    Ok(link)
}

/// Sets the link of the record with `record.id`.
fn save_link(
    vault: &Vault,
    record: &TokenRecord,
    link: Option<QoveryLink>,
) -> Result<(), QoveryError> {
    vault.locked(|s| {
        let index = s.find_id(&record.id)?;
        s.data.tokens[index].qovery = link;
        s.save()
    })?;
    Ok(())
}

/// Sends the stored value of the token `token` names (by name, or by id) to
/// Qovery: to the git token it is linked to, or, with `create`, to a new
/// git token in organization `org` which it is then linked to. The value is
/// checked with its provider first: pushed when ready; when it falls short
/// or could not be checked, only with `consent`; when unusable, never.
#[tracing::instrument(level = "info", skip_all, fields(create), err(Display))]
pub async fn push<'a>(
    vault: &Vault,
    http: &Http,
    token: impl Into<TokenKey<'a>>,
    org: Option<&str>,
    create: bool,
    consent: bool,
) -> Result<PushOutcome, QoveryError> {
    // Resolved once; from here on the token is its id, whatever is renamed.
    let record = vault.record(token)?;
    let name = record.name.as_str();
    let connection = match (&record.qovery, create) {
        (Some(link), false) => resolve(vault, Some(&link.org_id))?,
        (None, false) => return Err(QoveryError::NotLinked(name.to_owned())),
        (_, true) => resolve(vault, org)?,
    };
    let api_secret = api_token(vault, &connection)?;
    let value = vault.secret(&record)?;
    ready_to_push(vault, &record, consent).await?;
    let client = Client::new(http, api_of(&connection)?, &api_secret);
    let (saved, created) = match (&record.qovery, create) {
        (Some(link), false) => (
            edit(&client, &link.org_id, &link.git_token_id, &record, &value).await?,
            false,
        ),
        _ => (
            create_for(&client, &connection, &record, &value).await?,
            true,
        ),
    };
    drop(value);
    let link = QoveryLink {
        org_id: connection.org_id.clone(),
        git_token_id: saved.id.clone(),
        services_count: saved.associated_services_count,
    };
    save_link(vault, &record, Some(link))?;
    // A rotation's unfinished push to this git token is now done.
    vault.pushed(&record.id, &key(&connection.org_id, &saved.id))?;
    Ok(PushOutcome {
        git_token_id: saved.id,
        created,
        org: OrgRef::from(&connection),
    })
}

/// Checks the stored value of `record` with its provider (and records the
/// check); an error says why it is not pushed.
async fn ready_to_push(
    vault: &Vault,
    record: &TokenRecord,
    consent: bool,
) -> Result<(), QoveryError> {
    let name = record.name.as_str();
    let checked = vault.check_key(Some(TokenKey::Id(&record.id))).await?;
    let Some(item) = checked.into_iter().next() else {
        return Err(crate::vault::VaultError::Gone(record.id.clone()).into());
    };
    let Some(report) = item.report else {
        return Err(crate::vault::VaultError::Invalid(item.error.unwrap_or_default()).into());
    };
    let verdict = report.verdict();
    let why = || {
        let mut words: Vec<String> = report.problems.iter().map(|p| p.message.clone()).collect();
        if !report.missing.is_empty() {
            words.push(format!("missing: {}", report.missing.join(", ")));
        }
        words.join("; ")
    };
    match verdict {
        Verdict::Ready => Ok(()),
        Verdict::FallsShort | Verdict::Unchecked if consent => Ok(()),
        Verdict::FallsShort | Verdict::Unchecked => Err(QoveryError::NotReady {
            verdict,
            message: format!(
                "“{name}” is not ready ({}); nothing was sent to Qovery. Push it anyway with --yes.",
                why()
            ),
        }),
        Verdict::Unusable | Verdict::Usage => Err(QoveryError::NotReady {
            verdict,
            message: format!(
                "“{name}” is unusable ({}); it is never sent to Qovery. Rotate it first.",
                why()
            ),
        }),
    }
}

/// `git_api_url` for a self-hosted server (GitHub Enterprise, self-managed
/// GitLab): the token's API base when it is not the provider's cloud API.
/// Qovery's public providers need none.
fn self_hosted_api(record: &TokenRecord) -> Option<&str> {
    self_hosted(record.provider, &record.api_url)
}

fn self_hosted(provider: crate::model::ProviderKind, api_url: &str) -> Option<&str> {
    let cloud = providers::get(provider).cloud_api_url();
    (api_url.trim_end_matches('/') != cloud.trim_end_matches('/')).then_some(api_url)
}

/// `editGitToken` with `value`, keeping what Qovery has of the rest.
async fn edit(
    client: &Client<'_>,
    org: &str,
    id: &str,
    record: &TokenRecord,
    value: &TokenSecret,
) -> Result<GitTokenResponse, QoveryError> {
    let current = client.git_token(org, id).await?;
    same_provider(record, &current)?;
    let request = GitTokenRequest {
        name: &current.name,
        kind: current.kind.clone(),
        token: value.expose(),
        description: current.description.as_deref(),
        workspace: current.workspace.as_deref().or(record.workspace.as_deref()),
        git_api_url: current
            .git_api_url
            .as_deref()
            .or_else(|| self_hosted_api(record)),
    };
    client.save_git_token(org, Some(id), &request).await
}

/// `createGitToken` named and described as the local token.
async fn create_for(
    client: &Client<'_>,
    connection: &QoveryConnection,
    record: &TokenRecord,
    value: &TokenSecret,
) -> Result<GitTokenResponse, QoveryError> {
    let request = GitTokenRequest {
        name: &record.name,
        kind: qovery_type(record.provider),
        token: value.expose(),
        description: Some(record.description.as_str()).filter(|d| !d.is_empty()),
        workspace: record.workspace.as_deref(),
        git_api_url: self_hosted_api(record),
    };
    client
        .save_git_token(&connection.org_id, None, &request)
        .await
}

/// The rotation journal's key of a git token.
fn key(org: &str, git_token_id: &str) -> String {
    format!("qovery:{org}:{git_token_id}")
}

/// A linked Qovery git token, as a destination of the rotation flow.
pub struct QoveryDestination {
    link: QoveryLink,
    /// None when the organization is no longer connected: the push then
    /// fails with words that say how to fix it.
    connection: Option<(QoveryConnection, TokenSecret)>,
    http: Http,
}

impl QoveryDestination {
    pub fn link(&self) -> &QoveryLink {
        &self.link
    }
}

/// The destinations `record` is pushed to on rotation: its Qovery git
/// token when linked. Fails only when the keychain cannot be asked.
pub fn destinations_for(
    vault: &Vault,
    http: &Http,
    record: &TokenRecord,
) -> Result<Vec<QoveryDestination>, QoveryError> {
    let Some(link) = record.qovery.clone() else {
        return Ok(Vec::new());
    };
    let connection = match resolve(vault, Some(&link.org_id)) {
        Ok(connection) => match api_token(vault, &connection) {
            Ok(secret) => Some((connection, secret)),
            Err(QoveryError::OrgNotConnected(_)) => None,
            Err(error) => return Err(error),
        },
        Err(QoveryError::OrgNotConnected(_)) => None,
        Err(error) => return Err(error),
    };
    Ok(vec![QoveryDestination {
        link,
        connection,
        http: http.clone(),
    }])
}

impl Destination for QoveryDestination {
    fn key(&self) -> String {
        key(&self.link.org_id, &self.link.git_token_id)
    }

    fn describe(&self) -> String {
        let org = self
            .connection
            .as_ref()
            .map_or(self.link.org_id.as_str(), |(c, _)| c.name.as_str());
        format!(
            "Qovery organization {org} (git token {})",
            self.link.git_token_id
        )
    }

    fn push<'a>(
        &'a self,
        token: &'a TokenRecord,
        secret: &'a TokenSecret,
    ) -> BoxFuture<'a, Result<(), PushError>> {
        Box::pin(async move {
            let destination = self.describe();
            let Some((connection, api_secret)) = &self.connection else {
                return Err(PushError::Refused {
                    destination,
                    message: QoveryError::OrgNotConnected(self.link.org_id.clone()).to_string(),
                });
            };
            let outcome = match api_of(connection) {
                Ok(api) => {
                    let client = Client::new(&self.http, api, api_secret);
                    edit(
                        &client,
                        &self.link.org_id,
                        &self.link.git_token_id,
                        token,
                        secret,
                    )
                    .await
                }
                Err(error) => Err(error),
            };
            match outcome {
                Ok(_) => Ok(()),
                Err(error @ (QoveryError::Unreachable(_) | QoveryError::Unexpected(_))) => {
                    Err(PushError::Unreachable {
                        destination,
                        message: error.to_string(),
                    })
                }
                Err(error) => Err(PushError::Refused {
                    destination,
                    message: error.to_string(),
                }),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_api_url_is_sent_for_self_hosted_servers_only() {
        for provider in providers::all() {
            let cloud = provider.cloud_api_url();
            assert_eq!(
                self_hosted(provider.kind(), cloud),
                None,
                "{}",
                provider.name()
            );
            let own = "https://git.example.com/api/v4";
            assert_eq!(self_hosted(provider.kind(), own), Some(own));
        }
    }
}
