//! The vault's lifecycle on test stores: keyring's mock (to inject
//! keychain failures) and an in-memory store that can list its entries
//! (to prove no crash leaves an orphan), with the provider simulator
//! answering the checks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokenwarden_sim::{Simulator, TokenSpec};

use super::keychain::tests::{held, inject, mock_store};
use super::*;
use crate::check::{CheckRequest, SystemClock};
use crate::checker::CheckOptions;
use crate::ProviderKind;
use crate::TokenSecret;

#[derive(Default)]
struct MemoryStore {
    entries: Mutex<HashMap<String, String>>,
}

impl MemoryStore {
    fn accounts(&self) -> Vec<String> {
        let mut keys: Vec<_> = self.entries.lock().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }
}

impl SecretStore for MemoryStore {
    fn put(&self, account: &str, secret: &TokenSecret) -> Result<(), KeychainError> {
        self.entries
            .lock()
            .unwrap()
            .insert(account.into(), secret.expose().into());
        Ok(())
    }
    fn get(&self, account: &str) -> Result<TokenSecret, KeychainError> {
        self.entries
            .lock()
            .unwrap()
            .get(account)
            .map(TokenSecret::new)
            .ok_or(KeychainError::Missing)
    }
    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.entries.lock().unwrap().remove(account);
        Ok(())
    }
    fn exists(&self, account: &str) -> Result<bool, KeychainError> {
        Ok(self.entries.lock().unwrap().contains_key(account))
    }
    fn backend(&self) -> &'static str {
        "memory"
    }
    fn lists_accounts(&self) -> bool {
        true
    }
    fn accounts(&self) -> Result<Vec<String>, KeychainError> {
        Ok(MemoryStore::accounts(self))
    }
}

/// Stops a change at one named point, like a crash would.
struct CrashAt(&'static str);
impl Faults for CrashAt {
    fn check(&self, point: &'static str) -> Result<(), VaultError> {
        if point == self.0 {
            Err(VaultError::Injected(point))
        } else {
            Ok(())
        }
    }
}

struct World {
    sim: Simulator,
    dir: tempfile::TempDir,
}

impl World {
    async fn new() -> World {
        let sim = Simulator::start().await.unwrap();
        sim.add_github_org("acme", &["deploy-bot"]);
        World {
            sim,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn open(
        &self,
        store: Arc<dyn SecretStore>,
        faults: Arc<dyn Faults>,
    ) -> (Vault, Vec<VaultNotice>) {
        Vault::open_with(self.parts(store, faults)).unwrap()
    }

    fn parts(&self, store: Arc<dyn SecretStore>, faults: Arc<dyn Faults>) -> VaultParts {
        VaultParts {
            data_dir: self.dir.path().join("data"),
            store,
            checker: Checker::new(CheckOptions::default()).into(),
            clock: Arc::new(SystemClock),
            faults,
        }
    }

    fn token(&self, scopes: &[&str]) -> TokenSecret {
        let days = chrono::Duration::days(120);
        TokenSecret::new(self.sim.add_token(
            TokenSpec::github_classic("deploy-bot", scopes).expires_at(chrono::Utc::now() + days),
        ))
    }

    fn new_token(&self, name: &str) -> NewToken {
        let mut request = CheckRequest::new(
            ProviderKind::Github,
            url::Url::parse(&self.sim.github_api_url()).unwrap(),
        );
        request.org = Some("acme".into());
        NewToken {
            name: name.into(),
            description: "CI deploys".into(),
            host: None,
            request,
        }
    }

    fn metadata(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("data/tokens.json")).unwrap_or_default()
    }
}

/// The value a keychain entry holds, out of its envelope (`binding.rs`).
fn opened(store: &dyn SecretStore, account: &str) -> TokenSecret {
    match super::binding::unseal(store.get(account).unwrap()).unwrap() {
        super::binding::Unsealed::Bound(secret, _) | super::binding::Unsealed::Plain(secret) => {
            secret
        }
    }
}

const READY: &[&str] = &["repo", "admin:repo_hook", "read:org"];

/// Every file under `dir`, in every subfolder, hidden ones included.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The files under `dir` whose bytes contain `secret` anywhere.
fn files_holding(dir: &std::path::Path, secret: &TokenSecret) -> Vec<std::path::PathBuf> {
    let needle = secret.expose().as_bytes();
    files_under(dir)
        .into_iter()
        .filter(|file| {
            std::fs::read(file)
                .unwrap()
                .windows(needle.len())
                .any(|window| window == needle)
        })
        .collect()
}

/// The promise that a value lives only in the keychain, after a change
/// the keychain failed: no file the vault left anywhere in the world's
/// folder (metadata, journal, lock, temporaries, set-aside copies) holds
/// any of `secrets`, byte for byte.
fn assert_no_file_holds(world: &World, secrets: &[&TokenSecret]) {
    let files = files_under(world.dir.path());
    assert!(
        !files.is_empty(),
        "the vault wrote no file at all in {}: nothing was scanned",
        world.dir.path().display()
    );
    for secret in secrets {
        let found = files_holding(world.dir.path(), secret);
        assert!(found.is_empty(), "a token value is written in {found:?}");
    }
}

/// The scan above finds a value wherever it is written: in a nested,
/// hidden file, amid other bytes; and nowhere else.
#[test]
fn the_file_scan_finds_a_value_written_anywhere_in_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let secret = TokenSecret::new("ghp_planted0123456789");
    std::fs::create_dir_all(dir.path().join("a/.b")).unwrap();
    std::fs::write(dir.path().join("a/clean"), b"nothing here").unwrap();
    assert!(files_holding(dir.path(), &secret).is_empty());
    let mut bytes = vec![0u8, 255, 10];
    bytes.extend_from_slice(b"ghp_planted0123456789");
    bytes.push(0);
    std::fs::write(dir.path().join("a/.b/.journal~"), bytes).unwrap();
    assert_eq!(
        files_holding(dir.path(), &secret),
        [dir.path().join("a/.b/.journal~")]
    );
}

async fn add(vault: &Vault, world: &World, name: &str, secret: &TokenSecret) -> TokenView {
    match vault
        .add(world.new_token(name), secret, false)
        .await
        .unwrap()
    {
        AddOutcome::Stored { token, .. } => *token,
        AddOutcome::Refused { report } => panic!("refused: {:?}", report.problems),
    }
}

#[tokio::test]
async fn adds_a_ready_token_keeping_the_secret_only_in_the_keychain() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, notices) = world.open(store.clone(), Arc::new(NoFaults));
    assert!(notices.is_empty());
    let secret = world.token(READY);
    let token = add(&vault, &world, "github-acme-production", &secret).await;

    assert_eq!(token.status, TokenStatus::Ready);
    assert_eq!(token.secret, SecretState::Present);
    assert_eq!(token.record.identity.as_ref().unwrap().login, "deploy-bot");
    assert_eq!(store.accounts(), [format!("{}#1", token.record.id)]);
    let listed = vault.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].record.name, "github-acme-production");
    assert!(!world.metadata().contains(secret.expose()));
    assert!(world.metadata().contains("github-acme-production"));
}

#[tokio::test]
async fn a_token_that_falls_short_is_stored_only_with_consent_and_an_unusable_one_never() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let short = world.token(&["repo"]);
    assert!(matches!(
        vault
            .add(world.new_token("short"), &short, false)
            .await
            .unwrap(),
        AddOutcome::Refused { .. }
    ));
    assert!(vault.list().unwrap().is_empty());
    assert!(store.accounts().is_empty());

    let AddOutcome::Stored { token, .. } = vault
        .add(world.new_token("short"), &short, true)
        .await
        .unwrap()
    else {
        panic!("not stored with consent")
    };
    assert!(token.record.shortfall_accepted);
    assert_eq!(token.status, TokenStatus::FallsShort);
    assert_eq!(
        token.record.last_check.as_ref().unwrap().missing,
        ["admin:repo_hook", "read:org"]
    );

    let revoked = world.token(READY);
    world.sim.revoke(revoked.expose());
    assert!(matches!(
        vault
            .add(world.new_token("revoked"), &revoked, true)
            .await
            .unwrap(),
        AddOutcome::Refused { .. }
    ));
    assert_eq!(vault.list().unwrap().len(), 1);
}

#[tokio::test]
async fn names_are_checked_and_unique_per_provider_and_host() {
    let world = World::new().await;
    let (vault, _) = world.open(Arc::new(MemoryStore::default()), Arc::new(NoFaults));
    add(&vault, &world, "prod", &world.token(READY)).await;
    let error = vault
        .add(world.new_token("PROD"), &world.token(READY), false)
        .await
        .unwrap_err();
    assert!(matches!(error, VaultError::NameTaken(_)), "{error}");
    let error = vault
        .add(world.new_token("has space"), &world.token(READY), false)
        .await
        .unwrap_err();
    assert!(matches!(error, VaultError::BadName { .. }), "{error}");
    assert!(matches!(
        vault.show("nope").unwrap_err(),
        VaultError::NotFound(_)
    ));
}

#[tokio::test]
async fn rotation_replaces_the_value_only_when_the_new_one_is_ready() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let old = world.token(READY);
    let token = add(&vault, &world, "prod", &old).await;

    let weak = world.token(&["repo"]);
    assert!(matches!(
        vault.rotate("prod", &weak).await.unwrap(),
        ReplaceOutcome::Refused { .. }
    ));
    assert_eq!(
        opened(&*store, &format!("{}#1", token.record.id)).expose(),
        old.expose()
    );

    let new = world.token(READY);
    let ReplaceOutcome::Replaced {
        token: rotated,
        revoke_at,
        ..
    } = vault.rotate("prod", &new).await.unwrap()
    else {
        panic!("refused")
    };
    assert!(rotated.record.rotated_at.is_some());
    assert_eq!(
        store.accounts(),
        [format!("{}#2", token.record.id)],
        "old value deleted"
    );
    assert_eq!(
        opened(&*store, &rotated.record.current_account()).expose(),
        new.expose()
    );
    assert_eq!(
        revoke_at,
        Some(format!("{}/settings/tokens", world.sim.github_url()))
    );
}

#[tokio::test]
async fn edits_rename_and_describe_and_refuse_a_new_value_that_falls_short() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let secret = world.token(READY);
    add(&vault, &world, "prod", &secret).await;
    let (token, report) = vault
        .edit(
            "prod",
            TokenEdit {
                new_name: Some("prod-2".into()),
                description: Some("new words".into()),
                ..TokenEdit::default()
            },
        )
        .await
        .unwrap();
    assert!(report.is_none(), "no re-check for a rename");
    assert_eq!(token.record.name, "prod-2");
    assert_eq!(token.record.description, "new words");

    let error = vault
        .edit(
            "prod-2",
            TokenEdit {
                secret: Some(world.token(&["repo"])),
                ..TokenEdit::default()
            },
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("stored one was kept"), "{error}");
    assert_eq!(
        opened(
            &*store,
            &vault.show("prod-2").unwrap().record.current_account()
        )
        .expose(),
        secret.expose()
    );
}

#[tokio::test]
async fn checks_all_tokens_and_shows_a_missing_secret_instead_of_dropping_it() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let a = world.token(READY);
    let b = world.token(READY);
    let c = world.token(READY);
    add(&vault, &world, "a", &a).await;
    add(&vault, &world, "b", &b).await;
    let gone = add(&vault, &world, "c", &c).await;
    world.sim.revoke(b.expose());
    store.delete(&gone.record.current_account()).unwrap();

    let results = vault.check(None).await.unwrap();
    let by_name = |n: &str| results.iter().find(|r| r.token.record.name == n).unwrap();
    assert_eq!(by_name("a").token.status, TokenStatus::Ready);
    assert_eq!(by_name("b").token.status, TokenStatus::Invalid);
    assert_eq!(by_name("c").token.status, TokenStatus::SecretMissing);
    assert!(by_name("c").report.is_none());

    let listed = vault.list().unwrap();
    assert_eq!(
        listed.len(),
        3,
        "a token whose secret is gone is still listed"
    );
    assert_eq!(
        listed.iter().find(|t| t.record.name == "c").unwrap().status,
        TokenStatus::SecretMissing
    );
}

#[tokio::test]
async fn removes_the_secret_and_the_metadata() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    add(&vault, &world, "prod", &world.token(READY)).await;
    vault.remove("prod").unwrap();
    assert!(vault.list().unwrap().is_empty());
    assert!(store.accounts().is_empty());
    assert!(matches!(
        vault.remove("prod").unwrap_err(),
        VaultError::NotFound(_)
    ));
}

/// Whatever point a change stops at, reopening leaves either the old state
/// or the new one, and exactly one keychain entry per listed token.
#[tokio::test]
async fn a_crash_at_any_step_leaves_the_old_state_or_the_new_one() {
    let points = [
        ("add:journaled", "add", false),
        ("add:secret-stored", "add", true),
        ("replace:journaled", "rotate", false),
        ("replace:secret-stored", "rotate", true),
        ("replace:switched", "rotate", true),
        ("remove:journaled", "remove", true),
        ("remove:secret-deleted", "remove", true),
    ];
    for (point, op, reaches_new_state) in points {
        let world = World::new().await;
        let store = Arc::new(MemoryStore::default());
        let (vault, _) = world.open(store.clone(), Arc::new(CrashAt(point)));
        let first = world.token(READY);
        let second = world.token(READY);
        if op != "add" {
            let (setup, _) = world.open(store.clone(), Arc::new(NoFaults));
            add(&setup, &world, "prod", &first).await;
        }
        let error = match op {
            "add" => vault
                .add(world.new_token("prod"), &first, false)
                .await
                .map(|_| ())
                .unwrap_err(),
            "rotate" => vault.rotate("prod", &second).await.map(|_| ()).unwrap_err(),
            _ => vault.remove("prod").map(|_| ()).unwrap_err(),
        };
        assert!(
            matches!(error, VaultError::Injected(p) if p == point),
            "{point}: {error}"
        );

        let (reopened, notices) = world.open(store.clone(), Arc::new(NoFaults));
        assert_eq!(notices.len(), 1, "{point}: the user is told ({notices:?})");
        let listed = reopened.list().unwrap();
        let accounts: Vec<String> = listed.iter().map(|t| t.record.current_account()).collect();
        assert_eq!(
            store.accounts(),
            accounts,
            "{point}: one entry per listed token, no orphans"
        );
        assert!(listed.iter().all(|t| t.record.pending.is_none()), "{point}");
        let expected_value = match (op, reaches_new_state) {
            ("add", true) => Some(&first),
            ("add", false) => None,
            ("rotate", true) => Some(&second),
            ("rotate", false) => Some(&first),
            (_, _) => None,
        };
        match expected_value {
            Some(value) => {
                assert_eq!(listed.len(), 1, "{point}");
                assert_eq!(
                    opened(&*store, &accounts[0]).expose(),
                    value.expose(),
                    "{point}"
                );
            }
            None => assert!(listed.is_empty(), "{point}"),
        }
    }
}

#[tokio::test]
async fn a_locked_keychain_fails_add_rotate_and_remove_cleanly() {
    let world = World::new().await;
    let store = Arc::new(mock_store());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let secret = world.token(READY);
    let token = add(&vault, &world, "prod", &secret).await;
    let before = world.metadata();

    #[derive(Debug)]
    struct Locked;
    impl std::fmt::Display for Locked {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("locked")
        }
    }
    impl std::error::Error for Locked {}
    let lock = |account: &str| {
        inject(
            &store,
            account,
            keyring::Error::NoStorageAccess(Box::new(Locked)),
        )
    };

    let new = world.token(READY);
    lock(&token.record.keychain_account(2));
    let error = vault.rotate("prod", &new).await.unwrap_err();
    assert!(
        matches!(error, VaultError::Keychain(KeychainError::Locked { .. })),
        "{error}"
    );
    assert_eq!(
        opened(&*store, &token.record.current_account()).expose(),
        secret.expose()
    );

    lock(&token.record.current_account());
    let error = vault.remove("prod").unwrap_err();
    assert!(error.to_string().contains("locked"), "{error}");
    assert_eq!(vault.list().unwrap().len(), 1, "still there");
    // The keychain holds the one value it held, nothing staged; no file
    // holds either value.
    assert_eq!(held(&store), [token.record.current_account()]);
    assert_no_file_holds(&world, &[&secret, &new]);

    // Both failures were rolled back: the metadata says what it said.
    let after = world.metadata();
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("updated_at"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&before), strip(&after));
}

/// A keychain that refuses every change, as a locked one does.
struct RefusingStore;
impl SecretStore for RefusingStore {
    fn put(&self, _: &str, _: &TokenSecret) -> Result<(), KeychainError> {
        Err(KeychainError::Locked {
            detail: "locked".into(),
        })
    }
    fn get(&self, _: &str) -> Result<TokenSecret, KeychainError> {
        Err(KeychainError::Locked {
            detail: "locked".into(),
        })
    }
    fn delete(&self, _: &str) -> Result<(), KeychainError> {
        Err(KeychainError::Locked {
            detail: "locked".into(),
        })
    }
    fn exists(&self, _: &str) -> Result<bool, KeychainError> {
        Err(KeychainError::Locked {
            detail: "locked".into(),
        })
    }
    fn backend(&self) -> &'static str {
        "refusing"
    }
}

/// A keychain that must not be asked anything.
struct UntouchableStore;
impl SecretStore for UntouchableStore {
    fn put(&self, _: &str, _: &TokenSecret) -> Result<(), KeychainError> {
        panic!("the keychain was asked to store")
    }
    fn get(&self, _: &str) -> Result<TokenSecret, KeychainError> {
        panic!("the keychain was asked for a value")
    }
    fn delete(&self, _: &str) -> Result<(), KeychainError> {
        panic!("the keychain was asked to delete")
    }
    fn exists(&self, _: &str) -> Result<bool, KeychainError> {
        panic!("the keychain was asked whether a value exists")
    }
    fn exist_many(&self, _: &[String]) -> Vec<Result<bool, KeychainError>> {
        panic!("the keychain was searched")
    }
    fn backend(&self) -> &'static str {
        "untouchable"
    }
}

/// The first run's window lists an empty vault without a keychain search.
#[tokio::test]
async fn an_empty_vault_is_opened_and_listed_without_asking_the_keychain() {
    let world = World::new().await;
    let parts = world.parts(Arc::new(UntouchableStore), Arc::new(NoFaults));
    let (vault, notices) = Vault::open_unswept_with(parts).unwrap();
    assert!(notices.is_empty());
    assert!(vault.list().unwrap().is_empty());
}

#[tokio::test]
async fn adding_to_a_locked_keychain_stores_nothing_anywhere() {
    let world = World::new().await;
    let (vault, _) = world.open(Arc::new(RefusingStore), Arc::new(NoFaults));
    let secret = world.token(READY);
    let error = vault
        .add(world.new_token("prod"), &secret, false)
        .await
        .unwrap_err();
    assert!(
        matches!(error, VaultError::Keychain(KeychainError::Locked { .. })),
        "{error}"
    );
    assert!(error.to_string().contains("Unlock"), "{error}");
    assert!(vault.list().unwrap().is_empty());
    assert!(!world.metadata().contains("prod"));
    // No fallback to a file: not the metadata, nor any other file the
    // vault left in its folder.
    assert_no_file_holds(&world, &[&secret]);
}

// Found by fuzzing (fuzz/fuzz_targets/vault_open.rs): a journal step that
// named the generation in use (`replace` or `cleanup` of it, which only a
// damaged or hand-edited file holds) deleted the token's only value.
#[tokio::test]
async fn a_journal_step_naming_the_value_in_use_never_deletes_it() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let secret = world.token(READY);
    add(&vault, &world, "gh-prod", &secret).await;
    add(&vault, &world, "gh-stage", &secret).await;
    drop(vault);
    let path = world.dir.path().join("data/tokens.json");
    let mut data: VaultData = serde_json::from_str(&world.metadata()).unwrap();
    data.tokens[0].pending = Some(Pending::Replace { generation: 1 });
    data.tokens[1].pending = Some(Pending::Cleanup { generation: 1 });
    std::fs::write(&path, serde_json::to_string(&data).unwrap()).unwrap();
    let before = store.accounts();

    let (vault, notices) = world.open(store.clone(), Arc::new(NoFaults));
    assert_eq!(store.accounts(), before, "a value was deleted");
    assert_eq!(notices.len(), 2, "{notices:?}");
    for view in vault.list().unwrap() {
        assert_eq!(view.secret, SecretState::Present, "{}", view.record.name);
        assert_eq!(view.record.pending, None);
    }
}

#[tokio::test]
async fn a_corrupt_metadata_file_is_set_aside_and_a_newer_one_refused() {
    let world = World::new().await;
    let data = world.dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("tokens.json"), "{ not json").unwrap();
    let (vault, notices) = world.open(Arc::new(MemoryStore::default()), Arc::new(NoFaults));
    assert!(
        matches!(&notices[..], [VaultNotice::CorruptMovedAside { .. }]),
        "{notices:?}"
    );
    assert!(notices[0].to_string().contains("kept as"));
    assert!(vault.list().unwrap().is_empty());
    let aside: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("tokens.json.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);

    std::fs::write(data.join("tokens.json"), r#"{"version": 99, "tokens": []}"#).unwrap();
    let error = Vault::open_with(VaultParts {
        data_dir: data.clone(),
        store: Arc::new(MemoryStore::default()),
        checker: Checker::new(CheckOptions::default()).into(),
        clock: Arc::new(SystemClock),
        faults: Arc::new(NoFaults),
    })
    .err()
    .unwrap();
    assert!(
        matches!(
            error,
            VaultError::Metadata(MetadataError::NewerVersion { found: 99, .. })
        ),
        "{error}"
    );
    assert_eq!(
        std::fs::read_to_string(data.join("tokens.json")).unwrap(),
        r#"{"version": 99, "tokens": []}"#
    );
}

fn gitlab_token(world: &World, scopes: &[&str]) -> (NewToken, TokenSecret) {
    let secret = world.sim.add_token(
        TokenSpec::gitlab(
            tokenwarden_sim::TokenKind::GitlabPersonal,
            "deployer",
            scopes,
        )
        .expires_at(chrono::Utc::now() + chrono::Duration::days(30)),
    );
    let request = CheckRequest::new(
        ProviderKind::Gitlab,
        url::Url::parse(&world.sim.gitlab_api_url()).unwrap(),
    );
    (
        NewToken {
            name: "gitlab-prod".into(),
            description: String::new(),
            host: None,
            request,
        },
        TokenSecret::new(secret),
    )
}

#[tokio::test]
async fn a_gitlab_token_rotates_itself_and_the_old_value_is_revoked() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let (new, old) = gitlab_token(&world, &["api", "read_repository"]);
    vault.add(new, &old, false).await.unwrap();

    let until = chrono::Utc::now().date_naive() + chrono::Duration::days(200);
    let ReplaceOutcome::Replaced {
        token,
        report,
        revoke_at,
    } = vault.rotate_self("gitlab-prod", Some(until)).await.unwrap()
    else {
        panic!("refused")
    };
    assert_eq!(revoke_at, None, "GitLab revoked the old one itself");
    assert!(report.ready, "{:?}", report.problems);
    assert_eq!(token.record.expires_at.unwrap().date_naive(), until);
    assert!(token.record.rotated_at.is_some());
    assert!(!world.sim.is_active(old.expose()));
    let stored = opened(&*store, &token.record.current_account());
    assert_ne!(stored.expose(), old.expose());
    assert!(world.sim.is_active(stored.expose()));
    assert_eq!(store.accounts(), [token.record.current_account()]);
}

#[tokio::test]
async fn a_gitlab_token_without_api_or_self_rotate_is_not_rotated() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let (new, old) = gitlab_token(&world, &["read_api", "read_repository"]);
    vault.add(new, &old, true).await.unwrap();
    let error = vault.rotate_self("gitlab-prod", None).await.unwrap_err();
    assert!(error.to_string().contains("self_rotate"), "{error}");
    assert!(world.sim.is_active(old.expose()));
    assert_eq!(store.accounts().len(), 1);
}

#[tokio::test]
async fn a_gitlab_self_rotation_always_sends_an_expiry_keeping_the_old_lifetime() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let (new, old) = gitlab_token(&world, &["api", "read_repository"]);
    vault.add(new, &old, false).await.unwrap();
    // Added today, expiring in 30 days: the new token gets 30 days again,
    // shown before rotating, not GitLab's one-week default.
    let expected = chrono::Utc::now().date_naive() + chrono::Duration::days(30);
    assert_eq!(
        vault.self_rotation_expiry("gitlab-prod").unwrap(),
        Some(expected)
    );
    assert_eq!(
        vault.list().unwrap()[0].self_rotation_expires_at,
        Some(expected)
    );
    world.sim.reset_requests();
    let ReplaceOutcome::Replaced { token, .. } =
        vault.rotate_self("gitlab-prod", None).await.unwrap()
    else {
        panic!("refused")
    };
    assert_eq!(token.record.expires_at.unwrap().date_naive(), expected);
    let sent = world.sim.requests(tokenwarden_sim::Provider::Gitlab);
    assert!(
        sent.iter().any(|r| r.method == "POST"
            && r.path
                == format!("/api/v4/personal_access_tokens/self/rotate?expires_at={expected}")),
        "{sent:?}"
    );
}

#[tokio::test]
async fn a_gitlab_project_token_rotates_itself_at_its_projects_endpoint() {
    let world = World::new().await;
    world.sim.add_gitlab_project("acme/web", 42);
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let secret = world.sim.add_token(
        TokenSpec::gitlab(
            tokenwarden_sim::TokenKind::GitlabProject,
            "project_42_bot",
            &["api", "read_repository"],
        )
        .target("acme/web", 40)
        .expires_at(chrono::Utc::now() + chrono::Duration::days(60)),
    );
    let mut request = CheckRequest::new(
        ProviderKind::Gitlab,
        url::Url::parse(&world.sim.gitlab_api_url()).unwrap(),
    );
    request.kind = Some(crate::model::TokenKindId::Project);
    request.project = Some("acme/web".into());
    let old = TokenSecret::new(secret);
    vault
        .add(
            NewToken {
                name: "gitlab-web".into(),
                description: String::new(),
                host: None,
                request,
            },
            &old,
            false,
        )
        .await
        .unwrap();
    let ReplaceOutcome::Replaced { token, report, .. } =
        vault.rotate_self("gitlab-web", None).await.unwrap()
    else {
        panic!("refused")
    };
    assert!(report.ready, "{:?}", report.problems);
    assert!(!world.sim.is_active(old.expose()));
    let expected = chrono::Utc::now().date_naive() + chrono::Duration::days(60);
    assert_eq!(token.record.expires_at.unwrap().date_naive(), expected);
    let sent = world.sim.requests(tokenwarden_sim::Provider::Gitlab);
    assert!(
        sent.iter().any(|r| r
            .path
            .starts_with("/api/v4/projects/acme%2Fweb/access_tokens/self/rotate?expires_at=")),
        "{sent:?}"
    );
}

#[tokio::test]
async fn a_405_says_the_token_is_not_of_that_kind_not_that_gitlab_is_old() {
    let world = World::new().await;
    world.sim.add_gitlab_project("acme/web", 42);
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    // A project token stored as a personal one: GitLab's personal endpoint
    // answers 405.
    let secret = world.sim.add_token(
        TokenSpec::gitlab(
            tokenwarden_sim::TokenKind::GitlabProject,
            "project_42_bot",
            &["api", "read_repository"],
        )
        .target("acme/web", 40)
        .expires_at(chrono::Utc::now() + chrono::Duration::days(60)),
    );
    let mut request = CheckRequest::new(
        ProviderKind::Gitlab,
        url::Url::parse(&world.sim.gitlab_api_url()).unwrap(),
    );
    request.kind = Some(crate::model::TokenKindId::Personal);
    let old = TokenSecret::new(secret);
    let new = NewToken {
        name: "gitlab-web".into(),
        description: String::new(),
        host: None,
        request,
    };
    vault.add(new, &old, true).await.unwrap();
    let error = vault.rotate_self("gitlab-web", None).await.unwrap_err();
    let words = error.to_string();
    assert!(words.contains("not a personal access token"), "{words}");
    assert!(words.contains("405"), "{words}");
    assert!(!words.contains("16.10"), "{words}");
    assert!(world.sim.is_active(old.expose()), "nothing changed");
    assert_eq!(store.accounts().len(), 1);
}

/// A keychain error as the platform words it.
#[derive(Debug)]
struct PlatformSays(&'static str);
impl std::fmt::Display for PlatformSays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}
impl std::error::Error for PlatformSays {}

/// The keychain going away (the Secret Service stopped) or locking between
/// the check and the write, for each change that writes to it: the user is
/// told which, and the token, its value and its metadata stay as they were.
#[tokio::test]
async fn a_keychain_gone_or_locked_mid_change_keeps_the_token_value_and_metadata() {
    let world = World::new().await;
    let store = Arc::new(mock_store());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let secret = world.token(READY);
    let token = add(&vault, &world, "prod", &secret).await;
    let before = world.metadata();
    let gone = || {
        keyring::Error::PlatformFailure(Box::new(PlatformSays(
            "The name org.freedesktop.secrets was not provided by any .service files",
        )))
    };
    let locked = || keyring::Error::NoStorageAccess(Box::new(PlatformSays("collection is locked")));
    let next = token.record.keychain_account(2);
    let current = token.record.current_account();

    let rotated = world.token(READY);
    let edited = world.token(READY);
    inject(&store, &next, gone());
    let error = vault.rotate("prod", &rotated).await.unwrap_err();
    assert!(
        matches!(
            error,
            VaultError::Keychain(KeychainError::Unavailable { .. })
        ),
        "{error}"
    );
    assert!(
        error.to_string().contains("never stored in plain files"),
        "{error}"
    );

    inject(&store, &next, locked());
    let error = vault
        .edit(
            "prod",
            TokenEdit {
                secret: Some(TokenSecret::new(edited.expose())),
                ..TokenEdit::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, VaultError::Keychain(KeychainError::Locked { .. })),
        "{error}"
    );

    inject(&store, &current, gone());
    let error = vault.remove("prod").unwrap_err();
    assert!(
        matches!(
            error,
            VaultError::Keychain(KeychainError::Unavailable { .. })
        ),
        "{error}"
    );

    // Nothing was lost or half-done: same metadata, same value, no journal.
    assert_eq!(world.metadata(), before);
    assert_eq!(opened(&*store, &current).expose(), secret.expose());
    assert!(!store.exists(&next).unwrap());
    let listed = vault.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].secret, SecretState::Present);
    assert!(listed[0].record.pending.is_none());
    // The keychain holds exactly the one value; no file holds any of the
    // three.
    assert_eq!(held(&store), [current]);
    assert_no_file_holds(&world, &[&secret, &rotated, &edited]);
}

/// A destination that keeps what it is sent, or refuses while `refuse` is set.
struct FakeDestination {
    key: &'static str,
    received: Mutex<Vec<String>>,
    refuse: Mutex<bool>,
}

impl FakeDestination {
    fn new(key: &'static str) -> Self {
        FakeDestination {
            key,
            received: Mutex::new(Vec::new()),
            refuse: Mutex::new(false),
        }
    }
}

impl crate::destinations::Destination for FakeDestination {
    fn key(&self) -> String {
        self.key.into()
    }

    fn describe(&self) -> String {
        format!("the {} platform", self.key)
    }

    fn push<'a>(
        &'a self,
        _token: &'a TokenRecord,
        secret: &'a TokenSecret,
    ) -> futures_util::future::BoxFuture<'a, Result<(), crate::destinations::PushError>> {
        Box::pin(async move {
            if *self.refuse.lock().unwrap() {
                return Err(crate::destinations::PushError::Refused {
                    destination: self.describe(),
                    message: "the token cannot read the repository".into(),
                });
            }
            self.received
                .lock()
                .unwrap()
                .push(secret.expose().to_owned());
            Ok(())
        })
    }
}

#[tokio::test]
async fn a_rotation_pushes_the_new_value_everywhere_before_the_old_one_is_revocable() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    add(&vault, &world, "prod", &world.token(READY)).await;
    let (qa, ci) = (FakeDestination::new("qa"), FakeDestination::new("ci"));

    let new = world.token(READY);
    let outcome = crate::rotation::rotate(&vault, "prod", &new, &[&qa, &ci])
        .await
        .unwrap();

    assert!(outcome.all_pushed());
    assert_eq!(outcome.unfinished("prod"), None);
    assert_eq!(*qa.received.lock().unwrap(), [new.expose()]);
    assert_eq!(*ci.received.lock().unwrap(), [new.expose()]);
    let ReplaceOutcome::Replaced { revoke_at, .. } = outcome.replace else {
        panic!("replaced")
    };
    assert!(revoke_at.is_some(), "every destination has it: revoke");
    assert!(vault.record("prod").unwrap().unpushed.is_empty());
    assert!(!world.metadata().contains("unpushed"));
}

#[tokio::test]
async fn a_failed_push_keeps_the_new_value_withholds_revocation_and_is_explained_and_resumed() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    add(&vault, &world, "prod", &world.token(READY)).await;
    let (qa, ci) = (FakeDestination::new("qa"), FakeDestination::new("ci"));
    *ci.refuse.lock().unwrap() = true;

    let new = world.token(READY);
    let outcome = crate::rotation::rotate(&vault, "prod", &new, &[&qa, &ci])
        .await
        .unwrap();

    assert!(!outcome.all_pushed());
    let failed = &outcome.pushes[1];
    assert_eq!(failed.destination, "the ci platform");
    assert!(failed
        .error
        .as_ref()
        .unwrap()
        .to_string()
        .contains("cannot read the repository"));
    let advice = outcome.unfinished("prod").unwrap();
    assert!(advice.contains("do not revoke the old token"), "{advice}");
    let ReplaceOutcome::Replaced {
        token, revoke_at, ..
    } = &outcome.replace
    else {
        panic!("the new value is stored all the same")
    };
    assert_eq!(*revoke_at, None, "the ci platform still uses the old value");
    assert_eq!(
        opened(&*store, &token.record.current_account()).expose(),
        new.expose()
    );
    assert_eq!(vault.record("prod").unwrap().unpushed, ["ci"]);
    drop(vault);

    // The next start explains what is left to do.
    let (vault, notices) = world.open(store.clone(), Arc::new(NoFaults));
    assert_eq!(
        notices,
        [VaultNotice::PushUnfinished {
            name: "prod".into(),
            destinations: vec!["ci".into()],
        }]
    );
    assert!(notices[0]
        .to_string()
        .contains("do not revoke the old token"));

    // Once the destination takes it, the journal is clear.
    *ci.refuse.lock().unwrap() = false;
    let resumed = crate::rotation::resume(&vault, "prod", &[&qa, &ci])
        .await
        .unwrap();
    assert_eq!(resumed.len(), 1, "only the destination left over");
    assert!(resumed[0].error.is_none());
    assert_eq!(*ci.received.lock().unwrap(), [new.expose()]);
    assert_eq!(
        qa.received.lock().unwrap().len(),
        1,
        "qa is not pushed twice"
    );
    assert!(vault.record("prod").unwrap().unpushed.is_empty());
    let (_, notices) = world.open(store, Arc::new(NoFaults));
    assert!(notices.is_empty(), "{notices:?}");
}

#[tokio::test]
async fn a_value_that_is_not_ready_is_pushed_nowhere() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    add(&vault, &world, "prod", &world.token(READY)).await;
    let qa = FakeDestination::new("qa");

    let weak = world.token(&["repo"]);
    let outcome = crate::rotation::rotate(&vault, "prod", &weak, &[&qa])
        .await
        .unwrap();

    assert!(matches!(outcome.replace, ReplaceOutcome::Refused { .. }));
    assert!(outcome.pushes.is_empty());
    assert!(qa.received.lock().unwrap().is_empty());
    assert!(vault.record("prod").unwrap().unpushed.is_empty());
}

#[cfg(unix)]
#[tokio::test]
async fn an_existing_data_folder_open_to_others_is_tightened_and_the_lock_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let world = World::new().await;
    let data = world.dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A lock file left by an older version, with the umask's mode.
    std::fs::write(data.join("tokens.lock"), b"").unwrap();
    std::fs::set_permissions(
        data.join("tokens.lock"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let (vault, _) = world.open(Arc::new(MemoryStore::default()), Arc::new(NoFaults));
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("tokens.lock")), 0o600);

    // A fresh folder: the lock file is created private too.
    let world = World::new().await;
    let (_fresh, _) = world.open(Arc::new(MemoryStore::default()), Arc::new(NoFaults));
    let data = world.dir.path().join("data");
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("tokens.lock")), 0o600);
    drop(vault);
}

/// Needs root to give the folder away; as another user, chown fails and
/// the test says so instead of passing silently.
#[cfg(unix)]
#[tokio::test]
async fn a_data_folder_owned_by_another_user_is_refused_with_the_fix() {
    use std::os::unix::fs::MetadataExt;
    let world = World::new().await;
    let data = world.dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    if let Err(error) = std::os::unix::fs::chown(&data, Some(4242), Some(4242)) {
        assert_ne!(
            std::fs::metadata("/proc/self")
                .map(|m| m.uid())
                .unwrap_or(0),
            0,
            "root could not chown: {error}"
        );
        eprintln!("skipped: giving a folder to another user needs root ({error})");
        return;
    }
    let Err(error) = Vault::open_with(VaultParts {
        data_dir: data.clone(),
        store: Arc::new(MemoryStore::default()),
        checker: Checker::new(CheckOptions::default()).into(),
        clock: Arc::new(SystemClock),
        faults: Arc::new(NoFaults),
    }) else {
        panic!("a folder of uid 4242 was used");
    };
    let message = error.to_string();
    assert!(
        message.contains("belongs to another user (uid 4242)"),
        "{message}"
    );
    assert!(message.contains("TOKENWARDEN_DATA_DIR"), "{message}");
    assert!(!data.join("tokens.lock").exists());
    assert!(!data.join("tokens.json").exists());
}

/// Rewrites one field of every token in `tokens.json`, as whoever can write
/// that file (but not read the keychain) could.
fn tamper(world: &World, field: &str, value: serde_json::Value) {
    let path = world.dir.path().join("data/tokens.json");
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for token in json["tokens"].as_array_mut().unwrap() {
        token[field] = value.clone();
    }
    std::fs::write(&path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
}

#[tokio::test]
async fn a_server_changed_in_tokens_json_receives_nothing_and_the_user_is_told_why() {
    let world = World::new().await;
    // The attacker's server: a second simulator that knows the token too,
    // so anything that reached it would be counted and even answered.
    let elsewhere = Simulator::start().await.unwrap();
    elsewhere.add_github_org("acme", &["deploy-bot"]);
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let secret = world.token(READY);
    add(&vault, &world, "prod", &secret).await;
    let home = world.sim.github_api_url();
    tamper(
        &world,
        "api_url",
        serde_json::json!(elsewhere.github_api_url()),
    );

    let checked = vault.check(None).await.unwrap();
    assert_eq!(checked.len(), 1);
    assert!(checked[0].report.is_none(), "checked anyway");
    let error = checked[0].error.clone().unwrap();
    assert!(error.contains("changed outside Tokenwarden"), "{error}");
    assert!(error.contains("was not sent anywhere"), "{error}");
    assert!(error.contains(&elsewhere.github_api_url()[..20]), "{error}");
    assert!(error.contains("tokenwarden edit prod --api-url"), "{error}");
    assert!(!error.contains(secret.expose()));
    let single = vault.check(Some("prod")).await.unwrap();
    assert!(single[0].report.is_none());
    // Every path that would send a value to the listed server refuses too.
    let new = world.token(READY);
    let refused = |e: VaultError| assert!(matches!(e, VaultError::ServerChanged { .. }), "{e}");
    refused(vault.rotate("prod", &new).await.unwrap_err());
    refused(
        vault
            .edit(
                "prod",
                TokenEdit {
                    secret: Some(world.token(READY)),
                    ..TokenEdit::default()
                },
            )
            .await
            .unwrap_err(),
    );
    refused(vault.verified_tokens_page("prod").unwrap_err());
    refused(vault.secret(&vault.record("prod").unwrap()).unwrap_err());
    assert!(elsewhere
        .requests(tokenwarden_sim::Provider::Github)
        .is_empty());

    // A rename sends nothing, so it is allowed; the user's own address
    // change is the fix: checked there, and bound to it.
    let (renamed, report) = vault
        .edit(
            "prod",
            TokenEdit {
                new_name: Some("prod-eu".into()),
                ..TokenEdit::default()
            },
        )
        .await
        .unwrap();
    assert!(report.is_none());
    assert_eq!(renamed.record.name, "prod-eu");
    let (fixed, report) = vault
        .edit(
            "prod-eu",
            TokenEdit {
                api_url: Some(home.clone()),
                ..TokenEdit::default()
            },
        )
        .await
        .unwrap();
    assert!(report.unwrap().ready);
    assert_eq!(store.accounts(), [fixed.record.current_account()]);
    let checked = vault.check(None).await.unwrap();
    assert!(
        checked[0].report.as_ref().unwrap().ready,
        "{:?}",
        checked[0].error
    );
    assert!(elsewhere
        .requests(tokenwarden_sim::Provider::Github)
        .is_empty());
}

#[tokio::test]
async fn a_ca_file_changed_in_tokens_json_is_refused_too() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    add(&vault, &world, "prod", &world.token(READY)).await;
    let ca = world.dir.path().join("attacker-ca.pem");
    std::fs::write(&ca, b"not used").unwrap();
    tamper(
        &world,
        "ca_file",
        serde_json::json!(ca.display().to_string()),
    );
    let checked = vault.check(None).await.unwrap();
    let error = checked[0].error.clone().unwrap();
    assert!(error.contains("CA file"), "{error}");
    assert!(error.contains("changed outside Tokenwarden"), "{error}");
}

#[tokio::test]
async fn a_value_stored_before_binding_still_works_and_is_bound_at_its_first_check() {
    let world = World::new().await;
    let elsewhere = Simulator::start().await.unwrap();
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let secret = world.token(READY);
    let token = add(&vault, &world, "prod", &secret).await;
    // As an older Tokenwarden stored it: the bare value.
    let account = token.record.current_account();
    store.put(&account, &secret).unwrap();

    let checked = vault.check(None).await.unwrap();
    assert!(
        checked[0].report.as_ref().unwrap().ready,
        "{:?}",
        checked[0].error
    );
    let sealed = store.get(&account).unwrap();
    assert!(sealed.expose().starts_with("tokenwarden-secret/1 "));
    assert_eq!(opened(&*store, &account).expose(), secret.expose());

    tamper(
        &world,
        "api_url",
        serde_json::json!(elsewhere.github_api_url()),
    );
    let checked = vault.check(None).await.unwrap();
    assert!(checked[0].report.is_none());
    assert!(elsewhere
        .requests(tokenwarden_sim::Provider::Github)
        .is_empty());
}

/// A keychain that refuses to store anything but the self-rotation's
/// placeholder while `refusals` lasts: GitLab has rotated the token by the
/// time the new value is stored, and that is the write that fails.
struct RefusesNewValues {
    inner: MemoryStore,
    refusals: std::sync::atomic::AtomicU32,
}

impl RefusesNewValues {
    fn new(refusals: u32) -> Self {
        RefusesNewValues {
            inner: MemoryStore::default(),
            refusals: refusals.into(),
        }
    }
}

impl SecretStore for RefusesNewValues {
    fn put(&self, account: &str, secret: &TokenSecret) -> Result<(), KeychainError> {
        use std::sync::atomic::Ordering;
        let placeholder = secret.expose().contains("tokenwarden-placeholder/1");
        let adding = account.ends_with("#1");
        if !placeholder && !adding && self.refusals.load(Ordering::SeqCst) > 0 {
            self.refusals.fetch_sub(1, Ordering::SeqCst);
            return Err(KeychainError::Locked {
                detail: "collection is locked".into(),
            });
        }
        self.inner.put(account, secret)
    }
    fn get(&self, account: &str) -> Result<TokenSecret, KeychainError> {
        self.inner.get(account)
    }
    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.inner.delete(account)
    }
    fn exists(&self, account: &str) -> Result<bool, KeychainError> {
        self.inner.exists(account)
    }
    fn backend(&self) -> &'static str {
        "refuses new values"
    }
}

fn rotation_posts(world: &World) -> usize {
    world
        .sim
        .requests(tokenwarden_sim::Provider::Gitlab)
        .iter()
        .filter(|r| r.method == "POST")
        .count()
}

#[tokio::test]
async fn a_self_rotated_value_the_keychain_refuses_at_first_is_retried_and_stored() {
    let world = World::new().await;
    let store = Arc::new(RefusesNewValues::new(2));
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let (new, old) = gitlab_token(&world, &["api", "read_repository"]);
    vault.add(new, &old, false).await.unwrap();
    let ReplaceOutcome::Replaced { token, report, .. } =
        vault.rotate_self("gitlab-prod", None).await.unwrap()
    else {
        panic!("refused")
    };
    assert!(report.ready);
    let stored = opened(&store.inner, &token.record.current_account());
    assert!(world.sim.is_active(stored.expose()));
    assert!(!world.sim.is_active(old.expose()));
    assert_eq!(store.inner.accounts(), [token.record.current_account()]);
}

#[tokio::test]
async fn a_self_rotated_value_the_keychain_keeps_refusing_is_held_told_and_stored_later() {
    let world = World::new().await;
    let store = Arc::new(RefusesNewValues::new(u32::MAX));
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let (new, old) = gitlab_token(&world, &["api", "read_repository"]);
    vault.add(new, &old, false).await.unwrap();
    world.sim.reset_requests();
    let error = vault.rotate_self("gitlab-prod", None).await.unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, VaultError::RotatedNotStored { .. }),
        "{message}"
    );
    assert!(
        message.contains("GitLab already rotated “gitlab-prod”"),
        "{message}"
    );
    assert!(message.contains("unlock"), "{message}");
    assert!(!world.sim.is_active(old.expose()), "GitLab did rotate it");
    // Never promoted: the placeholder is not the token's value.
    let record = vault.record("gitlab-prod").unwrap();
    assert_eq!(record.generation, 1);

    // The keychain works again: the next rotation stores the held value,
    // without a second request to GitLab.
    store.refusals.store(0, std::sync::atomic::Ordering::SeqCst);
    let ReplaceOutcome::Replaced { token, report, .. } =
        vault.rotate_self("gitlab-prod", None).await.unwrap()
    else {
        panic!("refused")
    };
    assert!(report.ready, "{:?}", report.problems);
    assert_eq!(rotation_posts(&world), 1);
    let stored = opened(&store.inner, &token.record.current_account());
    assert!(world.sim.is_active(stored.expose()));
    assert_eq!(store.inner.accounts(), [token.record.current_account()]);
    assert!(vault.record("gitlab-prod").unwrap().pending.is_none());
}

#[tokio::test]
async fn a_self_rotation_cut_short_never_promotes_its_placeholder_and_says_so() {
    let world = World::new().await;
    let store = Arc::new(RefusesNewValues::new(u32::MAX));
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let (new, old) = gitlab_token(&world, &["api", "read_repository"]);
    vault.add(new, &old, false).await.unwrap();
    vault.rotate_self("gitlab-prod", None).await.unwrap_err();
    // Tokenwarden stops with the value unstored (the held copy is lost),
    // and starts again.
    drop(vault);
    let (vault, notices) = world.open(store.clone(), Arc::new(NoFaults));
    let record = vault.record("gitlab-prod").unwrap();
    assert_eq!(record.generation, 1);
    assert!(record.pending.is_none());
    assert_eq!(
        opened(&store.inner, &record.current_account()).expose(),
        old.expose(),
        "the placeholder was promoted"
    );
    assert_eq!(store.inner.accounts(), [record.current_account()]);
    let told = notices
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        told.contains("GitLab may have issued a new value that was never stored"),
        "{told}"
    );
}

/// A keychain whose writes take `delay` (an unlock prompt answered late).
struct SlowWrites {
    inner: Arc<MemoryStore>,
    delay: std::time::Duration,
}

impl SecretStore for SlowWrites {
    fn put(&self, account: &str, secret: &TokenSecret) -> Result<(), KeychainError> {
        std::thread::sleep(self.delay);
        self.inner.put(account, secret)
    }
    fn get(&self, account: &str) -> Result<TokenSecret, KeychainError> {
        self.inner.get(account)
    }
    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.inner.delete(account)
    }
    fn exists(&self, account: &str) -> Result<bool, KeychainError> {
        self.inner.exists(account)
    }
    fn backend(&self) -> &'static str {
        "slow"
    }
    fn lists_accounts(&self) -> bool {
        true
    }
    fn accounts(&self) -> Result<Vec<String>, KeychainError> {
        Ok(self.inner.accounts())
    }
}

#[tokio::test]
async fn an_add_whose_keychain_write_lands_after_the_timeout_leaves_no_orphan() {
    let world = World::new().await;
    let memory = Arc::new(MemoryStore::default());
    let slow = Arc::new(SlowWrites {
        inner: memory.clone(),
        delay: std::time::Duration::from_millis(400),
    });
    let timed = Arc::new(TimedStore::new(slow, std::time::Duration::from_millis(100)));
    let (vault, _) = world.open(timed, Arc::new(NoFaults));
    let secret = world.token(READY);
    let error = vault
        .add(world.new_token("prod"), &secret, false)
        .await
        .unwrap_err();
    assert!(
        matches!(error, VaultError::Keychain(KeychainError::Timeout(_))),
        "{error}"
    );
    // Not listed while the keychain has not answered; journaled meanwhile.
    assert!(vault.list().unwrap().is_empty());
    assert!(world.metadata().contains("\"op\": \"add\""));

    std::thread::sleep(std::time::Duration::from_millis(700));
    // The write landed: the worker's report completes the addition, so
    // every stored value is a listed token's.
    let listed = vault.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].secret, SecretState::Present);
    assert_eq!(memory.accounts(), [listed[0].record.current_account()]);
    assert!(!world.metadata().contains("\"op\""));
    assert_no_file_holds(&world, &[&secret]);
}

/// A stored token "prod", and beside its entry one left by a write that
/// landed after a crash: a generation of it no record names (the orphan).
async fn token_with_orphan(world: &World, store: &Arc<MemoryStore>) -> (TokenView, String) {
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let token = add(&vault, world, "prod", &world.token(READY)).await;
    let orphan = token.record.keychain_account(7);
    store.put(&orphan, &TokenSecret::new("ghp_orphan")).unwrap();
    (token, orphan)
}

#[tokio::test]
async fn values_no_token_lists_are_deleted_on_open_and_others_are_left_alone() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (token, _orphan) = token_with_orphan(&world, &store).await;
    // Beside the orphan, an item that is not a vault entry, and the entry
    // of a token another data folder lists (the service is shared when
    // TOKENWARDEN_DATA_DIR differs).
    store
        .put("settings", &TokenSecret::new("not a token"))
        .unwrap();
    let elsewhere = format!("{}#1", uuid::Uuid::new_v4());
    store
        .put(&elsewhere, &TokenSecret::new("ghp_other"))
        .unwrap();
    let (vault, notices) = world.open(store.clone(), Arc::new(NoFaults));
    let mut expected = vec![
        token.record.current_account(),
        "settings".to_owned(),
        elsewhere.clone(),
    ];
    expected.sort();
    assert_eq!(store.accounts(), expected);
    let told = notices
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        told.contains("1 stored value(s) that no token listed"),
        "{told}"
    );
    assert_eq!(vault.list().unwrap()[0].secret, SecretState::Present);
}

/// The window opens the vault without the sweep (a keychain search) and
/// sweeps once its first screen is under way: the orphan stays until then,
/// the first listing is whole, and the sweep says what it deleted.
#[tokio::test]
async fn an_unswept_open_leaves_orphans_for_the_sweep_that_follows() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (token, orphan) = token_with_orphan(&world, &store).await;

    let (vault, notices) =
        Vault::open_unswept_with(world.parts(store.clone(), Arc::new(NoFaults))).unwrap();
    assert!(notices.is_empty(), "{notices:?}");
    assert!(store.accounts().contains(&orphan));
    let listed = vault.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].secret, SecretState::Present);

    let swept = vault.sweep_orphans().unwrap();
    assert_eq!(store.accounts(), [token.record.current_account()]);
    let told = swept.iter().map(ToString::to_string).collect::<String>();
    assert!(
        told.contains("1 stored value(s) that no token listed"),
        "{told}"
    );
    // Nothing is left for a second sweep to find or say.
    assert!(vault.sweep_orphans().unwrap().is_empty());
}

#[tokio::test]
async fn a_missing_or_set_aside_token_list_costs_no_stored_value() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    add(&vault, &world, "prod", &world.token(READY)).await;
    drop(vault);
    let before = store.accounts();
    std::fs::write(world.dir.path().join("data/tokens.json"), b"{ not json").unwrap();
    let (_vault, notices) = world.open(store.clone(), Arc::new(NoFaults));
    assert!(matches!(notices[0], VaultNotice::CorruptMovedAside { .. }));
    assert_eq!(store.accounts(), before);
    // Set aside, the list is missing at the next start: still nothing lost.
    assert!(!world.dir.path().join("data/tokens.json").exists());
    let (_vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    assert_eq!(store.accounts(), before);
}

/// The app's edit names the token by id and carries the address the user
/// confirmed: an edit that would lead elsewhere is refused before the
/// keychain is read, and nothing is sent.
#[tokio::test]
async fn an_edit_by_id_goes_only_to_the_address_the_user_confirmed() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let secret = world.token(READY);
    let prod = add(&vault, &world, "prod", &secret).await;
    let id = prod.record.id.clone();
    let listed = prod.record.api_url.clone();
    // The same simulator by another name: a new address for the vault.
    let elsewhere = world.sim.github_url().replace("127.0.0.1", "localhost");

    world.sim.reset_requests();
    let refused = vault
        .edit_by_id(
            &id,
            TokenEdit {
                host: Some(elsewhere.clone()),
                confirmed_api_url: Some(listed.clone()),
                ..TokenEdit::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("not at the address you confirmed"),
        "{refused}"
    );
    assert!(world
        .sim
        .requests(tokenwarden_sim::Provider::Github)
        .is_empty());
    assert_eq!(vault.record_by_id(&id).unwrap().api_url, listed);

    // Confirmed: checked there and kept, found by its id even after the
    // name changed.
    let renamed = vault
        .edit_by_id(
            &id,
            TokenEdit {
                new_name: Some("prod-2".into()),
                confirmed_api_url: Some(listed.clone()),
                ..TokenEdit::default()
            },
        )
        .await
        .unwrap()
        .0;
    assert_eq!(renamed.record.name, "prod-2");
    let confirmed = format!("{elsewhere}/api/v3");
    let (moved, report) = vault
        .edit_by_id(
            &id,
            TokenEdit {
                host: Some(elsewhere.clone()),
                confirmed_api_url: Some(confirmed.clone()),
                ..TokenEdit::default()
            },
        )
        .await
        .unwrap();
    assert!(report.is_some(), "checked at the new address");
    assert_eq!(moved.record.api_url, confirmed);

    // A token removed meanwhile: nothing happens, and the words say why.
    vault.remove("prod-2").unwrap();
    let gone = vault
        .edit_by_id(&id, TokenEdit::default())
        .await
        .unwrap_err();
    assert!(matches!(gone, VaultError::Gone(_)), "{gone:?}");
}

/// The app's window names a token by the id it read from the list. Between
/// that read and the command, the token is renamed and another token is
/// renamed into its old name: re-check, page, rotate and remove by id still
/// act on the token the window showed, never on the one now holding the
/// name. Once removed, its id answers `Gone` and nothing is sent.
#[tokio::test]
async fn operations_by_id_act_on_the_token_the_window_showed_whatever_was_renamed() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let shown = add(&vault, &world, "prod", &world.token(READY)).await;
    let other_value = world.token(READY);
    let other = add(&vault, &world, "staging", &other_value).await;
    let id = shown.record.id.clone();

    // The window read the list; then the names moved under it.
    let rename = |new_name: &str| TokenEdit {
        new_name: Some(new_name.into()),
        ..TokenEdit::default()
    };
    vault.edit("prod", rename("prod-old")).await.unwrap();
    vault.edit("staging", rename("prod")).await.unwrap();
    assert_eq!(vault.record("prod").unwrap().id, other.record.id);

    let checked = vault.check_key(Some(TokenKey::Id(&id))).await.unwrap();
    assert_eq!(checked.len(), 1);
    assert_eq!(checked[0].token.record.id, id);
    assert!(vault.verified_tokens_page(TokenKey::Id(&id)).is_ok());

    let new = world.token(READY);
    let ReplaceOutcome::Replaced { token: rotated, .. } =
        vault.rotate(TokenKey::Id(&id), &new).await.unwrap()
    else {
        panic!("refused")
    };
    assert_eq!(rotated.record.id, id);
    assert_eq!(
        opened(&*store, &rotated.record.current_account()).expose(),
        new.expose()
    );
    let untouched = vault.record(TokenKey::Id(&other.record.id)).unwrap();
    assert_eq!(untouched.rotated_at, None);
    assert_eq!(
        opened(&*store, &untouched.current_account()).expose(),
        other_value.expose()
    );

    let removed = vault.remove(TokenKey::Id(&id)).unwrap();
    assert_eq!(removed.name, "prod-old");
    let names: Vec<String> = vault
        .list()
        .unwrap()
        .into_iter()
        .map(|t| t.record.name)
        .collect();
    assert_eq!(names, ["prod"], "the other token is still there");

    // Gone: every operation says so, and nothing reaches the provider.
    world.sim.reset_requests();
    let gone = |error: VaultError| assert!(matches!(error, VaultError::Gone(_)), "{error:?}");
    gone(vault.check_key(Some(TokenKey::Id(&id))).await.unwrap_err());
    gone(vault.verified_tokens_page(TokenKey::Id(&id)).unwrap_err());
    gone(
        vault
            .rotate(TokenKey::Id(&id), &world.token(READY))
            .await
            .unwrap_err(),
    );
    gone(
        vault
            .rotate_self(TokenKey::Id(&id), None)
            .await
            .unwrap_err(),
    );
    gone(vault.remove(TokenKey::Id(&id)).unwrap_err());
    assert!(world
        .sim
        .requests(tokenwarden_sim::Provider::Github)
        .is_empty());
    assert_eq!(vault.list().unwrap().len(), 1);
}

/// A description takes 1,000 characters and refuses one more, when a token
/// is added or edited; the refusal names the limit, and nothing is sent or
/// stored.
#[tokio::test]
async fn a_description_is_bounded_on_add_and_edit() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store.clone(), Arc::new(NoFaults));
    let secret = world.token(READY);
    world.sim.reset_requests();
    let mut new = world.new_token("prod");
    new.description = "d".repeat(1_001);
    let error = vault
        .add(new, &secret, false)
        .await
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(error, VaultError::TooLong(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "The description is 1001 characters long, more than the 1000 Tokenwarden accepts. Shorten it."
    );
    assert_eq!(error.exit_code(), 64);
    assert!(world
        .sim
        .requests(tokenwarden_sim::Provider::Github)
        .is_empty());
    assert!(store.accounts().is_empty());

    let mut new = world.new_token("prod");
    new.description = "d".repeat(1_000);
    let AddOutcome::Stored { token, .. } = vault.add(new, &secret, false).await.unwrap() else {
        panic!("refused")
    };
    let long = TokenEdit {
        description: Some("é".repeat(1_001)),
        ..TokenEdit::default()
    };
    let error = vault.edit("prod", long).await.unwrap_err();
    assert!(matches!(error, VaultError::TooLong(_)), "{error:?}");
    let at_limit = TokenEdit {
        description: Some("é".repeat(1_000)),
        ..TokenEdit::default()
    };
    let (edited, _) = vault.edit("prod", at_limit).await.unwrap();
    assert_eq!(edited.record.description.chars().count(), 1_000);
    assert_eq!(edited.record.id, token.record.id);
}

/// The servers a stored token already goes to (scheme, host and port) are
/// the ones the app sends a pasted token to without asking; any other is
/// not, whatever its path.
#[tokio::test]
async fn a_server_is_stored_when_a_token_goes_there() {
    let world = World::new().await;
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = world.open(store, Arc::new(NoFaults));
    let api = |s: &str| url::Url::parse(s).unwrap();
    let listed = world.sim.github_url();
    assert!(
        !vault.stores_server(&api(&listed)).unwrap(),
        "nothing stored yet"
    );
    add(&vault, &world, "prod", &world.token(READY)).await;
    assert!(vault
        .stores_server(&api(&format!("{listed}/api/v3/")))
        .unwrap());
    assert!(vault
        .stores_server(&api(&format!("{listed}/elsewhere")))
        .unwrap());
    let other_name = listed.replace("127.0.0.1", "localhost");
    assert!(!vault.stores_server(&api(&other_name)).unwrap());
    let other_scheme = listed.replace("http://", "https://");
    assert!(!vault.stores_server(&api(&other_scheme)).unwrap());
}
