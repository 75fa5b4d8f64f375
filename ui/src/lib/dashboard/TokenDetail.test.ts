import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { targetOf } from '../api';
import type { CheckedNewToken } from '../bindings/CheckedNewToken';
import type { RecheckResult } from '../bindings/RecheckResult';
import type { TokenView } from '../bindings/TokenView';
import {
  checkFailed,
  checkReport,
  CommandFailure,
  deferred,
  expired,
  expiring,
  fallsShort,
  invalid,
  ready,
  recheckResult,
  secretMissing,
  serveCommands,
  tokenView,
  unchecked,
} from '../test/tokens';
import TokenDetail from './TokenDetail.svelte';

const SECRET = 'ghp_n3wS3cretValue0000000000000000000000';

function setup(token: TokenView = ready) {
  const props = { token, onback: vi.fn(), onchanged: vi.fn(), onremoved: vi.fn() };
  render(TokenDetail, props);
  return props;
}

function fact(term: string): string {
  const dt = screen.getAllByRole('term').find((el) => el.textContent.trim() === term);
  if (!dt) throw new Error(`no ${term} in the details`);
  const dd = dt.nextElementSibling as HTMLElement;
  return dd.textContent.replace(/\s+/g, ' ').trim();
}

function button(name: string | RegExp): HTMLElement {
  return screen.getByRole('button', { name });
}

describe('TokenDetail: what it shows', () => {
  it('shows the token’s name, description, provider, place, identity and scopes', () => {
    setup();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('github-acme-ci');
    expect(screen.getByText('Deploys acme/api from CI')).toBeVisible();
    expect(fact('Provider')).toBe('GitHub · Classic personal access token');
    expect(fact('API address')).toBe('https://api.github.com');
    expect(fact('Organization')).toBe('acme');
    expect(fact('Repository')).toBe('api');
    expect(screen.queryByRole('term', { name: 'Project' })).toBeNull();
    expect(screen.getAllByRole('term').map((t) => t.textContent.trim())).not.toContain('Project');
    expect(fact('Identity')).toBe('acme-bot');
    expect(fact('Scopes')).toBe('repo, read:org');
    expect(fact('Status')).toBe('Ready. It has everything Tokenwarden checks for.');
    expect(fact('Secret')).toBe('Stored in the keychain.');
    expect(fact('Rotated')).toBe('Never');
  });

  it('shows the expiry date, the days left and where the date came from', () => {
    setup();
    expect(fact('Expiry')).toBe('2025-07-16 (in 45 days), as GitHub reports it');
  });

  it('marks a date the user entered, and a token that expired', () => {
    setup(expired);
    expect(fact('Expiry')).toBe('2025-05-30 (2 days ago), as you entered it');
    expect(fact('Status')).toBe('Expired. It no longer works: rotate it with a new value.');
    expect(fact('Identity')).toBe('Not reported');
    expect(fact('Workspace')).toBe('acme');
    expect(fact('Rotated')).toMatch(/^2025-03-01 \d\d:\d\d$/);
  });

  it('says when scopes are not reported and the token never expires or was never checked', () => {
    setup(unchecked);
    expect(fact('Scopes')).toBe('not reported');
    expect(fact('Expiry')).toBe('Never expires');
    expect(fact('Status')).toBe('Not checked. It has not been checked yet.');
    const lastCheck = screen.getByRole('region', { name: 'Last check' });
    expect(lastCheck).toHaveTextContent('Not checked yet.');
  });

  it('explains a secret deleted outside Tokenwarden and an unknown expiry', () => {
    setup(secretMissing);
    const explanation =
      'The secret was deleted from the keychain outside Tokenwarden: rotate it with a new value, or remove the token.';
    expect(fact('Secret')).toBe(explanation);
    const banner = screen.getByTestId('problem-banner');
    expect(banner).toHaveTextContent('Its secret is gone from the keychain');
    expect(banner).toHaveTextContent(
      'Fix: Rotate it with a new value from GitLab, or delete it here.',
    );
    expect(fact('Status')).toMatch(/^Secret missing\./);
    expect(fact('Expiry')).toBe(
      'Unknown: GitLab did not report it. Use Edit to enter the date its page showed.',
    );
  });

  it('shows the last check’s time, problems and missing requirements', () => {
    setup(fallsShort);
    const lastCheck = screen.getByRole('region', { name: 'Last check' });
    expect(lastCheck).toHaveTextContent(/Checked 2025-06-0[12] \d\d:\d\d\./);
    expect(within(lastCheck).getByRole('listitem')).toHaveTextContent(
      'The token lacks Webhooks (Read and write). Edit it on GitHub.',
    );
    expect(lastCheck).toHaveTextContent('Missing requirements: Webhooks');
    expect(lastCheck).toHaveTextContent('A read-only check cannot prove: Contents (write)');
  });

  it('says a clean last check found no problems', () => {
    setup();
    expect(screen.getByRole('region', { name: 'Last check' })).toHaveTextContent(
      /: no problems found\./,
    );
  });

  it('goes back', async () => {
    const { onback } = setup();
    await userEvent.click(button(/Back to all tokens/));
    expect(onback).toHaveBeenCalledOnce();
  });
});

describe('TokenDetail: re-check', () => {
  it('shows progress, disables the actions, then the new problems and tells the parent', async () => {
    const answer = deferred<RecheckResult[]>();
    const calls = serveCommands({ recheck_tokens: () => answer.promise });
    const user = userEvent.setup();
    const { onchanged } = setup(expiring);

    await user.click(button('Re-check'));
    expect(button('Checking…')).toBeDisabled();
    for (const name of ['Edit', 'Rotate', 'Delete']) expect(button(name)).toBeDisabled();
    expect(screen.getByRole('status')).toHaveTextContent('Checking with GitLab…');
    expect(calls).toEqual([{ cmd: 'recheck_tokens', args: { id: 'tok-gl' } }]);

    answer.resolve([
      recheckResult(
        expiring,
        checkReport({
          provider: 'gitlab',
          ready: false,
          missing: ['api'],
          problems: [{ code: 'missing_permissions', message: 'The token lacks the api scope.' }],
        }),
      ),
    ]);
    const result = await screen.findByTestId('recheck-result');
    expect(result).toHaveTextContent('Checked just now: the token is not ready.');
    expect(result).toHaveTextContent('The token lacks the api scope.');
    expect(result).toHaveTextContent('Missing requirements: api');
    expect(onchanged).toHaveBeenCalledOnce();
    expect(button('Re-check')).toBeEnabled();
    expect(button('Edit')).toBeEnabled();
  });

  it('says a clean check found nothing wrong', async () => {
    serveCommands({ recheck_tokens: () => [recheckResult(ready, checkReport())] });
    const user = userEvent.setup();
    setup();
    await user.click(button('Re-check'));
    expect(await screen.findByTestId('recheck-result')).toHaveTextContent(
      'Checked just now: no problems, the token is ready.',
    );
  });

  it('shows why a check could not run', async () => {
    serveCommands({
      recheck_tokens: () => [
        recheckResult(secretMissing, null, 'The secret is not in the keychain.'),
      ],
    });
    const user = userEvent.setup();
    const { onchanged } = setup(secretMissing);
    await user.click(button('Re-check'));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The check could not run: The secret is not in the keychain.',
    );
    expect(onchanged).toHaveBeenCalledOnce();
  });

  it('says in plain words when the command fails, and can be run by keyboard', async () => {
    serveCommands({
      recheck_tokens: () => {
        throw new CommandFailure('not_found', 'No token is named “github-acme-ci”.');
      },
    });
    const user = userEvent.setup();
    const { onchanged } = setup();
    button('Re-check').focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Tokenwarden could not check the token: No token is named “github-acme-ci”.',
    );
    expect(onchanged).not.toHaveBeenCalled();
    expect(button('Re-check')).toHaveFocus();
  });
});

describe('TokenDetail: edit', () => {
  it('edits name and description only, focusing the form and sending null for the rest', async () => {
    const calls = serveCommands({ edit_token: () => tokenView({ name: 'github-acme-deploy' }) });
    const user = userEvent.setup();
    const { onchanged } = setup();

    await user.click(button('Edit'));
    expect(button('Edit')).toHaveAttribute('aria-expanded', 'true');
    const form = screen.getByRole('form', { name: 'Edit details' });
    const name = within(form).getByLabelText('Name');
    expect(name).toHaveFocus();
    expect(name).toHaveValue('github-acme-ci');
    expect(within(form).getByLabelText('Description')).toHaveValue('Deploys acme/api from CI');
    // Bounded as the core bounds them.
    expect(name).toHaveAttribute('maxlength', '64');
    expect(within(form).getByLabelText('Description')).toHaveAttribute('maxlength', '1000');
    // A github.com token has no host to change, and GitHub reports its expiry.
    expect(within(form).queryByLabelText('Server address')).toBeNull();
    expect(within(form).queryByLabelText('Expiry date')).toBeNull();

    await user.clear(name);
    await user.type(name, 'github-acme-deploy');
    await user.click(within(form).getByRole('button', { name: 'Save' }));

    expect(calls).toEqual([
      {
        cmd: 'edit_token',
        args: {
          id: 'tok-ci',
          input: {
            new_name: 'github-acme-deploy',
            description: null,
            host: null,
            expires_at: null,
          },
        },
      },
    ]);
    expect(onchanged).toHaveBeenCalledOnce();
    expect(screen.queryByRole('form', { name: 'Edit details' })).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('Saved.');
    expect(button('Edit')).toHaveFocus();
  });

  it('offers the host when the token has one, and the expiry date when the user gave it', async () => {
    const calls = serveCommands({ edit_token: () => expired });
    const user = userEvent.setup();
    setup(tokenView({ ...expired, host: 'https://bitbucket.example.com' }));
    await user.click(button('Edit'));

    const host = screen.getByLabelText('Server address');
    expect(host).toHaveValue('https://bitbucket.example.com');
    const date = screen.getByLabelText('Expiry date');
    expect(date).toHaveAttribute('type', 'date');
    expect(date).toHaveValue('2025-05-30');
    expect(date).toHaveAccessibleDescription(
      'Bitbucket does not report when this token expires: enter the date its page showed.',
    );

    await user.clear(host);
    await user.type(host, 'https://git.example.org');
    await user.clear(date);
    await user.type(date, '2025-12-31');
    await user.keyboard('{Enter}');

    expect(calls).toEqual([
      {
        cmd: 'edit_token',
        args: {
          id: 'tok-bb',
          input: {
            new_name: null,
            description: null,
            host: 'https://git.example.org',
            expires_at: '2025-12-31',
          },
        },
      },
    ]);
  });

  it('offers the expiry date when nobody knows it', async () => {
    const user = userEvent.setup();
    setup(secretMissing);
    await user.click(button('Edit'));
    const date = screen.getByLabelText('Expiry date');
    expect(date).toHaveValue('');
    expect(date).toHaveAccessibleDescription(
      'GitLab did not report when this token expires: enter the date its page showed.',
    );
  });

  it('shows a refusal in plain words next to the form and keeps it open', async () => {
    serveCommands({
      edit_token: () => {
        throw new CommandFailure('name_taken', 'Another token is already named “github-old”.');
      },
    });
    const user = userEvent.setup();
    const { onchanged } = setup();
    await user.click(button('Edit'));
    const form = screen.getByRole('form', { name: 'Edit details' });
    await user.clear(within(form).getByLabelText('Description'));
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(within(form).getByRole('alert')).toHaveTextContent(
      'Not saved: Another token is already named “github-old”.',
    );
    expect(onchanged).not.toHaveBeenCalled();
  });

  it('refuses an empty name without calling Rust', async () => {
    const calls = serveCommands({});
    const user = userEvent.setup();
    setup();
    await user.click(button('Edit'));
    await user.clear(screen.getByLabelText('Name'));
    await user.click(button('Save'));
    expect(screen.getByRole('alert')).toHaveTextContent('Give the token a name.');
    expect(calls).toEqual([]);
  });

  it('shows progress while saving', async () => {
    const answer = deferred<TokenView>();
    serveCommands({ edit_token: () => answer.promise });
    const user = userEvent.setup();
    setup();
    await user.click(button('Edit'));
    await user.type(screen.getByLabelText('Description'), ' and staging');
    await user.click(button('Save'));
    expect(button('Saving…')).toBeDisabled();
    expect(button('Cancel')).toBeDisabled();
    answer.resolve(ready);
    expect(await screen.findByText('Saved.')).toBeVisible();
  });

  it('closes without a call when nothing changed, on Cancel and on Escape', async () => {
    const calls = serveCommands({});
    const user = userEvent.setup();
    setup();
    await user.click(button('Edit'));
    await user.click(button('Save'));
    expect(screen.queryByRole('form')).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('Nothing changed.');

    await user.click(button('Edit'));
    await user.click(button('Cancel'));
    expect(screen.queryByRole('form')).toBeNull();
    expect(button('Edit')).toHaveFocus();

    await user.keyboard('{Enter}');
    expect(screen.getByLabelText('Name')).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('form')).toBeNull();
    expect(button('Edit')).toHaveFocus();
    expect(calls).toEqual([]);
  });
});

describe('TokenDetail: rotate', () => {
  const handle = 'parked-7f3a';

  function serveRotation(
    overrides: Record<string, (args: Record<string, unknown>) => unknown> = {},
  ) {
    return serveCommands({
      open_new_token_page: () => null,
      check_new_token: (): CheckedNewToken => ({ handle, report: checkReport() }),
      rotate_token: () => ({
        rotated: true,
        token: ready,
        report: checkReport(),
        revoke_at: 'https://github.com/settings/tokens',
      }),
      discard_new_token: () => null,
      open_tokens_page: () => null,
      ...overrides,
    });
  }

  it('guides through creating, checking and replacing, then revoking the old value', async () => {
    const calls = serveRotation();
    const user = userEvent.setup();
    const { onchanged } = setup();

    await user.click(button('Rotate'));
    const panel = screen.getByRole('region', { name: 'Rotate this token' });
    expect(screen.getByRole('heading', { name: 'Rotate this token' })).toHaveFocus();
    expect(panel).toHaveTextContent('Create a new token with the same permissions');

    await user.click(within(panel).getByRole('button', { name: 'Open the provider’s page' }));
    expect(calls).toEqual([
      {
        cmd: 'open_new_token_page',
        args: {
          input: {
            target: targetOf(ready),
            name: 'github-acme-ci',
            description: 'Deploys acme/api from CI',
            expires_in_days: 90,
          },
        },
      },
    ]);

    const input = within(panel).getByLabelText('New token value');
    expect(input).toHaveAttribute('type', 'password');
    expect(input).toHaveAttribute('autocomplete', 'off');
    await user.type(input, SECRET);
    await user.click(within(panel).getByRole('button', { name: 'Check and replace' }));

    expect(await within(panel).findByText(/Now revoke the old token:/)).toHaveTextContent(
      'Replaced. Now revoke the old token:',
    );
    expect(calls.slice(1)).toEqual([
      { cmd: 'check_new_token', args: { target: targetOf(ready), token: SECRET } },
      { cmd: 'rotate_token', args: { id: 'tok-ci', handle } },
    ]);
    // The value went to Rust once; the rotation names it by handle only.
    expect(JSON.stringify(calls[2])).not.toContain(SECRET);
    expect(document.body.textContent).not.toContain(SECRET);
    expect(onchanged).toHaveBeenCalledOnce();

    await user.click(within(panel).getByRole('button', { name: 'Open the page to revoke it' }));
    expect(calls.at(-1)).toEqual({ cmd: 'open_tokens_page', args: { id: 'tok-ci' } });
    expect(calls.map((c) => c.cmd)).not.toContain('discard_new_token');

    await user.click(within(panel).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('region', { name: 'Rotate this token' })).toBeNull();
    expect(button('Rotate')).toHaveFocus();
  });

  it('offers self-rotation only where the token view does', async () => {
    serveRotation();
    const user = userEvent.setup();
    setup();
    await user.click(button('Rotate'));
    expect(screen.queryByTestId('self-rotate')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Rotate it now' })).toBeNull();
  });

  it('shows the expiry it will send before the provider rotates the token itself', async () => {
    const selfRotating = tokenView({
      name: 'gitlab-acme-web',
      provider: 'gitlab',
      kind: 'project',
      self_rotation_expires_at: '2025-09-14',
    });
    const answer = deferred<unknown>();
    const calls = serveRotation({ self_rotate_token: () => answer.promise });
    const user = userEvent.setup();
    const { onchanged } = setup(selfRotating);
    await user.click(button('Rotate'));
    const offer = screen.getByTestId('self-rotate');
    expect(offer).toHaveTextContent('It will expire on 2025-09-14, keeping this token’s lifetime.');
    const date = within(offer).getByLabelText('New token’s expiry date');
    expect(date).toHaveValue('2025-09-14');
    expect(calls).toEqual([]);

    await user.click(within(offer).getByRole('button', { name: 'Rotate it now' }));
    expect(button('Rotating…')).toBeDisabled();
    expect(button('Cancel')).toBeDisabled();
    answer.resolve({ rotated: true, token: selfRotating, report: checkReport(), revoke_at: null });
    expect(await screen.findByText(/has already revoked the old value/)).toBeVisible();
    expect(calls).toEqual([
      { cmd: 'self_rotate_token', args: { id: 'tok-ci', expires_at: '2025-09-14' } },
    ]);
    expect(onchanged).toHaveBeenCalledOnce();
  });

  it('sends the date the user chose instead, and shows a refusal in plain words', async () => {
    const selfRotating = tokenView({
      name: 'gitlab-acme-web',
      provider: 'gitlab',
      kind: 'personal',
      self_rotation_expires_at: '2025-09-14',
    });
    const calls = serveRotation({
      self_rotate_token: () => {
        throw new CommandFailure('invalid', 'GitLab says this is not a personal access token.');
      },
    });
    const user = userEvent.setup();
    const { onchanged } = setup(selfRotating);
    await user.click(button('Rotate'));
    const offer = screen.getByTestId('self-rotate');
    const date = within(offer).getByLabelText('New token’s expiry date');
    await user.clear(date);
    await user.type(date, '2025-12-01');
    expect(offer).toHaveTextContent('It will expire on 2025-12-01.');
    await user.click(within(offer).getByRole('button', { name: 'Rotate it now' }));
    expect(await within(offer).findByRole('alert')).toHaveTextContent(
      'GitLab says this is not a personal access token.',
    );
    expect(calls).toEqual([
      { cmd: 'self_rotate_token', args: { id: 'tok-ci', expires_at: '2025-12-01' } },
    ]);
    expect(onchanged).not.toHaveBeenCalled();
  });

  it('shows progress while checking and clears the field at once', async () => {
    const answer = deferred<CheckedNewToken>();
    serveRotation({ check_new_token: () => answer.promise });
    const user = userEvent.setup();
    setup();
    await user.click(button('Rotate'));
    const input = screen.getByLabelText('New token value');
    await user.type(input, `${SECRET}{Enter}`);

    expect(input).toHaveValue('');
    expect(button('Checking…')).toBeDisabled();
    expect(button('Cancel')).toBeDisabled();
    expect(button('Delete')).toBeDisabled();
    answer.resolve({ handle, report: checkReport() });
    expect(await screen.findByText(/Replaced\./)).toBeVisible();
  });

  it('does not replace with a value that is not ready: shows why and lets go of it', async () => {
    const calls = serveRotation({
      check_new_token: (): CheckedNewToken => ({
        handle,
        report: checkReport({
          ready: false,
          missing: ['read:org'],
          problems: [{ code: 'missing_permissions', message: 'The token lacks read:org.' }],
        }),
      }),
    });
    const user = userEvent.setup();
    const { onchanged } = setup();
    await user.click(button('Rotate'));
    const input = screen.getByLabelText('New token value');
    await user.type(input, SECRET);
    await user.click(button('Check and replace'));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This value was not used: it is not ready');
    expect(alert).toHaveTextContent('The token lacks read:org.');
    expect(alert).toHaveTextContent('Missing requirements: read:org');
    expect(input).toHaveValue('');
    expect(calls.map((c) => c.cmd)).toEqual(['check_new_token', 'discard_new_token']);
    expect(calls[1]).toEqual({ cmd: 'discard_new_token', args: { handle } });
    expect(onchanged).not.toHaveBeenCalled();
  });

  it('withholds the revoke link while a destination still lacks the new value', async () => {
    const calls = serveRotation({
      rotate_token: () => ({
        rotated: true,
        token: ready,
        report: checkReport(),
        revoke_at: null,
        unfinished:
          'The new value of “github-acme-ci” is stored, but Qovery organization Acme does not have it yet: do not revoke the old token.',
      }),
    });
    const user = userEvent.setup();
    setup();
    await user.click(button('Rotate'));
    const panel = screen.getByRole('region', { name: 'Rotate this token' });
    await user.type(within(panel).getByLabelText('New token value'), SECRET);
    await user.click(within(panel).getByRole('button', { name: 'Check and replace' }));

    const alert = await within(panel).findByRole('alert');
    expect(alert).toHaveTextContent(
      'Replaced, but not everywhere yet. The new value of “github-acme-ci” is stored, but Qovery organization Acme does not have it yet: do not revoke the old token.',
    );
    expect(within(panel).queryByRole('button', { name: 'Open the page to revoke it' })).toBeNull();
    expect(panel).not.toHaveTextContent('has already revoked');
    expect(calls.map((c) => c.cmd)).toContain('rotate_token');
  });

  it('lets go of the value when the vault refuses the rotation', async () => {
    const calls = serveRotation({
      rotate_token: () => ({
        rotated: false,
        token: null,
        report: checkReport({
          ready: false,
          problems: [{ code: 'invalid_token', message: 'GitHub does not accept this token.' }],
        }),
        revoke_at: null,
      }),
    });
    const user = userEvent.setup();
    const { onchanged } = setup();
    await user.click(button('Rotate'));
    await user.type(screen.getByLabelText('New token value'), `${SECRET}{Enter}`);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'GitHub does not accept this token.',
    );
    expect(calls.map((c) => c.cmd)).toEqual([
      'check_new_token',
      'rotate_token',
      'discard_new_token',
    ]);
    expect(onchanged).not.toHaveBeenCalled();
  });

  it('says in plain words when the check fails, with the field emptied', async () => {
    const calls = serveRotation({
      check_new_token: () => {
        throw new CommandFailure('insecure_url', 'Tokenwarden only sends tokens over https.');
      },
    });
    const user = userEvent.setup();
    setup();
    await user.click(button('Rotate'));
    const input = screen.getByLabelText('New token value');
    await user.type(input, `${SECRET}{Enter}`);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Tokenwarden only sends tokens over https.',
    );
    expect(input).toHaveValue('');
    expect(calls.map((c) => c.cmd)).toEqual(['check_new_token']);
  });

  it('lets go of a checked value when replacing fails', async () => {
    const calls = serveRotation({
      rotate_token: () => {
        throw new CommandFailure('keychain_locked', 'The keychain is locked.');
      },
    });
    const user = userEvent.setup();
    setup();
    await user.click(button('Rotate'));
    await user.type(screen.getByLabelText('New token value'), `${SECRET}{Enter}`);
    expect(await screen.findByRole('alert')).toHaveTextContent('The keychain is locked.');
    expect(calls.at(-1)).toEqual({ cmd: 'discard_new_token', args: { handle } });
  });

  it('asks for a value before checking anything', async () => {
    const calls = serveRotation();
    const user = userEvent.setup();
    setup();
    await user.click(button('Rotate'));
    await user.click(button('Check and replace'));
    expect(screen.getByRole('alert')).toHaveTextContent('Paste the new token’s value first.');
    expect(calls).toEqual([]);
  });

  it('says when the provider page cannot be opened', async () => {
    serveRotation({
      open_new_token_page: () => {
        throw new CommandFailure('cannot_open', 'The browser could not be opened.');
      },
    });
    const user = userEvent.setup();
    setup();
    await user.click(button('Rotate'));
    await user.click(button('Open the provider’s page'));
    expect(await screen.findByRole('alert')).toHaveTextContent('The browser could not be opened.');
  });

  it('sends no description when the token has none, and reminds to enter a typed expiry', async () => {
    const calls = serveRotation({
      rotate_token: () => ({
        rotated: true,
        token: expired,
        report: checkReport(),
        revoke_at: null,
      }),
    });
    const user = userEvent.setup();
    setup(expired);
    await user.click(button('Rotate'));
    await user.click(button('Open the provider’s page'));
    expect(calls[0]?.args).toMatchObject({ input: { description: null, name: expired.name } });
    await user.type(screen.getByLabelText('New token value'), `${SECRET}{Enter}`);
    const panel = screen.getByRole('region', { name: 'Rotate this token' });
    await within(panel).findByText(/has already revoked the old value/);
    expect(panel).toHaveTextContent('Replaced. Bitbucket has already revoked the old value.');
    expect(screen.queryByRole('button', { name: 'Open the page to revoke it' })).toBeNull();
    expect(panel).toHaveTextContent(
      'Tokenwarden cannot read this token’s expiry from Bitbucket: use Edit to enter the new token’s date.',
    );
  });

  it('forgets a typed value when the panel is cancelled', async () => {
    serveRotation();
    const user = userEvent.setup();
    setup();
    await user.click(button('Rotate'));
    await user.type(screen.getByLabelText('New token value'), SECRET);
    await user.click(button('Cancel'));
    expect(button('Rotate')).toHaveFocus();
    await user.click(button('Rotate'));
    expect(screen.getByLabelText('New token value')).toHaveValue('');
  });
});

describe('TokenDetail: delete', () => {
  it('asks first, in an alert dialog that takes focus and explains what stays', async () => {
    const user = userEvent.setup();
    setup();
    await user.click(button('Delete'));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete “github-acme-ci”?' });
    expect(dialog).toHaveTextContent('removes its secret from the keychain');
    expect(dialog).toHaveTextContent('keeps working until you revoke it on GitHub');
    expect(dialog).toContainElement(document.activeElement as HTMLElement);
  });

  it('cancels on Escape and gives focus back to Delete', async () => {
    const calls = serveCommands({});
    const user = userEvent.setup();
    const { onremoved } = setup();
    button('Delete').focus();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('alertdialog')).toBeVisible();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(button('Delete')).toHaveFocus();
    expect(calls).toEqual([]);
    expect(onremoved).not.toHaveBeenCalled();
  });

  it('removes the token once confirmed, by keyboard', async () => {
    const answer = deferred<null>();
    const calls = serveCommands({ remove_token: () => answer.promise });
    const user = userEvent.setup();
    const { onremoved } = setup();
    await user.click(button('Delete'));
    await user.tab({ shift: true }); // from Cancel to the confirming button
    expect(button('Delete from Tokenwarden')).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(button('Deleting…')).toBeDisabled();
    expect(calls).toEqual([{ cmd: 'remove_token', args: { id: 'tok-ci' } }]);
    answer.resolve(null);
    await vi.waitFor(() => {
      expect(onremoved).toHaveBeenCalledOnce();
    });
  });

  it('says in plain words when removing fails, and keeps the token', async () => {
    serveCommands({
      remove_token: () => {
        throw new CommandFailure(
          'keychain_locked',
          'The keychain is locked. Unlock it and try again.',
        );
      },
    });
    const user = userEvent.setup();
    const { onremoved } = setup();
    await user.click(button('Delete'));
    await user.click(button('Delete from Tokenwarden'));
    const dialog = screen.getByRole('alertdialog');
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Not deleted: The keychain is locked. Unlock it and try again.',
    );
    expect(onremoved).not.toHaveBeenCalled();
    expect(button('Delete from Tokenwarden')).toBeEnabled();
  });
});

describe('TokenDetail: leads with the problem', () => {
  function banner(): HTMLElement {
    return screen.getByTestId('problem-banner');
  }

  it('shows no banner when nothing is wrong', () => {
    setup(ready);
    expect(screen.queryByTestId('problem-banner')).toBeNull();
  });

  it('says a revoked token is no longer accepted, in the provider’s words, with the fix and its buttons', async () => {
    const calls = serveCommands({ open_tokens_page: () => null });
    const user = userEvent.setup();
    setup(invalid);
    expect(within(banner()).getByRole('heading', { level: 2 })).toHaveTextContent(
      'GitHub no longer accepts it',
    );
    expect(banner()).toHaveTextContent('GitHub does not accept this token.');
    expect(banner()).toHaveTextContent(
      "Fix: It was revoked, expired early or replaced: create a new one on GitHub's token page, then rotate it in here.",
    );
    // The banner comes first on the page, before the actions and the facts.
    const heading = screen.getByRole('heading', { level: 1 });
    expect(
      heading.compareDocumentPosition(banner()) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(
      banner().compareDocumentPosition(screen.getByRole('group', { name: 'Actions' })) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();

    await user.click(within(banner()).getByRole('button', { name: "Open GitHub's token page" }));
    expect(calls).toEqual([{ cmd: 'open_tokens_page', args: { id: 'tok-inv' } }]);
    await user.click(within(banner()).getByRole('button', { name: 'Rotate now' }));
    expect(button('Rotate')).toHaveAttribute('aria-expanded', 'true');
  });

  it('says in one sentence when no browser could open the page, with the address to copy', async () => {
    serveCommands({
      open_tokens_page: () => {
        throw new CommandFailure(
          'cannot_open',
          'No browser could be opened on this computer; copy this address into one: https://github.com/settings/tokens',
        );
      },
    });
    const user = userEvent.setup();
    setup(invalid);
    await user.click(within(banner()).getByRole('button', { name: "Open GitHub's token page" }));
    const alert = await within(banner()).findByRole('alert');
    expect(alert).toHaveTextContent(
      'No browser could be opened on this computer; copy this address into one: https://github.com/settings/tokens',
    );
    expect(within(alert).getByRole('textbox', { name: 'Address to open' })).toHaveValue(
      'https://github.com/settings/tokens',
    );
    expect(within(alert).getByRole('button', { name: 'Copy' })).toBeVisible();
  });

  it('names what a token that falls short lacks', () => {
    setup(fallsShort);
    expect(within(banner()).getByRole('heading', { level: 2 })).toHaveTextContent(
      'It falls short: it lacks Webhooks',
    );
    expect(banner()).toHaveTextContent(
      "Fix: Grant Webhooks on GitHub's token page, then re-check it.",
    );
    expect(within(banner()).getByRole('button', { name: 'Re-check now' })).toBeVisible();
  });

  it('offers to edit the address of a server that did not answer', async () => {
    const user = userEvent.setup();
    setup(checkFailed);
    expect(within(banner()).getByRole('heading', { level: 2 })).toHaveTextContent(
      'It could not be checked: ghe.example.com did not answer',
    );
    await user.click(within(banner()).getByRole('button', { name: 'Edit address' }));
    expect(button('Edit')).toHaveAttribute('aria-expanded', 'true');
  });

  it('says when an expiring token expires and offers to rotate it', () => {
    setup(expiring);
    expect(within(banner()).getByRole('heading', { level: 2 })).toHaveTextContent(
      'It expires in 3 days',
    );
    expect(within(banner()).getByRole('button', { name: 'Rotate now' })).toBeVisible();
  });

  it('opens the fix addresses of a check’s advice through Rust, as links', async () => {
    const calls = serveCommands({ open_fix_address: () => null });
    const user = userEvent.setup();
    setup(
      tokenView({
        ...fallsShort,
        last_check: {
          verdict: 'falls_short',
          ready: false,
          missing: ['read:org'],
          unverified: [],
          problems: [
            {
              code: 'missing_permissions',
              message: 'The token lacks read:org. Edit it at https://github.com/settings/tokens.',
            },
          ],
        },
      }),
    );
    const lastCheck = screen.getByRole('region', { name: 'Last check' });
    await user.click(
      within(lastCheck).getByRole('link', { name: 'https://github.com/settings/tokens' }),
    );
    expect(calls).toEqual([
      {
        cmd: 'open_fix_address',
        args: { id: 'tok-fg', url: 'https://github.com/settings/tokens' },
      },
    ]);
  });

  it('clears a re-check’s outcome once another action starts', async () => {
    serveCommands({
      recheck_tokens: (): RecheckResult[] => [
        recheckResult(
          invalid,
          checkReport({
            ready: false,
            problems: [{ code: 'invalid_token', message: 'GitHub rejected the token.' }],
          }),
        ),
      ],
    });
    const user = userEvent.setup();
    setup(invalid);
    await user.click(button('Re-check'));
    expect(await screen.findByTestId('recheck-result')).toHaveTextContent(
      'GitHub rejected the token.',
    );
    await user.click(button('Rotate'));
    expect(screen.queryByTestId('recheck-result')).toBeNull();
  });
});
