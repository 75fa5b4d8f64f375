// A token's status in words and in a tone. The words carry the meaning;
// the tone only repeats it in colour, so nothing depends on colour alone.
// The tone is the core's severity (`status::STATUS_SEVERITY`, generated into
// the bindings), the same the tray's icon and the CLI follow.
import type { Severity } from '../bindings/Severity';
import type { TokenStatus } from '../bindings/TokenStatus';
import { statusSeverity } from '../bindings/statusSeverity';

export type Tone = Severity;

export const statusWords: Record<TokenStatus, string> = {
  ready: 'Ready',
  expiring: 'Expires soon',
  expired: 'Expired',
  falls_short: 'Falls short',
  invalid: 'Invalid',
  check_failed: 'Check failed',
  unchecked: 'Not checked',
  secret_missing: 'Secret missing',
};

export const statusTone: Record<TokenStatus, Tone> = statusSeverity;

/**
 * The symbol beside each status word: one per meaning, so "falls short"
 * (◑, partly there) and "expires soon" (◷, a clock) differ without colour.
 */
export const statusGlyph: Record<TokenStatus, string> = {
  ready: '✓',
  expiring: '◷',
  expired: '✕',
  falls_short: '◑',
  invalid: '✕',
  check_failed: '?',
  unchecked: '–',
  secret_missing: '✕',
};
