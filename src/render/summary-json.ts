/**
 * The summary as JSON, in a module of its own: it needs none of the table, width and colour
 * libraries the other formats load, so `--format json` skips them; and the words every format
 * uses for the calls of an undocumented status.
 */
import type { SummaryReport } from '../core/summary.js';
import { toSafeJsonPieces } from './escape.js';

/** How many rows of a table (or entries of a list) one piece of output holds at most (see `renderSummaryJsonParts`). */
export const rowsAPiece = 1000;

/**
 * The report as JSON, the documented, stable shape of `SummaryReport` with untrusted characters as
 * `\uXXXX`, in pieces that join into it, `rowsAPiece` entries at most a piece (see
 * `toSafeJsonPieces`): `--top 0` over a million phones or campaigns lists each.
 */
export function* renderSummaryJsonParts(report: SummaryReport): Generator<string> {
  yield* toSafeJsonPieces(report, rowsAPiece);
  yield '\n';
}

/**
 * What became of the calls of an undocumented status: `counted as Other`, or how many a filter
 * left out (they are still named: they are read whatever the filters, and fail `--strict`).
 */
export function undocumentedStatusFate(report: SummaryReport): string {
  const counted = report.callComplete.byStatus.Other.count;
  if (counted >= report.undocumentedStatuses) return 'counted as Other';
  if (counted === 0) return 'all filtered out';
  return `${counted} counted as Other, the rest filtered out`;
}
