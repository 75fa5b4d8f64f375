//! The vault's operations. Each change follows the journal discipline of
//! `vault/mod.rs`: metadata records the pending step, then the keychain
//! changes, then the step is cleared, with a crash point between each.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::binding::{seal, unseal, Binding, Unsealed};
use super::keychain::KeychainError;
use super::names::name_problem;
use super::record::{Pending, TokenRecord};
use super::view::{SecretState, TokenView};
use super::{Session, Vault, VaultError, VaultNotice};
use crate::check::limits;
use crate::check::{resolve_ca_file, CheckReport, CheckRequest, ExpirySource, Verdict};
use crate::endpoint;
use crate::model::ProviderKind;
use crate::providers;
use crate::secret::TokenSecret;
use crate::sync::LockExt;

/// What a self-rotation stages in the keychain before asking the provider:
/// not a token (recovery must never take it for one).
const PLACEHOLDER: &str = "tokenwarden-placeholder/1 (a self-rotation is under way)";
/// How often storing a self-rotated value is retried, and the first wait.
const STORE_RETRIES: u32 = 3;
const STORE_BACKOFF: std::time::Duration = std::time::Duration::from_millis(250);

/// A new value the provider issued that the keychain has not taken yet,
/// and the generation journaled for it.
pub(crate) struct Unstored {
    generation: u32,
    secret: TokenSecret,
}

/// Whether a keychain value is the self-rotation's placeholder.
fn is_placeholder(stored: TokenSecret) -> bool {
    match unseal(stored) {
        Ok(Unsealed::Bound(value, _) | Unsealed::Plain(value)) => value.expose() == PLACEHOLDER,
        Err(_) => false,
    }
}

/// A token to add: its name, and what to check it against.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub description: String,
    /// The web address as the user typed it, if any (kept for editing).
    pub host: Option<String>,
    pub request: CheckRequest,
}

#[derive(Debug, Clone)]
pub enum AddOutcome {
    Stored {
        token: Box<TokenView>,
        report: CheckReport,
    },
    /// Not stored: unusable, or short of requirements without consent.
    Refused { report: CheckReport },
}

/// Changes to a stored token; None leaves a field as it is.
#[derive(Debug, Default)]
pub struct TokenEdit {
    pub new_name: Option<String>,
    pub description: Option<String>,
    /// A new web address (`--host`) or exact API base (`--api-url`).
    pub host: Option<String>,
    pub api_url: Option<String>,
    /// A new private CA file for the server; an empty value removes it.
    pub ca_file: Option<String>,
    pub expires_at: Option<NaiveDate>,
    pub secret: Option<TokenSecret>,
    /// The API base the user confirmed this edit may send the stored value
    /// to (the app's native dialog), checked against the one the edit
    /// leads to before any secret is read. None: not asked (the CLI, where
    /// the user typed the address).
    pub confirmed_api_url: Option<String>,
}

#[derive(Debug, Clone)]
pub enum ReplaceOutcome {
    /// The new value is stored; the old one should now be revoked there.
    Replaced {
        token: Box<TokenView>,
        report: CheckReport,
        /// Where to revoke the old value (None: the provider already did).
        revoke_at: Option<String>,
    },
    /// The new value is not ready: nothing changed.
    Refused { report: CheckReport },
}

#[derive(Debug, Clone)]
pub struct CheckedToken {
    pub token: TokenView,
    /// None when the check could not run (secret missing, keychain locked).
    pub report: Option<CheckReport>,
    pub error: Option<String>,
}

impl TokenRecord {
    /// What to check this token against.
    pub fn check_request(&self) -> Result<CheckRequest, VaultError> {
        let api_url = endpoint::api_base_exact(&self.api_url)
            .map_err(|e| VaultError::Invalid(e.to_string()))?;
        Ok(CheckRequest {
            provider: self.provider,
            kind: self.kind,
            api_url,
            org: self.org.clone(),
            repo: self.repo.clone(),
            project: self.project.clone(),
            group: self.group.clone(),
            workspace: self.workspace.clone(),
            user_expires_at: self.user_expires_at,
            ca_file: self.ca_file.as_ref().map(PathBuf::from),
        })
    }

    /// The provider page where this token is managed (and revoked).
    pub fn tokens_page(&self) -> String {
        match self.check_request() {
            Ok(request) => providers::get(self.provider)
                .tokens_page(&request)
                .to_string(),
            Err(_) => self.api_url.clone(),
        }
    }
}

fn same_place(a: &TokenRecord, provider: ProviderKind, api_url: &str) -> bool {
    a.provider == provider && a.api_url.eq_ignore_ascii_case(api_url)
}

fn check_description(description: &str) -> Result<(), VaultError> {
    Ok(limits::within(
        "description",
        description,
        limits::DESCRIPTION,
    )?)
}

fn check_name(name: &str) -> Result<(), VaultError> {
    match name_problem(name) {
        Some(reason) => Err(VaultError::BadName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// How a caller names a stored token: the CLI by name (its contract), the
/// app's window by id. A name can be taken by another token (of another
/// provider, or after a rename) between the window reading the list and
/// the command; an id cannot. Each operation resolves its key once, under
/// the vault's lock, and works by the record's id from then on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKey<'a> {
    Name(&'a str),
    Id(&'a str),
}

impl<'a> From<&'a str> for TokenKey<'a> {
    fn from(name: &'a str) -> Self {
        TokenKey::Name(name)
    }
}

impl<'a> From<&'a String> for TokenKey<'a> {
    fn from(name: &'a String) -> Self {
        TokenKey::Name(name)
    }
}

impl Session<'_> {
    /// The index of the token `key` names: an unknown name is `NotFound`,
    /// an unknown id `Gone` (the window showed it; it was removed since).
    pub(crate) fn find_key(&self, key: TokenKey<'_>) -> Result<usize, VaultError> {
        match key {
            TokenKey::Name(name) => self.find(name),
            TokenKey::Id(id) => self.find_id(id),
        }
    }

    /// The index of the token with id `id`, or `Gone`.
    pub(crate) fn find_id(&self, id: &str) -> Result<usize, VaultError> {
        self.data
            .tokens
            .iter()
            .position(|t| t.id == id && t.pending != Some(Pending::Add))
            .ok_or_else(|| VaultError::Gone(id.to_owned()))
    }

    pub(crate) fn find(&self, name: &str) -> Result<usize, VaultError> {
        self.data
            .tokens
            .iter()
            .position(|t| t.name == name && t.pending != Some(Pending::Add))
            .ok_or_else(|| VaultError::NotFound(name.to_owned()))
    }

    fn name_taken(
        &self,
        name: &str,
        provider: ProviderKind,
        api_url: &str,
        except: Option<&str>,
    ) -> bool {
        self.data.tokens.iter().any(|t| {
            Some(t.id.as_str()) != except
                && t.name.eq_ignore_ascii_case(name)
                && same_place(t, provider, api_url)
        })
    }
}

/// Finishes or undoes what a crash interrupted (see `vault/mod.rs`).
/// A keychain that cannot be reached leaves the journal for next time.
pub(super) fn reconcile(session: &mut Session<'_>) -> Result<(), VaultError> {
    let store = session.vault.store.clone();
    let mut changed = false;
    let mut kept = Vec::with_capacity(session.data.tokens.len());
    for mut record in std::mem::take(&mut session.data.tokens) {
        if !record.unpushed.is_empty() {
            session.notices.push(VaultNotice::PushUnfinished {
                name: record.name.clone(),
                destinations: record.unpushed.clone(),
            });
        }
        let Some(pending) = record.pending else {
            kept.push(record);
            continue;
        };
        let outcome: Result<Option<&str>, KeychainError> = (|| match pending {
            // A step naming the value in use never deletes it. No crash
            // writes one (a replacement always goes to a new generation),
            // but a damaged or hand-edited file can, and the value would
            // be lost (found by fuzzing: fuzz/fuzz_targets/vault_open.rs).
            Pending::Replace { generation } | Pending::Cleanup { generation }
                if generation == record.generation =>
            {
                record.pending = None;
                Ok(Some(
                    "an interrupted change named the value in use; that value was kept.",
                ))
            }
            Pending::Add => {
                if store.exists(&record.current_account())? {
                    record.pending = None;
                    Ok(Some("its addition was interrupted and has been completed."))
                } else {
                    Ok(None)
                }
            }
            Pending::Replace { generation }
                if store.exists(&record.keychain_account(generation))?
                    && is_placeholder(store.get(&record.keychain_account(generation))?) =>
            {
                // A self-rotation stopped after staging: the provider may
                // have issued a new value that never reached the keychain.
                store.delete(&record.keychain_account(generation))?;
                record.pending = None;
                Ok(Some(
                    "a self-rotation was interrupted: GitLab may have issued a new value that was never stored, and then the stored value no longer works. Check the token; if it is revoked, create a new one.",
                ))
            }
            Pending::Replace { generation } => {
                if store.exists(&record.keychain_account(generation))? {
                    let old = record.generation;
                    record.generation = generation;
                    store.delete(&record.keychain_account(old))?;
                    record.pending = None;
                    Ok(Some(
                        "a replacement of its value was interrupted and has been completed.",
                    ))
                } else {
                    record.pending = None;
                    Ok(Some("a replacement of its value was interrupted before the new value was stored; the old value is kept."))
                }
            }
            Pending::Cleanup { generation } => {
                store.delete(&record.keychain_account(generation))?;
                record.pending = None;
                Ok(Some(
                    "the previous value left over by an interrupted replacement was deleted.",
                ))
            }
            Pending::Remove => {
                store.delete(&record.current_account())?;
                Ok(None)
            }
        })();
        match outcome {
            Ok(Some(what)) => {
                session.notices.push(VaultNotice::Recovered {
                    name: record.name.clone(),
                    what: what.into(),
                });
                changed = true;
                kept.push(record);
            }
            Ok(None) => {
                let what = if pending == Pending::Remove {
                    "its removal was interrupted and has been completed."
                } else {
                    "it was being added when Tokenwarden stopped, before its secret was stored; it was not saved. Add it again."
                };
                session.notices.push(VaultNotice::Recovered {
                    name: record.name.clone(),
                    what: what.into(),
                });
                changed = true;
            }
            // Leave the journal as it is: the next start tries again.
            Err(_) => kept.push(record),
        }
    }
    session.data.tokens = kept;
    if changed {
        session.save()?;
    }
    Ok(())
}

/// Settles the keychain writes that ended after their caller gave up
/// (`TimedStore`): an addition whose value landed is completed, one whose
/// write failed is dropped; a staged value that landed late is deleted by
/// the `Cleanup` step its change left.
pub(super) fn settle_late_writes(session: &mut Session<'_>) -> Result<(), VaultError> {
    let late = session.vault.store.late_writes();
    if late.is_empty() {
        return Ok(());
    }
    let store = session.vault.store.clone();
    let mut changed = false;
    for write in late {
        let Some(index) = session.data.tokens.iter().position(|t| {
            t.current_account() == write.account && t.pending == Some(Pending::Add)
                || matches!(t.pending, Some(Pending::Cleanup { generation })
                    if t.keychain_account(generation) == write.account)
        }) else {
            continue;
        };
        let record = &mut session.data.tokens[index];
        let name = record.name.clone();
        let what = match (record.pending, &write.outcome) {
            (Some(Pending::Add), Ok(())) => {
                record.pending = None;
                "the keychain answered late, and its addition has been completed."
            }
            (Some(Pending::Add), Err(_)) => {
                session.data.tokens.remove(index);
                "the keychain answered late and did not store it; it was not saved. Add it again."
            }
            (_, _) => {
                if store.delete(&write.account).is_err() {
                    continue; // the journal keeps it for the next start
                }
                record.pending = None;
                "a value the keychain stored after the change had given up was deleted."
            }
        };
        session.notices.push(VaultNotice::Recovered {
            name,
            what: what.into(),
        });
        changed = true;
    }
    if changed {
        session.save()?;
    }
    Ok(())
}

/// Deletes the keychain entries under the vault's service that no record
/// lists (a write that landed after a crash or a give-up), where the store
/// can list them (the Secret Service; elsewhere the journal alone keeps
/// them from happening). Only generations of this file's own tokens are
/// touched: another data folder may share the keychain service
/// (`TOKENWARDEN_DATA_DIR`), and a missing or set-aside `tokens.json`
/// must never cost the values it listed.
pub(super) fn sweep_orphans(session: &mut Session<'_>) {
    let store = &session.vault.store;
    if !store.lists_accounts() {
        return;
    }
    let Ok(accounts) = store.accounts() else {
        return; // asked again at the next start
    };
    let mut listed = std::collections::HashSet::new();
    for record in &session.data.tokens {
        listed.insert(record.current_account());
        if let Some(Pending::Replace { generation } | Pending::Cleanup { generation }) =
            record.pending
        {
            listed.insert(record.keychain_account(generation));
        }
    }
    let ours: std::collections::HashSet<&str> =
        session.data.tokens.iter().map(|t| t.id.as_str()).collect();
    let orphans: Vec<String> = accounts
        .into_iter()
        .filter(|account| {
            !listed.contains(account)
                && vault_account_id(account).is_some_and(|id| ours.contains(id))
        })
        .collect();
    let deleted = orphans
        .iter()
        .filter(|account| store.delete(account).is_ok())
        .count();
    if deleted > 0 {
        tracing::info!(deleted, "keychain entries no token lists were deleted");
        session.notices.push(VaultNotice::Recovered {
            name: "keychain".into(),
            what: format!(
                "{deleted} stored value(s) that no token listed (left by an interrupted change) were deleted."
            ),
        });
    }
}

/// The token id of `<id>#<generation>`, as `TokenRecord::keychain_account`
/// names entries.
fn vault_account_id(account: &str) -> Option<&str> {
    let (id, generation) = account.split_once('#')?;
    (!generation.is_empty() && generation.bytes().all(|b| b.is_ascii_digit())).then_some(id)
}

/// What the keychain's answer says about a token's secret.
fn secret_state(exists: Result<bool, KeychainError>) -> SecretState {
    match exists {
        Ok(true) => SecretState::Present,
        Ok(false) => SecretState::Missing,
        Err(_) => SecretState::Unknown,
    }
}

/// The refusal when `record`'s server is not the one its value is bound to.
fn server_changed(record: &TokenRecord, bound: &Binding, listed: &Binding) -> VaultError {
    VaultError::ServerChanged {
        name: record.name.clone(),
        listed: listed.describe(),
        stored: bound.describe(),
    }
}

impl Vault {
    /// Stores `secret` under `account`, bound to `binding` (`binding.rs`).
    fn put_bound(
        &self,
        account: &str,
        secret: &TokenSecret,
        binding: &Binding,
    ) -> Result<(), KeychainError> {
        self.store.put(account, &seal(secret, binding))
    }

    /// The current value of `record` and the server it is bound to (None
    /// for a value stored before values were bound).
    fn stored_secret(
        &self,
        record: &TokenRecord,
    ) -> Result<(TokenSecret, Option<Binding>), VaultError> {
        let stored = self.store.get(&record.current_account())?;
        match unseal(stored).map_err(|detail| KeychainError::Failed { detail })? {
            Unsealed::Bound(secret, binding) => Ok((secret, Some(binding))),
            Unsealed::Plain(secret) => Ok((secret, None)),
        }
    }

    /// The current value of `record`, only if it is bound to the server
    /// the record names: `tokens.json` alone never decides where a secret
    /// goes. A value stored before values were bound is bound to it now,
    /// at its first use, under the lock and only if no other change moved
    /// the token meanwhile.
    pub(crate) fn bound_secret(&self, record: &TokenRecord) -> Result<TokenSecret, VaultError> {
        let listed = Binding::of(record);
        match self.stored_secret(record)? {
            (secret, Some(bound)) if bound == listed => Ok(secret),
            (_, Some(bound)) => Err(server_changed(record, &bound, &listed)),
            (secret, None) => {
                let bound = self.locked(|s| {
                    let unchanged = s.data.tokens.iter().any(|t| {
                        t.id == record.id
                            && t.generation == record.generation
                            && t.pending.is_none()
                            && Binding::of(t) == listed
                    });
                    if unchanged {
                        self.put_bound(&record.current_account(), &secret, &listed)?;
                    }
                    Ok(())
                });
                if let Err(error) = bound {
                    // The value is still the user's and usable; binding is
                    // tried again at its next use.
                    tracing::warn!(name = %record.name, %error, "a stored value could not be bound to its server");
                }
                Ok(secret)
            }
        }
    }

    /// Refuses when the stored value of `record` is bound to another server
    /// than the record names, for a change that sends a value to the
    /// record's server without reading the stored one. A value that is
    /// missing, or stored before values were bound, has nothing to refuse.
    fn ensure_bound(&self, record: &TokenRecord) -> Result<(), VaultError> {
        match self.stored_secret(record) {
            Ok((_, Some(bound))) if bound != Binding::of(record) => {
                Err(server_changed(record, &bound, &Binding::of(record)))
            }
            Ok(_) | Err(VaultError::Keychain(KeychainError::Missing)) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// The page where a stored token is managed and revoked, built from its
    /// record only once that record's server is the one its value is bound
    /// to: an address written into `tokens.json` behind Tokenwarden's back
    /// is never opened.
    pub fn verified_tokens_page<'a>(
        &self,
        key: impl Into<TokenKey<'a>>,
    ) -> Result<String, VaultError> {
        let record = self.record(key)?;
        self.ensure_bound(&record)?;
        Ok(record.tokens_page())
    }

    fn view(&self, record: TokenRecord) -> TokenView {
        let secret = if record.pending.is_some() {
            SecretState::Unknown
        } else {
            secret_state(self.store.exists(&record.current_account()))
        };
        TokenView::new(record, secret, self.clock.now())
    }

    /// Whether a stored token's API is on the server of `api` (same scheme,
    /// host and port): a server this user already sends a token to.
    pub fn stores_server(&self, api: &url::Url) -> Result<bool, VaultError> {
        self.locked(|s| {
            Ok(s.data.tokens.iter().any(|t| {
                t.pending != Some(Pending::Add)
                    && url::Url::parse(&t.api_url).is_ok_and(|u| u.origin() == api.origin())
            }))
        })
    }

    /// Whether a stored token trusts the CA file at `path` (as stored: an
    /// absolute path). Metadata only.
    pub fn uses_ca_file(&self, path: &str) -> Result<bool, VaultError> {
        self.locked(|s| {
            Ok(s.data
                .tokens
                .iter()
                .any(|t| t.pending != Some(Pending::Add) && t.ca_file.as_deref() == Some(path)))
        })
    }

    /// The stored record with id `id` (what the app's window holds of a
    /// token: a name can change or be shared across providers, an id not).
    pub fn record_by_id(&self, id: &str) -> Result<TokenRecord, VaultError> {
        self.record(TokenKey::Id(id))
    }

    /// The stored record `key` names (a name, or an id), read under the
    /// lock: metadata only, without asking the keychain whether its secret
    /// is there (`show`).
    pub fn record<'a>(&self, key: impl Into<TokenKey<'a>>) -> Result<TokenRecord, VaultError> {
        let key = key.into();
        self.locked(|s| Ok(s.data.tokens[s.find_key(key)?].clone()))
    }

    /// The current value of a stored token, for a push to a destination.
    pub(crate) fn secret(&self, record: &TokenRecord) -> Result<TokenSecret, VaultError> {
        self.bound_secret(record)
    }

    /// Strikes a destination off the rotation's journal of the token with
    /// id `id`: it has the value.
    pub(crate) fn pushed(&self, id: &str, key: &str) -> Result<(), VaultError> {
        self.locked(|s| {
            let index = s.find_id(id)?;
            let token = &mut s.data.tokens[index];
            if token.unpushed.iter().any(|k| k == key) {
                token.unpushed.retain(|k| k != key);
                s.save()?;
            }
            Ok(())
        })
    }

    /// Every token, soonest expiry first (tokens that never expire last).
    pub fn list(&self) -> Result<Vec<TokenView>, VaultError> {
        let mut records = self.locked(|s| Ok(s.data.tokens.clone()))?;
        records.retain(|r| r.pending != Some(Pending::Add));
        records.sort_by(|a, b| match (a.expires_at, b.expires_at) {
            (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.name.cmp(&b.name)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.name.cmp(&b.name),
        });
        // One keychain query for all of them (see `SecretStore::exist_many`).
        let settled: Vec<String> = records
            .iter()
            .filter(|r| r.pending.is_none())
            .map(|r| r.current_account())
            .collect();
        // An empty list asks nothing: the first run's window need not wait
        // for the keychain to learn that no secret is missing.
        let mut present = if settled.is_empty() {
            Vec::new()
        } else {
            self.store.exist_many(&settled)
        }
        .into_iter();
        let now = self.clock.now();
        Ok(records
            .into_iter()
            .map(|record| {
                let secret = if record.pending.is_some() {
                    SecretState::Unknown
                } else {
                    secret_state(present.next().unwrap_or(Ok(false)))
                };
                TokenView::new(record, secret, now)
            })
            .collect())
    }

    /// One token by name. Names are unique per provider and host; when
    /// the same name exists on two hosts, the first is returned.
    pub fn show(&self, name: &str) -> Result<TokenView, VaultError> {
        let record = self.record(name)?;
        Ok(self.view(record))
    }

    /// Validates, then stores a token: the secret in the keychain, the
    /// metadata in the file. A token that falls short (or could not be
    /// checked) is stored only with `accept_shortfall`; an unusable one
    /// never.
    pub async fn add(
        &self,
        new: NewToken,
        secret: &TokenSecret,
        accept_shortfall: bool,
    ) -> Result<AddOutcome, VaultError> {
        check_name(&new.name)?;
        check_description(&new.description)?;
        let api_url = new
            .request
            .api_url
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        if self.locked(|s| Ok(s.name_taken(&new.name, new.request.provider, &api_url, None)))? {
            return Err(VaultError::NameTaken(new.name));
        }
        let report = self.checker.check(&new.request, secret).await;
        let storable = match report.verdict() {
            Verdict::Ready => true,
            Verdict::FallsShort | Verdict::Unchecked => accept_shortfall,
            Verdict::Unusable | Verdict::Usage => false,
        };
        if !storable {
            return Ok(AddOutcome::Refused { report });
        }
        let now = self.clock.now();
        let request = &new.request;
        let mut record = TokenRecord {
            id: uuid::Uuid::new_v4().to_string(),
            name: new.name.clone(),
            description: new.description,
            provider: request.provider,
            kind: request.kind,
            host: new.host,
            api_url,
            org: request.org.clone(),
            repo: request.repo.clone(),
            project: request.project.clone(),
            group: request.group.clone(),
            workspace: request.workspace.clone(),
            ca_file: request
                .ca_file
                .as_ref()
                .map(|path| path.display().to_string()),
            identity: None,
            scopes: None,
            expires_at: None,
            expiry: ExpirySource::Unknown,
            user_expires_at: request.user_expires_at,
            created_at: now,
            updated_at: now,
            last_checked_at: None,
            failing_since: None,
            last_check: None,
            rotated_at: None,
            shortfall_accepted: !report.ready,
            generation: 1,
            pending: Some(Pending::Add),
            qovery: None,
            unpushed: Vec::new(),
        };
        record.absorb(&report, now);
        let stored = self.locked(|s| {
            if s.name_taken(&record.name, record.provider, &record.api_url, None) {
                return Err(VaultError::NameTaken(record.name.clone()));
            }
            s.data.tokens.push(record.clone());
            s.save()?;
            self.faults.check("add:journaled")?;
            if let Err(e) = self.put_bound(&record.current_account(), secret, &Binding::of(&record))
            {
                // A write that timed out may still land: the record stays
                // journaled (and unlisted) until the keychain's worker
                // reports, or the next start finds out (`settle_late_writes`,
                // `reconcile`), so no secret is ever left that no record
                // lists.
                if !matches!(e, KeychainError::Timeout(_)) {
                    s.data.tokens.retain(|t| t.id != record.id);
                    s.save()?;
                }
                return Err(e.into());
            }
            self.faults.check("add:secret-stored")?;
            let index = s
                .data
                .tokens
                .iter()
                .position(|t| t.id == record.id)
                .expect("just added");
            s.data.tokens[index].pending = None;
            s.save()?;
            Ok(s.data.tokens[index].clone())
        })?;
        Ok(AddOutcome::Stored {
            token: Box::new(TokenView::new(stored, SecretState::Present, now)),
            report,
        })
    }

    /// Stores `secret` as the new value of the token at `index`: journaled
    /// under the next generation, then made current, then the old value
    /// deleted.
    fn replace_secret(
        &self,
        s: &mut Session<'_>,
        index: usize,
        secret: &TokenSecret,
        binding: &Binding,
    ) -> Result<(), VaultError> {
        let next = self.stage_secret(s, index, secret, binding)?;
        self.faults.check("replace:secret-stored")?;
        self.switch_generation(s, index, next)
    }

    /// Journals a replacement and stores `secret` under the next
    /// generation, leaving the current value in use. Returns that generation.
    fn stage_secret(
        &self,
        s: &mut Session<'_>,
        index: usize,
        secret: &TokenSecret,
        binding: &Binding,
    ) -> Result<u32, VaultError> {
        let next = s.data.tokens[index].generation + 1;
        s.data.tokens[index].pending = Some(Pending::Replace { generation: next });
        s.save()?;
        self.faults.check("replace:journaled")?;
        let account = s.data.tokens[index].keychain_account(next);
        if let Err(e) = self.put_bound(&account, secret, binding) {
            // A write that timed out may still land: journaled as a value
            // to delete, never as one to use.
            s.data.tokens[index].pending = match e {
                KeychainError::Timeout(_) => Some(Pending::Cleanup { generation: next }),
                _ => None,
            };
            s.save()?;
            return Err(e.into());
        }
        Ok(next)
    }

    /// Makes generation `next` current, then deletes the old value.
    fn switch_generation(
        &self,
        s: &mut Session<'_>,
        index: usize,
        next: u32,
    ) -> Result<(), VaultError> {
        let old = s.data.tokens[index].generation;
        s.data.tokens[index].generation = next;
        s.data.tokens[index].pending = Some(Pending::Cleanup { generation: old });
        s.save()?;
        self.faults.check("replace:switched")?;
        // The new value is in place; failing to delete the old one only
        // leaves the journal entry for the next start to finish.
        if self
            .store
            .delete(&s.data.tokens[index].keychain_account(old))
            .is_ok()
        {
            s.data.tokens[index].pending = None;
            s.save()?;
        }
        Ok(())
    }

    /// The expiry a self-rotation of `name` sends when none is given
    /// (`TokenRecord::self_rotation_expiry`), or None where the token
    /// cannot rotate itself.
    pub fn self_rotation_expiry<'a>(
        &self,
        key: impl Into<TokenKey<'a>>,
    ) -> Result<Option<NaiveDate>, VaultError> {
        let record = self.record(key)?;
        Ok(record.self_rotation_expiry(self.clock.now().date_naive()))
    }

    /// For providers that offer it (GitLab's personal, project and group
    /// access tokens): asks the provider for a new value of the stored
    /// token (it revokes the old one itself), to expire on `expires_at` or
    /// by default on `self_rotation_expiry` (always sent), stores it and
    /// checks it.
    pub async fn rotate_self<'a>(
        &self,
        key: impl Into<TokenKey<'a>>,
        expires_at: Option<NaiveDate>,
    ) -> Result<ReplaceOutcome, VaultError> {
        let record = self.record(key)?;
        let id = record.id.as_str();
        // A value GitLab already issued that the keychain refused earlier is
        // stored now, without asking GitLab again (the stored value is
        // revoked: GitLab would refuse it).
        let held = self.unstored.lock_or_recover().remove(&record.id);
        if let Some(held) = held {
            return self.finish_self_rotation(&record, held).await;
        }
        let provider = providers::get(record.provider);
        let Some(rotation) = provider
            .self_rotation()
            .filter(|r| r.offers(record.kind.unwrap_or(provider.default_kind())))
        else {
            return Err(VaultError::Invalid(
                "Only GitLab's personal, project and group access tokens can rotate themselves: create a new token and use `tokenwarden rotate`.".into(),
            ));
        };
        let today = self.clock.now().date_naive();
        let expires_at = match expires_at {
            Some(date) if date <= today => {
                return Err(VaultError::Invalid(format!(
                    "The new expiry ({date}) must be after today."
                )))
            }
            Some(date) => date,
            None => providers::keep_lifetime(
                record.rotated_at.unwrap_or(record.created_at),
                record.expires_at,
                today,
            ),
        };
        if record
            .scopes
            .as_deref()
            .is_some_and(|s| !rotation.may_self_rotate(s))
        {
            return Err(VaultError::Invalid(
                providers::SelfRotateError::NotAllowed.to_string(),
            ));
        }
        let current = self.bound_secret(&record)?;
        let request = record.check_request()?;
        let binding = Binding::of(&record);
        // Stage first, with a placeholder that is not a token: this proves
        // the keychain takes a write *before* GitLab revokes the current
        // value, after which the new one exists only in this process. Should
        // the new value never replace it, recovery knows the placeholder
        // and never promotes it (a copy of the old value, as this once
        // staged, would have been promoted: GitLab has revoked it by then).
        let next = self.locked(|s| {
            let index = s.find_id(id)?;
            self.stage_secret(s, index, &TokenSecret::new(PLACEHOLDER), &binding)
        })?;
        let undo = |vault: &Vault| {
            vault.locked(|s| {
                let index = s.find_id(id)?;
                let _ = vault
                    .store
                    .delete(&s.data.tokens[index].keychain_account(next));
                s.data.tokens[index].pending = None;
                s.save()
            })
        };
        let http = match self.checker.http_for(&request) {
            Ok(http) => http,
            Err(error) => {
                undo(self)?;
                return Err(VaultError::Invalid(error.to_string()));
            }
        };
        let new = match rotation.rotate(&http, &request, &current, expires_at).await {
            Ok(new) => new,
            Err(error) => {
                undo(self)?;
                return Err(VaultError::Invalid(error.to_string()));
            }
        };
        drop(current);
        self.finish_self_rotation(
            &record,
            Unstored {
                generation: next,
                secret: new,
            },
        )
        .await
    }

    /// Stores the value GitLab issued, retrying a keychain that refuses
    /// (GitLab has revoked the stored value: this one must not be lost),
    /// then checks it and makes it current. If the keychain still refuses,
    /// the value is held by the vault for the next `rotate_self` of the
    /// token, and the user is told GitLab already rotated it.
    async fn finish_self_rotation(
        &self,
        record: &TokenRecord,
        held: Unstored,
    ) -> Result<ReplaceOutcome, VaultError> {
        let binding = Binding::of(record);
        let mut attempt = 0;
        let generation = loop {
            match self.store_held(record, &held, &binding) {
                Ok(generation) => break generation,
                Err(error) if attempt < STORE_RETRIES => {
                    tracing::warn!(name = %record.name, %error, attempt, "the keychain refused a self-rotated value; retrying");
                    tokio::time::sleep(STORE_BACKOFF * 2u32.pow(attempt)).await;
                    attempt += 1;
                }
                Err(error) => {
                    let reason = error.to_string();
                    self.unstored
                        .lock_or_recover()
                        .insert(record.id.clone(), held);
                    return Err(VaultError::RotatedNotStored {
                        name: record.name.clone(),
                        reason,
                    });
                }
            }
        };
        let report = self
            .checker
            .check(&record.check_request()?, &held.secret)
            .await;
        let now = self.clock.now();
        let updated = self.locked(|s| {
            let index = s
                .data
                .tokens
                .iter()
                .position(|t| t.id == record.id)
                .ok_or_else(|| VaultError::NotFound(record.name.clone()))?;
            self.switch_generation(s, index, generation)?;
            let token = &mut s.data.tokens[index];
            token.absorb(&report, now);
            token.rotated_at = Some(now);
            token.updated_at = now;
            s.save()?;
            Ok(s.data.tokens[index].clone())
        })?;
        Ok(ReplaceOutcome::Replaced {
            token: Box::new(TokenView::new(updated, SecretState::Present, now)),
            report,
            revoke_at: None,
        })
    }

    /// Puts a held value in the keychain under the generation its journal
    /// names, or, if that journal step is gone (another process's recovery
    /// cleared it), under a newly journaled one. Returns the generation.
    fn store_held(
        &self,
        record: &TokenRecord,
        held: &Unstored,
        binding: &Binding,
    ) -> Result<u32, VaultError> {
        self.locked(|s| {
            let index = s
                .data
                .tokens
                .iter()
                .position(|t| t.id == record.id)
                .ok_or_else(|| VaultError::NotFound(record.name.clone()))?;
            let token = &s.data.tokens[index];
            let journaled = token.pending
                == Some(Pending::Replace {
                    generation: held.generation,
                })
                && token.generation + 1 == held.generation;
            if journaled {
                let account = token.keychain_account(held.generation);
                self.put_bound(&account, &held.secret, binding)?;
                Ok(held.generation)
            } else {
                self.stage_secret(s, index, &held.secret, binding)
            }
        })
    }

    /// Replaces a token's value with a new one, only if the new one is
    /// ready; records the time of rotation. The whole rotation, pushes to
    /// destinations included, is `crate::rotation::rotate`.
    pub async fn rotate<'a>(
        &self,
        key: impl Into<TokenKey<'a>>,
        secret: &TokenSecret,
    ) -> Result<ReplaceOutcome, VaultError> {
        self.rotate_journaled(key.into(), secret, Vec::new()).await
    }

    /// `rotate`, saving with the swap the keys of the destinations the new
    /// value must still be pushed to (the rotation's journal).
    pub(crate) async fn rotate_journaled(
        &self,
        key: TokenKey<'_>,
        secret: &TokenSecret,
        unpushed: Vec<String>,
    ) -> Result<ReplaceOutcome, VaultError> {
        let record = self.record(key)?;
        // The new value goes to the server the old one is bound to.
        self.ensure_bound(&record)?;
        let report = self.checker.check(&record.check_request()?, secret).await;
        if !report.ready {
            return Ok(ReplaceOutcome::Refused { report });
        }
        let now = self.clock.now();
        let updated = self.locked(|s| {
            // By id: a rename meanwhile (of this token, or of another into
            // its name) does not change which token the value replaces.
            let index = s.find_id(&record.id)?;
            self.replace_secret(s, index, secret, &Binding::of(&record))?;
            let token = &mut s.data.tokens[index];
            token.absorb(&report, now);
            token.rotated_at = Some(now);
            token.updated_at = now;
            token.shortfall_accepted = false;
            token.unpushed = unpushed;
            s.save()?;
            Ok(s.data.tokens[index].clone())
        })?;
        let revoke_at = Some(updated.tokens_page());
        Ok(ReplaceOutcome::Replaced {
            token: Box::new(TokenView::new(updated, SecretState::Present, now)),
            report,
            revoke_at,
        })
    }

    /// Edits name, description, address or user-entered expiry, and
    /// optionally the value. A new value or a new address is re-checked,
    /// and a new value replaces the old one only if it is ready.
    pub async fn edit(
        &self,
        name: &str,
        edit: TokenEdit,
    ) -> Result<(TokenView, Option<CheckReport>), VaultError> {
        let id = self.record(name)?.id;
        self.edit_by_id(&id, edit).await
    }

    /// `edit` of the token with id `id`. With `edit.confirmed_api_url`,
    /// the address the edit leads to must be that one, or nothing is read
    /// from the keychain and nothing is sent: what the user confirmed is
    /// what happens, whatever changed in between.
    pub async fn edit_by_id(
        &self,
        id: &str,
        edit: TokenEdit,
    ) -> Result<(TokenView, Option<CheckReport>), VaultError> {
        let mut record = self.record_by_id(id)?;
        let original = record.clone();
        let name = original.name.as_str();
        let id = record.id.clone();
        if let Some(new_name) = &edit.new_name {
            check_name(new_name)?;
            record.name = new_name.clone();
        }
        if let Some(description) = &edit.description {
            check_description(description)?;
            record.description = description.clone();
        }
        let moved = edit.host.is_some() || edit.api_url.is_some() || edit.ca_file.is_some();
        if let Some(host) = &edit.host {
            let api = endpoint::api_base_from_host(record.provider, host)
                .map_err(|e| VaultError::Invalid(e.to_string()))?;
            record.api_url = api.as_str().trim_end_matches('/').to_owned();
            record.host = Some(host.clone());
        } else if let Some(api) = &edit.api_url {
            let api =
                endpoint::api_base_exact(api).map_err(|e| VaultError::Invalid(e.to_string()))?;
            record.api_url = api.as_str().trim_end_matches('/').to_owned();
            record.host = None;
        }
        if let Some(ca_file) = &edit.ca_file {
            limits::within("CA certificate file path", ca_file, limits::CA_FILE)?;
            record.ca_file = match ca_file.trim() {
                "" => None,
                path => Some(
                    resolve_ca_file(path)
                        .map_err(|e| VaultError::Invalid(e.to_string()))?
                        .display()
                        .to_string(),
                ),
            };
        }
        if let Some(date) = edit.expires_at {
            record.user_expires_at = Some(date);
            if record.expiry != ExpirySource::Provider {
                record.expires_at = Some(crate::check::start_of_day_utc(date));
                record.expiry = ExpirySource::User;
            }
        }
        if let Some(confirmed) = &edit.confirmed_api_url {
            if confirmed.trim_end_matches('/') != record.api_url.trim_end_matches('/') {
                return Err(VaultError::Invalid(format!(
                    "“{name}” would be checked at {}, not at the address you confirmed ({confirmed}); nothing was changed or sent. Edit it again.",
                    record.api_url
                )));
            }
        }
        // A value is about to be sent (a new one, or the stored one to a
        // new server): what this edit does not set of the server comes from
        // tokens.json, and must be what the stored value is bound to.
        let current = if edit.secret.is_some() || moved {
            self.edit_target_is_bound(&original, &edit)?
        } else {
            None
        };
        let report = match (&edit.secret, &current) {
            (Some(secret), _) => Some(self.checker.check(&record.check_request()?, secret).await),
            (None, Some(current)) => {
                Some(self.checker.check(&record.check_request()?, current).await)
            }
            (None, None) => None,
        };
        if let (Some(report), Some(_)) = (&report, &edit.secret) {
            if !report.ready {
                return Err(VaultError::NotReady(
                    report
                        .problems
                        .iter()
                        .filter(|p| !p.code.is_warning())
                        .map(|p| p.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ));
            }
        }
        let now = self.clock.now();
        let saved = self.locked(|s| {
            let index = s
                .data
                .tokens
                .iter()
                .position(|t| t.id == id)
                .ok_or_else(|| VaultError::NotFound(name.to_owned()))?;
            if s.name_taken(&record.name, record.provider, &record.api_url, Some(&id)) {
                return Err(VaultError::NameTaken(record.name.clone()));
            }
            if s.data.tokens[index].generation != original.generation {
                return Err(VaultError::Invalid(format!(
                    "“{name}” was changed by another Tokenwarden process meanwhile; nothing was saved. Try again."
                )));
            }
            // The value is stored again, bound to the server it now belongs
            // to, under a new generation (journaled like any replacement).
            let binding = Binding::of(&record);
            match (&edit.secret, &current) {
                (Some(secret), _) => self.replace_secret(s, index, secret, &binding)?,
                (None, Some(current)) if moved => {
                    self.replace_secret(s, index, current, &binding)?
                }
                _ => {}
            }
            let generation = s.data.tokens[index].generation;
            let token = &mut s.data.tokens[index];
            *token = TokenRecord {
                generation,
                pending: None,
                updated_at: now,
                ..record.clone()
            };
            if let Some(report) = &report {
                token.absorb(report, now);
            }
            s.save()?;
            Ok(s.data.tokens[index].clone())
        })?;
        Ok((self.view(saved), report))
    }

    /// For an edit that sends a value: refuses when the part of the server
    /// the edit keeps from tokens.json (the address, the CA file) is not the
    /// one the stored value is bound to. Returns the stored value where the
    /// edit sends it (a new server, no new value).
    fn edit_target_is_bound(
        &self,
        original: &TokenRecord,
        edit: &TokenEdit,
    ) -> Result<Option<TokenSecret>, VaultError> {
        let stored = match self.stored_secret(original) {
            Ok(stored) => stored,
            // A new value for one that went missing: nothing to compare.
            Err(VaultError::Keychain(KeychainError::Missing)) if edit.secret.is_some() => {
                return Ok(None)
            }
            Err(error) => return Err(error),
        };
        let (value, bound) = stored;
        if let Some(bound) = bound {
            let listed = Binding::of(original);
            let keeps_address = edit.host.is_none() && edit.api_url.is_none();
            let keeps_ca = edit.ca_file.is_none();
            if (keeps_address && bound.origin != listed.origin)
                || (keeps_ca && bound.ca_file != listed.ca_file)
            {
                return Err(server_changed(original, &bound, &listed));
            }
        }
        Ok(edit.secret.is_none().then_some(value))
    }

    /// Re-checks one token, or all of them concurrently, and records the
    /// results.
    pub async fn check(&self, name: Option<&str>) -> Result<Vec<CheckedToken>, VaultError> {
        self.check_key(name.map(TokenKey::Name)).await
    }

    /// `check` of the token `key` names (a name or an id), or of all.
    #[tracing::instrument(level = "info", skip_all, fields(token = ?key), err(Display))]
    pub async fn check_key(
        &self,
        key: Option<TokenKey<'_>>,
    ) -> Result<Vec<CheckedToken>, VaultError> {
        let records = self.locked(|s| match key {
            Some(key) => Ok(vec![s.data.tokens[s.find_key(key)?].clone()]),
            None => Ok(s
                .data
                .tokens
                .iter()
                .filter(|t| t.pending.is_none())
                .cloned()
                .collect()),
        })?;
        let mut runnable = Vec::new();
        let mut failed = Vec::new();
        for record in records {
            // Only a value bound to the server the record names is sent.
            match (self.bound_secret(&record), record.check_request()) {
                (Ok(secret), Ok(request)) => runnable.push((record, request, secret)),
                (Err(VaultError::Keychain(e)), _) => {
                    // The secret is gone, or the keychain could not be asked.
                    let secret = if e == KeychainError::Missing {
                        SecretState::Missing
                    } else {
                        SecretState::Unknown
                    };
                    failed.push((record, secret, e.to_string()));
                }
                (Err(e), _) => {
                    tracing::warn!(name = %record.name, "not checked: its listed server is not the one its secret is bound to");
                    failed.push((record, SecretState::Present, e.to_string()));
                }
                (_, Err(e)) => failed.push((record, SecretState::Unknown, e.to_string())),
            }
        }
        let items: Vec<_> = runnable
            .iter()
            .map(|(_, request, secret)| (request.clone(), secret))
            .collect();
        let reports = self.checker.check_many(&items).await;
        drop(items);
        let now = self.clock.now();
        let ids: Vec<(String, CheckReport)> = runnable
            .into_iter()
            .map(|(record, _, _secret)| record.id)
            .zip(reports)
            .collect();
        let saved = self.locked(|s| {
            for (id, report) in &ids {
                if let Some(token) = s.data.tokens.iter_mut().find(|t| &t.id == id) {
                    token.absorb(report, now);
                }
            }
            s.save()?;
            Ok(s.data.tokens.clone())
        })?;
        let find = |id: &str| saved.iter().find(|t| t.id == id).cloned();
        let mut out = Vec::new();
        for (id, report) in ids {
            if let Some(record) = find(&id) {
                out.push(CheckedToken {
                    token: TokenView::new(record, SecretState::Present, now),
                    report: Some(report),
                    error: None,
                });
            }
        }
        for (record, secret, error) in failed {
            out.push(CheckedToken {
                token: TokenView::new(record, secret, now),
                report: None,
                error: Some(error),
            });
        }
        Ok(out)
    }

    /// Removes a token: its keychain entry and its metadata.
    pub fn remove<'a>(&self, key: impl Into<TokenKey<'a>>) -> Result<TokenRecord, VaultError> {
        let key = key.into();
        self.locked(|s| {
            let index = s.find_key(key)?;
            s.data.tokens[index].pending = Some(Pending::Remove);
            s.save()?;
            self.faults.check("remove:journaled")?;
            let account = s.data.tokens[index].current_account();
            if let Err(e) = self.store.delete(&account) {
                s.data.tokens[index].pending = None;
                s.save()?;
                return Err(e.into());
            }
            self.faults.check("remove:secret-deleted")?;
            let mut record = s.data.tokens.remove(index);
            s.save()?;
            record.pending = None;
            Ok(record)
        })
    }
}
