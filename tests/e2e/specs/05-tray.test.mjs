// The resident app, as a desktop shows it: the tray icon and menu a panel
// reads (a StatusNotifier host on the session bus, reading the menu over
// com.canonical.dbusmenu as panels do), closing the window while the
// resident watcher (its own process on Linux, without WebKit) stays in the
// tray, one window only, notifications that lead somewhere when clicked
// (dunst, driven with dunstctl), and the hidden start used at login. A window
// manager (openbox) runs for this file, so windows close and take focus
// the way they do on a desktop.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { appPids, launchApp, mapsWebKit, repoRoot, residentPids, screenshot, stopResident, windowPids } from '../support/app.mjs';
import { notifyCallsAbout } from '../support/notifications.mjs';
import { startSimulator } from '../support/simulator.mjs';
import { samePicture, startTrayHost } from '../support/tray-host.mjs';
import { clickButton, until } from '../support/ui.mjs';

const cli = path.join(repoRoot, 'target/debug/tokenwarden');
const appBinary = process.env.TW_APP_BINARY ?? path.join(repoRoot, 'target/debug/tokenwarden-desktop');
const trayIcons = path.join(repoRoot, 'src-tauri/icons/tray');



/** Names of a process's children (WebKit's web and network processes). */
function childrenOf(pid) {
  let pids = [];
  try {
    pids = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n');
  } catch {
    return [];
  }
  return pids.map((child) => {
    try {
      return readFileSync(`/proc/${child}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  });
}

function visibleAppWindows() {
  try {
    return execFileSync('xdotool', ['search', '--onlyvisible', '--name', '^Tokenwarden$'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

function activeWindowName() {
  try {
    return execFileSync('xdotool', ['getactivewindow', 'getwindowname'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** Closes the app's window the way its title bar's close button does. */
async function closeWindow() {
  execFileSync('wmctrl', ['-c', 'Tokenwarden']);
  await until('the window closed', () => visibleAppWindows().length === 0);
}

/** The command line a process was started with. */
function commandLine(pid) {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

async function mintAndAdd(sim, name, days) {
  const token = await sim.mintGithubClassic({ login: 'tray-bot', days });
  execFileSync(cli, ['add', '--name', name, '--provider', 'github', '--api-url', sim.github.api, '--org', 'acme', '--token-stdin'], {
    input: token,
  });
  return token;
}

function tokenId(name) {
  return JSON.parse(execFileSync(cli, ['show', name, '--json'], { encoding: 'utf8' })).id;
}

async function headingIs(browser, text) {
  await until(`the window shows ${text}`, async () => (await (await browser.$('h1')).getText()) === text);
}

describe('tray and resident app', () => {
  let sim;
  let host;
  let wm;
  let browser;
  let revokable;

  before(async () => {
    assert.ok(process.env.TW_SESSION_DIR, 'run inside tests/harness/desktop-session.sh');
    wm = spawn('openbox', ['--sm-disable'], { stdio: 'ignore' });
    host = await startTrayHost();
    sim = await startSimulator();
    await sim.admin('github', 'github/orgs', { org: 'acme', members: ['tray-bot'] });
    revokable = await mintAndAdd(sim, 'github-tray-revoked', 40);
    browser = await launchApp();
    await (await browser.$('h1')).waitForDisplayed({ timeout: 15_000 });
  });

  after(async () => {
    await browser?.deleteSession().catch(() => {});
    await stopResident();
    for (const pid of appPids()) process.kill(pid, 'SIGTERM');
    host?.stop();
    sim?.stop();
    wm?.kill();
  });

  it('lists every token with its days left in the tray menu, under the counts', async () => {
    await until('the app registered its tray item', () => host.hasItem());
    const entries = await until('the menu lists the tokens', async () => {
      const found = await host.menu();
      return found.some((e) => e.label === 'github-tray-revoked: 40 days left') ? found : null;
    });
    const labels = entries.filter((e) => !e.separator).map((e) => e.label);
    // Tokens from the earlier notification tests: 6 and 2 days left.
    assert.ok(labels.includes('github-notify-soon: 6 days left'), labels.join(' | '));
    assert.ok(labels.includes('github-live-add: 2 days left'), labels.join(' | '));
    assert.match(labels[0], /^\d+ fine, \d+ expiring soon or short$/, 'the counts come first');
    assert.equal(entries[0].enabled, false, 'the counts are not a button');
    assert.deepEqual(labels.slice(-3), ['Check all now', 'Open Tokenwarden', 'Quit Tokenwarden']);
    const icon = await host.iconFile();
    assert.ok(samePicture(icon, path.join(trayIcons, 'soon.png')), `${icon} shows "expiring soon"`);
    // The tray is the resident watcher's, a process without WebKit.
    const [resident] = residentPids();
    assert.ok(resident, 'the window started the resident watcher');
    assert.ok(!mapsWebKit(resident), 'the resident maps no libwebkit2gtk');
  });

  it('says in the settings that the tray is shown', async () => {
    await clickButton(browser, 'Settings');
    await (await browser.$('h1=Settings')).waitForDisplayed({ timeout: 10_000 });
    await until('the tray is reported', async () => /Shown in the system tray/.test(await (await browser.$('dl.platform')).getText()));
  });

  it('re-checks every token from "Check all now", and shows what it found', async () => {
    await sim.admin('github', 'tokens/revoke', { token: revokable });
    await host.click('Check all now');
    const entries = await until('the menu says the revoked token stopped working', async () => {
      const found = await host.menu();
      return found.some((e) => e.label === 'github-tray-revoked — stopped working') ? found : null;
    });
    assert.match(entries[0].label, /need attention/);
    await until('the icon shows trouble', async () => samePicture(await host.iconFile(), path.join(trayIcons, 'bad.png')));
  });

  it('opens a token from its tray entry in the open window', async () => {
    await host.click(/^github-tray-revoked — /);
    await headingIs(browser, 'github-tray-revoked');
    assert.equal(visibleAppWindows().length, 1, 'one window');
    await screenshot(browser, 'tray-opened-token');
  });

  it('focuses the running app when it is launched again, instead of starting another', async () => {
    const before = windowPids();
    execFileSync('xdotool', ['search', '--onlyvisible', '--name', '^Tokenwarden$', 'windowminimize']);
    await until('the window is minimized', () => visibleAppWindows().length === 0);
    await promisify(execFile)(appBinary, [], { timeout: 20_000 });
    await until('the window is back', () => visibleAppWindows().length === 1);
    await until('it has the focus', () => activeWindowName() === 'Tokenwarden');
    assert.deepEqual(windowPids(), before, 'one window process');
  });

  it('opens the token a notification is about when the notification is clicked', async () => {
    execFileSync('dunstctl', ['close-all']);
    await mintAndAdd(sim, 'github-tray-click', 1);
    await until('a notification about it', () => notifyCallsAbout('github-tray-click expires').length === 1, 20_000);
    await sleep(500);
    execFileSync('dunstctl', ['action', '0']);
    await headingIs(browser, 'github-tray-click');
  });

  it('remembers "Remind me next week" chosen on a notification', async () => {
    execFileSync('dunstctl', ['close-all']);
    await mintAndAdd(sim, 'github-tray-snooze', 3);
    await until('a notification about it', () => notifyCallsAbout('github-tray-snooze expires').length === 1, 20_000);
    await sleep(500);
    const session = process.env.TW_SESSION_DIR ?? '';
    writeFileSync(path.join(session, 'dunst-menu.choice'), 'Remind me next week');
    execFileSync('dunstctl', ['context']);
    // dunst runs its menu in the background: wait for what it offered.
    const offered = await until('dunst offered the buttons', () =>
      readFileSync(path.join(session, 'dunst-menu.offered'), 'utf8').includes('github-tray-snooze')
        ? readFileSync(path.join(session, 'dunst-menu.offered'), 'utf8')
        : null,
    );
    for (const button of ['Open', 'Rotate now', 'Remind me tomorrow', 'Remind me next week', 'I rotated it']) {
      assert.match(offered, new RegExp(`#${button} \\(github-tray-snooze`), offered);
    }
    const id = tokenId('github-tray-snooze');
    const dataDir = path.join(process.env.XDG_DATA_HOME ?? '', 'dev.tokenwarden.app');
    const until7 = await until('the snooze is remembered', () => {
      const text = readFileSync(path.join(dataDir, 'watch.json'), 'utf8');
      const match = text.match(new RegExp(`"${id}":\\s*"([^"]+)"`));
      return match ? match[1] : null;
    });
    const days = (Date.parse(until7) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `snoozed for a week (${days.toFixed(2)} days)`);

    // The token's page says so, and can undo it.
    await host.click(/^github-tray-snooze: /);
    await headingIs(browser, 'github-tray-snooze');
    const reminders = await browser.$('[data-testid="reminders-state"]');
    await until('the page shows the pause', async () => (await reminders.getText()).startsWith('Paused until'));
    await clickButton(browser, 'Resume reminders');
    await until('reminders resumed', async () => (await reminders.getText()).startsWith('Next reminder'));
    await until('the pause is forgotten', () => !readFileSync(path.join(dataDir, 'watch.json'), 'utf8').includes(`"${id}": "`));
  });

  it('ends the window process when the window is closed; the resident stays in the tray', async () => {
    const [windowPid] = windowPids();
    const residents = residentPids();
    assert.ok(windowPid, 'the window runs');
    assert.ok(childrenOf(windowPid).includes('WebKitWebProces'), 'a web process serves the open window');
    await closeWindow();
    await until('the window process ended', () => windowPids().length === 0);
    await browser.deleteSession().catch(() => {});
    browser = undefined;
    await sleep(1_000);
    assert.deepEqual(residentPids(), residents, 'the resident still runs');
    const [resident] = residents;
    assert.deepEqual(childrenOf(resident), [], 'no web process');
    assert.ok(!mapsWebKit(resident), 'no libwebkit2gtk mapped');
    assert.ok(await host.hasItem(), 'still in the tray');
  });

  it('opens a window at a token from its tray entry once the window was closed', async () => {
    const id = tokenId('github-tray-revoked');
    await host.click(/^github-tray-revoked — /);
    await until('the window is back', () => visibleAppWindows().length === 1);
    const [windowPid] = windowPids();
    assert.ok(windowPid, 'a window process');
    const args = commandLine(windowPid);
    assert.deepEqual(args.slice(args.indexOf('--open')), ['--open', id], args.join(' '));
  });

  it('quits from the tray menu, the window with it', async () => {
    const [resident] = residentPids();
    assert.equal(windowPids().length, 1, 'a window is open');
    await host.click('Quit Tokenwarden');
    await until('the resident ended', () => !residentPids().includes(resident));
    await until('the window ended too', () => windowPids().length === 0 && visibleAppWindows().length === 0);
    await until('its tray item is gone', async () => !(await host.hasItem()));
  });

  it('starts hidden in the tray, as at login, without WebKit, and opens from the tray menu', async () => {
    const app = spawn(appBinary, ['--hidden'], { stdio: 'ignore' });
    try {
      await until('the app registered its tray item', () => host.hasItem());
      await sleep(1_000);
      assert.deepEqual(visibleAppWindows(), [], 'no window');
      assert.equal(readFileSync(`/proc/${app.pid}/comm`, 'utf8').trim(), 'tokenwarden-res', 'the login start is the resident');
      assert.ok(!mapsWebKit(app.pid), 'no libwebkit2gtk mapped');
      assert.deepEqual(childrenOf(app.pid), [], 'no web process');
      await host.click('Open Tokenwarden');
      await until('the window opened', () => visibleAppWindows().length === 1);
      await host.click('Quit Tokenwarden');
      await until('the app ended', () => app.exitCode !== null);
      assert.equal(app.exitCode, 0);
      await until('the window ended too', () => windowPids().length === 0);
    } finally {
      app.kill();
    }
  });
});
