// Once the page's first frame is painted, tell the app, as Tokenwarden's
// UI does (ui/src/App.svelte), with the same navigation timing
// (ui/src/lib/common/startupMarks.ts), so both pages' loads can be compared.
const script = performance.now();
requestAnimationFrame(() =>
  setTimeout(() => {
    const page = { time_origin_unix_ms: performance.timeOrigin, script, painted: performance.now() };
    const nav = performance.getEntriesByType('navigation')[0];
    if (nav) {
      page.fetch_start = nav.fetchStart;
      page.response_end = nav.responseEnd;
      page.dom_interactive = nav.domInteractive;
      page.dom_content_loaded = nav.domContentLoadedEventStart;
    }
    void window.__TAURI__.core.invoke('startup_mark', { page });
  }, 0),
);
