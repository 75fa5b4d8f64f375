//! What a simulated token is: its provider, kind, owner and grants.
//!
//! A [`TokenSpec`] is plain data (serialisable, so the admin API can take it
//! as JSON) and the simulator derives every answer from it, so a test states
//! the token it wants in one expression and the HTTP behaviour follows.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The three simulated providers; each has its own listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Github,
    Gitlab,
    Bitbucket,
}

impl Provider {
    /// All providers, in listener order.
    pub const ALL: [Provider; 3] = [Provider::Github, Provider::Gitlab, Provider::Bitbucket];

    /// The path prefix of the provider's REST API on its listener: the
    /// behaviour middleware applies to these paths only.
    pub fn api_prefix(self) -> &'static str {
        match self {
            Provider::Github => "/api/v3",
            Provider::Gitlab => "/api/v4",
            Provider::Bitbucket => "/2.0",
        }
    }
}

/// The kinds of token the simulator knows. Serialised in kebab-case
/// (`"github-fine-grained"`, `"gitlab-project"`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenKind {
    GithubClassic,
    GithubFineGrained,
    GitlabPersonal,
    GitlabProject,
    GitlabGroup,
    BitbucketRepository,
    BitbucketWorkspace,
}

impl TokenKind {
    /// The provider that issues this kind of token.
    pub fn provider(self) -> Provider {
        match self {
            TokenKind::GithubClassic | TokenKind::GithubFineGrained => Provider::Github,
            TokenKind::GitlabPersonal | TokenKind::GitlabProject | TokenKind::GitlabGroup => {
                Provider::Gitlab
            }
            TokenKind::BitbucketRepository | TokenKind::BitbucketWorkspace => Provider::Bitbucket,
        }
    }

    /// The prefix real tokens of this kind start with.
    pub fn default_prefix(self) -> &'static str {
        match self {
            TokenKind::GithubClassic => "ghp_",
            TokenKind::GithubFineGrained => "github_pat_",
            TokenKind::GitlabPersonal | TokenKind::GitlabProject | TokenKind::GitlabGroup => {
                "glpat-"
            }
            TokenKind::BitbucketRepository | TokenKind::BitbucketWorkspace => "ATCTT3xFfGN0",
        }
    }
}

/// Everything the simulator needs to answer for one token.
///
/// Build one with the constructors ([`TokenSpec::github_classic`], ...) and
/// the chainable setters; fields are public so tests can tweak anything.
/// Every field but `provider` and `kind` may be omitted in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSpec {
    pub provider: Provider,
    pub kind: TokenKind,
    /// GitHub login / GitLab username (the bot's for project and group
    /// tokens); unused for Bitbucket.
    #[serde(default)]
    pub login: String,
    /// The user's numeric id. 0 means "assign one": `add_token` gives every
    /// distinct (provider, login) its own id and reuses it for later tokens of
    /// the same user, so GitLab membership lookups line up.
    #[serde(default)]
    pub user_id: u64,
    /// The token's own name (GitHub: note/name; GitLab: name; Bitbucket: name).
    #[serde(default)]
    pub name: String,
    /// Classic GitHub, GitLab and Bitbucket scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Fine-grained GitHub permissions: `"contents" -> "read"`,
    /// `"pull_requests" -> "write"`, `"repository_hooks" -> "write"`,
    /// `"members" -> "read"` (levels `read`, `write`, `admin`).
    #[serde(default)]
    pub permissions: BTreeMap<String, String>,
    /// Fine-grained GitHub: the `owner/name` repositories it was given.
    /// Bitbucket repository token: the `workspace/slug` it belongs to.
    #[serde(default)]
    pub repositories: Vec<String>,
    /// When the token stops working (real clock). GitLab uses only the date
    /// part: such a token stops at 00:00 UTC on that date, as GitLab's do.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// The form of GitHub's expiry header: `None` gives
    /// `YYYY-MM-DD HH:MM:SS UTC`; `Some(540)` gives the local time at that
    /// offset with a numeric zone (`+0900`).
    #[serde(default)]
    pub expiry_offset_minutes: Option<i32>,
    /// GitHub: this organization enforces SAML SSO and the token is NOT
    /// authorized for it.
    #[serde(default)]
    pub sso_org: Option<String>,
    /// GitHub fine-grained: awaiting this organization's approval.
    #[serde(default)]
    pub pending_org: Option<String>,
    /// GitLab: the project or group path the user (bot) is a member of.
    /// Bitbucket: the workspace slug. GitHub fine-grained tokens minted
    /// through the page: the resource owner (`target_name`).
    #[serde(default)]
    pub target: Option<String>,
    /// GitLab: the user's access level on `target` (10, 20, 30, 40, 50).
    /// When `target` is set but this is not, 40 (Maintainer) is assumed.
    #[serde(default)]
    pub access_level: Option<u32>,
    /// Replaces the kind's usual prefix (self-managed GitLab can change it).
    #[serde(default)]
    pub prefix_override: Option<String>,
    /// Bitbucket: answers carry no `x-oauth-scopes` header (the scopes are
    /// then unknown to the caller).
    #[serde(default)]
    pub no_scopes_header: bool,
}

/// The name given to tokens whose builder did not set one.
pub const DEFAULT_TOKEN_NAME: &str = "sim-token";

impl TokenSpec {
    /// A bare spec of `kind`: every grant empty, no expiry.
    pub fn new(kind: TokenKind, login: &str) -> Self {
        TokenSpec {
            provider: kind.provider(),
            kind,
            login: login.to_owned(),
            user_id: 0,
            name: DEFAULT_TOKEN_NAME.to_owned(),
            scopes: Vec::new(),
            permissions: BTreeMap::new(),
            repositories: Vec::new(),
            expires_at: None,
            expiry_offset_minutes: None,
            sso_org: None,
            pending_org: None,
            target: None,
            access_level: None,
            prefix_override: None,
            no_scopes_header: false,
        }
    }

    /// A classic GitHub personal access token with these scopes.
    pub fn github_classic(login: &str, scopes: &[&str]) -> Self {
        TokenSpec {
            scopes: strings(scopes),
            ..TokenSpec::new(TokenKind::GithubClassic, login)
        }
    }

    /// A fine-grained GitHub personal access token given `repos`
    /// (`owner/name`) with `permissions` such as `("contents", "read")`.
    pub fn github_fine_grained(login: &str, repos: &[&str], permissions: &[(&str, &str)]) -> Self {
        TokenSpec {
            repositories: strings(repos),
            permissions: permissions
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..TokenSpec::new(TokenKind::GithubFineGrained, login)
        }
    }

    /// A GitLab personal, project or group access token. For project and
    /// group tokens `login` is the bot's username; set its membership with
    /// [`TokenSpec::target`].
    ///
    /// # Panics
    /// If `kind` is not a GitLab kind (a test bug).
    pub fn gitlab(kind: TokenKind, login: &str, scopes: &[&str]) -> Self {
        assert_eq!(
            kind.provider(),
            Provider::Gitlab,
            "{kind:?} is not a GitLab token kind"
        );
        TokenSpec {
            scopes: strings(scopes),
            ..TokenSpec::new(kind, login)
        }
    }

    /// A Bitbucket repository or workspace access token of `workspace`.
    /// `repos` may be given as `slug` or `workspace/slug`; they are stored
    /// as `workspace/slug`.
    ///
    /// # Panics
    /// If `kind` is not a Bitbucket kind (a test bug).
    pub fn bitbucket(kind: TokenKind, workspace: &str, repos: &[&str], scopes: &[&str]) -> Self {
        assert_eq!(
            kind.provider(),
            Provider::Bitbucket,
            "{kind:?} is not a Bitbucket token kind"
        );
        TokenSpec {
            scopes: strings(scopes),
            repositories: repos
                .iter()
                .map(|r| {
                    if r.contains('/') {
                        (*r).to_owned()
                    } else {
                        format!("{workspace}/{r}")
                    }
                })
                .collect(),
            target: Some(workspace.to_owned()),
            ..TokenSpec::new(kind, "")
        }
    }

    /// Expires at `at` (see the field's doc for GitLab's date rule).
    pub fn expires_at(mut self, at: DateTime<Utc>) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// GitHub's expiry header in local time at this offset (`+0900` for 540).
    pub fn expiry_offset_minutes(mut self, minutes: i32) -> Self {
        self.expiry_offset_minutes = Some(minutes);
        self
    }

    /// GitHub: `org` enforces SAML SSO and this token is not authorized for it.
    pub fn sso_org(mut self, org: &str) -> Self {
        self.sso_org = Some(org.to_owned());
        self
    }

    /// GitHub fine-grained: awaiting `org`'s approval.
    pub fn pending_org(mut self, org: &str) -> Self {
        self.pending_org = Some(org.to_owned());
        self
    }

    /// GitLab: the user is a member of project or group `path` at
    /// `access_level`. (Bitbucket: sets the workspace; the level is ignored.)
    pub fn target(mut self, path: &str, access_level: u32) -> Self {
        self.target = Some(path.to_owned());
        self.access_level = Some(access_level);
        self
    }

    /// The token's own name.
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// A fixed user id instead of an assigned one.
    pub fn user_id(mut self, id: u64) -> Self {
        self.user_id = id;
        self
    }

    /// A prefix other than the kind's usual one.
    pub fn prefix_override(mut self, prefix: &str) -> Self {
        self.prefix_override = Some(prefix.to_owned());
        self
    }

    /// Whether the token has stopped working at `now`, by the provider's rule.
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        match self.expires_at {
            None => false,
            // GitLab stores a date; the token stops at 00:00 UTC on that date.
            Some(at) if self.provider == Provider::Gitlab => now.date_naive() >= at.date_naive(),
            Some(at) => now >= at,
        }
    }

    /// The scope list as the providers print it in headers.
    pub(crate) fn scopes_header(&self) -> String {
        self.scopes.join(", ")
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn kinds_serialise_in_kebab_case_and_providers_in_lowercase() {
        assert_eq!(
            serde_json::to_string(&TokenKind::GithubFineGrained).unwrap(),
            "\"github-fine-grained\""
        );
        assert_eq!(
            serde_json::to_string(&Provider::Gitlab).unwrap(),
            "\"gitlab\""
        );
    }

    #[test]
    fn a_spec_deserialises_from_minimal_json() {
        let spec: TokenSpec = serde_json::from_str(
            r#"{"provider":"github","kind":"github-classic","login":"octo","scopes":["repo"]}"#,
        )
        .unwrap();
        assert_eq!(spec.scopes, vec!["repo"]);
        assert_eq!(spec.user_id, 0);
    }

    #[test]
    fn bitbucket_repos_are_qualified_with_the_workspace() {
        let spec = TokenSpec::bitbucket(
            TokenKind::BitbucketRepository,
            "ws",
            &["app", "other/lib"],
            &["repository"],
        );
        assert_eq!(spec.repositories, vec!["ws/app", "other/lib"]);
        assert_eq!(spec.target.as_deref(), Some("ws"));
    }

    #[test]
    fn gitlab_tokens_expire_at_midnight_utc_of_their_date() {
        let at = Utc.with_ymd_and_hms(2030, 5, 10, 18, 0, 0).unwrap();
        let spec = TokenSpec::gitlab(TokenKind::GitlabPersonal, "u", &["api"]).expires_at(at);
        let morning = Utc.with_ymd_and_hms(2030, 5, 10, 1, 0, 0).unwrap();
        let evening_before = Utc.with_ymd_and_hms(2030, 5, 9, 23, 59, 0).unwrap();
        assert!(spec.is_expired_at(morning));
        assert!(!spec.is_expired_at(evening_before));
        let gh = TokenSpec::github_classic("u", &[]).expires_at(at);
        assert!(!gh.is_expired_at(morning));
    }
}
