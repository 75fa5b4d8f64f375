//! Providers failing at scale: a storm of 5xx answers while a whole vault
//! is checked, a rate limit in force, connections cut in the middle of an
//! answer. Each test counts what reached the provider and states what the
//! user is told afterwards.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokenwarden_core::check::{HttpOptions, ProblemCode, Verdict};
use tokenwarden_core::checker::CheckOptions;
use tokenwarden_core::{ProviderKind, TokenSecret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::*;

const PER_HOST: usize = 8;
const RETRIES: u32 = 2;

fn storm_checker() -> tokenwarden_core::checker::Checker {
    checker_with(CheckOptions {
        http: HttpOptions {
            timeout: Duration::from_secs(5),
            retries: RETRIES,
            backoff: Duration::from_millis(10),
        },
        per_host_concurrency: PER_HOST,
    })
}

fn github_tokens(sim: &Simulator, n: usize) -> Vec<TokenSecret> {
    (0..n)
        .map(|i| {
            TokenSecret::new(sim.add_token(TokenSpec::github_classic(
                &format!("user{i}"),
                &["repo", "admin:repo_hook"],
            )))
        })
        .collect()
}

#[tokio::test]
async fn a_5xx_storm_over_a_whole_vault_is_retried_a_bounded_number_of_times_without_pile_up() {
    let sim = Simulator::start().await.unwrap();
    let tokens = github_tokens(&sim, 40);
    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            fail_always: true,
            fail_status: 502,
            // Long enough for requests to overlap, so the bound is visible.
            latency: Duration::from_millis(30),
            ..Behaviour::default()
        },
    );
    let request = request(ProviderKind::Github, &sim.github_api_url());
    let items: Vec<_> = tokens.iter().map(|t| (request.clone(), t)).collect();

    let started = Instant::now();
    let reports = storm_checker().check_many(&items).await;
    let elapsed = started.elapsed();

    for report in &reports {
        assert_eq!(codes(report), [ProblemCode::UnexpectedResponse]);
        assert_eq!(
            report.verdict(),
            Verdict::Unchecked,
            "never called a bad token"
        );
        assert!(!report.ready && !report.authenticated);
        assert!(
            report.problems[0]
                .message
                .contains("says nothing about the token"),
            "{}",
            report.problems[0].message
        );
    }
    let sent = sim.requests(Provider::Github).len();
    assert_eq!(
        sent,
        tokens.len() * (1 + RETRIES as usize),
        "each token: one attempt and {RETRIES} retries, no more"
    );
    let peak = sim.max_concurrent_requests(Provider::Github);
    assert!(
        (2..=PER_HOST).contains(&peak),
        "{peak} requests at once: the per-host bound of {PER_HOST} must hold (and checks must overlap)"
    );
    // 120 answers of 30 ms, 8 at a time, plus backoff: well under 2 s.
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn a_rate_limited_account_is_left_alone_until_the_time_it_gave() {
    let sim = Simulator::start().await.unwrap();
    let tokens = github_tokens(&sim, 20);
    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            rate_limited: Some(RateLimit {
                reset_in: Duration::from_secs(2),
                retry_after: true,
            }),
            ..Behaviour::default()
        },
    );
    // One checker, as the app keeps for its whole life (the watcher's
    // rounds, "check all", rotations).
    let checker = storm_checker();
    let request = request(ProviderKind::Github, &sim.github_api_url());

    let first = checker.check(&request, &tokens[0]).await;
    assert_eq!(codes(&first), [ProblemCode::RateLimited]);
    assert!(first.problems[0].message.contains("Try again after"));
    assert_eq!(sim.requests(Provider::Github).len(), 1, "not retried");

    let items: Vec<_> = tokens.iter().map(|t| (request.clone(), t)).collect();
    // Limits are per account (GitHub's primary limit is per user): each
    // other account is asked once, never retried, and the first one not
    // again. Then every account is left alone.
    let first_round = checker.check_many(&items).await;
    assert_eq!(
        sim.requests(Provider::Github).len(),
        tokens.len(),
        "one request per account, none retried"
    );
    assert!(first_round
        .iter()
        .all(|r| codes(r) == [ProblemCode::RateLimited]));
    let held = checker.check_many(&items).await;
    assert_eq!(
        sim.requests(Provider::Github).len(),
        tokens.len(),
        "nothing more sent before the time GitHub gave"
    );
    for report in &held {
        assert_eq!(codes(report), [ProblemCode::RateLimited]);
        assert_eq!(report.verdict(), Verdict::Unchecked);
        let message = &report.problems[0].message;
        assert!(message.contains("did not ask again"), "{message}");
        assert!(message.contains("Try again after"), "{message}");
        assert!(
            message.contains("not a problem with the token"),
            "{message}"
        );
    }

    // Once the time has passed, checks go out again.
    sim.set_behaviour(Provider::Github, Behaviour::default());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let after = checker.check_many(&items).await;
    assert!(after.iter().all(|r| r.ready), "{:?}", after[0].problems);
    assert!(sim.requests(Provider::Github).len() > tokens.len());
}

/// Answers every connection with headers and the start of a body, then
/// resets the connection; counts the connections.
async fn cut_mid_answer() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4096\r\n\r\n{\"login\": \"deploy-b",
                    )
                    .await;
                let _ = socket.flush().await;
                // A reset, not a clean close: linger zero sends RST.
                let _ = socket.set_zero_linger();
                drop(socket);
            });
        }
    });
    (format!("http://{addr}/api/v3"), connections)
}

#[tokio::test]
async fn a_connection_reset_in_the_middle_of_an_answer_is_unreachable_after_bounded_retries() {
    let (api, connections) = cut_mid_answer().await;
    let report = storm_checker()
        .check(
            &request(ProviderKind::Github, &api),
            &TokenSecret::new("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
        )
        .await;
    assert_eq!(codes(&report), [ProblemCode::Unreachable], "{report:?}");
    assert_eq!(report.verdict(), Verdict::Unchecked);
    assert!(report.identity.is_none(), "half an answer is no answer");
    assert!(
        report.problems[0]
            .message
            .contains("closed before an answer"),
        "{}",
        report.problems[0].message
    );
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1 + RETRIES as usize,
        "one attempt and {RETRIES} retries"
    );
}
