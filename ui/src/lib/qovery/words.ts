// Plain words for Qovery's git tokens and services, shared by the
// dashboard, the token page and the delete confirmation.
import type { ProviderKind } from '../bindings/ProviderKind';
import type { QoveryGitToken } from '../bindings/QoveryGitToken';
import type { QoveryServiceRef } from '../bindings/QoveryServiceRef';
import { formatDate } from '../dashboard/format';

export function servicesWords(count: number): string {
  return count === 1 ? '1 service' : `${String(count)} services`;
}

/** "Used by 2 services in Qovery", for a local token linked to a git token. */
export function usedByWords(count: number): string {
  return `Used by ${servicesWords(count)} in Qovery`;
}

/** Qovery gives a date (`expired_at`), sent as midnight UTC of that day. */
export function gitTokenExpiryWords(token: QoveryGitToken): string {
  return token.expires_at === null
    ? 'No expiry in Qovery'
    : `Expires ${formatDate(token.expires_at)}`;
}

/** "api / production / backend (application)". */
export function serviceWords(service: QoveryServiceRef): string {
  return `${service.project} / ${service.environment} / ${service.service} (${service.type})`;
}

/** Whether a git token may be linked to a local token: the same provider only. */
export function sameProvider(a: ProviderKind, b: ProviderKind): boolean {
  return a === b;
}
