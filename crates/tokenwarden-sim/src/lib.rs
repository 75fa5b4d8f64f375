//! A stateful fake of GitHub, GitLab and Bitbucket Cloud's token-related HTTP
//! APIs and token-creation pages, and of Qovery's API for the organization
//! git tokens that use them.
//!
//! Why: Tokenwarden's checks must be tested against the providers' real
//! answers (headers, status codes, error shapes), including failures that
//! cannot be provoked on demand against the real services: expired and
//! revoked tokens, SAML SSO, pending approval, rate limits, outages. The
//! simulator reproduces those answers from a [`TokenSpec`] per token, on
//! three loopback listeners (one per provider, as each is its own host),
//! and plays Qovery on a fourth (`qovery/`).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use tokenwarden_sim::{Simulator, TokenSpec};
//! let sim = Simulator::start().await?;
//! sim.add_github_repo("acme/app");
//! let token = sim.add_token(TokenSpec::github_classic("octo", &["repo", "admin:repo_hook"]));
//! // GET {sim.github_api_url()}/user with `Authorization: Bearer {token}` ...
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

mod admin;
mod behaviour;
mod bitbucket;
mod github;
mod gitlab;
mod pages;
#[cfg(feature = "private-ca")]
mod private_ca;
mod qovery;
mod server;
mod spec;
mod state;
mod tls;
mod util;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use behaviour::{Behaviour, BehaviourJson, RateLimit, RateLimitJson};
pub use github::SecondaryLimit;
pub use pages::DEFAULT_LOGIN;
pub use qovery::{
    GitProvider as QoveryGitProvider, GitTokenSeed as QoveryGitTokenSeed, QoveryGitToken,
    QoveryOrg, QoveryRole, QoveryService, QoveryValidation,
    INVALID_TOKEN_MESSAGE as QOVERY_INVALID_TOKEN_MESSAGE,
};
pub use spec::{Provider, TokenKind, TokenSpec, DEFAULT_TOKEN_NAME};
pub use state::RecordedRequest;

#[cfg(feature = "private-ca")]
pub use private_ca::PrivateCa;
use server::{App, Shared, Urls};
use state::Locked;
pub use tls::TlsIdentity;

/// The ports to listen on; 0 picks any free port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ports {
    pub github: u16,
    pub gitlab: u16,
    pub bitbucket: u16,
    pub qovery: u16,
}

/// A running simulator: a cheap, clonable handle. The listeners stop on
/// [`Simulator::shutdown`] or when the last handle is dropped.
#[derive(Clone, Debug)]
pub struct Simulator {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    shared: Arc<Shared>,
    addrs: [SocketAddr; 3],
    qovery_addr: SocketAddr,
    /// Dropping or sending on it stops every accept loop.
    shutdown: watch::Sender<()>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Simulator {
    /// Starts the three listeners on `127.0.0.1`, each on a free port.
    pub async fn start() -> std::io::Result<Simulator> {
        Simulator::start_on(Ports::default()).await
    }

    /// Starts the three listeners on `127.0.0.1` at `ports` (0 = any).
    /// Loopback only: the simulator hands out working fake tokens and must
    /// not be reachable from other machines.
    pub async fn start_on(ports: Ports) -> std::io::Result<Simulator> {
        Simulator::start_with(ports, None).await
    }

    /// Starts the three listeners on `127.0.0.1` serving HTTPS with
    /// `identity` (a certificate for `127.0.0.1`, typically issued by a
    /// private certificate authority the test made): a self-hosted GitHub
    /// Enterprise or GitLab behind a company CA. The URLs are `https://`.
    pub async fn start_tls(ports: Ports, identity: &TlsIdentity) -> std::io::Result<Simulator> {
        let acceptor = identity.acceptor()?;
        Simulator::start_with(ports, Some(acceptor)).await
    }

    async fn start_with(
        ports: Ports,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> std::io::Result<Simulator> {
        let bind = |port| TcpListener::bind((Ipv4Addr::LOCALHOST, port));
        let listeners = [
            bind(ports.github).await?,
            bind(ports.gitlab).await?,
            bind(ports.bitbucket).await?,
        ];
        let qovery_listener = bind(ports.qovery).await?;
        let qovery_addr = qovery_listener.local_addr()?;
        let addrs = [
            listeners[0].local_addr()?,
            listeners[1].local_addr()?,
            listeners[2].local_addr()?,
        ];
        let scheme = if tls.is_some() { "https" } else { "http" };
        let urls = Urls {
            github: format!("{scheme}://{}", addrs[0]),
            gitlab: format!("{scheme}://{}", addrs[1]),
            bitbucket: format!("{scheme}://{}", addrs[2]),
            qovery: format!("{scheme}://{qovery_addr}"),
        };
        let shared = Arc::new(Shared {
            state: Locked::default(),
            urls,
            in_flight: Default::default(),
        });
        let (shutdown, receiver) = watch::channel(());
        let mut tasks: Vec<JoinHandle<()>> = Provider::ALL
            .into_iter()
            .zip(listeners)
            .map(|(provider, listener)| {
                let app = App {
                    shared: Arc::clone(&shared),
                    provider,
                };
                let router = router(provider).with_state(app.clone());
                tokio::spawn(server::serve(
                    listener,
                    server::provider_handler(app, router),
                    tls.clone(),
                    receiver.clone(),
                ))
            })
            .collect();
        tasks.push(tokio::spawn(server::serve(
            qovery_listener,
            qovery::handler(Arc::clone(&shared)),
            tls.clone(),
            receiver.clone(),
        )));
        Ok(Simulator {
            inner: Arc::new(Inner {
                shared,
                addrs,
                qovery_addr,
                shutdown,
                tasks: Mutex::new(tasks),
            }),
        })
    }

    /// Stops the listeners and closes open connections. Other handles see
    /// connection errors afterwards.
    pub async fn shutdown(self) {
        // Fails only when every loop has already stopped.
        let _ = self.inner.shutdown.send(());
        let tasks = std::mem::take(
            &mut *self
                .inner
                .tasks
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for task in tasks {
            // A loop that panicked has stopped all the same.
            let _ = task.await;
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, state::State> {
        self.inner.shared.state.lock()
    }

    /// The listener address of `provider`.
    pub fn addr(&self, provider: Provider) -> SocketAddr {
        self.inner.addrs[provider_index(provider)]
    }

    /// `provider`'s web base URL (where the token pages are).
    pub fn url(&self, provider: Provider) -> String {
        let urls = &self.inner.shared.urls;
        match provider {
            Provider::Github => urls.github.clone(),
            Provider::Gitlab => urls.gitlab.clone(),
            Provider::Bitbucket => urls.bitbucket.clone(),
        }
    }

    /// `provider`'s API base URL.
    pub fn api_url(&self, provider: Provider) -> String {
        format!("{}{}", self.url(provider), provider.api_prefix())
    }

    /// `http://127.0.0.1:P`: GitHub's web pages.
    pub fn github_url(&self) -> String {
        self.url(Provider::Github)
    }

    /// `http://127.0.0.1:P/api/v3`: GitHub Enterprise Server's API layout.
    pub fn github_api_url(&self) -> String {
        self.api_url(Provider::Github)
    }

    /// `http://127.0.0.1:P`: GitLab's web pages.
    pub fn gitlab_url(&self) -> String {
        self.url(Provider::Gitlab)
    }

    /// `http://127.0.0.1:P/api/v4`.
    pub fn gitlab_api_url(&self) -> String {
        self.api_url(Provider::Gitlab)
    }

    /// `http://127.0.0.1:P`: Bitbucket's web pages.
    pub fn bitbucket_url(&self) -> String {
        self.url(Provider::Bitbucket)
    }

    /// `http://127.0.0.1:P/2.0`.
    pub fn bitbucket_api_url(&self) -> String {
        self.api_url(Provider::Bitbucket)
    }

    /// Qovery's listener address.
    pub fn qovery_addr(&self) -> SocketAddr {
        self.inner.qovery_addr
    }

    /// `http://127.0.0.1:P`: Qovery's API base (`https://api.qovery.com`).
    pub fn qovery_url(&self) -> String {
        self.inner.shared.urls.qovery.clone()
    }

    /// A Qovery organization named `name`; returns its id.
    pub fn add_qovery_org(&self, name: &str) -> String {
        self.state().qovery.add_org(name, None)
    }

    /// A machine token of organization `org_id` with `role`; returns its
    /// value (sent as `Authorization: Token …`).
    pub fn add_qovery_api_token(&self, org_id: &str, role: QoveryRole) -> String {
        self.state().qovery.add_api_token(org_id, role)
    }

    /// Revokes a machine token: later calls with it answer 401.
    pub fn revoke_qovery_api_token(&self, value: &str) {
        self.state().qovery.api_tokens.remove(value);
    }

    /// A git token already in organization `org_id`; returns its id.
    pub fn add_qovery_git_token(&self, org_id: &str, seed: QoveryGitTokenSeed) -> String {
        self.state().qovery.add_git_token(org_id, seed).id
    }

    /// A service using a git token (`service.git_token_id`).
    pub fn add_qovery_service(&self, service: QoveryService) {
        self.state().qovery.services.push(service);
    }

    /// A git token as Qovery keeps it, with the value it last received.
    pub fn qovery_git_token(&self, id: &str) -> Option<QoveryGitToken> {
        self.state().qovery.git_tokens.get(id).cloned()
    }

    /// Every git token of organization `org_id`.
    pub fn qovery_git_tokens(&self, org_id: &str) -> Vec<QoveryGitToken> {
        self.state()
            .qovery
            .git_tokens
            .values()
            .filter(|t| t.org_id == org_id)
            .cloned()
            .collect()
    }

    /// How Qovery judges the values it is sent (default: a live token of
    /// the simulated provider of the git token's type).
    pub fn set_qovery_validation(&self, validation: QoveryValidation) {
        self.state().qovery.validation = validation;
    }

    /// How Qovery's API misbehaves (down, slow, failing).
    pub fn set_qovery_behaviour(&self, behaviour: Behaviour) {
        self.state().qovery.behaviour = behaviour;
    }

    /// Every request Qovery's listener received, except admin ones. Never
    /// holds a token value.
    pub fn qovery_requests(&self) -> Vec<RecordedRequest> {
        self.state().qovery.requests.clone()
    }

    /// Registers a token and returns its value. A `user_id` of 0 is
    /// replaced by the id of the same (provider, login) or a new one.
    pub fn add_token(&self, spec: TokenSpec) -> String {
        self.state().add_token(spec)
    }

    /// Revokes `token`: later use answers 401 (unknown values are ignored).
    pub fn revoke(&self, token: &str) {
        self.state().revoke(token);
    }

    /// The spec of `token` (also once revoked or expired), e.g. of one minted
    /// through a page or by GitLab's rotation.
    pub fn token(&self, token: &str) -> Option<TokenSpec> {
        self.state().token(token).map(|r| r.spec.clone())
    }

    /// Whether `token` is registered and neither revoked nor expired.
    pub fn is_active(&self, token: &str) -> bool {
        self.state().token(token).is_some_and(|r| r.is_active())
    }

    /// Tokens created through the HTML pages, in order.
    pub fn minted(&self) -> Vec<(String, TokenSpec)> {
        self.state().minted()
    }

    /// GitHub repository `owner/name` exists (private).
    pub fn add_github_repo(&self, full_name: &str) {
        self.state().add_github_repo(full_name);
    }

    /// GitHub organization `org` exists with exactly these member logins.
    pub fn add_github_org(&self, org: &str, members: &[&str]) {
        let members: Vec<String> = members.iter().map(|m| (*m).to_owned()).collect();
        self.state().add_github_org(org, &members);
    }

    /// GitHub repository `owner/name` (registered with
    /// [`Simulator::add_github_repo`]) is public: any token reads it, and a
    /// read proves no permission.
    pub fn set_github_repo_public(&self, full_name: &str) {
        self.state()
            .github
            .public_repos
            .insert(full_name.to_ascii_lowercase());
    }

    /// GitHub repository `owner/name` has no commit yet: listing its
    /// commits answers 409 "Git Repository is empty.".
    pub fn set_github_repo_empty(&self, full_name: &str) {
        self.state()
            .github
            .empty_repos
            .insert(full_name.to_ascii_lowercase());
    }

    /// `login` reaches GitHub repository `owner/name` but is not its admin:
    /// its webhooks answer 403 "Must have admin rights to Repository.".
    pub fn set_github_non_admin(&self, full_name: &str, login: &str) {
        self.state()
            .github
            .non_admins
            .entry(full_name.to_ascii_lowercase())
            .or_default()
            .insert(login.to_ascii_lowercase());
    }

    /// GitHub organization `org` forbids classic personal access tokens.
    pub fn forbid_github_classic_tokens(&self, org: &str) {
        self.state()
            .github
            .classic_forbidden
            .insert(org.to_ascii_lowercase());
    }

    /// GitHub account `login` has used up its primary rate limit, which
    /// resets `reset_in` after each answer; other accounts are unaffected.
    pub fn exhaust_github_rate_limit(&self, login: &str, reset_in: std::time::Duration) {
        github::exhaust(&mut self.state().github, login, reset_in);
    }

    /// A GitHub secondary rate limit in force (None lifts it).
    pub fn set_github_secondary_limit(&self, limit: Option<SecondaryLimit>) {
        self.state().github.secondary_limit = limit;
    }

    /// GitLab project `group/project` exists with this id.
    pub fn add_gitlab_project(&self, path: &str, id: u64) {
        self.state().add_gitlab_project(path, id);
    }

    /// Plays gitlab.com's failed-authentication ban: after `failures`
    /// failed authentications (the simulator has one client address),
    /// every GitLab API request answers 403 `Forbidden` (plain text, no
    /// headers) for an hour.
    pub fn ban_gitlab_after_failed_auths(&self, failures: u32) {
        let mut state = self.state();
        state.gitlab_ban.after = Some(failures);
        state.gitlab_ban.failures = 0;
        state.gitlab_ban.until = None;
    }

    /// GitLab group `path` exists with this id.
    pub fn add_gitlab_group(&self, path: &str, id: u64) {
        self.state().add_gitlab_group(path, id);
    }

    /// Bitbucket workspace `slug` exists.
    pub fn add_bitbucket_workspace(&self, slug: &str) {
        self.state().add_bitbucket_workspace(slug);
    }

    /// Bitbucket repository `workspace/slug` exists (and its workspace).
    pub fn add_bitbucket_repo(&self, workspace: &str, slug: &str) {
        self.state().add_bitbucket_repo(workspace, slug);
    }

    /// Replaces `provider`'s behaviour (its API paths only).
    pub fn set_behaviour(&self, provider: Provider, behaviour: Behaviour) {
        *self.state().behaviour_mut(provider) = behaviour;
    }

    /// `provider`'s current behaviour (`fail_next` counts down as used).
    pub fn behaviour(&self, provider: Provider) -> Behaviour {
        self.state().behaviour(provider)
    }

    /// Every request `provider`'s listener received, except admin ones, in
    /// order. Never holds a token value.
    pub fn requests(&self, provider: Provider) -> Vec<RecordedRequest> {
        self.state().requests(provider)
    }

    /// The most requests `provider`'s listener was answering at the same
    /// moment since the start (or the last [`Simulator::reset_requests`]).
    pub fn max_concurrent_requests(&self, provider: Provider) -> usize {
        self.inner.shared.in_flight[provider_index(provider)].max()
    }

    /// Forgets the recorded requests of every provider, and their
    /// high-water marks of concurrent requests.
    pub fn reset_requests(&self) {
        self.state().reset_requests();
        for gauge in &self.inner.shared.in_flight {
            gauge.reset_max();
        }
    }
}

pub(crate) fn provider_index(provider: Provider) -> usize {
    match provider {
        Provider::Github => 0,
        Provider::Gitlab => 1,
        Provider::Bitbucket => 2,
    }
}

/// One listener's routes: the API under its prefix, the token pages, and
/// the admin API under `/_sim`.
fn router(provider: Provider) -> Router<App> {
    let routes = match provider {
        Provider::Github => Router::new()
            .nest(provider.api_prefix(), github::api())
            .merge(pages::github::routes()),
        Provider::Gitlab => Router::new()
            .nest(provider.api_prefix(), gitlab::api())
            .merge(pages::gitlab::routes())
            .fallback(pages::gitlab::resource_page),
        Provider::Bitbucket => Router::new()
            .nest(provider.api_prefix(), bitbucket::api())
            .merge(pages::bitbucket::routes()),
    };
    routes.nest("/_sim", admin::router())
}
