import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it, vi } from 'vitest';
import type { CheckReport } from '../bindings/CheckReport';
import type { Deployment } from '../bindings/Deployment';
import { catalogue } from '../test/catalogue';
import { reactive } from '../test/reactive.svelte';
import CheckResult from './CheckResult.svelte';
import { newDraft, targetOf } from './draft';
import PasteStep from './PasteStep.svelte';
import SaveStep from './SaveStep.svelte';
import TargetStep from './TargetStep.svelte';

function must<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('fixture is missing a value');
  return value;
}

const [github, gitlab] = catalogue.deployments as [Deployment, Deployment];
const classic = must(github.token_kinds[0]);
const project = must(gitlab.token_kinds[0]);

function report(overrides: Partial<CheckReport> = {}): CheckReport {
  return {
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

describe('TargetStep', () => {
  it('asks for the required address of a self-hosted server before moving on', async () => {
    backend({
      suggest_token_name: () => 'gitlab-acme-web-production',
      new_token_link: () => 'https://git.example.com/acme/web/-/settings/access_tokens?name=x',
    });
    const onnext = vi.fn();
    const draft = reactive(newDraft(gitlab, project));
    render(TargetStep, { draft, onback: vi.fn(), onnext });
    await userEvent.click(screen.getByRole('button', { name: /I have the token/ }));
    expect(onnext).not.toHaveBeenCalled();
    expect(screen.getByRole('alert')).toHaveTextContent('Fill in the required fields first');
    expect(screen.getByLabelText(/Instance address/)).toHaveAttribute('aria-invalid', 'true');

    await userEvent.type(screen.getByLabelText(/Instance address/), 'git.example.com');
    await userEvent.type(screen.getByLabelText(/Project path/), 'acme/web');
    await userEvent.click(screen.getByRole('button', { name: /I have the token/ }));
    expect(onnext).toHaveBeenCalledWith('gitlab-acme-web-production');
  });

  it('takes a private CA file from the native picker and sends it with the check, not the link', async () => {
    const calls = backend({
      suggest_token_name: () => 'gitlab-acme-web-production',
      new_token_link: () => 'https://git.example.com/acme/web/-/settings/access_tokens?name=x',
      choose_ca_file: () => ({ path: '/etc/ssl/certs/acme-ca.pem', name: 'acme-ca.pem' }),
    });
    const draft = reactive(newDraft(gitlab, project));
    render(TargetStep, { draft, onback: vi.fn(), onnext: vi.fn() });
    // No text field for a path: the webview cannot name a file itself.
    expect(document.querySelector('input[name="ca_file"]')).toBeNull();
    const choose = screen.getByRole('button', { name: 'Choose file…' });
    expect(choose).toHaveAccessibleDescription(/never skips the certificate check/);
    await userEvent.type(screen.getByLabelText(/Instance address/), 'git.example.com');
    await userEvent.type(screen.getByLabelText(/Project path/), 'acme/web');
    await userEvent.click(choose);
    expect(await screen.findByTestId('ca-file-name')).toHaveTextContent('acme-ca.pem');
    expect(calls.filter((c) => c.cmd === 'choose_ca_file')).toHaveLength(1);
    expect(targetOf(draft).ca_file).toBe('/etc/ssl/certs/acme-ca.pem');
    await screen.findByTestId('new-token-link');
    const links = calls.filter((c) => c.cmd === 'new_token_link');
    expect(links.length).toBeGreaterThan(0);
    for (const link of links)
      expect(link.args).toMatchObject({ input: { target: { ca_file: null } } });
    await userEvent.click(screen.getByRole('button', { name: 'Remove' }));
    expect(screen.queryByTestId('ca-file-name')).toBeNull();
    expect(targetOf(draft).ca_file).toBeNull();
    expect(screen.getByRole('button', { name: 'Choose file…' })).toBeInTheDocument();
  });

  it('keeps the CA file as it was when the picker is closed without a choice', async () => {
    backend({
      suggest_token_name: () => 'gitlab-acme-web-production',
      new_token_link: () => 'https://git.example.com/acme/web/-/settings/access_tokens',
      choose_ca_file: () => null,
    });
    const draft = reactive(newDraft(gitlab, project));
    render(TargetStep, { draft, onback: vi.fn(), onnext: vi.fn() });
    await userEvent.click(screen.getByRole('button', { name: 'Choose file…' }));
    expect(screen.queryByTestId('ca-file-name')).toBeNull();
    expect(targetOf(draft).ca_file).toBeNull();
  });

  it('bounds the typed fields to what the core accepts', () => {
    backend({
      suggest_token_name: () => 'gitlab-acme-web-production',
      new_token_link: () => 'https://git.example.com/acme/web/-/settings/access_tokens',
    });
    render(TargetStep, {
      draft: reactive(newDraft(gitlab, project)),
      onback: vi.fn(),
      onnext: vi.fn(),
    });
    expect(screen.getByLabelText(/Instance address/)).toHaveAttribute('maxlength', '1000');
    expect(screen.getByLabelText(/Project path/)).toHaveAttribute('maxlength', '1000');
  });

  it('says what to pick on a page that is not pre-filled, and never calls its link pre-filled', async () => {
    backend({
      suggest_token_name: () => 'gitlab-acme-web-production',
      new_token_link: () => 'https://git.example.com/acme/web/-/settings/access_tokens',
    });
    render(TargetStep, {
      draft: reactive(newDraft(gitlab, project)),
      onback: vi.fn(),
      onnext: vi.fn(),
    });
    await userEvent.type(screen.getByLabelText(/Instance address/), 'git.example.com');
    await userEvent.type(screen.getByLabelText(/Project path/), 'acme/web');
    const link = await screen.findByTestId('new-token-link');
    const label = must(document.querySelector('label[for="f-link"]'));
    expect(label).toHaveTextContent(project.page.note);
    expect(label).toHaveTextContent('Maintainer (or Owner)');
    expect(label).not.toHaveTextContent('pre-filled');
    expect(link).toHaveValue('https://git.example.com/acme/web/-/settings/access_tokens');
  });

  it('offers no CA file for a cloud deployment', () => {
    backend({
      suggest_token_name: () => 'github-production',
      new_token_link: () => 'https://github.com/settings/tokens/new',
    });
    const draft = reactive(newDraft(github, classic));
    draft.caFile = '/leftover/ca.pem';
    render(TargetStep, { draft, onback: vi.fn(), onnext: vi.fn() });
    expect(screen.queryByLabelText(/CA certificate/)).toBeNull();
    expect(targetOf(draft).ca_file).toBeNull();
  });

  it('lists the exact permissions, shows the pre-filled link and opens it through Rust', async () => {
    const calls = backend({
      suggest_token_name: () => 'github-acme-production',
      new_token_link: () => 'https://github.com/settings/tokens/new?scopes=repo',
      open_new_token_page: () => null,
    });
    render(TargetStep, {
      draft: reactive(newDraft(github, classic)),
      onback: vi.fn(),
      onnext: vi.fn(),
    });
    await userEvent.type(screen.getByLabelText(/Organization/), 'acme');
    const checklist = must(
      screen.getByRole('heading', { name: 'Grant exactly these' }).parentElement,
    );
    expect(within(checklist).getByText('repo')).toBeVisible();
    expect(within(checklist).getByText('read:org')).toBeVisible();
    expect(checklist).toHaveTextContent('between 90 days and 1 year');
    expect(checklist).toHaveTextContent('shows a new token only once');
    expect(await screen.findByTestId('new-token-link')).toHaveValue(
      'https://github.com/settings/tokens/new?scopes=repo',
    );
    expect(screen.getByTestId('suggested-name')).toHaveTextContent('github-acme-production');

    await userEvent.click(screen.getByRole('button', { name: "Open GitHub's token page" }));
    const open = must(calls.find((c) => c.cmd === 'open_new_token_page'));
    expect(open.args).toMatchObject({
      input: {
        name: 'github-acme-production',
        expires_in_days: 90,
        target: {
          provider: 'github',
          org: 'acme',
          kind: 'classic',
          api_url: 'https://api.github.com',
        },
      },
    });
  });
});

describe('PasteStep', () => {
  it('sends the pasted value once, clears the field and shows the result', async () => {
    const calls = backend({
      check_new_token: () => ({ handle: 'h-1', report: report() }),
    });
    const onchecked = vi.fn();
    render(PasteStep, { draft: newDraft(github, classic), onback: vi.fn(), onchecked });
    const field = screen.getByLabelText('Token');
    expect(field).toHaveAttribute('type', 'password');
    await userEvent.type(field, 'ghp_secretvalue');
    await userEvent.click(screen.getByRole('button', { name: 'Check token' }));
    expect(field).toHaveValue('');
    expect(calls).toEqual([
      {
        cmd: 'check_new_token',
        args: expect.objectContaining({ token: 'ghp_secretvalue' }) as unknown,
      },
    ]);
    expect(onchecked).toHaveBeenCalledWith('h-1', report());
  });

  it('says what went wrong when the check cannot run', async () => {
    backend({
      check_new_token: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- Tauri rejects an invoke with the command's serialized error, not an Error
        throw { code: 'insecure_url', message: 'Refusing to send a token over plain HTTP.' };
      },
    });
    render(PasteStep, { draft: newDraft(github, classic), onback: vi.fn(), onchecked: vi.fn() });
    await userEvent.type(screen.getByLabelText('Token'), 'ghp_x');
    await userEvent.click(screen.getByRole('button', { name: 'Check token' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Refusing to send a token over plain HTTP.',
    );
    expect(screen.getByLabelText('Token')).toHaveValue('');
  });
});

describe('CheckResult', () => {
  it('marks each requirement granted, missing or unverified and lists what to do', () => {
    render(CheckResult, {
      report: report({
        ready: false,
        missing: ['read:org'],
        problems: [
          {
            code: 'missing_permissions',
            message:
              'The token lacks the scope read:org. Edit it at https://github.com/settings/tokens.',
          },
        ],
      }),
      requirements: classic.requirements,
    });
    expect(screen.getByText(/Falls short\./)).toBeVisible();
    const reqs = screen.getByRole('list', { name: 'Requirements' });
    expect(within(reqs).getByText(/repo/).closest('li')).toHaveAttribute('data-mark', 'met');
    expect(
      within(reqs)
        .getByText(/read:org/)
        .closest('li'),
    ).toHaveAttribute('data-mark', 'missing');
    expect(screen.getByRole('list', { name: 'What to do' })).toHaveTextContent(
      'Edit it at https://github.com/settings/tokens',
    );
    expect(screen.getByText('deploy-bot')).toBeVisible();
    expect(screen.getByText('2027-03-01')).toBeVisible();
  });

  it('reports write permissions it cannot prove as unverified, never as granted', () => {
    const fineGrained = must(github.token_kinds[1]);
    render(CheckResult, {
      report: report({
        kind: 'fine-grained',
        scopes: null,
        unverified: ['repository_hooks:write'],
      }),
      requirements: fineGrained.requirements,
    });
    const item = screen.getByText(/Webhooks/).closest('li');
    expect(item).toHaveAttribute('data-mark', 'unverified');
    expect(item).toHaveTextContent('Not verifiable without writing');
  });
});

describe('SaveStep', () => {
  it('stores a token that falls short only once the user ticks "Store it anyway"', async () => {
    const calls = backend({
      save_new_token: () => ({
        stored: true,
        token: { name: 'github-acme-production' },
        report: report(),
      }),
    });
    const onsaved = vi.fn();
    const checked = {
      handle: 'h-9',
      report: report({ ready: false, missing: ['admin:repo_hook'] }),
    };
    render(SaveStep, {
      draft: newDraft(github, classic),
      checked,
      suggestedName: 'github-acme-production',
      onback: vi.fn(),
      onsaved,
    });
    expect(screen.getByLabelText('Name')).toHaveAttribute('maxlength', '64');
    expect(screen.getByLabelText('Description')).toHaveAttribute('maxlength', '1000');
    const save = screen.getByRole('button', { name: 'Save to the keychain' });
    expect(save).toBeDisabled();
    await userEvent.click(screen.getByLabelText(/Store it anyway: it lacks admin:repo_hook/));
    expect(save).toBeEnabled();
    await userEvent.click(save);
    expect(must(calls[0]).args).toMatchObject({
      input: { handle: 'h-9', name: 'github-acme-production', accept_shortfall: true },
    });
    expect(JSON.stringify(calls)).not.toContain('ghp_');
    expect(onsaved).toHaveBeenCalledOnce();
  });

  it('asks for the expiry date when the provider does not report it', () => {
    const bitbucket: Deployment = {
      ...github,
      id: 'bitbucket-cloud',
      provider: 'bitbucket',
      name: 'Bitbucket Cloud',
    };
    render(SaveStep, {
      draft: newDraft(bitbucket, classic),
      checked: { handle: 'h', report: report({ expiry: 'unknown', expires_at: null }) },
      suggestedName: 'bitbucket-acme-production',
      onback: vi.fn(),
      onsaved: vi.fn(),
    });
    expect(screen.getByLabelText('Expiry date')).toHaveAttribute('type', 'date');
    expect(screen.getByText(/does not report it/)).toBeVisible();
  });

  it('refuses to save an unusable token', () => {
    render(SaveStep, {
      draft: newDraft(github, classic),
      checked: {
        handle: 'h',
        report: report({
          ready: false,
          authenticated: false,
          problems: [{ code: 'invalid_token', message: 'rejected' }],
        }),
      },
      suggestedName: 'x',
      onback: vi.fn(),
      onsaved: vi.fn(),
    });
    expect(screen.getByRole('alert')).toHaveTextContent('cannot be saved');
    expect(screen.queryByRole('button', { name: 'Save to the keychain' })).toBeNull();
  });
});
