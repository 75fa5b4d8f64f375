//! The security baseline lives in configuration files, where a careless edit
//! would loosen it silently. These tests fail when it does.

use serde_json::Value;
use std::path::Path;

fn read_json(relative: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn capabilities() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/capabilities");
    let mut found: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                name.clone(),
                read_json(&format!("src-tauri/capabilities/{name}")),
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

#[test]
fn the_webview_gets_no_global_tauri_object() {
    let conf = read_json("tauri.conf.json");
    assert_eq!(conf["app"]["withGlobalTauri"], Value::Bool(false));
}

#[test]
fn the_csp_allows_only_the_apps_own_scripts_and_styles() {
    let conf = read_json("tauri.conf.json");
    let csp = conf["app"]["security"]["csp"]
        .as_object()
        .expect("a CSP must be set, as directives");
    for (directive, sources) in csp {
        let sources = sources.as_str().unwrap();
        for forbidden in ["'unsafe-eval'", "'unsafe-inline'", "*", "http:", "https:"] {
            assert!(
                !sources.split_whitespace().any(|s| s == forbidden),
                "{directive} allows {forbidden}"
            );
        }
    }
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["script-src"], "'self'");
    assert_eq!(csp["object-src"], "'none'");
    // Provider calls are made from Rust: the webview talks to IPC only.
    assert_eq!(csp["connect-src"], "ipc: http://ipc.localhost");
}

#[test]
fn capabilities_grant_only_app_commands_and_only_to_the_main_window() {
    let caps = capabilities();
    assert!(!caps.is_empty(), "the main window needs a capability");
    for (file, cap) in caps {
        assert_eq!(cap["windows"], serde_json::json!(["main"]), "{file}");
        assert!(cap.get("webviews").is_none(), "{file} grants to webviews");
        assert!(cap.get("remote").is_none(), "{file} grants to remote URLs");
        for permission in cap["permissions"].as_array().unwrap() {
            let id = permission
                .as_str()
                .or_else(|| permission["identifier"].as_str())
                .unwrap();
            assert!(
                id.starts_with("allow-"),
                "{file} grants {id}: only the app's own commands, one by one"
            );
        }
    }
}
