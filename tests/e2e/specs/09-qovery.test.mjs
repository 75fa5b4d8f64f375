// Qovery in the real window, against the simulator's Qovery and the
// session's real gnome-keyring: connect an organization in Settings, see
// its git tokens beside the local ones on the dashboard, link a local
// token to one, rotate it, and watch the new value arrive at the
// simulated Qovery before the app says to revoke the old one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchApp, repoRoot, screenshot, stopResident } from '../support/app.mjs';
import { filesUnder, whereWritten } from '../support/disk-scan.mjs';
import { startSimulator } from '../support/simulator.mjs';
import { clickButton, waitForText } from '../support/ui.mjs';

const cli = path.join(repoRoot, 'target/debug/tokenwarden');

function tokenwarden(args, input) {
  return execFileSync(cli, args, { input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

describe('Qovery', () => {
  let sim;
  let browser;
  let org;
  let apiToken;
  let deployBot;
  const secrets = [];

  before(async () => {
    sim = await startSimulator();
    await sim.admin('github', 'github/orgs', { org: 'acme', members: ['qovery-bot'] });
    ({ id: org } = await sim.qoveryAdmin('organizations', { name: 'Acme' }));
    ({ token: apiToken } = await sim.qoveryAdmin('api-tokens', { organization_id: org }));
    secrets.push(apiToken);
    // The git token the local one will be linked to, used by two services,
    // and one that only Qovery holds (watched by its expiry).
    deployBot = await sim.qoveryAdmin('git-tokens', {
      organization_id: org,
      name: 'deploy-bot',
      type: 'GITHUB',
      expired_at: new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10),
    });
    for (const [environment, service] of [['production', 'api'], ['staging', 'worker']]) {
      await sim.qoveryAdmin('services', {
        git_token_id: deployBot.id,
        project_name: 'shop',
        environment_name: environment,
        service_name: service,
        service_type: 'APPLICATION',
      });
    }
    await sim.qoveryAdmin('git-tokens', {
      organization_id: org,
      name: 'mirror-reader',
      type: 'GITLAB',
      expired_at: new Date(Date.now() + 9 * 86_400_000).toISOString().slice(0, 10),
    });

    const token = await sim.mintGithubClassic({ login: 'qovery-bot', days: 60 });
    secrets.push(token);
    const added = JSON.parse(
      tokenwarden(
        ['add', '--name', 'github-qovery-deploys', '--provider', 'github', '--api-url', sim.github.api,
          '--org', 'acme', '--json', '--token-stdin'],
        token,
      ),
    );
    assert.equal(added.stored, true);

    browser = await launchApp({
      args: ['--simulator', `github=${sim.github.web},qovery=${sim.qovery.api}`],
    });
    await waitForText(browser, 'h1', 'Your tokens');
  });

  after(async () => {
    await browser?.deleteSession();
    await stopResident();
    sim?.stop();
  });

  it('connects an organization in Settings; the API token goes to the keychain only', async () => {
    await clickButton(browser, 'Settings');
    await waitForText(browser, 'main', 'Qovery');
    await (await browser.$('#q-org')).setValue(org);
    await (await browser.$('#q-token')).setValue(apiToken);
    await clickButton(browser, 'Connect');
    await waitForText(browser, 'main', 'Connected to “Acme”.');
    assert.equal(await (await browser.$('#q-token')).getValue(), '');
    const connections = await browser.$('[aria-label="Connected Qovery organizations"]');
    assert.match(await connections.getText(), /Acme/);
    await screenshot(browser, 'qovery-settings');
  });

  it("shows the organization's git tokens beside the local ones", async () => {
    await clickButton(browser, 'Back');
    await waitForText(browser, 'h1', 'Your tokens');
    await waitForText(browser, 'main', 'In Qovery: Acme');
    const list = await browser.$('[aria-label="Git tokens in Acme"]');
    await waitForText(browser, '[aria-label="Git tokens in Acme"]', 'mirror-reader');
    const text = await list.getText();
    assert.match(text, /deploy-bot/);
    assert.match(text, /Used by 2 services/);
    assert.match(text, /Only in Qovery/);
  });

  it('links the local token to the git token of its provider, rotates it, and Qovery gets the new value', async () => {
    // Found through the search, as a person with many tokens would (the
    // earlier specs' tokens, the summary and the timeline fill the page).
    await (await browser.$('input[aria-label="Search tokens"]')).setValue('github-qovery-deploys');
    await (await browser.$('button[data-token="github-qovery-deploys"]')).click();
    await waitForText(browser, 'h1', 'github-qovery-deploys');
    const select = await browser.$('#qovery-choice');
    await select.waitForExist({ timeout: 15_000 });
    // Only the GitHub git token is offered, never the GitLab one.
    const options = await select.$$('option');
    assert.equal(options.length, 1);
    assert.match(await options[0].getText(), /deploy-bot/);
    await clickButton(browser, 'Link');
    await waitForText(browser, 'main', 'Linked to “deploy-bot”');
    await waitForText(browser, 'main', 'Used by 2 services in Qovery');
    assert.equal(JSON.parse(tokenwarden(['show', 'github-qovery-deploys', '--json'])).qovery.git_token_id, deployBot.id);

    const fresh = await sim.mintGithubClassic({ login: 'qovery-bot', days: 90 });
    secrets.push(fresh);
    await clickButton(browser, 'Rotate');
    await (await browser.$('#rotate-value')).setValue(fresh);
    await clickButton(browser, 'Check and replace');
    await waitForText(browser, 'main', 'Pushed to Qovery.', 30_000);
    await waitForText(browser, 'main', 'Now revoke the old token');
    const received = await sim.qoveryAdmin(`git-tokens/${deployBot.id}`);
    assert.equal(received.token, fresh, 'the simulated Qovery holds the rotated value');
    await screenshot(browser, 'qovery-rotated');

    // Back on the dashboard: the local token says who uses it, and the
    // git token says which local token feeds it.
    await clickButton(browser, 'Back to all tokens');
    await waitForText(browser, 'main', 'Used by 2 services in Qovery');
    await waitForText(browser, '[aria-label="Git tokens in Acme"]', 'Linked to “github-qovery-deploys”');
    await screenshot(browser, 'qovery-dashboard');
  });

  it('wrote neither the API token nor a token value to any file (the log included)', () => {
    // Every file but gnome-keyring's own, which holds the secrets by design.
    const keyrings = path.resolve(process.env.XDG_DATA_HOME ?? '', 'keyrings');
    const files = [process.env.HOME, process.env.XDG_DATA_HOME, process.env.XDG_STATE_HOME, process.env.XDG_CONFIG_HOME, process.env.XDG_CACHE_HOME]
      .filter(Boolean)
      .flatMap((dir) => filesUnder(dir, [keyrings]));
    assert.ok(files.some((f) => f.endsWith('tokens.json')), `the vault's metadata is among ${files.length} files`);
    assert.ok(files.some((f) => f.includes(`${path.sep}logs${path.sep}`)), 'the app log is among them');
    assert.deepEqual(whereWritten(files, secrets), [], 'a secret written to a file');
  });
});
