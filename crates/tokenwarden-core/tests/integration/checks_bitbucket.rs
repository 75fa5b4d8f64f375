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

fn bitbucket(sim: &Simulator, repo: Option<&str>) -> CheckRequest {
    let mut req = request(ProviderKind::Bitbucket, &sim.bitbucket_api_url());
    req.workspace = Some("acme".into());
    req.repo = repo.map(Into::into);
    req
}

#[tokio::test]
async fn a_repository_token_is_ready_and_its_expiry_is_what_the_user_entered() {
    let sim = sim().await;
    let token = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "acme",
        &["acme/web"],
        ALL,
    ));
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
    let token = sim.add_token(TokenSpec::bitbucket(
        TokenKind::BitbucketRepository,
        "acme",
        &["acme/web"],
        ALL,
    ));
    let report = check(&bitbucket(&sim, Some("nope")), &token).await;
    assert!(report.has(ProblemCode::NotFound));
    assert_eq!(report.verdict(), Verdict::FallsShort);

    sim.revoke(&token);
    let report = check(&bitbucket(&sim, Some("web")), &token).await;
    assert_eq!(codes(&report), [ProblemCode::InvalidToken]);
    assert_eq!(report.verdict(), Verdict::Unusable);
}

#[tokio::test]
async fn a_gitlab_token_is_never_sent_to_bitbucket() {
    let sim = sim().await;
    let report = check(&bitbucket(&sim, Some("web")), "glpat-abcdefghijklmnopqrst").await;
    assert_eq!(codes(&report), [ProblemCode::ProviderMismatch]);
    assert!(sim.requests(Provider::Bitbucket).is_empty());
}
