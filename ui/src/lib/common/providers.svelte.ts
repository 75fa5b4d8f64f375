// What the UI shows of a provider (its name, monogram, token placeholder)
// and the names of token kinds, read from the catalogue Rust sends: the UI
// keeps no provider names of its own. Loaded once per window; until it
// arrives (or if it cannot be read) the wire names stand in.
import { providerCatalogue } from '../api';
import type { Catalogue } from '../bindings/Catalogue';
import type { ProviderInfo } from '../bindings/ProviderInfo';
import type { ProviderKind } from '../bindings/ProviderKind';
import type { TokenKindId } from '../bindings/TokenKindId';

let current = $state.raw<Catalogue | null>(null);
let loading: Promise<Catalogue> | null = null;

/** The catalogue, fetched once and shared by every screen. */
export function loadCatalogue(): Promise<Catalogue> {
  if (current) return Promise.resolve(current);
  loading ??= providerCatalogue().then(
    (catalogue) => {
      current = catalogue;
      return catalogue;
    },
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** Sets the catalogue directly (component tests). */
export function useCatalogue(catalogue: Catalogue | null): void {
  current = catalogue;
  loading = null;
}

/** The catalogue if it is already here (handed with the page, or
 * fetched), without asking for it. */
export function knownCatalogue(): Catalogue | null {
  return current;
}

/** The simulator-mode notice, when the providers here are simulated. */
export function simulatorNotice(): string | null {
  return current?.simulator ?? null;
}

export function providerInfo(kind: ProviderKind): ProviderInfo | null {
  return current?.providers.find((p) => p.kind === kind) ?? null;
}

/** The provider's name as users know it, from the catalogue. */
export function providerName(kind: ProviderKind): string {
  return providerInfo(kind)?.name ?? kind;
}

/** "Classic personal access token" for `classic`; "Token" when unknown. */
export function kindName(kind: TokenKindId | null): string {
  if (kind === null) return 'Token';
  for (const deployment of current?.deployments ?? []) {
    const found = deployment.token_kinds.find((k) => k.id === kind);
    if (found) return found.name;
  }
  return kind;
}
