// Looks for token values in files, byte for byte. A value is searched as
// UTF-8 (JSON, logs, most of what the app writes) and as UTF-16LE, the way
// WebKit keeps strings in its local storage and IndexedDB databases, so a
// value the webview kept would be found there too.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Every regular file under `dir`, in every subfolder, hidden ones included,
 * except under the folders in `skip`. Symbolic links are not followed (a
 * link out of the folder would scan what the app did not write); sockets
 * and pipes hold no bytes to read.
 */
export function filesUnder(dir, skip = []) {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch {
    return [];
  }
  if (skip.includes(path.resolve(dir))) return [];
  if (stat.isFile()) return [dir];
  if (!stat.isDirectory()) return [];
  return readdirSync(dir).flatMap((name) => filesUnder(path.join(dir, name), skip));
}

/** What to look for of one secret: its value, and the distinctive part after its prefix. */
export function needlesOf(secret) {
  const needles = [secret];
  const body = secret.replace(/^[a-z]+_/i, '');
  if (body !== secret && body.length >= 16) needles.push(body.slice(0, 16));
  return needles;
}

/**
 * Each (file, secret) where a file holds a secret or its body, in UTF-8 or
 * UTF-16LE, once per pair. A secret is named in the result by its first 4
 * characters only, so a failure does not print a token.
 */
export function whereWritten(files, secrets) {
  const found = [];
  for (const file of files) {
    const content = readFileSync(file);
    for (const secret of secrets) {
      const written = needlesOf(secret).some((needle) =>
        [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le')].some((bytes) => content.includes(bytes)),
      );
      if (written) found.push({ file, token: `${secret.slice(0, 4)}…` });
    }
  }
  return found;
}
