// The wizard's first steps, in the real app window: the provider choice is
// rendered from the Rust catalogue, and choosing a provider reaches its
// token-kind step with the exact permissions to grant.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchApp, screenshot, stopResident } from '../support/app.mjs';

describe('wizard: provider choice', () => {
  let browser;

  before(async () => {
    browser = await launchApp();
  });

  after(async () => {
    await browser?.deleteSession();
    await stopResident();
  });

  it('opens on the provider choice with all five deployments', async () => {
    const heading = await browser.$('h1');
    await heading.waitForDisplayed({ timeout: 15_000 });
    assert.equal(await heading.getText(), 'Where does the token come from?');
    assert.equal(await browser.getTitle(), 'Tokenwarden');

    const choices = await browser.$$('ul[aria-label="Providers"] button').getElements();
    const ids = [];
    for (const choice of choices) ids.push(await choice.getAttribute('data-deployment'));
    assert.deepEqual(ids, [
      'github',
      'github-enterprise',
      'gitlab',
      'gitlab-self-managed',
      'bitbucket-cloud',
    ]);
    const names = [];
    for (const choice of choices) names.push(await choice.$('.name').getText());
    assert.deepEqual(names, [
      'GitHub',
      'GitHub Enterprise Server',
      'GitLab',
      'Self-managed GitLab',
      'Bitbucket Cloud',
    ]);
    await screenshot(browser, 'provider-choice');
  });

  it('moves to the chosen provider\'s token kinds and the permissions they need', async () => {
    await browser.$('button[data-deployment="gitlab"]').click();
    const heading = await browser.$('h1');
    await browser.waitUntil(async () => (await heading.getText()) === 'Which kind of GitLab token?', {
      timeout: 5_000,
      timeoutMsg: 'the token-kind step did not appear',
    });
    const kinds = await browser.$$('li[data-kind]').getElements();
    const kindIds = [];
    for (const kind of kinds) kindIds.push(await kind.getAttribute('data-kind'));
    assert.deepEqual(kindIds, ['project', 'group', 'personal']);

    const project = await browser.$('li[data-kind="project"]');
    assert.match(await project.$('.kind-head').getText(), /Recommended/);
    const rows = [];
    for (const row of await project.$$('tbody tr').getElements()) {
      rows.push([await row.$('code').getText(), await row.$('td:nth-child(2)').getText()]);
    }
    assert.deepEqual(rows, [
      ['Role', 'Maintainer or Owner'],
      ['api', 'Selected'],
      ['read_repository', 'Selected'],
    ]);
    await screenshot(browser, 'token-kinds');
  });

  it('goes back to the provider choice', async () => {
    await browser.$('button=← All providers').click();
    const heading = await browser.$('h1');
    await browser.waitUntil(async () => (await heading.getText()) === 'Where does the token come from?', {
      timeout: 5_000,
      timeoutMsg: 'the provider step did not come back',
    });
  });
});
