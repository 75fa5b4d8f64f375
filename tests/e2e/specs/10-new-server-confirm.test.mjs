// A server typed into the wizard (here the simulator's GitHub Enterprise
// Server listener, which is neither one of the catalogue's cloud services
// nor a server any stored token uses) gets a pasted token, or the browser,
// only once the user agrees in a native dialog a script in the window
// cannot answer. Cancel sends nothing; once agreed, the same server is not
// asked about again while the window lives. A window manager (openbox)
// runs for this file so the dialog takes focus as it does on a desktop.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { artifactsDir, launchApp, repoRoot, stopResident } from '../support/app.mjs';
import { answerDialog, clickDialogButton, dialogShown, dialogWindow } from '../support/dialog.mjs';
import { startSimulator } from '../support/simulator.mjs';
import { clickButton, waitForText } from '../support/ui.mjs';

const cli = path.join(repoRoot, 'target/debug/tokenwarden');
const SEND = 'Send the pasted token to a server you typed?';
const OPEN = 'Open a page on a server you typed?';

describe('a pasted token and a server the user typed', () => {
  let sim;
  let wm;
  let browser;

  const requestsMade = async () => (await (await fetch(`${sim.github.web}/_sim/requests`)).json()).length;
  const forgetRequests = () => fetch(`${sim.github.web}/_sim/requests`, { method: 'DELETE' });

  /** The wizard, up to "Paste the token", for a GitHub Enterprise Server at the simulator. */
  async function wizardAtTheTypedServer({ have }) {
    await browser.keys(['Control', 'n']);
    await waitForText(browser, 'h1', 'Where does the token come from?');
    if (have) await clickButton(browser, 'I already have a token');
    await (await browser.$('button[data-deployment="github-enterprise"]')).click();
    if (have) {
      await waitForText(browser, 'h1', 'Your GitHub token');
      await (await browser.$('#f-kind')).selectByAttribute('value', 'classic');
    } else {
      await clickButton(browser, 'Use a classic personal access token');
    }
    await (await browser.$('#f-host')).setValue(sim.github.web);
    await (await browser.$('#f-org')).setValue('acme');
  }

  async function paste(token) {
    await (await browser.$('#f-token')).setValue(token);
    await clickButton(browser, 'Check token');
  }

  before(async () => {
    wm = spawn('openbox', ['--sm-disable'], { stdio: 'ignore' });
    sim = await startSimulator();
    await sim.admin('github', 'github/orgs', { org: 'acme', members: ['ghes-bot'] });
    // The files before this one store tokens at their own simulators, on
    // ports the kernel handed out; one that had this simulator's port would
    // make the "typed" server a known one (no dialog). Such a leftover is
    // removed first, and said.
    const typed = new URL(sim.github.web).origin;
    const listed = JSON.parse(execFileSync(cli, ['list', '--json'], { encoding: 'utf8' }));
    for (const token of listed.filter((t) => new URL(t.api_url).origin === typed)) {
      console.log(`# removing ${token.name}, stored by an earlier file at ${typed} (a reused port)`);
      execFileSync(cli, ['rm', token.name], { stdio: 'ignore' });
    }
    // One token stored at another server (the same simulator by another
    // name: another origin), so the app opens on the dashboard. Without
    // --simulator the simulator stands in for no cloud service: its
    // 127.0.0.1 address is a server the user types.
    const elsewhere = sim.github.web.replace('127.0.0.1', 'localhost');
    execFileSync(cli, ['add', '--name', 'ghes-elsewhere', '--provider', 'github', '--host', elsewhere, '--org', 'acme', '--token-stdin'], {
      input: await sim.mintGithubClassic({ login: 'ghes-bot', days: 90 }),
    });
    browser = await launchApp();
    await waitForText(browser, 'main', 'ghes-elsewhere');
  });

  after(async () => {
    await browser?.deleteSession().catch(() => {});
    await stopResident();
    sim?.stop();
    wm?.kill();
  });

  it('asks before opening the token page on the typed server; Cancel opens nothing', async () => {
    await wizardAtTheTypedServer({ have: false });
    await clickButton(browser, "Open GitHub's token page");
    await answerDialog(OPEN, ['Escape']);
    await waitForText(browser, '[role="alert"]', 'Not opened: you cancelled.');
  });

  it('asks before sending the pasted token there, and Cancel sends nothing', async () => {
    await clickButton(browser, 'I have the token');
    await waitForText(browser, 'h1', 'Paste the token');
    await forgetRequests();
    await paste(await sim.mintGithubClassic({ login: 'ghes-bot', days: 90 }));
    const dialog = await dialogWindow(SEND);
    const title = execFileSync('xdotool', ['getwindowname', dialog], { encoding: 'utf8' }).trim();
    assert.equal(title, SEND);
    mkdirSync(artifactsDir, { recursive: true });
    execFileSync('import', ['-window', dialog, path.join(artifactsDir, 'new-server-dialog.png')]);
    await answerDialog(SEND, ['Escape']);
    await waitForText(browser, '[role="alert"]', 'Not sent: you cancelled, so the token did not go to');
    assert.equal(await (await browser.$('#f-token')).getValue(), '', 'the value is not kept in the window either');
    assert.equal(await requestsMade(), 0, 'nothing reached the server');
    assert.equal(await (await browser.$('[data-testid="check-result"]')).isExisting(), false);
  });

  it('checks it there once the user agrees', async () => {
    await paste(await sim.mintGithubClassic({ login: 'ghes-bot', days: 90 }));
    await clickDialogButton(SEND, 'left');
    const result = await browser.$('[data-testid="check-result"]');
    await result.waitForExist({ timeout: 15_000 });
    assert.equal(await result.getAttribute('data-ready'), 'true', await result.getText());
    assert.ok((await requestsMade()) > 0, 'the check reached the server the user agreed to');
  });

  it('does not ask again for the same server while the window lives', async () => {
    // Another token, pasted in a new wizard run for the same server.
    await clickButton(browser, 'Cancel');
    await waitForText(browser, 'main', 'ghes-elsewhere');
    await wizardAtTheTypedServer({ have: true });
    await clickButton(browser, 'Continue to paste');
    await waitForText(browser, 'h1', 'Paste the token');
    await forgetRequests();
    await paste(await sim.mintGithubClassic({ login: 'ghes-bot', days: 60 }));
    const result = await browser.$('[data-testid="check-result"]');
    await result.waitForExist({ timeout: 15_000 });
    assert.equal(await result.getAttribute('data-ready'), 'true', await result.getText());
    await sleep(500);
    assert.equal(dialogShown(SEND), false, 'no dialog this time');
    assert.ok((await requestsMade()) > 0);
  });
});
