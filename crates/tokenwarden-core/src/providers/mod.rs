//! One module per provider. Each holds all the app knows about that
//! provider: its deployments and token kinds, the permissions they need,
//! and (as they land) deep links, API calls and response parsing.

pub mod bitbucket;
pub mod github;
pub mod gitlab;

use url::Url;

use crate::catalogue::{ProviderKind, TokenKindId};

/// What the wizard knows when it sends the user off to create a token:
/// enough to pre-fill the provider's page where the provider allows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTokenPage {
    pub kind: TokenKindId,
    /// The provider's web address (`https://github.com`, a GHES host).
    pub web: Url,
    /// The suggested token name (`github-main-org-production`).
    pub name: String,
    pub description: Option<String>,
    pub org: Option<String>,
    /// GitLab `group/project`, or the Bitbucket repository slug.
    pub project: Option<String>,
    pub group: Option<String>,
    pub workspace: Option<String>,
    pub repo: Option<String>,
    pub expires_in_days: Option<u32>,
}

/// The provider page where such a token is created, pre-filled as far as
/// that page reads query parameters (PROVIDERS.md, "Deep links").
pub fn new_token_url(provider: ProviderKind, page: &NewTokenPage) -> Url {
    match provider {
        ProviderKind::Github => github::links::new_token(page),
        ProviderKind::Gitlab => gitlab::links::new_token(page),
        ProviderKind::Bitbucket => bitbucket::links::new_token(page),
    }
}

/// `base` + `path` (+ query pairs), keeping any path prefix of `base`
/// (GitLab under a relative URL root).
pub(crate) fn page_url(base: &Url, path: &str, query: &[(&str, &str)]) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}{path}"));
    url.set_query(None);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    url
}
