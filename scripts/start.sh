#!/usr/bin/env bash
# Installs everything Tokenwarden needs on Debian or Ubuntu, builds it, and
# starts the app. Safe to run again: it installs only what is missing and
# rebuilds only what changed.
#
#   scripts/start.sh            debug build (fast to build)
#   scripts/start.sh --release  optimised build
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

profile=debug
cargo_args=()
case "${1:-}" in
  --release) profile=release; cargo_args=(--release) ;;
  "") ;;
  *) die "unknown option $1 (usage: scripts/start.sh [--release])" ;;
esac

ensure_apt_packages "${BUILD_PACKAGES[@]}"
ensure_node
ensure_rust
ensure_npm_deps "$repo_root/ui"

say "Building the UI"
(cd "$repo_root/ui" && npm run --silent build)
say "Building the app ($profile)"
(cd "$repo_root" && cargo build "${cargo_args[@]}" -p tokenwarden-desktop)

say "Starting Tokenwarden"
exec "$repo_root/target/$profile/tokenwarden-desktop"
