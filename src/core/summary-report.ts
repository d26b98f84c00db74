/**
 * The summary report's types: what `summarise` returns and `--format json` prints as is, so its
 * shape is documented and stable. Also the closed sets its rows are listed by.
 */
import { exitCodeWithUnreadable, type UnreadableFile } from '../errors.js';
import type { EventKind } from '../schema/events.js';
import { eventTypes } from '../schema/names.js';
import type { ReportedGroup, ReportedStatus, SummaryDimension } from './summary-names.js';

export { type ReportedGroup, reportedGroups } from './summary-names.js';

/** The event kinds a report counts, in the order it lists them (`SMS`: direction unknown). */
export const reportedKinds = [...eventTypes, 'SMS'] as const satisfies readonly EventKind[];
/** An event kind a report counts. */
export type ReportedKind = (typeof reportedKinds)[number];

/** How to summarise. */
export interface SummaryOptions {
  /** Add a table grouped on this dimension (`status` adds none: the outcomes table is by status). */
  by?: SummaryDimension | undefined;
  /** How many rows ranked lists keep (reasons, campaigns, questions, notes, requests); 0 keeps all. */
  top?: number | undefined;
  /** Keep events that happened at or after this instant (ms since the epoch). */
  since?: number | undefined;
  /** Keep events that happened before this instant (ms since the epoch). */
  until?: number | undefined;
  /** Keep only CallComplete events with one of these statuses (`Other`: undocumented ones); drops other types. */
  statuses?: readonly ReportedStatus[] | undefined;
  /** The organisation's own numbers (`--org-number`): SMS from them were sent, to them received. */
  orgNumbers?: readonly string[] | undefined;
}

/** A count and its share of a whole, in percent with one decimal. */
export interface Share {
  count: number;
  percent: number;
}

/** The part of a ranked list that `top` left out. */
export interface Rest {
  /** How many distinct keys were left out. */
  keys: number;
  count: number;
  percent: number;
}

/** One reason (`additionalInformation`) of one status; `reason` is null when the event had none. */
interface ReasonRow extends Share {
  reason: string | null;
}

/** The reasons of one status, most frequent first. */
interface ReasonsOfStatus {
  calls: number;
  rows: ReasonRow[];
  rest: Rest | null;
}

/** One campaign's outcomes. */
interface CampaignRow {
  campaignId: string;
  calls: number;
  byStatus: Record<ReportedStatus, Share>;
  /** Calls that asked for a human (`humanSupportRequest` in `requests`). */
  humanSupportRequests: number;
}

/** One question of a campaign's drop-off funnel. */
interface FunnelStep {
  question: string;
  /** Calls whose flow reached this question. */
  reached: number;
  /** `reached` as a percentage of the campaign's calls (not a partition: these do not add up). */
  percent: number;
  /** Partial calls whose last step was this question. */
  partialStops: number;
}

/** One campaign's drop-off funnel: questions by how many calls reached them. */
interface CampaignFunnel {
  campaignId: string;
  calls: number;
  partial: number;
  steps: FunnelStep[];
  /** Questions that `top` left out. */
  moreSteps: number;
}

/** One request type and how many calls made it. */
interface RequestRow {
  request: string;
  calls: number;
}

/** One failure note of CallAttempted and how many attempts carried it; `note` is null when absent. */
interface NoteRow extends Share {
  note: string | null;
}

/** One row of the `--by` table. */
interface GroupRow {
  key: string;
  events: number;
  byType: Record<ReportedKind, number>;
  byStatus: Record<ReportedStatus, number>;
  /** The Complete group's share of the row's CallComplete events, or null when it has none. */
  completeGroupPercent: number | null;
  attemptsFailed: number;
}

/** The `--by` table. */
export interface GroupTable {
  by: Exclude<SummaryDimension, 'status'>;
  rows: GroupRow[];
  rest: { keys: number; events: number } | null;
}

/** The summary report; `--format json` prints it as is, so its shape is documented and stable. */
export interface SummaryReport {
  /** Bumped when a field changes meaning or goes away; new fields do not bump it. */
  schemaVersion: 1;
  files: number;
  /** Whether stdin (`<stdin>`) is one of the `files`. */
  stdin: boolean;
  bytes: number;
  /** Elements read, valid or not, before filters. */
  elements: number;
  /** Events counted: valid, not redelivered, kept by the filters. */
  events: number;
  byType: Record<ReportedKind, number>;
  /** Redeliveries dropped: events whose `id` an earlier event already had. */
  duplicates: number;
  /** Elements that are not valid events, skipped. */
  invalid: number;
  /**
   * CallComplete events whose one error is a status the platform does not document: counted
   * (as `Other`) rather than skipped, since a new status is news, not noise. Not in `invalid`.
   */
  undocumentedStatuses: number;
  /** Problems outside any element (e.g. a missing comma between two elements). */
  inputErrors: number;
  /**
   * The files read no further where they are not text (binary, compressed, UTF-16): where, and
   * why. What they held from there on is in no count.
   */
  unreadableFiles: UnreadableFile[];
  /** Valid events left out by `--since`, `--until` or `--status`. */
  filteredOut: number;
  /** The filters given (null for one not given): `--since` and `--until` as the UTC instants compared, to the millisecond; `--status`. */
  filters: { since: string | null; until: string | null; statuses: ReportedStatus[] | null };
  /** When the first and last counted events happened (UTC), or null when none was counted (with a readable time). */
  timeRange: { first: string; last: string } | null;
  callComplete: {
    total: number;
    byStatus: Record<ReportedStatus, Share>;
    byGroup: Record<ReportedGroup, Share>;
    byReason: Record<ReportedStatus, ReasonsOfStatus>;
    byCampaign: { rows: CampaignRow[]; rest: { keys: number; calls: number } | null };
    funnel: { rows: CampaignFunnel[]; rest: { keys: number; calls: number } | null };
    requests: { rows: RequestRow[]; rest: { keys: number; calls: number } | null };
  };
  callAttempted: {
    total: number;
    success: Share;
    failed: Share;
    /** Failure notes of the failed attempts, most frequent first. */
    byNote: { rows: NoteRow[]; rest: Rest | null };
  };
  callReceived: { total: number; inbound: Share; outboundCallback: Share };
  /**
   * SMS by direction: as typed (SMSSent, SMSReceived), or told from the numbers for a bare SMS
   * (`inferred` of them: to a number some call had as its phone, or from an `--org-number`, is
   * sent; the other way round, received); `unknownDirection` when the numbers do not tell.
   */
  sms: { total: number; sent: Share; received: Share; unknownDirection: Share; inferred: number };
  /** The `--by` table, or null without `--by` (or with `--by status`). */
  groups: GroupTable | null;
}

/**
 * The exit code a summary ends with: 2 when a file could not be read (it is not text), as for
 * any input that cannot be read; 1 when there was nothing to summarise (`nothingSummarised`), or
 * under `--strict` when anything failed validation (an undocumented status included, as
 * `validate` would fail it); else 0.
 */
export function summaryExitCode(report: SummaryReport, strict: boolean): number {
  const failed =
    nothingSummarised(report) || (strict && report.invalid + report.undocumentedStatuses + report.inputErrors > 0);
  return exitCodeWithUnreadable(failed ? 1 : 0, report.unreadableFiles.length);
}

/**
 * Whether the input held no event, only errors (an empty file or stdin holds no JSON value; or
 * every element was invalid): nothing was summarised, and the run fails as `validate` fails it.
 * Input of no events and no errors (`[]`) is a summary of zeros.
 */
export function nothingSummarised(report: SummaryReport): boolean {
  return report.elements === report.invalid && report.invalid + report.inputErrors > 0;
}
