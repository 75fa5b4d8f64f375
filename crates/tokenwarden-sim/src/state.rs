//! The simulator's shared, mutable world: tokens, the resources they reach,
//! each provider's behaviour and the requests received.
//!
//! One `std::sync::Mutex` guards it all. Handlers hold it for a few map
//! look-ups and never across an `.await`, so a blocking mutex is simpler and
//! cheaper than an async one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::behaviour::Behaviour;
use crate::spec::{Provider, TokenKind, TokenSpec};

/// One request a listener received. The token value is never kept: only
/// whether a credential header (`Authorization`, or GitLab's `PRIVATE-TOKEN`)
/// was present; credential-looking query parameters are redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, e.g. `/api/v3/repos/o/r/pulls?per_page=1`.
    pub path: String,
    pub had_authorization: bool,
}

/// A registered token and what the provider keeps about it.
#[derive(Debug, Clone)]
pub(crate) struct TokenRecord {
    pub spec: TokenSpec,
    /// The provider's id of the token itself (GitLab's `id`).
    pub id: u64,
    pub created_at: DateTime<Utc>,
    pub revoked: bool,
}

impl TokenRecord {
    /// Usable now: neither revoked nor expired by the real clock.
    pub fn is_active(&self) -> bool {
        !self.revoked && !self.spec.is_expired_at(Utc::now())
    }
}

/// A named resource with a numeric id; names are matched case-insensitively
/// (as the providers do) and shown as registered.
#[derive(Debug, Clone)]
pub(crate) struct Named {
    pub name: String,
    pub id: u64,
}

/// The name registries [`State::add_named`] can write to.
#[derive(Debug, Clone, Copy)]
enum Registry {
    GithubRepos,
    GitlabProjects,
    GitlabGroups,
    BitbucketWorkspaces,
    BitbucketRepos,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    tokens: HashMap<String, TokenRecord>,
    /// Token values minted through the HTML pages, in order.
    minted: Vec<String>,
    /// (provider, lowercase login) -> user id.
    users: HashMap<(Provider, String), u64>,
    /// Lowercase `owner/name` -> repo.
    pub github_repos: BTreeMap<String, Named>,
    /// Lowercase org -> (org, lowercase member logins).
    pub github_orgs: BTreeMap<String, (Named, BTreeSet<String>)>,
    /// Lowercase path -> project / group.
    pub gitlab_projects: BTreeMap<String, Named>,
    pub gitlab_groups: BTreeMap<String, Named>,
    /// Lowercase slug -> workspace.
    pub bitbucket_workspaces: BTreeMap<String, Named>,
    /// Lowercase `workspace/slug` -> repo.
    pub bitbucket_repos: BTreeMap<String, Named>,
    /// GitHub's repository facts and account limits beyond names.
    pub github: crate::github::GithubWorld,
    behaviours: HashMap<Provider, Behaviour>,
    requests: HashMap<Provider, Vec<RecordedRequest>>,
    next_id: u64,
    /// GitLab's failed-authentication ban (`gitlab.rs`).
    pub gitlab_ban: GitlabBan,
    /// Qovery's organizations and git tokens (`qovery/`), under the same
    /// lock so that its validation can ask whether a value is a live token
    /// of the simulated provider.
    pub qovery: crate::qovery::QoveryWorld,
}

/// GitLab's failed-authentication ban: off unless a test sets `after`.
#[derive(Debug, Default)]
pub(crate) struct GitlabBan {
    /// Failed authentications (from the one client address) that trigger it.
    pub after: Option<u32>,
    pub failures: u32,
    pub until: Option<DateTime<Utc>>,
}

impl State {
    /// A fresh id, unique across everything the simulator numbers.
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        1000 + self.next_id
    }

    /// Registers `spec` under a new value and returns the value.
    pub fn add_token(&mut self, mut spec: TokenSpec) -> String {
        if spec.user_id == 0 {
            let key = (spec.provider, spec.login.to_ascii_lowercase());
            spec.user_id = match self.users.get(&key) {
                Some(id) => *id,
                None => {
                    let id = self.next_id();
                    self.users.insert(key, id);
                    id
                }
            };
        } else {
            self.users
                .entry((spec.provider, spec.login.to_ascii_lowercase()))
                .or_insert(spec.user_id);
        }
        let value = loop {
            let candidate = new_token_value(&spec);
            if !self.tokens.contains_key(&candidate) {
                break candidate;
            }
        };
        let id = self.next_id();
        self.tokens.insert(
            value.clone(),
            TokenRecord {
                spec,
                id,
                created_at: Utc::now(),
                revoked: false,
            },
        );
        value
    }

    pub fn record_minted(&mut self, value: &str) {
        self.minted.push(value.to_owned());
    }

    pub fn minted(&self) -> Vec<(String, TokenSpec)> {
        self.minted
            .iter()
            .filter_map(|v| self.tokens.get(v).map(|r| (v.clone(), r.spec.clone())))
            .collect()
    }

    /// Marks `value` revoked; false when no such token exists.
    pub fn revoke(&mut self, value: &str) -> bool {
        match self.tokens.get_mut(value) {
            Some(record) => {
                record.revoked = true;
                true
            }
            None => false,
        }
    }

    pub fn token(&self, value: &str) -> Option<&TokenRecord> {
        self.tokens.get(value)
    }

    /// The record of `value` if it is a usable token of `provider`.
    pub fn active_token(&self, provider: Provider, value: &str) -> Option<TokenRecord> {
        self.tokens
            .get(value)
            .filter(|r| r.spec.provider == provider && r.is_active())
            .cloned()
    }

    pub fn tokens(&self) -> impl Iterator<Item = &TokenRecord> {
        self.tokens.values()
    }

    /// Registers `name` in `map` with `id`, or with a fresh id (kept when
    /// the name is registered again).
    fn add_named(&mut self, which: Registry, name: &str, id: Option<u64>) {
        let key = name.to_ascii_lowercase();
        let existing = self.registry(which).get(&key).map(|n| n.id);
        let id = match id.or(existing) {
            Some(id) => id,
            None => self.next_id(),
        };
        let named = Named {
            name: name.to_owned(),
            id,
        };
        self.registry(which).insert(key, named);
    }

    fn registry(&mut self, which: Registry) -> &mut BTreeMap<String, Named> {
        match which {
            Registry::GithubRepos => &mut self.github_repos,
            Registry::GitlabProjects => &mut self.gitlab_projects,
            Registry::GitlabGroups => &mut self.gitlab_groups,
            Registry::BitbucketWorkspaces => &mut self.bitbucket_workspaces,
            Registry::BitbucketRepos => &mut self.bitbucket_repos,
        }
    }

    pub fn add_github_repo(&mut self, full_name: &str) {
        self.add_named(Registry::GithubRepos, full_name, None);
    }

    /// `org` exists with exactly these members.
    pub fn add_github_org(&mut self, org: &str, members: &[String]) {
        let key = org.to_ascii_lowercase();
        let id = match self.github_orgs.get(&key) {
            Some((named, _)) => named.id,
            None => self.next_id(),
        };
        let named = Named {
            name: org.to_owned(),
            id,
        };
        let members = members.iter().map(|m| m.to_ascii_lowercase()).collect();
        self.github_orgs.insert(key, (named, members));
    }

    pub fn add_gitlab_project(&mut self, path: &str, id: u64) {
        self.add_named(Registry::GitlabProjects, path, Some(id));
    }

    pub fn add_gitlab_group(&mut self, path: &str, id: u64) {
        self.add_named(Registry::GitlabGroups, path, Some(id));
    }

    pub fn add_bitbucket_workspace(&mut self, slug: &str) {
        self.add_named(Registry::BitbucketWorkspaces, slug, None);
    }

    /// Also registers the workspace when it is new.
    pub fn add_bitbucket_repo(&mut self, workspace: &str, slug: &str) {
        if !self
            .bitbucket_workspaces
            .contains_key(&workspace.to_ascii_lowercase())
        {
            self.add_bitbucket_workspace(workspace);
        }
        self.add_named(
            Registry::BitbucketRepos,
            &format!("{workspace}/{slug}"),
            None,
        );
    }

    pub fn behaviour(&self, provider: Provider) -> Behaviour {
        self.behaviours.get(&provider).cloned().unwrap_or_default()
    }

    pub fn behaviour_mut(&mut self, provider: Provider) -> &mut Behaviour {
        self.behaviours.entry(provider).or_default()
    }

    pub fn record_request(&mut self, provider: Provider, request: RecordedRequest) {
        self.requests.entry(provider).or_default().push(request);
    }

    pub fn requests(&self, provider: Provider) -> Vec<RecordedRequest> {
        self.requests.get(&provider).cloned().unwrap_or_default()
    }

    pub fn reset_requests(&mut self) {
        self.requests.clear();
    }
}

/// The mutex around [`State`], recovering from poisoning: a panicking test
/// thread must not turn every later request into a second panic.
#[derive(Debug, Default)]
pub(crate) struct Locked(Mutex<State>);

impl Locked {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A value shaped like the real provider's tokens of this kind.
fn new_token_value(spec: &TokenSpec) -> String {
    let prefix = spec
        .prefix_override
        .as_deref()
        .unwrap_or(spec.kind.default_prefix());
    let mut rng = rand::rng();
    let body = match spec.kind {
        TokenKind::GithubClassic => Alphanumeric.sample_string(&mut rng, 36),
        // Real fine-grained tokens: 22 characters, `_`, 59 characters.
        TokenKind::GithubFineGrained => format!(
            "{}_{}",
            Alphanumeric.sample_string(&mut rng, 22),
            Alphanumeric.sample_string(&mut rng, 59)
        ),
        // GitLab's routable form: URL-safe base64, `.`, a two-character
        // version, `.`, a base-36 checksum of 7 to 9 characters.
        TokenKind::GitlabPersonal | TokenKind::GitlabProject | TokenKind::GitlabGroup => {
            format!(
                "{}.01.{}",
                url_safe(27),
                random_alnum(9).to_ascii_lowercase()
            )
        }
        // Real access tokens: `ATCTT3xFfGN0`, URL-safe base64 with `_` and
        // `-`, then `=` and an 8-digit hexadecimal checksum; about 190
        // characters in all.
        TokenKind::BitbucketRepository | TokenKind::BitbucketWorkspace => {
            let hex: String = (0..8)
                .map(|_| char::from(b"0123456789ABCDEF"[rng.random_range(0..16)]))
                .collect();
            format!("{}={hex}", url_safe(169))
        }
    };
    format!("{prefix}{body}")
}

/// `len` characters of URL-safe base64, always including a `-` and a `_`
/// (so token values exercise both).
fn url_safe(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    let mut chars: Vec<char> = (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    if len >= 4 {
        chars[len / 3] = '-';
        chars[2 * len / 3] = '_';
    }
    chars.into_iter().collect()
}

/// A random alphanumeric string (SSO request ids, bot name suffixes).
pub(crate) fn random_alnum(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_values_have_the_real_shapes() {
        let mut state = State::default();
        let classic = state.add_token(TokenSpec::github_classic("u", &[]));
        assert!(classic.starts_with("ghp_") && classic.len() == 40);
        let fine = state.add_token(TokenSpec::github_fine_grained("u", &[], &[]));
        assert!(fine.starts_with("github_pat_") && fine.len() == 11 + 82);
        let gl = state.add_token(TokenSpec::gitlab(TokenKind::GitlabPersonal, "u", &[]));
        // The routable form: glpat-, 27 characters, `.01.`, 9 characters.
        assert!(
            gl.starts_with("glpat-") && gl.len() == 6 + 27 + 4 + 9,
            "{gl}"
        );
        assert_eq!(gl.split('.').nth(1), Some("01"));
        assert!(gl.contains('-') && gl.contains('_'));
        let bb = state.add_token(TokenSpec::bitbucket(
            TokenKind::BitbucketWorkspace,
            "w",
            &[],
            &[],
        ));
        assert!(bb.starts_with("ATCTT3xFfGN0") && bb.len() == 190, "{bb}");
        assert!(bb.contains('_') && bb[12..].contains('-') && bb.contains('='));
        let custom = state.add_token(
            TokenSpec::gitlab(TokenKind::GitlabPersonal, "u", &[]).prefix_override("acme-"),
        );
        assert!(custom.starts_with("acme-"));
    }

    #[test]
    fn the_same_login_keeps_its_user_id() {
        let mut state = State::default();
        let a = state.add_token(TokenSpec::github_classic("Octo", &[]));
        let b = state.add_token(TokenSpec::github_fine_grained("octo", &[], &[]));
        let c = state.add_token(TokenSpec::github_classic("other", &[]));
        let id = |v: &str| state.token(v).unwrap().spec.user_id;
        assert_eq!(id(&a), id(&b));
        assert_ne!(id(&a), id(&c));
    }
}
