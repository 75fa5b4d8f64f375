// The app's screens and its keyboard: the welcome note once, Ctrl+N (Cmd+N)
// to add a token, Esc to leave a token's page.
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import App from './App.svelte';
import type { VaultOverview } from './lib/bindings/VaultOverview';
import { useCatalogue } from './lib/common/providers.svelte';
import { catalogue } from './lib/test/catalogue';
import { expiring, overview, ready, serveCommands } from './lib/test/tokens';

function serveApp(vault: VaultOverview) {
  return serveCommands({
    vault_overview: () => vault,
    provider_catalogue: () => catalogue,
    take_open_request: () => null,
    listen_open_requests: () => null,
    startup_mark: () => null,
    suggest_token_name: () => 'github-acme-production',
    new_token_link: () => 'https://github.com/settings/tokens/new',
  });
}

const WELCOME = /^Welcome\. Tokenwarden keeps the Git tokens/;

describe('App', () => {
  let scrolls: MockInstance<(options: ScrollToOptions) => void>;
  beforeEach(() => {
    localStorage.clear();
    // jsdom does not scroll; the app asks to at every change of screen.
    scrolls = vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('says the welcome note on the first run only, not on every start with no tokens', async () => {
    serveApp(overview({ tokens: [] }));
    const first = render(App);
    expect(await screen.findByText(WELCOME)).toBeVisible();
    first.unmount();

    serveApp(overview({ tokens: [] }));
    render(App);
    expect(
      await screen.findByRole('heading', { name: 'Where does the token come from?' }),
    ).toBeVisible();
    expect(screen.queryByText(WELCOME)).toBeNull();
  });

  it('adds a token on Ctrl+N and on Cmd+N, and Esc takes the wizard back to the list', async () => {
    serveApp(overview({ tokens: [ready] }));
    const user = userEvent.setup();
    render(App);
    expect(await screen.findByRole('heading', { name: 'Your tokens' })).toBeVisible();
    await user.keyboard('{Control>}n{/Control}');
    expect(
      await screen.findByRole('heading', { name: 'Where does the token come from?' }),
    ).toBeVisible();
    await user.keyboard('{Escape}');
    expect(await screen.findByRole('heading', { name: 'Your tokens' })).toBeVisible();
    await user.keyboard('{Meta>}n{/Meta}');
    expect(
      await screen.findByRole('heading', { name: 'Where does the token come from?' }),
    ).toBeVisible();
  });

  it('leaves a token’s page on Esc, and starts every screen at its top', async () => {
    serveApp(overview({ tokens: [ready] }));
    const user = userEvent.setup();
    render(App);
    const row = await screen.findByRole('button', { name: /^github-acme-ci / });
    // The first screen is at its top already: no scroll (which would lay
    // the page out before its first frame).
    expect(scrolls).not.toHaveBeenCalled();
    await user.click(row);
    expect(await screen.findByRole('heading', { level: 1, name: 'github-acme-ci' })).toBeVisible();
    expect(scrolls).toHaveBeenLastCalledWith({ top: 0 });
    const calls = scrolls.mock.calls.length;
    await user.keyboard('{Escape}');
    expect(await screen.findByRole('heading', { name: 'Your tokens' })).toBeVisible();
    expect(scrolls.mock.calls.length).toBeGreaterThan(calls);
  });

  it('says simulator mode on every screen when the providers are simulated, and not otherwise', async () => {
    const notice =
      'Simulator mode: GitHub here is played by a simulator on this computer, not the real services.';
    useCatalogue({ ...catalogue, simulator: notice });
    serveApp(overview({ tokens: [ready] }));
    const user = userEvent.setup();
    const app = render(App);
    try {
      expect(await screen.findByRole('heading', { name: 'Your tokens' })).toBeVisible();
      expect(screen.getByRole('note')).toHaveTextContent(notice);
      await user.click(screen.getByRole('button', { name: /^github-acme-ci / }));
      expect(
        await screen.findByRole('heading', { level: 1, name: 'github-acme-ci' }),
      ).toBeVisible();
      expect(screen.getByRole('note')).toHaveTextContent(notice);
    } finally {
      app.unmount();
      useCatalogue(catalogue);
    }

    serveApp(overview({ tokens: [ready] }));
    render(App);
    expect(await screen.findByRole('heading', { name: 'Your tokens' })).toBeVisible();
    expect(screen.queryByText(/^Simulator mode/)).toBeNull();
  });

  it('paints the first screen from the data handed with the page, then asks the vault again', async () => {
    const notice = 'Simulator mode: handed with the page.';
    window.__TOKENWARDEN_FIRST_SCREEN__ = {
      overview: overview({ tokens: [ready] }),
      catalogue: { ...catalogue, simulator: notice },
    };
    // The vault changed since (the CLI added a token): the answer after the
    // first screen shows it.
    const calls = serveApp(overview({ tokens: [ready, expiring] }));
    try {
      render(App);
      // On the page at once, before any call was answered.
      expect(screen.getByRole('heading', { name: 'Your tokens' })).toBeVisible();
      expect(screen.getByRole('button', { name: /^github-acme-ci / })).toBeVisible();
      expect(screen.getByRole('note')).toHaveTextContent(notice);
      expect(calls.map((c) => c.cmd)).not.toContain('vault_overview');
      expect(window.__TOKENWARDEN_FIRST_SCREEN__).toBeUndefined();

      expect(await screen.findByRole('button', { name: /^gitlab-platform-prod / })).toBeVisible();
      const asked = calls.map((c) => c.cmd);
      expect(asked.indexOf('startup_mark')).toBeLessThan(asked.indexOf('vault_overview'));
    } finally {
      delete window.__TOKENWARDEN_FIRST_SCREEN__;
      useCatalogue(catalogue);
    }
  });

  it("paints the first run's providers from the data handed with the page, not a loading note", async () => {
    useCatalogue(null);
    window.__TOKENWARDEN_FIRST_SCREEN__ = { overview: overview({ tokens: [] }), catalogue };
    const calls = serveApp(overview({ tokens: [] }));
    try {
      render(App);
      expect(screen.getByText(WELCOME)).toBeVisible();
      expect(screen.getByRole('list', { name: 'Providers' })).toBeVisible();
      expect(screen.queryByText('Loading providers…')).toBeNull();
      // The start-up mark is sent for this screen, and no catalogue is asked for.
      await vi.waitFor(() => {
        expect(calls.map((c) => c.cmd)).toContain('startup_mark');
      });
      expect(calls.map((c) => c.cmd)).not.toContain('provider_catalogue');
    } finally {
      delete window.__TOKENWARDEN_FIRST_SCREEN__;
      useCatalogue(catalogue);
    }
  });
});
