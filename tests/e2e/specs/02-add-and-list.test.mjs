// Adding tokens, end to end in the real window, against the provider
// simulator and the session's real gnome-keyring:
// - a token added with the CLI shows up in the app (one shared vault);
// - the full GitHub classic flow in the wizard: the deep link opens the
//   simulator's pre-filled page, the token minted there is pasted, checked
//   and saved, and the dashboard and the CLI both list it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchApp, repoRoot, screenshot, stopResident } from '../support/app.mjs';
import { mintThroughPage, startSimulator } from '../support/simulator.mjs';
import { clickButton, waitForText } from '../support/ui.mjs';

const cli = path.join(repoRoot, 'target/debug/tokenwarden');

function tokenwarden(args, input) {
  return execFileSync(cli, args, { input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

describe('adding tokens', () => {
  let sim;
  let browser;

  before(async () => {
    sim = await startSimulator();
    await sim.admin('github', 'github/orgs', { org: 'acme', members: ['sim-user', 'cli-bot'] });
  });

  after(async () => {
    await browser?.deleteSession();
    await stopResident();
    sim?.stop();
  });

  it('shows a token added with the CLI', async () => {
    const expires = new Date(Date.now() + 200 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const { token } = await sim.admin('github', 'tokens', {
      provider: 'github',
      kind: 'github-classic',
      login: 'cli-bot',
      scopes: ['repo', 'admin:repo_hook', 'read:org'],
      expires_at: expires,
    });
    const added = JSON.parse(
      tokenwarden(
        ['add', '--name', 'github-cli-production', '--provider', 'github', '--api-url', sim.github.api,
          '--org', 'acme', '--json', '--token-stdin'],
        token,
      ),
    );
    assert.equal(added.stored, true);

    browser = await launchApp();
    await waitForText(browser, 'h1', 'Your tokens');
    await waitForText(browser, 'main', 'github-cli-production');
    await waitForText(browser, 'main', 'cli-bot');
  });

  it('walks the GitHub classic flow through the simulator and saves the token', async () => {
    await clickButton(browser, 'Add a token');
    await (await browser.$('button[data-deployment="github-enterprise"]')).click();
    await clickButton(browser, 'Use a classic personal access token');
    await (await browser.$('#f-host')).setValue(sim.github.web);
    await (await browser.$('#f-org')).setValue('acme');
    const linkField = await browser.$('[data-testid="new-token-link"]');
    await linkField.waitForExist({ timeout: 10_000 });
    await browser.waitUntil(async () => (await linkField.getValue()).includes('/settings/tokens/new'), { timeout: 10_000 });
    const link = await linkField.getValue();
    assert.ok(link.startsWith(`${sim.github.web}/settings/tokens/new?`), link);
    await screenshot(browser, 'wizard-permissions');

    // Follow the deep link as the user's browser would: the form is
    // pre-filled with the scopes; create the token there.
    const { form, token } = await mintThroughPage(link, [
      ['login', 'sim-user'],
      ['description', 'github-acme-production'],
      ['expires_in', '90'],
      ['scopes', 'repo'],
      ['scopes', 'admin:repo_hook'],
      ['scopes', 'read:org'],
    ]);
    for (const scope of ['repo', 'admin:repo_hook', 'read:org']) {
      assert.match(form, new RegExp(`value="${scope}" checked`), `${scope} pre-filled`);
    }

    await clickButton(browser, 'I have the token');
    await (await browser.$('#f-token')).setValue(token);
    await clickButton(browser, 'Check token');
    const result = await browser.$('[data-testid="check-result"]');
    await result.waitForExist({ timeout: 15_000 });
    assert.equal(await result.getAttribute('data-ready'), 'true', await result.getText());
    assert.equal(await (await browser.$('#f-token')).getValue(), '', 'the field is emptied once sent');
    await screenshot(browser, 'wizard-check');

    await clickButton(browser, 'Continue to save');
    const name = await browser.$('#f-name');
    assert.equal(await name.getValue(), 'github-acme-production');
    await clickButton(browser, 'Save to the keychain');
    await waitForText(browser, 'h1', 'github-acme-production');

    await clickButton(browser, 'Back');
    await waitForText(browser, 'main', 'github-cli-production');
    await waitForText(browser, 'main', 'github-acme-production');
    await screenshot(browser, 'dashboard');

    const listed = JSON.parse(tokenwarden(['list', '--json']));
    const saved = listed.find((t) => t.name === 'github-acme-production');
    assert.ok(saved, 'the CLI sees the token the app saved');
    assert.equal(saved.identity.login, 'sim-user');
    assert.equal(saved.status, 'ready');
    assert.equal(saved.secret, 'present');
  });
});
