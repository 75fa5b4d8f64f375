// Triage in the real window, against the provider simulator: a token
// revoked at the provider is found by "Check all now", which says what
// changed, and the dashboard puts it first; the summary's counts filter the
// list and the search narrows it (Ctrl+F); the timeline shows the tokens,
// each mark one click from its token; the token's page leads with the
// problem and Esc leaves it. Then the forgiving wizard: Ctrl+N, "I already
// have a token" straight to the details and the paste, a pasted web address
// becoming the path, a server that did not answer named with "Edit
// address", and "Check again" checking the value already pasted.
//
// The session's vault is shared with the other specs, so this one names its
// tokens "triage-…" and asserts their order among themselves.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchApp, repoRoot, screenshot, stopResident } from '../support/app.mjs';
import { startSimulator } from '../support/simulator.mjs';
import { clickButton, waitForText } from '../support/ui.mjs';

const cli = path.join(repoRoot, 'target/debug/tokenwarden');
const dataDir = process.env.TOKENWARDEN_DATA_DIR || path.join(process.env.XDG_DATA_HOME ?? '', 'dev.tokenwarden.app');

/** When the watcher last re-checked every token (its watch.json), if ever. */
function lastRecheck() {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, 'watch.json'), 'utf8')).last_recheck ?? null;
  } catch {
    return null;
  }
}

/** The dashboard's rows, top to bottom, by token name. */
async function rowNames(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('ul[aria-label="Tokens"] button[data-token]')].map((b) => b.dataset.token),
  );
}

async function activeElement(browser) {
  return browser.execute(() => {
    const el = document.activeElement;
    return { id: el?.id ?? '', label: el?.getAttribute('aria-label') ?? '', tag: el?.tagName ?? '' };
  });
}

/** Closes the session's notifications (dunst), so a screenshot shows the window alone. */
async function quietScreenshot(browser, name) {
  try {
    execFileSync('dunstctl', ['close-all']);
  } catch {
    // No notification server in this session: nothing to close.
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  return screenshot(browser, name);
}

describe('triage and a forgiving wizard', () => {
  let sim;
  let browser;
  let revoked;

  async function behave(body) {
    const response = await fetch(`${sim.github.web}/_sim/behaviour`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(response.ok, `behaviour: ${response.status}`);
  }

  function add(name, token, description) {
    execFileSync(
      cli,
      ['add', '--name', name, '--provider', 'github', '--host', sim.github.web, '--org', 'acme',
        '--description', description, '--yes', '--token-stdin'],
      { input: token },
    );
  }

  before(async () => {
    sim = await startSimulator();
    await sim.admin('github', 'github/orgs', { org: 'acme', members: ['triage-bot'] });
    revoked = await sim.mintGithubClassic({ login: 'triage-bot', days: 80 });
    add('triage-web-prod', revoked, 'Deploys acme/web to production');
    add('triage-api-staging', await sim.mintGithubClassic({ login: 'triage-bot', days: 40 }), 'Staging API webhooks');
    add('triage-hooks-prod', await sim.mintGithubClassic({ login: 'triage-bot', days: 5 }), 'Production hooks');
    browser = await launchApp();
    await waitForText(browser, 'h1', 'Your tokens');
    await waitForText(browser, 'main', 'triage-hooks-prod');
    // The watcher re-checks every token once a day, and at once in a
    // session that never did: let that round finish first, so that it is
    // this test's "Check all now" that finds the revoked token.
    await browser.waitUntil(() => lastRecheck() !== null, {
      timeout: 60_000,
      timeoutMsg: 'the watcher never recorded a re-check',
    });
    // Revoked at the provider after it was stored and checked: only a new
    // check can find out.
    const { revoked: done } = await sim.admin('github', 'tokens/revoke', { token: revoked });
    assert.equal(done, true);
  });

  after(async () => {
    await browser?.deleteSession().catch(() => {});
    await stopResident();
    sim?.stop();
  });

  it('finds the revoked token on "Check all now", says it stopped working and lists it first', async () => {
    const row = await browser.$('ul[aria-label="Tokens"] button[data-token="triage-web-prod"]');
    const before = await row.getText();
    assert.doesNotMatch(before, /Invalid/, 'not known as broken before the check');
    await clickButton(browser, 'Check all now');
    const checkStatus = await browser.$('.check-status');
    await browser.waitUntil(async () => (await checkStatus.getText()).startsWith('Checked'), {
      timeout: 60_000,
      timeoutMsg: 'Check all now did not finish',
    });
    const status = await checkStatus.getText();
    assert.match(status, /^Checked \d+ tokens?: .*\d+ stopped working/, status);

    await browser.waitUntil(async () => (await row.getText()).includes('Invalid'), { timeout: 10_000 });
    const names = (await rowNames(browser)).filter((n) => n.startsWith('triage-'));
    // Broken first, then by expiry: the one expiring in 5 days before the one in 40.
    assert.deepEqual(names, ['triage-web-prod', 'triage-hooks-prod', 'triage-api-staging']);
    // No healthy token sits above a broken one.
    const statuses = await browser.execute(() =>
      [...document.querySelectorAll('ul[aria-label="Tokens"] [data-status]')].map((s) => s.dataset.status),
    );
    const firstGood = statuses.findIndex((s) => s === 'ready' || s === 'unchecked' || s === 'expiring');
    const lastBroken = statuses.findLastIndex((s) => ['invalid', 'expired', 'secret_missing'].includes(s));
    assert.ok(firstGood === -1 || lastBroken < firstGood, statuses.join(','));

    // The summary's "broken" count filters the list to the broken tokens.
    const broken = await browser.$('//button[contains(@class,"part") and contains(., "broken")]');
    await broken.click();
    const filtered = await rowNames(browser);
    assert.ok(filtered.includes('triage-web-prod'), filtered.join(','));
    assert.ok(!filtered.includes('triage-hooks-prod'), filtered.join(','));
    await broken.click();
  });

  it('narrows the list as the search is typed, and Ctrl+F finds the search', async () => {
    await (await browser.$('h1')).click();
    await browser.keys(['Control', 'f']);
    assert.equal((await activeElement(browser)).label, 'Search tokens');
    await browser.keys('triage'.split(''));
    await browser.waitUntil(async () => (await rowNames(browser)).length === 3, { timeout: 5_000 });
    assert.deepEqual(await rowNames(browser), ['triage-web-prod', 'triage-hooks-prod', 'triage-api-staging']);
    await quietScreenshot(browser, 'dashboard-triage');

    const search = await browser.$('input[aria-label="Search tokens"]');
    await search.setValue('production hooks');
    await browser.waitUntil(async () => (await rowNames(browser)).join() === 'triage-hooks-prod', {
      timeout: 5_000,
      timeoutMsg: 'the description search did not narrow the list',
    });
    await search.setValue('triage');
    await browser.waitUntil(async () => (await rowNames(browser)).length === 3, { timeout: 5_000 });
  });

  it('shows the tokens on the timeline, each mark one click from its token', async () => {
    const marks = await browser.execute(() =>
      [...document.querySelectorAll('ol[aria-label="Tokens by expiry"] button')].map((b) => b.getAttribute('aria-label')),
    );
    for (const expected of [
      'triage-hooks-prod: expires in 5 days (Expires soon)',
      'triage-api-staging: expires in 40 days (Ready)',
      'triage-web-prod: expires in 80 days (Invalid)',
    ]) {
      assert.ok(marks.includes(expected), `${expected} in ${marks.join(' | ')}`);
    }
    await (await browser.$('button[data-mark="triage-hooks-prod"]')).click();
    await waitForText(browser, 'h1', 'triage-hooks-prod');
    await waitForText(browser, '[data-testid="problem-banner"]', 'It expires in 5 days');
    await browser.keys('Escape');
    await waitForText(browser, 'h1', 'Your tokens');
  });

  it('leads the broken token’s page with the problem and its fix', async () => {
    await (await browser.$('ul[aria-label="Tokens"] button[data-token="triage-web-prod"]')).click();
    await waitForText(browser, 'h1', 'triage-web-prod');
    const banner = await browser.$('[data-testid="problem-banner"]');
    await banner.waitForDisplayed({ timeout: 5_000 });
    const text = await banner.getText();
    assert.match(text, /GitHub no longer accepts it/);
    assert.match(text, /Fix: It was revoked/);
    assert.ok(await (await banner.$('//button[contains(., "Rotate now")]')).isDisplayed());
    // The page opens at its top, banner in view.
    assert.equal(await browser.execute(() => window.scrollY), 0);
    await quietScreenshot(browser, 'token-problem');
    await browser.keys('Escape');
    await waitForText(browser, 'h1', 'Your tokens');
  });

  it('adds a token it already has: Ctrl+N, straight to the details and the paste, and "Check again"', async () => {
    await browser.keys(['Control', 'n']);
    await waitForText(browser, 'h1', 'Where does the token come from?');
    await clickButton(browser, 'I already have a token');
    await (await browser.$('button[data-deployment="github-enterprise"]')).click();
    await waitForText(browser, 'h1', 'Your GitHub token');
    assert.equal(await (await browser.$('#f-link')).isExisting(), false, 'nothing to create, no token page');
    await (await browser.$('#f-kind')).selectByAttribute('value', 'classic');
    await (await browser.$('#f-host')).setValue(sim.github.web);
    // A web address pasted where the organization is asked becomes its name.
    await (await browser.$('#f-org')).setValue(`${sim.github.web}/acme`);
    await browser.keys('Tab');
    await browser.waitUntil(async () => (await (await browser.$('#f-org')).getValue()) === 'acme', {
      timeout: 5_000,
      timeoutMsg: 'the pasted address did not become the organization',
    });
    await clickButton(browser, 'Continue to paste');
    await waitForText(browser, 'h1', 'Paste the token');
    assert.equal((await activeElement(browser)).id, 'f-token', 'focus lands in the token field');

    // The server does not answer: the app names the host it tried.
    await behave({ down: true });
    const token = await sim.mintGithubClassic({ login: 'triage-bot', days: 60 });
    await (await browser.$('#f-token')).setValue(token);
    await clickButton(browser, 'Check token');
    const host = new URL(sim.github.web).host;
    await waitForText(browser, 'main', `Tokenwarden tried ${host}`, 60_000);
    assert.ok(await (await browser.$('//button[normalize-space(.)="Edit address"]')).isDisplayed());
    await quietScreenshot(browser, 'wizard-check-again');

    // Back up: "Check again" checks the value already pasted, not asked again.
    await behave({});
    assert.equal(await (await browser.$('#f-token')).getValue(), '');
    await clickButton(browser, 'Check again');
    const result = await browser.$('[data-testid="check-result"]');
    await browser.waitUntil(async () => (await result.getAttribute('data-ready')) === 'true', {
      timeout: 60_000,
      timeoutMsg: 'Check again did not find the token ready',
    });
    await clickButton(browser, 'Continue to save');
    await (await browser.$('#f-name')).setValue('triage-new-prod');
    await clickButton(browser, 'Save to the keychain');
    await waitForText(browser, 'h1', 'triage-new-prod');
    const listed = JSON.parse(execFileSync(cli, ['list', '--json'], { encoding: 'utf8' }));
    const saved = listed.find((t) => t.name === 'triage-new-prod');
    assert.equal(saved?.status, 'ready');
    assert.equal(saved?.org, 'acme');
  });
});
