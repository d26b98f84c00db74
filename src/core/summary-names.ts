/** The names `summarise` needs at start-up for `--help`, kept apart from core/summary.ts so they load no valibot. */
import { callStatuses, type StatusGroup, statusGroups } from '../schema/names.js';

/** The dimensions `--by` can group on; `status` is the default table of the csv format. */
export const summaryDimensions = ['status', 'campaign', 'day', 'hour', 'phone'] as const;
/** One of the `--by` dimensions. */
export type SummaryDimension = (typeof summaryDimensions)[number];

/** The statuses a report lists: the documented three, then `Other` for anything undocumented. */
export const reportedStatuses = [...callStatuses, 'Other'] as const;
/** A status row of a report. */
export type ReportedStatus = (typeof reportedStatuses)[number];

/** A status group row of a report. */
export type ReportedGroup = StatusGroup | 'Other';
/** The status groups a report lists: the documented ones, then `Other` for undocumented statuses. */
export const reportedGroups: readonly ReportedGroup[] = [...(Object.keys(statusGroups) as StatusGroup[]), 'Other'];
/** A status group as `show --group` takes it, in lower case. */
export type StatusGroupChoice = Lowercase<ReportedGroup>;
/** The status groups `show --group` takes (`other`: a status the platform does not document). */
export const statusGroupChoices = reportedGroups.map((group) => group.toLowerCase() as StatusGroupChoice);
