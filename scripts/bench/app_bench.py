#!/usr/bin/env python3
"""The desktop app's benchmarks: start-up, memory and idle cost, each beside
its floor. Prints figures; asserts nothing. Run by scripts/bench.sh inside
tests/harness/desktop-session.sh (Xvfb, D-Bus, gnome-keyring, dunst), which
gives every run a throw-away HOME, keyring and vault.

- Start-up: launch to the first screen painted. The UI calls `startup_mark`
  after its first screen's frame; with TW_STARTUP_MARK_FILE set, the app
  writes the wall-clock time of that mark, and launch-to-mark is that minus
  the time this script launched it. The floor is benches/bare-window (the
  same tauri, features and release profile), measured alternately with the
  app, RUNS times each, medians.
- Memory: RSS and PSS (/proc/PID/smaps_rollup) of the app process alone and
  summed with its WebKit child processes with the window open (5 s after
  the mark, beside the bare window); and in the tray, what start at login
  leaves: every process of the session `--hidden` was launched in (on
  Linux `tokenwarden-desktop --hidden` execs `tokenwarden-resident`, which
  starts nothing until asked for the window), summed, beside the 68.5 MB
  the one-process app held before issue 18 and the < 30 MB target.
- Idle: the same processes in the tray with 100 stored tokens, for
  IDLE_SECONDS after they settled: CPU time (utime + stime, children
  included) and wake-ups (voluntary + involuntary context switches) per
  thread, beside the next event the expiry schedule holds.

The vault holds 100 GitHub tokens minted by the provider simulator and
added with the `tokenwarden` CLI, expiring from 2 days to 13 months out.
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
THRESHOLDS_DAYS = [30, 14, 7, 3, 1, 0]  # WatchSettings::DEFAULT_THRESHOLDS_DAYS


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- /proc


def children_of(pid):
    """Every live descendant of `pid` (WebKit's web and network processes)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in parents.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def comm(pid, tid=None):
    path = f"/proc/{pid}/task/{tid}/comm" if tid else f"/proc/{pid}/comm"
    try:
        return Path(path).read_text().strip()
    except OSError:
        return "?"


def memory_kib(pid):
    """(RSS, PSS) in KiB from smaps_rollup."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss"):
                values[key] = int(rest.split()[0])
    except OSError:
        return (0, 0)
    return (values.get("Rss", 0), values.get("Pss", 0))


def top_mappings(pid, count=8):
    """The largest contributors to a process's PSS, in MiB: what the
    memory is (libraries, heap, anonymous), for profiling."""
    totals, current = {}, None
    try:
        for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                fields = line.split(None, 5)
                current = fields[5] if len(fields) > 5 else "[anonymous]"
            elif line.startswith("Pss:"):
                totals[current] = totals.get(current, 0) + int(line.split()[1])
    except OSError:
        return []
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:count]
    return [(Path(name).name if name.startswith("/") else name, kib / 1024) for name, kib in ranked]


def session_members(sid):
    """Every live process of the session `sid` (a process launched with
    `start_new_session` leads its own): what it left running, however it
    started it or whatever it exec'd into."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[3]) == sid:
            members.append(int(entry.name))
    return sorted(members)


def memory_left(sid):
    """RSS and PSS summed over every process of the session, in MiB."""
    pids = session_members(sid)
    rss = pss = 0
    for pid in pids:
        r, p = memory_kib(pid)
        rss += r
        pss += p
    return {
        "processes": sorted(comm(pid) for pid in pids),
        "rss": rss / 1024,
        "pss": pss / 1024,
        "top": [part for pid in pids for part in top_mappings(pid, 4)],
    }


def memory(pid):
    """The app alone and the total with its child processes, in MiB."""
    app = memory_kib(pid)
    kids = children_of(pid)
    total = [app[0], app[1]]
    for child in kids:
        rss, pss = memory_kib(child)
        total[0] += rss
        total[1] += pss
    anon = 0
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        anon = int(re.search(r"RssAnon:\s+(\d+)", status).group(1))
    except (OSError, AttributeError):
        pass
    return {
        "app_anon": anon / 1024,
        "app_rss": app[0] / 1024,
        "app_pss": app[1] / 1024,
        "total_rss": total[0] / 1024,
        "total_pss": total[1] / 1024,
        "children": sorted(comm(c) for c in kids),
    }


def threads(pid):
    """Per thread: name, CPU ticks (user + system), context switches."""
    result = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text().rsplit(")", 1)[1].split()
            status = (task / "status").read_text()
        except OSError:
            continue
        switches = sum(
            int(m.group(1)) for m in re.finditer(r"(?:non)?voluntary_ctxt_switches:\s+(\d+)", status)
        )
        result[(pid, int(task.name))] = {
            "name": comm(pid, task.name),
            "process": comm(pid),
            "cpu": int(stat[11]) + int(stat[12]),
            "switches": switches,
        }
    return result


def process_cpu_ticks(pid):
    """utime + stime + cutime + cstime of a process."""
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in stat[11:15])


# ---------------------------------------------------------------- processes


def launch(binary, args=(), mark_file=None, extra_env=None):
    env = dict(os.environ)
    env.pop("TW_STARTUP_MARK_FILE", None)
    if mark_file:
        env["TW_STARTUP_MARK_FILE"] = str(mark_file)
    env.update(extra_env or {})
    # A file, not a pipe nobody reads: a long idle run must never block on it.
    stderr = tempfile.NamedTemporaryFile(prefix="tw-bench-", suffix=".log", delete=False)
    # Its own process group, so stopping it stops its WebKit children too.
    launched_ms = time.time() * 1e3
    proc = subprocess.Popen(
        [str(binary), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,
    )
    proc.stderr_path = stderr.name
    stderr.close()
    return proc, launched_ms


def stop(proc):
    """Stops a process this script launched, its group, and whatever else
    runs in its session (the resident watcher a window starts keeps the
    session but leads its own group), by id."""
    kids = sorted(set(children_of(proc.pid)) | set(session_members(proc.pid)) - {proc.pid})
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    for kid in kids:
        try:
            os.kill(kid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    for _ in range(100):
        if not any(Path(f"/proc/{k}").exists() for k in kids):
            break
        time.sleep(0.05)
    Path(proc.stderr_path).unlink(missing_ok=True)


def wait_for_mark(proc, mark_file, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if mark_file.exists() and mark_file.stat().st_size > 0:
            return json.loads(mark_file.read_text())
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited ({proc.returncode}): {Path(proc.stderr_path).read_text()[-2000:]}")
        time.sleep(0.005)
    raise RuntimeError(f"{proc.args[0]}: no start-up mark within {timeout} s")


# ---------------------------------------------------------------- the vault


def start_simulator(sim_binary):
    proc = subprocess.Popen([str(sim_binary)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    urls = {}
    deadline = time.time() + 20
    while len(urls) < 3 and time.time() < deadline:
        line = proc.stdout.readline()
        match = re.match(r"(github|gitlab|bitbucket):\s+(\S+)\s+\(API (\S+)\)", line.strip())
        if match:
            urls[match.group(1)] = {"web": match.group(2), "api": match.group(3)}
    if len(urls) < 3:
        proc.kill()
        raise RuntimeError("tokenwarden-sim did not print its addresses")
    return proc, urls


def seed_tokens(cli, urls, count):
    """Mints `count` GitHub tokens in the simulator, expiring from 2 days to
    13 months out, and stores each with `tokenwarden add` (keychain +
    metadata, as a user would)."""
    now = datetime.now(timezone.utc)
    for i in range(count):
        expires = now + timedelta(days=2 + 4 * i, hours=7)
        body = json.dumps({
            "provider": "github",
            "kind": "github-classic",
            "login": f"deploy-bot-{i}",
            "scopes": ["repo", "admin:repo_hook"],
            "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }).encode()
        request = urllib.request.Request(
            f"{urls['github']['web']}/_sim/tokens", data=body, headers={"content-type": "application/json"}
        )
        token = json.load(urllib.request.urlopen(request))["token"]
        subprocess.run(
            [str(cli), "add", "--name", f"deploy-{i:03}-production", "--provider", "github",
             "--api-url", urls["github"]["api"], "--token-stdin"],
            input=token.encode(), check=True, stdout=subprocess.DEVNULL,
        )


def next_scheduled_event(cli, data_dir):
    """The earliest instant the expiry schedule holds: the next threshold
    crossing of any token, or the daily re-check (watch.json)."""
    listed = json.loads(subprocess.run([str(cli), "list", "--json"], check=True, capture_output=True).stdout)
    tokens = listed if isinstance(listed, list) else listed.get("tokens", [])
    now = datetime.now(timezone.utc)
    events = []
    for token in tokens:
        expires = token.get("expires_at")
        if not expires:
            continue
        expires = datetime.fromisoformat(expires.replace("Z", "+00:00"))
        events += [t for t in (expires - timedelta(days=d) for d in THRESHOLDS_DAYS) if t > now]
    watch = Path(data_dir) / "watch.json"
    if watch.exists():
        last = json.loads(watch.read_text()).get("last_recheck")
        if last:
            events.append(datetime.fromisoformat(last.replace("Z", "+00:00")) + timedelta(hours=24))
    return min(events) if events else None


# ---------------------------------------------------------------- benchmarks


def bench_startup_and_window_memory(app, bare, runs, workdir, app_env=None, tag="vault"):
    """Alternating runs of the floor and the app; `app_env` (an empty data
    folder) measures the first run, the wizard first."""
    results = {"app": [], "bare": []}
    for run in range(runs):
        for label, binary in (("bare", bare), ("app", app)):
            mark_file = Path(workdir) / f"mark-{tag}-{label}-{run}.json"
            mark_file.unlink(missing_ok=True)
            proc, launched_ms = launch(binary, mark_file=mark_file,
                                       extra_env=app_env if label == "app" else None)
            try:
                mark = wait_for_mark(proc, mark_file)
                time.sleep(5)  # let the page settle before reading memory
                if proc.poll() is not None:
                    raise RuntimeError(f"{binary} exited ({proc.returncode}) after its first screen: "
                                       f"{Path(proc.stderr_path).read_text()[-2000:]}")
                results[label].append({
                    "startup_ms": mark["unix_ms"] - launched_ms,
                    "since_process_start_ms": mark.get("since_process_start_ms"),
                    "phases": phases(mark, launched_ms),
                    "memory": memory(proc.pid),
                })
            finally:
                stop(proc)
            entry = results[label][-1]
            log(f"  run {run + 1}/{runs} {label:>4}: {entry['startup_ms']:7.1f} ms to first screen, "
                f"total PSS {entry['memory']['total_pss']:.1f} MiB")
            time.sleep(1)
    return results


# The page's marks (ui/src/lib/common/startupMarks.ts, and the bare window's
# mark.js), in the order they happen; each is reported as ms since launch.
# The shell's own steps before WebKit loads the page, in the order reached
# (the bare window has `run` and `setup`, its window built just before).
SHELL_MARKS = ("run", "logging", "state_opened", "setup", "first_screen_gathered", "window_built")
PAGE_MARKS = ("fetch_start", "response_end", "script", "font_ready", "first_screen_handed", "mounted", "overview_asked",
              "overview_received", "catalogue_received", "dom_content_loaded", "rendered", "laid_out",
              "frame", "painted")


def phases(mark, launched_ms):
    """Launch to each mark inside the page, in ms: the page's time origin
    (when WebKit began to load it) is a Unix time, the marks are relative
    to it."""
    page = mark.get("page") or {}
    origin = page.get("time_origin_unix_ms")
    if origin is None:
        return {}
    out = {}
    # The shell's steps before the page (Unix ms; src-tauri's `shell_mark`).
    for name in SHELL_MARKS:
        if name in (mark.get("shell") or {}):
            out[name] = mark["shell"][name] - launched_ms
    out["page_origin"] = origin - launched_ms
    for name in PAGE_MARKS:
        if name in page:
            out[name] = origin + page[name] - launched_ms
    out["mark_received"] = mark["unix_ms"] - launched_ms
    return out


def bench_tray_memory(app, runs, settle):
    results = []
    for run in range(runs):
        proc, _ = launch(app, args=["--hidden"])
        try:
            time.sleep(settle)
            if proc.poll() is not None:
                raise RuntimeError(f"{app} --hidden exited ({proc.returncode}): "
                                   f"{Path(proc.stderr_path).read_text()[-2000:]}")
            results.append(memory_left(proc.pid))
        finally:
            stop(proc)
        log(f"  run {run + 1}/{runs} tray: RSS {results[-1]['rss']:.1f} MiB, "
            f"PSS {results[-1]['pss']:.1f} MiB, processes {results[-1]['processes']}")
        time.sleep(1)
    return results


def bench_idle(app, cli, seconds, settle, data_dir):
    proc, _ = launch(app, args=["--hidden"])
    try:
        time.sleep(settle)
        pids = session_members(proc.pid)
        before = {k: v for pid in pids for k, v in threads(pid).items()}
        cpu_before = sum(process_cpu_ticks(pid) for pid in pids)
        started = time.time()
        time.sleep(seconds)
        elapsed = time.time() - started
        pids = session_members(proc.pid)
        after = {k: v for pid in pids for k, v in threads(pid).items()}
        cpu_after = sum(process_cpu_ticks(pid) for pid in pids)
        next_event = next_scheduled_event(cli, data_dir)
    finally:
        stop(proc)
    per_thread = []
    for key, now in after.items():
        then = before.get(key, {"cpu": 0, "switches": 0})
        per_thread.append({
            "process": now["process"],
            "thread": now["name"],
            "tid": key[1],
            "new": key not in before,
            "cpu_ms": (now["cpu"] - then["cpu"]) * 1000 / CLOCK_TICKS,
            "wakeups": now["switches"] - then["switches"],
        })
    gone = [before[k]["name"] for k in before if k not in after]
    per_thread.sort(key=lambda t: (-t["wakeups"], t["thread"]))
    return {
        "seconds": elapsed,
        "cpu_ms": (cpu_after - cpu_before) * 1000 / CLOCK_TICKS,
        "wakeups": sum(t["wakeups"] for t in per_thread),
        "threads": per_thread,
        "threads_gone": gone,
        "next_event": next_event.isoformat() if next_event else None,
        "next_event_in_hours": (next_event - datetime.now(timezone.utc)).total_seconds() / 3600 if next_event else None,
    }


# ---------------------------------------------------------------- report


def med(values):
    return statistics.median(values) if values else float("nan")


def report(results):
    if "startup" in results:
        report_startup_and_memory(results)
    elif "tray" in results:
        report_tray_memory(results["tray"])
    if "idle" in results:
        report_idle(results["idle"])


def report_startup(s, title, target):
    app_ms = med([r["startup_ms"] for r in s["app"]])
    bare_ms = med([r["startup_ms"] for r in s["bare"]])
    print(f"\nStart-up to first screen, {title} (median of {len(s['app'])} alternating runs, release builds)")
    print(f"  bare Tauri window (floor)  {bare_ms:8.1f} ms   runs: " + ", ".join(f"{r['startup_ms']:.0f}" for r in s["bare"]))
    print(f"  Tokenwarden, {title:<13} {app_ms:8.1f} ms   {app_ms / bare_ms:.2f}x floor (target {target})   runs: "
          + ", ".join(f"{r['startup_ms']:.0f}" for r in s["app"]))
    print("  (since process start, kernel clock, 10 ms resolution: "
          f"bare {med([r['since_process_start_ms'] for r in s['bare']]):.0f} ms, "
          f"app {med([r['since_process_start_ms'] for r in s['app']]):.0f} ms)")

    names = [*SHELL_MARKS, "page_origin", *PAGE_MARKS, "mark_received"]
    print("  where the time goes, launch to each mark (medians, ms): bare / app")
    for name in names:
        bare_v = [r["phases"][name] for r in s["bare"] if name in r.get("phases", {})]
        app_v = [r["phases"][name] for r in s["app"] if name in r.get("phases", {})]
        if not (bare_v or app_v):
            continue
        cell = lambda v: f"{med(v):8.1f}" if v else "       —"
        print(f"    {name:<20}{cell(bare_v)} {cell(app_v)}")
    late = [r["phases"]["page_origin"] for r in s["app"] if "page_origin" in r.get("phases", {})]
    if late:
        print("  page load began (app runs): " + ", ".join(f"{v:.0f}" for v in late) + " ms after launch")
    # Some starts of either binary load Mesa's software GL in the UI process
    # (libGLX_mesa, swrast_dri, libLLVM, then drirc parsed) before WebKit's
    # processes are launched: about 450 ms more, at random (strace; see
    # BENCHMARKS.md). The median above counts them; this one leaves them out
    # on both sides, to show the app's own cost.
    bare_on_time = [r["startup_ms"] for r in s["bare"] if not held_by_gl_start(r)]
    app_on_time = [r["startup_ms"] for r in s["app"] if not held_by_gl_start(r)]
    if bare_on_time and app_on_time:
        print(f"  without the starts held by Mesa's GL set-up: bare {med(bare_on_time):.1f} ms "
              f"({len(bare_on_time)} runs), app {med(app_on_time):.1f} ms ({len(app_on_time)} runs), "
              f"{med(app_on_time) / med(bare_on_time):.2f}x")


def held_by_gl_start(run):
    """Whether WebKit began loading the page more than 300 ms after the
    shell's last step before it (the window built; the bare window's
    setup hook runs right after its window is built)."""
    p = run.get("phases", {})
    before = p.get("window_built", p.get("setup"))
    return before is not None and "page_origin" in p and p["page_origin"] - before > 300


def report_startup_and_memory(results):
    report_startup(results["startup"], "100 tokens", "1.25x, aim 1.2x")
    if "startup_empty" in results:
        report_startup(results["startup_empty"], "empty vault", "1.2x")
    if "tray" not in results:
        return
    s = results["startup"]

    def mem_row(label, rows):
        keys = ("app_rss", "app_pss", "total_rss", "total_pss")
        values = [med([r["memory"][k] if "memory" in r else r[k] for r in rows]) for k in keys]
        print(f"  {label:<28}" + "".join(f"{v:10.1f}" for v in values))

    print("\nResident memory, MiB (medians): process alone, and with its WebKit child processes")
    print(f"  {'':<28}{'RSS':>10}{'PSS':>10}{'RSS+kids':>10}{'PSS+kids':>10}")
    mem_row("bare window, window open", s["bare"])
    mem_row("Tokenwarden, window open", s["app"])
    print("  of which the app's own (anonymous) pages, RSS: "
          f"bare {med([r['memory']['app_anon'] for r in s['bare']]):.1f}, "
          f"window open {med([r['memory']['app_anon'] for r in s['app']]):.1f}")
    report_tray_memory(results["tray"])


def report_tray_memory(tray):
    rss = med([r["rss"] for r in tray])
    pss = med([r["pss"] for r in tray])
    print(f"\nTray only (`--hidden`, as start at login runs it), every process it leaves, MiB (medians of {len(tray)})")
    print(f"  processes: {', '.join(tray[0]['processes'])}")
    print(f"  {'':<28}{'RSS':>10}{'PSS':>10}")
    print(f"  {'Tokenwarden, tray only':<28}{rss:10.1f}{pss:10.1f}")
    print(f"  {'before issue 18 (one process)':<28}{68.5:10.1f}{53.8:10.1f}")
    print(f"  target: under 30 MB resident (aim 20): {'met' if rss < 30 else 'missed'}")
    top = tray[len(tray) // 2]["top"]
    print("  largest parts of PSS: " + ", ".join(f"{name} {mib:.1f}" for name, mib in top))



def report_idle(idle):
    print(f"\nIdle in the tray with 100 tokens, {idle['seconds']:.0f} s after settling")
    print(f"  CPU time   {idle['cpu_ms']:.0f} ms ({idle['cpu_ms'] / idle['seconds'] / 10:.4f} % of one core)")
    print(f"  wake-ups   {idle['wakeups']} context switches ({idle['wakeups'] / idle['seconds'] * 60:.1f} per minute)")
    if idle["next_event_in_hours"] is not None:
        print(f"  next scheduled event in {idle['next_event_in_hours']:.1f} h ({idle['next_event']})")
    print("  per thread (process/thread: wake-ups, CPU ms):")
    for t in idle["threads"]:
        if t["wakeups"] or t["cpu_ms"]:
            print(f"    {t['process']}/{t['thread']}{' (new)' if t['new'] else ''}: "
                  f"{t['wakeups']}, {t['cpu_ms']:.0f}")
    quiet = [t["thread"] for t in idle["threads"] if not t["wakeups"]]
    print(f"    no wake-up: {', '.join(sorted(set(quiet)))}")
    if idle["threads_gone"]:
        print(f"    threads that ended meanwhile: {', '.join(idle['threads_gone'])}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", required=True)
    parser.add_argument("--bare", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--sim", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=100)
    parser.add_argument("--idle-seconds", type=float, default=600)
    parser.add_argument("--settle-seconds", type=float, default=15)
    parser.add_argument("--idle-only", action="store_true", help="skip start-up and memory")
    parser.add_argument("--startup-only", action="store_true", help="start-up alone (while working on it)")
    parser.add_argument("--tray-only", action="store_true",
                        help="skip start-up and window memory: the tray's memory and idle cost only")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args()

    data_dir = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share")) / "dev.tokenwarden.app"
    results = {"load_before": os.getloadavg()}
    sim, urls = start_simulator(args.sim)
    try:
        with tempfile.TemporaryDirectory() as workdir:
            log(f"Storing {args.tokens} tokens with the CLI")
            seed_tokens(args.cli, urls, args.tokens)
            # The first start re-checks every token and sends the alerts
            # already due; measured runs start from that steady state.
            log("First start (re-check, catch-up alerts), not measured")
            proc, _ = launch(args.app, args=["--hidden"])
            time.sleep(args.settle_seconds)
            if not args.idle_only and not args.tray_only:
                # As after a login: the resident (start at login) runs when
                # the window is opened. The first run below has none.
                log("Start-up and memory with the window open (the resident running)")
                try:
                    results["startup"] = bench_startup_and_window_memory(args.app, args.bare, args.runs, workdir)
                finally:
                    stop(proc)
            else:
                stop(proc)
            if not args.idle_only and not args.tray_only:
                log("Start-up of the first run (an empty vault: the wizard first)")
                empty = Path(workdir) / "empty-vault"
                empty.mkdir(mode=0o700)
                results["startup_empty"] = bench_startup_and_window_memory(
                    args.app, args.bare, args.runs, workdir, app_env={"TOKENWARDEN_DATA_DIR": str(empty)},
                    tag="empty")
            if not (args.idle_only or args.startup_only):
                log("Memory in the tray (--hidden)")
                results["tray"] = bench_tray_memory(args.app, args.runs, args.settle_seconds)
            if not args.startup_only:
                log(f"Idle for {args.idle_seconds:.0f} s")
                results["idle"] = bench_idle(args.app, args.cli, args.idle_seconds, args.settle_seconds, data_dir)
    finally:
        sim.terminate()
        sim.wait()
    results["load_after"] = os.getloadavg()
    report(results)
    print(f"\nLoad average (1, 5, 15 min): before {results['load_before']}, after {results['load_after']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
