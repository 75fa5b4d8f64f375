//! Benchmark: the vault at scale. Loads and lists 10,000 tokens' metadata
//! and runs the watcher's round over them (`core::watch::round`: expiry
//! schedule and breakage alerts), beside the floor: reading and parsing the
//! metadata file alone. Prints figures; asserts nothing. Run with:
//!
//!     cargo run --release -p tokenwarden-core --example bench_vault
//!
//! `Vault::list` asks the keychain whether each token's secret is still
//! there, so listing is measured on keyring's in-memory mock store (the
//! vault's own cost) and, with `--secret-service N`, against the real
//! Secret Service for N tokens (inside tests/harness/desktop-session.sh,
//! which provides a throw-away, unlocked gnome-keyring).
//!
//! Medians over `RUNS` runs. BENCHMARKS.md records the results.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokenwarden_core::catalogue::{ProviderKind, TokenKindId};
use tokenwarden_core::check::{ExpirySource, Identity, Problem, ProblemCode, SystemClock, Verdict};
use tokenwarden_core::checker::{CheckOptions, Checker};
use tokenwarden_core::vault::{
    KeyringStore, LastCheck, MetadataFile, NoFaults, SecretStore, TimedStore, TokenRecord, Vault,
    VaultConfig, VaultData, VaultParts, FORMAT_VERSION, METADATA_FILE_NAME,
};
use tokenwarden_core::watch::{
    self, RoundInput, WatchSettings, WatchState, WatchStateFile, WatchedToken,
};
use tokenwarden_core::TokenSecret;

const RUNS: usize = 5;
const TOKENS: usize = 10_000;
/// Matches the app's default (`TOKENWARDEN_KEYCHAIN_TIMEOUT`).
const KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(20);

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// Runs `f` `RUNS` times and returns the median duration.
fn timed<T>(mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(f());
                started.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// A plausible record: providers and kinds in turn, expiries spread over
/// the coming year (one in twenty never expires), checked yesterday; one
/// in a hundred found revoked (a breakage alert), one in a hundred not
/// checkable for two days.
fn record(i: usize, now: DateTime<Utc>) -> TokenRecord {
    let (provider, kind, api_url) = match i % 3 {
        0 => (
            ProviderKind::Github,
            TokenKindId::Classic,
            "https://api.github.com",
        ),
        1 => (
            ProviderKind::Gitlab,
            TokenKindId::Project,
            "https://gitlab.com/api/v4",
        ),
        _ => (
            ProviderKind::Bitbucket,
            TokenKindId::Repository,
            "https://api.bitbucket.org/2.0",
        ),
    };
    let never = i % 20 == 19;
    let expires_at = (!never).then(|| {
        now + chrono::Duration::hours(2 + (i as i64 * 7919) % (365 * 24))
            + chrono::Duration::minutes((i % 60) as i64)
    });
    let checked = now - chrono::Duration::days(1);
    TokenRecord {
        id: format!("bench-{i:05}-{}", uuid::Uuid::new_v4()),
        name: format!("deploy-{i:05}-production"),
        description: "Deploy key for the production pipeline".into(),
        provider,
        kind: Some(kind),
        host: None,
        api_url: api_url.into(),
        org: Some("acme".into()),
        repo: Some(format!("acme/service-{i}")),
        project: None,
        group: None,
        workspace: None,
        ca_file: None,
        identity: Some(Identity {
            login: format!("deploy-bot-{}", i % 50),
        }),
        scopes: Some(vec!["repo".into(), "admin:repo_hook".into()]),
        expires_at,
        expiry: if never {
            ExpirySource::Never
        } else {
            ExpirySource::Provider
        },
        user_expires_at: None,
        created_at: checked - chrono::Duration::days(30),
        updated_at: checked,
        last_checked_at: Some(checked),
        failing_since: (i % 100 == 51).then(|| checked - chrono::Duration::days(1)),
        last_check: Some(match i % 100 {
            50 => last_check(
                Verdict::Unusable,
                ProblemCode::InvalidToken,
                "The token was revoked.",
            ),
            51 => last_check(
                Verdict::Unchecked,
                ProblemCode::Unreachable,
                "Could not reach the server: the connection timed out.",
            ),
            _ => LastCheck {
                verdict: Verdict::Ready,
                ready: true,
                missing: Vec::new(),
                unverified: Vec::new(),
                problems: Vec::new(),
            },
        }),
        rotated_at: None,
        shortfall_accepted: false,
        generation: 1,
        pending: None,
        unpushed: Vec::new(),
        qovery: None,
    }
}

fn last_check(verdict: Verdict, code: ProblemCode, message: &str) -> LastCheck {
    LastCheck {
        verdict,
        ready: false,
        missing: Vec::new(),
        unverified: Vec::new(),
        problems: vec![Problem {
            code,
            message: message.into(),
        }],
    }
}

fn mock_store() -> KeyringStore {
    KeyringStore::with_builder(
        "dev.tokenwarden.bench",
        keyring::mock::default_credential_builder(),
        "mock",
    )
}

fn open(dir: &std::path::Path, store: Arc<dyn SecretStore>) -> Vault {
    Vault::open_with(VaultParts {
        data_dir: dir.to_owned(),
        store,
        checker: Checker::new(CheckOptions::default()).into(),
        clock: Arc::new(SystemClock),
        faults: Arc::new(NoFaults),
    })
    .expect("the vault opens")
    .0
}

/// Writes `n` records' metadata into `dir`; returns the records.
fn write_vault(dir: &std::path::Path, n: usize) -> Vec<TokenRecord> {
    let now = Utc::now();
    let data = VaultData {
        version: FORMAT_VERSION,
        tokens: (0..n).map(|i| record(i, now)).collect(),
        qovery: Vec::new(),
    };
    MetadataFile::new(dir.join(METADATA_FILE_NAME))
        .save(&data)
        .expect("metadata written");
    data.tokens
}

fn bench_metadata_and_schedule(n: usize) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let records = write_vault(dir.path(), n);
    let meta = MetadataFile::new(dir.path().join(METADATA_FILE_NAME));
    let size = std::fs::metadata(meta.path()).map_or(0, |m| m.len());
    println!(
        "{n} tokens, metadata file {:.1} MiB, median of {RUNS} runs",
        size as f64 / (1024.0 * 1024.0)
    );

    let data = VaultData {
        version: FORMAT_VERSION,
        tokens: records,
        qovery: Vec::new(),
    };
    let floor = timed(|| meta.load(Utc::now()).expect("loads"));
    println!(
        "  floor: read + parse the metadata file      {:>10}",
        ms(floor)
    );
    let save = timed(|| meta.save(&data).expect("saves"));
    println!(
        "  save the metadata file (atomic)            {:>10}",
        ms(save)
    );

    // Keyring's mock keeps a value only in the entry that set it, so the
    // same store is filled once and reused for every run.
    let bare = Arc::new(mock_store());
    for record in &data.tokens {
        bare.put(&record.current_account(), &TokenSecret::new("x"))
            .expect("mock put");
    }
    let open_time = timed(|| open(dir.path(), bare.clone()));
    println!(
        "  Vault::open (lock, load, reconcile)        {:>10}",
        ms(open_time)
    );
    let vault = open(dir.path(), bare.clone());
    let list = timed(|| vault.list().expect("lists"));
    println!(
        "  Vault::list, mock keychain                 {:>10}  ({:.2}x floor)",
        ms(list),
        list.as_secs_f64() / floor.as_secs_f64()
    );
    // The app and the CLI wrap the keychain in a deadline: one worker
    // thread per call.
    let timed_store: Arc<dyn SecretStore> = Arc::new(TimedStore::new(bare, KEYCHAIN_TIMEOUT));
    let vault = open(dir.path(), timed_store);
    let list_timed = timed(|| vault.list().expect("lists"));
    println!(
        "  Vault::list, mock keychain + deadline      {:>10}  ({:.2}x floor)",
        ms(list_timed),
        list_timed.as_secs_f64() / floor.as_secs_f64()
    );

    // The watcher's round (`watch::round`, as the app runs it after the
    // daily re-check): from the listed tokens to the alerts due (expiry and
    // breakage) and when to wake. The first round alerts; a later one, as
    // after every vault change, finds everything already sent.
    let views = vault.list().expect("lists");
    let settings = WatchSettings::default();
    let input = RoundInput::default();
    let convert = timed(|| views.iter().map(WatchedToken::from).collect::<Vec<_>>());
    let watched: Vec<WatchedToken> = views.iter().map(WatchedToken::from).collect();
    let now = Utc::now();
    let fresh = || {
        let mut state = WatchState::default();
        watch::recheck_done(&mut state, now);
        state
    };
    let first = timed(|| {
        let mut state = fresh();
        watch::round(&mut state, &watched, &settings, &input, now)
    });
    let mut state = fresh();
    let first_round = watch::round(&mut state, &watched, &settings, &input, now);
    let broken = first_round
        .notify
        .iter()
        .filter(|a| a.trouble.is_some())
        .count();
    let later = timed(|| watch::round(&mut state, &watched, &settings, &input, now));
    let next = watch::round(&mut state, &watched, &settings, &input, now).next_wake;
    let watch_file = WatchStateFile::in_data_dir(dir.path());
    let save_state = timed(|| watch_file.save(&state).expect("saves watch.json"));
    let load_state = timed(|| watch_file.load(now).expect("loads watch.json"));
    println!(
        "  watcher: listed tokens to WatchedToken     {:>10}",
        ms(convert)
    );
    println!(
        "  watcher: first round (alerts, next wake)   {:>10}  ({:.2}x floor; {} alerts, {broken} of them breakage)",
        ms(first),
        first.as_secs_f64() / floor.as_secs_f64(),
        first_round.notify.len(),
    );
    println!(
        "  watcher: later round (nothing new)         {:>10}  ({:.2}x floor; next wake in {})",
        ms(later),
        later.as_secs_f64() / floor.as_secs_f64(),
        next.map_or("never".into(), |at| format!(
            "{} min",
            (at - now).num_minutes()
        ))
    );
    println!(
        "  watch.json save / load                     {:>10} / {}",
        ms(save_state),
        ms(load_state)
    );
}

/// Lists `n` tokens whose secrets are in the real Secret Service, through
/// `Vault::open`, exactly as the app and the CLI do.
fn bench_secret_service(n: usize) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let records = write_vault(dir.path(), n);
    let service = format!("dev.tokenwarden.bench.{}", std::process::id());
    let store = KeyringStore::platform(&service);
    let started = Instant::now();
    for record in &records {
        store
            .put(&record.current_account(), &TokenSecret::new("bench-value"))
            .expect("the Secret Service stores a value (run inside desktop-session.sh)");
    }
    let put = started.elapsed();
    let config = VaultConfig {
        data_dir: dir.path().to_owned(),
        keychain_service: service.clone(),
        keychain_timeout: KEYCHAIN_TIMEOUT,
    };
    let (vault, _) = Vault::open(
        &config,
        Checker::new(CheckOptions::default()),
        Arc::new(SystemClock),
    )
    .expect("the vault opens");
    let floor = timed(|| {
        MetadataFile::new(dir.path().join(METADATA_FILE_NAME))
            .load(Utc::now())
            .expect("loads")
    });
    let list = timed(|| vault.list().expect("lists"));
    // What listing cost before `exist_many`: one keyring lookup per token,
    // each a new D-Bus connection and encrypted session (once: it is slow).
    let accounts: Vec<String> = records.iter().map(|r| r.current_account()).collect();
    let started = Instant::now();
    for account in &accounts {
        store.exists(account).expect("the Secret Service answers");
    }
    let one_by_one = started.elapsed();
    let present = vault
        .list()
        .expect("lists")
        .iter()
        .filter(|v| matches!(v.secret, tokenwarden_core::vault::SecretState::Present))
        .count();
    println!("{n} tokens in the Secret Service (gnome-keyring), median of {RUNS} runs");
    println!(
        "  storing the {n} secrets (once)              {:>10}  ({:.2} ms each)",
        ms(put),
        put.as_secs_f64() * 1e3 / n as f64
    );
    println!(
        "  floor: read + parse the metadata file      {:>10}",
        ms(floor)
    );
    println!(
        "  Vault::list, Secret Service                {:>10}  ({:.2} ms per token, {:.0}x floor; {present} present)",
        ms(list),
        list.as_secs_f64() * 1e3 / n as f64,
        list.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "  one keyring lookup per token (before)      {:>10}  ({:.2} ms per token, once)",
        ms(one_by_one),
        one_by_one.as_secs_f64() * 1e3 / n as f64
    );
    for record in &records {
        let _ = store.delete(&record.current_account());
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut secret_service = None;
    let mut tokens = TOKENS;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--secret-service" => secret_service = args.next().and_then(|n| n.parse().ok()),
            "--tokens" => tokens = args.next().and_then(|n| n.parse().ok()).unwrap_or(TOKENS),
            other => {
                eprintln!("usage: bench_vault [--tokens N] [--secret-service N] (got {other})");
                std::process::exit(64);
            }
        }
    }
    bench_metadata_and_schedule(tokens);
    if let Some(n) = secret_service {
        bench_secret_service(n);
    }
}
