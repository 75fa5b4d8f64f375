// Once the page's first frame is painted, tell the app, as Tokenwarden's
// UI does (ui/src/App.svelte).
requestAnimationFrame(() => setTimeout(() => void window.__TAURI__.core.invoke('startup_mark'), 0));
