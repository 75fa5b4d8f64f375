// The point of keeping Tokenwarden in the tray: a token that expires in 6
// days gets exactly one desktop notification naming it, sent through the
// session's real notification server (dunst), and no second one after the
// app restarts. Every Notify call on the session bus is logged by the
// harness's dbus-monitor in $TW_NOTIFY_LOG.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchApp, repoRoot, stopResident } from '../support/app.mjs';
import { notifyCallsAbout } from '../support/notifications.mjs';
import { startSimulator } from '../support/simulator.mjs';

const cli = path.join(repoRoot, 'target/debug/tokenwarden');
const NAME = 'github-notify-soon';

async function waitForNotify(text, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (notifyCallsAbout(text).length > 0) return;
    await sleep(250);
  }
  assert.fail(`no notification about ${text} within ${timeout} ms`);
}

describe('expiry notifications', () => {
  let sim;
  let browser;

  before(async () => {
    assert.ok(process.env.TW_NOTIFY_LOG, 'run inside tests/harness/desktop-session.sh');
    sim = await startSimulator();
    await sim.admin('github', 'github/orgs', { org: 'acme', members: ['notify-bot'] });
    const token = await sim.mintGithubClassic({ login: 'notify-bot', days: 6 });
    execFileSync(cli, ['add', '--name', NAME, '--provider', 'github', '--api-url', sim.github.api, '--org', 'acme', '--token-stdin'], {
      input: token,
    });
  });

  after(async () => {
    await browser?.deleteSession();
    await stopResident();
    sim?.stop();
  });

  it('sends exactly one notification naming the token', async () => {
    browser = await launchApp();
    await waitForNotify(NAME);
    // Give a duplicate every chance to appear.
    await sleep(3_000);
    const calls = notifyCallsAbout(NAME);
    assert.equal(calls.length, 1, calls.join('\n---\n'));
    assert.match(calls[0], new RegExp(`string "${NAME} expires in 6 days"`));
    assert.match(calls[0], /GitHub/);
    assert.match(calls[0], /Rotate/);
    assert.doesNotMatch(calls[0], /ghp_[A-Za-z0-9]{10}/, 'never a token in a notification');
  });

  it('sends none again after a restart', async () => {
    // The window, then the resident watcher that sent it (as a logout
    // would end both): the new one remembers from watch.json.
    await browser.deleteSession();
    await stopResident();
    browser = await launchApp();
    await (await browser.$('h1')).waitForDisplayed({ timeout: 15_000 });
    await sleep(4_000);
    assert.equal(notifyCallsAbout(NAME).length, 1);
  });

  it('sends a test notification from the settings, which show the platform', async () => {
    const settings = await browser.$('//button[normalize-space(.)="Settings"]');
    await settings.click();
    await (await browser.$('h1=Settings')).waitForDisplayed({ timeout: 10_000 });
    const platform = await (await browser.$('dl.platform')).getText();
    assert.match(platform, /Secret Service/);
    assert.match(platform, /dunst/i, 'the notification server is named');
    // No panel runs in this session (the tray tests start one).
    assert.match(platform, /No system tray is available/);
    const test = await browser.$('//button[normalize-space(.)="Send a test notification"]');
    await test.click();
    await waitForNotify('Tokenwarden test notification');
  });

  it('notices a token the CLI adds while the app runs, without a restart', async () => {
    const token = await sim.mintGithubClassic({ login: 'notify-bot', days: 2 });
    execFileSync(cli, ['add', '--name', 'github-live-add', '--provider', 'github', '--api-url', sim.github.api, '--org', 'acme', '--token-stdin'], {
      input: token,
    });
    await waitForNotify('github-live-add expires in 2 days');
  });

  it('turned start at login on when the first token was saved', async () => {
    // tauri-plugin-autostart (auto-launch) writes under $HOME/.config,
    // whatever XDG_CONFIG_HOME says.
    const dir = path.join(process.env.HOME ?? '', '.config', 'autostart');
    assert.ok(existsSync(dir), `${dir} exists`);
    const entries = readdirSync(dir).filter((f) => f.endsWith('.desktop'));
    assert.equal(entries.length, 1, entries.join(', '));
    const entry = readFileSync(path.join(dir, entries[0]), 'utf8');
    assert.match(entry, /Exec=.*tokenwarden-desktop.* --hidden/, 'a login start stays in the tray');
    const toggle = await browser.$('#s-login');
    assert.equal(await toggle.isSelected(), true);
  });
});
