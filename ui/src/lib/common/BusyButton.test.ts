import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import BusyButton from './BusyButton.svelte';

describe('BusyButton', () => {
  it('shows its label and calls onclick', async () => {
    const onclick = vi.fn();
    render(BusyButton, { label: 'Check all now', busyLabel: 'Checking…', onclick });
    const button = screen.getByRole('button', { name: 'Check all now' });
    expect(button).toBeEnabled();
    expect(button).toHaveAttribute('aria-busy', 'false');
    await userEvent.click(button);
    expect(onclick).toHaveBeenCalledOnce();
  });

  it('shows progress and is disabled while busy, keeping both labels for its width', () => {
    render(BusyButton, { label: 'Check all now', busyLabel: 'Checking…', busy: true });
    const button = screen.getByRole('button', { name: 'Checking…' });
    expect(button).toBeDisabled();
    expect(button).toHaveAttribute('aria-busy', 'true');
    // Both labels stay in the button (hidden from readers) so it never resizes.
    expect(button.querySelectorAll('.sizer[aria-hidden="true"]')).toHaveLength(2);
  });

  it('can be disabled without being busy', () => {
    render(BusyButton, { label: 'Edit', busyLabel: 'Saving…', disabled: true });
    expect(screen.getByRole('button', { name: 'Edit' })).toBeDisabled();
  });

  it('gives keyboard focus back when it is re-enabled after losing it', async () => {
    const { rerender } = render(BusyButton, { label: 'Re-check', busyLabel: 'Checking…' });
    const button = screen.getByRole('button', { name: 'Re-check' });
    button.focus();
    await rerender({ busy: true });
    // A browser drops focus from a disabled button to the body; jsdom does
    // not, so drop it the way a removed element does.
    const elsewhere = document.body.appendChild(document.createElement('input'));
    elsewhere.focus();
    elsewhere.remove();
    expect(document.body).toHaveFocus();
    await rerender({ busy: false });
    expect(screen.getByRole('button', { name: 'Re-check' })).toHaveFocus();
  });
});
