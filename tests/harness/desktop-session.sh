#!/usr/bin/env bash
# desktop-session.sh: run a command inside a private, throw-away Linux desktop
# session, the way the end-to-end and integration tests need it:
#
#   x11            Xvfb on a free display                      -> DISPLAY
#   dbus           a private session bus                       -> DBUS_SESSION_BUS_ADDRESS
#   keyring        gnome-keyring's Secret Service, unlocked    (needs dbus)
#   notifications  dunst, plus dbus-monitor logging every Notify call to
#                  $TW_NOTIFY_LOG; its context menu answers with the text
#                  in $TW_SESSION_DIR/dunst-menu.choice        (needs x11, dbus)
#   driver         tauri-driver (WebKitWebDriver behind it)    -> TW_WEBDRIVER_PORT
#
# Usage: tests/harness/desktop-session.sh [--services "x11 dbus ..."] -- COMMAND [ARGS...]
# Default: all services. HOME and the XDG folders point into a fresh
# temporary folder ($TW_SESSION_DIR), so nothing touches the user's own
# keyring, settings or data. Each service this script starts is stopped by
# its process id when the command ends, whatever its exit status, which is
# returned.
set -euo pipefail

services="x11 dbus keyring notifications driver"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --services) services="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "desktop-session: unknown option $1 (usage: $0 [--services LIST] -- COMMAND)" >&2; exit 64 ;;
  esac
done
[[ $# -gt 0 ]] || { echo "desktop-session: no command given" >&2; exit 64; }

wants() { [[ " $services " == *" $1 "* ]]; }
log() { printf 'desktop-session: %s\n' "$*" >&2; }

session_dir=$(mktemp -d "${TMPDIR:-/tmp}/tw-session.XXXXXX")
pids=()          # every process we started, stopped in reverse order
dbus_pid=""

cleanup() {
  local status=$?
  set +e
  # Stop what the bus activated on our behalf (e.g. the accessibility bus),
  # then everything we started ourselves, newest first.
  if [[ -n "$dbus_pid" ]]; then
    pkill -TERM -P "$dbus_pid" 2>/dev/null
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  if [[ -n "${TW_KEEP_SESSION_DIR:-}" ]]; then
    log "kept $session_dir"
  else
    rm -rf "$session_dir"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Wait until CHECK succeeds, or fail naming WHAT after about 10 seconds.
wait_for() {
  local what="$1"; shift
  for _ in $(seq 100); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  log "$what did not come up; see $session_dir/*.log"
  tail -n 20 "$session_dir"/*.log >&2 2>/dev/null || true
  return 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Toolchains found through HOME keep working after HOME moves.
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export npm_config_cache="${npm_config_cache:-$HOME/.npm}"
export HOME="$session_dir/home"
export XDG_CONFIG_HOME="$session_dir/config" XDG_DATA_HOME="$session_dir/data"
export XDG_CACHE_HOME="$session_dir/cache" XDG_STATE_HOME="$session_dir/state"
export XDG_RUNTIME_DIR="$session_dir/run"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"
export TW_SESSION_DIR="$session_dir"
# No accessibility bus for a headless test session, and software rendering
# for WebKit (there is no GPU under Xvfb).
export NO_AT_BRIDGE=1 GTK_A11Y=none LIBGL_ALWAYS_SOFTWARE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1
unset WAYLAND_DISPLAY

if wants x11; then
  # -displayfd makes Xvfb pick a free display and tell us which.
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$session_dir/display" \
    >"$session_dir/xvfb.log" 2>&1 &
  pids+=($!)
  wait_for "Xvfb" test -s "$session_dir/display"
  export DISPLAY=":$(head -n1 "$session_dir/display")"
  log "Xvfb on $DISPLAY (pid ${pids[-1]})"
fi

if wants dbus; then
  # --fork prints the daemon's address and pid once it is ready to accept.
  mapfile -t bus < <(dbus-daemon --session --fork --nosyslog --print-address=1 --print-pid=1)
  export DBUS_SESSION_BUS_ADDRESS="${bus[0]}"
  dbus_pid="${bus[1]}"
  pids+=("$dbus_pid")
  log "D-Bus session bus (pid $dbus_pid)"
fi

bus_has() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner "string:$1" | grep -q 'boolean true'
}

if wants keyring; then
  # --unlock reads the login keyring's password from stdin, creating the
  # keyring unlocked; without it, writes fail with NoStorageAccess.
  printf 'tokenwarden-test' | gnome-keyring-daemon --foreground --unlock --components=secrets \
    >"$session_dir/keyring.log" 2>&1 &
  pids+=($!)
  wait_for "gnome-keyring (Secret Service)" bus_has org.freedesktop.secrets
  log "gnome-keyring Secret Service (pid ${pids[-1]})"
fi

if wants notifications; then
  export TW_NOTIFY_LOG="$session_dir/notifications.log"
  dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" \
    >"$TW_NOTIFY_LOG" 2>"$session_dir/dbus-monitor.log" &
  pids+=($!)
  # dunst's context menu (`dunstctl context`) runs this in place of dmenu:
  # it keeps the buttons offered in dunst-menu.offered and picks the first
  # one containing the text a test wrote to dunst-menu.choice, as a person
  # choosing from the menu would.
  cat >"$session_dir/dunst-menu" <<MENU
#!/bin/sh
cat >"$session_dir/dunst-menu.offered"
choice=\$(cat "$session_dir/dunst-menu.choice" 2>/dev/null)
[ -n "\$choice" ] && grep -m1 -F -- "\$choice" "$session_dir/dunst-menu.offered"
exit 0
MENU
  chmod +x "$session_dir/dunst-menu"
  printf '[global]\n    follow = none\n    dmenu = %s\n' "$session_dir/dunst-menu" >"$session_dir/dunstrc"
  dunst -config "$session_dir/dunstrc" >"$session_dir/dunst.log" 2>&1 &
  pids+=($!)
  wait_for "dunst (notification server)" bus_has org.freedesktop.Notifications
  log "dunst notification server (pid ${pids[-1]}), Notify calls logged to $TW_NOTIFY_LOG"
fi

if wants driver; then
  TW_WEBDRIVER_PORT=$(free_port)
  native_port=$(free_port)
  export TW_WEBDRIVER_PORT
  tauri-driver --port "$TW_WEBDRIVER_PORT" --native-port "$native_port" \
    >"$session_dir/tauri-driver.log" 2>&1 &
  pids+=($!)
  wait_for "tauri-driver" curl -sf "http://127.0.0.1:$TW_WEBDRIVER_PORT/status"
  log "tauri-driver on port $TW_WEBDRIVER_PORT (pid ${pids[-1]})"
fi

"$@"
