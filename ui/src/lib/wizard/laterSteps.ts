// The wizard's steps after the provider choice, which the first run's
// first screen is: loaded apart (laterParts.ts).
export { default as TokenKindStep } from './TokenKindStep.svelte';
export { default as TargetStep } from './TargetStep.svelte';
export { default as PasteStep } from './PasteStep.svelte';
export { default as SaveStep } from './SaveStep.svelte';
