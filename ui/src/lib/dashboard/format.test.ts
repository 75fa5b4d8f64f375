import { describe, expect, it } from 'vitest';
import {
  daysLeftWords,
  expirySourceWords,
  formatDate,
  formatDateTime,
  hostOf,
  kindName,
} from './format';

describe('daysLeftWords', () => {
  it.each([
    [12n, 'in 12 days'],
    [1n, 'in 1 day'],
    [0n, 'today'],
    [-1n, '1 day ago'],
    [-3n, '3 days ago'],
  ] as const)('says %s days as “%s”', (days, words) => {
    expect(daysLeftWords(days, 'provider')).toBe(words);
  });

  it('accepts the JSON number that actually crosses IPC', () => {
    expect(daysLeftWords(12, 'user')).toBe('in 12 days');
  });

  it('says when a token never expires or nobody knows', () => {
    expect(daysLeftWords(null, 'never')).toBe('never expires');
    expect(daysLeftWords(null, 'unknown')).toBe('expiry unknown');
    expect(daysLeftWords(null, 'provider')).toBe('expiry unknown');
  });
});

describe('hostOf', () => {
  it('keeps the host (and port) of an API base', () => {
    expect(hostOf('https://api.github.com')).toBe('api.github.com');
    expect(hostOf('https://gitlab.example.com/api/v4')).toBe('gitlab.example.com');
    expect(hostOf('http://127.0.0.1:8080/api/v3')).toBe('127.0.0.1:8080');
  });

  it('shows the address itself when it is not a URL', () => {
    expect(hostOf('not a url')).toBe('not a url');
  });
});

describe('dates', () => {
  it('shows an expiry as YYYY-MM-DD in UTC, as the vault counts days', () => {
    expect(formatDate('2025-07-01T00:00:00Z')).toBe('2025-07-01');
    expect(formatDate('2025-12-31T23:59:59Z')).toBe('2025-12-31');
    expect(formatDate('garbage')).toBe('garbage');
  });

  it('shows a moment as YYYY-MM-DD HH:MM in local time', () => {
    expect(formatDateTime('2025-06-01T12:00:00Z')).toMatch(/^2025-06-0[12] \d\d:\d\d$/);
    const local = new Date(2025, 5, 1, 9, 5);
    expect(formatDateTime(local.toISOString())).toBe('2025-06-01 09:05');
  });
});

describe('words', () => {
  it('names token kinds and where an expiry came from', () => {
    expect(kindName('fine-grained')).toBe('Fine-grained personal access token');
    expect(kindName(null)).toBe('Token');
    expect(expirySourceWords('provider', 'github')).toBe('as GitHub reports it');
    expect(expirySourceWords('user', 'bitbucket')).toBe('as you entered it');
    expect(expirySourceWords('unknown', 'bitbucket')).toBe('Bitbucket did not report it');
  });
});
