// The dashboard's triage: the order of the list, the summary's counts, the
// search, what a "Check all now" changed, and the timeline's marks. Every
// group and change comes from the core (`status::STATUS_TRIAGE` and
// `status::status_change`, generated into the bindings), so the list, the
// tray and the notifications never disagree about what is broken.
import type { RecheckResult } from '../bindings/RecheckResult';
import type { StatusChange } from '../bindings/StatusChange';
import type { TokenView } from '../bindings/TokenView';
import type { Triage } from '../bindings/Triage';
import { statusTriage } from '../bindings/statusTriage';
import { hostOf } from './format';

/** Most urgent first, as `status::Triage` orders its variants. */
export const triageOrder: readonly Triage[] = ['broken', 'needs_fix', 'expires_soon', 'fine'];

function rank(token: TokenView): number {
  return triageOrder.indexOf(statusTriage[token.status]);
}

/** Days left as a number (ts-rs types an i64 as bigint; IPC sends a number). */
export function daysOf(token: TokenView): number | null {
  return token.days_left === null ? null : Number(token.days_left);
}

/**
 * Broken first, then what needs a fix, then by expiry (soonest first; no
 * expiry last), then by name. A new array: the overview stays as Rust sent it.
 */
export function triageSort(tokens: readonly TokenView[]): TokenView[] {
  return [...tokens].sort((a, b) => {
    const byGroup = rank(a) - rank(b);
    if (byGroup !== 0) return byGroup;
    const da = daysOf(a) ?? Number.POSITIVE_INFINITY;
    const db = daysOf(b) ?? Number.POSITIVE_INFINITY;
    if (da !== db) return da < db ? -1 : 1;
    return a.name.localeCompare(b.name);
  });
}

export type TriageCounts = Record<Triage, number>;

export function triageCounts(tokens: readonly TokenView[]): TriageCounts {
  const counts: TriageCounts = { broken: 0, needs_fix: 0, expires_soon: 0, fine: 0 };
  for (const token of tokens) counts[statusTriage[token.status]] += 1;
  return counts;
}

/** One part of the summary line ("2 need a fix"), which filters the list. */
export interface SummaryPart {
  triage: Triage;
  words: string;
}

/**
 * "1 broken · 2 need a fix · 2 expire within 14 days": the groups that need
 * the user, each only when it has tokens. Empty when all is well.
 */
export function summaryParts(counts: TriageCounts, expiresSoonDays: number): SummaryPart[] {
  const parts: SummaryPart[] = [];
  if (counts.broken > 0) parts.push({ triage: 'broken', words: `${counts.broken} broken` });
  if (counts.needs_fix > 0) {
    const verb = counts.needs_fix === 1 ? 'needs' : 'need';
    parts.push({ triage: 'needs_fix', words: `${counts.needs_fix} ${verb} a fix` });
  }
  if (counts.expires_soon > 0) {
    const verb = counts.expires_soon === 1 ? 'expires' : 'expire';
    parts.push({
      triage: 'expires_soon',
      words: `${counts.expires_soon} ${verb} within ${expiresSoonDays} days`,
    });
  }
  return parts;
}

/**
 * Whether a token matches what was typed in the search field: its name,
 * host, identity or description contain every word, in any case.
 */
export function matchesSearch(token: TokenView, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [
    token.name,
    token.host ?? '',
    hostOf(token.api_url),
    token.identity?.login ?? '',
    token.description,
  ]
    .join('\n')
    .toLowerCase();
  return words.every((word) => haystack.includes(word));
}

const changeWords: Record<StatusChange, (n: number) => string> = {
  stopped_working: (n) => `${n} stopped working`,
  needs_fix: (n) => `${n} ${n === 1 ? 'needs' : 'need'} a fix`,
  recovered: (n) => `${n} ${n === 1 ? 'works' : 'work'} again`,
};

/**
 * What a "Check all now" found, in one sentence: "Checked 12 tokens: 1
 * stopped working." The changes are the core's (`RecheckResult.change`).
 */
export function checkSummary(results: readonly RecheckResult[]): string {
  const n = results.length;
  const checked = `Checked ${n} ${n === 1 ? 'token' : 'tokens'}`;
  const counts = new Map<StatusChange, number>();
  for (const { change } of results) {
    if (change) counts.set(change, (counts.get(change) ?? 0) + 1);
  }
  const changes = (['stopped_working', 'needs_fix', 'recovered'] as const)
    .filter((change) => counts.has(change))
    .map((change) => changeWords[change](counts.get(change) ?? 0));
  const failed = results.filter((r) => r.error !== null).length;
  const parts = [...changes];
  if (failed > 0) {
    parts.push(`${failed} could not be checked: open ${failed === 1 ? 'it' : 'them'} to see why`);
  }
  if (parts.length === 0) return `${checked}: nothing changed.`;
  return `${checked}: ${parts.join('; ')}.`;
}

/** How far ahead the timeline looks, in days. */
export const TIMELINE_DAYS = 90;

/** A token's mark on the timeline: where (0–1 along it) and on which lane. */
export interface TimelineMark {
  token: TokenView;
  days: number;
  at: number;
  lane: number;
}

/**
 * The tokens expiring within the next `TIMELINE_DAYS` days (today
 * included), soonest first, each on the first lane where it does not
 * overlap its neighbour, so marks of the same week stay clickable.
 */
export function timelineMarks(tokens: readonly TokenView[], minGap = 0.04): TimelineMark[] {
  const due = tokens
    .map((token) => ({ token, days: daysOf(token) }))
    .filter(
      (t): t is { token: TokenView; days: number } =>
        t.days !== null && t.days >= 0 && t.days <= TIMELINE_DAYS,
    )
    .sort((a, b) => a.days - b.days || a.token.name.localeCompare(b.token.name));
  const laneEnds: number[] = [];
  return due.map(({ token, days }) => {
    const at = days / TIMELINE_DAYS;
    let lane = laneEnds.findIndex((end) => at - end >= minGap);
    if (lane === -1) lane = laneEnds.length;
    laneEnds[lane] = at;
    return { token, days, at, lane };
  });
}
