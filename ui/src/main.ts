import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { mark } from './lib/common/startupMarks';

// The bundle was fetched, parsed and its modules evaluated.
mark('script');

// Linux (WebKitGTK): see app.css, `:root[data-platform='linux']`.
if (navigator.userAgent.includes('Linux') && !navigator.userAgent.includes('Android')) {
  document.documentElement.dataset.platform = 'linux';
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');

export default mount(App, { target });
mark('mounted');
