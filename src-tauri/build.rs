//! Runs tauri-build for the shell: reads ../tauri.conf.json (the package's
//! manifest sits at the workspace root, beside it), generates the ACL for
//! the app's own commands, and embeds the Windows resources.

/// Every command the shell exposes. Each one gets an `allow-*` permission
/// that a capability must grant before any window may call it.
const COMMANDS: &[&str] = &[
    "provider_catalogue",
    "vault_overview",
    "check_new_token",
    "recheck_new_token",
    "discard_new_token",
    "save_new_token",
    "choose_ca_file",
    "recheck_tokens",
    "remove_token",
    "rotate_token",
    "self_rotate_token",
    "edit_token",
    "new_token_link",
    "open_new_token_page",
    "open_tokens_page",
    "open_fix_address",
    "suggest_token_name",
    "take_open_request",
    "get_settings",
    "save_settings",
    "send_test_notification",
    "export_calendar",
    "listen_open_requests",
    "token_reminders",
    "set_token_reminders",
    "startup_mark",
    "qovery_connect",
    "qovery_connections",
    "qovery_disconnect",
    "qovery_git_tokens",
    "qovery_services_using",
    "qovery_link",
    "qovery_unlink",
    "qovery_push",
];

fn main() {
    // With the UI embedded (the default), a missing ui/dist fails later in
    // a macro with a terse message; say what to do instead.
    let dist = std::path::Path::new("ui/dist/index.html");
    if std::env::var_os("CARGO_FEATURE_BUNDLED_UI").is_some() && !dist.exists() {
        panic!(
            "ui/dist is missing: build the UI first (npm --prefix ui ci && npm --prefix ui run build), or run scripts/start.sh"
        );
    }
    println!("cargo:rerun-if-changed=ui/dist/index.html");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}
