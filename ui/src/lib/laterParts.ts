// What no first screen shows, each part in a chunk of its own, loaded on
// first use or once the first screen is painted (common/lazy.svelte.ts).
import { lazy } from './common/lazy.svelte';

/** A token's page and the settings. */
export const screens = lazy(() => import('./screens'));

/** The wizard's steps after the provider choice. */
export const wizardSteps = lazy(() => import('./wizard/laterSteps'));

/** Fetches every part while the user reads the first screen, so that no
 * later screen waits for its script. A failure is left for the screen
 * that needs the part to show, with a way to try again. */
export function preloadLater(): void {
  for (const part of [screens, wizardSteps]) void part.load().catch(() => undefined);
}
