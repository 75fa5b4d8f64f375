//! The native question asked before a secret goes to a server the user
//! has not agreed to: a dialog of the operating system, parented to the
//! window, which a script in the webview can neither see nor answer.

use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

/// Asks "Send it there" / "Cancel"; true only when the user chose to send.
/// A dialog that cannot be shown, or is closed, counts as Cancel.
pub async fn send_there(
    app: &tauri::AppHandle,
    window: &tauri::WebviewWindow,
    title: &str,
    message: String,
) -> bool {
    let (answer, answered) = tokio::sync::oneshot::channel();
    app.dialog()
        .message(message)
        .title(title)
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            "Send it there".into(),
            "Cancel".into(),
        ))
        .parent(window)
        .show(move |confirmed| {
            let _ = answer.send(confirmed);
        });
    answered.await.unwrap_or(false)
}
