// The wizard's last step with a Qovery organization connected: "also add
// it to Qovery" runs once the token is saved, and a refusal is said before
// moving on (the token stays saved).
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it, vi } from 'vitest';
import type { CheckReport } from '../bindings/CheckReport';
import type { Deployment } from '../bindings/Deployment';
import { catalogue } from '../test/catalogue';
import { tokenView } from '../test/tokens';
import { newDraft } from '../wizard/draft';
import SaveStep from '../wizard/SaveStep.svelte';
import { useConnections } from './connections.svelte';

const github = catalogue.deployments[0] as Deployment;
const classic = github.token_kinds[0];

const report: CheckReport = {
  provider: 'github',
  kind: 'classic',
  api_url: 'https://api.github.com',
  authenticated: true,
  identity: { login: 'deploy-bot' },
  scopes: ['repo', 'read:org'],
  missing: [],
  unverified: [],
  expires_at: '2027-03-01T10:00:00Z',
  expiry: 'provider',
  problems: [],
  ready: true,
};

function backend(pushAnswer: () => unknown) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
    if (cmd === 'qovery_git_tokens') return { org: { id: 'org-1', name: 'Acme' }, git_tokens: [] };
    if (cmd === 'save_new_token')
      return {
        stored: true,
        token: tokenView({ id: 'tok-new', name: 'github-acme-production' }),
        report,
      };
    if (cmd === 'qovery_push') return pushAnswer();
    throw new Error(`unexpected ${cmd}`);
  });
  return calls;
}

function renderStep(onsaved: () => void) {
  if (!classic) throw new Error('the catalogue fixture has a classic kind');
  useConnections([{ org_id: 'org-1', name: 'Acme', api_url: 'https://api.qovery.com' }]);
  render(SaveStep, {
    draft: newDraft(github, classic),
    checked: { handle: 'h-1', report },
    suggestedName: 'github-acme-production',
    onback: vi.fn(),
    onsaved,
  });
}

describe('SaveStep with Qovery', () => {
  it('saves, then creates the git token in Qovery, then moves on', async () => {
    const calls = backend(() => ({
      git_token_id: 'gt-9',
      created: true,
      org: { id: 'org-1', name: 'Acme' },
    }));
    const onsaved = vi.fn();
    const user = userEvent.setup();
    renderStep(onsaved);
    await user.selectOptions(
      await screen.findByLabelText('Also add it to Qovery'),
      'Create a new git token in “Acme”',
    );
    await user.click(screen.getByRole('button', { name: 'Save to the keychain' }));
    await vi.waitFor(() => {
      expect(onsaved).toHaveBeenCalledOnce();
    });
    expect(calls.map((c) => c.cmd)).toEqual(['qovery_git_tokens', 'save_new_token', 'qovery_push']);
    expect(calls[2]?.args).toEqual({
      id: 'tok-new',
      org_id: 'org-1',
      create: true,
      consent: false,
    });
  });

  it("says Qovery's refusal, keeps the token saved, and moves on only when asked", async () => {
    backend(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- Tauri rejects an invoke with the command's serialized error, not an Error
      throw {
        code: 'qovery_refused',
        message: 'Qovery refused the token value (HTTP 400): Git token is not valid.',
      };
    });
    const onsaved = vi.fn();
    const user = userEvent.setup();
    renderStep(onsaved);
    await user.selectOptions(
      await screen.findByLabelText('Also add it to Qovery'),
      'Create a new git token in “Acme”',
    );
    await user.click(screen.getByRole('button', { name: 'Save to the keychain' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Saved to the keychain, but not added to Qovery: Qovery refused the token value (HTTP 400): Git token is not valid.',
    );
    expect(onsaved).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Save to the keychain' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    expect(onsaved).toHaveBeenCalledOnce();
  });
});
