//! What the vault keeps about each token: metadata only. The secret lives
//! in the OS keychain under `TokenRecord::keychain_account`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::check::{CheckReport, ExpirySource, Identity, Problem, Verdict};
use crate::jsonfile::{self, Decoded};
use crate::model::{ProviderKind, TokenKindId};

/// The metadata file's format version. A file with a higher version was
/// written by a newer Tokenwarden and is refused, never rewritten.
pub const FORMAT_VERSION: u32 = 1;

/// The whole metadata file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaultData {
    pub version: u32,
    #[serde(default)]
    pub tokens: Vec<TokenRecord>,
    /// The Qovery organizations connected (their API tokens are in the
    /// keychain: `QoveryConnection::keychain_account`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qovery: Vec<QoveryConnection>,
}

/// A connected Qovery organization: metadata only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QoveryConnection {
    pub org_id: String,
    /// The organization's name, as Qovery gave it when connecting.
    pub name: String,
    /// Qovery's API base (`https://api.qovery.com`, or a loopback address).
    pub api_url: String,
}

impl QoveryConnection {
    /// The keychain account of this organization's API token, beside the
    /// tokens' `ID#N` accounts under the same service.
    pub fn keychain_account(&self) -> String {
        format!("qovery:{}", self.org_id)
    }
}

/// A local token's link to a git token of a connected Qovery organization:
/// where its value is pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QoveryLink {
    pub org_id: String,
    pub git_token_id: String,
    /// How many Qovery services used the git token when Tokenwarden last
    /// asked (link, push, `qovery tokens`): kept so that lists need no
    /// network.
    pub services_count: u32,
}

impl VaultData {
    /// Decodes a metadata file's bytes (`MetadataFile::load` reads them
    /// from disk and sets a corrupt file aside).
    pub fn decode(bytes: &[u8]) -> Decoded<VaultData> {
        jsonfile::decode_versioned(bytes, FORMAT_VERSION)
    }
}

impl Default for VaultData {
    fn default() -> Self {
        VaultData {
            version: FORMAT_VERSION,
            tokens: Vec::new(),
            qovery: Vec::new(),
        }
    }
}

/// A step of a multi-step change, written to the metadata file before the
/// keychain is touched, so that whatever point a crash stops at, the next
/// start can finish or undo it (`Vault::open` reconciles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Pending {
    /// The record is being added; its secret may or may not be stored yet.
    Add,
    /// A new value is being stored under `generation`.
    Replace { generation: u32 },
    /// The value under `generation` is superseded and must be deleted.
    Cleanup { generation: u32 },
    /// The record is being removed.
    Remove,
}

/// The outcome of the last check, kept to show between checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LastCheck {
    pub verdict: Verdict,
    pub ready: bool,
    pub missing: Vec<String>,
    pub unverified: Vec<String>,
    pub problems: Vec<Problem>,
}

impl From<&CheckReport> for LastCheck {
    fn from(report: &CheckReport) -> Self {
        LastCheck {
            verdict: report.verdict(),
            ready: report.ready,
            missing: report.missing.clone(),
            unverified: report.unverified.clone(),
            problems: report.problems.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub provider: ProviderKind,
    pub kind: Option<TokenKindId>,
    /// The web address as the user gave it, if any.
    pub host: Option<String>,
    pub api_url: String,
    pub org: Option<String>,
    pub repo: Option<String>,
    pub project: Option<String>,
    pub group: Option<String>,
    pub workspace: Option<String>,
    /// The absolute path of a PEM file with the server's private
    /// certificate authority (self-hosted servers); the path, not the
    /// contents: see `check/trust.rs`.
    #[serde(default)]
    pub ca_file: Option<String>,
    pub identity: Option<Identity>,
    pub scopes: Option<Vec<String>>,
    #[ts(type = "string | null")]
    pub expires_at: Option<DateTime<Utc>>,
    pub expiry: ExpirySource,
    /// A date the user entered, kept for providers that report none.
    #[ts(type = "string | null")]
    pub user_expires_at: Option<NaiveDate>,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
    #[ts(type = "string | null")]
    pub last_checked_at: Option<DateTime<Utc>>,
    pub last_check: Option<LastCheck>,
    /// Since when every check has failed to reach a verdict (a timeout, a
    /// rate limit, a server unreachable): the first of the failed checks in
    /// a row, `None` once a check gets an answer. The watcher alerts when
    /// it has lasted a day. Absent in files written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "string")]
    pub failing_since: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub rotated_at: Option<DateTime<Utc>>,
    /// The user chose to store it although it fell short.
    #[serde(default)]
    pub shortfall_accepted: bool,
    /// Which keychain entry holds the current value (bumped on replace).
    #[serde(default = "first_generation")]
    #[ts(skip)]
    pub generation: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(skip)]
    pub pending: Option<Pending>,
    /// The journal of a rotation's pushes: the keys of the destinations
    /// that do not have the current value yet (`crate::rotation`). Saved
    /// with the swap, struck off push by push.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(skip)]
    pub unpushed: Vec<String>,
    /// The Qovery git token this token's value is pushed to, if linked.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub qovery: Option<QoveryLink>,
}

fn first_generation() -> u32 {
    1
}

impl TokenRecord {
    /// Where the provider lets this token rotate itself (its kind offered,
    /// its known scopes allowing it): the expiry the new token would be
    /// given by default, keeping the old token's lifetime from `today`
    /// (`providers::keep_lifetime`).
    pub fn self_rotation_expiry(&self, today: NaiveDate) -> Option<NaiveDate> {
        let provider = crate::providers::get(self.provider);
        let rotation = provider.self_rotation()?;
        let kind = self.kind.unwrap_or(provider.default_kind());
        if !rotation.offers(kind)
            || self
                .scopes
                .as_deref()
                .is_some_and(|s| !rotation.may_self_rotate(s))
        {
            return None;
        }
        Some(crate::providers::keep_lifetime(
            self.rotated_at.unwrap_or(self.created_at),
            self.expires_at,
            today,
        ))
    }

    /// The keychain account holding the value of `generation`.
    pub fn keychain_account(&self, generation: u32) -> String {
        format!("{}#{generation}", self.id)
    }

    pub fn current_account(&self) -> String {
        self.keychain_account(self.generation)
    }

    /// Takes in what a check learned.
    pub fn absorb(&mut self, report: &CheckReport, at: DateTime<Utc>) {
        if report.authenticated {
            self.kind = report.kind.or(self.kind);
            self.identity = report.identity.clone().or(self.identity.take());
            if report.scopes.is_some() {
                self.scopes = report.scopes.clone();
            }
            self.expires_at = report.expires_at;
            self.expiry = report.expiry;
        }
        self.last_checked_at = Some(at);
        self.failing_since = match report.verdict() {
            // No answer about the token: the failure started at the first
            // failed check in a row.
            Verdict::Unchecked | Verdict::Usage => self.failing_since.or(Some(at)),
            Verdict::Ready | Verdict::FallsShort | Verdict::Unusable => None,
        };
        self.last_check = Some(LastCheck::from(report));
    }
}
