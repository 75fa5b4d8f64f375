import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it, vi } from 'vitest';
import type { SettingsView } from '../bindings/SettingsView';
import Settings from './Settings.svelte';

const view: SettingsView = {
  alerts: { thresholds_days: [30, 14, 7, 3, 1, 0], after_expiry_daily: true },
  start_at_login: true,
  platform: {
    keychain: 'Secret Service (GNOME Keyring / KWallet)',
    keychain_ok: true,
    notifications: 'Desktop notifications are not available: no server',
    notifications_ok: false,
    tray: 'Shown in the system tray',
    tray_ok: true,
  },
};

function backend(overrides: Record<string, (args: Record<string, unknown>) => unknown> = {}) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    const answer = overrides[cmd] ?? (() => (cmd === 'get_settings' ? view : null));
    return answer(a);
  });
  return calls;
}

describe('Settings', () => {
  it('shows the thresholds, the start-at-login switch and the platform status in words', async () => {
    backend();
    render(Settings, { onback: vi.fn() });
    const chips = within(await screen.findByRole('group', { name: 'Alert thresholds' }));
    const pressed = chips
      .getAllByRole('button')
      .filter((chip) => chip.getAttribute('aria-pressed') === 'true')
      .map((chip) => chip.textContent.replace(/\s+/g, ' ').trim());
    expect(pressed).toEqual([
      '✓ 30 days',
      '✓ 14 days',
      '✓ 7 days',
      '✓ 3 days',
      '✓ 1 day',
      '✓ On the day',
    ]);
    expect(chips.getByRole('button', { name: /90 days/ })).toHaveAttribute('aria-pressed', 'false');
    expect(screen.getByRole('switch', { name: /when I log in/ })).toBeChecked();
    expect(screen.getByText(/Secret Service/)).toBeVisible();
    expect(screen.getByText(/not available: no server/).closest('dd')).toHaveAttribute(
      'data-ok',
      'false',
    );
  });

  it('saves the thresholds and the switch', async () => {
    const calls = backend();
    const user = userEvent.setup();
    render(Settings, { onback: vi.fn() });
    const chips = within(await screen.findByRole('group', { name: 'Alert thresholds' }));
    // Chosen from chips: 60 added; 30, 14, 3 and 1 taken away.
    for (const days of ['60 days', '30 days', '14 days', '3 days', '1 day']) {
      await user.click(chips.getByRole('button', { name: new RegExp(`^${days}$`) }));
    }
    await user.click(screen.getByRole('switch'));
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Saved.')).toBeVisible();
    expect(calls.find((c) => c.cmd === 'save_settings')?.args).toEqual({
      input: {
        alerts: { thresholds_days: [60, 7, 0], after_expiry_daily: true },
        start_at_login: false,
      },
    });
  });

  it('adds a number of days the chips do not offer, and explains a malformed one', async () => {
    const calls = backend();
    const user = userEvent.setup();
    render(Settings, { onback: vi.fn() });
    const field = await screen.findByLabelText('Another number of days');
    await user.type(field, 'soon');
    await user.click(screen.getByRole('button', { name: 'Add' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Type a whole number of days');
    await user.clear(field);
    await user.type(field, '45{Enter}');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('button', { name: /45 days/ })).toHaveAttribute('aria-pressed', 'true');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Saved.')).toBeVisible();
    expect(calls.find((c) => c.cmd === 'save_settings')?.args).toMatchObject({
      input: { alerts: { thresholds_days: [45, 30, 14, 7, 3, 1, 0] } },
    });
  });

  it('sends a test notification and reports a failure in plain words', async () => {
    backend({
      send_test_notification: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- Tauri rejects an invoke with the command's serialized error, not an Error
        throw {
          code: 'notifications',
          message: 'Desktop notifications are not available: no server',
        };
      },
    });
    const user = userEvent.setup();
    render(Settings, { onback: vi.fn() });
    await user.click(await screen.findByRole('button', { name: 'Send a test notification' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('not available');
  });
});

describe('Settings: export', () => {
  it('exports the calendar through Rust, which asks for the path, and says where it went', async () => {
    const calls = backend({
      export_calendar: () => ({ path: '/home/me/tokenwarden.ics', events: 3 }),
    });
    const user = userEvent.setup();
    render(Settings, { onback: vi.fn() });
    await user.click(await screen.findByRole('button', { name: 'Export to calendar' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Saved 3 expiry dates to /home/me/tokenwarden.ics',
    );
    // The webview passes no path: the save dialog is Rust's.
    expect(calls.find((c) => c.cmd === 'export_calendar')?.args).toEqual({});
  });

  it('says nothing when the save dialog is cancelled, and reports a failure in words', async () => {
    let fail = false;
    backend({
      export_calendar: () => {
        if (fail) {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- Tauri rejects an invoke with the command's serialized error, not an Error
          throw { code: 'storage', message: 'The calendar could not be saved to /x.ics' };
        }
        return { path: null, events: 0 };
      },
    });
    const user = userEvent.setup();
    render(Settings, { onback: vi.fn() });
    const button = await screen.findByRole('button', { name: 'Export to calendar' });
    await user.click(button);
    expect(screen.queryByRole('status')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    fail = true;
    await user.click(button);
    expect(await screen.findByRole('alert')).toHaveTextContent('could not be saved');
  });

  it('shows the command for the Prometheus export', async () => {
    backend();
    render(Settings, { onback: vi.fn() });
    expect(
      await screen.findByText(/tokenwarden export --format prometheus --output/),
    ).toBeVisible();
  });
});
