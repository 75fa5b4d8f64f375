// The UI renders what the catalogue says about providers: a provider's
// name, its token kinds' fields or its token page's wording written here
// would drift from the Rust registry. This scans the UI's own sources
// (generated bindings and test fixtures aside) for provider names in code.
import { describe, expect, it } from 'vitest';

const sources = import.meta.glob<string>(['./**/*.svelte', './**/*.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

const own = Object.entries(sources).filter(
  ([path]) =>
    !path.includes('/bindings/') && !path.includes('/test/') && !path.endsWith('.test.ts'),
);

describe('the UI holds no provider knowledge', () => {
  it('finds the sources it scans', () => {
    expect(own.length).toBeGreaterThan(20);
  });

  it.each(own)('%s names no provider in code', (_path, text) => {
    expect(text).not.toMatch(/['"`](github|gitlab|bitbucket)['"`]/i);
    expect(text).not.toMatch(/provider\s*===?\s*/);
  });
});
