#!/usr/bin/env bash
# Runs every benchmark and prints its figures beside its floor (see
# BENCHMARKS.md): checking many tokens, the vault at 10,000 tokens, the
# app's start-up, memory and idle cost (inside a private desktop session),
# and the sizes of the release binary and the .deb. Installs what it needs
# first, idempotently, like scripts/test.sh. Figures, not pass/fail tests:
# it fails only when a benchmark cannot run.
#
# Usage: scripts/bench.sh [--quick]
#   --quick  2 start-up runs and 60 s of idle instead of 11 and 600 (while
#            developing; BENCHMARKS.md records full runs)
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"
cd "$repo_root"

# Eleven alternating start-up runs: about one start in four, of the floor
# as of the app, is held ~500 ms by Mesa's GL set-up (BENCHMARKS.md), and
# with five runs a side the medians moved by tens of ms with where those fell.
runs=11
idle_seconds=600
secret_service_tokens=1000
case "${1:-}" in
  --quick) runs=2; idle_seconds=60; secret_service_tokens=100 ;;
  "") ;;
  *) die "unknown option $1 (usage: scripts/bench.sh [--quick])" ;;
esac

ensure_apt_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_node
ensure_rust
ensure_npm_deps "$repo_root/ui"

say "Building the UI and the release binaries (app, bare window, CLI, simulator, benchmarks)"
npm --prefix ui run --silent build
# One cargo invocation, so the app and the bare window share one compiled tauri.
cargo build --release --locked -p tokenwarden-desktop -p tokenwarden-resident -p bare-window -p tokenwarden-cli -p tokenwarden-sim
cargo build --release --locked -p tokenwarden-core --example bench_checks --example bench_vault

machine() {
  printf 'Machine: %s, %s CPU(s) (%s), %s RAM; %s\n' \
    "$(. /etc/os-release && echo "$PRETTY_NAME")" "$(nproc)" \
    "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)" \
    "$(free -h | awk '/^Mem:/ {print $2}')" "$(uptime | sed 's/.*load/load/')"
}
machine

say "Checking many tokens"
target/release/examples/bench_checks

say "The vault at scale"
tests/harness/desktop-session.sh --services "dbus keyring" -- \
  target/release/examples/bench_vault --secret-service "$secret_service_tokens"

say "The app: start-up, memory, idle (private desktop session)"
tests/harness/desktop-session.sh --services "x11 dbus keyring notifications" -- \
  python3 scripts/bench/app_bench.py \
  --app target/release/tokenwarden-desktop --bare target/release/bare-window \
  --cli target/release/tokenwarden --sim target/release/tokenwarden-sim \
  --runs "$runs" --idle-seconds "$idle_seconds" --json target/bench-app.json

say "Sizes"
# tauri build re-runs the UI build and the resident's release build
# (beforeBuildCommand), then cargo for the app; the binaries it packages are
# read back from the .deb.
ensure_tauri_cli
cargo tauri build --bundles deb >/dev/null
deb=$(ls -t target/release/bundle/deb/*.deb | head -n1)
mib() { awk -v b="$1" 'BEGIN {printf "%.2f MiB (%d bytes)", b / 1048576, b}'; }
in_deb=$(dpkg-deb -c "$deb" | awk '$6 ~ /usr\/bin\/tokenwarden-desktop$/ {print $3}')
echo "app binary in the .deb (stripped): $(mib "$in_deb")"
in_deb_resident=$(dpkg-deb -c "$deb" | awk '$6 ~ /usr\/bin\/tokenwarden-resident$/ {print $3}')
echo "resident binary in the .deb:       $(mib "${in_deb_resident:-0}")"
echo "floor, bare Tauri window binary:   $(mib "$(stat -c %s target/release/bare-window)")"
echo "the .deb ($(basename "$deb")):     $(mib "$(stat -c %s "$deb")")"
echo "tokenwarden CLI binary:            $(mib "$(stat -c %s target/release/tokenwarden)")"
machine
