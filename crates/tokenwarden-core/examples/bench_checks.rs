//! Benchmark: checking many tokens at once against the provider simulator
//! with 100 ms of latency per request, beside the floor (one token's
//! round trips in sequence), with the process's CPU time. Prints figures;
//! asserts nothing. Run with:
//!
//!     cargo run --release -p tokenwarden-core --example bench_checks
//!
//! Medians over `RUNS` runs. BENCHMARKS.md records the results.

use std::time::{Duration, Instant};

use tokenwarden_core::check::CheckRequest;
use tokenwarden_core::checker::{CheckOptions, Checker};
use tokenwarden_core::{ProviderKind, TokenSecret};
use tokenwarden_sim::{Behaviour, Provider, Simulator, TokenSpec};

const RUNS: usize = 5;
const LATENCY: Duration = Duration::from_millis(100);

/// User plus system CPU time of this process so far (Linux: /proc).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may contain spaces).
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    // USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    let sim = Simulator::start().await.expect("simulator starts");
    sim.set_behaviour(
        Provider::Github,
        Behaviour {
            latency: LATENCY,
            ..Behaviour::default()
        },
    );
    let request = CheckRequest::new(
        ProviderKind::Github,
        url::Url::parse(&sim.github_api_url()).expect("simulator URL"),
    );
    let options = CheckOptions::default();
    println!(
        "Checking classic GitHub tokens (1 request each), {} ms latency per request, per-host bound {}, median of {RUNS} runs",
        LATENCY.as_millis(),
        options.per_host_concurrency
    );

    // The floor: one token's round trips, in sequence.
    let one = TokenSecret::new(sim.add_token(TokenSpec::github_classic(
        "bench",
        &["repo", "admin:repo_hook"],
    )));
    let checker = Checker::new(options.clone());
    let mut floor_runs = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let report = checker.check(&request, &one).await;
        assert!(report.authenticated);
        floor_runs.push(started.elapsed());
    }
    let floor = median(floor_runs);
    println!(
        "floor (1 token, sequential round trips): {:>8.1} ms",
        floor.as_secs_f64() * 1e3
    );
    println!(
        "{:>6}  {:>10}  {:>9}  {:>10}",
        "tokens", "total ms", "x floor", "CPU ms"
    );

    for n in [1usize, 10, 100, 1000] {
        let secrets: Vec<TokenSecret> = (0..n)
            .map(|i| {
                TokenSecret::new(sim.add_token(TokenSpec::github_classic(
                    &format!("u{i}"),
                    &["repo", "admin:repo_hook"],
                )))
            })
            .collect();
        let items: Vec<_> = secrets.iter().map(|s| (request.clone(), s)).collect();
        let mut totals = Vec::new();
        let mut cpus = Vec::new();
        for _ in 0..RUNS {
            let checker = Checker::new(options.clone());
            let cpu = cpu_time();
            let started = Instant::now();
            let reports = checker.check_many(&items).await;
            totals.push(started.elapsed());
            cpus.push(cpu_time().saturating_sub(cpu));
            assert!(
                reports.iter().all(|r| r.authenticated),
                "every check succeeded"
            );
        }
        let total = median(totals);
        println!(
            "{n:>6}  {:>10.1}  {:>9.2}  {:>10.0}",
            total.as_secs_f64() * 1e3,
            total.as_secs_f64() / floor.as_secs_f64(),
            median(cpus).as_secs_f64() * 1e3
        );
    }
    sim.shutdown().await;
}
