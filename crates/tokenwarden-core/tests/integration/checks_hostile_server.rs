//! Answers no real provider gives: garbage and oversized bodies, from a
//! bare loopback server. They must end as `unexpected_response`, with the
//! body read under a cap, never as a crash or a false "ready".

use tokenwarden_core::check::{ProblemCode, Verdict};
use tokenwarden_core::ProviderKind;

use crate::support::*;

#[tokio::test]
async fn a_body_that_is_not_json_is_an_unexpected_response() {
    let base = serve(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json",
        b"<html>captive portal</html>".to_vec(),
    )
    .await;
    for (provider, api) in [
        (ProviderKind::Github, format!("{base}/api/v3")),
        (ProviderKind::Gitlab, format!("{base}/api/v4")),
    ] {
        let report = check(&request(provider, &api), "token-without-prefix-0123456789").await;
        assert_eq!(
            codes(&report),
            [ProblemCode::UnexpectedResponse],
            "{provider:?}"
        );
        assert_eq!(report.verdict(), Verdict::Unchecked);
        assert!(!report.ready);
    }
}

#[tokio::test]
async fn an_oversized_body_is_cut_off_and_reported() {
    let base = serve(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json",
        vec![b' '; 3 * 1024 * 1024],
    )
    .await;
    let report = check(
        &request(ProviderKind::Github, &format!("{base}/api/v3")),
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    )
    .await;
    assert_eq!(codes(&report), [ProblemCode::UnexpectedResponse]);
    assert!(
        report.problems[0].message.contains("larger than"),
        "{}",
        report.problems[0].message
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed_with_the_token() {
    let base = serve(
        "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:9/steal",
        Vec::new(),
    )
    .await;
    let report = check(
        &request(ProviderKind::Github, &format!("{base}/api/v3")),
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    )
    .await;
    assert_eq!(codes(&report), [ProblemCode::UnexpectedResponse]);
    assert!(
        report.problems[0].message.contains("HTTP 302"),
        "{}",
        report.problems[0].message
    );
}
