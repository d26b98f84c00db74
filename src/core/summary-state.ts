/**
 * The summary's counts, declared once: `summaryTally` is the whole state, and its type, its empty
 * value, merging, taking out and forgetting emptied keys all follow from it (see tally.ts). Adding
 * a counter is one line here (plus counting it in the accumulator and reporting it).
 *
 * Memory grows only with the number of distinct keys (campaigns, reasons, questions, notes,
 * request types, numbers, and the `--by` dimension's keys), never with the number of events.
 */
import type { UnreadableFile } from '../errors.js';
import { eventTypes } from '../schema/names.js';
import { type ReportedStatus, reportedStatuses } from './summary-names.js';
import { reportedKinds } from './summary-report.js';
import {
  addInto,
  count,
  counts,
  earliest,
  emptyOf,
  keyed,
  latest,
  members,
  negatedOf,
  pruneEmpty,
  shape,
  type ValueOf,
} from './tally.js';

/**
 * One question's counts in one campaign. `stepsBefore`: the steps each call that reached it took
 * before it (0 for its flow's first), summed; over `reached`, where calls meet it on average, the
 * funnel's tie-break (see `funnelOrder`). A sum, so that it is the same in any input order, and
 * merged and taken out exactly.
 */
const questionTally = shape({ reached: count, partialStops: count, stepsBefore: count });

/** One campaign's counts. */
export const campaignTally = shape({
  calls: count,
  byStatus: counts(reportedStatuses),
  /** Calls that asked for a human (`humanSupportRequest` in `requests`). */
  humanSupport: count,
  questions: keyed<string>()(questionTally),
});

/** One `--by` group's counts. */
const groupTally = shape({
  events: count,
  /** Events by type; a bare SMS is in `groupSmsPairs` until its direction can be told. */
  byType: counts(eventTypes),
  byStatus: counts(reportedStatuses),
  attemptsFailed: count,
});

/** An unreadable file as `unreadableFiles` holds it: a string, so that threads merge them as a set. */
export const unreadableKey = ({ file, line, column, message }: UnreadableFile) =>
  JSON.stringify([file, line, column, message]);

/** The file an `unreadableKey` names. */
export function unreadableOf(key: string): UnreadableFile {
  const [file, line, column, message] = JSON.parse(key) as [string, number, number, string];
  return { file, line, column, message };
}

/** Everything a summary counts. */
export const summaryTally = shape({
  files: count,
  /** Of `files`, stdin (named once, so 0 or 1). */
  stdin: count,
  bytes: count,
  elements: count,
  events: count,
  duplicates: count,
  invalid: count,
  undocumentedStatuses: count,
  inputErrors: count,
  /** Files read no further where they are not text, one each: `unreadableKey` of where and why. */
  unreadableFiles: members,
  filteredOut: count,
  /** When the earliest and latest counted events happened. */
  first: earliest,
  last: latest,
  byType: counts(reportedKinds),
  byStatus: counts(reportedStatuses),
  /** Reasons (`additionalInformation`, null when none) by status. */
  reasons: keyed<ReportedStatus>()(keyed<string | null>()(count)),
  campaigns: keyed<string>()(campaignTally),
  requests: keyed<string>()(count),
  /**
   * Calls that made any request, by the request types each made (see `requestSetKey`): the calls
   * behind the request types a ranked list leaves out, each counted once.
   */
  requestSets: keyed<string>()(count),
  attemptsSuccess: count,
  attemptsFailed: count,
  /** Failure notes of CallAttempted (null when none). */
  notes: keyed<string | null>()(count),
  inbound: count,
  outboundCallback: count,
  groups: keyed<string>()(groupTally),
  /**
   * Bare SMS of each `--by` group by pair of numbers, as `smsPairs` (`--by phone` keeps none here).
   * Hint: beside `groups`, not in each group, so that a group without any holds no Map (an empty
   * one in each of a million phone groups was 224 bytes each).
   */
  groupSmsPairs: keyed<string>()(keyed<string>()(count)),
  /** Customers' numbers (digits), from calls. */
  customers: members,
  /** Bare SMS counted, by `from` and `to` digits joined with a NUL: directions are told at the end. */
  smsPairs: keyed<string>()(count),
});

/** A summary's counts as plain data: what an accumulator holds and a worker thread sends back. */
export type SummaryState = ValueOf<typeof summaryTally>;
/** One campaign's counts. */
export type CampaignState = ValueOf<typeof campaignTally>;
/** One question's counts in one campaign. */
export type QuestionState = ValueOf<typeof questionTally>;
/** One `--by` group's counts. */
export type GroupState = ValueOf<typeof groupTally>;

/** A summary state before anything is counted. */
export function emptySummaryState(): SummaryState {
  return emptyOf(summaryTally);
}

/** A `--by` group's counts before anything is counted. */
export function emptyGroup(): GroupState {
  return emptyOf(groupTally);
}

/** Adds `from` (read after `into`) to `into` in place; `from` is consumed (its parts are adopted). */
export function addSummaryState(into: SummaryState, from: SummaryState): void {
  addInto(summaryTally, into, from);
}

/**
 * Takes `gone` out of `from`, in place: every count of `gone` subtracted, and the keys left at
 * zero forgotten. Bounds and sets stay: whoever takes out proves they are unchanged.
 */
export function takeOutSummaryState(from: SummaryState, gone: SummaryState): void {
  addInto(summaryTally, from, negatedOf(summaryTally, gone));
  pruneEmpty(summaryTally, from);
}

/** The key of `requestSets` for a call that made the request types `requests` (each once), in any order. */
export function requestSetKey(requests: Iterable<string>): string {
  return JSON.stringify([...requests].sort());
}

/** The request types a call counted under `key` in `requestSets` made. */
export function requestsOfSetKey(key: string): string[] {
  return JSON.parse(key) as string[];
}
