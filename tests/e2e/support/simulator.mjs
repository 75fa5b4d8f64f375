// Starts the project's provider simulator (the `tokenwarden-sim` binary,
// loopback only) for an end-to-end test, and stops it by its process id.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { artifactsDir, repoRoot } from './app.mjs';

/**
 * Every token value the simulator minted during the run, one per line, so
 * the last spec can prove that none reached the app's log
 * (`99-log-has-no-secrets`). Each spec runs in its own process, hence a
 * file; in the harness's private runtime folder, so each run starts afresh.
 */
export const mintedTokensFile = path.join(process.env.XDG_RUNTIME_DIR ?? artifactsDir, 'tokenwarden-e2e-minted-tokens.txt');

function recordMinted(token) {
  if (typeof token !== 'string' || token === '') return;
  mkdirSync(path.dirname(mintedTokensFile), { recursive: true });
  appendFileSync(mintedTokensFile, `${token}\n`, { mode: 0o600 });
}

/** The token values recorded by `recordMinted` during this run. */
export function mintedTokens() {
  if (!existsSync(mintedTokensFile)) return [];
  return readFileSync(mintedTokensFile, 'utf8').split('\n').filter(Boolean);
}

export async function startSimulator() {
  const binary = path.join(repoRoot, 'target/debug/tokenwarden-sim');
  const child = spawn(binary, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  const urls = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`tokenwarden-sim did not start: ${out}`)), 10_000);
    child.on('error', reject);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const found = {};
      for (const provider of ['github', 'gitlab', 'bitbucket', 'qovery']) {
        const match = out.match(new RegExp(`${provider}:\\s+(\\S+)\\s+\\(API (\\S+)\\)`));
        if (match) found[provider] = { web: match[1], api: match[2] };
      }
      if (found.github && found.gitlab && found.bitbucket && found.qovery) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  return {
    ...urls,
    async admin(provider, route, body) {
      const response = await fetch(`${urls[provider].web}/_sim/${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
      const answer = await response.json().catch(() => null);
      if (route === 'tokens') recordMinted(answer?.token);
      return answer;
    },
    /**
     * The simulated Qovery's admin API (`/_sim/…` on its own listener):
     * `POST` with a body seeds organizations, API tokens, git tokens and
     * services; without one, `GET` reads (a git token's last value).
     */
    async qoveryAdmin(route, body) {
      const response = await fetch(`${urls.qovery.api}/_sim/${route}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
      const answer = await response.json().catch(() => null);
      if (route === 'api-tokens') recordMinted(answer?.token);
      return answer;
    },
    /**
     * Mints a classic GitHub token with the scopes deployments need, for
     * `login`, expiring `days` (and an hour, so the whole days hold) from now.
     */
    async mintGithubClassic({ login, days }) {
      const expires = new Date(Date.now() + days * 86_400_000 + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
      const { token } = await this.admin('github', 'tokens', {
        provider: 'github',
        kind: 'github-classic',
        login,
        scopes: ['repo', 'admin:repo_hook', 'read:org'],
        expires_at: expires,
      });
      return token;
    },
    stop() {
      child.kill('SIGINT');
    },
  };
}

/** Follows a new-token link like a person: opens the form, submits it, reads the token shown once. */
export async function mintThroughPage(link, fields) {
  const page = await fetch(link);
  if (!page.ok) throw new Error(`${link}: ${page.status}`);
  const html = await page.text();
  const body = new URLSearchParams(fields);
  const response = await fetch(link, { method: 'POST', body });
  const result = await response.text();
  const match = result.match(/<code id="new-token">([^<]+)<\/code>/);
  if (!match) throw new Error(`no token minted (${response.status}): ${result.slice(0, 500)}`);
  recordMinted(match[1]);
  return { form: html, token: match[1] };
}
