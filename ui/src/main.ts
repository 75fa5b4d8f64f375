import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { mark } from './lib/common/startupMarks';

// The bundle was fetched, parsed and its modules evaluated.
mark('script');

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');

export default mount(App, { target });
mark('mounted');
