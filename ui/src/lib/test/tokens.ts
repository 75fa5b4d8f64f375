// Stored-token fixtures for the dashboard's component tests, typed by the
// generated bindings so that a change to the Rust types breaks these tests
// at type-check time.
import { mockIPC } from '@tauri-apps/api/mocks';
import type { CheckReport } from '../bindings/CheckReport';
import type { RecheckResult } from '../bindings/RecheckResult';
import type { TokenView } from '../bindings/TokenView';
import type { VaultOverview } from '../bindings/VaultOverview';

/** A ready GitHub classic token; every other fixture starts from it. */
export function tokenView(overrides: Partial<TokenView> = {}): TokenView {
  return {
    secret: 'present',
    status: 'ready',
    days_left: 45n,
    id: 'tok-ci',
    name: 'github-acme-ci',
    description: 'Deploys acme/api from CI',
    provider: 'github',
    kind: 'classic',
    host: null,
    api_url: 'https://api.github.com',
    org: 'acme',
    repo: 'api',
    project: null,
    group: null,
    workspace: null,
    ca_file: null,
    identity: { login: 'acme-bot' },
    scopes: ['repo', 'read:org'],
    expires_at: '2025-07-16T09:30:00Z',
    expiry: 'provider',
    user_expires_at: null,
    created_at: '2025-04-01T10:00:00Z',
    updated_at: '2025-06-01T12:00:00Z',
    last_checked_at: '2025-06-01T12:00:00Z',
    last_check: {
      verdict: 'ready',
      ready: true,
      missing: [],
      unverified: [],
      problems: [],
    },
    rotated_at: null,
    shortfall_accepted: false,
    self_rotation_expires_at: null,
    ...overrides,
  };
}

export const ready = tokenView();

/** Self-managed GitLab, expiring in 3 days, with a host the user typed. */
export const expiring = tokenView({
  id: 'tok-gl',
  name: 'gitlab-platform-prod',
  description: 'Production webhooks',
  provider: 'gitlab',
  kind: 'project',
  host: 'https://gitlab.example.com',
  api_url: 'https://gitlab.example.com/api/v4',
  org: null,
  repo: null,
  project: 'platform/api',
  identity: { login: 'project_42_bot' },
  scopes: ['api'],
  status: 'expiring',
  days_left: 3n,
  expires_at: '2025-06-04T00:00:00Z',
  last_check: {
    verdict: 'ready',
    ready: true,
    missing: [],
    unverified: [],
    problems: [{ code: 'expires_soon', message: 'The token expires in 3 days. Rotate it soon.' }],
  },
});

/** Bitbucket, whose expiry the user entered; it expired 2 days ago. */
export const expired = tokenView({
  id: 'tok-bb',
  name: 'bitbucket-shop-staging',
  description: '',
  provider: 'bitbucket',
  kind: 'repository',
  api_url: 'https://api.bitbucket.org/2.0',
  org: null,
  repo: 'shop',
  workspace: 'acme',
  identity: null,
  scopes: null,
  status: 'expired',
  days_left: -2n,
  expires_at: '2025-05-30T00:00:00Z',
  expiry: 'user',
  user_expires_at: '2025-05-30',
  rotated_at: '2025-03-01T08:00:00Z',
  last_check: {
    verdict: 'unusable',
    ready: false,
    missing: [],
    unverified: [],
    problems: [{ code: 'expired', message: 'The token has expired. Create a new one.' }],
  },
});

/** A fine-grained token that lacks a permission. */
export const fallsShort = tokenView({
  id: 'tok-fg',
  name: 'github-acme-hooks',
  kind: 'fine-grained',
  status: 'falls_short',
  days_left: 12n,
  expires_at: '2025-06-13T00:00:00Z',
  scopes: null,
  last_check: {
    verdict: 'falls_short',
    ready: false,
    missing: ['Webhooks'],
    unverified: ['Contents (write)'],
    problems: [
      {
        code: 'missing_permissions',
        message: 'The token lacks Webhooks (Read and write). Edit it on GitHub.',
      },
    ],
  },
});

export const invalid = tokenView({
  id: 'tok-inv',
  name: 'github-old',
  status: 'invalid',
  days_left: 80n,
  last_check: {
    verdict: 'unusable',
    ready: false,
    missing: [],
    unverified: [],
    problems: [{ code: 'invalid_token', message: 'GitHub does not accept this token.' }],
  },
});

export const checkFailed = tokenView({
  id: 'tok-cf',
  name: 'github-ghe',
  host: 'https://ghe.example.com',
  api_url: 'https://ghe.example.com/api/v3',
  status: 'check_failed',
  days_left: 100n,
  last_check: {
    verdict: 'unchecked',
    ready: false,
    missing: [],
    unverified: [],
    problems: [{ code: 'unreachable', message: 'ghe.example.com could not be reached.' }],
  },
});

/** Never checked, never expires, no identity yet. */
export const unchecked = tokenView({
  id: 'tok-new',
  name: 'github-never',
  status: 'unchecked',
  days_left: null,
  expires_at: null,
  expiry: 'never',
  identity: null,
  scopes: null,
  last_checked_at: null,
  last_check: null,
});

/** Its keychain entry was deleted behind Tokenwarden's back. */
export const secretMissing = tokenView({
  id: 'tok-gone',
  name: 'gitlab-gone',
  provider: 'gitlab',
  kind: 'personal',
  api_url: 'https://gitlab.com/api/v4',
  org: null,
  repo: null,
  secret: 'missing',
  status: 'secret_missing',
  days_left: null,
  expires_at: null,
  expiry: 'unknown',
});

/** Every status once, soonest expiry first as the vault lists them. */
export const allTokens: TokenView[] = [
  expired,
  expiring,
  fallsShort,
  ready,
  invalid,
  checkFailed,
  unchecked,
  secretMissing,
];

export function overview(overrides: Partial<VaultOverview> = {}): VaultOverview {
  return {
    tokens: allTokens,
    notices: [],
    keychain: 'Secret Service (GNOME Keyring / KWallet)',
    problem: null,
    expires_soon_days: 14,
    ...overrides,
  };
}

export function checkReport(overrides: Partial<CheckReport> = {}): CheckReport {
  return {
    provider: 'github',
    kind: 'classic',
    api_url: 'https://api.github.com',
    authenticated: true,
    identity: { login: 'acme-bot' },
    scopes: ['repo', 'read:org'],
    missing: [],
    unverified: [],
    expires_at: '2025-09-01T00:00:00Z',
    expiry: 'provider',
    problems: [],
    ready: true,
    ...overrides,
  };
}

export function recheckResult(
  token: TokenView,
  report: CheckReport | null,
  error: string | null = null,
  change: Pick<RecheckResult, 'before' | 'change'> = { before: token.status, change: null },
): RecheckResult {
  return { token, report, error, ...change };
}

/** What a command rejects with: a CommandError, as an Error for the linter. */
export class CommandFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

/**
 * Answers IPC commands from `handlers` and records every call with its
 * arguments; a command without a handler fails the call.
 */
export function serveCommands(
  handlers: Record<string, (args: Record<string, unknown>) => unknown>,
): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const handler = handlers[cmd];
    // Every token page reads its reminders; tests about something else
    // get the usual answer and do not see the call.
    if (!handler && cmd === 'token_reminders') {
      calls.pop();
      return { next_at: null, snoozed_until: null, handled: false };
    }
    if (!handler) throw new Error(`unexpected command ${cmd}`);
    return handler(args);
  });
  return calls;
}

/** A promise the test settles, to look at a component while a call runs. */
export function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
