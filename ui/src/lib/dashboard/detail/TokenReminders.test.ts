import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Reminders } from '../../bindings/Reminders';
import type { TokenView } from '../../bindings/TokenView';
import {
  CommandFailure,
  deferred,
  expiring,
  ready,
  serveCommands,
  unchecked,
} from '../../test/tokens';
import TokenReminders from './TokenReminders.svelte';

const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

const planned: Reminders = { next_at: future(7), snoozed_until: null, handled: false };
/** A reminder whose time has come (the watcher sends it on its next round). */
const due: Reminders = { next_at: future(-0.01), snoozed_until: null, handled: false };

function show(token: TokenView, reminders: Reminders, answer?: (choice: string) => unknown) {
  const calls = serveCommands({
    token_reminders: () => reminders,
    set_token_reminders: (args) => answer?.(String(args.choice)),
  });
  render(TokenReminders, { token });
  return calls;
}

const region = () => screen.getByRole('region', { name: 'Reminders' });
async function expectState(text: string | RegExp) {
  await vi.waitFor(() => {
    expect(within(region()).getByTestId('reminders-state')).toHaveTextContent(text);
  });
}
const button = (name: string) => within(region()).getByRole('button', { name });

describe('TokenReminders', () => {
  it('says when the next reminder comes, with nothing to pause before it is due', async () => {
    const calls = show(ready, planned);
    await expectState(/^Next reminder \d{4}-\d\d-\d\d \d\d:\d\d\.$/);
    expect(calls).toContainEqual({ cmd: 'token_reminders', args: { id: 'tok-ci' } });
    expect(within(region()).queryAllByRole('button')).toHaveLength(0);
  });

  it('offers to pause or stop them once a reminder is due, saying what "I rotated it" does', async () => {
    show(ready, due);
    await expectState('A reminder is due now.');
    for (const name of ['Remind me tomorrow', 'Remind me next week', 'I rotated it']) {
      expect(button(name)).toBeEnabled();
    }
    expect(button('I rotated it')).toHaveAccessibleDescription(
      '“I rotated it”: you replaced it outside Tokenwarden, so its reminders stop (until its expiry changes).',
    );
    expect(within(region()).queryByRole('button', { name: 'Resume reminders' })).toBeNull();
  });

  it('offers them for a token that expires soon, whose reminders have begun', async () => {
    show(expiring, planned);
    await expectState(/^Next reminder/);
    expect(button('I rotated it')).toBeEnabled();
  });

  it('pauses for a week, says until when, and can resume', async () => {
    const until = future(7);
    const calls = show(ready, due, (choice) =>
      choice === 'next_week' ? { next_at: until, snoozed_until: until, handled: false } : planned,
    );
    await expectState(/./);
    await userEvent.click(button('Remind me next week'));
    expect(calls).toContainEqual({
      cmd: 'set_token_reminders',
      args: { id: 'tok-ci', choice: 'next_week' },
    });
    await expectState(/^Paused until \d{4}-\d\d-\d\d \d\d:\d\d\.$/);
    await userEvent.click(button('Resume reminders'));
    expect(calls.at(-1)).toEqual({
      cmd: 'set_token_reminders',
      args: { id: 'tok-ci', choice: 'resume' },
    });
    await expectState(/^Next reminder/);
  });

  it('stops them on "I rotated it", leaving only Resume', async () => {
    show(ready, due, () => ({ next_at: null, snoozed_until: null, handled: true }));
    await expectState(/./);
    await userEvent.click(button('I rotated it'));
    await expectState('Stopped: you said you rotated it.');
    for (const name of ['Remind me tomorrow', 'Remind me next week']) {
      expect(within(region()).queryByRole('button', { name })).toBeNull();
    }
    expect(within(region()).queryByRole('button', { name: 'I rotated it' })).toBeNull();
    expect(button('Resume reminders')).toBeEnabled();
  });

  it('disables the choices while one is being saved', async () => {
    const pending = deferred<Reminders>();
    show(ready, due, () => pending.promise);
    await expectState(/./);
    await userEvent.click(button('Remind me tomorrow'));
    expect(button('Remind me next week')).toBeDisabled();
    pending.resolve(due);
    await vi.waitFor(() => {
      expect(button('Remind me next week')).toBeEnabled();
    });
    await expectState('A reminder is due now.');
  });

  it('for a token that never expires, says it was reminded, and offers no "I rotated it"', async () => {
    show(unchecked, { next_at: null, snoozed_until: null, handled: false });
    await expectState('You were reminded once that it never expires.');
    expect(within(region()).queryByRole('button', { name: 'I rotated it' })).toBeNull();
  });

  it('shows why the reminders could not be read or changed', async () => {
    serveCommands({
      token_reminders: () => {
        throw new CommandFailure('vault', 'The metadata file could not be read.');
      },
    });
    render(TokenReminders, { token: ready });
    expect(await within(region()).findByRole('alert')).toHaveTextContent(
      'Reminders: The metadata file could not be read.',
    );
  });
});
