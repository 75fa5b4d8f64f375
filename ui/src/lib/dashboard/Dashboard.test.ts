import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { RecheckResult } from '../bindings/RecheckResult';
import type { VaultOverview } from '../bindings/VaultOverview';
import {
  CommandFailure,
  deferred,
  expired,
  expiring,
  overview,
  ready,
  recheckResult,
  tokenView,
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
  return within(screen.getByRole('list', { name: 'Tokens' })).queryAllByRole('button');
}

describe('Dashboard', () => {
  it('lists broken tokens first, then what needs a fix, then by expiry', () => {
    setup();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Your tokens');
    expect(
      screen.getByText('8 tokens: broken first, then what needs a fix, then by expiry'),
    ).toBeVisible();
    // The vault lists them soonest expiry first; the dashboard triages.
    expect(rows().map((row) => row.dataset.token)).toEqual([
      'bitbucket-shop-staging',
      'github-old',
      'gitlab-gone',
      'github-acme-hooks',
      'github-ghe',
      'gitlab-platform-prod',
      'github-acme-ci',
      'github-never',
    ]);

    const first = rows()[0] as HTMLElement;
    expect(text(first)).toBe(
      'BB bitbucket-shop-staging (Bitbucket) ✕Expired Host api.bitbucket.org Identity — Expiry 2 days ago',
    );
    const ci = rows()[6] as HTMLElement;
    // What the token is for is said in the row, after its name.
    expect(text(ci)).toBe(
      'GH github-acme-ci (GitHub) , for: Deploys acme/api from CI ✓Ready Host api.github.com Identity acme-bot Expiry in 45 days',
    );
    // The monogram is decoration; the provider's name is read out instead.
    expect(first).toHaveAccessibleName(
      'bitbucket-shop-staging (Bitbucket) Expired Host api.bitbucket.org Identity — Expiry 2 days ago',
    );
  });

  it('says every status in words and its own symbol, never by colour alone', () => {
    setup();
    const statuses = rows().map((row) => text(row.querySelector('[data-status]') as HTMLElement));
    expect(statuses).toEqual([
      '✕Expired',
      '✕Invalid',
      '✕Secret missing',
      '◑Falls short',
      '?Check failed',
      '◷Expires soon',
      '✓Ready',
      '–Not checked',
    ]);
  });

  it('says days left in words, including never and unknown', () => {
    setup();
    const expiries = rows().map((row) => text(row.querySelector('.expires') as HTMLElement));
    expect(expiries).toEqual([
      'Expiry 2 days ago',
      'Expiry in 80 days',
      'Expiry expiry unknown',
      'Expiry in 12 days',
      'Expiry in 100 days',
      'Expiry in 3 days',
      'Expiry in 45 days',
      'Expiry never expires',
    ]);
  });

  it('sums up what needs attention, and each count filters the list', async () => {
    const user = userEvent.setup();
    setup();
    const summary = screen.getByLabelText(/What needs attention/);
    expect(text(summary)).toBe('3 broken · 2 need a fix · 1 expires within 14 days');

    await user.click(screen.getByRole('button', { name: '2 need a fix' }));
    expect(screen.getByRole('button', { name: '2 need a fix' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    expect(rows().map((row) => row.dataset.token)).toEqual(['github-acme-hooks', 'github-ghe']);
    expect(screen.getByText(/Showing 2 of 8/)).toBeVisible();

    await user.click(screen.getByRole('button', { name: '3 broken' }));
    expect(rows().map((row) => row.dataset.token)).toEqual([
      'bitbucket-shop-staging',
      'github-old',
      'gitlab-gone',
    ]);
    // Pressed again, the filter is lifted.
    await user.click(screen.getByRole('button', { name: '3 broken' }));
    expect(rows()).toHaveLength(8);
  });

  it('says so when nothing needs attention', () => {
    setup(overview({ tokens: [ready, unchecked] }));
    expect(screen.getByText('All 2 tokens work: nothing needs you now.')).toBeVisible();
    expect(screen.queryByLabelText(/What needs attention/)).toBeNull();
  });

  it('narrows the list to tokens whose name, host, identity or description match', async () => {
    const user = userEvent.setup();
    setup();
    const search = screen.getByRole('searchbox', { name: 'Search tokens' });
    await user.type(search, 'gitlab.example');
    expect(rows().map((row) => row.dataset.token)).toEqual(['gitlab-platform-prod']);
    await user.clear(search);
    await user.type(search, 'ACME-BOT');
    expect(rows().map((row) => row.dataset.token)).toEqual([
      'github-old',
      'gitlab-gone',
      'github-acme-hooks',
      'github-ghe',
      'github-acme-ci',
    ]);
    await user.clear(search);
    await user.type(search, 'production webhooks');
    expect(rows().map((row) => row.dataset.token)).toEqual(['gitlab-platform-prod']);
    await user.clear(search);
    await user.type(search, 'nothing like it');
    expect(rows()).toHaveLength(0);
    expect(screen.getByText('No token matches “nothing like it”.')).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Show all tokens' }));
    expect(rows()).toHaveLength(8);
    expect(search).toHaveValue('');
    expect(search).toHaveFocus();
  });

  it('focuses the search on Ctrl+F and on Cmd+F', async () => {
    const user = userEvent.setup();
    setup();
    const search = screen.getByRole('searchbox', { name: 'Search tokens' });
    await user.keyboard('{Control>}f{/Control}');
    expect(search).toHaveFocus();
    search.blur();
    await user.keyboard('{Meta>}f{/Meta}');
    expect(search).toHaveFocus();
  });

  it('draws the next 90 days of expiries, each mark a button to its token', async () => {
    const user = userEvent.setup();
    const { onopen } = setup();
    const marks = within(screen.getByRole('list', { name: 'Tokens by expiry' })).getAllByRole(
      'button',
    );
    // Expired, over 90 days or without an expiry: not on the timeline.
    expect(marks.map((m) => m.getAttribute('aria-label'))).toEqual([
      'gitlab-platform-prod: expires in 3 days (Expires soon)',
      'github-acme-hooks: expires in 12 days (Falls short)',
      'github-acme-ci: expires in 45 days (Ready)',
      'github-old: expires in 80 days (Invalid)',
    ]);
    expect(marks.map(text)).toEqual(['3d', '12d', '45d', '80d']);
    await user.click(marks[1] as HTMLElement);
    expect(onopen).toHaveBeenCalledExactlyOnceWith('github-acme-hooks');
  });

  it('says when nothing expires in the next 90 days', () => {
    setup(overview({ tokens: [unchecked] }));
    expect(screen.getByText('Nothing expires in the next 90 days.')).toBeVisible();
  });

  it('opens a token by click', async () => {
    const { onopen } = setup();
    await userEvent.click(screen.getByRole('button', { name: /^github-acme-ci / }));
    expect(onopen).toHaveBeenCalledExactlyOnceWith('github-acme-ci');
  });

  it('is usable by keyboard: actions, the summary, the search, the timeline, then each row', async () => {
    const user = userEvent.setup();
    const { onopen, onadd } = setup(overview({ tokens: [ready, expired] }));
    await user.tab();
    expect(screen.getByRole('button', { name: 'Check all now' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Add a token' })).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(onadd).toHaveBeenCalledOnce();
    await user.tab();
    expect(screen.getByRole('button', { name: '1 broken' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('searchbox', { name: 'Search tokens' })).toHaveFocus();
    await user.tab();
    expect(
      screen.getByRole('button', { name: /^github-acme-ci: expires in 45 days/ }),
    ).toHaveFocus();
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
    expect(calls).toEqual([{ cmd: 'recheck_tokens', args: { id: null } }]);
    expect(onchanged).not.toHaveBeenCalled();

    answer.resolve([
      recheckResult(expired, null, 'The keychain is locked.'),
      recheckResult(ready, null),
      recheckResult(unchecked, null),
    ]);
    expect(await screen.findByRole('button', { name: 'Check all now' })).toBeEnabled();
    expect(status).toHaveTextContent(
      'Checked 3 tokens: 1 could not be checked: open it to see why.',
    );
    expect(onchanged).toHaveBeenCalledOnce();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says what a check changed: which tokens stopped working, need a fix or work again', async () => {
    const brokenNow = { ...ready, status: 'invalid' as const };
    const fixed = { ...expired, status: 'ready' as const, days_left: 90n };
    serveCommands({
      recheck_tokens: () => [
        recheckResult(brokenNow, null, null, { before: 'ready', change: 'stopped_working' }),
        recheckResult(fixed, null, null, { before: 'expired', change: 'recovered' }),
        recheckResult(unchecked, null),
      ],
    });
    const user = userEvent.setup();
    setup(overview({ tokens: [expired, ready, unchecked] }));
    await user.click(screen.getByRole('button', { name: 'Check all now' }));
    expect(
      await screen.findByText('Checked 3 tokens: 1 stopped working; 1 works again.'),
    ).toBeVisible();
  });

  it('says nothing changed when a check changed nothing', async () => {
    serveCommands({ recheck_tokens: () => [recheckResult(ready, null)] });
    const user = userEvent.setup();
    setup(overview({ tokens: [ready] }));
    await user.click(screen.getByRole('button', { name: 'Check all now' }));
    expect(await screen.findByText('Checked 1 token: nothing changed.')).toBeVisible();
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
    expect(
      screen.getByText('1 token: broken first, then what needs a fix, then by expiry'),
    ).toBeVisible();
  });

  it('paints the first rows at once and lists every token right after', async () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      tokenView({ ...ready, id: `id-${i}`, name: `token-${String(i).padStart(2, '0')}` }),
    );
    setup(overview({ tokens: many }));
    // The first frame holds what a window shows, not all 60 rows.
    expect(rows().length).toBeLessThan(60);
    expect(rows().length).toBeGreaterThanOrEqual(10);
    expect(rows()[0]?.dataset.token).toBe('token-00');
    // Then every token, in order, without anything else happening.
    await vi.waitFor(() => {
      expect(rows()).toHaveLength(60);
    });
    expect(rows()[59]?.dataset.token).toBe('token-59');
  });
});
