// Last: the app's log, as the whole run left it. The app logs every IPC
// command, check and watcher round to a file in the platform's log folder
// (src-tauri/src/logging.rs: $XDG_STATE_HOME/tokenwarden/logs on Linux,
// which the harness points into its private session folder). None of the
// token values the simulator minted for the earlier specs (recorded by
// support/simulator.mjs) may appear in it, nor an Authorization header.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { mintedTokens } from '../support/simulator.mjs';

function logDir() {
  if (process.env.TOKENWARDEN_LOG_DIR) return process.env.TOKENWARDEN_LOG_DIR;
  assert.ok(process.env.XDG_STATE_HOME, 'run inside tests/harness/desktop-session.sh');
  return path.join(process.env.XDG_STATE_HOME, 'tokenwarden', 'logs');
}

describe('the log written during the run', () => {
  it('exists, records the commands and checks, and holds no token value', () => {
    const dir = logDir();
    assert.ok(existsSync(dir), `no log folder at ${dir}`);
    const files = readdirSync(dir).filter((name) => name.startsWith('tokenwarden'));
    assert.ok(files.length > 0, `no log file in ${dir}`);
    const log = files.map((name) => readFileSync(path.join(dir, name), 'utf8')).join('\n');
    assert.ok(log.length > 0, 'the log is empty');
    assert.match(log, /vault_overview/, 'the IPC commands are logged');
    assert.match(log, /watch_round/, 'the watcher rounds are logged');

    const tokens = mintedTokens();
    assert.ok(tokens.length >= 5, `the earlier specs minted tokens (${tokens.length} recorded)`);
    for (const token of tokens) {
      assert.ok(!log.includes(token), `a minted token (${token.slice(0, 4)}…) is in the log`);
      // Nor a recognisable part of one (the value after its prefix).
      const body = token.replace(/^[a-z]+_/i, '');
      if (body.length >= 16) {
        assert.ok(!log.includes(body.slice(0, 16)), `part of a minted token (${token.slice(0, 4)}…) is in the log`);
      }
    }
    assert.doesNotMatch(log, /authorization/i, 'never an Authorization header');
    assert.doesNotMatch(log, /\b(ghp|github_pat|glpat|ATBB|ATCTT)_?[A-Za-z0-9]{10}/, 'nothing shaped like a token');
  });
});
