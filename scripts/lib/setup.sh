# Shared set-up steps for scripts/start.sh and scripts/test.sh. Every
# function is idempotent: it checks first and installs only what is missing,
# so a second run costs seconds.
# shellcheck shell=bash

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# What building the desktop app needs (Tauri v2 on WebKitGTK 4.1).
BUILD_PACKAGES=(build-essential pkg-config file curl ca-certificates git python3 libssl-dev
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev)
# What the tests add: a virtual display, a private D-Bus session, a real
# Secret Service, a notification server, the WebKit WebDriver, and the tools
# that take screenshots of the window; a window manager (openbox) and wmctrl
# for closing and focusing windows the way a desktop does.
# The exports' tests add the real readers of an export: node_exporter (its
# textfile collector), Prometheus for promtool, Python's icalendar parser.
TEST_PACKAGES=(xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools dunst libnotify-bin
  webkit2gtk-driver imagemagick xdotool openbox wmctrl
  prometheus-node-exporter prometheus python3-icalendar)

ensure_apt_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get: install them with your system's package manager"
  say "Installing system packages: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Vite 8 needs Node.js 20.19 or newer.
node_is_recent() {
  command -v node >/dev/null && node -e '
    const [maj, min] = process.versions.node.split(".").map(Number);
    process.exit(maj > 20 || (maj === 20 && min >= 19) ? 0 : 1);'
}

ensure_node() {
  node_is_recent && command -v npm >/dev/null && return 0
  if ! command -v npm >/dev/null; then
    say "Installing Node.js and npm from the system's packages"
    ensure_apt_packages nodejs npm
  fi
  if ! node_is_recent; then
    # The distribution's Node.js is too old (Ubuntu 24.04 ships 18): take a
    # current one from the npm registry, which ships Node.js binaries.
    say "Installing Node.js 22 from the npm registry (system Node.js is $(node --version))"
    as_root npm install -g --no-fund --no-audit node@22
    hash -r
    node_is_recent || die "Node.js 20.19 or newer is needed; found $(node --version)"
  fi
}

ensure_rust() {
  if ! command -v cargo >/dev/null && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null; then
    say "Installing the Rust toolchain with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
      sh -s -- -y --profile minimal --component rustfmt,clippy
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

ensure_rust_components() {
  local missing=()
  cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
  cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  say "Adding Rust components: ${missing[*]}"
  rustup component add "${missing[@]}"
}

# ensure_cargo_tool BINARY CRATE VERSION-REQ
ensure_cargo_tool() {
  command -v "$1" >/dev/null && return 0
  say "Installing $2 ($3) with cargo"
  cargo install "$2" --version "$3" --locked
}

# ensure_cargo_tool_exact BINARY CRATE VERSION COMMAND...: like
# ensure_cargo_tool, but exactly VERSION (its own dependencies locked too),
# replacing any other installed version; COMMAND prints the version.
ensure_cargo_tool_exact() {
  local binary="$1" crate="$2" version="$3"; shift 3
  if command -v "$binary" >/dev/null && "$@" 2>/dev/null | grep -qw -- "$version"; then
    return 0
  fi
  say "Installing $crate $version with cargo"
  cargo install "$crate" --version "=$version" --locked --force
}

# The Tauri CLI that builds the .deb (scripts/bench.sh), pinned like every
# other tool that touches the release: a newer CLI can change what the
# package holds without any change here. Keep it on the tauri version in
# Cargo.lock's minor line.
TAURI_CLI_VERSION=2.12.4
ensure_tauri_cli() {
  ensure_cargo_tool_exact cargo-tauri tauri-cli "$TAURI_CLI_VERSION" cargo tauri --version
}

# cargo-audit, which checks Cargo.lock against the RustSec advisories
# (scripts/test.sh), pinned like every other tool that judges the release:
# a newer one can read the same database differently.
CARGO_AUDIT_VERSION=0.22.2
ensure_cargo_audit() {
  ensure_cargo_tool_exact cargo-audit cargo-audit "$CARGO_AUDIT_VERSION" cargo audit --version
}

# The RustSec advisory database to audit against: these machines cannot
# fetch it, so a snapshot is kept beside the clones. TOKENWARDEN_ADVISORY_DB
# names it; otherwise ../shared/advisory-db next to the repository (a
# worktree), then /work/shared/advisory-db (a clean clone elsewhere, as CI
# makes). Prints the folder, or fails naming where it looked: a missing
# database must fail the audit, never skip it.
advisory_db() {
  local candidates=()
  if [[ -n "${TOKENWARDEN_ADVISORY_DB:-}" ]]; then
    # Named explicitly: that one or none, no quiet fallback.
    candidates=("$TOKENWARDEN_ADVISORY_DB")
  else
    candidates=("$repo_root/../shared/advisory-db" /work/shared/advisory-db)
  fi
  local dir
  for dir in "${candidates[@]}"; do
    if [[ -d "$dir/crates" ]]; then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  printf 'error: no RustSec advisory database (a folder with crates/ inside) at %s; set TOKENWARDEN_ADVISORY_DB to a copy of https://github.com/rustsec/advisory-db\n' "${candidates[*]}" >&2
  return 1
}

# What scripts/fuzz.sh needs: cargo-fuzz, and a C++ compiler for the
# libFuzzer engine that libfuzzer-sys builds.
ensure_fuzz_tools() {
  ensure_apt_packages build-essential
  ensure_cargo_tool cargo-fuzz cargo-fuzz '^0.13'
}

# Installs a package.json's dependencies exactly as locked, only when the
# lock file changed since the last install. Install scripts stay off: no
# dependency needs one, and some try to download browser drivers.
ensure_npm_deps() {
  local dir="$1"
  if [[ -f "$dir/node_modules/.package-lock.json" && "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]]; then
    return 0
  fi
  say "Installing npm packages in ${dir#"$repo_root"/}"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
}
