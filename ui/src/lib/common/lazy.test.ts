import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import LaterPart from './LaterPart.svelte';
import { lazy } from './lazy.svelte';

describe('a part loaded apart', () => {
  it('is fetched once, however often it is asked for', async () => {
    const importer = vi.fn(() => Promise.resolve({ name: 'part' }));
    const part = lazy(importer);
    expect(part.current).toBeNull();
    const [a, b] = await Promise.all([part.load(), part.load()]);
    expect(a).toBe(b);
    await part.load();
    expect(importer).toHaveBeenCalledTimes(1);
    expect(part.current).toEqual({ name: 'part' });
  });

  it('says why it failed, and a later load tries again', async () => {
    const importer = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error('Importing a module script failed.'))
      .mockResolvedValueOnce('part');
    const part = lazy(importer);
    await expect(part.load()).rejects.toThrow('Importing a module script failed.');
    expect(part.error).toBe('Importing a module script failed.');
    expect(part.current).toBeNull();
    await expect(part.load()).resolves.toBe('part');
    expect(part.error).toBeNull();
    expect(importer).toHaveBeenCalledTimes(2);
  });

  it('stands in while it loads, and offers to try again when it could not', async () => {
    let fail = true;
    const part = lazy(() =>
      fail ? Promise.reject(new Error('the chunk is missing')) : Promise.resolve('part'),
    );
    const user = userEvent.setup();
    render(LaterPart, { part });
    expect(screen.getByRole('status')).toHaveTextContent('Opening…');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Tokenwarden could not open this screen: the chunk is missing');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    await vi.waitFor(() => {
      expect(part.current).toBe('part');
    });
  });
});
