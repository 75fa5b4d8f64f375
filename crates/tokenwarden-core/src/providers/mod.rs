//! The provider registry. Everything one provider knows lives in its own
//! folder (`github/`, `gitlab/`, `bitbucket/`) behind the [`Provider`]
//! interface; the rest of the crate reaches a provider only through
//! [`get`] and [`all`]. This file is the one place outside those folders
//! that names a provider variant: adding a provider is adding a folder and
//! a line in [`all`], and the conformance test below proves it complete.
//!
//! Providers build on the check toolkit (`crate::check`) and the shared
//! vocabulary (`crate::model`); nothing here imports the catalogue, the
//! checker or the vault, which sit above.

pub mod bitbucket;
pub mod github;
pub mod gitlab;
mod prefix;
mod rotation;

use chrono::NaiveDate;
use futures_util::future::BoxFuture;
use url::Url;

pub use prefix::{contains_token, provider_of_token};
pub use rotation::{keep_lifetime, SelfRotateError};

use crate::check::address::{trimmed_path, with_path};
use crate::check::{CheckContext, CheckReport, CheckRequest, EndpointError, Http};
use crate::model::{Deployment, ProviderInfo, ProviderKind, TokenKindId, TokenKindInfo};
use crate::secret::TokenSecret;

/// All one provider knows, as the rest of the app needs it.
pub trait Provider: Send + Sync {
    fn kind(&self) -> ProviderKind;
    /// The name users know ("GitHub"), for messages and screens.
    fn name(&self) -> &'static str;
    /// The lower-case word for it in names and on the command line ("github").
    fn slug(&self) -> &'static str;
    /// What the UI shows of the provider wherever a token appears.
    fn info(&self) -> ProviderInfo;
    /// The deployments the wizard offers, in its order, each with its token
    /// kinds, their requirements, fields, notes and token page.
    fn deployments(&self) -> Vec<Deployment>;
    /// Every kind this provider issues, once each, in the wizard's order
    /// (a kind offered by several deployments is listed at its first).
    fn token_kinds(&self) -> Vec<TokenKindInfo> {
        let mut kinds: Vec<TokenKindInfo> = Vec::new();
        for deployment in self.deployments() {
            for kind in deployment.token_kinds {
                if !kinds.iter().any(|k| k.id == kind.id) {
                    kinds.push(kind);
                }
            }
        }
        kinds
    }
    /// The kind assumed when a target names none.
    fn default_kind(&self) -> TokenKindId;
    /// Prefixes this provider's tokens carry, so a token is never sent to
    /// another provider and never taken for an address.
    fn token_prefixes(&self) -> &'static [&'static str];
    /// The kind a token's value shows it is, where its prefix tells.
    fn kind_of_token(&self, _token: &str) -> Option<TokenKindId> {
        None
    }
    /// The cloud service's addresses.
    fn cloud_api_url(&self) -> &'static str;
    fn cloud_web_url(&self) -> &'static str;
    /// Where the API lives under a server's own address (`/api/v3`).
    fn api_path(&self) -> &'static str;
    /// The API base for a vetted address a user typed (a web address, or
    /// the API base itself).
    fn api_base(&self, address: &Url) -> Result<Url, EndpointError>;
    /// The web address matching an API base, for links the user can open:
    /// the cloud's own web address for the cloud API, otherwise the API
    /// base without the provider's API path.
    fn web_base(&self, api: &Url) -> Url {
        let cloud_api = Url::parse(self.cloud_api_url()).expect("built-in API URLs parse");
        let cloud_web = Url::parse(self.cloud_web_url()).expect("built-in web URLs parse");
        // A cloud whose API has a host of its own (api.github.com).
        if api.host_str() == cloud_api.host_str() && cloud_api.host_str() != cloud_web.host_str() {
            return cloud_web;
        }
        let path = trimmed_path(api);
        let stripped = path.strip_suffix(self.api_path()).unwrap_or(&path);
        with_path(api, if stripped.is_empty() { "/" } else { stripped })
    }
    /// The page where a token like `request`'s is managed and revoked.
    fn tokens_page(&self, request: &CheckRequest) -> Url;
    /// The page where such a token is created, pre-filled as far as that
    /// page reads query parameters (PROVIDERS.md, "Deep links").
    fn new_token_url(&self, page: &NewTokenPage) -> Url;
    /// Checks `token` against `request`, recording every finding on
    /// `report`. Never fails: transport errors are findings too.
    fn check<'a>(
        &'a self,
        ctx: &'a CheckContext<'a>,
        request: &'a CheckRequest,
        token: &'a TokenSecret,
        report: &'a mut CheckReport,
    ) -> BoxFuture<'a, ()>;
    /// Why `token`, though this provider's, must not be sent as the kind of
    /// token these checks take (an Atlassian API token is not a Bitbucket
    /// access token), saying which token to create instead.
    fn refuse_token(&self, _token: &str) -> Option<String> {
        None
    }
    /// How a token asks the provider for its own replacement, where the
    /// provider offers that.
    fn self_rotation(&self) -> Option<&dyn SelfRotation> {
        None
    }
}

/// A provider that lets a token rotate itself: the provider issues the new
/// value and revokes the old one.
pub trait SelfRotation: Send + Sync {
    /// Whether tokens of this kind can rotate themselves.
    fn offers(&self, kind: TokenKindId) -> bool;
    /// Whether a token with these scopes may rotate itself.
    fn may_self_rotate(&self, scopes: &[String]) -> bool;
    /// Asks for a new value of the token `request` describes (its kind,
    /// project or group say which endpoint), to expire on `expires_at`;
    /// the old one is revoked there. Sent once, never retried: a repeated
    /// call would come from a revoked token.
    fn rotate<'a>(
        &'a self,
        http: &'a Http,
        request: &'a CheckRequest,
        token: &'a TokenSecret,
        expires_at: NaiveDate,
    ) -> BoxFuture<'a, Result<TokenSecret, SelfRotateError>>;
}

static GITHUB: github::GitHub = github::GitHub;
static GITLAB: gitlab::GitLab = gitlab::GitLab;
static BITBUCKET: bitbucket::Bitbucket = bitbucket::Bitbucket;
static ALL: [&dyn Provider; 3] = [&GITHUB, &GITLAB, &BITBUCKET];

/// Every provider, in the order the wizard offers them.
pub fn all() -> &'static [&'static dyn Provider] {
    &ALL
}

/// The provider of `kind`.
pub fn get(kind: ProviderKind) -> &'static dyn Provider {
    match kind {
        ProviderKind::Github => &GITHUB,
        ProviderKind::Gitlab => &GITLAB,
        ProviderKind::Bitbucket => &BITBUCKET,
    }
}

/// The provider a word names ("github"), as typed on the command line.
pub fn by_slug(slug: &str) -> Option<&'static dyn Provider> {
    all().iter().copied().find(|p| p.slug() == slug)
}

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

/// The provider page where such a token is created.
pub fn new_token_url(provider: ProviderKind, page: &NewTokenPage) -> Url {
    get(provider).new_token_url(page)
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

#[cfg(test)]
mod conformance {
    use super::*;
    use crate::model::HostInput;

    /// Every provider in the registry is complete: reachable by its kind
    /// and its slug, with deployments whose kinds each have requirements,
    /// fields, one recommendation, a token page that builds, and cloud
    /// addresses that map onto each other.
    #[test]
    fn every_provider_is_complete() {
        assert!(!all().is_empty());
        for provider in all() {
            let kind = provider.kind();
            assert_eq!(get(kind).kind(), kind, "get() finds {}", provider.name());
            assert_eq!(by_slug(provider.slug()).map(|p| p.kind()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                provider.slug(),
                "the slug is the wire name"
            );
            assert!(!provider.name().is_empty());
            let info = provider.info();
            assert_eq!(info.kind, kind);
            assert_eq!(info.name, provider.name());
            assert!(!info.mark.is_empty() && !info.token_placeholder.is_empty());
            assert!(!provider.token_prefixes().is_empty());
            for prefix in provider.token_prefixes() {
                assert_eq!(
                    provider_of_token(&format!("{prefix}abcdefghijklmnopqrstuvwxyz")),
                    Some(kind),
                    "{prefix} belongs to {} alone",
                    provider.name()
                );
            }

            let cloud_api = Url::parse(provider.cloud_api_url()).unwrap();
            let cloud_web = Url::parse(provider.cloud_web_url()).unwrap();
            assert_eq!(
                provider
                    .api_base(&cloud_web)
                    .unwrap()
                    .as_str()
                    .trim_end_matches('/'),
                cloud_api.as_str().trim_end_matches('/'),
                "{}: the cloud's web address leads to its API",
                provider.name()
            );
            assert_eq!(
                provider.web_base(&cloud_api).host_str(),
                cloud_web.host_str(),
                "{}: the cloud's API leads back to its web address",
                provider.name()
            );

            let deployments = provider.deployments();
            assert!(!deployments.is_empty());
            let kinds: Vec<_> = deployments
                .iter()
                .flat_map(|d| d.token_kinds.iter().map(|k| k.id))
                .collect();
            assert!(kinds.contains(&provider.default_kind()));
            for deployment in &deployments {
                assert_eq!(deployment.provider, kind);
                assert_eq!(
                    deployment
                        .token_kinds
                        .iter()
                        .filter(|k| k.recommended)
                        .count(),
                    1,
                    "{:?} recommends one kind",
                    deployment.id
                );
                let web = match &deployment.host {
                    HostInput::Fixed { web_url, .. } => Url::parse(web_url).unwrap(),
                    HostInput::UserSupplied { .. } => {
                        Url::parse("https://git.example.com").unwrap()
                    }
                };
                for token_kind in &deployment.token_kinds {
                    assert!(!token_kind.requirements.is_empty());
                    assert!(!token_kind.page.note.is_empty());
                    for field in &token_kind.fields {
                        assert!(!field.label.is_empty() && !field.qualifier.is_empty());
                    }
                    let page = NewTokenPage {
                        kind: token_kind.id,
                        web: web.clone(),
                        name: "name".into(),
                        description: None,
                        org: Some("acme".into()),
                        project: Some("acme/web".into()),
                        group: Some("acme".into()),
                        workspace: Some("acme".into()),
                        repo: Some("web".into()),
                        expires_in_days: Some(90),
                    };
                    let url = provider.new_token_url(&page);
                    assert_eq!(url.host_str(), web.host_str(), "{:?}", token_kind.id);
                    let mut request = CheckRequest::new(kind, provider.api_base(&web).unwrap());
                    request.kind = Some(token_kind.id);
                    request.project = page.project.clone();
                    request.group = page.group.clone();
                    request.workspace = page.workspace.clone();
                    request.repo = page.repo.clone();
                    assert_eq!(provider.tokens_page(&request).host_str(), web.host_str());
                }
            }
        }
    }

    #[test]
    fn no_two_providers_share_a_prefix() {
        for a in all() {
            for b in all() {
                if a.kind() == b.kind() {
                    continue;
                }
                for pa in a.token_prefixes() {
                    for pb in b.token_prefixes() {
                        assert!(!pa.starts_with(pb) && !pb.starts_with(pa), "{pa} / {pb}");
                    }
                }
            }
        }
    }
}
