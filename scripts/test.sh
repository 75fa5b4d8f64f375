#!/usr/bin/env bash
# Installs what the tests need on Debian or Ubuntu, then runs every test:
# formatting, lints, Rust unit and integration tests, the UI's type check,
# linter and component tests, the end-to-end tests of the real app window,
# and a short fuzz of the parsers. Exits non-zero when any of them fails.
# Safe to run again.
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"
cd "$repo_root"

ensure_apt_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_node
ensure_rust
ensure_rust_components
ensure_cargo_tool tauri-driver tauri-driver '^2'
ensure_fuzz_tools
ensure_cargo_audit
ensure_npm_deps "$repo_root/ui"
ensure_npm_deps "$repo_root/tests/e2e"

# From here on a failing check is recorded and the next one still runs, so
# one run shows every problem.
set +e
failed=()
passed=0
# step NAME COMMAND...: runs one check and records its outcome.
step() {
  local name="$1"; shift
  say "$name"
  if "$@"; then passed=$((passed + 1)); return 0; fi
  failed+=("$name")
  return 1
}


bindings_are_current() {
  # `cargo test` regenerates ui/src/lib/bindings from the Rust types; a
  # difference means someone changed a type without committing its binding.
  git rev-parse --is-inside-work-tree >/dev/null 2>&1 || return 0
  local changed untracked
  changed=$(git diff --name-only -- ui/src/lib/bindings)
  untracked=$(git ls-files --others --exclude-standard -- ui/src/lib/bindings)
  [[ -z "$changed$untracked" ]] && return 0
  printf 'TypeScript bindings differ from the Rust types; add these to git:\n%s\n' "$changed$untracked" >&2
  return 1
}

# Every dependency of the app, the CLI and the simulator (Cargo.lock) and
# of the fuzz targets (fuzz/Cargo.lock, a workspace of its own) against the
# RustSec snapshot. Warnings are denied (.cargo/audit.toml), so only the
# advisories listed there, each with its reason, pass.
audit_dependencies() {
  local db status=0
  db=$(advisory_db) || return 1
  cargo audit --db "$db" --no-fetch --deny warnings --file Cargo.lock || status=1
  cargo audit --db "$db" --no-fetch --deny warnings --file fuzz/Cargo.lock || status=1
  return "$status"
}
step "Dependency advisories (cargo audit, RustSec snapshot)" audit_dependencies

# The UI first: the app crate embeds ui/dist at compile time, so clippy
# and the Rust tests need it built.
step "UI type check (svelte-check)" npm --prefix ui run --silent check
step "UI lint (eslint)" npm --prefix ui run --silent lint
step "UI formatting (prettier)" npm --prefix ui run --silent format:check
step "UI component tests (vitest)" npm --prefix ui run --silent test
ui_built=0
step "Build the UI" npm --prefix ui run --silent build && ui_built=1
step "Rust formatting (cargo fmt --check)" cargo fmt --all --check
if [[ $ui_built -eq 1 ]]; then
  step "Rust lints (clippy -D warnings)" cargo clippy --workspace --all-targets --locked -- -D warnings
  step "Rust tests (cargo test)" cargo test --workspace --locked
  step "Vault against a real Secret Service (gnome-keyring)" \
    tests/harness/desktop-session.sh --services "dbus keyring" -- \
    cargo test --locked -p tokenwarden-cli --test cli -- --ignored
  step "Resident watcher against a real D-Bus session (resume from suspend, its bus interface)" \
    tests/harness/desktop-session.sh --services "dbus" -- \
    cargo test --locked -p tokenwarden-resident -- --ignored
  step "Exports against real node_exporter, promtool and icalendar" \
    tests/harness/desktop-session.sh --services "dbus keyring" -- \
    tests/exports/run.sh
  step "TypeScript bindings are up to date" bindings_are_current
  if step "Build the app, the CLI and the simulator" cargo build --locked; then
    step "End-to-end tests (real window, tauri-driver)" \
      tests/harness/desktop-session.sh -- npm --prefix tests/e2e run --silent test
  fi
fi

# A short fuzz of every parser of outside input; `scripts/fuzz.sh 300` is
# the longer run (README, "Fuzzing").
step "Fuzzing (10 s per target)" scripts/fuzz.sh 10

if [[ ${#failed[@]} -gt 0 ]]; then
  printf '\n\033[1;31mFailed: %s\033[0m (%d check(s) passed)\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" "$passed" >&2
  exit 1
fi
printf '\n\033[1;32mAll %d checks passed.\033[0m\n' "$passed" >&2
