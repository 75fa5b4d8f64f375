import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { useCatalogue } from './lib/common/providers.svelte';
import { screens, wizardSteps } from './lib/laterParts';
import { useConnections } from './lib/qovery/connections.svelte';
import { catalogue } from './lib/test/catalogue';

// The parts loaded apart from the first screen are here, as in the app
// once its first screen is painted (lazy.test.ts covers the wait).
beforeAll(async () => {
  await Promise.all([screens.load(), wizardSteps.load()]);
});

// Components read provider and kind names from the catalogue Rust sends.
beforeEach(() => {
  useCatalogue(catalogue);
  // No Qovery organization is connected unless a test says so.
  useConnections([]);
});

afterEach(() => {
  cleanup();
  clearMocks();
});
