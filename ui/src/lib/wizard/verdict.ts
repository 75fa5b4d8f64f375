// The problem codes that decide what a check means, in one place. They
// mirror `Verdict` in crates/tokenwarden-core/src/check/report.rs.
import type { CheckReport } from '../bindings/CheckReport';
import type { ProblemCode } from '../bindings/ProblemCode';

const UNUSABLE: ProblemCode[] = [
  'invalid_token',
  'expired',
  'provider_mismatch',
  'wrong_token_type',
  'insecure_url',
];
const NOT_CHECKED: ProblemCode[] = [
  'unreachable',
  'tls_error',
  'rate_limited',
  'unexpected_response',
];

const has = (report: CheckReport, codes: ProblemCode[]) =>
  report.problems.some((p) => codes.includes(p.code));

/** The token cannot be used at all (invalid, expired, another provider's or kind's, refused address). */
export const isUnusable = (report: CheckReport): boolean => has(report, UNUSABLE);

/** The provider could not be asked: the report says nothing about the token yet. */
export const wasNotChecked = (report: CheckReport): boolean => has(report, NOT_CHECKED);
