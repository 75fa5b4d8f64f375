// The wizard forgives: "I already have a token" skips creating one, "Check
// again" re-checks the value already pasted, an unreachable server is named
// with a way back to its address, a pasted web address becomes the path
// asked for, and Esc goes back.
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it, vi } from 'vitest';
import type { CheckReport } from '../bindings/CheckReport';
import type { Deployment } from '../bindings/Deployment';
import { catalogue } from '../test/catalogue';
import { nameProblem, newDraft, pathFromAddress, targetOf } from './draft';
import PasteStep from './PasteStep.svelte';
import SaveStep from './SaveStep.svelte';
import Wizard from './Wizard.svelte';

const [github, gitlab] = catalogue.deployments as [Deployment, Deployment];

function report(overrides: Partial<CheckReport> = {}): CheckReport {
  return {
    provider: 'github',
    kind: 'classic',
    api_url: 'https://api.github.com',
    authenticated: true,
    identity: { login: 'deploy-bot' },
    scopes: ['repo'],
    missing: ['read:org'],
    unverified: [],
    expires_at: '2027-03-01T10:00:00Z',
    expiry: 'provider',
    problems: [{ code: 'missing_permissions', message: 'The token lacks read:org.' }],
    ready: false,
    ...overrides,
  };
}

type Calls = { cmd: string; args: Record<string, unknown> }[];
function backend(answers: Record<string, (args: Record<string, unknown>) => unknown>): Calls {
  const calls: Calls = [];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    const answer = answers[cmd];
    if (!answer) throw new Error(`unexpected ${cmd}`);
    return answer(a);
  });
  return calls;
}

const unreachable = report({
  provider: 'gitlab',
  kind: 'project',
  api_url: 'https://gitlab.acme.test/api/v4',
  authenticated: false,
  identity: null,
  scopes: null,
  missing: [],
  expires_at: null,
  expiry: 'unknown',
  problems: [
    {
      code: 'unreachable',
      message: 'GitLab could not be reached (connection refused). Check the address.',
    },
  ],
});

describe('PasteStep, forgiving', () => {
  it('checks the held value again without asking for it, then takes a new paste', async () => {
    let answer = report();
    const calls = backend({
      check_new_token: () => ({ handle: 'h-1', report: answer }),
      recheck_new_token: () => ({ handle: 'h-1', report: answer }),
      discard_new_token: () => null,
    });
    const draft = newDraft(github, github.token_kinds[0] as Deployment['token_kinds'][number]);
    const onchecked = vi.fn();
    const { rerender } = render(PasteStep, { draft, onback: vi.fn(), onchecked });
    await userEvent.type(screen.getByLabelText('Token'), 'ghp_secretvalue');
    await userEvent.click(screen.getByRole('button', { name: 'Check token' }));
    await rerender({ checked: { handle: 'h-1', report: answer } });

    // The field is empty: the button checks what Rust holds.
    expect(screen.getByText(/holds it for 15 minutes/)).toHaveTextContent(
      'Changed its permissions on GitHub?',
    );
    answer = report({ missing: [], problems: [], ready: true });
    await userEvent.click(screen.getByRole('button', { name: 'Check again' }));
    expect(calls.map((c) => c.cmd)).toEqual(['check_new_token', 'recheck_new_token']);
    expect(calls[1]?.args).toEqual({ handle: 'h-1', target: targetOf(draft) });
    // The value crossed IPC once, in the first check only.
    expect(JSON.stringify(calls.slice(1))).not.toContain('ghp_secretvalue');
    expect(onchecked).toHaveBeenLastCalledWith('h-1', answer);

    // Typing another value turns it back into a check of that value.
    await userEvent.type(screen.getByLabelText('Token'), 'ghp_other');
    expect(screen.getByRole('button', { name: 'Check token' })).toBeVisible();
  });

  it('asks for the paste again once the held value is gone or bound elsewhere', async () => {
    backend({
      recheck_new_token: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- Tauri rejects an invoke with the command's serialized error
        throw {
          code: 'secret_expired',
          message:
            'The address changed since the token was checked at https://api.github.com/: paste it again.',
        };
      },
    });
    const onforget = vi.fn();
    render(PasteStep, {
      draft: newDraft(github, github.token_kinds[0] as Deployment['token_kinds'][number]),
      onback: vi.fn(),
      onchecked: vi.fn(),
      onforget,
      checked: { handle: 'h-1', report: report() },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Check again' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('paste it again');
    expect(onforget).toHaveBeenCalledOnce();
    expect(screen.getByLabelText('Token')).toHaveFocus();
  });

  it('names the server it tried when it could not reach it, and offers to edit the address', async () => {
    backend({});
    const oneditaddress = vi.fn();
    const draft = newDraft(gitlab, gitlab.token_kinds[0] as Deployment['token_kinds'][number]);
    render(PasteStep, {
      draft,
      onback: vi.fn(),
      onchecked: vi.fn(),
      oneditaddress,
      checked: { handle: 'h-1', report: unreachable },
    });
    expect(screen.getByRole('note')).toHaveTextContent('Tokenwarden tried gitlab.acme.test.');
    await userEvent.click(screen.getByRole('button', { name: 'Edit address' }));
    expect(oneditaddress).toHaveBeenCalledOnce();
  });

  it('names the provider, not the deployment, when asking for the kind', async () => {
    serveWizard();
    const user = userEvent.setup();
    render(Wizard);
    await user.click(await screen.findByRole('button', { name: /Self-managed GitLab/ }));
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(
      'Which kind of GitLab token?',
    );
  });

  it('names the provider, not the deployment', () => {
    backend({});
    render(PasteStep, {
      draft: newDraft(gitlab, gitlab.token_kinds[0] as Deployment['token_kinds'][number]),
      onback: vi.fn(),
      onchecked: vi.fn(),
    });
    expect(screen.getByText(/Tokenwarden checks it with GitLab right away/)).toBeVisible();
  });
});

function serveWizard(extra: Record<string, (args: Record<string, unknown>) => unknown> = {}) {
  return backend({
    provider_catalogue: () => catalogue,
    suggest_token_name: () => 'gitlab-acme-web-production',
    new_token_link: () => 'https://gitlab.acme.test/acme/web/-/settings/access_tokens',
    discard_new_token: () => null,
    ...extra,
  });
}

describe('Wizard, forgiving', () => {
  it('goes from "I already have a token" straight to the details, then the paste', async () => {
    serveWizard();
    const user = userEvent.setup();
    render(Wizard);
    await screen.findByRole('list', { name: 'Providers' });
    const have = screen.getByRole('button', { name: 'I already have a token' });
    await user.click(have);
    expect(have).toHaveAttribute('aria-pressed', 'true');
    await user.click(screen.getByRole('button', { name: /Self-managed GitLab/ }));

    const heading = screen.getByRole('heading', { level: 1 });
    expect(heading).toHaveTextContent('Your GitLab token');
    expect(heading).toHaveFocus();
    const progress = screen.getByRole('list', { name: 'Progress' });
    expect(within(progress).queryByText('Token kind')).toBeNull();
    expect(within(progress).getByText('Details')).toHaveAttribute('aria-current', 'step');
    // Nothing to create: no permissions checklist, no token page.
    expect(screen.queryByRole('heading', { name: 'Grant exactly these' })).toBeNull();
    expect(screen.queryByRole('button', { name: /token page/ })).toBeNull();

    await user.type(screen.getByLabelText(/Instance address/), 'https://gitlab.acme.test');
    // A web address pasted where the path is asked becomes the path.
    const path = screen.getByLabelText(/Project path/);
    await user.type(path, 'https://gitlab.acme.test/acme/web/-/settings/access_tokens');
    await user.tab();
    expect(path).toHaveValue('acme/web');

    await user.click(screen.getByRole('button', { name: /Continue to paste/ }));
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Paste the token');
    // Focus lands in the token field, ready for the paste.
    expect(screen.getByLabelText('Token')).toHaveFocus();
    await user.click(screen.getByRole('button', { name: /Details/ }));
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Your GitLab token');
  });

  it('lets go of a checked but unsaved value when the wizard goes away', async () => {
    const calls = serveWizard({
      check_new_token: () => ({ handle: 'h-held', report: report() }),
    });
    const user = userEvent.setup();
    const wizard = render(Wizard, { oncancel: vi.fn() });
    await user.click(await screen.findByRole('button', { name: 'I already have a token' }));
    await user.click(screen.getByRole('button', { name: /GitHub github\.com/ }));
    await user.click(screen.getByRole('button', { name: /Continue to paste/ }));
    await user.type(screen.getByLabelText('Token'), 'ghp_secretvalue');
    await user.click(screen.getByRole('button', { name: 'Check token' }));
    await screen.findByRole('button', { name: 'Check again' });
    expect(calls.filter((c) => c.cmd === 'discard_new_token')).toEqual([]);

    wizard.unmount();
    expect(calls.filter((c) => c.cmd === 'discard_new_token')).toEqual([
      { cmd: 'discard_new_token', args: { handle: 'h-held' } },
    ]);
  });

  it('goes back a step on Esc, and cancels from the first step', async () => {
    serveWizard();
    const oncancel = vi.fn();
    const user = userEvent.setup();
    render(Wizard, { oncancel });
    await user.click(await screen.findByRole('button', { name: /GitHub github\.com/ }));
    await user.click(
      within(screen.getByRole('list', { name: 'Token kinds' })).getAllByRole(
        'button',
      )[0] as HTMLElement,
    );
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(/^Create the/);
    await user.keyboard('{Escape}');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(
      'Which kind of GitHub token?',
    );
    await user.keyboard('{Escape}');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(
      'Where does the token come from?',
    );
    expect(oncancel).not.toHaveBeenCalled();
    await user.keyboard('{Escape}');
    expect(oncancel).toHaveBeenCalledOnce();
  });

  it('takes "Edit address" back to the server field', async () => {
    serveWizard({ check_new_token: () => ({ handle: 'h-9', report: unreachable }) });
    const user = userEvent.setup();
    render(Wizard);
    await screen.findByRole('list', { name: 'Providers' });
    await user.click(screen.getByRole('button', { name: 'I already have a token' }));
    await user.click(screen.getByRole('button', { name: /Self-managed GitLab/ }));
    await user.type(screen.getByLabelText(/Instance address/), 'https://gitlab.acme.test');
    await user.type(screen.getByLabelText(/Project path/), 'acme/web');
    await user.click(screen.getByRole('button', { name: /Continue to paste/ }));
    await user.type(screen.getByLabelText('Token'), 'glpat-x');
    await user.click(screen.getByRole('button', { name: 'Check token' }));
    await user.click(await screen.findByRole('button', { name: 'Edit address' }));
    expect(screen.getByLabelText(/Instance address/)).toHaveFocus();
  });
});

describe('pathFromAddress', () => {
  it('keeps the path a field asks for from a pasted web address', () => {
    const cases: [Parameters<typeof pathFromAddress>, string][] = [
      [['project', 'https://gitlab.com/acme/web', 'group/project'], 'acme/web'],
      [['project', 'https://gitlab.com/acme/sub/web/-/tree/main', 'group/project'], 'acme/sub/web'],
      [['project', 'https://gitlab.com/acme/web.git', 'group/project'], 'acme/web'],
      [['group', 'https://gitlab.com/groups/acme/platform', 'group'], 'acme/platform'],
      [['repo', 'https://github.com/acme/web/tree/main', 'acme/web'], 'acme/web'],
      [['repo', 'https://bitbucket.org/acme/web/src/main', 'web'], 'web'],
      [['org', 'https://github.com/acme', 'acme'], 'acme'],
      [['workspace', 'https://bitbucket.org/acme/web', 'acme'], 'acme'],
      [['project', 'acme/web', 'group/project'], 'acme/web'],
      [['project', 'https://gitlab.com/', 'group/project'], 'https://gitlab.com/'],
      [['repo', 'https://github.com/acme', 'acme/web'], 'https://github.com/acme'],
    ];
    for (const [args, expected] of cases) {
      expect(pathFromAddress(...args), args.join(' ')).toBe(expected);
    }
  });
});

describe('SaveStep, forgiving', () => {
  it('says the name rule beside the field as soon as it is broken, and saves nothing', async () => {
    const calls = backend({});
    const user = userEvent.setup();
    render(SaveStep, {
      draft: newDraft(github, github.token_kinds[0] as Deployment['token_kinds'][number]),
      checked: { handle: 'h', report: report({ missing: [], problems: [], ready: true }) },
      suggestedName: 'github-acme-production',
      onback: vi.fn(),
      onsaved: vi.fn(),
    });
    const field = screen.getByLabelText('Name');
    expect(field).not.toHaveAttribute('aria-invalid', 'true');
    await user.clear(field);
    await user.type(field, 'my prod token');
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(field).toHaveAccessibleDescription(
      'A name has only letters, digits, “-”, “_” and “.” (no spaces). Letters, digits, “-”, “_” and “.”, e.g. github-main-org-production.',
    );
    await user.click(screen.getByRole('button', { name: 'Save to the keychain' }));
    expect(calls).toEqual([]);
    expect(field).toHaveFocus();
  });

  it('words each rule of a name', () => {
    expect(nameProblem('github-acme.prod_2')).toBeNull();
    expect(nameProblem('  ')).toBe('Give it a name.');
    expect(nameProblem('-x')).toBe('A name starts with a letter or a digit.');
    expect(nameProblem('a;rm')).toMatch(/^A name has only letters/);
    expect(nameProblem('a'.repeat(65))).toBe('A name has at most 64 characters.');
  });
});
