/**
 * The summary as JSON, in a module of its own: it needs none of the table, width and colour
 * libraries the other formats load, so `--format json` skips them.
 */
import type { SummaryReport } from '../core/summary.js';
import { toSafeJson } from './escape.js';

/** The report as JSON: the documented, stable shape of `SummaryReport`, with untrusted characters as `\uXXXX`. */
export function renderSummaryJson(report: SummaryReport): string {
  return `${toSafeJson(report)}\n`;
}
