//! Bitbucket Cloud checks through the provider simulator.

use tokenwarden_core::check::{CheckRequest, ExpirySource, ProblemCode, Verdict};
use tokenwarden_core::{ProviderKind, TokenKindId};

use crate::support::*;

const ALL: &[&str] = &["repository", "pullrequest:write", "webhook"];

async fn sim() -> Simulator {
    let sim = Simulator::start().await.unwrap();
    sim.add_bitbucket_workspace("acme");
    sim.add_bitbucket_repo("acme", "web");
    sim
}

/// A repository access token for acme/web with every required scope.
fn repo_token(sim: &Simulator) -> String {
    sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "acme",
        &["acme/web"],
        ALL,
    ))
}

fn bitbucket(sim: &Simulator, repo: Option<&str>) -> CheckRequest {
    let mut req = request(ProviderKind::Bitbucket, &sim.bitbucket_api_url());
    req.workspace = Some("acme".into());
    req.repo = repo.map(Into::into);
    req
}

#[tokio::test]
async fn a_repository_token_is_ready_and_its_expiry_is_what_the_user_entered() {
    let sim = sim().await;
    let token = repo_token(&sim);
    let mut req = bitbucket(&sim, Some("web"));
    let expires = date_in_days(120);
    req.user_expires_at = Some(expires);
    let report = check(&req, &token).await;
    assert!(report.ready, "{report:#?}");
    assert_eq!(report.kind, Some(TokenKindId::Repository));
    assert_eq!(report.identity, None, "access tokens have no user");
    assert_eq!(report.scopes.as_deref().unwrap(), ALL);
    assert_eq!(report.expiry, ExpirySource::User);
    assert_eq!(report.expires_at.unwrap().date_naive(), expires);
}

#[tokio::test]
async fn without_a_date_the_expiry_is_unknown() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketWorkspace,
        "acme",
        &[],
        ALL,
    ));
    let report = check(&bitbucket(&sim, None), &token).await;
    assert_eq!(report.kind, Some(TokenKindId::Workspace));
    assert!(report.ready, "{:?}", report.problems);
    assert_eq!(report.expiry, ExpirySource::Unknown);
    assert_eq!(report.expires_at, None);
    // Access tokens expire by default and no API says when: a clear
    // warning, not a failure.
    assert_eq!(codes(&report), [ProblemCode::ExpiryUnknown]);
    assert!(all_text(&report).contains("enter the date Bitbucket showed"));
}

#[tokio::test]
async fn broader_scopes_count_and_missing_ones_are_named() {
    let sim = sim().await;
    let broad = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "acme",
        &["acme/web"],
        &["repository:admin", "pullrequest:write", "webhook"],
    ));
    assert!(check(&bitbucket(&sim, Some("web")), &broad).await.ready);

    let narrow = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "acme",
        &["acme/web"],
        &["repository", "pullrequest"],
    ));
    let report = check(&bitbucket(&sim, Some("web")), &narrow).await;
    assert_eq!(report.missing, ["pullrequest:write", "webhook"]);
    assert!(report.has(ProblemCode::MissingPermissions));
    assert_eq!(report.verdict(), Verdict::FallsShort);
}

#[tokio::test]
async fn an_unknown_repository_is_not_found_and_a_revoked_token_is_invalid() {
    let sim = sim().await;
    let token = repo_token(&sim);
    let report = check(&bitbucket(&sim, Some("nope")), &token).await;
    assert!(report.has(ProblemCode::NotFound));
    assert_eq!(report.verdict(), Verdict::FallsShort);

    sim.revoke(&token);
    let report = check(&bitbucket(&sim, Some("web")), &token).await;
    assert_eq!(codes(&report), [ProblemCode::InvalidToken]);
    assert_eq!(report.verdict(), Verdict::Unusable);
}

/// Bitbucket refuses a repository access token its workspace with a 403
/// that still lists every scope the token holds: the scopes are all there,
/// yet the token cannot read what it was checked against. Found by the
/// provider_answers fuzz target.
#[tokio::test]
async fn a_refusal_is_never_ready_even_when_every_scope_is_granted() {
    let sim = sim().await;
    let token = repo_token(&sim);
    let mut req = bitbucket(&sim, None);
    req.kind = Some(TokenKindId::Workspace);
    req.user_expires_at = Some(date_in_days(120));
    let report = check(&req, &token).await;
    assert!(!report.ready, "{report:#?}");
    assert_eq!(report.verdict(), Verdict::FallsShort);
    assert_eq!(codes(&report), [ProblemCode::NotFound]);
    assert!(
        all_text(&report).contains("may not read the workspace acme"),
        "{}",
        all_text(&report)
    );
}

#[tokio::test]
async fn a_gitlab_token_is_never_sent_to_bitbucket() {
    let sim = sim().await;
    let report = check(&bitbucket(&sim, Some("web")), "glpat-abcdefghijklmnopqrst").await;
    assert_eq!(codes(&report), [ProblemCode::ProviderMismatch]);
    assert!(sim.requests(Provider::Bitbucket).is_empty());
}

#[tokio::test]
async fn scope_implications_are_atlassians() {
    let sim = sim().await;
    // `pullrequest:write` implies `pullrequest` and so `repository`.
    let implied = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "acme",
        &["acme/web"],
        &["pullrequest:write", "webhook"],
    ));
    let report = check(&bitbucket(&sim, Some("web")), &implied).await;
    assert!(report.ready, "{report:#?}");

    // `repository:admin` implies neither `repository` nor anything else:
    // the simulator refuses the repository read, as Bitbucket does.
    let admin = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "acme",
        &["acme/web"],
        &["repository:admin", "webhook"],
    ));
    let report = check(&bitbucket(&sim, Some("web")), &admin).await;
    assert!(report.authenticated);
    assert_eq!(report.missing, ["repository", "pullrequest:write"]);
    assert!(report.has(ProblemCode::MissingPermissions));

    // `webhook` stands alone.
    let hooks = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketWorkspace,
        "acme",
        &[],
        &["webhook"],
    ));
    let report = check(&bitbucket(&sim, None), &hooks).await;
    assert_eq!(report.missing, ["repository", "pullrequest:write"]);
}

#[tokio::test]
async fn without_a_scope_header_the_requirements_are_unverified_not_missing() {
    let sim = sim().await;
    let mut spec = TokenSpec::bitbucket(TokenKind::BitbucketRepository, "acme", &["acme/web"], ALL);
    spec.no_scopes_header = true;
    let token = sim.add_token(spec);
    let mut req = bitbucket(&sim, Some("web"));
    req.user_expires_at = Some(date_in_days(200));
    let report = check(&req, &token).await;
    assert!(report.authenticated);
    assert_eq!(report.scopes, None, "unknown, not empty");
    assert!(report.missing.is_empty());
    assert_eq!(report.unverified, ALL);
    assert!(!report.has(ProblemCode::MissingPermissions));
}

#[tokio::test]
async fn api_tokens_and_app_passwords_are_refused_before_sending() {
    let sim = sim().await;
    for (value, words) in [
        (
            "ATATT3xFfGF0abcdefghijklmnopqrstuvwxyz-_0123456789=ABCD1234",
            "Atlassian API token",
        ),
        ("ATBBabcdefghijklmnopqrstuvwxyz0123456789", "app password"),
    ] {
        let report = check(&bitbucket(&sim, Some("web")), value).await;
        assert_eq!(codes(&report), [ProblemCode::WrongTokenType]);
        assert_eq!(report.verdict(), Verdict::Unusable);
        let text = all_text(&report);
        assert!(text.contains(words), "{text}");
        assert!(text.contains("access token instead"), "{text}");
        assert!(!text.contains(value));
    }
    assert!(sim.requests(Provider::Bitbucket).is_empty());
}

#[tokio::test]
async fn minted_values_have_the_real_shape_and_check_ready() {
    let sim = sim().await;
    let token = repo_token(&sim);
    assert!(token.starts_with("ATCTT3xFfGN0") && token.len() >= 180);
    assert!(token.contains('_') && token.contains('-') && token.contains('='));
    let mut req = bitbucket(&sim, Some("web"));
    req.user_expires_at = Some(date_in_days(300));
    assert!(check(&req, &token).await.ready);
}
