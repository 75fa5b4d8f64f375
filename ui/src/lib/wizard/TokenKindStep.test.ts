import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { catalogue } from '../test/catalogue';
import TokenKindStep from './TokenKindStep.svelte';

const [github, gitlab] = catalogue.deployments as [
  (typeof catalogue.deployments)[number],
  (typeof catalogue.deployments)[number],
];

describe('TokenKindStep', () => {
  it('lists each kind with its summary and marks the recommended one', () => {
    render(TokenKindStep, { deployment: github, onback: vi.fn(), onchoose: vi.fn() });
    const classic = screen.getByRole('listitem', { name: 'Classic personal access token' });
    expect(within(classic).getByText('Recommended')).toBeVisible();
    expect(classic).toHaveTextContent('Scopes apply to every repository.');
    const fine = screen.getByRole('listitem', { name: 'Fine-grained personal access token' });
    expect(within(fine).queryByText('Recommended')).toBeNull();
  });

  it('shows every required permission with its level and any condition', () => {
    render(TokenKindStep, { deployment: github, onback: vi.fn(), onchoose: vi.fn() });
    const classic = screen.getByRole('listitem', { name: 'Classic personal access token' });
    const rows = within(classic).getAllByRole('row').slice(1);
    const cells = rows.map((row) =>
      within(row)
        .getAllByRole('cell')
        .map((cell) => cell.textContent.replace(/\s+/g, ' ').trim()),
    );
    expect(cells).toEqual([
      ['Scope repo', 'Selected', 'Read repositories.'],
      [
        'Scope read:org',
        'Selected',
        'See the organization. Only when the repositories belong to an organization.',
      ],
    ]);
    const fine = screen.getByRole('listitem', { name: 'Fine-grained personal access token' });
    expect(within(fine).getByRole('row', { name: /Webhooks/ })).toHaveTextContent('Read and write');
  });

  it('shows a role requirement for GitLab bot tokens', () => {
    render(TokenKindStep, { deployment: gitlab, onback: vi.fn(), onchoose: vi.fn() });
    expect(screen.getByRole('row', { name: /Role/ })).toHaveTextContent('Maintainer or Owner');
  });

  it('calls onback from the back button', async () => {
    const onback = vi.fn();
    render(TokenKindStep, { deployment: github, onback, onchoose: vi.fn() });
    await userEvent.click(screen.getByRole('button', { name: /All providers/ }));
    expect(onback).toHaveBeenCalledOnce();
  });
});

describe('TokenKindStep choosing', () => {
  it('hands the chosen kind to onchoose', async () => {
    const onchoose = vi.fn();
    render(TokenKindStep, { deployment: github, onback: vi.fn(), onchoose });
    await userEvent.click(
      screen.getByRole('button', { name: /Use a fine-grained personal access token/ }),
    );
    expect(onchoose).toHaveBeenCalledWith(github.token_kinds[1]);
  });
});
