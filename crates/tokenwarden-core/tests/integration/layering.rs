//! The core's shape, checked on its sources (ARCHITECTURE.md, "Layers"):
//! only the provider registry names a provider, the check toolkit imports
//! no provider, and no module of the core imports one that imports it.
//! Test code is left out: tests may name whatever they test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// A file's code without its tests and comments: test modules
/// (`#[cfg(test)]`, kept at the end of a file by convention), files that
/// are tests, and comment lines (which may name anything).
fn code_of(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    text.split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repo_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn only_the_provider_registry_names_a_provider() {
    let root = repo_root();
    let mut offenders = Vec::new();
    let mut scanned = 0;
    for dir in [
        "crates/tokenwarden-core/src",
        "crates/tokenwarden-cli/src",
        "src-tauri/src",
    ] {
        for path in sources(&root.join(dir)) {
            let name = relative(&path);
            if name.starts_with("crates/tokenwarden-core/src/providers/") {
                continue;
            }
            scanned += 1;
            for (number, line) in code_of(&path).lines().enumerate() {
                for variant in ["Github", "Gitlab", "Bitbucket"] {
                    if line.contains(&format!("ProviderKind::{variant}")) {
                        offenders.push(format!("{name}:{}: {}", number + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(scanned > 40, "the sources were found ({scanned})");
    assert!(
        offenders.is_empty(),
        "outside providers/, reach a provider through providers::get/all:\n{}",
        offenders.join("\n")
    );
}

/// The core's top-level modules and which others each one's code uses.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = repo_root().join("crates/tokenwarden-core/src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in sources(&src) {
        let inside = path.strip_prefix(&src).unwrap();
        let module = inside
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if module == "lib" {
            continue;
        }
        let uses = graph.entry(module.clone()).or_default();
        let code = code_of(&path);
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let target = &rest[..end];
            if !target.is_empty() && target != module && target != "self" {
                uses.insert(target.to_owned());
            }
        }
    }
    graph
}

#[test]
fn the_check_toolkit_imports_no_provider_nor_anything_above_it() {
    let graph = module_graph();
    let check = &graph["check"];
    for above in [
        "providers",
        "catalogue",
        "checker",
        "endpoint",
        "target",
        "vault",
        "watch",
        "rotation",
    ] {
        assert!(!check.contains(above), "check/ uses crate::{above}");
    }
    for provider_user in ["providers"] {
        for above in [
            "catalogue",
            "checker",
            "endpoint",
            "target",
            "vault",
            "rotation",
        ] {
            assert!(
                !graph[provider_user].contains(above),
                "providers/ uses crate::{above}, which sits above it"
            );
        }
    }
}

#[test]
fn no_module_of_the_core_imports_one_that_imports_it() {
    let graph = module_graph();
    assert!(graph.len() > 10, "modules found: {graph:?}");
    // Depth-first search for a cycle, reporting its path.
    fn visit(
        graph: &BTreeMap<String, BTreeSet<String>>,
        node: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(graph, next, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(&graph, node, &mut Vec::new(), &mut done) {
            panic!("modules import each other: {}", cycle.join(" → "));
        }
    }
}
