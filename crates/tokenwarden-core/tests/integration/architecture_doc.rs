//! ARCHITECTURE.md's "Modules, one line each" names every source folder and
//! module of the project, and nothing that no longer exists: a module added
//! without its line, or removed without removing it, fails here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Source modules: Rust files under each crate's `src/` and the shell's,
/// and the UI's own Svelte and TypeScript files (not the generated
/// bindings, the test fixtures or the tests).
fn is_module(path: &str) -> bool {
    let rust = path.ends_with(".rs")
        && ((path.starts_with("crates/") && path.contains("/src/"))
            || path.starts_with("src-tauri/src/"));
    let ui = path.starts_with("ui/src/")
        && (path.ends_with(".svelte") || path.ends_with(".ts"))
        && !path.contains("/bindings/")
        && !path.contains("/lib/test/")
        && !path.ends_with(".test.ts");
    rust || ui
}

fn walk(dir: &Path, root: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name == "node_modules" || name == "target" || name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, root, found);
        } else {
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            if is_module(&relative) {
                found.insert(relative);
            }
        }
    }
}

fn modules() -> BTreeSet<String> {
    let root = repo_root().canonicalize().unwrap();
    let mut found = BTreeSet::new();
    for dir in ["crates", "src-tauri/src", "ui/src"] {
        walk(&root.join(dir), &root, &mut found);
    }
    found
}

/// The paths the section lists, each as the first `code` of a list line.
fn listed() -> BTreeSet<String> {
    let text = std::fs::read_to_string(repo_root().join("ARCHITECTURE.md")).unwrap();
    let section = text
        .split("## Modules, one line each")
        .nth(1)
        .expect("ARCHITECTURE.md has a \"Modules, one line each\" section");
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("- `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_module_and_folder_has_its_line() {
    let modules = modules();
    assert!(
        modules.len() > 100,
        "the sources were found: {}",
        modules.len()
    );
    let listed = listed();
    let mut missing: Vec<String> = modules
        .iter()
        .filter(|m| !listed.contains(*m))
        .cloned()
        .collect();
    let folders: BTreeSet<String> = modules
        .iter()
        .filter_map(|m| m.rsplit_once('/').map(|(dir, _)| format!("{dir}/")))
        .collect();
    missing.extend(folders.iter().filter(|f| !listed.contains(*f)).cloned());
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md, \"Modules, one line each\", lacks a line for:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_line_names_something_that_exists() {
    let root = repo_root();
    let stale: Vec<String> = listed()
        .into_iter()
        .filter(|path| !root.join(path).exists())
        .collect();
    assert!(
        stale.is_empty(),
        "ARCHITECTURE.md lists what no longer exists:\n{}",
        stale.join("\n")
    );
}
