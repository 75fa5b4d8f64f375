//! The wizard's check-and-save: the pasted value is checked, parked behind
//! a handle, and saved from there.

use serde::{Deserialize, Serialize};
use tauri::State;
use tokenwarden_core::check::CheckReport;
use tokenwarden_core::target::TokenTarget;
use tokenwarden_core::vault::{AddOutcome, NewToken, TokenView};
use tokenwarden_core::TokenSecret;
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct CheckedNewToken {
    /// Refers to the pasted value, held by the backend; not the value.
    pub handle: String,
    pub report: CheckReport,
}

/// Checks a pasted token against its target and parks it for saving.
/// The target comes from the webview, so a server that is neither one of
/// the catalogue's nor one a stored token uses is confirmed first in a
/// native dialog the webview cannot answer; Cancel sends nothing and keeps
/// nothing. "Check again" and "Save" reuse the parked value only at the
/// server it was parked for, so they never need to ask.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(provider = ?target.provider), err(Display))]
pub async fn check_new_token(
    app: tauri::AppHandle,
    window: tauri::WebviewWindow,
    state: State<'_, AppState>,
    target: TokenTarget,
    token: TokenSecret,
) -> Result<CheckedNewToken, CommandError> {
    picked_ca_file_only(&state, &target).await?;
    let request = target.to_request()?;
    crate::confirm::pasted_token_may_go(&app, &window, &state, &request.api_url).await?;
    let report = state.checker.check(&request, &token).await;
    let handle = state.parked.park(token, request.api_url.as_str());
    Ok(CheckedNewToken { handle, report })
}

/// "Check again": checks the value already pasted (still parked) against
/// `target`, after the user fixed a permission or a field, without asking
/// for it again. Only at the server it was first checked against; another
/// address is refused with `secret_expired` (paste it again), so a changed
/// address can never redirect a held secret.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(provider = ?target.provider), err(Display))]
pub async fn recheck_new_token(
    state: State<'_, AppState>,
    handle: String,
    target: TokenTarget,
) -> Result<CheckedNewToken, CommandError> {
    picked_ca_file_only(&state, &target).await?;
    let request = target.to_request()?;
    let token = state.parked.get_for(&handle, request.api_url.as_str())?;
    let report = state.checker.check(&request, &token).await;
    Ok(CheckedNewToken { handle, report })
}

/// The CA file a user picked, as the wizard shows it.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct ChosenCaFile {
    /// The full path, which the wizard sends back in its target; Rust
    /// accepts it there because it was picked here.
    pub path: String,
    /// The file's name, to show.
    pub name: String,
}

/// "Choose file…" for a private CA: the platform's own file dialog, opened
/// by Rust (the webview has no dialog permission). None when the user
/// closed it without picking.
#[tauri::command]
#[tracing::instrument(skip_all, err(Display))]
pub async fn choose_ca_file(
    app: tauri::AppHandle,
    window: tauri::WebviewWindow,
    state: State<'_, AppState>,
) -> Result<Option<ChosenCaFile>, CommandError> {
    use tauri_plugin_dialog::DialogExt;

    let (answer, answered) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Choose the CA certificate file (PEM)")
        .add_filter("PEM certificates", &["pem", "crt", "cer"])
        .set_parent(&window)
        .pick_file(move |path| {
            let _ = answer.send(path);
        });
    let Some(picked) = answered.await.ok().flatten() else {
        return Ok(None);
    };
    let path = picked.into_path().map_err(|e| {
        CommandError::new(
            ErrorCode::BadCaFile,
            format!("That file cannot be used as a CA certificate file: {e}"),
        )
    })?;
    let shown = path.display().to_string();
    state.parked.picked_ca_file(&shown);
    Ok(Some(ChosenCaFile {
        name: path
            .file_name()
            .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned()),
        path: shown,
    }))
}

/// Refuses a CA file path the user did not pick in the native dialog (nor
/// one a stored token already uses), before the file system is asked: the
/// same words whether or not such a file exists, so a script in the
/// webview cannot probe the disk through the wizard.
pub(crate) async fn picked_ca_file_only(
    state: &AppState,
    target: &TokenTarget,
) -> Result<(), CommandError> {
    let Some(path) = target
        .ca_file
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    else {
        return Ok(());
    };
    if state.parked.was_picked(path) {
        return Ok(());
    }
    let path = path.to_owned();
    let stored = super::on_vault(state.vault()?, move |vault| vault.uses_ca_file(&path)).await?;
    if stored {
        return Ok(());
    }
    Err(CommandError::new(
        ErrorCode::BadCaFile,
        "Choose the CA certificate file with “Choose file…”: Tokenwarden reads only a file picked there, or one a stored token already uses.",
    ))
}

/// Forgets a parked token (the wizard was cancelled or restarted).
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all)]
pub fn discard_new_token(state: State<'_, AppState>, handle: String) {
    state.parked.discard(&handle);
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct SaveTokenInput {
    pub handle: String,
    pub name: String,
    pub description: String,
    pub target: TokenTarget,
    /// The user confirmed storing a token that falls short.
    pub accept_shortfall: bool,
}

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct SaveTokenResult {
    pub stored: bool,
    pub token: Option<TokenView>,
    pub report: CheckReport,
}

/// Stores the parked token in the keychain and its metadata in the vault.
#[tauri::command(rename_all = "snake_case")]
#[tracing::instrument(skip_all, fields(name = %input.name), err(Display))]
pub async fn save_new_token(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    input: SaveTokenInput,
) -> Result<SaveTokenResult, CommandError> {
    let vault = state.vault()?;
    picked_ca_file_only(&state, &input.target).await?;
    let request = input.target.to_request()?;
    // Saved only for the server it was checked against: a target changed
    // since (another address) means pasting it again.
    let secret = state
        .parked
        .get_for(&input.handle, request.api_url.as_str())?;
    let new = NewToken {
        name: input.name.trim().to_owned(),
        description: input.description.trim().to_owned(),
        host: input.target.host.clone().filter(|h| !h.trim().is_empty()),
        request,
    };
    let outcome = vault.add(new, &secret, input.accept_shortfall).await?;
    Ok(match outcome {
        AddOutcome::Stored { token, report } => {
            state.parked.discard(&input.handle);
            super::settings::autostart_after_first_token(&app, &state);
            SaveTokenResult {
                stored: true,
                token: Some(*token),
                report,
            }
        }
        AddOutcome::Refused { report } => SaveTokenResult {
            stored: false,
            token: None,
            report,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenwarden_core::catalogue::Simulated;
    use tokenwarden_core::ProviderKind;

    /// A CA path the user did not pick natively is refused before the
    /// file system is asked, in the same words whether the file exists, is
    /// unreadable or is no certificate; a picked one goes on to be read.
    #[test]
    fn a_ca_file_not_picked_natively_is_refused_without_saying_whether_it_exists() {
        let state = crate::state::tests::state_with(Simulated::default());
        let picked_ca_file_only = |state: &AppState, target: &TokenTarget| {
            tauri::async_runtime::block_on(picked_ca_file_only(state, target))
        };
        let dir = std::env::temp_dir().join(format!("tw-ca-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let not_a_certificate = dir.join("notes.txt");
        std::fs::write(&not_a_certificate, "not a certificate\n").unwrap();
        let target = |path: &str| TokenTarget {
            ca_file: Some(path.to_owned()),
            host: Some("https://ghe.acme.test".into()),
            ..TokenTarget::new(ProviderKind::Github)
        };
        let words: Vec<String> = [
            "/etc/passwd".to_owned(),
            dir.join("missing.pem").display().to_string(),
            dir.display().to_string(),
            not_a_certificate.display().to_string(),
        ]
        .iter()
        .map(|path| {
            let error = picked_ca_file_only(&state, &target(path)).unwrap_err();
            assert_eq!(error.code, ErrorCode::BadCaFile);
            assert!(!error.message.contains(path.as_str()), "{}", error.message);
            error.message
        })
        .collect();
        assert!(words.windows(2).all(|w| w[0] == w[1]), "{words:?}");
        assert!(words[0].contains("Choose file"), "{}", words[0]);

        // Picked natively: allowed, and then the file's own problem is
        // named (the user chose it, so saying so reveals nothing).
        let picked = not_a_certificate.display().to_string();
        state.parked.picked_ca_file(&picked);
        picked_ca_file_only(&state, &target(&picked)).unwrap();
        let error = CommandError::from(target(&picked).to_request().unwrap_err());
        assert!(
            error.message.contains("holds no certificate"),
            "{}",
            error.message
        );
        assert!(picked_ca_file_only(&state, &target("")).is_ok());
        state.parked.clear();
        assert!(picked_ca_file_only(&state, &target(&picked)).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
