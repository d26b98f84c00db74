/** The names `summarise` needs at start-up for `--help`, kept apart from core/summary.ts so they load no valibot. */
import { callStatuses } from '../schema/names.js';

/** The dimensions `--by` can group on; `status` is the default table of the csv format. */
export const summaryDimensions = ['status', 'campaign', 'day', 'hour', 'phone'] as const;
/** One of the `--by` dimensions. */
export type SummaryDimension = (typeof summaryDimensions)[number];

/** The statuses a report lists: the documented three, then `Other` for anything undocumented. */
export const reportedStatuses = [...callStatuses, 'Other'] as const;
/** A status row of a report. */
export type ReportedStatus = (typeof reportedStatuses)[number];
