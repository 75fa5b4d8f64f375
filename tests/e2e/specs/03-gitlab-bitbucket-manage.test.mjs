// More of the wizard and the dashboard, in the real window with the
// simulator playing gitlab.com and Bitbucket Cloud (--simulator):
// a GitLab project token whose role is too low shows the fix; a
// Bitbucket token takes its expiry from the user; a stored token is
// edited, rotated and deleted from its detail view.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchApp, repoRoot, screenshot, stopResident } from '../support/app.mjs';
import { mintThroughPage, startSimulator } from '../support/simulator.mjs';
import { clickButton, daysFromNow, setInput, waitForText } from '../support/ui.mjs';

const cli = path.join(repoRoot, 'target/debug/tokenwarden');
const tokenwarden = (args) => JSON.parse(execFileSync(cli, args, { encoding: 'utf8' }));

describe('GitLab, Bitbucket, and managing a token', () => {
  let sim;
  let browser;

  before(async () => {
    sim = await startSimulator();
    await sim.admin('gitlab', 'gitlab/projects', { path: 'acme/web', id: 42 });
    await sim.admin('bitbucket', 'bitbucket/workspaces', { slug: 'acme' });
    await sim.admin('bitbucket', 'bitbucket/repos', { workspace: 'acme', slug: 'web' });
    browser = await launchApp({
      args: ['--simulator', `gitlab=${sim.gitlab.web},bitbucket=${sim.bitbucket.web}`],
    });
    await waitForText(browser, 'h1', 'Your tokens');
    // Everything below runs at the window's minimum size.
    await browser.setWindowSize(720, 520);
  });

  async function assertNoHorizontalScroll(where) {
    const { scroll, client } = await browser.execute(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.ok(scroll <= client, `${where}: content ${scroll}px wide in a ${client}px window`);
  }

  after(async () => {
    await browser?.deleteSession();
    await stopResident();
    sim?.stop();
  });

  it('says on screen that GitLab and Bitbucket are simulated', async () => {
    const banner = await browser.$('p.simulator');
    assert.ok(await banner.isDisplayed(), 'the simulator-mode banner is shown');
    assert.equal(
      await banner.getText(),
      'Simulator mode: GitLab and Bitbucket here are played by a simulator on this computer, not the real services.',
    );
  });

  it('shows the fix for a GitLab project token with too low a role', async () => {
    await assertNoHorizontalScroll('dashboard');
    await clickButton(browser, 'Add a token');
    await (await browser.$('button[data-deployment="gitlab"]')).click();
    await clickButton(browser, 'Use a project access token');
    await (await browser.$('#f-project')).setValue('acme/web');
    const linkField = await browser.$('[data-testid="new-token-link"]');
    await browser.waitUntil(async () => (await linkField.isExisting()) && (await linkField.getValue()).includes('access_tokens'), { timeout: 10_000 });
    const link = await linkField.getValue();
    // GitLab's project token page reads nothing from its address: the link carries no query.
    assert.equal(link, `${sim.gitlab.web}/acme/web/-/settings/access_tokens`);

    // The page starts at Guest, as GitLab's does; the user picks the role by hand, Developer
    // instead of Maintainer.
    const { form, token } = await mintThroughPage(link, [
      ['login', 'project_42_bot'], ['name', 'gitlab-acme-web-production'], ['access_level', '30'],
      ['expires_at', daysFromNow(120)], ['scopes', 'api'], ['scopes', 'read_repository'],
    ]);
    assert.match(form, /<option value="10" selected>/, 'Guest by default, as on GitLab');

    await clickButton(browser, 'I have the token');
    await (await browser.$('#f-token')).setValue(token);
    await clickButton(browser, 'Check token');
    const result = await browser.$('[data-testid="check-result"]');
    await result.waitForExist({ timeout: 15_000 });
    assert.equal(await result.getAttribute('data-ready'), 'false');
    const role = await browser.$('li[data-requirement="role:maintainer"]');
    assert.equal(await role.getAttribute('data-mark'), 'missing');
    const fix = await (await browser.$('li[data-code="insufficient_role"]')).getText();
    assert.match(fix, /Developer role \(30\)/);
    assert.match(fix, /Maintainer \(40\) or Owner \(50\)/);
    assert.ok(fix.includes(`${sim.gitlab.web}/acme/web/-/settings/access_tokens`), fix);
    await assertNoHorizontalScroll('check result');
    await screenshot(browser, 'wizard-gitlab-role');
    await clickButton(browser, 'Cancel');
    await waitForText(browser, 'h1', 'Your tokens');
  });

  it('saves a Bitbucket token with the expiry the user entered', async () => {
    await clickButton(browser, 'Add a token');
    await (await browser.$('button[data-deployment="bitbucket-cloud"]')).click();
    await clickButton(browser, 'Use a repository access token');
    await (await browser.$('#f-workspace')).setValue('acme');
    await (await browser.$('#f-repo')).setValue('web');
    const linkField = await browser.$('[data-testid="new-token-link"]');
    await browser.waitUntil(async () => (await linkField.isExisting()) && (await linkField.getValue()).includes('access-tokens'), { timeout: 10_000 });
    const link = await linkField.getValue();
    assert.equal(link, `${sim.bitbucket.web}/acme/web/admin/access-tokens`);
    const expiry = daysFromNow(150);
    const { token } = await mintThroughPage(link, [
      ['name', 'deploys'], ['expires_at', expiry],
      ['scopes', 'repository'], ['scopes', 'pullrequest:write'], ['scopes', 'webhook'],
    ]);

    await clickButton(browser, 'I have the token');
    await (await browser.$('#f-token')).setValue(token);
    await clickButton(browser, 'Check token');
    const result = await browser.$('[data-testid="check-result"]');
    await result.waitForExist({ timeout: 15_000 });
    assert.equal(await result.getAttribute('data-ready'), 'true', await result.getText());
    await clickButton(browser, 'Continue to save');
    await setInput(browser, '#f-expiry', expiry);
    const name = await browser.$('#f-name');
    assert.equal(await name.getValue(), 'bitbucket-acme-production');
    await clickButton(browser, 'Save to the keychain');
    await waitForText(browser, 'h1', 'bitbucket-acme-production');
    await waitForText(browser, 'main', expiry);
    await waitForText(browser, 'main', 'as you entered it');

    const shown = tokenwarden(['show', 'bitbucket-acme-production', '--json']);
    assert.equal(shown.expiry, 'user');
    assert.equal(shown.expires_at, `${expiry}T00:00:00Z`);
  });

  it('edits, rotates and deletes a token from its detail view', async () => {
    // Edit the description.
    await clickButton(browser, 'Edit');
    const description = await browser.$('#edit-description');
    await description.setValue('Deploys the web app');
    await clickButton(browser, 'Save');
    await waitForText(browser, 'main', 'Deploys the web app');
    assert.equal(tokenwarden(['show', 'bitbucket-acme-production', '--json']).description, 'Deploys the web app');

    // Rotate: a new token with the same permissions, pasted, checked, replaced.
    await clickButton(browser, 'Rotate');
    const { token: fresh } = await mintThroughPage(`${sim.bitbucket.web}/acme/web/admin/access-tokens`, [
      ['name', 'deploys-2'], ['scopes', 'repository'], ['scopes', 'pullrequest:write'], ['scopes', 'webhook'],
    ]);
    await (await browser.$('#rotate-value')).setValue(fresh);
    await clickButton(browser, 'Check and replace');
    await waitForText(browser, 'main', 'Replaced.');
    assert.equal(await (await browser.$('#rotate-value')).isExisting() ? await (await browser.$('#rotate-value')).getValue() : '', '');
    await assertNoHorizontalScroll('token detail');
    await screenshot(browser, 'token-rotated');
    assert.ok(tokenwarden(['show', 'bitbucket-acme-production', '--json']).rotated_at, 'rotation recorded');

    // Delete, with confirmation.
    await clickButton(browser, 'Delete');
    const dialog = await browser.$('[role="alertdialog"]');
    await dialog.waitForDisplayed({ timeout: 5_000 });
    assert.match(await dialog.getText(), /revoke/i);
    await clickButton(browser, 'Delete from Tokenwarden');
    await waitForText(browser, 'h1', 'Your tokens');
    const names = tokenwarden(['list', '--json']).map((t) => t.name);
    assert.ok(!names.includes('bitbucket-acme-production'), names.join(', '));
  });
});
