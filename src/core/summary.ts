/**
 * The summary of a stream of webhook events: outcomes, reasons, campaigns, drop-off, requests,
 * attempts and contacts. Pure: records go in one at a time, a plain report comes out.
 *
 * The parts, each in its own module: the report's types (summary-report.ts), the counts as one
 * declared plain state with its merge (summary-state.ts), counting records into it
 * (summary-accumulator.ts), ranking (summary-rank.ts) and turning a state into the report
 * (summary-build.ts). This module gathers what callers use.
 */
import type { InputRecord } from '../input/types.js';
import { SummaryAccumulator } from './summary-accumulator.js';
import type { SummaryOptions, SummaryReport } from './summary-report.js';

export { SummaryAccumulator } from './summary-accumulator.js';
export { type ReportedStatus, reportedStatuses, type SummaryDimension } from './summary-names.js';
export { largestRemainderPercents } from './summary-rank.js';
export {
  type GroupTable,
  nothingSummarised,
  type ReportedGroup,
  reportedGroups,
  type Share,
  type SummaryOptions,
  type SummaryReport,
  summaryExitCode,
} from './summary-report.js';
export type { SummaryState } from './summary-state.js';

/** Summarises records in one go: convenient for tests and small inputs. */
export function summarise(records: Iterable<InputRecord>, options: SummaryOptions = {}): SummaryReport {
  const summary = new SummaryAccumulator(options);
  for (const record of records) summary.add(record);
  return summary.report();
}
