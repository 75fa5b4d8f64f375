import '@fontsource-variable/inter/wght.css';
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { mark } from './lib/common/startupMarks';

// The bundle was fetched, parsed and its modules evaluated.
mark('script');

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');

function start(): void {
  mount(App, { target: target as HTMLElement });
  mark('mounted');
}

/** The UI font's Latin file, loaded (or failed: the desktop's font then). */
function uiFontLoaded(): Promise<unknown> {
  try {
    return document.fonts.load("1em 'Inter Variable'").catch(() => []);
  } catch {
    return Promise.resolve();
  }
}

// Linux (WebKitGTK): see app.css, `:root[data-platform='linux']`.
if (navigator.userAgent.includes('Linux') && !navigator.userAgent.includes('Android')) {
  document.documentElement.dataset.platform = 'linux';
  // The first layout waits for the UI font, preloaded by index.html and
  // most often here already: laid out in the desktop's font instead, the
  // first screen costs WebKitGTK a fontconfig search per size and weight,
  // then a second layout when the font arrives.
  void Promise.race([uiFontLoaded(), new Promise((resolve) => setTimeout(resolve, 300))]).then(
    () => {
      mark('font_ready');
      start();
    },
  );
} else {
  start();
}
