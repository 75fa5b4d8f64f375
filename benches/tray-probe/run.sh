#!/usr/bin/env bash
# Measures the tray candidate (issue 18): builds tray-probe in release,
# starts it beside the end-to-end tests' StatusNotifier host inside the
# shared headless session, waits until the host has read its 100-line menu,
# and prints its RSS and PSS. Usage: benches/tray-probe/run.sh
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
cargo build --release --locked -p tray-probe
exec tests/harness/desktop-session.sh --services "dbus" -- bash -c '
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
  target/release/tray-probe & probe=$!
  for _ in $(seq 50); do grep -q "menu read" "$host_log" && break; sleep 0.2; done
  sleep 1
  cat "$host_log"
  echo "tray-probe (pid $probe):"
  grep -E "^(Rss|Pss):" "/proc/$probe/smaps_rollup"
  grep -E "^Threads:" "/proc/$probe/status"
  kill "$probe" "$host"
  rm -f "$host_log"
'
