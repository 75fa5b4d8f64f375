/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

// The UI font (Inter, on Linux) is shipped inside the app: its licence,
// the SIL Open Font License, goes with it, served beside the font files.
function fontLicence(): Plugin {
  return {
    name: 'font-licence',
    generateBundle() {
      const licence = createRequire(import.meta.url).resolve('@fontsource-variable/inter/LICENSE');
      this.emitFile({
        type: 'asset',
        fileName: 'licences/Inter-OFL.txt',
        source: readFileSync(licence),
      });
    },
  };
}

// Tauri serves the built files; `npm run dev` serves them on the fixed port
// that tauri.conf.json's devUrl points at.
export default defineConfig(({ mode }) => ({
  plugins: [svelte(), fontLicence(), ...(mode === 'test' ? [svelteTesting()] : [])],
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: '127.0.0.1' },
  build: {
    target: 'safari15',
    // No inline assets: the CSP allows only files served by the app.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test-setup.ts'],
    include: ['src/**/*.test.ts'],
  },
}));
