import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach } from 'vitest';
import { useCatalogue } from './lib/common/providers.svelte';
import { useConnections } from './lib/qovery/connections.svelte';
import { catalogue } from './lib/test/catalogue';

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
