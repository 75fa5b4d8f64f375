// The screens no first screen is: loaded apart (laterParts.ts).
export { default as TokenDetail } from './dashboard/TokenDetail.svelte';
export { default as Settings } from './settings/Settings.svelte';
