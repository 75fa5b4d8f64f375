import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it, vi } from 'vitest';
import type { QoveryConnection } from '../bindings/QoveryConnection';
import type { QoveryGitToken } from '../bindings/QoveryGitToken';
import type { QoveryGitTokens } from '../bindings/QoveryGitTokens';
import type { QoveryServiceRef } from '../bindings/QoveryServiceRef';
import { tokenView } from '../test/tokens';
import { useConnections } from './connections.svelte';
import { addToQovery } from './add';
import QoveryAddChoice from './QoveryAddChoice.svelte';
import QoveryOrgTokens from './QoveryOrgTokens.svelte';
import QoveryPanel from './QoveryPanel.svelte';
import QoveryRotationNote from './QoveryRotationNote.svelte';
import QoveryServicesNote from './QoveryServicesNote.svelte';
import QoverySettings from './QoverySettings.svelte';
import QoveryUsage from './QoveryUsage.svelte';

const acme: QoveryConnection = {
  org_id: 'org-1',
  name: 'Acme',
  api_url: 'https://api.qovery.com',
};

function gitToken(overrides: Partial<QoveryGitToken> = {}): QoveryGitToken {
  return {
    id: 'gt-1',
    name: 'deploy-bot',
    description: null,
    provider: 'github',
    expires_at: '2027-01-31T00:00:00Z',
    git_api_url: null,
    workspace: null,
    services_count: 2,
    linked: null,
    ...overrides,
  };
}

const listing: QoveryGitTokens = {
  org: { id: 'org-1', name: 'Acme' },
  git_tokens: [
    gitToken(),
    gitToken({ id: 'gt-2', name: 'gitlab-mirror', provider: 'gitlab', expires_at: null }),
    gitToken({ id: 'gt-3', name: 'ci', linked: 'github-acme-ci', services_count: 1 }),
  ],
};

const services: QoveryServiceRef[] = [
  { project: 'shop', environment: 'production', service: 'api', type: 'APPLICATION' },
  { project: 'shop', environment: 'staging', service: 'worker', type: 'JOB' },
];

function refused(code: string, message: string) {
  return () => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- Tauri rejects an invoke with the command's serialized error, not an Error
    throw { code, message };
  };
}

function backend(answers: Record<string, (args: Record<string, unknown>) => unknown>) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    const answer = answers[cmd];
    if (!answer) throw new Error(`unexpected command ${cmd}`);
    return answer(a);
  });
  return calls;
}

describe('QoverySettings', () => {
  it('connects with the org id, the API token and no address, then lists the organization and empties the token field', async () => {
    const calls = backend({ qovery_connect: () => acme });
    const user = userEvent.setup();
    render(QoverySettings);
    expect(screen.getByText('No Qovery organization is connected.')).toBeVisible();
    await user.type(screen.getByLabelText('Organization id'), 'org-1');
    await user.type(screen.getByLabelText('API token'), 'qov_secret');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Connected to “Acme”.');
    expect(calls).toEqual([
      { cmd: 'qovery_connect', args: { org_id: 'org-1', api_token: 'qov_secret', api_url: null } },
    ]);
    expect(screen.getByLabelText('API token')).toHaveValue('');
    const list = screen.getByRole('list', { name: 'Connected Qovery organizations' });
    expect(within(list).getByText('Acme')).toBeVisible();
  });

  it("shows Qovery's refusal in its words and keeps nothing in the token field", async () => {
    backend({
      qovery_connect: refused(
        'qovery_refused',
        'Qovery refused the API token (HTTP 401): Invalid token',
      ),
    });
    const user = userEvent.setup();
    render(QoverySettings);
    await user.type(screen.getByLabelText('Organization id'), 'org-1');
    await user.type(screen.getByLabelText('API token'), 'qov_wrong');
    await user.type(screen.getByLabelText('API address (optional)'), 'https://qovery.example.com');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Not connected: Qovery refused the API token (HTTP 401): Invalid token',
    );
    expect(screen.getByLabelText('API token')).toHaveValue('');
  });

  it('asks for both fields before calling Rust', async () => {
    const calls = backend({});
    const user = userEvent.setup();
    render(QoverySettings);
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter the organization id');
    expect(calls).toEqual([]);
  });

  it('disconnects an organization', async () => {
    useConnections([acme]);
    const calls = backend({ qovery_disconnect: () => acme });
    const user = userEvent.setup();
    render(QoverySettings);
    await user.click(screen.getByRole('button', { name: 'Disconnect Acme' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'its API token was removed from the keychain',
    );
    expect(calls).toEqual([{ cmd: 'qovery_disconnect', args: { org_id: 'org-1' } }]);
    expect(screen.getByText('No Qovery organization is connected.')).toBeVisible();
  });
});

describe('QoveryOrgTokens', () => {
  it("lists the organization's git tokens, marking those only in Qovery and opening a linked one", async () => {
    useConnections([acme]);
    backend({ qovery_git_tokens: () => listing });
    const onopen = vi.fn();
    const user = userEvent.setup();
    render(QoveryOrgTokens, { onopen });
    const list = await screen.findByRole('list', { name: 'Git tokens in Acme' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('deploy-bot');
    expect(rows[0]).toHaveTextContent('Only in Qovery');
    expect(rows[0]).toHaveTextContent('Expires 2027-01-31');
    expect(rows[0]).toHaveTextContent('Used by 2 services');
    expect(rows[1]).toHaveTextContent('No expiry in Qovery');
    expect(rows[2]).toHaveTextContent('Used by 1 service');
    await user.click(within(list).getByRole('button', { name: 'Linked to “github-acme-ci”' }));
    expect(onopen).toHaveBeenCalledWith('github-acme-ci');
  });

  it("says when an organization's tokens cannot be listed", async () => {
    useConnections([acme]);
    backend({
      qovery_git_tokens: refused('qovery_unreachable', 'Qovery could not be reached: timed out.'),
    });
    render(QoveryOrgTokens, { onopen: vi.fn() });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Its git tokens could not be listed: Qovery could not be reached: timed out.',
    );
  });

  it('shows nothing when no organization is connected', () => {
    const calls = backend({});
    const { container } = render(QoveryOrgTokens, { onopen: vi.fn() });
    expect(container).toHaveTextContent('');
    expect(calls).toEqual([]);
  });
});

describe('QoveryUsage', () => {
  it('says how many Qovery services use a linked token, and nothing for others', () => {
    const linked = tokenView({
      qovery: { org_id: 'org-1', git_token_id: 'gt-3', services_count: 3 },
    });
    const { container, unmount } = render(QoveryUsage, { token: linked });
    expect(container).toHaveTextContent('Used by 3 services in Qovery');
    unmount();
    const { container: other } = render(QoveryUsage, { token: tokenView() });
    expect(other).toHaveTextContent('');
  });
});

describe('QoveryPanel', () => {
  const linked = tokenView({
    qovery: { org_id: 'org-1', git_token_id: 'gt-3', services_count: 1 },
  });

  it('offers only unlinked git tokens of the same provider, and links the chosen one', async () => {
    useConnections([acme]);
    const calls = backend({
      qovery_git_tokens: () => listing,
      qovery_link: () => ({ org_id: 'org-1', git_token_id: 'gt-1', services_count: 2 }),
    });
    const onchanged = vi.fn();
    const user = userEvent.setup();
    render(QoveryPanel, { token: tokenView(), onchanged });
    const select = await screen.findByLabelText('GitHub git tokens in Qovery');
    const options = within(select).getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual([
      'deploy-bot — Acme · Expires 2027-01-31 · 2 services',
    ]);
    await user.click(screen.getByRole('button', { name: 'Link' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Linked to “deploy-bot”');
    expect(calls.at(-1)).toEqual({
      cmd: 'qovery_link',
      args: { id: 'tok-ci', org_id: 'org-1', git_token_id: 'gt-1' },
    });
    expect(onchanged).toHaveBeenCalled();
  });

  it('creates a git token in the organization', async () => {
    useConnections([acme]);
    const calls = backend({
      qovery_git_tokens: () => ({ ...listing, git_tokens: [] }),
      qovery_push: () => ({ git_token_id: 'gt-9', created: true, org: listing.org }),
    });
    const user = userEvent.setup();
    render(QoveryPanel, { token: tokenView(), onchanged: vi.fn() });
    expect(await screen.findByText(/No unlinked GitHub git token/)).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Create it in Qovery' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Created Qovery git token gt-9');
    expect(calls.at(-1)).toEqual({
      cmd: 'qovery_push',
      args: { id: 'tok-ci', org_id: 'org-1', create: true, consent: false },
    });
  });

  it('says where to connect when no organization is', async () => {
    render(QoveryPanel, { token: tokenView(), onchanged: vi.fn() });
    expect(await screen.findByText(/Connect a Qovery organization in Settings/)).toBeVisible();
  });

  it('pushes a linked token, and asks before pushing a value that falls short', async () => {
    useConnections([acme]);
    let consentGiven = false;
    const calls = backend({
      qovery_push: (args) => {
        if (!args.consent)
          return refused(
            'not_ready',
            '“github-acme-ci” is not ready (expires in 2 days); nothing was sent to Qovery. Push it anyway?',
          )();
        consentGiven = true;
        return { git_token_id: 'gt-3', created: false, org: listing.org };
      },
    });
    const user = userEvent.setup();
    render(QoveryPanel, { token: linked, onchanged: vi.fn() });
    expect(await screen.findByText(/in “Acme”/)).toHaveTextContent(
      'Its value goes to Qovery git token gt-3 in “Acme”. Used by 1 service in Qovery.',
    );
    await user.click(screen.getByRole('button', { name: 'Push now' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('nothing was sent to Qovery');
    await user.click(screen.getByRole('button', { name: 'Push anyway' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Qovery git token gt-3 in “Acme” now has this token',
    );
    expect(consentGiven).toBe(true);
    expect(calls.map((c) => c.args.consent)).toEqual([false, true]);
  });

  it('never offers to push an unusable value anyway', async () => {
    useConnections([acme]);
    backend({
      qovery_push: refused(
        'invalid',
        '“github-acme-ci” is unusable (revoked); it is never sent to Qovery. Rotate it first.',
      ),
    });
    const user = userEvent.setup();
    render(QoveryPanel, { token: linked, onchanged: vi.fn() });
    await user.click(screen.getByRole('button', { name: 'Push now' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('never sent to Qovery');
    expect(screen.queryByRole('button', { name: 'Push anyway' })).toBeNull();
  });

  it("shows Qovery's refusal of the value in its words", async () => {
    useConnections([acme]);
    backend({
      qovery_push: refused(
        'qovery_refused',
        'Qovery refused the token value (HTTP 400): Git token is not valid. Nothing was changed in Tokenwarden.',
      ),
    });
    const user = userEvent.setup();
    render(QoveryPanel, { token: linked, onchanged: vi.fn() });
    await user.click(screen.getByRole('button', { name: 'Push now' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Git token is not valid');
  });

  it('lists the services on request, and unlinks', async () => {
    useConnections([acme]);
    const calls = backend({
      qovery_services_using: () => services,
      qovery_unlink: () => linked.qovery,
    });
    const user = userEvent.setup();
    render(QoveryPanel, { token: linked, onchanged: vi.fn() });
    await user.click(screen.getByRole('button', { name: 'Show services' }));
    const list = await screen.findByRole('list', { name: 'Qovery services using it' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['shop / production / api (APPLICATION)', 'shop / staging / worker (JOB)']);
    await user.click(screen.getByRole('button', { name: 'Unlink' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Qovery keeps the value it has');
    expect(calls.at(-1)).toEqual({ cmd: 'qovery_unlink', args: { id: 'tok-ci' } });
  });
});

describe('QoveryServicesNote', () => {
  it('names the services using a linked token before it is deleted', async () => {
    backend({ qovery_services_using: () => services });
    render(QoveryServicesNote, {
      token: tokenView({ qovery: { org_id: 'org-1', git_token_id: 'gt-3', services_count: 2 } }),
    });
    const list = await screen.findByRole('list', { name: 'Qovery services using it' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(screen.getByText('Qovery uses it in 2 services:')).toBeVisible();
  });

  it('says what it knows when Qovery cannot be asked', async () => {
    backend({
      qovery_services_using: refused('qovery_unreachable', 'Qovery could not be reached: down.'),
    });
    render(QoveryServicesNote, {
      token: tokenView({ qovery: { org_id: 'org-1', git_token_id: 'gt-3', services_count: 2 } }),
    });
    expect(await screen.findByText(/last seen used by 2 services/)).toHaveTextContent(
      'Qovery could not be reached: down.',
    );
  });

  it('asks nothing for a token that is not linked', () => {
    const calls = backend({});
    render(QoveryServicesNote, { token: tokenView() });
    expect(calls).toEqual([]);
  });
});

describe('QoveryRotationNote', () => {
  it('says Qovery has the new value, or why not in an alert', () => {
    const { unmount } = render(QoveryRotationNote, {
      rotation: { git_token_id: 'gt-3', pushed: true, message: 'Qovery has the new value.' },
    });
    expect(screen.getByRole('status')).toHaveTextContent(
      'Pushed to Qovery. Qovery has the new value.',
    );
    unmount();
    render(QoveryRotationNote, {
      rotation: {
        git_token_id: 'gt-3',
        pushed: false,
        message: 'Qovery could not be reached: down. The new value is stored; push it to Qovery…',
      },
    });
    expect(screen.getByRole('alert')).toHaveTextContent('Not pushed to Qovery.');
  });
});

describe('QoveryAddChoice', () => {
  it('offers to create a git token or replace an unlinked one of the same provider', async () => {
    useConnections([acme]);
    backend({ qovery_git_tokens: () => listing });
    render(QoveryAddChoice, { provider: 'github' });
    const select = await screen.findByLabelText('Also add it to Qovery');
    expect(
      within(select)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual([
      'No',
      'Create a new git token in “Acme”',
      'Replace the value of “deploy-bot” in “Acme” (Expires 2027-01-31, 2 services)',
    ]);
    expect(select).toHaveValue('none');
  });

  it('shows nothing when no organization is connected', () => {
    const calls = backend({});
    const { container } = render(QoveryAddChoice, { provider: 'github' });
    expect(container).toHaveTextContent('');
    expect(calls).toEqual([]);
  });
});

describe('addToQovery', () => {
  it('creates, or links then pushes to replace, or does nothing', async () => {
    const calls = backend({
      qovery_push: () => ({ git_token_id: 'gt-1', created: false, org: listing.org }),
      qovery_link: () => ({ org_id: 'org-1', git_token_id: 'gt-1', services_count: 2 }),
    });
    expect(await addToQovery('tok-prod', { kind: 'none' }, false)).toBeNull();
    expect(calls).toEqual([]);
    expect(await addToQovery('tok-prod', { kind: 'create', orgId: 'org-1' }, true)).toBeNull();
    expect(
      await addToQovery('tok-prod', { kind: 'replace', orgId: 'org-1', gitTokenId: 'gt-1' }, false),
    ).toBeNull();
    expect(calls).toEqual([
      {
        cmd: 'qovery_push',
        args: { id: 'tok-prod', org_id: 'org-1', create: true, consent: true },
      },
      { cmd: 'qovery_link', args: { id: 'tok-prod', org_id: 'org-1', git_token_id: 'gt-1' } },
      { cmd: 'qovery_push', args: { id: 'tok-prod', org_id: null, create: false, consent: false } },
    ]);
  });

  it("returns Qovery's refusal in its words", async () => {
    backend({
      qovery_push: refused(
        'qovery_refused',
        'Qovery refused the token value (HTTP 400): Git token is not valid.',
      ),
    });
    expect(await addToQovery('tok-prod', { kind: 'create', orgId: 'org-1' }, false)).toBe(
      'Qovery refused the token value (HTTP 400): Git token is not valid.',
    );
  });
});
