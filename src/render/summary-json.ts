/**
 * The summary as JSON, in a module of its own: it needs none of the table, width and colour
 * libraries the other formats load, so `--format json` skips them; and the words every format
 * uses for the calls of an undocumented status.
 */
import type { SummaryReport } from '../core/summary.js';
import { toSafeJson } from './escape.js';

/** The report as JSON: the documented, stable shape of `SummaryReport`, with untrusted characters as `\uXXXX`. */
export function renderSummaryJson(report: SummaryReport): string {
  return `${toSafeJson(report)}\n`;
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
