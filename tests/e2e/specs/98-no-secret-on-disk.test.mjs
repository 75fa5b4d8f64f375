// Second to last, after every earlier spec minted tokens and pasted,
// checked, stored, rotated and pushed them through the real window: no
// file the session wrote holds one of those values. Every file under the
// harness's HOME and XDG folders (and TOKENWARDEN_DATA_DIR if set) is read
// whole: the app's data folder (tokens.json, its lock, set-aside copies),
// WebKit's profile (local storage, IndexedDB, its caches), the settings,
// the log, the autostart entry. The one folder skipped is gnome-keyring's
// own ($XDG_DATA_HOME/keyrings): the Secret Service keeps the values there,
// encrypted, by design.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { filesUnder, whereWritten } from '../support/disk-scan.mjs';
import { mintedTokens } from '../support/simulator.mjs';

function sessionFolders() {
  const env = process.env;
  assert.ok(env.HOME && env.XDG_DATA_HOME && env.XDG_STATE_HOME, 'run inside tests/harness/desktop-session.sh');
  const folders = [env.HOME, env.XDG_DATA_HOME, env.XDG_CONFIG_HOME, env.XDG_CACHE_HOME, env.XDG_STATE_HOME, env.TOKENWARDEN_DATA_DIR];
  return [...new Set(folders.filter(Boolean).map((dir) => path.resolve(dir)))];
}

describe('the files the session wrote', () => {
  it('finds a value planted anywhere, in either encoding, and skips only the folder it is told to', () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'tw-disk-scan-'));
    try {
      const token = 'ghp_planted0123456789abcdefABCDEF0123';
      mkdirSync(path.join(scratch, 'a/.b'), { recursive: true });
      mkdirSync(path.join(scratch, 'keyrings'));
      writeFileSync(path.join(scratch, 'clean.json'), '{"name":"prod"}');
      writeFileSync(path.join(scratch, 'a/.b/LocalStorage.sqlite3'), Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(token, 'utf16le')]));
      writeFileSync(path.join(scratch, 'a/log'), `body only: ${token.slice(4, 20)}\n`);
      writeFileSync(path.join(scratch, 'keyrings/login.keyring'), token);
      const files = filesUnder(scratch, [path.join(scratch, 'keyrings')]);
      assert.equal(files.length, 3);
      const found = whereWritten(files, [token, 'ghp_neverWrittenAnywhere0123456789'])
        .map(({ file }) => path.relative(scratch, file))
        .sort();
      assert.deepEqual(found, ['a/.b/LocalStorage.sqlite3', 'a/log']);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('hold no token value anywhere but the keychain', () => {
    const keyrings = path.resolve(process.env.XDG_DATA_HOME, 'keyrings');
    const files = [...new Set(sessionFolders().flatMap((dir) => filesUnder(dir, [keyrings])))];
    // What the scan must have covered, or it proves nothing.
    assert.ok(files.some((f) => f.endsWith(`${path.sep}tokens.json`)), `the vault's metadata is among ${files.length} files`);
    assert.ok(files.some((f) => f.includes(`${path.sep}logs${path.sep}`)), 'the app log is among them');
    assert.ok(
      files.some((f) => /webkit|localstorage|indexeddb/i.test(f)),
      `WebKit's profile is among them:\n${files.map((f) => path.relative(process.env.TW_SESSION_DIR ?? '/', f)).join('\n')}`,
    );
    const tokens = mintedTokens();
    assert.ok(tokens.length >= 5, `the earlier specs minted tokens (${tokens.length} recorded)`);
    const found = whereWritten(files, tokens);
    assert.deepEqual(found, [], `token values written to disk (${tokens.length} tokens, ${files.length} files scanned)`);
  });
});
