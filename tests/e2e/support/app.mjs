// Starts the real Tokenwarden app through tauri-driver (which drives
// WebKitWebDriver) and hands back a WebdriverIO browser bound to its window.
// Run inside tests/harness/desktop-session.sh, which provides the display,
// the session bus, the keyring and tauri-driver's port.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const artifactsDir = path.join(repoRoot, 'tests/e2e/artifacts');

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the end-to-end tests through scripts/test.sh or tests/harness/desktop-session.sh`);
  }
  return value;
}

/** `args`: command-line arguments for the app (e.g. `--simulator ...`). */
export async function launchApp({ args = [] } = {}) {
  const application = process.env.TW_APP_BINARY ?? path.join(repoRoot, 'target/debug/tokenwarden-desktop');
  return remote({
    hostname: '127.0.0.1',
    port: Number(required('TW_WEBDRIVER_PORT')),
    logLevel: 'warn',
    connectionRetryTimeout: 60_000,
    // No browserName: tauri-driver matches on tauri:options alone.
    capabilities: { 'tauri:options': { application, args } },
  });
}

/**
 * Saves the app's window as the X server shows it, for the README and for
 * failure triage. (WebKitWebDriver's own screenshot command hangs under
 * Xvfb, and would show the page rather than the window.)
 */
export async function screenshot(browser, name) {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  // Let layout and fonts settle before capturing.
  await browser.execute(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const title = await browser.getTitle();
  const ids = execFileSync('xdotool', ['search', '--onlyvisible', '--name', `^${title}$`], { encoding: 'utf8' })
    .trim()
    .split('\n');
  execFileSync('import', ['-window', ids[ids.length - 1], file]);
  return file;
}

/** Process names, as the kernel cuts them (15 characters). */
const WINDOW_PROCESS = 'tokenwarden-des';
const RESIDENT_PROCESS = 'tokenwarden-res';

/** Ids of the processes named `name` that belong to this test session. */
function ourPids(name) {
  let pids = [];
  try {
    pids = execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch {
    return [];
  }
  const ours = `TW_SESSION_DIR=${process.env.TW_SESSION_DIR}\0`;
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(ours);
    } catch {
      return false;
    }
  });
}

/**
 * The app's process ids in this test session, the window's and the
 * resident watcher's (other sessions on the machine may run the app too).
 */
export function appPids() {
  return [...windowPids(), ...residentPids()];
}

/** The window process (`tokenwarden-desktop`). */
export function windowPids() {
  return ourPids(WINDOW_PROCESS);
}

/** The resident watcher (`tokenwarden-resident`: the tray, the alerts). */
export function residentPids() {
  return ourPids(RESIDENT_PROCESS);
}

/** Whether the process maps WebKitGTK's library (it loaded a webview). */
export function mapsWebKit(pid) {
  return readFileSync(`/proc/${pid}/maps`, 'utf8').includes('libwebkit2gtk');
}

/**
 * Stops the resident watcher the app left running (closing the window
 * leaves it, as on a desktop), by its pid, so none outlives its spec.
 */
export async function stopResident() {
  for (const pid of residentPids()) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  for (let i = 0; i < 100 && residentPids().length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
