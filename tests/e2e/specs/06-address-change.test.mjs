// Changing a stored token's server address means its secret is sent to the
// new server to check it. The app asks first, in a native dialog that a
// script in the window could not answer; Cancel sends nothing anywhere.
// A window manager (openbox) runs for this file so the dialog takes focus
// the way it does on a desktop.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { artifactsDir, launchApp, repoRoot, stopResident } from '../support/app.mjs';
import { answerDialog as answer, clickDialogButton as click, dialogWindow as shown } from '../support/dialog.mjs';
import { startSimulator } from '../support/simulator.mjs';
import { clickButton, setInput, waitForText } from '../support/ui.mjs';

const cli = path.join(repoRoot, 'target/debug/tokenwarden');
const NAME = 'github-enterprise-ci';
const DIALOG_TITLE = 'Send this token to a new server?';
const dialogWindow = () => shown(DIALOG_TITLE);
const answerDialog = (keys) => answer(DIALOG_TITLE, keys);
const clickDialogButton = (side) => click(DIALOG_TITLE, side);

function stored() {
  return JSON.parse(execFileSync(cli, ['show', NAME, '--json'], { encoding: 'utf8' }));
}

describe('changing a stored token’s address', () => {
  let sim;
  let wm;
  let browser;
  let newHost;

  const requestsMade = async () => (await (await fetch(`${sim.github.web}/_sim/requests`)).json()).length;
  const forgetRequests = () => fetch(`${sim.github.web}/_sim/requests`, { method: 'DELETE' });

  before(async () => {
    wm = spawn('openbox', ['--sm-disable'], { stdio: 'ignore' });
    sim = await startSimulator();
    await sim.admin('github', 'github/orgs', { org: 'acme', members: ['ghes-bot'] });
    const token = await sim.mintGithubClassic({ login: 'ghes-bot', days: 90 });
    execFileSync(cli, ['add', '--name', NAME, '--provider', 'github', '--host', sim.github.web, '--org', 'acme', '--token-stdin'], {
      input: token,
    });
    // The same simulator by another name: a new address as far as the app knows.
    newHost = sim.github.web.replace('127.0.0.1', 'localhost');
    browser = await launchApp();
    // Found through the search, as a person with many tokens would.
    await (await browser.$('input[aria-label="Search tokens"]')).setValue(NAME);
    await (await browser.$(`button[data-token="${NAME}"]`)).click();
    await waitForText(browser, 'h1', NAME);
  });

  after(async () => {
    await browser?.deleteSession().catch(() => {});
    await stopResident();
    sim?.stop();
    wm?.kill();
  });

  it('asks before sending the token to a new address, and Cancel sends nothing', async () => {
    await clickButton(browser, 'Edit');
    await setInput(browser, '#edit-host', newHost);
    await forgetRequests();
    await clickButton(browser, 'Save');
    const dialog = await dialogWindow();
    mkdirSync(artifactsDir, { recursive: true });
    execFileSync('import', ['-window', dialog, path.join(artifactsDir, 'address-change-dialog.png')]);
    await answerDialog(['Escape']);
    await waitForText(browser, '[role="alert"]', 'The address was not changed, and the token was not sent anywhere.');
    assert.equal(await requestsMade(), 0, 'nothing reached any server');
    assert.equal(stored().api_url, `${sim.github.web}/api/v3`);
  });

  it('sends it there, checks it and saves the address once the user agrees', async () => {
    await clickButton(browser, 'Save');
    await clickDialogButton('left');
    await waitForText(browser, 'main', newHost);
    assert.equal(stored().api_url, `${newHost}/api/v3`);
    assert.ok((await requestsMade()) > 0, 'the check reached the new address');
  });

  it('asks nothing when the address stays the same', async () => {
    await clickButton(browser, 'Edit');
    await setInput(browser, '#edit-description', 'Builds on the enterprise server');
    await clickButton(browser, 'Save');
    await waitForText(browser, 'main', 'Builds on the enterprise server');
    assert.equal(stored().description, 'Builds on the enterprise server');
  });

  it('asks nothing and moves nothing when the same address is saved again', async () => {
    const before = stored();
    await clickButton(browser, 'Edit');
    // The field holds the address; typing it again is no new server.
    await setInput(browser, '#edit-host', newHost);
    await setInput(browser, '#edit-description', 'Same server, new words');
    await clickButton(browser, 'Save');
    // A dialog would block the save: the words arriving prove none came.
    await waitForText(browser, 'main', 'Same server, new words');
    const after = stored();
    assert.equal(after.api_url, before.api_url);
    assert.equal(after.api_url, `${newHost}/api/v3`);
  });

  it('refuses a name another token at the same address has, and changes neither', async () => {
    const other = await sim.mintGithubClassic({ login: 'ghes-bot', days: 60 });
    execFileSync(cli, ['add', '--name', 'ghes-other', '--provider', 'github', '--host', newHost, '--org', 'acme', '--token-stdin'], {
      input: other,
    });
    const before = stored();
    await clickButton(browser, 'Edit');
    await setInput(browser, '#edit-name', 'ghes-other');
    await forgetRequests();
    await clickButton(browser, 'Save');
    await waitForText(browser, '[role="alert"]', 'A token named “ghes-other” already exists for this provider and host.');
    assert.equal(await requestsMade(), 0, 'nothing was sent for a refused rename');
    assert.deepEqual(stored(), before, 'the token is unchanged');
    const otherAfter = JSON.parse(execFileSync(cli, ['show', 'ghes-other', '--json'], { encoding: 'utf8' }));
    assert.equal(otherAfter.api_url, `${newHost}/api/v3`, 'the other token is untouched');
  });
});
