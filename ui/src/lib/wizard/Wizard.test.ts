import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { beforeEach, describe, expect, it } from 'vitest';
import { useCatalogue } from '../common/providers.svelte';
import { catalogue } from '../test/catalogue';
import Wizard from './Wizard.svelte';

function serveCatalogue() {
  const calls: string[] = [];
  mockIPC((cmd) => {
    calls.push(cmd);
    if (cmd === 'provider_catalogue') return catalogue;
    throw new Error(`unexpected command ${cmd}`);
  });
  return calls;
}

describe('Wizard', () => {
  // The catalogue is kept for the app's life: each test starts without it.
  beforeEach(() => {
    useCatalogue(null);
  });

  it('shows the providers at once, asking nothing, when the catalogue is already here', () => {
    const calls = serveCatalogue();
    useCatalogue(catalogue);
    render(Wizard);
    expect(screen.queryByRole('status')).toBeNull();
    const list = screen.getByRole('list', { name: 'Providers' });
    expect(within(list).getAllByRole('button')).toHaveLength(2);
    expect(calls).toEqual([]);
  });

  it('shows a loading state, then every provider from the catalogue', async () => {
    const calls = serveCatalogue();
    render(Wizard);
    expect(screen.getByRole('status')).toHaveTextContent('Loading providers');
    const list = await screen.findByRole('list', { name: 'Providers' });
    const choices = within(list).getAllByRole('button');
    expect(choices.map((b) => b.textContent.replace(/\s+/g, ' ').trim())).toEqual([
      'GH GitHub github.com',
      'GL Self-managed GitLab Your own GitLab instance Self-hosted',
    ]);
    expect(calls).toEqual(['provider_catalogue']);
  });

  it('moves to the token-kind step of the chosen provider and focuses its heading', async () => {
    serveCatalogue();
    const user = userEvent.setup();
    render(Wizard);
    await user.click(await screen.findByRole('button', { name: /GitHub github\.com/ }));

    const heading = screen.getByRole('heading', { level: 1 });
    expect(heading).toHaveTextContent('Which kind of GitHub token?');
    expect(heading).toHaveFocus();
    expect(screen.getByRole('listitem', { name: 'Classic personal access token' })).toBeVisible();
    const progress = screen.getByRole('list', { name: 'Progress' });
    expect(within(progress).getByText('Token kind')).toHaveAttribute('aria-current', 'step');
    expect(within(progress).getByText('Provider')).not.toHaveAttribute('aria-current');
  });

  it('goes back to the provider choice by keyboard', async () => {
    serveCatalogue();
    const user = userEvent.setup();
    render(Wizard);
    await screen.findByRole('list', { name: 'Providers' });
    await user.tab();
    expect(screen.getByRole('button', { name: 'I already have a token' })).toHaveFocus();
    await user.tab();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('GitHub');
    await user.click(screen.getByRole('button', { name: /All providers/ }));
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(
      'Where does the token come from?',
    );
  });

  it('says what failed and retries when the catalogue cannot be loaded', async () => {
    let fail = true;
    mockIPC(() => {
      if (fail) throw new Error('the backend is gone');
      return catalogue;
    });
    const user = userEvent.setup();
    render(Wizard);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('could not load its list of providers: the backend is gone');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('list', { name: 'Providers' })).toBeVisible();
  });
});
