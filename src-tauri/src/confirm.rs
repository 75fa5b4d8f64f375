//! The native question asked before a secret goes to a server the user
//! has not agreed to: a dialog of the operating system, parented to the
//! window, which a script in the webview can neither see nor answer.

use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};
use tokenwarden_core::Catalogue;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// Asks "Send it there" / "Cancel"; true only when the user chose to send.
/// A dialog that cannot be shown, or is closed, counts as Cancel.
pub async fn send_there(
    app: &tauri::AppHandle,
    window: &tauri::WebviewWindow,
    title: &str,
    message: String,
) -> bool {
    ask(app, window, title, message, "Send it there").await
}

/// Asks `yes` / "Cancel"; true only when the user chose `yes`. A dialog
/// that cannot be shown, or is closed, counts as Cancel.
pub async fn ask(
    app: &tauri::AppHandle,
    window: &tauri::WebviewWindow,
    title: &str,
    message: String,
    yes: &str,
) -> bool {
    let (answer, answered) = tokio::sync::oneshot::channel();
    app.dialog()
        .message(message)
        .title(title)
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            yes.into(),
            "Cancel".into(),
        ))
        .parent(window)
        .show(move |confirmed| {
            let _ = answer.send(confirmed);
        });
    answered.await.unwrap_or(false)
}

/// Whether a pasted token may go to the server of `api` without asking:
/// it is one of the catalogue's (the cloud services, or under
/// `--simulator` the simulator's), one a stored token of this user already
/// goes to, or one the user agreed to in this window.
pub async fn known_server(state: &AppState, api: &url::Url) -> Result<bool, CommandError> {
    if Catalogue::load_simulated(&state.simulated).is_catalogue_server(api)
        || state.parked.agreed(api)
    {
        return Ok(true);
    }
    let api = api.clone();
    crate::commands::on_vault(state.vault()?, move |vault| vault.stores_server(&api)).await
}

/// Before a pasted token goes to `api`: nothing to ask for a known server
/// (`known_server`); for any other, the native dialog naming the address.
/// Cancel is an error (`cancelled`) and the caller sends nothing; an
/// answer of "Send it there" is remembered for this window.
pub async fn pasted_token_may_go(
    app: &tauri::AppHandle,
    window: &tauri::WebviewWindow,
    state: &AppState,
    api: &url::Url,
) -> Result<(), CommandError> {
    if known_server(state, api).await? {
        return Ok(());
    }
    let agreed = send_there(
        app,
        window,
        "Send the pasted token to a server you typed?",
        format!(
            "Send this token to {api}?\n\nIt is not one of the services Tokenwarden knows, and none of your stored tokens uses it. Continue only if you trust that server."
        ),
    )
    .await;
    if !agreed {
        return Err(CommandError::new(
            ErrorCode::Cancelled,
            format!("Not sent: you cancelled, so the token did not go to {api} and Tokenwarden does not keep it. Check the address, then paste the token again."),
        ));
    }
    state.parked.agree(api);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenwarden_core::catalogue::Simulated;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    /// The cloud services (or their simulator) are known; a server the
    /// user typed is not, until they agree in the dialog, and only while
    /// the window lives.
    #[test]
    fn only_catalogue_stored_or_agreed_servers_are_known() {
        let simulated = Simulated::parse("github=http://127.0.0.1:8").unwrap();
        let state = crate::state::tests::state_with(simulated);
        let known_server = |state: &AppState, api: &url::Url| {
            tauri::async_runtime::block_on(known_server(state, api))
        };
        assert!(known_server(&state, &url("http://127.0.0.1:8/api/v3/")).unwrap());
        assert!(known_server(&state, &url("https://gitlab.com/api/v4/")).unwrap());
        let typed = url("https://ghe.acme.test/api/v3/");
        assert!(!known_server(&state, &typed).unwrap());
        assert!(!known_server(&state, &url("http://127.0.0.1:9/api/v3/")).unwrap());
        state.parked.agree(&typed);
        assert!(known_server(&state, &url("https://ghe.acme.test/other/")).unwrap());
        assert!(!known_server(&state, &url("https://ghe.acme.test:8443/api/v3/")).unwrap());
        state.parked.clear();
        assert!(!known_server(&state, &typed).unwrap());
    }
}
