import type { TokenView } from '../../bindings/TokenView';

/** Whether the user types this token's expiry: the provider does not report it. */
export function expiryIsTyped(token: TokenView): boolean {
  return token.expiry === 'user' || token.expiry === 'unknown';
}
