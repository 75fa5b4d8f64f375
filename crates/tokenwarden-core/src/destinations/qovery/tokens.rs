//! What an organization's git tokens look like to Tokenwarden's users: the
//! `tokens` listing (`tokenwarden qovery tokens --json`, the dashboard's
//! Qovery rows) and the services that use a token.

use serde::Serialize;
use ts_rs::TS;

use super::client::{AssociatedService, Client, GitTokenResponse};
use super::connection::{api_of, api_token, resolve};
use super::error::QoveryError;
use crate::check::{ExpirySource, Http};
use crate::model::ProviderKind;
use crate::vault::{QoveryConnection, TokenRecord, Vault};
use crate::watch::{CheckHealth, WatchedToken};

/// An organization, as outputs name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, rename = "QoveryOrgRef")]
pub struct OrgRef {
    pub id: String,
    pub name: String,
}

impl From<&QoveryConnection> for OrgRef {
    fn from(c: &QoveryConnection) -> Self {
        OrgRef {
            id: c.org_id.clone(),
            name: c.name.clone(),
        }
    }
}

/// A service that uses a git token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, rename = "QoveryServiceRef")]
pub struct ServiceRef {
    pub project: String,
    pub environment: String,
    pub service: String,
    /// Qovery's `service_type`: `APPLICATION`, `CRON`, `LIFECYCLE`, `HELM`
    /// or `TERRAFORM`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl From<AssociatedService> for ServiceRef {
    fn from(s: AssociatedService) -> Self {
        ServiceRef {
            project: s.project_name,
            environment: s.environment_name,
            service: s.service_name,
            kind: s.service_type,
        }
    }
}

/// One git token of the organization (the `tokens --json` contract).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, rename = "QoveryGitToken")]
pub struct GitToken {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub provider: ProviderKind,
    /// Midnight UTC of Qovery's `expired_at` date.
    #[ts(type = "string | null")]
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub git_api_url: Option<String>,
    pub workspace: Option<String>,
    pub services_count: u32,
    /// Only when asked for (`--services`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub services: Option<Vec<ServiceRef>>,
    /// The name of the local token linked to it, if any.
    pub linked: Option<String>,
}

/// An organization and its git tokens.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, rename = "QoveryGitTokens")]
pub struct OrgGitTokens {
    pub org: OrgRef,
    pub git_tokens: Vec<GitToken>,
}

impl OrgGitTokens {
    /// The git tokens no local token is linked to, as the expiry watcher
    /// sees tokens (`watch::round`), so that the tray, reminders and
    /// notifications include them. Linked ones are watched through their
    /// local token already. Each id is `qovery:ORG:GIT_TOKEN` (stable, and
    /// never a vault id); the name says where it lives.
    pub fn watched(&self) -> Vec<WatchedToken> {
        self.git_tokens
            .iter()
            .filter(|t| t.linked.is_none())
            .map(|t| WatchedToken {
                id: format!("qovery:{}:{}", self.org.id, t.id),
                name: format!("{} (Qovery {})", t.name, self.org.name),
                provider: t.provider,
                expires_at: t.expires_at,
                // Qovery's date is what the provider told it; no date is
                // "unknown", not "never".
                expiry: if t.expires_at.is_some() {
                    ExpirySource::Provider
                } else {
                    ExpirySource::Unknown
                },
                // Tokenwarden holds no value to check: only Qovery's date
                // speaks for it, through the expiry alerts.
                health: CheckHealth::Unknown,
            })
            .collect()
    }
}

/// The git tokens of organization `org` (the only one connected when
/// None), each with the local token linked to it, and with the services
/// using it when `with_services`. Links' cached service counts are
/// refreshed on the way.
#[tracing::instrument(level = "info", skip_all, err(Display))]
pub async fn git_tokens(
    vault: &Vault,
    http: &Http,
    org: Option<&str>,
    with_services: bool,
) -> Result<OrgGitTokens, QoveryError> {
    let connection = resolve(vault, org)?;
    let secret = api_token(vault, &connection)?;
    let client = Client::new(http, api_of(&connection)?, &secret);
    let found = client.git_tokens(&connection.org_id).await?;
    let records = vault.locked(|s| Ok(s.data.tokens.clone()))?;
    let mut out = Vec::with_capacity(found.len());
    for token in found {
        let Some(provider) = token.provider() else {
            tracing::warn!(kind = %token.kind, "a Qovery git token of an unknown type is skipped");
            continue;
        };
        let services = if with_services {
            let list = client
                .associated_services(&connection.org_id, &token.id)
                .await?;
            Some(list.into_iter().map(ServiceRef::from).collect())
        } else {
            None
        };
        out.push(GitToken {
            linked: linked_name(&records, &connection.org_id, &token.id),
            id: token.id.clone(),
            name: token.name.clone(),
            description: token.description.clone().filter(|d| !d.is_empty()),
            provider,
            expires_at: token.expires_at(),
            git_api_url: token.git_api_url.clone(),
            workspace: token.workspace.clone(),
            services_count: token.associated_services_count,
            services,
        });
    }
    refresh_counts(vault, &connection.org_id, &out)?;
    Ok(OrgGitTokens {
        org: OrgRef::from(&connection),
        git_tokens: out,
    })
}

fn linked_name(records: &[TokenRecord], org: &str, id: &str) -> Option<String> {
    records
        .iter()
        .find(|r| {
            r.qovery
                .as_ref()
                .is_some_and(|l| l.org_id == org && l.git_token_id == id)
        })
        .map(|r| r.name.clone())
}

/// Saves the service counts Qovery gave for linked tokens, if any changed.
fn refresh_counts(vault: &Vault, org: &str, tokens: &[GitToken]) -> Result<(), QoveryError> {
    vault.locked(|s| {
        let mut changed = false;
        for record in &mut s.data.tokens {
            let Some(link) = record.qovery.as_mut().filter(|l| l.org_id == org) else {
                continue;
            };
            if let Some(t) = tokens.iter().find(|t| t.id == link.git_token_id) {
                if link.services_count != t.services_count {
                    link.services_count = t.services_count;
                    changed = true;
                }
            }
        }
        if changed {
            s.save()?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The Qovery services using the git token `record` is linked to (none
/// when it is not linked), so that deleting it can name them first.
pub async fn services_using(
    vault: &Vault,
    http: &Http,
    record: &TokenRecord,
) -> Result<Vec<ServiceRef>, QoveryError> {
    let Some(link) = &record.qovery else {
        return Ok(Vec::new());
    };
    let connection = resolve(vault, Some(&link.org_id))?;
    let secret = api_token(vault, &connection)?;
    let client = Client::new(http, api_of(&connection)?, &secret);
    let services = client
        .associated_services(&link.org_id, &link.git_token_id)
        .await?;
    Ok(services.into_iter().map(ServiceRef::from).collect())
}

/// Qovery's git token as the local record would describe it: same
/// provider, or the refusal that names both.
pub(crate) fn same_provider(
    record: &TokenRecord,
    token: &GitTokenResponse,
) -> Result<(), QoveryError> {
    if token.provider() == Some(record.provider) {
        return Ok(());
    }
    Err(QoveryError::CrossProvider {
        name: record.name.clone(),
        local: crate::providers::get(record.provider).name(),
        qovery: token.kind.clone(),
        id: token.id.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn git_token(id: &str, linked: Option<&str>, expires: bool) -> GitToken {
        GitToken {
            id: id.into(),
            name: format!("name-{id}"),
            description: None,
            provider: crate::providers::all()[0].kind(),
            expires_at: expires
                .then(|| chrono::Utc.with_ymd_and_hms(2027, 1, 31, 0, 0, 0).unwrap()),
            git_api_url: None,
            workspace: None,
            services_count: 1,
            services: None,
            linked: linked.map(str::to_owned),
        }
    }

    #[test]
    fn qovery_only_tokens_are_watched_with_their_expiry_and_linked_ones_are_not() {
        let listing = OrgGitTokens {
            org: OrgRef {
                id: "org".into(),
                name: "Acme".into(),
            },
            git_tokens: vec![
                git_token("a", None, true),
                git_token("b", Some("prod"), true),
                git_token("c", None, false),
            ],
        };
        let watched = listing.watched();
        assert_eq!(watched.len(), 2);
        assert_eq!(watched[0].id, "qovery:org:a");
        assert_eq!(watched[0].name, "name-a (Qovery Acme)");
        assert_eq!(watched[0].deadline(), listing.git_tokens[0].expires_at);
        assert_eq!(watched[1].expiry, ExpirySource::Unknown);
        assert_eq!(watched[1].deadline(), None);
    }
}
