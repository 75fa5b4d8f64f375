//! Qovery as a destination, through the simulator: connecting an
//! organization, listing its git tokens, linking (never across providers),
//! pushing (edit keeps Qovery's name and description; create links the new
//! one), Qovery's refusals with its own words and the vault left as it
//! was, and the rotation flow pushing before the old value is declared
//! revocable. The CLI's contract is tested in
//! crates/tokenwarden-cli/tests/cli/qovery.rs.

use std::sync::Arc;
use std::time::Duration;

use tokenwarden_core::check::{Http, HttpOptions, SystemClock};
use tokenwarden_core::destinations::qovery::{self, QoveryError};
use tokenwarden_core::destinations::Destination;
use tokenwarden_core::rotation;
use tokenwarden_core::target::TokenTarget;
use tokenwarden_core::vault::{
    AddOutcome, NewToken, NoFaults, ReplaceOutcome, SecretStore, TokenEdit, TokenKey, Vault,
    VaultError, VaultParts,
};
use tokenwarden_core::{ProviderKind, TokenSecret};
use tokenwarden_sim::{
    QoveryGitProvider, QoveryGitTokenSeed, QoveryRole, QoveryService, QoveryValidation,
};

use crate::support::*;

struct World {
    sim: Simulator,
    vault: Vault,
    store: Arc<MemoryStore>,
    http: Http,
    org: String,
    api_token: String,
    git_token: String,
    _data: tempfile::TempDir,
}

fn http() -> Http {
    Http::new(HttpOptions {
        timeout: Duration::from_secs(2),
        retries: 1,
        backoff: Duration::from_millis(20),
    })
}

fn github_token(sim: &Simulator) -> String {
    sim.add_token(
        TokenSpec::github_classic("deploy-bot", &["repo", "admin:repo_hook"])
            .expires_at(in_days(90)),
    )
}

/// A vault holding "prod" (a ready GitHub token), and a Qovery
/// organization with a GitHub git token "main" used by one service.
async fn world() -> World {
    let sim = Simulator::start().await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    let (vault, _) = Vault::open_with(VaultParts {
        data_dir: data.path().to_path_buf(),
        store: store.clone(),
        checker: checker().into(),
        clock: Arc::new(SystemClock),
        faults: Arc::new(NoFaults),
    })
    .unwrap();
    let mut target = TokenTarget::new(ProviderKind::Github);
    target.host = Some(sim.github_url());
    let outcome = vault
        .add(
            NewToken {
                name: "prod".into(),
                description: "deploys".into(),
                host: target.host.clone(),
                request: target.to_request().unwrap(),
            },
            &TokenSecret::new(github_token(&sim)),
            false,
        )
        .await
        .unwrap();
    assert!(matches!(outcome, AddOutcome::Stored { .. }), "{outcome:?}");
    let org = sim.add_qovery_org("Acme");
    let api_token = sim.add_qovery_api_token(&org, QoveryRole::Admin);
    let mut seed = QoveryGitTokenSeed::new("main", QoveryGitProvider::Github);
    seed.description = Some("Qovery's own words".into());
    let git_token = sim.add_qovery_git_token(&org, seed);
    sim.add_qovery_service(QoveryService::new(&git_token, "shop", "production", "api"));
    World {
        sim,
        vault,
        store,
        http: http(),
        org,
        api_token,
        git_token,
        _data: data,
    }
}

impl World {
    async fn connect(&self) {
        qovery::connect(
            &self.vault,
            &self.http,
            &self.org,
            Some(&self.sim.qovery_url()),
            &TokenSecret::new(&self.api_token),
        )
        .await
        .unwrap();
    }

    fn metadata(&self) -> String {
        std::fs::read_to_string(self.vault.metadata_path()).unwrap_or_default()
    }
}

#[tokio::test]
async fn connect_checks_the_api_token_and_keeps_it_in_the_keychain_only() {
    let w = world().await;
    let url = w.sim.qovery_url();
    let wrong = qovery::connect(
        &w.vault,
        &w.http,
        &w.org,
        Some(&url),
        &TokenSecret::new("qov_nope"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(wrong, QoveryError::ApiTokenRefused { status: 401, .. }),
        "{wrong}"
    );
    assert_eq!(wrong.exit_code(), 2);
    // An organization id beyond its bound is refused before anything is
    // sent, naming the limit.
    let asked = w.sim.qovery_requests().len();
    let long = qovery::connect(
        &w.vault,
        &w.http,
        &"o".repeat(1_001),
        Some(&url),
        &TokenSecret::new(&w.api_token),
    )
    .await
    .unwrap_err();
    assert_eq!(long.exit_code(), 64, "{long}");
    assert!(
        long.to_string()
            .starts_with("The organization id is 1001 characters long, more than the 1000"),
        "{long}"
    );
    assert_eq!(w.sim.qovery_requests().len(), asked);
    let other = w.sim.add_qovery_org("Other");
    let foreign = TokenSecret::new(w.sim.add_qovery_api_token(&other, QoveryRole::Admin));
    let refused = qovery::connect(&w.vault, &w.http, &w.org, Some(&url), &foreign)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, QoveryError::ApiTokenRefused { status: 403, .. }),
        "{refused}"
    );
    // Plain http to anything but loopback is refused before sending.
    let insecure = qovery::connect(
        &w.vault,
        &w.http,
        &w.org,
        Some("http://qovery.example.com"),
        &TokenSecret::new(&w.api_token),
    )
    .await
    .unwrap_err();
    assert_eq!(insecure.exit_code(), 64, "{insecure}");
    assert!(qovery::connections(&w.vault).unwrap().is_empty());

    w.connect().await;
    let connections = qovery::connections(&w.vault).unwrap();
    assert_eq!(connections.len(), 1);
    assert_eq!(connections[0].name, "Acme");
    assert_eq!(connections[0].api_url, url);
    // The keychain holds the API token, bound to the address it was
    // checked at.
    let item = w.store.get(&connections[0].keychain_account()).unwrap();
    assert_eq!(token_value(&item), w.api_token);
    assert!(item.expose().starts_with("tokenwarden-secret/1 "));
    let metadata = w.metadata();
    assert!(metadata.contains(&w.org), "{metadata}");
    assert!(!metadata.contains(&w.api_token));
    for text in [wrong.to_string(), refused.to_string()] {
        assert!(!text.contains("qov_"), "{text}");
    }
    let gone = qovery::disconnect(&w.vault, None).unwrap();
    assert_eq!(gone.org_id, w.org);
    assert!(w.store.get(&gone.keychain_account()).is_err());
    assert!(matches!(
        qovery::resolve(&w.vault, None),
        Err(QoveryError::NotConnected)
    ));
}

#[tokio::test]
async fn link_refuses_another_provider_and_lists_the_link_with_its_services() {
    let w = world().await;
    w.connect().await;
    let gitlab = w.sim.add_qovery_git_token(
        &w.org,
        QoveryGitTokenSeed::new("gl", QoveryGitProvider::Gitlab),
    );
    let across = qovery::link(&w.vault, &w.http, "prod", None, &gitlab)
        .await
        .unwrap_err();
    assert!(
        matches!(across, QoveryError::CrossProvider { .. }),
        "{across}"
    );
    assert_eq!(across.exit_code(), 64);
    assert!(across.to_string().contains("Nothing was sent"));
    assert!(w.sim.qovery_requests().iter().all(|r| r.method == "GET"));
    let unknown = qovery::link(&w.vault, &w.http, "prod", None, "no-such-id")
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, QoveryError::UnknownGitToken { .. }),
        "{unknown}"
    );

    let link = qovery::link(&w.vault, &w.http, "prod", None, &w.git_token)
        .await
        .unwrap();
    assert_eq!(link.services_count, 1);
    assert_eq!(w.vault.record("prod").unwrap().qovery, Some(link));
    let listed = qovery::git_tokens(&w.vault, &w.http, None, true)
        .await
        .unwrap();
    assert_eq!(listed.org.name, "Acme");
    let main = listed
        .git_tokens
        .iter()
        .find(|t| t.id == w.git_token)
        .unwrap();
    assert_eq!(main.linked.as_deref(), Some("prod"));
    assert_eq!(main.provider, ProviderKind::Github);
    let services = main.services.as_ref().unwrap();
    assert_eq!(services[0].project, "shop");
    assert_eq!(services[0].kind, "APPLICATION");
    let gl = listed.git_tokens.iter().find(|t| t.id == gitlab).unwrap();
    assert_eq!(gl.linked, None);
    assert_eq!(gl.services_count, 0);
    assert_eq!(w.sim.qovery_git_token(&w.git_token).unwrap().received, 0);
    qovery::unlink(&w.vault, "prod").unwrap();
    assert_eq!(w.vault.record("prod").unwrap().qovery, None);
}

/// The app's window names the token by the id it read: linking, pushing
/// and unlinking by id follow that token through a rename; once it is
/// removed, its id answers `Gone` and nothing reaches Qovery.
#[tokio::test]
async fn link_push_and_unlink_by_id_follow_the_token_through_a_rename() {
    let w = world().await;
    w.connect().await;
    let id = w.vault.record("prod").unwrap().id;
    let rename = TokenEdit {
        new_name: Some("prod-renamed".into()),
        ..TokenEdit::default()
    };
    w.vault.edit("prod", rename).await.unwrap();
    let key = TokenKey::Id(&id);

    let link = qovery::link(&w.vault, &w.http, key, None, &w.git_token)
        .await
        .unwrap();
    assert_eq!(w.vault.record(key).unwrap().qovery, Some(link));
    let pushed = qovery::push(&w.vault, &w.http, key, None, false, false)
        .await
        .unwrap();
    assert_eq!(pushed.git_token_id, w.git_token);
    let stored = token_value(
        &w.store
            .get(&w.vault.record(key).unwrap().current_account())
            .unwrap(),
    );
    let kept = w.sim.qovery_git_token(&w.git_token).unwrap();
    assert_eq!(kept.value.as_deref(), Some(stored.as_str()));
    qovery::unlink(&w.vault, key).unwrap();
    assert_eq!(w.vault.record(key).unwrap().qovery, None);

    w.vault.remove(key).unwrap();
    let asked = w.sim.qovery_requests().len();
    for gone in [
        qovery::push(&w.vault, &w.http, key, None, true, true)
            .await
            .unwrap_err(),
        qovery::link(&w.vault, &w.http, key, None, &w.git_token)
            .await
            .unwrap_err(),
        qovery::unlink(&w.vault, key).unwrap_err(),
    ] {
        assert!(
            matches!(gone, QoveryError::Vault(VaultError::Gone(_))),
            "{gone:?}"
        );
    }
    assert_eq!(
        w.sim.qovery_requests().len(),
        asked,
        "nothing reached Qovery"
    );
}

#[tokio::test]
async fn push_edits_keeping_qoverys_name_and_a_refusal_leaves_the_vault_as_it_was() {
    let w = world().await;
    w.connect().await;
    qovery::link(&w.vault, &w.http, "prod", None, &w.git_token)
        .await
        .unwrap();
    w.sim.set_qovery_validation(QoveryValidation {
        accept_any: false,
        refusal: Some("Cannot list repositories with this token".into()),
    });
    let before = w.metadata();
    let refused = qovery::push(&w.vault, &w.http, "prod", None, false, false)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, QoveryError::ValueRefused { status: 400, .. }),
        "{refused}"
    );
    assert!(refused
        .to_string()
        .contains("Cannot list repositories with this token"));
    assert_eq!(refused.exit_code(), 2);
    let after = w.metadata();
    // The check of the value is recorded; the link is as it was.
    let link_of = |m: &str| {
        let v: serde_json::Value = serde_json::from_str(m).unwrap();
        v["tokens"][0]["qovery"].clone()
    };
    assert_eq!(link_of(&before), link_of(&after));

    w.sim.set_qovery_validation(QoveryValidation::default());
    let pushed = qovery::push(&w.vault, &w.http, "prod", None, false, false)
        .await
        .unwrap();
    assert!(!pushed.created);
    assert_eq!(pushed.git_token_id, w.git_token);
    let kept = w.sim.qovery_git_token(&w.git_token).unwrap();
    let stored = token_value(
        &w.store
            .get(&w.vault.record("prod").unwrap().current_account())
            .unwrap(),
    );
    assert_eq!(kept.value.as_deref(), Some(stored.as_str()));
    assert_eq!(kept.name, "main", "Qovery's name is kept");
    assert_eq!(kept.description.as_deref(), Some("Qovery's own words"));
    assert!(
        kept.expired_at.is_some(),
        "Qovery learnt the expiry from GitHub"
    );
}

#[tokio::test]
async fn push_create_makes_and_links_a_git_token_and_an_unusable_value_is_never_sent() {
    let w = world().await;
    w.connect().await;
    let not_linked = qovery::push(&w.vault, &w.http, "prod", None, false, false)
        .await
        .unwrap_err();
    assert!(matches!(not_linked, QoveryError::NotLinked(_)));
    let created = qovery::push(&w.vault, &w.http, "prod", None, true, false)
        .await
        .unwrap();
    assert!(created.created);
    let made = w.sim.qovery_git_token(&created.git_token_id).unwrap();
    assert_eq!(made.name, "prod");
    assert_eq!(made.description.as_deref(), Some("deploys"));
    assert_eq!(
        made.git_api_url.as_deref(),
        Some(w.sim.github_api_url().as_str())
    );
    assert_eq!(
        w.vault.record("prod").unwrap().qovery.unwrap().git_token_id,
        created.git_token_id
    );

    // Revoked at GitHub: unusable, never pushed, consent or not.
    let value = token_value(
        &w.store
            .get(&w.vault.record("prod").unwrap().current_account())
            .unwrap(),
    );
    w.sim.revoke(&value);
    w.sim.reset_requests();
    let before = w.sim.qovery_requests().len();
    let unusable = qovery::push(&w.vault, &w.http, "prod", None, false, true)
        .await
        .unwrap_err();
    assert!(
        matches!(unusable, QoveryError::NotReady { .. }),
        "{unusable}"
    );
    assert_eq!(unusable.exit_code(), 2);
    assert!(w.sim.qovery_requests()[before..]
        .iter()
        .all(|r| r.method == "GET"));
    assert_eq!(
        w.sim
            .qovery_git_token(&created.git_token_id)
            .unwrap()
            .received,
        1
    );
}

#[tokio::test]
async fn rotation_pushes_to_qovery_before_revocation_and_a_failed_push_is_finished_later() {
    let w = world().await;
    w.connect().await;
    qovery::link(&w.vault, &w.http, "prod", None, &w.git_token)
        .await
        .unwrap();
    let record = w.vault.record("prod").unwrap();
    let destinations = qovery::destinations_for(&w.vault, &w.http, &record).unwrap();
    let refs: Vec<&dyn Destination> = destinations.iter().map(|d| d as &dyn Destination).collect();
    let new = TokenSecret::new(github_token(&w.sim));
    let outcome = rotation::rotate(&w.vault, "prod", &new, &refs)
        .await
        .unwrap();
    assert!(outcome.all_pushed(), "{:?}", outcome.pushes);
    let ReplaceOutcome::Replaced { revoke_at, .. } = &outcome.replace else {
        panic!("rotated")
    };
    assert!(revoke_at.is_some());
    assert_eq!(
        w.sim
            .qovery_git_token(&w.git_token)
            .unwrap()
            .value
            .as_deref(),
        Some(new.expose())
    );

    // Qovery down: the new value is stored, the old one is not revocable,
    // the push is journaled and `push` finishes it.
    w.sim.set_qovery_behaviour(Behaviour {
        down: true,
        ..Behaviour::default()
    });
    let newer = TokenSecret::new(github_token(&w.sim));
    let outcome = rotation::rotate(&w.vault, "prod", &newer, &refs)
        .await
        .unwrap();
    assert!(!outcome.all_pushed());
    let ReplaceOutcome::Replaced { revoke_at, .. } = &outcome.replace else {
        panic!("rotated")
    };
    assert_eq!(*revoke_at, None);
    assert!(outcome
        .unfinished("prod")
        .unwrap()
        .contains("do not revoke"));
    assert_eq!(w.vault.record("prod").unwrap().unpushed.len(), 1);
    w.sim.set_qovery_behaviour(Behaviour::default());
    qovery::push(&w.vault, &w.http, "prod", None, false, false)
        .await
        .unwrap();
    assert!(w.vault.record("prod").unwrap().unpushed.is_empty());
    assert_eq!(
        w.sim
            .qovery_git_token(&w.git_token)
            .unwrap()
            .value
            .as_deref(),
        Some(newer.expose())
    );
    // A 5xx is "could not be reached", exit 3.
    w.sim.set_qovery_behaviour(Behaviour {
        fail_always: true,
        fail_status: 503,
        ..Behaviour::default()
    });
    let failed = qovery::git_tokens(&w.vault, &w.http, None, false)
        .await
        .unwrap_err();
    assert!(matches!(failed, QoveryError::Unreachable(_)), "{failed}");
    assert_eq!(failed.exit_code(), 3);
    assert!(!w.metadata().contains(newer.expose()));
    assert!(!w.metadata().contains(&w.api_token));
}

#[tokio::test]
async fn a_bitbucket_token_is_created_in_qovery_with_its_workspace() {
    let w = world().await;
    w.connect().await;
    w.sim.add_bitbucket_repo("acme", "app");
    let value = w.sim.add_token(
        TokenSpec::bitbucket(
            TokenKind::BitbucketWorkspace,
            "acme",
            &[],
            &["repository", "pullrequest", "webhook"],
        )
        .expires_at(in_days(90)),
    );
    let mut target = TokenTarget::new(ProviderKind::Bitbucket);
    target.api_url = Some(w.sim.bitbucket_api_url());
    target.kind = Some(tokenwarden_core::TokenKindId::Workspace);
    target.workspace = Some("acme".into());
    target.expires_at = Some(date_in_days(90));
    let added = w
        .vault
        .add(
            NewToken {
                name: "bb".into(),
                description: String::new(),
                host: None,
                request: target.to_request().unwrap(),
            },
            &TokenSecret::new(&value),
            true,
        )
        .await
        .unwrap();
    assert!(matches!(added, AddOutcome::Stored { .. }), "{added:?}");
    let created = qovery::push(&w.vault, &w.http, "bb", None, true, true)
        .await
        .unwrap();
    let made = w.sim.qovery_git_token(&created.git_token_id).unwrap();
    assert_eq!(made.kind, QoveryGitProvider::Bitbucket);
    assert_eq!(made.workspace.as_deref(), Some("acme"));
    assert_eq!(made.value.as_deref(), Some(value.as_str()));
    // A GitHub git token cannot take it.
    let across = qovery::link(&w.vault, &w.http, "bb", None, &w.git_token)
        .await
        .unwrap_err();
    assert!(
        matches!(across, QoveryError::CrossProvider { .. }),
        "{across}"
    );
}

#[tokio::test]
async fn answers_qovery_never_gives_are_could_not_be_reached_and_never_echo_a_secret() {
    let w = world().await;
    let connect = |url: String| {
        let vault = &w.vault;
        let http = &w.http;
        let org = w.org.clone();
        async move {
            qovery::connect(
                vault,
                http,
                &org,
                Some(&url),
                &TokenSecret::new("qov_SECRETVALUE0123456789"),
            )
            .await
            .unwrap_err()
        }
    };
    // A captive portal's page, a redirect (never followed), a huge body.
    let html = serve(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html",
        b"<html>captive portal</html>".to_vec(),
    )
    .await;
    let redirect = serve(
        "HTTP/1.1 302 Found\r\nlocation: https://elsewhere.example.com/",
        Vec::new(),
    )
    .await;
    let huge = serve(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json",
        vec![b' '; 3 * 1024 * 1024],
    )
    .await;
    for url in [html, redirect, huge] {
        let error = connect(url.clone()).await;
        assert_eq!(error.exit_code(), 3, "{url}: {error}");
    }
    // A refusal that quotes the API token is shown without it.
    let echo = serve(
        "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json",
        br#"{"message":"bad token qov_SECRETVALUE0123456789"}"#.to_vec(),
    )
    .await;
    let error = connect(echo).await;
    assert_eq!(error.exit_code(), 2);
    assert_eq!(
        error.to_string(),
        "Qovery refused the API token (HTTP 401): bad token [redacted]"
    );
    assert!(qovery::connections(&w.vault).unwrap().is_empty());
}

/// The token in a keychain item, which holds it after a line naming the
/// server it is bound to (`vault/binding.rs`).
fn token_value(item: &TokenSecret) -> String {
    let stored = item.expose();
    match stored.split_once('\n') {
        Some((header, value)) if header.starts_with("tokenwarden-secret/") => value.to_owned(),
        _ => stored.to_owned(),
    }
}

/// tokens.json rewritten behind the vault's back to name another Qovery
/// address: the API token is bound to the one it was checked at, so the
/// other server receives nothing and the user reads why.
#[tokio::test]
async fn a_qovery_address_rewritten_in_tokens_json_receives_no_api_token() {
    let w = world().await;
    w.connect().await;
    let elsewhere = Simulator::start().await.unwrap();
    let path = w.vault.metadata_path().to_path_buf();
    let listed = std::fs::read_to_string(&path).unwrap();
    let rewritten = listed.replace(&w.sim.qovery_url(), &elsewhere.qovery_url());
    assert_ne!(listed, rewritten, "the connection names its address");
    std::fs::write(&path, rewritten).unwrap();

    let refused = qovery::git_tokens(&w.vault, &w.http, None, false)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, QoveryError::ServerChanged { .. }),
        "{refused:?}"
    );
    assert_eq!(refused.exit_code(), 74);
    let words = refused.to_string();
    assert!(words.contains("was changed outside Tokenwarden"), "{words}");
    assert!(!words.contains(&w.api_token), "{words}");
    assert!(
        elsewhere.qovery_requests().is_empty(),
        "the rewritten address got a request"
    );
    // Creating a git token there is refused the same way, before anything
    // is sent.
    let push = qovery::push(&w.vault, &w.http, "prod", None, true, false).await;
    assert!(
        matches!(push, Err(QoveryError::ServerChanged { .. })),
        "{push:?}"
    );
    assert!(elsewhere.qovery_requests().is_empty());
}
