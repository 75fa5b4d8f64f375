// Plain words for a stored token's fields, shared by the list and the
// detail view. Dates are shown as YYYY-MM-DD.
import type { ExpirySource } from '../bindings/ExpirySource';
import type { ProviderKind } from '../bindings/ProviderKind';
import type { SecretState } from '../bindings/SecretState';
import type { TokenView } from '../bindings/TokenView';
import { daysLeftPhrases } from '../bindings/daysLeftPhrases';

import { providerName } from '../common/providers.svelte';

export { kindName } from '../common/providers.svelte';

/** The host of an API base ("api.github.com"), or the base itself if it is not a URL. */
export function hostOf(apiUrl: string): string {
  try {
    return new URL(apiUrl).host || apiUrl;
  } catch {
    return apiUrl;
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * The calendar day of an expiry, in UTC as the vault counts it: a date the
 * user entered is stored as the start of that day in UTC.
 */
export function formatDate(iso: string): string {
  const date = parse(iso);
  if (!date) return iso;
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** A moment (a check, a rotation) in the user's own time zone. */
export function formatDateTime(iso: string): string {
  const date = parse(iso);
  if (!date) return iso;
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * Days left in words. `days_left` is the core's one count
 * (`status::days_left`, shared with the tray, the CLI and the
 * notifications), and the words are the core's too (`daysLeftPhrases`,
 * generated from `status::PAGE`). It crosses IPC as a JSON number although
 * ts-rs types an i64 as bigint, so both are accepted.
 */
export function daysLeftWords(
  daysLeft: TokenView['days_left'] | number,
  expiry: ExpirySource,
): string {
  const words = daysLeftPhrases;
  if (expiry === 'never') return words.never;
  if (daysLeft === null) return words.unknown;
  const days = Number(daysLeft);
  if (days === 0) return words.today;
  if (days === 1) return words.in_one;
  if (days === -1) return words.one_ago;
  return (days > 0 ? words.in_n : words.n_ago).replace('{n}', String(Math.abs(days)));
}

export function expirySourceWords(expiry: ExpirySource, provider: ProviderKind): string {
  switch (expiry) {
    case 'provider':
      return `as ${providerName(provider)} reports it`;
    case 'user':
      return 'as you entered it';
    case 'never':
      return 'it never expires';
    case 'unknown':
      return `${providerName(provider)} did not report it`;
  }
}

export const secretWords: Record<SecretState, string> = {
  present: 'Stored in the keychain.',
  missing:
    'The secret was deleted from the keychain outside Tokenwarden: rotate it with a new value, or remove the token.',
  unknown: 'The keychain could not be asked (it may be locked). Unlock it and check again.',
};
