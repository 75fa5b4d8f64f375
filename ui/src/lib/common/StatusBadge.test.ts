import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { TokenStatus } from '../bindings/TokenStatus';
import StatusBadge from './StatusBadge.svelte';
import { statusTone } from './status';

const words: [TokenStatus, string][] = [
  ['ready', 'Ready'],
  ['expiring', 'Expires soon'],
  ['expired', 'Expired'],
  ['falls_short', 'Falls short'],
  ['invalid', 'Invalid'],
  ['check_failed', 'Check failed'],
  ['unchecked', 'Not checked'],
  ['secret_missing', 'Secret missing'],
];

describe('StatusBadge', () => {
  it.each(words)('says %s in words: %s', (status, word) => {
    const { container } = render(StatusBadge, { status });
    expect(screen.getByText(word)).toBeVisible();
    const badge = container.querySelector(`[data-status="${status}"]`);
    // The tone repeats the words in colour; it never replaces them.
    expect(badge).toHaveClass(statusTone[status]);
    expect(badge?.textContent.trim()).toMatch(new RegExp(`${word}$`));
  });

  it('groups the statuses into tones worst to best', () => {
    expect(statusTone).toEqual({
      ready: 'good',
      expiring: 'warn',
      falls_short: 'warn',
      check_failed: 'warn',
      unchecked: 'neutral',
      expired: 'bad',
      invalid: 'bad',
      secret_missing: 'bad',
    });
  });
});
