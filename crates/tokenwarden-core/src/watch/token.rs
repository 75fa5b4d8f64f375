//! The little the watcher needs to know about a token: metadata only,
//! never its secret.

use chrono::{DateTime, Utc};

use super::trouble::CheckHealth;
use crate::check::ExpirySource;
use crate::model::ProviderKind;
use crate::vault::{TokenRecord, TokenView};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedToken {
    pub id: String,
    pub name: String,
    pub provider: ProviderKind,
    pub expires_at: Option<DateTime<Utc>>,
    pub expiry: ExpirySource,
    /// What its last check (recorded in the vault) says against it.
    pub health: CheckHealth,
}

impl WatchedToken {
    /// The expiry alerts are scheduled from, and the instant the watcher's
    /// memory of this token is keyed by: `expires_at`, unless the provider
    /// says the token never expires. `None` means "no expiry" (the token
    /// gets one reminder recommending one).
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        match self.expiry {
            ExpirySource::Never => None,
            _ => self.expires_at,
        }
    }
}

impl From<&TokenRecord> for WatchedToken {
    fn from(record: &TokenRecord) -> Self {
        WatchedToken {
            id: record.id.clone(),
            name: record.name.clone(),
            provider: record.provider,
            expires_at: record.expires_at,
            expiry: record.expiry,
            health: CheckHealth::of(record),
        }
    }
}

impl From<&TokenView> for WatchedToken {
    fn from(view: &TokenView) -> Self {
        WatchedToken::from(&view.record)
    }
}
