#!/usr/bin/env bash
# Measures the tray candidate (issue 18): builds tray-probe in release,
# starts it beside the end-to-end tests' StatusNotifier host inside the
# shared headless session, waits until the host has read its 100-line menu,
# and prints its RSS and PSS. Usage: benches/tray-probe/run.sh [gtk]
#   (no argument)  ksni: a StatusNotifierItem over zbus, no GTK
#   gtk            tray-icon over GTK and libayatana-appindicator (Tauri's
#                  tray), in a process without WebKit; needs a display
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
probe=tray-probe services="dbus"
case "${1:-}" in
  "") ;;
  gtk) probe=tray-probe-gtk services="x11 dbus" ;;
  *) echo "usage: $0 [gtk]" >&2; exit 64 ;;
esac
cargo build --release --locked -p tray-probe --bin "$probe"
export PROBE="target/release/$probe"
exec tests/harness/desktop-session.sh --services "$services" -- bash -c '
  set -euo pipefail
  host_log=$(mktemp)
  node --input-type=module -e "
    import { startTrayHost } from \"$PWD/tests/e2e/support/tray-host.mjs\";
    const host = await startTrayHost();
    const start = Date.now();
    while (!(await host.hasItem()) && Date.now() - start < 10000) await new Promise((r) => setTimeout(r, 100));
    const menu = await host.menu();
    console.log(\"menu read by the host: \" + menu.length + \" entries\");
    setTimeout(() => process.exit(0), 60000);
  " > "$host_log" 2>&1 &
  host=$!
  sleep 1.5
  "$PROBE" & probe=$!
  for _ in $(seq 50); do grep -q "menu read" "$host_log" && break; sleep 0.2; done
  sleep 1
  cat "$host_log"
  echo "$PROBE (pid $probe):"
  grep -E "^(Rss|Pss):" "/proc/$probe/smaps_rollup"
  grep -E "^Threads:" "/proc/$probe/status"
  kill "$probe" "$host"
  rm -f "$host_log"
'
