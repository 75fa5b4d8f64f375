import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { createRawSnippet } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import ConfirmDialog from './ConfirmDialog.svelte';

const children = createRawSnippet(() => ({ render: () => '<p>The secret is removed.</p>' }));

function setup(props: { busy?: boolean; error?: string | null } = {}) {
  const onconfirm = vi.fn();
  const oncancel = vi.fn();
  const result = render(ConfirmDialog, {
    title: 'Delete “ci”?',
    confirmLabel: 'Delete from Tokenwarden',
    busyLabel: 'Deleting…',
    onconfirm,
    oncancel,
    children,
    ...props,
  });
  return { onconfirm, oncancel, ...result };
}

describe('ConfirmDialog', () => {
  it('is an alert dialog named by its title and described by its body', () => {
    setup();
    const dialog = screen.getByRole('alertdialog', { name: 'Delete “ci”?' });
    expect(dialog).toHaveAccessibleDescription('The secret is removed.');
  });

  it('takes focus on its safe button when it appears', () => {
    setup();
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
  });

  it('cancels on Escape and on Cancel', async () => {
    const user = userEvent.setup();
    const { oncancel } = setup();
    await user.keyboard('{Escape}');
    expect(oncancel).toHaveBeenCalledOnce();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(oncancel).toHaveBeenCalledTimes(2);
  });

  it('confirms by keyboard', async () => {
    const user = userEvent.setup();
    const { onconfirm, oncancel } = setup();
    await user.tab({ shift: true });
    expect(screen.getByRole('button', { name: 'Delete from Tokenwarden' })).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(onconfirm).toHaveBeenCalledOnce();
    expect(oncancel).not.toHaveBeenCalled();
  });

  it('shows progress, ignores Escape while busy, and tells an error in words', async () => {
    const user = userEvent.setup();
    const { oncancel } = setup({ busy: true, error: 'The keychain is locked.' });
    const dialog = screen.getByRole('alertdialog');
    expect(within(dialog).getByRole('button', { name: 'Deleting…' })).toBeDisabled();
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toBeDisabled();
    expect(within(dialog).getByRole('alert')).toHaveTextContent('The keychain is locked.');
    dialog.focus();
    await user.keyboard('{Escape}');
    expect(oncancel).not.toHaveBeenCalled();
  });
});
