"""`tokenwarden export` against the real components: a vault filled through
the CLI from the provider simulator, the Prometheus export read by a real
node_exporter's textfile collector and linted by `promtool check metrics`,
the alert rules proven by `promtool test rules`, and the calendar parsed by
an independent iCalendar parser (Python's `icalendar`).

Run by tests/exports/run.sh inside tests/harness/desktop-session.sh (a
private D-Bus session with an unlocked gnome-keyring holds the secrets).
Prints one line per check and a closing "exports: N checks passed" line;
exits non-zero when any check fails.
"""

import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import icalendar

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(REPO, "target/debug/tokenwarden")
SIM = os.path.join(REPO, "target/debug/tokenwarden-sim")
NODE_EXPORTER = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
PROMTOOL = shutil.which("promtool")

passed = 0
failures = []


def check(name, condition, detail=""):
    global passed
    if condition:
        passed += 1
        print(f"ok    {name}")
    else:
        failures.append(name)
        print(f"FAIL  {name}{': ' + str(detail) if detail else ''}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Simulator:
    def __init__(self):
        self.proc = subprocess.Popen([SIM], stdout=subprocess.PIPE, text=True)
        self.urls = {}
        deadline = time.time() + 15
        while len(self.urls) < 3 and time.time() < deadline:
            line = self.proc.stdout.readline()
            m = re.match(r"(\w+):\s+(\S+)\s+\(API (\S+)\)", line)
            if m:
                self.urls[m.group(1)] = {"web": m.group(2), "api": m.group(3)}
        if len(self.urls) < 3:
            raise RuntimeError("tokenwarden-sim did not start")
        self.minted = []

    def admin(self, provider, route, body):
        request = urllib.request.Request(
            f"{self.urls[provider]['web']}/_sim/{route}",
            data=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def mint(self, provider, kind, login, scopes, expires_at):
        body = {"provider": provider, "kind": kind, "login": login, "scopes": scopes}
        if expires_at is not None:
            body["expires_at"] = expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        token = self.admin(provider, "tokens", body)["token"]
        self.minted.append(token)
        return token

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def cli(env, *args, stdin=None):
    return subprocess.run(
        [CLI, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def scrape(port):
    out = subprocess.run(
        ["curl", "-sf", "--max-time", "10", f"http://127.0.0.1:{port}/metrics"],
        capture_output=True, text=True,
    )
    return out.returncode, out.stdout


def samples(text):
    """{(name, frozenset(labels)): value} from an exposition."""
    found = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$', line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        found[(m.group(1), frozenset(labels.items()))] = float(m.group(3))
    return found


def series(found, name, **labels):
    return [v for (n, ls), v in found.items() if n == name and set(labels.items()) <= set(ls)]


def main():
    for tool, path in [("tokenwarden", CLI), ("tokenwarden-sim", SIM)]:
        if not os.access(path, os.X_OK):
            sys.exit(f"{tool} is not built: cargo build -p tokenwarden-cli -p tokenwarden-sim")
    if not NODE_EXPORTER or not PROMTOOL:
        sys.exit("prometheus-node-exporter and promtool are needed: scripts/test.sh installs them")

    work = tempfile.mkdtemp(prefix="tw-exports.")
    data_dir = os.path.join(work, "data")
    textfile_dir = os.path.join(work, "textfile")
    os.makedirs(data_dir)
    os.makedirs(textfile_dir)
    env = dict(os.environ)
    env.update(
        TOKENWARDEN_DATA_DIR=data_dir,
        TOKENWARDEN_KEYCHAIN_SERVICE=f"dev.tokenwarden.test.exports.{os.getpid()}",
        TOKENWARDEN_KEYCHAIN_TIMEOUT="10",
        NO_COLOR="1",
    )
    # Reminder thresholds of our own, so the calendar's alarms provably
    # come from Settings.
    with open(os.path.join(data_dir, "settings.json"), "w") as f:
        json.dump({"version": 1, "alerts": {"thresholds_days": [21, 7, 1, 0], "after_expiry_daily": True}}, f)

    sim = Simulator()
    exporter = None
    try:
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        gh_api = sim.urls["github"]["api"]
        gl_api = sim.urls["gitlab"]["api"]
        host_gh = gh_api.split("/")[2]
        host_gl = gl_api.split("/")[2]
        full = ["repo", "admin:repo_hook"]
        tokens = {
            "github-main-org-production": (
                "github", gh_api, sim.mint("github", "github-classic", "deploy-bot", full, now + dt.timedelta(days=20, hours=1)), []),
            "github-soon": (
                "github", gh_api, sim.mint("github", "github-classic", "deploy-bot", full, now + dt.timedelta(days=2, hours=1)), []),
            "github-never": (
                "github", gh_api, sim.mint("github", "github-classic", "deploy-bot", full, None), []),
            "github-short": (
                "github", gh_api, sim.mint("github", "github-classic", "deploy-bot", ["repo"], now + dt.timedelta(days=40)), ["--yes"]),
            "gitlab-deploy": (
                "gitlab", gl_api, sim.mint("gitlab", "gitlab-personal", "deployer", ["api", "read_repository"], now + dt.timedelta(days=90)), []),
        }
        for name, (provider, api, value, extra) in tokens.items():
            run = cli(env, "add", "--name", name, "--provider", provider, "--api-url", api,
                      "--json", "--token-stdin", *extra, stdin=value)
            check(f"add {name}", run.returncode in (0, 1) and json.loads(run.stdout)["stored"],
                  f"{run.returncode} {run.stdout} {run.stderr}")
        listed = {t["name"]: t for t in json.loads(cli(env, "list", "--json").stdout)}
        check("the vault lists every token", set(listed) == set(tokens), sorted(listed))

        # --- Prometheus -------------------------------------------------
        prom = os.path.join(textfile_dir, "tokenwarden.prom")
        run = cli(env, "export", "--format", "prometheus", "--output", prom)
        check("export --format prometheus --output exits 0", run.returncode == 0, run.stderr)
        check("the export folder holds the export and no temporary file",
              os.listdir(textfile_dir) == ["tokenwarden.prom"], os.listdir(textfile_dir))
        export_text = open(prom).read()
        stdout_run = cli(env, "export", "--format", "prometheus")
        check("export to standard output equals the file", stdout_run.stdout == export_text)

        lint = subprocess.run([PROMTOOL, "check", "metrics"], input=export_text,
                              capture_output=True, text=True)
        check("promtool check metrics passes on the export",
              lint.returncode == 0 and lint.stdout.strip() == "" and lint.stderr.strip() == "",
              lint.stdout + lint.stderr)
        check("no OpenMetrics-only syntax", "# EOF" not in export_text and "# UNIT" not in export_text)

        port = free_port()
        exporter = subprocess.Popen(
            [NODE_EXPORTER, f"--web.listen-address=127.0.0.1:{port}",
             "--collector.disable-defaults", "--collector.textfile",
             f"--collector.textfile.directory={textfile_dir}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        code, scraped = 1, ""
        for _ in range(100):
            code, scraped = scrape(port)
            if code == 0:
                break
            time.sleep(0.1)
        check("node_exporter serves /metrics on loopback", code == 0, code)
        found = samples(scraped)
        check("node_textfile_scrape_error 0", series(found, "node_textfile_scrape_error") == [0.0],
              series(found, "node_textfile_scrape_error"))
        check("node_textfile_mtime_seconds names the export",
              len([1 for (n, ls) in found if n == "node_textfile_mtime_seconds"
                   and any(k == "file" and v.endswith("tokenwarden.prom") for k, v in ls)]) == 1)

        for name, (provider, api, _value, _extra) in tokens.items():
            host = host_gh if provider == "github" else host_gl
            labels = dict(token=name, provider=provider, host=host, source="vault")
            expiry = series(found, "tokenwarden_token_expiry_timestamp_seconds", **labels)
            expected = listed[name]["expires_at"]
            if expected is None:
                check(f"{name}: no expiry series (never expires)", expiry == [], expiry)
            else:
                at = dt.datetime.fromisoformat(expected.replace("Z", "+00:00")).timestamp()
                check(f"{name}: expiry timestamp as scraped", expiry == [at], (expiry, at))
            ready = series(found, "tokenwarden_token_ready", **labels)
            want = 1.0 if listed[name]["last_check"]["ready"] else 0.0
            check(f"{name}: tokenwarden_token_ready {int(want)}", ready == [want], ready)
            checked = series(found, "tokenwarden_token_last_check_timestamp_seconds", **labels)
            check(f"{name}: last check timestamp", len(checked) == 1 and abs(checked[0] - now.timestamp()) < 600, checked)
            info = series(found, "tokenwarden_token_info", status=listed[name]["status"],
                          expiry_source=listed[name]["expiry"], **labels)
            check(f"{name}: tokenwarden_token_info 1 with status {listed[name]['status']}", info == [1.0], info)
        check("github-short is not ready", listed["github-short"]["last_check"]["ready"] is False)
        check("the kind label is the token kind",
              len(series(found, "tokenwarden_token_info", token="gitlab-deploy", kind="personal")) == 1
              and len(series(found, "tokenwarden_token_info", token="github-soon", kind="classic")) == 1)

        # --- Alert rules -------------------------------------------------
        rules = subprocess.run(
            [PROMTOOL, "test", "rules", "tokenwarden.rules.test.yml"],
            cwd=os.path.join(REPO, "packaging/prometheus"), capture_output=True, text=True)
        check("promtool test rules: every alert fires when it should and not before",
              rules.returncode == 0, rules.stdout + rules.stderr)

        # --- Calendar ----------------------------------------------------
        ics1 = os.path.join(work, "tokens.ics")
        ics2 = os.path.join(work, "tokens-again.ics")
        run = cli(env, "export", "--format", "ics", "--output", ics1)
        check("export --format ics --output exits 0", run.returncode == 0, run.stderr)
        # A rename between two exports: the event's UID stays the same.
        rename = cli(env, "edit", "github-soon", "--new-name", "github-soon-renamed")
        check("rename a token", rename.returncode == 0, rename.stderr)
        run = cli(env, "export", "--format", "ics", "--output", ics2)
        check("a second calendar export exits 0", run.returncode == 0, run.stderr)
        raw1 = open(ics1, "rb").read()
        check("calendar lines end in CRLF and fold at 75 octets",
              all(len(line) <= 75 for line in raw1.split(b"\r\n")) and b"\n" not in raw1.replace(b"\r\n", b""))
        cal1 = icalendar.Calendar.from_ical(raw1)
        cal2 = icalendar.Calendar.from_ical(open(ics2, "rb").read())
        events1 = {str(e["UID"]): e for e in cal1.walk("VEVENT")}
        events2 = {str(e["UID"]): e for e in cal2.walk("VEVENT")}
        expiring = {n for n, t in listed.items() if t["expires_at"] is not None}
        check("one event per token that expires", len(events1) == len(expiring) == 4, sorted(events1))
        check("UIDs are stable across exports (and a rename)", set(events1) == set(events2))
        by_name = {}
        for uid, event in events1.items():
            m = re.match(r"Rotate (\S+): expires on (\d{4}-\d{2}-\d{2})$", str(event["SUMMARY"]))
            check(f"summary \"{event['SUMMARY']}\"", m is not None)
            if m:
                by_name[m.group(1)] = (uid, event, m.group(2))
        check("the events are the expiring tokens", set(by_name) == expiring, sorted(by_name))
        for name, (uid, event, day) in by_name.items():
            expires = dt.datetime.fromisoformat(listed[name]["expires_at"].replace("Z", "+00:00"))
            start = event["DTSTART"].dt
            end = event["DTEND"].dt
            check(f"{name}: an all-day event on its expiry date",
                  type(start) is dt.date and start == expires.date() and end == start + dt.timedelta(days=1)
                  and day == start.isoformat(), (start, end, expires))
            triggers = sorted(-a["TRIGGER"].dt for a in event.walk("VALARM"))
            check(f"{name}: an alarm per threshold in Settings (21, 7, 1, 0 days)",
                  triggers == [dt.timedelta(days=d) for d in (0, 1, 7, 21)], triggers)
            check(f"{name}: display alarms with words",
                  all(str(a["ACTION"]) == "DISPLAY" and name in str(a["DESCRIPTION"]) for a in event.walk("VALARM")))
            description = str(event["DESCRIPTION"])
            provider = "GitHub" if name.startswith("github") else "GitLab"
            host = host_gh if provider == "GitHub" else host_gl
            check(f"{name}: description names provider, host and where to rotate",
                  f"Provider: {provider}" in description and f"Host: {host}" in description
                  and "Rotate at: http://127.0.0.1:" in description, description)
        renamed = events2.get(by_name["github-soon"][0])
        check("the renamed token's event keeps its UID with the new name",
              renamed is not None and "github-soon-renamed" in str(renamed["SUMMARY"]))

        # --- Failures and secrets ----------------------------------------
        run = cli(env, "export", "--format", "prometheus", "--output", os.path.join(work, "missing", "x.prom"))
        check("an unwritable output exits 74", run.returncode == 74, run.returncode)
        run = cli(env, "export", "--format", "yaml")
        check("an unknown format exits 64", run.returncode == 64, run.returncode)

        outputs = {"prometheus export": export_text, "scrape": scraped,
                   "calendar": raw1.decode(), "second calendar": open(ics2).read()}
        leaked = [(what, name) for what, text in outputs.items()
                  for name, (_p, _a, value, _e) in tokens.items()
                  if value in text or value[:12] in text]
        check("no token value (nor its first 12 characters) in any export", leaked == [], leaked)
    finally:
        if exporter is not None:
            exporter.terminate()
            try:
                exporter.wait(10)
            except subprocess.TimeoutExpired:
                exporter.kill()
        sim.stop()
        shutil.rmtree(work, ignore_errors=True)

    if failures:
        print(f"exports: {len(failures)} check(s) failed, {passed} passed: {', '.join(failures)}")
        return 1
    print(f"exports: {passed} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
