#!/usr/bin/env bash
# The exports against the real components (tests/exports/test_exports.py):
# node_exporter's textfile collector, promtool, Python's icalendar. Run by
# scripts/test.sh inside tests/harness/desktop-session.sh --services
# "dbus keyring"; builds the CLI and the simulator first when needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --locked -q -p tokenwarden-cli -p tokenwarden-sim
# Debian's Python, where python3-icalendar is installed (not a user's pyenv).
exec /usr/bin/python3 tests/exports/test_exports.py
