// Typed wrappers over the shell's commands: the one place the UI talks to
// Rust. Types come from ts-rs (./bindings), generated from the Rust types
// by `cargo test`; none is written by hand.
//
// A pasted token goes to Rust once, in `checkNewToken`; from then on the
// UI holds only the handle Rust returns.
import { Channel, invoke } from '@tauri-apps/api/core';
import type { CalendarExport } from './bindings/CalendarExport';
import type { Catalogue } from './bindings/Catalogue';
import type { ChosenCaFile } from './bindings/ChosenCaFile';
import type { CheckedNewToken } from './bindings/CheckedNewToken';
import type { CommandError } from './bindings/CommandError';
import type { ErrorCode } from './bindings/ErrorCode';
import type { EditTokenInput } from './bindings/EditTokenInput';
import type { FirstScreen } from './bindings/FirstScreen';
import type { NewTokenPageInput } from './bindings/NewTokenPageInput';
import type { QoveryConnection } from './bindings/QoveryConnection';
import type { QoveryGitTokens } from './bindings/QoveryGitTokens';
import type { QoveryLink } from './bindings/QoveryLink';
import type { QoveryPushOutcome } from './bindings/QoveryPushOutcome';
import type { QoveryServiceRef } from './bindings/QoveryServiceRef';
import type { RecheckResult } from './bindings/RecheckResult';
import type { ReminderChoice } from './bindings/ReminderChoice';
import type { Reminders } from './bindings/Reminders';
import type { RotateResult } from './bindings/RotateResult';
import type { SaveTokenInput } from './bindings/SaveTokenInput';
import type { SaveTokenResult } from './bindings/SaveTokenResult';
import type { SettingsInput } from './bindings/SettingsInput';
import type { SettingsView } from './bindings/SettingsView';
import type { TokenTarget } from './bindings/TokenTarget';
import type { TokenView } from './bindings/TokenView';
import type { VaultOverview } from './bindings/VaultOverview';

export type { ErrorCode };

declare global {
  interface Window {
    __TOKENWARDEN_FIRST_SCREEN__?: FirstScreen;
  }
}

/**
 * The first screen's data (the overview and the catalogue), which the app
 * hands the page with it (src-tauri/src/first_screen.rs) so that the first
 * screen waits for no IPC round trip; `null` when it did not, or once taken.
 */
export function takeFirstScreen(): FirstScreen | null {
  const first = window.__TOKENWARDEN_FIRST_SCREEN__ ?? null;
  delete window.__TOKENWARDEN_FIRST_SCREEN__;
  return first;
}

export function providerCatalogue(): Promise<Catalogue> {
  return invoke<Catalogue>('provider_catalogue');
}

export function vaultOverview(): Promise<VaultOverview> {
  return invoke<VaultOverview>('vault_overview');
}

/** Checks a pasted token; Rust keeps the value and returns a handle. */
export function checkNewToken(target: TokenTarget, token: string): Promise<CheckedNewToken> {
  return invoke<CheckedNewToken>('check_new_token', { target, token });
}

/**
 * "Check again": re-checks the value Rust holds behind `handle` against
 * `target`, without the value crossing IPC again. Rust refuses
 * (`secret_expired`) once it is no longer held, or if the target's server
 * is not the one it was first checked against.
 */
export function recheckNewToken(handle: string, target: TokenTarget): Promise<CheckedNewToken> {
  return invoke<CheckedNewToken>('recheck_new_token', { handle, target });
}

/**
 * "Choose file…" for a private CA: Rust opens the platform's file dialog
 * (the window has no file access of its own). Null when nothing was picked.
 * Rust accepts in a target only a path picked here (or a stored token's).
 */
export function chooseCaFile(): Promise<ChosenCaFile | null> {
  return invoke<ChosenCaFile | null>('choose_ca_file');
}

export function discardNewToken(handle: string): Promise<void> {
  return invoke('discard_new_token', { handle });
}

export function saveNewToken(input: SaveTokenInput): Promise<SaveTokenResult> {
  return invoke<SaveTokenResult>('save_new_token', { input });
}

// Every command on a stored token names it by its id, never its name:
// another token may take the name between the list being read and the
// command (a rename), and the command must act on the token shown.

/** Re-checks the token with this id, or all of them (id null). */
export function recheckTokens(id: string | null): Promise<RecheckResult[]> {
  return invoke<RecheckResult[]>('recheck_tokens', { id });
}

export function removeToken(id: string): Promise<void> {
  return invoke('remove_token', { id });
}

/** Replaces a stored token's value with a checked, parked one. */
export function rotateToken(id: string, handle: string): Promise<RotateResult> {
  return invoke<RotateResult>('rotate_token', { id, handle });
}

/**
 * Has the provider issue the token's new value itself (where the token's view offers it:
 * `self_rotation_expires_at`), expiring on `expiresAt` (YYYY-MM-DD) or, when null, on the
 * date the view shows. No token value crosses IPC.
 */
export function selfRotateToken(id: string, expiresAt: string | null): Promise<RotateResult> {
  return invoke<RotateResult>('self_rotate_token', { id, expires_at: expiresAt });
}

/** Edits the token with this id (not its name, which another token may take meanwhile). */
export function editToken(id: string, input: EditTokenInput): Promise<TokenView> {
  return invoke<TokenView>('edit_token', { id, input });
}

export function newTokenLink(input: NewTokenPageInput): Promise<string> {
  return invoke<string>('new_token_link', { input });
}

export function openNewTokenPage(input: NewTokenPageInput): Promise<void> {
  return invoke('open_new_token_page', { input });
}

/** Opens the provider page where a stored token is managed and revoked. */
export function openTokensPage(id: string): Promise<void> {
  return invoke('open_tokens_page', { id });
}

/**
 * Opens an address a check's advice names for a stored token; Rust opens
 * it only on the token's own provider web server.
 */
export function openFixAddress(id: string, url: string): Promise<void> {
  return invoke('open_fix_address', { id, url });
}

/** When the token's next expiry reminder comes, or why none will. */
export function tokenReminders(id: string): Promise<Reminders> {
  return invoke<Reminders>('token_reminders', { id });
}

/** Pauses, stops ("I rotated it") or resumes a token's reminders. */
export function setTokenReminders(id: string, choice: ReminderChoice): Promise<Reminders> {
  return invoke<Reminders>('set_token_reminders', { id, choice });
}

/**
 * Calls `onRequest` whenever the app is asked to open a token while this
 * window already shows (tray entry, notification); take it with
 * `takeOpenRequest`.
 */
export function listenOpenRequests(onRequest: () => void): Promise<void> {
  const channel = new Channel<null>();
  channel.onmessage = () => {
    onRequest();
  };
  return invoke('listen_open_requests', { onRequest: channel });
}

/** The token the window was asked to open (tray entry, notification), once. */
export function takeOpenRequest(): Promise<string | null> {
  return invoke<string | null>('take_open_request');
}

export function suggestTokenName(target: TokenTarget, environment: string): Promise<string> {
  return invoke<string>('suggest_token_name', { target, environment });
}

export function getSettings(): Promise<SettingsView> {
  return invoke<SettingsView>('get_settings');
}

export function saveSettings(input: SettingsInput): Promise<void> {
  return invoke('save_settings', { input });
}

export function sendTestNotification(): Promise<void> {
  return invoke('send_test_notification');
}

/**
 * "Export to calendar": Rust asks where to save in the system's own save
 * dialog (the webview never chooses the path) and writes the .ics there.
 * `path` is null when the dialog was cancelled.
 */
export function exportCalendar(): Promise<CalendarExport> {
  return invoke<CalendarExport>('export_calendar');
}

/**
 * Connects a Qovery organization: its API token goes to Rust once, to the
 * keychain, and is never returned. An `apiUrl` other than Qovery's public
 * API is confirmed by the user in a native dialog first.
 */
export function qoveryConnect(
  orgId: string,
  apiToken: string,
  apiUrl: string | null,
): Promise<QoveryConnection> {
  return invoke<QoveryConnection>('qovery_connect', {
    org_id: orgId,
    api_token: apiToken,
    api_url: apiUrl,
  });
}

export function qoveryConnections(): Promise<QoveryConnection[]> {
  return invoke<QoveryConnection[]>('qovery_connections');
}

/** Removes the organization's API token from the keychain. */
export function qoveryDisconnect(orgId: string): Promise<QoveryConnection> {
  return invoke<QoveryConnection>('qovery_disconnect', { org_id: orgId });
}

/** An organization's git tokens; with the services using each when `services`. */
export function qoveryGitTokens(orgId: string, services: boolean): Promise<QoveryGitTokens> {
  return invoke<QoveryGitTokens>('qovery_git_tokens', { org_id: orgId, services });
}

/** The Qovery services using a stored token's git token (none when not linked). */
export function qoveryServicesUsing(id: string): Promise<QoveryServiceRef[]> {
  return invoke<QoveryServiceRef[]>('qovery_services_using', { id });
}

/** Links a stored token to a git token of the same provider; nothing is sent. */
export function qoveryLink(id: string, orgId: string, gitTokenId: string): Promise<QoveryLink> {
  return invoke<QoveryLink>('qovery_link', { id, org_id: orgId, git_token_id: gitTokenId });
}

export function qoveryUnlink(id: string): Promise<QoveryLink> {
  return invoke<QoveryLink>('qovery_unlink', { id });
}

/**
 * Sends a stored token's value to its linked git token, or (`create`) to a
 * new git token of `orgId`. A value that falls short goes only with
 * `consent`; an unusable one never.
 */
export function qoveryPush(
  id: string,
  orgId: string | null,
  create: boolean,
  consent: boolean,
): Promise<QoveryPushOutcome> {
  return invoke<QoveryPushOutcome>('qovery_push', { id, org_id: orgId, create, consent });
}

/** The command that writes the Prometheus export, as the README sets it up. */
export const PROMETHEUS_EXPORT_COMMAND =
  'tokenwarden export --format prometheus --output /var/lib/prometheus/node-exporter/tokenwarden.prom';

function isCommandError(error: unknown): error is CommandError {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    'message' in error &&
    typeof (error as { message: unknown }).message === 'string'
  );
}

/**
 * Tells the app its first screen has been painted (the start-up
 * benchmark's mark; the app records it only when asked to).
 */
/** The first screen is painted: `page` holds the marks the start-up
 * benchmark splits the time by (written only when it runs). */
export function startupMark(page: Record<string, number>): Promise<void> {
  return invoke('startup_mark', { page });
}

/** A plain-words message for an error a command rejected with. */
export function errorMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (isCommandError(error)) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong inside Tokenwarden.';
}

/** The stable code of a command error, if it is one. */
export function errorCode(error: unknown): ErrorCode | null {
  return isCommandError(error) ? error.code : null;
}

/** The target a stored token is checked against (for rotating it). */
export function targetOf(token: TokenView): TokenTarget {
  return {
    provider: token.provider,
    kind: token.kind,
    host: null,
    api_url: token.api_url,
    org: token.org,
    repo: token.repo,
    project: token.project,
    group: token.group,
    workspace: token.workspace,
    expires_at: token.user_expires_at,
    ca_file: token.ca_file,
  };
}
