// Marks inside the page for the start-up benchmark (scripts/bench.sh,
// BENCHMARKS.md "Start-up"): when the script began, when the overview was
// asked for and arrived, when it was rendered and when that frame was
// painted, beside the browser's own navigation timing. They travel once,
// with the start-up mark, and are written only when the benchmark asked
// (TW_STARTUP_MARK_FILE); otherwise Rust drops them.

const marks: Record<string, number> = {};

/** Records `name` once, in ms since the page's time origin. */
export function mark(name: string): void {
  if (!(name in marks)) marks[name] = performance.now();
}

/** Every mark so far, with the page's navigation timing and its origin. */
export function pageMarks(): Record<string, number> {
  const page: Record<string, number> = { time_origin_unix_ms: performance.timeOrigin, ...marks };
  const nav = performance.getEntriesByType('navigation')[0] as
    PerformanceNavigationTiming | undefined;
  if (nav) {
    page.fetch_start = nav.fetchStart;
    page.response_end = nav.responseEnd;
    page.dom_interactive = nav.domInteractive;
    page.dom_content_loaded = nav.domContentLoadedEventStart;
  }
  return page;
}
