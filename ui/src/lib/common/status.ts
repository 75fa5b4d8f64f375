// A token's status in words and in a tone. The words carry the meaning;
// the tone only repeats it in colour, so nothing depends on colour alone.
import type { TokenStatus } from '../bindings/TokenStatus';

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';

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

export const statusTone: Record<TokenStatus, Tone> = {
  ready: 'good',
  expiring: 'warn',
  falls_short: 'warn',
  check_failed: 'warn',
  unchecked: 'neutral',
  expired: 'bad',
  invalid: 'bad',
  secret_missing: 'bad',
};
