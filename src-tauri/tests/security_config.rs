//! The security baseline lives in configuration files, where a careless edit
//! would loosen it silently. These tests fail when it does, and read every
//! file tauri-build reads: the config (and any platform file merged over
//! it), every capability file under `src-tauri/capabilities/` at any depth
//! (`build.rs` gives tauri-build the pattern `src-tauri/capabilities/**/*`)
//! in JSON or TOML, and capabilities written inline in `tauri.conf.json`.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn config() -> Value {
    read_json(&root().join("tauri.conf.json"))
}

/// Every file under `dir`, at any depth.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The capabilities a file holds: one, a list, or `{"capabilities": [...]}`
/// (tauri-utils' `CapabilityFile`).
fn capabilities_in(file: Value) -> Vec<Value> {
    match file {
        Value::Array(list) => list,
        Value::Object(ref map) if map.contains_key("capabilities") => {
            map["capabilities"].as_array().cloned().unwrap_or_default()
        }
        other => vec![other],
    }
}

/// Every capability tauri-build would load from `dir`, by file. A file in
/// a format this test cannot read (JSON5, which tauri-build reads when any
/// crate enables tauri-utils' `config-json5`) or of no known format is a
/// failure, not a file skipped.
fn capability_files(dir: &Path) -> Vec<(String, Vec<Value>)> {
    files_under(dir)
        .into_iter()
        .map(|path| {
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let file: Value = match path.extension().and_then(|e| e.to_str()) {
                Some("json") => serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{name}: {e}")),
                Some("toml") => {
                    let value: toml::Value =
                        toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
                    serde_json::to_value(value).unwrap()
                }
                _ => panic!(
                    "{name}: a capability file this test cannot check; write capabilities as .json or .toml"
                ),
            };
            (name, capabilities_in(file))
        })
        .collect()
}

/// What is wrong with a capability: anything but the app's own commands,
/// granted by name to the main window alone.
fn capability_problems(source: &str, capability: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if capability["windows"] != json!(["main"]) {
        problems.push(format!(
            "{source} grants to windows {}",
            capability["windows"]
        ));
    }
    if capability.get("webviews").is_some() {
        problems.push(format!("{source} grants to webviews"));
    }
    if capability.get("remote").is_some() {
        problems.push(format!("{source} grants to remote URLs"));
    }
    if capability.get("platforms").is_some() {
        problems.push(format!("{source} differs by platform"));
    }
    for permission in capability["permissions"].as_array().into_iter().flatten() {
        let id = permission
            .as_str()
            .or_else(|| permission["identifier"].as_str())
            .unwrap_or("(no identifier)");
        if !id.starts_with("allow-") || id.contains(':') {
            problems.push(format!(
                "{source} grants {id}: only the app's own commands, one by one"
            ));
        }
        if permission.get("allow").is_some() || permission.get("deny").is_some() {
            problems.push(format!("{source} scopes {id}"));
        }
    }
    problems
}

/// Every capability tauri-build loads for this app: the files and the
/// config's inline ones.
fn all_problems(capabilities_dir: &Path, config: &Value) -> (usize, Vec<String>) {
    let mut count = 0;
    let mut problems = Vec::new();
    for (file, capabilities) in capability_files(capabilities_dir) {
        for capability in capabilities {
            count += 1;
            problems.extend(capability_problems(&file, &capability));
        }
    }
    for inline in config["app"]["security"]["capabilities"]
        .as_array()
        .into_iter()
        .flatten()
    {
        // A string names a capability from the files, checked above.
        if inline.is_object() {
            count += 1;
            problems.extend(capability_problems("tauri.conf.json (inline)", inline));
        }
    }
    (count, problems)
}

#[test]
fn the_webview_gets_no_global_tauri_object() {
    assert_eq!(config()["app"]["withGlobalTauri"], Value::Bool(false));
}

/// Tauri merges these over tauri.conf.json (or reads them instead): the
/// tests here read tauri.conf.json only, so none may exist unread.
#[test]
fn no_other_config_file_is_merged_over_the_one_tested() {
    for name in [
        "tauri.conf.json5",
        "Tauri.toml",
        "tauri.linux.conf.json",
        "tauri.linux.conf.json5",
        "Tauri.linux.toml",
        "tauri.macos.conf.json",
        "tauri.macos.conf.json5",
        "Tauri.macos.toml",
        "tauri.windows.conf.json",
        "tauri.windows.conf.json5",
        "Tauri.windows.toml",
    ] {
        assert!(
            !root().join(name).exists(),
            "{name} is merged over tauri.conf.json: check it in this test before adding it"
        );
    }
}

/// Every directive pinned: a new one, a removed one or a changed source
/// fails, whatever it is.
#[test]
fn the_csp_allows_only_the_apps_own_scripts_and_styles() {
    let csp = config()["app"]["security"]["csp"].clone();
    assert_eq!(
        csp,
        json!({
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "font-src": "'self'",
            // Provider calls are made from Rust: the webview talks to IPC only.
            "connect-src": "ipc: http://ipc.localhost",
            "object-src": "'none'",
            "base-uri": "'none'",
            "form-action": "'none'",
            "frame-ancestors": "'none'"
        })
    );
    // And, in case someone updates the pin with the config: none of these.
    for (directive, sources) in csp.as_object().unwrap() {
        for forbidden in [
            "'unsafe-eval'",
            "'unsafe-inline'",
            "*",
            "http:",
            "https:",
            "blob:",
        ] {
            assert!(
                !sources
                    .as_str()
                    .unwrap()
                    .split_whitespace()
                    .any(|s| s == forbidden),
                "{directive} allows {forbidden}"
            );
        }
    }
    assert_eq!(config()["app"]["security"]["freezePrototype"], true);
    assert!(config()["app"]["security"]
        .get("dangerousDisableAssetCspModification")
        .is_none());
}

#[test]
fn capabilities_grant_only_app_commands_and_only_to_the_main_window() {
    let (count, problems) = all_problems(&root().join("src-tauri/capabilities"), &config());
    assert!(count > 0, "the main window needs a capability");
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The checks above find a loosening wherever tauri-build would read it:
/// a TOML file in a subfolder, a list in a file, a capability inline in
/// the config; and refuse a JSON5 file rather than skip it.
#[test]
fn a_capability_hidden_in_a_subfolder_toml_or_the_config_is_found() {
    let dir = std::env::temp_dir().join(format!("tw-capabilities-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("extra/deeper")).unwrap();
    std::fs::write(
        dir.join("main.json"),
        r#"{"identifier": "main", "windows": ["main"], "permissions": ["allow-vault-overview"]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("extra/deeper/files.toml"),
        "identifier = \"files\"\nwindows = [\"main\"]\npermissions = [\"fs:default\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("extra/list.json"),
        r#"{"capabilities": [{"identifier": "remote", "windows": ["main"], "remote": {"urls": ["https://*"]}, "permissions": []}]}"#,
    )
    .unwrap();
    let inline = json!({"app": {"security": {"capabilities": [
        "main",
        {"identifier": "other", "windows": ["*"], "permissions": ["core:default"]}
    ]}}});
    let (count, problems) = all_problems(&dir, &inline);
    assert_eq!(count, 4);
    let text = problems.join("\n");
    assert!(text.contains("files.toml grants fs:default"), "{text}");
    assert!(text.contains("list.json grants to remote URLs"), "{text}");
    assert!(
        text.contains("tauri.conf.json (inline) grants to windows"),
        "{text}"
    );
    assert!(
        text.contains("tauri.conf.json (inline) grants core:default"),
        "{text}"
    );
    assert!(!text.contains("main.json"), "{text}");

    std::fs::write(dir.join("extra/hidden.json5"), "{identifier: 'x'}").unwrap();
    let refused = std::panic::catch_unwind(|| capability_files(&dir));
    assert!(refused.is_err(), "a JSON5 capability file was skipped");
    std::fs::remove_dir_all(&dir).unwrap();
}
