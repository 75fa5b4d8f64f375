//! GitHub and GitHub Enterprise Server checks, end to end through the
//! provider simulator.

use std::time::{Duration, Instant};

use tokenwarden_core::check::{ExpirySource, HttpOptions, ProblemCode, Verdict};
use tokenwarden_core::checker::CheckOptions;
use tokenwarden_core::{ProviderKind, TokenKindId, TokenSecret};

use crate::support::*;

async fn sim() -> Simulator {
    let sim = Simulator::start().await.unwrap();
    sim.add_github_org("acme", &["deploy-bot"]);
    sim.add_github_repo("acme/web");
    sim
}

fn github(sim: &Simulator) -> tokenwarden_core::check::CheckRequest {
    request(ProviderKind::Github, &sim.github_api_url())
}

#[tokio::test]
async fn a_classic_token_with_every_scope_is_ready_with_identity_and_expiry() {
    let sim = sim().await;
    let expires = in_days(60);
    let token = sim.add_token(
        TokenSpec::github_classic("deploy-bot", &["repo", "admin:repo_hook", "read:org"])
            .expires_at(expires),
    );
    let mut req = github(&sim);
    req.org = Some("acme".into());
    req.repo = Some("acme/web".into());
    let report = check(&req, &token).await;

    assert!(report.ready, "{report:#?}");
    assert_eq!(report.verdict(), Verdict::Ready);
    assert_eq!(report.kind, Some(TokenKindId::Classic));
    assert_eq!(report.identity.as_ref().unwrap().login, "deploy-bot");
    assert_eq!(
        report.scopes.as_deref().unwrap(),
        ["repo", "admin:repo_hook", "read:org"]
    );
    assert_eq!(report.expires_at, Some(expires));
    assert_eq!(report.expiry, ExpirySource::Provider);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[tokio::test]
async fn reads_the_expiry_header_in_its_numeric_offset_form() {
    let sim = sim().await;
    let expires = in_days(100);
    let token = sim.add_token(
        TokenSpec::github_classic("deploy-bot", &["repo", "admin:repo_hook"])
            .expires_at(expires)
            .expiry_offset_minutes(540),
    );
    let report = check(&github(&sim), &token).await;
    assert_eq!(report.expires_at, Some(expires));
    assert!(report.ready);
}

#[tokio::test]
async fn broader_scopes_meet_narrower_requirements_but_not_the_reverse() {
    let sim = sim().await;
    let mut req = github(&sim);
    req.org = Some("acme".into());

    let broad = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook", "admin:org"],
    ));
    let report = check(&req, &broad).await;
    assert!(
        report.missing.is_empty(),
        "admin:org meets read:org: {:?}",
        report.missing
    );

    let narrow = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "write:repo_hook", "read:org"],
    ));
    let report = check(&req, &narrow).await;
    assert_eq!(report.missing, ["admin:repo_hook"]);
    assert_eq!(
        codes(&report),
        [ProblemCode::NoExpiry, ProblemCode::MissingPermissions]
    );
    assert_eq!(report.verdict(), Verdict::FallsShort);
    assert!(report.authenticated);
}

#[tokio::test]
async fn read_org_is_required_only_when_an_organization_is_named() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook"],
    ));
    assert!(check(&github(&sim), &token).await.ready);
    let mut req = github(&sim);
    req.org = Some("acme".into());
    assert_eq!(check(&req, &token).await.missing, ["read:org"]);
}

#[tokio::test]
async fn a_token_that_never_expires_is_ready_with_a_warning() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook"],
    ));
    let report = check(&github(&sim), &token).await;
    assert!(report.ready);
    assert_eq!(report.expiry, ExpirySource::Never);
    assert_eq!(report.expires_at, None);
    assert_eq!(codes(&report), [ProblemCode::NoExpiry]);
}

#[tokio::test]
async fn a_token_expiring_within_two_weeks_is_ready_with_a_warning() {
    let sim = sim().await;
    let token = sim.add_token(
        TokenSpec::github_classic("deploy-bot", &["repo", "admin:repo_hook"])
            .expires_at(in_days(6)),
    );
    let report = check(&github(&sim), &token).await;
    assert!(report.ready);
    assert_eq!(codes(&report), [ProblemCode::ExpiresSoon]);
}

#[tokio::test]
async fn revoked_and_unknown_tokens_are_invalid() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook"],
    ));
    sim.revoke(&token);
    for t in [token.as_str(), "ghp_000000000000000000000000000000000000"] {
        let report = check(&github(&sim), t).await;
        assert!(!report.authenticated);
        assert_eq!(codes(&report), [ProblemCode::InvalidToken]);
        assert_eq!(report.verdict(), Verdict::Unusable);
        assert!(report.problems[0].message.contains("/settings/tokens"));
        assert!(!all_text(&report).contains(t));
    }
}

#[tokio::test]
async fn saml_sso_enforcement_is_reported_with_its_authorization_url() {
    let sim = sim().await;
    let token = sim.add_token(
        TokenSpec::github_classic("deploy-bot", &["repo", "admin:repo_hook", "read:org"])
            .sso_org("acme"),
    );
    let mut req = github(&sim);
    req.org = Some("acme".into());
    let report = check(&req, &token).await;
    assert!(report.authenticated);
    assert_eq!(
        codes(&report),
        [ProblemCode::NoExpiry, ProblemCode::SsoRequired]
    );
    let message = &report.problems[1].message;
    assert!(
        message.contains(&format!("{}/orgs/acme/sso", sim.github_url())),
        "{message}"
    );
    assert_eq!(report.verdict(), Verdict::FallsShort);
}

#[tokio::test]
async fn a_missing_organization_or_repository_is_not_found() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook", "read:org"],
    ));
    let mut req = github(&sim);
    req.org = Some("nobody".into());
    assert!(check(&req, &token).await.has(ProblemCode::NotFound));
    let mut req = github(&sim);
    req.repo = Some("acme/missing".into());
    let report = check(&req, &token).await;
    assert!(report.has(ProblemCode::NotFound));
    assert_eq!(report.verdict(), Verdict::FallsShort);
}

#[tokio::test]
async fn a_fine_grained_token_is_probed_and_writes_stay_unverified() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_fine_grained(
        "deploy-bot",
        &["acme/web"],
        &[
            ("contents", "read"),
            ("pull_requests", "write"),
            ("repository_hooks", "write"),
        ],
    ));
    let mut req = github(&sim);
    req.repo = Some("acme/web".into());
    let report = check(&req, &token).await;
    assert_eq!(report.kind, Some(TokenKindId::FineGrained));
    assert_eq!(report.scopes, None);
    assert!(report.missing.is_empty(), "{:?}", report.missing);
    assert_eq!(
        report.unverified,
        ["repository_hooks:write", "pull_requests:write"]
    );
    assert!(report.ready, "{report:#?}");
}

#[tokio::test]
async fn a_fine_grained_token_without_webhooks_or_pulls_falls_short() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_fine_grained(
        "deploy-bot",
        &["acme/web"],
        &[("contents", "read")],
    ));
    let mut req = github(&sim);
    req.repo = Some("acme/web".into());
    let report = check(&req, &token).await;
    assert_eq!(
        report.missing,
        ["repository_hooks:write", "pull_requests:write"]
    );
    assert!(report.has(ProblemCode::MissingPermissions));
    assert_eq!(report.verdict(), Verdict::FallsShort);
}

#[tokio::test]
async fn a_fine_grained_token_not_given_the_repository_is_not_found() {
    let sim = sim().await;
    sim.add_github_repo("acme/other");
    let token = sim.add_token(TokenSpec::github_fine_grained(
        "deploy-bot",
        &["acme/web"],
        &[
            ("contents", "read"),
            ("pull_requests", "write"),
            ("repository_hooks", "write"),
        ],
    ));
    let mut req = github(&sim);
    req.repo = Some("acme/other".into());
    let report = check(&req, &token).await;
    assert!(report.has(ProblemCode::NotFound));
    assert!(report
        .problems
        .iter()
        .any(|p| p.message.contains("Repository access")));
}

fn full_fine_grained(repos: &[&str]) -> TokenSpec {
    TokenSpec::github_fine_grained(
        "deploy-bot",
        repos,
        &[
            ("contents", "read"),
            ("pull_requests", "write"),
            ("repository_hooks", "write"),
        ],
    )
}

fn on_repo(sim: &Simulator, repo: &str) -> tokenwarden_core::check::CheckRequest {
    let mut req = github(sim);
    req.repo = Some(repo.into());
    req
}

/// GitHub documents no specific answer for a token pending an
/// organization's approval: it reads only public resources, so a private
/// repository answers 404, and the check says both possible causes.
#[tokio::test]
async fn a_fine_grained_token_awaiting_approval_is_not_found_or_pending_with_both_fixes() {
    let sim = sim().await;
    let token = sim.add_token(full_fine_grained(&["acme/web"]).pending_org("acme"));
    let report = check(&on_repo(&sim, "acme/web"), &token).await;
    assert_eq!(
        codes(&report),
        [ProblemCode::NoExpiry, ProblemCode::NotFound]
    );
    let message = &report.problems[1].message;
    assert!(message.contains("not found"), "{message}");
    assert!(message.contains("Repository access"), "{message}");
    assert!(
        message.contains("waiting for the organization acme's approval"),
        "{message}"
    );
    assert!(message.contains("Pending requests"), "{message}");
    assert_eq!(report.verdict(), Verdict::FallsShort);

    // The token's own repositories are not an organization's: one cause.
    sim.add_github_repo("deploy-bot/tools");
    let report = check(&on_repo(&sim, "deploy-bot/tools"), &token).await;
    let message = &report.problems[1].message;
    assert!(message.contains("Repository access"), "{message}");
    assert!(!message.contains("approv"), "{message}");
}

#[tokio::test]
async fn an_empty_repository_is_probed_through_its_branches_not_stopped() {
    let sim = sim().await;
    sim.set_github_repo_empty("acme/web");
    let token = sim.add_token(full_fine_grained(&["acme/web"]));
    let report = check(&on_repo(&sim, "acme/web"), &token).await;
    assert!(report.ready, "{:?}", report.problems);
    assert!(!report.has(ProblemCode::UnexpectedResponse));
    assert!(report.missing.is_empty());
    let paths: Vec<_> = sim
        .requests(Provider::Github)
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert!(
        paths.iter().any(|p| p.contains("/repos/acme/web/branches")),
        "{paths:?}"
    );

    // Without Contents, the branches say so.
    let without = sim.add_token(TokenSpec::github_fine_grained(
        "deploy-bot",
        &["acme/web"],
        &[("pull_requests", "write"), ("repository_hooks", "write")],
    ));
    let report = check(&on_repo(&sim, "acme/web"), &without).await;
    assert_eq!(report.missing, ["contents:read"]);
}

#[tokio::test]
async fn on_a_public_repository_reads_prove_nothing_and_are_never_granted() {
    let sim = sim().await;
    sim.add_github_repo("acme/site");
    sim.set_github_repo_public("acme/site");
    // Given the repository with every permission, or given nothing but
    // webhooks: either way a read of a public repository proves nothing.
    let full = sim.add_token(full_fine_grained(&["acme/site"]));
    let hooks_only = sim.add_token(TokenSpec::github_fine_grained(
        "deploy-bot",
        &["acme/site"],
        &[("repository_hooks", "write")],
    ));
    for token in [&full, &hooks_only] {
        let report = check(&on_repo(&sim, "acme/site"), token).await;
        assert!(report.missing.is_empty(), "{:?}", report.missing);
        assert_eq!(
            report.unverified,
            [
                "contents:read",
                "repository_hooks:write",
                "pull_requests:write"
            ]
        );
    }
    // Webhooks are never public: a token without them still lacks them.
    let nothing = sim.add_token(TokenSpec::github_fine_grained("deploy-bot", &[], &[]));
    let report = check(&on_repo(&sim, "acme/site"), &nothing).await;
    assert_eq!(report.missing, ["repository_hooks:write"]);
    assert_eq!(report.unverified, ["contents:read", "pull_requests:write"]);
    // A private repository's reads still prove read access.
    let report = check(
        &on_repo(&sim, "acme/web"),
        &sim.add_token(full_fine_grained(&["acme/web"])),
    )
    .await;
    assert_eq!(
        report.unverified,
        ["repository_hooks:write", "pull_requests:write"]
    );
}

#[tokio::test]
async fn a_secondary_rate_limit_is_could_not_check_never_lacks_permission() {
    let sim = sim().await;
    // On a probe, as 403 without Retry-After and with requests remaining.
    let token = sim.add_token(full_fine_grained(&["acme/web"]));
    sim.set_github_secondary_limit(Some(SecondaryLimit {
        status: 403,
        retry_after_secs: None,
        path_contains: Some("/hooks".into()),
    }));
    let report = check(&on_repo(&sim, "acme/web"), &token).await;
    assert!(report.missing.is_empty(), "{:?}", report.missing);
    assert!(!report.has(ProblemCode::MissingPermissions));
    assert!(
        report.has(ProblemCode::RateLimited),
        "{:?}",
        report.problems
    );
    assert_eq!(report.verdict(), Verdict::Unchecked);
    let message = &report
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::RateLimited)
        .unwrap()
        .message;
    assert!(message.contains("secondary rate limit"), "{message}");
    assert!(message.contains("at least a minute"), "{message}");
    assert!(message.contains("in about 1 minute"), "{message}");
    assert!(
        message.contains("not a problem with the token"),
        "{message}"
    );

    // As 429 with Retry-After, on the first call.
    let other = sim.add_token(full_fine_grained(&["acme/web"]));
    sim.set_github_secondary_limit(Some(SecondaryLimit {
        status: 429,
        retry_after_secs: Some(180),
        path_contains: None,
    }));
    let report = check(&on_repo(&sim, "acme/web"), &other).await;
    assert_eq!(codes(&report), [ProblemCode::RateLimited]);
    assert!(
        report.problems[0].message.contains("in about 3 minutes"),
        "{}",
        report.problems[0].message
    );
}

#[tokio::test]
async fn a_permission_gap_names_what_github_says_the_call_needs() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_fine_grained(
        "deploy-bot",
        &["acme/web"],
        &[("contents", "read")],
    ));
    let report = check(&on_repo(&sim, "acme/web"), &token).await;
    assert_eq!(
        report.missing,
        ["repository_hooks:write", "pull_requests:write"]
    );
    let message = &report.problems[1].message;
    assert!(
        message.contains("GitHub says this needs repository_hooks: read"),
        "{message}"
    );
    assert!(
        message.contains("GitHub says this needs pull_requests: read"),
        "{message}"
    );
}

#[tokio::test]
async fn a_403_on_webhooks_names_the_permission_and_admin_rights() {
    let sim = sim().await;
    sim.set_github_non_admin("acme/web", "deploy-bot");
    let token = sim.add_token(full_fine_grained(&["acme/web"]));
    let report = check(&on_repo(&sim, "acme/web"), &token).await;
    assert!(report.has(ProblemCode::MissingPermissions));
    let message = &report.problems[1].message;
    assert!(message.contains("Webhooks: Read and write"), "{message}");
    assert!(message.contains("not an admin of acme/web"), "{message}");
}

#[tokio::test]
async fn a_classic_tokens_403_on_webhooks_names_admin_rights_and_the_scope() {
    let sim = sim().await;
    sim.set_github_non_admin("acme/web", "deploy-bot");
    let token = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook"],
    ));
    let report = check(&on_repo(&sim, "acme/web"), &token).await;
    assert_eq!(
        codes(&report),
        [ProblemCode::NoExpiry, ProblemCode::InsufficientRole]
    );
    let message = &report.problems[1].message;
    assert!(
        message.contains("not an admin of the repository"),
        "{message}"
    );
    assert!(message.contains("admin:repo_hook"), "{message}");
    assert!(!report.ready);
    assert_eq!(report.verdict(), Verdict::FallsShort);
    // An admin's token is ready, and its hooks were asked.
    let admin = sim.add_token(TokenSpec::github_classic(
        "octo-admin",
        &["repo", "admin:repo_hook"],
    ));
    sim.reset_requests();
    assert!(check(&on_repo(&sim, "acme/web"), &admin).await.ready);
    assert!(sim
        .requests(Provider::Github)
        .iter()
        .any(|r| r.path.ends_with("/repos/acme/web/hooks")));
}

#[tokio::test]
async fn an_organization_forbidding_classic_tokens_points_to_a_fine_grained_token() {
    let sim = sim().await;
    sim.forbid_github_classic_tokens("acme");
    let token = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook", "read:org"],
    ));
    let mut with_org = on_repo(&sim, "acme/web");
    with_org.org = Some("acme".into());
    for req in [with_org, on_repo(&sim, "acme/web")] {
        let report = check(&req, &token).await;
        assert_eq!(
            codes(&report),
            [ProblemCode::NoExpiry, ProblemCode::ClassicTokenForbidden],
            "{:?}",
            report.problems
        );
        let message = &report.problems[1].message;
        assert!(
            message.contains("acme forbids classic personal access tokens"),
            "{message}"
        );
        assert!(
            message.contains("fine-grained personal access token"),
            "{message}"
        );
        assert!(
            message.contains("/settings/personal-access-tokens"),
            "{message}"
        );
        assert_eq!(report.verdict(), Verdict::FallsShort);
        assert_eq!(report.verdict().exit_code(), 1);
    }
    // A fine-grained token reaches it.
    let fine = sim.add_token(full_fine_grained(&["acme/web"]));
    assert!(check(&on_repo(&sim, "acme/web"), &fine).await.ready);
}

#[tokio::test]
async fn one_exhausted_account_does_not_hold_back_another_on_the_same_host() {
    let sim = sim().await;
    let tired = TokenSecret::new(sim.add_token(TokenSpec::github_classic(
        "tired-bot",
        &["repo", "admin:repo_hook"],
    )));
    let fresh = TokenSecret::new(sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook"],
    )));
    sim.exhaust_github_rate_limit("tired-bot", Duration::from_secs(600));
    // One checker, as the app keeps: its holds are shared by every check.
    let checker = checker();
    let req = github(&sim);
    let report = checker.check(&req, &tired).await;
    assert_eq!(codes(&report), [ProblemCode::RateLimited]);
    assert!(report.problems[0].message.contains("Try again after"));
    assert_eq!(sim.requests(Provider::Github).len(), 1);

    // The exhausted account is left alone...
    let report = checker.check(&req, &tired).await;
    assert_eq!(codes(&report), [ProblemCode::RateLimited]);
    assert!(report.problems[0].message.contains("did not ask again"));
    assert_eq!(sim.requests(Provider::Github).len(), 1);

    // ...and the other account's check goes out and passes.
    let report = checker.check(&req, &fresh).await;
    assert!(report.ready, "{:?}", report.problems);
    assert_eq!(sim.requests(Provider::Github).len(), 2);
}

#[tokio::test]
async fn rate_limiting_is_not_a_bad_token_and_says_when_to_retry() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook"],
    ));
    for retry_after in [false, true] {
        sim.set_behaviour(
            Provider::Github,
            Behaviour {
                rate_limited: Some(RateLimit {
                    reset_in: Duration::from_secs(600),
                    retry_after,
                }),
                ..Behaviour::default()
            },
        );
        sim.reset_requests();
        let report = check(&github(&sim), &token).await;
        assert_eq!(codes(&report), [ProblemCode::RateLimited]);
        assert_eq!(report.verdict(), Verdict::Unchecked);
        assert!(
            report.problems[0].message.contains("Try again after"),
            "{}",
            report.problems[0].message
        );
        assert!(report.problems[0]
            .message
            .contains("not a problem with the token"));
        // Honoured, not hammered: one request, no retries.
        assert_eq!(sim.requests(Provider::Github).len(), 1);
    }
}

#[tokio::test]
async fn transient_server_errors_are_retried_a_bounded_number_of_times() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook"],
    ));

    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            fail_next: 2,
            ..Behaviour::default()
        },
    );
    let report = check(&github(&sim), &token).await;
    assert!(report.ready, "two 503s then success: {:?}", report.problems);
    assert_eq!(sim.requests(Provider::Github).len(), 3);

    sim.reset_requests();
    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            fail_always: true,
            ..Behaviour::default()
        },
    );
    let report = check(&github(&sim), &token).await;
    assert_eq!(codes(&report), [ProblemCode::UnexpectedResponse]);
    assert!(report.problems[0].message.contains("503"));
    assert_eq!(report.verdict(), Verdict::Unchecked);
    assert_eq!(
        sim.requests(Provider::Github).len(),
        3,
        "1 attempt + 2 retries"
    );
}

#[tokio::test]
async fn a_provider_slower_than_the_timeout_is_unreachable() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook"],
    ));
    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            latency: Duration::from_secs(3),
            ..Behaviour::default()
        },
    );
    let checker = checker_with(CheckOptions {
        http: HttpOptions {
            timeout: Duration::from_millis(300),
            retries: 2,
            backoff: Duration::from_millis(10),
        },
        per_host_concurrency: 4,
    });
    let started = Instant::now();
    let report = checker.check(&github(&sim), &TokenSecret::new(token)).await;
    assert_eq!(codes(&report), [ProblemCode::Unreachable]);
    assert!(report.problems[0].message.contains("did not answer"));
    // Timeouts are not retried: one wait, not three.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_provider_that_drops_connections_or_is_not_listening_is_unreachable() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook"],
    ));
    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            down: true,
            ..Behaviour::default()
        },
    );
    let report = check(&github(&sim), &token).await;
    assert_eq!(
        codes(&report),
        [ProblemCode::Unreachable],
        "{:?}",
        report.problems
    );

    // A port nobody listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let req = request(
        ProviderKind::Github,
        &format!("http://127.0.0.1:{port}/api/v3"),
    );
    let report = check(&req, &token).await;
    assert_eq!(codes(&report), [ProblemCode::Unreachable]);
    assert!(
        report.problems[0].message.contains("nothing is listening"),
        "{}",
        report.problems[0].message
    );
    assert_eq!(report.verdict(), Verdict::Unchecked);
}

#[tokio::test]
async fn a_host_that_does_not_resolve_is_unreachable() {
    // `.invalid` never resolves (RFC 2606).
    let req = request(
        ProviderKind::Github,
        "https://tokenwarden-test.invalid/api/v3",
    );
    let report = check(&req, "ghp_abcdefghijklmnopqrstuvwxyz0123456789").await;
    assert_eq!(codes(&report), [ProblemCode::Unreachable]);
    assert!(
        report.problems[0]
            .message
            .contains("server name could not be found"),
        "{}",
        report.problems[0].message
    );
}

#[tokio::test]
async fn a_tls_handshake_failure_is_reported_as_such() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::github_classic(
        "deploy-bot",
        &["repo", "admin:repo_hook"],
    ));
    // https:// to a plain-HTTP listener: the handshake cannot succeed.
    let api = sim.github_api_url().replace("http://", "https://");
    let report = check(&request(ProviderKind::Github, &api), &token).await;
    assert_eq!(
        codes(&report),
        [ProblemCode::TlsError],
        "{:?}",
        report.problems
    );
}

#[tokio::test]
async fn another_providers_token_is_refused_before_anything_is_sent() {
    let sim = sim().await;
    for foreign in ["glpat-abcdefghijklmnopqrst", "ATCTT3xFfGN0abcdef"] {
        let report = check(&github(&sim), foreign).await;
        assert_eq!(codes(&report), [ProblemCode::ProviderMismatch]);
        assert_eq!(report.verdict(), Verdict::Unusable);
    }
    assert!(sim.requests(Provider::Github).is_empty());
}

#[tokio::test]
async fn many_tokens_are_checked_concurrently_within_the_per_host_bound() {
    let sim = sim().await;
    let latency = Duration::from_millis(200);
    let tokens: Vec<_> = (0..12)
        .map(|i| {
            sim.add_token(TokenSpec::github_classic(
                &format!("user{i}"),
                &["repo", "admin:repo_hook"],
            ))
        })
        .collect();
    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            latency,
            ..Behaviour::default()
        },
    );
    let checker = checker_with(CheckOptions {
        per_host_concurrency: 4,
        ..CheckOptions::default()
    });
    let secrets: Vec<_> = tokens.iter().map(TokenSecret::new).collect();
    let req = github(&sim);
    let items: Vec<_> = secrets.iter().map(|s| (req.clone(), s)).collect();

    let started = Instant::now();
    let reports = checker.check_many(&items).await;
    let elapsed = started.elapsed();

    let logins: Vec<_> = reports
        .iter()
        .map(|r| r.identity.as_ref().unwrap().login.clone())
        .collect();
    assert_eq!(
        logins,
        (0..12).map(|i| format!("user{i}")).collect::<Vec<_>>(),
        "input order kept"
    );
    // 12 checks of one request each, 4 at a time: at least 3 rounds...
    assert!(
        elapsed >= latency * 3,
        "{elapsed:?}: the per-host bound was not applied"
    );
    // ...and far fewer than 12 in sequence.
    assert!(
        elapsed < latency * 10,
        "{elapsed:?}: checks did not run concurrently"
    );
}
