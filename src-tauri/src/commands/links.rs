//! Links to the providers' token pages. The webview never hands the shell
//! a URL to open: it names a target or a stored token, and the shell builds
//! the provider URL itself, so only provider pages can be opened.

use serde::Deserialize;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;
use tokenwarden_core::target::TokenTarget;
use tokenwarden_core::vault::{suggest_name, TokenKey, Vault};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct NewTokenPageInput {
    pub target: TokenTarget,
    pub name: String,
    pub description: Option<String>,
    pub expires_in_days: Option<u32>,
}

fn page_url(input: &NewTokenPageInput) -> Result<url::Url, CommandError> {
    // The CA file plays no part in a page's address: it is left out, so a
    // path from the webview is never read here.
    let target = TokenTarget {
        ca_file: None,
        ..input.target.clone()
    };
    Ok(target.new_token_url(
        &input.name,
        input.description.as_deref(),
        input.expires_in_days,
    )?)
}

/// The pre-filled new-token page, to show (and copy) in the wizard.
#[tracing::instrument(skip_all, err(Display))]
#[tauri::command(rename_all = "snake_case")]
pub fn new_token_link(input: NewTokenPageInput) -> Result<String, CommandError> {
    Ok(page_url(&input)?.to_string())
}

/// Opens the pre-filled new-token page in the system browser. The page is
/// built here, but on the server the webview's target names: one that is
/// neither the catalogue's nor one a stored token uses (nor one the user
/// agreed to send a token to) is confirmed first in a native dialog.
#[tracing::instrument(skip_all, err(Display))]
#[tauri::command(rename_all = "snake_case")]
pub async fn open_new_token_page(
    app: AppHandle,
    window: tauri::WebviewWindow,
    state: State<'_, AppState>,
    input: NewTokenPageInput,
) -> Result<(), CommandError> {
    let url = page_url(&input)?;
    let api = TokenTarget {
        ca_file: None,
        ..input.target.clone()
    }
    .to_request()?
    .api_url;
    if !crate::confirm::known_server(&state, &api).await?
        && !crate::confirm::ask(
            &app,
            &window,
            "Open a page on a server you typed?",
            format!(
                "Open {url} in your browser?\n\nIt is on a server that is not one of the services Tokenwarden knows, and none of your stored tokens uses it. Continue only if you trust that server."
            ),
            "Open it",
        )
        .await
    {
        return Err(CommandError::new(
            ErrorCode::Cancelled,
            format!("Not opened: you cancelled. The address is {url}, if you want to check it."),
        ));
    }
    open(&app, url.as_str())
}

/// Opens the page where a stored token (by id) is managed and revoked.
#[tracing::instrument(skip_all, fields(id = %id), err(Display))]
#[tauri::command(rename_all = "snake_case")]
pub async fn open_tokens_page(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> Result<(), CommandError> {
    let vault = state.vault()?;
    super::on_vault(vault, move |vault| {
        open_verified_tokens_page(vault, &id, |url| open(&app, url))
    })
    .await
}

/// What `open_tokens_page` does, with the browser passed in (so a test can
/// drive it without a window). Only the page of the server the token's
/// value is bound to: a tokens.json rewritten behind the app's back does
/// not choose where the browser goes.
fn open_verified_tokens_page(
    vault: &Vault,
    id: &str,
    open: impl FnOnce(&str) -> Result<(), CommandError>,
) -> Result<(), CommandError> {
    let page = vault.verified_tokens_page(TokenKey::Id(id))?;
    open(&page)
}

/// Opens an address a check's fix names ("Edit it at https://…"), only
/// when it is on the same web server as the token's own token page: the
/// webview may point at a link in a message, but cannot send the browser
/// anywhere else.
#[tracing::instrument(skip_all, fields(id = %id), err(Display))]
#[tauri::command(rename_all = "snake_case")]
pub async fn open_fix_address(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    url: String,
) -> Result<(), CommandError> {
    let vault = state.vault()?;
    super::on_vault(vault, move |vault| {
        open_verified_fix_address(vault, &id, &url, |url| open(&app, url))
    })
    .await
}

/// What `open_fix_address` does, with the browser passed in: the token's
/// page is verified as in `open_verified_tokens_page`, then `url` must be
/// on its web server.
fn open_verified_fix_address(
    vault: &Vault,
    id: &str,
    url: &str,
    open: impl FnOnce(&str) -> Result<(), CommandError>,
) -> Result<(), CommandError> {
    let page = vault.verified_tokens_page(TokenKey::Id(id))?;
    let address = fix_address(&page, url)?;
    open(address.as_str())
}

/// `url`, if it is on the web server of `tokens_page` (scheme, host, port).
fn fix_address(tokens_page: &str, url: &str) -> Result<url::Url, CommandError> {
    let refuse = || {
        CommandError::new(
            ErrorCode::CannotOpen,
            format!("Tokenwarden opens only the provider's own pages; copy this address into a browser if you trust it: {url}"),
        )
    };
    let page = url::Url::parse(tokens_page).map_err(|_| refuse())?;
    let wanted = url::Url::parse(url).map_err(|_| refuse())?;
    let same_server = wanted.scheme() == page.scheme()
        && wanted.host_str() == page.host_str()
        && wanted.port_or_known_default() == page.port_or_known_default()
        && wanted.username().is_empty()
        && wanted.password().is_none();
    if same_server {
        Ok(wanted)
    } else {
        Err(refuse())
    }
}

fn open(app: &AppHandle, url: &str) -> Result<(), CommandError> {
    app.opener().open_url(url, None::<&str>).map_err(|error| {
        // The opener's own words (a missing xdg-open, no handler) go to the
        // log; the user gets one sentence and the address to copy.
        tracing::warn!(%error, "no browser could be opened");
        CommandError::new(
            ErrorCode::CannotOpen,
            format!(
                "No browser could be opened on this computer; copy this address into one: {url}"
            ),
        )
    })
}

/// A descriptive name for a new token (`github-acme-production`).
#[tracing::instrument(skip_all)]
#[tauri::command(rename_all = "snake_case")]
pub fn suggest_token_name(target: TokenTarget, environment: String) -> String {
    let what = target
        .org
        .as_deref()
        .or(target.project.as_deref())
        .or(target.group.as_deref())
        .or(target.workspace.as_deref())
        .or(target.repo.as_deref());
    suggest_name(target.provider, what, &environment)
}

#[cfg(test)]
mod tests {
    use super::{fix_address, open_verified_fix_address, open_verified_tokens_page};
    use std::sync::{Arc, Mutex};
    use tokenwarden_core::check::{CheckRequest, SystemClock};
    use tokenwarden_core::checker::{CheckOptions, Checker};
    use tokenwarden_core::vault::{
        AddOutcome, KeychainError, NewToken, NoFaults, SecretStore, Vault, VaultParts,
    };
    use tokenwarden_core::{ProviderKind, TokenSecret};
    use tokenwarden_sim::{Simulator, TokenSpec};

    /// An in-memory keychain: the commands read the value's binding from it.
    #[derive(Default)]
    struct Keychain(Mutex<std::collections::HashMap<String, String>>);
    impl SecretStore for Keychain {
        fn put(&self, account: &str, secret: &TokenSecret) -> Result<(), KeychainError> {
            let mut entries = self.0.lock().unwrap();
            entries.insert(account.into(), secret.expose().into());
            Ok(())
        }
        fn get(&self, account: &str) -> Result<TokenSecret, KeychainError> {
            let entries = self.0.lock().unwrap();
            entries
                .get(account)
                .map(TokenSecret::new)
                .ok_or(KeychainError::Missing)
        }
        fn delete(&self, account: &str) -> Result<(), KeychainError> {
            self.0.lock().unwrap().remove(account);
            Ok(())
        }
        fn exists(&self, account: &str) -> Result<bool, KeychainError> {
            Ok(self.0.lock().unwrap().contains_key(account))
        }
        fn backend(&self) -> &'static str {
            "memory"
        }
    }

    /// The two commands' own code, with the browser replaced by a list of
    /// what it was asked to open: once the token list names another server
    /// than the one the token's value is bound to, neither opens anything,
    /// and the user reads why.
    #[tokio::test]
    async fn a_rewritten_token_list_opens_no_page_and_says_the_server_changed() {
        let sim = Simulator::start().await.unwrap();
        sim.add_github_org("acme", &["deploy-bot"]);
        let secret = TokenSecret::new(
            sim.add_token(
                TokenSpec::github_classic("deploy-bot", &["repo", "admin:repo_hook", "read:org"])
                    .expires_at(chrono::Utc::now() + chrono::Duration::days(90)),
            ),
        );
        let dir = tempfile::tempdir().unwrap();
        let (vault, _) = Vault::open_with(VaultParts {
            data_dir: dir.path().to_owned(),
            store: Arc::new(Keychain::default()),
            checker: Checker::new(CheckOptions::default()).into(),
            clock: Arc::new(SystemClock),
            faults: Arc::new(NoFaults),
        })
        .unwrap();
        let mut request = CheckRequest::new(
            ProviderKind::Github,
            url::Url::parse(&sim.github_api_url()).unwrap(),
        );
        request.org = Some("acme".into());
        let new = NewToken {
            name: "prod".into(),
            description: "CI deploys".into(),
            host: None,
            request,
        };
        let outcome = vault.add(new, &secret, false).await.unwrap();
        assert!(matches!(outcome, AddOutcome::Stored { .. }), "not stored");

        let opened = Mutex::new(Vec::<String>::new());
        let browser = |url: &str| {
            opened.lock().unwrap().push(url.to_owned());
            Ok(())
        };
        // As stored: the token's page, and a page on its server, open.
        let id = vault.record("prod").unwrap().id;
        let page = vault.record("prod").unwrap().tokens_page();
        let fix = url::Url::parse(&page)
            .unwrap()
            .join("/acme/settings")
            .unwrap()
            .to_string();
        open_verified_tokens_page(&vault, &id, browser).unwrap();
        open_verified_fix_address(&vault, &id, &fix, browser).unwrap();
        assert_eq!(*opened.lock().unwrap(), [page.clone(), fix]);
        opened.lock().unwrap().clear();

        // tokens.json rewritten behind the app's back to another server.
        let file = vault.metadata_path().to_owned();
        let mut json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        json["tokens"][0]["api_url"] = "https://github.evil.test/api/v3/".into();
        std::fs::write(&file, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
        let moved = vault.record("prod").unwrap().tokens_page();
        assert!(moved.contains("github.evil.test"), "{moved}");

        let errors = [
            open_verified_tokens_page(&vault, &id, browser).unwrap_err(),
            open_verified_fix_address(
                &vault,
                &id,
                "https://github.evil.test/settings/tokens",
                browser,
            )
            .unwrap_err(),
        ];
        assert!(opened.lock().unwrap().is_empty(), "{:?}", opened.lock());
        for error in errors {
            assert_eq!(error.code, "invalid");
            assert!(
                error.message.contains("changed outside Tokenwarden"),
                "{}",
                error.message
            );
            assert!(!error.message.contains(secret.expose()));
        }
    }

    /// A link in a check's message opens only on the provider's own web
    /// server, the one the token's page is on.
    #[test]
    fn fix_addresses_open_only_on_the_tokens_own_web_server() {
        let page = "https://gitlab.acme.test/-/user_settings/personal_access_tokens";
        let ok = fix_address(
            page,
            "https://gitlab.acme.test/acme/web/-/settings/access_tokens",
        );
        assert_eq!(
            ok.unwrap().as_str(),
            "https://gitlab.acme.test/acme/web/-/settings/access_tokens"
        );
        for elsewhere in [
            "https://evil.test/acme",
            "http://gitlab.acme.test/acme",
            "https://gitlab.acme.test:8443/acme",
            "https://user:pw@gitlab.acme.test/acme",
            "file:///etc/passwd",
            "not an address",
        ] {
            let error = fix_address(page, elsewhere).unwrap_err();
            assert_eq!(error.code, "cannot_open", "{elsewhere}");
            assert!(
                error.message.contains("copy this address"),
                "{}",
                error.message
            );
        }
    }
}
