import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { createRawSnippet } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import Button from './Button.svelte';

/** Content for a Button, as a parent's markup would give it. */
function textSnippet(text: string) {
  return createRawSnippet(() => ({ render: () => `<span>${text}</span>` }));
}

describe('Button', () => {
  it('shows its label and calls onclick', async () => {
    const onclick = vi.fn();
    render(Button, { label: 'Check all now', busyLabel: 'Checking…', onclick });
    const button = screen.getByRole('button', { name: 'Check all now' });
    expect(button).toBeEnabled();
    expect(button).toHaveAttribute('aria-busy', 'false');
    await userEvent.click(button);
    expect(onclick).toHaveBeenCalledOnce();
  });

  it('shows progress and is disabled while busy, keeping both labels for its width', () => {
    render(Button, { label: 'Check all now', busyLabel: 'Checking…', busy: true });
    const button = screen.getByRole('button', { name: 'Checking…' });
    expect(button).toBeDisabled();
    expect(button).toHaveAttribute('aria-busy', 'true');
    // Both labels stay in the button (hidden from readers) so it never resizes.
    expect(button.querySelectorAll('.sizer[aria-hidden="true"]')).toHaveLength(2);
  });

  it('can be disabled without being busy', () => {
    render(Button, { label: 'Edit', busyLabel: 'Saving…', disabled: true });
    expect(screen.getByRole('button', { name: 'Edit' })).toBeDisabled();
  });

  it('gives keyboard focus back when it is re-enabled after losing it', async () => {
    const { rerender } = render(Button, { label: 'Re-check', busyLabel: 'Checking…' });
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

describe('Button: content and variants', () => {
  it('adds no text of its own, so its text is exactly its label', () => {
    render(Button, { label: 'Send a test notification', busyLabel: 'Sending…' });
    const button = screen.getByRole('button', { name: 'Send a test notification' });
    expect(button.textContent.trim()).toBe('Send a test notification');
  });

  it('takes content, a variant and the attributes of a disclosure', () => {
    const { container } = render(Button, {
      variant: 'danger',
      'aria-expanded': true,
      'aria-controls': 'panel-delete',
      children: textSnippet('Delete'),
    });
    const button = screen.getByRole('button', { name: 'Delete' });
    expect(button).toHaveAttribute('type', 'button');
    expect(button).toHaveAttribute('aria-expanded', 'true');
    expect(button).toHaveAttribute('aria-controls', 'panel-delete');
    expect(button).toHaveClass('button', 'danger');
    expect(container.querySelectorAll('.sizer')).toHaveLength(0);
  });

  it('submits its form when it is a submit button', async () => {
    const onsubmit = vi.fn((event: SubmitEvent) => {
      event.preventDefault();
    });
    const form = document.body.appendChild(document.createElement('form'));
    form.addEventListener('submit', onsubmit);
    render(Button, { target: form, props: { type: 'submit', label: 'Save' } });
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(onsubmit).toHaveBeenCalledOnce();
    form.remove();
  });
});
