import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { RecheckResult } from '../bindings/RecheckResult';
import type { VaultOverview } from '../bindings/VaultOverview';
import {
  allTokens,
  CommandFailure,
  deferred,
  expired,
  expiring,
  overview,
  ready,
  recheckResult,
  serveCommands,
  unchecked,
} from '../test/tokens';
import Dashboard from './Dashboard.svelte';

function setup(over: VaultOverview = overview()) {
  const props = { overview: over, onadd: vi.fn(), onopen: vi.fn(), onchanged: vi.fn() };
  render(Dashboard, props);
  return props;
}

function text(element: HTMLElement): string {
  return element.textContent.replace(/\s+/g, ' ').trim();
}

function rows(): HTMLElement[] {
  return within(screen.getByRole('list', { name: 'Tokens' })).getAllByRole('button');
}

describe('Dashboard', () => {
  it('lists every token in the given order with provider, host, identity, status and days left', () => {
    setup();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Your tokens');
    expect(screen.getByText('8 tokens, soonest expiry first')).toBeVisible();
    expect(rows().map((row) => row.dataset.token)).toEqual(allTokens.map((t) => t.name));

    const [first, second] = rows() as [HTMLElement, HTMLElement];
    expect(text(first)).toBe(
      'BB bitbucket-shop-staging (Bitbucket) ✕Expired Host api.bitbucket.org Identity — Expiry 2 days ago',
    );
    expect(text(second)).toBe(
      'GL gitlab-platform-prod (GitLab) !Expires soon Host gitlab.example.com Identity project_42_bot Expiry in 3 days',
    );
    // The monogram is decoration; the provider's name is read out instead.
    expect(first).toHaveAccessibleName(
      'bitbucket-shop-staging (Bitbucket) Expired Host api.bitbucket.org Identity — Expiry 2 days ago',
    );
  });

  it('says every status in words, never by colour alone', () => {
    setup();
    const statuses = rows().map((row) => text(row.querySelector('[data-status]') as HTMLElement));
    expect(statuses).toEqual([
      '✕Expired',
      '!Expires soon',
      '!Falls short',
      '✓Ready',
      '✕Invalid',
      '!Check failed',
      '–Not checked',
      '✕Secret missing',
    ]);
  });

  it('says days left in words, including never and unknown', () => {
    setup();
    const expiries = rows().map((row) => text(row.querySelector('.expires') as HTMLElement));
    expect(expiries).toEqual([
      'Expiry 2 days ago',
      'Expiry in 3 days',
      'Expiry in 12 days',
      'Expiry in 45 days',
      'Expiry in 80 days',
      'Expiry in 100 days',
      'Expiry never expires',
      'Expiry expiry unknown',
    ]);
  });

  it('opens a token by click', async () => {
    const { onopen } = setup();
    await userEvent.click(screen.getByRole('button', { name: /^github-acme-ci / }));
    expect(onopen).toHaveBeenCalledExactlyOnceWith('github-acme-ci');
  });

  it('is usable by keyboard: actions first, then each row in order', async () => {
    const user = userEvent.setup();
    const { onopen, onadd } = setup(overview({ tokens: [expired, ready] }));
    await user.tab();
    expect(screen.getByRole('button', { name: 'Check all now' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Add a token' })).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(onadd).toHaveBeenCalledOnce();
    await user.tab();
    expect(rows()[0]).toHaveFocus();
    await user.tab();
    expect(rows()[1]).toHaveFocus();
    await user.keyboard(' ');
    expect(onopen).toHaveBeenCalledExactlyOnceWith('github-acme-ci');
  });

  it('checks all tokens, showing progress and disabling the button meanwhile', async () => {
    const answer = deferred<RecheckResult[]>();
    const calls = serveCommands({ recheck_tokens: () => answer.promise });
    const user = userEvent.setup();
    const { onchanged } = setup(overview({ tokens: [expired, ready, unchecked] }));
    const status = screen.getByRole('status');
    expect(status).toHaveTextContent(/^$/);

    await user.click(screen.getByRole('button', { name: 'Check all now' }));
    const busy = screen.getByRole('button', { name: 'Checking…' });
    expect(busy).toBeDisabled();
    expect(status).toHaveTextContent('Checking every token with its provider…');
    expect(calls).toEqual([{ cmd: 'recheck_tokens', args: { name: null } }]);
    expect(onchanged).not.toHaveBeenCalled();

    answer.resolve([
      recheckResult(expired, null, 'The keychain is locked.'),
      recheckResult(ready, null),
      recheckResult(unchecked, null),
    ]);
    expect(await screen.findByRole('button', { name: 'Check all now' })).toBeEnabled();
    expect(status).toHaveTextContent(
      'Checked 3 tokens; 1 could not be checked: open it to see why.',
    );
    expect(onchanged).toHaveBeenCalledOnce();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says in plain words when checking all fails', async () => {
    serveCommands({
      recheck_tokens: () => {
        throw new CommandFailure('storage', 'The token list is locked by another program.');
      },
    });
    const user = userEvent.setup();
    const { onchanged } = setup();
    await user.click(screen.getByRole('button', { name: 'Check all now' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Tokenwarden could not check the tokens: The token list is locked by another program.',
    );
    expect(screen.getByRole('button', { name: 'Check all now' })).toBeEnabled();
    expect(onchanged).not.toHaveBeenCalled();
  });

  it('shows the vault’s notices as notes that can be dismissed', async () => {
    const user = userEvent.setup();
    setup(
      overview({
        tokens: [expiring],
        notices: [
          {
            kind: 'corrupt_moved_aside',
            moved_to: '/home/me/.local/share/tokenwarden/tokens.json.corrupt-1',
            reason: 'expected value at line 1',
          },
          {
            kind: 'recovered',
            name: 'github-acme-ci',
            what: 'its rotation was finished; the new value is in use.',
          },
        ],
      }),
    );
    const notes = within(
      screen.getByRole('list', { name: 'Notes about your tokens' }),
    ).getAllByRole('status');
    expect(notes.map(text)).toEqual([
      'The token list could not be read (expected value at line 1). It was kept as /home/me/.local/share/tokenwarden/tokens.json.corrupt-1 and a new, empty list was started; the secrets stay in the keychain. Dismiss the note about the token list',
      '“github-acme-ci”: its rotation was finished; the new value is in use. Dismiss the note about “github-acme-ci”',
    ]);

    await user.click(screen.getByRole('button', { name: 'Dismiss the note about the token list' }));
    expect(screen.queryByText(/could not be read/)).toBeNull();
    expect(screen.getByText(/its rotation was finished/)).toBeVisible();
    // Focus does not vanish with the dismissed note.
    expect(screen.getByRole('heading', { level: 1 })).toHaveFocus();
    await user.click(
      screen.getByRole('button', { name: /Dismiss the note about “github-acme-ci”/ }),
    );
    expect(screen.queryByRole('list', { name: 'Notes about your tokens' })).toBeNull();
  });

  it('says when a rotation left a destination without the new value, and not to revoke', () => {
    setup(
      overview({
        tokens: [expiring],
        notices: [
          {
            kind: 'push_unfinished',
            name: 'github-acme-ci',
            destinations: ['Qovery organization Acme'],
          },
        ],
      }),
    );
    const note = within(screen.getByRole('list', { name: 'Notes about your tokens' })).getByRole(
      'status',
    );
    expect(text(note)).toBe(
      '“github-acme-ci”: its new value is stored, but Qovery organization Acme did not receive it yet. Do not revoke the old token until the new value is pushed there. Dismiss the note about “github-acme-ci”',
    );
  });

  it('shows the vault’s problem as an alert and no empty state', () => {
    setup(
      overview({
        tokens: [],
        keychain: '',
        problem: 'The keychain is locked. Unlock it in your session, then restart Tokenwarden.',
      }),
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Tokenwarden could not open its token list');
    expect(alert).toHaveTextContent('The keychain is locked. Unlock it in your session');
    expect(screen.queryByRole('button', { name: 'Add your first token' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Check all now' })).toBeNull();
  });

  it('explains itself and offers the first token when the vault is empty', async () => {
    const user = userEvent.setup();
    const { onadd } = setup(overview({ tokens: [] }));
    expect(screen.getByRole('heading', { level: 2, name: 'No tokens yet' })).toBeVisible();
    expect(screen.getByText(/checks that they still have the permissions they need/)).toBeVisible();
    expect(
      screen.getByText(
        /kept in your system keychain \(Secret Service \(GNOME Keyring \/ KWallet\)\)/,
      ),
    ).toBeVisible();
    expect(screen.queryByRole('button', { name: 'Check all now' })).toBeNull();
    expect(screen.queryByRole('list', { name: 'Tokens' })).toBeNull();

    await user.tab();
    expect(screen.getByRole('button', { name: 'Add your first token' })).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(onadd).toHaveBeenCalledOnce();
  });

  it('counts a single token in the singular', () => {
    setup(overview({ tokens: [ready] }));
    expect(screen.getByText('1 token, soonest expiry first')).toBeVisible();
  });
});
