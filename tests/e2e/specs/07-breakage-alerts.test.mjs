// A token that breaks is news, not only one that expires: a token revoked
// at the provider (the simulator's admin API) and found by a check, the
// CLI's `tokenwarden check` in a terminal or the tray's "Check all now",
// gets exactly one desktop notification naming it, what happened and the
// fix (seen on the session bus by the harness's dbus-monitor, as in
// 04-notifications), none again after a restart, and the tray's menu and
// icon say it stopped working (read through a StatusNotifier host, as in
// 05-tray).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { appPids, launchApp, repoRoot, stopResident } from '../support/app.mjs';
import { notifyCallsAbout } from '../support/notifications.mjs';
import { startSimulator } from '../support/simulator.mjs';
import { samePicture, startTrayHost } from '../support/tray-host.mjs';
import { until as untilWithin } from '../support/ui.mjs';

const cli = path.join(repoRoot, 'target/debug/tokenwarden');
const trayIcons = path.join(repoRoot, 'src-tauri/icons/tray');
const BY_CLI = 'github-break-cli';
const BY_TRAY = 'github-break-tray';
const STAYS = 'github-break-fine';

/** This spec's waits span a check round and a notification: up to 20 s each. */
const until = (what, check) => untilWithin(what, check, 20_000);



/** The Notify calls saying that `name` stopped working. */
const brokenCalls = (name) => notifyCallsAbout(`string "${name} stopped working"`);

describe('breakage alerts', () => {
  let sim;
  let host;
  let browser;
  const tokens = {};

  before(async () => {
    assert.ok(process.env.TW_NOTIFY_LOG, 'run inside tests/harness/desktop-session.sh');
    host = await startTrayHost();
    sim = await startSimulator();
    await sim.admin('github', 'github/orgs', { org: 'acme', members: ['break-bot'] });
    for (const name of [BY_CLI, BY_TRAY, STAYS]) {
      tokens[name] = await sim.mintGithubClassic({ login: 'break-bot', days: 40 });
      execFileSync(cli, ['add', '--name', name, '--provider', 'github', '--api-url', sim.github.api, '--org', 'acme', '--token-stdin'], {
        input: tokens[name],
      });
    }
    browser = await launchApp();
    await (await browser.$('h1')).waitForDisplayed({ timeout: 15_000 });
    await until('the tray lists the tokens', async () => (await host.hasItem()) && (await host.menu()).some((e) => e.label === `${BY_CLI}: 40 days left`));
  });

  after(async () => {
    await browser?.deleteSession().catch(() => {});
    await stopResident();
    for (const pid of appPids()) process.kill(pid, 'SIGTERM');
    host?.stop();
    sim?.stop();
  });

  it("alerts once when the CLI's check finds a revoked token, naming it, what happened and the fix", async () => {
    await sim.admin('github', 'tokens/revoke', { token: tokens[BY_CLI] });
    const check = spawnSync(cli, ['check', BY_CLI], { encoding: 'utf8' });
    assert.equal(check.status, 1, `check's exit code for a token that is not ready\n${check.stdout}${check.stderr}`);

    // The running app sees the vault change (a file event) and alerts.
    await until(`a notification that ${BY_CLI} stopped working`, () => brokenCalls(BY_CLI).length > 0);
    await sleep(3_000);
    const calls = brokenCalls(BY_CLI);
    assert.equal(calls.length, 1, calls.join('\n---\n'));
    assert.match(calls[0], /GitHub token\. GitHub rejected the token/);
    assert.match(calls[0], /Fix: Create a new token at http:\/\/127\.0\.0\.1:\d+\/settings\/tokens and rotate it in Tokenwarden\./);
    // Opened or rotated; reminders' pause and "I rotated it" are for expiry.
    assert.match(calls[0], /string "rotate"\s+string "Rotate now"/);
    assert.doesNotMatch(calls[0], /snooze-day/);
    for (const value of Object.values(tokens)) assert.ok(!calls[0].includes(value), 'never a token in a notification');
    assert.equal(notifyCallsAbout(STAYS).length, 0, 'nothing about the token that still works');
  });

  it('shows the broken token in the tray: its line says so, the icon turns', async () => {
    const entries = await until('the menu says it stopped working', async () => {
      const found = await host.menu();
      return found.some((e) => e.label === `${BY_CLI} — stopped working`) ? found : null;
    });
    assert.ok(entries.some((e) => e.label === `${STAYS}: 40 days left`), entries.map((e) => e.label).join(' | '));
    assert.match(entries[0].label, /need attention/);
    await until('the icon shows trouble', async () => samePicture(await host.iconFile(), path.join(trayIcons, 'bad.png')));
  });

  it('alerts a token found revoked by "Check all now", and the one already known not again', async () => {
    await sim.admin('github', 'tokens/revoke', { token: tokens[BY_TRAY] });
    await host.click('Check all now');
    await until(`a notification that ${BY_TRAY} stopped working`, () => brokenCalls(BY_TRAY).length > 0);
    await until('the menu says so', async () => (await host.menu()).some((e) => e.label === `${BY_TRAY} — stopped working`));
    await sleep(3_000);
    assert.equal(brokenCalls(BY_TRAY).length, 1);
    assert.equal(brokenCalls(BY_CLI).length, 1, 're-checked, still revoked: not news');
  });

  it('sends none again after a restart', async () => {
    // The window, then the resident watcher (as a logout would end it).
    await browser.deleteSession();
    browser = undefined;
    await stopResident();
    await until('the app ended', () => appPids().length === 0);
    browser = await launchApp();
    await (await browser.$('h1')).waitForDisplayed({ timeout: 15_000 });
    // The restarted app's tray shows both (a round ran), and stays quiet.
    await until('the restarted tray shows both broken tokens', async () => {
      const labels = (await host.menu()).map((e) => e.label);
      return labels.includes(`${BY_CLI} — stopped working`) && labels.includes(`${BY_TRAY} — stopped working`);
    });
    await sleep(4_000);
    assert.equal(brokenCalls(BY_CLI).length, 1);
    assert.equal(brokenCalls(BY_TRAY).length, 1);
    const dataDir = path.join(process.env.XDG_DATA_HOME ?? '', 'dev.tokenwarden.app');
    const watch = JSON.parse(readFileSync(path.join(dataDir, 'watch.json'), 'utf8'));
    const id = JSON.parse(execFileSync(cli, ['show', BY_CLI, '--json'], { encoding: 'utf8' })).id;
    assert.equal(watch.troubles?.[id]?.kind, 'invalid', 'remembered in watch.json');
  });
});
