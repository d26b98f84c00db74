import { describe, expect, it } from 'vitest';
import { summarise } from '../core/summary.js';
import { summaryDiagnostics } from './summarise.js';

describe('summarise diagnostics beside a machine-readable report', () => {
  // Hint: an undocumented status alone makes --strict exit 1, so stderr must say it, as the
  // pretty overview does; it said nothing under --format json or csv.
  const report = { ...summarise([]), undocumentedStatuses: 2 };

  it('names the calls with an undocumented status for json and csv, not for the formats whose overview does', () => {
    for (const format of ['json', 'csv'] as const) {
      expect(summaryDiagnostics(report, format, undefined), format).toEqual([
        '2 call(s) with an undocumented status, counted as Other',
      ]);
    }
    expect(summaryDiagnostics(report, 'pretty', undefined)).toEqual([]);
    expect(summaryDiagnostics(report, 'markdown', undefined)).toEqual([]);
    expect(summaryDiagnostics(summarise([]), 'json', undefined)).toEqual([]);
  });
});
