// Typed wrappers over the shell's commands: the one place the UI talks to
// Rust. Types come from ts-rs (src/lib/bindings), generated from the Rust
// types by `cargo test`; none is written by hand.
import { invoke } from '@tauri-apps/api/core';
import type { Catalogue } from './bindings/Catalogue';

export function providerCatalogue(): Promise<Catalogue> {
  return invoke<Catalogue>('provider_catalogue');
}

/** A plain-words message for an error a command rejected with. */
export function errorMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object' && 'message' in error) {
    const { message } = error;
    if (typeof message === 'string') return message;
  }
  return 'Something went wrong inside Tokenwarden.';
}
