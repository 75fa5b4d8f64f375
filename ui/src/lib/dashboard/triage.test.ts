import { describe, expect, it } from 'vitest';
import { recheckResult, tokenView } from '../test/tokens';
import { checkSummary, summaryParts, timelineMarks, triageSort } from './triage';

describe('triage', () => {
  it('puts marks of the same days on separate lanes, so each stays clickable', () => {
    const at = (name: string, days: bigint | null) =>
      tokenView({ id: name, name, days_left: days });
    const marks = timelineMarks([
      at('a', 10n),
      at('b', 10n),
      at('c', 11n),
      at('d', 40n),
      at('e', 91n),
      at('f', -1n),
      at('g', null),
      at('h', 0n),
    ]);
    expect(marks.map((m) => [m.token.name, m.days, m.lane])).toEqual([
      ['h', 0, 0],
      ['a', 10, 0],
      ['b', 10, 1],
      ['c', 11, 2],
      ['d', 40, 0],
    ]);
    expect(marks.map((m) => m.at)).toEqual([0, 10 / 90, 10 / 90, 11 / 90, 40 / 90]);
  });

  it('orders ties by expiry, then by name, with no expiry last', () => {
    const sorted = triageSort([
      tokenView({ id: '1', name: 'zeta', status: 'ready', days_left: null }),
      tokenView({ id: '2', name: 'beta', status: 'ready', days_left: 30n }),
      tokenView({ id: '3', name: 'alpha', status: 'ready', days_left: 30n }),
      tokenView({ id: '4', name: 'gamma', status: 'check_failed', days_left: 300n }),
    ]);
    expect(sorted.map((t) => t.name)).toEqual(['gamma', 'alpha', 'beta', 'zeta']);
  });

  it('counts in the singular and the plural', () => {
    expect(
      summaryParts({ broken: 2, needs_fix: 1, expires_soon: 1, fine: 3 }, 14).map((p) => p.words),
    ).toEqual(['2 broken', '1 needs a fix', '1 expires within 14 days']);
    const stopped = tokenView({ status: 'invalid' });
    expect(
      checkSummary([
        recheckResult(stopped, null, null, { before: 'ready', change: 'stopped_working' }),
        recheckResult(stopped, null, null, { before: 'expiring', change: 'stopped_working' }),
        recheckResult(tokenView(), null, null, { before: 'ready', change: 'needs_fix' }),
      ]),
    ).toBe('Checked 3 tokens: 2 stopped working; 1 needs a fix.');
  });
});
