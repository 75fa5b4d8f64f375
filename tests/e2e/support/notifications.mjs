// What the session's notification server was asked to show: the harness's
// dbus-monitor logs every Notify call on the session bus to $TW_NOTIFY_LOG.
import { readFileSync } from 'node:fs';

/** The Notify calls made so far that mention `text`. */
export function notifyCallsAbout(text) {
  const log = readFileSync(process.env.TW_NOTIFY_LOG ?? '', 'utf8');
  return log.split(/^method call /m).filter((call) => call.includes('member=Notify') && call.includes(text));
}
