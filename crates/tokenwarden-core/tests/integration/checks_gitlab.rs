//! GitLab and self-managed GitLab checks through the provider simulator.

use std::time::Duration;

use tokenwarden_core::check::{CheckRequest, ExpirySource, ProblemCode, Verdict};
use tokenwarden_core::{ProviderKind, TokenKindId};

use crate::support::*;

async fn sim() -> Simulator {
    let sim = Simulator::start().await.unwrap();
    sim.add_gitlab_project("acme/web", 42);
    sim.add_gitlab_group("acme", 7);
    sim
}

fn gitlab(sim: &Simulator) -> CheckRequest {
    request(ProviderKind::Gitlab, &sim.gitlab_api_url())
}

fn project(sim: &Simulator, path: &str) -> CheckRequest {
    let mut req = gitlab(sim);
    req.kind = Some(TokenKindId::Project);
    req.project = Some(path.into());
    req
}

#[tokio::test]
async fn a_personal_token_with_api_and_read_repository_is_ready() {
    let sim = sim().await;
    let expires = date_in_days(90);
    let token = sim.add_token(
        TokenSpec::gitlab(
            TokenKind::GitlabPersonal,
            "deployer",
            &["api", "read_repository"],
        )
        .expires_at(expires.and_hms_opt(0, 0, 0).unwrap().and_utc()),
    );
    let report = check(&gitlab(&sim), &token).await;
    assert!(report.ready, "{report:#?}");
    assert_eq!(report.kind, Some(TokenKindId::Personal));
    assert_eq!(report.identity.unwrap().login, "deployer");
    assert_eq!(report.scopes.unwrap(), ["api", "read_repository"]);
    // GitLab's date means 00:00 UTC that day.
    assert_eq!(
        report.expires_at.unwrap().to_rfc3339(),
        format!("{expires}T00:00:00+00:00")
    );
    assert_eq!(report.expiry, ExpirySource::Provider);
}

#[tokio::test]
async fn missing_scopes_are_named_in_gitlabs_words() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "deployer",
        &["read_api"],
    ));
    let report = check(&gitlab(&sim), &token).await;
    assert_eq!(report.missing, ["api", "read_repository"]);
    assert!(report.has(ProblemCode::MissingPermissions));
    assert!(report.has(ProblemCode::NoExpiry));
    assert_eq!(report.verdict(), Verdict::FallsShort);
}

#[tokio::test]
async fn a_project_token_needs_maintainer_or_owner() {
    let sim = sim().await;
    for (level, ok) in [(30, false), (40, true), (50, true)] {
        let token = sim.add_token(
            TokenSpec::gitlab(
                TokenKind::GitlabProject,
                "project_42_bot",
                &["api", "read_repository"],
            )
            .target("acme/web", level),
        );
        let report = check(&project(&sim, "acme/web"), &token).await;
        assert_eq!(report.ready, ok, "level {level}: {:?}", report.problems);
        if !ok {
            assert_eq!(report.missing, ["role:maintainer"]);
            assert!(report.has(ProblemCode::InsufficientRole));
            let message = &report
                .problems
                .iter()
                .find(|p| p.code == ProblemCode::InsufficientRole)
                .unwrap()
                .message;
            assert!(message.contains("Developer role (30)"), "{message}");
            assert!(
                message.contains("/acme/web/-/settings/access_tokens"),
                "{message}"
            );
            assert_eq!(report.verdict(), Verdict::FallsShort);
        }
    }
}

#[tokio::test]
async fn a_group_token_is_checked_on_its_group() {
    let sim = sim().await;
    let token = sim.add_token(
        TokenSpec::gitlab(
            TokenKind::GitlabGroup,
            "group_7_bot",
            &["api", "read_repository"],
        )
        .target("acme", 50),
    );
    let mut req = gitlab(&sim);
    req.group = Some("acme".into());
    let report = check(&req, &token).await;
    assert_eq!(report.kind, Some(TokenKindId::Group));
    assert!(report.ready, "{:?}", report.problems);
}

#[tokio::test]
async fn an_unknown_project_is_not_found() {
    let sim = sim().await;
    let token = sim.add_token(
        TokenSpec::gitlab(
            TokenKind::GitlabProject,
            "project_42_bot",
            &["api", "read_repository"],
        )
        .target("acme/web", 40),
    );
    let report = check(&project(&sim, "acme/nope"), &token).await;
    assert!(report.has(ProblemCode::NotFound), "{:?}", report.problems);
}

#[tokio::test]
async fn revoked_tokens_are_unusable() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "deployer",
        &["api", "read_repository"],
    ));
    sim.revoke(&token);
    let report = check(&gitlab(&sim), &token).await;
    assert!(!report.authenticated);
    assert!(report.has(ProblemCode::InvalidToken));
    assert_eq!(report.verdict(), Verdict::Unusable);
}

#[tokio::test]
async fn a_github_token_is_never_sent_to_gitlab() {
    let sim = sim().await;
    let report = check(&gitlab(&sim), "ghp_000000000000000000000000000000000000").await;
    assert_eq!(codes(&report), [ProblemCode::ProviderMismatch]);
    assert!(sim.requests(Provider::Gitlab).is_empty());
}

#[tokio::test]
async fn a_custom_prefix_is_accepted_for_self_managed_instances() {
    let sim = sim().await;
    let mut spec = TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "deployer",
        &["api", "read_repository"],
    );
    spec.prefix_override = Some("corp-".into());
    let token = sim.add_token(spec);
    assert!(token.starts_with("corp-"));
    assert!(check(&gitlab(&sim), &token).await.authenticated);
}

#[tokio::test]
async fn rate_limiting_says_when_to_retry() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "deployer",
        &["api", "read_repository"],
    ));
    sim.set_behaviour(
        Provider::Gitlab,
        Behaviour {
            rate_limited: Some(RateLimit {
                reset_in: Duration::from_secs(90),
                retry_after: true,
            }),
            ..Behaviour::default()
        },
    );
    let report = check(&gitlab(&sim), &token).await;
    assert_eq!(codes(&report), [ProblemCode::RateLimited]);
    assert!(
        report.problems[0].message.contains("in about 2 minutes"),
        "{}",
        report.problems[0].message
    );
}

#[tokio::test]
async fn an_expired_token_is_reported_as_expired_not_just_invalid() {
    let sim = sim().await;
    // GitLab tokens stop at 00:00 UTC on their date: one dated today is gone.
    let token = sim.add_token(
        TokenSpec::gitlab(
            TokenKind::GitlabPersonal,
            "deployer",
            &["api", "read_repository"],
        )
        .expires_at(now()),
    );
    let report = check(&gitlab(&sim), &token).await;
    assert_eq!(codes(&report), [ProblemCode::Expired]);
    assert!(report.problems[0]
        .message
        .contains("/-/user_settings/personal_access_tokens"));
    assert_eq!(report.verdict(), Verdict::Unusable);
}

/// gitlab.com's failed-authentication ban: after too many failed
/// authentications from one address, every request answers 403 "Forbidden"
/// (plain text, no headers) for an hour. The check says so as a rate limit
/// (not a bad token), and leaves the host alone instead of hammering it.
#[tokio::test]
async fn a_failed_authentication_ban_is_a_rate_limit_and_the_host_is_left_alone() {
    let sim = sim().await;
    sim.ban_gitlab_after_failed_auths(3);
    let good = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "deployer",
        &["api", "read_repository"],
    ));
    let checker = checker();
    for wrong in ["glpat-wrong000000000000001", "glpat-wrong000000000000002"] {
        let report = checker
            .check(&gitlab(&sim), &tokenwarden_core::TokenSecret::new(wrong))
            .await;
        assert_eq!(codes(&report), [ProblemCode::InvalidToken]);
    }
    // The third failure bans the address.
    let report = checker
        .check(
            &gitlab(&sim),
            &tokenwarden_core::TokenSecret::new("glpat-wrong000000000000003"),
        )
        .await;
    assert_eq!(codes(&report), [ProblemCode::InvalidToken]);

    sim.reset_requests();
    let report = checker
        .check(
            &gitlab(&sim),
            &tokenwarden_core::TokenSecret::new(good.clone()),
        )
        .await;
    assert_eq!(codes(&report), [ProblemCode::RateLimited], "{report:#?}");
    assert_eq!(report.verdict(), Verdict::Unchecked);
    let words = all_text(&report);
    assert!(words.contains("up to an hour"), "{words}");
    assert!(words.contains("says nothing about this token"), "{words}");
    assert_eq!(sim.requests(Provider::Gitlab).len(), 1, "asked once");

    // Every later check through the same client is answered locally.
    for _ in 0..3 {
        let report = checker
            .check(
                &gitlab(&sim),
                &tokenwarden_core::TokenSecret::new(good.clone()),
            )
            .await;
        assert_eq!(codes(&report), [ProblemCode::RateLimited]);
    }
    assert_eq!(sim.requests(Provider::Gitlab).len(), 1, "no hammering");
}

#[tokio::test]
async fn minted_gitlab_values_have_the_routable_shape_and_check_ready() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::gitlab(
        TokenKind::GitlabPersonal,
        "deployer",
        &["api", "read_repository"],
    ));
    let parts: Vec<_> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    assert!(parts[0].starts_with("glpat-") && parts[1] == "01");
    let report = check(&gitlab(&sim), &token).await;
    assert!(report.authenticated, "{report:#?}");
    assert!(report.missing.is_empty());
}
