/**
 * The summary report of a summary state: shares, ranked lists cut to `top`, the funnel, SMS
 * directions told from the numbers, and the `--by` table. Pure: the state is not changed.
 */
import { impossible } from '../errors.js';
import { statusGroupOf } from '../schema/events.js';
import { attemptStatuses } from '../schema/names.js';
import { isoOf, utcIsoOf } from './instant.js';
import { NumberBook, numberKey } from './sms-direction.js';
import { type ReportedStatus, reportedStatuses, type SummaryDimension } from './summary-names.js';
import { compareKeys, countThenKey, percentOf, rankWithShares, restOf, shares, topOf } from './summary-rank.js';
import type {
  GroupTable,
  ReportedGroup,
  ReportedKind,
  Share,
  SummaryOptions,
  SummaryReport,
} from './summary-report.js';
import {
  type CampaignState,
  emptyGroup,
  type QuestionState,
  requestsOfSetKey,
  type SummaryState,
  unreadableOf,
} from './summary-state.js';

const finiteBound = 'a finite time bound has a readable time, so utcIsoOf returns a string for it';

// The --by phone row of the bare SMS whose numbers do not tell which is the customer's.
const unknownDirectionKey = '(SMS of unknown direction)';

type ReasonsOfStatus = SummaryReport['callComplete']['byReason'][keyof SummaryReport['callComplete']['byReason']];
type CampaignFunnel = SummaryReport['callComplete']['funnel']['rows'][number];
type Direction = ReturnType<NumberBook['direction']>;

/** The type a bare SMS is counted as once its direction is told (`SMS`: still unknown). */
function smsKindOf(direction: Direction): 'SMSSent' | 'SMSReceived' | 'SMS' {
  return direction === 'sent' ? 'SMSSent' : direction === 'received' ? 'SMSReceived' : 'SMS';
}

/** The `from` and `to` digits of a bare SMS's pair key, which joins them with one NUL (digits hold none). */
function pairNumbers(pair: string): [from: string, to: string] {
  const cut = pair.indexOf('\u0000');
  if (cut < 0) impossible('an SMS pair key holds a NUL');
  return [pair.slice(0, cut), pair.slice(cut + 1)];
}

/**
 * The groups' shares from the statuses': a group is the sum of its statuses, its share too (not
 * rounded again on its own), so no table shows the same calls as two different percentages.
 */
function groupShares(byStatus: Record<ReportedStatus, Share>): Record<ReportedGroup, Share> {
  const byGroup: Record<ReportedGroup, Share> = {
    Complete: { count: 0, percent: 0 },
    Failed: { count: 0, percent: 0 },
    Other: { count: 0, percent: 0 },
  };
  for (const status of reportedStatuses) {
    const group = byGroup[statusGroupOf(status) ?? 'Other'];
    group.count += byStatus[status].count;
    group.percent = Math.round((group.percent + byStatus[status].percent) * 10) / 10;
  }
  return byGroup;
}

/**
 * How many calls made a request type not among `kept`, from `requestSets`. Hint: a call that made
 * several of those left out is one call of the rest, not one for each (red team hT83).
 */
function callsLeftOut(requestSets: SummaryState['requestSets'], kept: readonly (readonly [string, number])[]): number {
  const shown = new Set(kept.map(([request]) => request));
  let calls = 0;
  for (const [key, count] of requestSets) {
    if (requestsOfSetKey(key).some((request) => !shown.has(request))) calls += count;
  }
  return calls;
}

/** The summary report of `state`, counted with `options`. */
export function summaryReportOf(state: SummaryState, options: SummaryOptions): SummaryReport {
  const top = options.top ?? 10;
  const numbers = new NumberBook(options.orgNumbers, state.customers);
  const directionOf = (pair: string): Direction => {
    const [from, to] = pairNumbers(pair);
    return numbers.direction(from, to);
  };
  const calls = state.byType.CallComplete;
  const byStatus = shares(reportedStatuses, state.byStatus);
  const byGroup = groupShares(byStatus);

  const byReason = {} as Record<(typeof reportedStatuses)[number], ReasonsOfStatus>;
  for (const status of reportedStatuses) {
    const ranked = rankWithShares(state.reasons.get(status) ?? new Map<string | null, number>(), top);
    byReason[status] = {
      calls: state.byStatus[status],
      rows: ranked.rows.map(({ key, count, percent }) => ({ reason: key, count, percent })),
      rest: ranked.rest,
    };
  }

  const keptCampaigns = topOf(state.campaigns, top, (a, b) => b[1].calls - a[1].calls || compareKeys(a[0], b[0]));
  const campaignRest = restOf(state.campaigns, keptCampaigns, (c) => c.calls);
  const rest = campaignRest && { keys: campaignRest.keys, calls: campaignRest.count };

  const keptRequests = topOf(state.requests, top, countThenKey);
  const requestRest = restOf(state.requests, keptRequests, (count) => count);

  const notes = rankWithShares(state.notes, top);
  const attempts = state.attemptsSuccess + state.attemptsFailed;
  const received = state.inbound + state.outboundCallback;
  const smsCounts = { sent: state.byType.SMSSent, received: state.byType.SMSReceived, unknown: 0, inferred: 0 };
  for (const [pair, count] of state.smsPairs) {
    const direction = directionOf(pair);
    if (direction === undefined) smsCounts.unknown += count;
    else {
      smsCounts[direction] += count;
      smsCounts.inferred += count;
    }
  }
  const smsShares = shares(['sent', 'received', 'unknownDirection'], {
    sent: smsCounts.sent,
    received: smsCounts.received,
    unknownDirection: smsCounts.unknown,
  });
  const attemptShares = shares(attemptStatuses, { success: state.attemptsSuccess, failed: state.attemptsFailed });
  const receivedShares = shares(['inbound', 'outboundCallback'], {
    inbound: state.inbound,
    outboundCallback: state.outboundCallback,
  });
  const by = options.by;

  return {
    schemaVersion: 1,
    files: state.files,
    stdin: state.stdin > 0,
    bytes: state.bytes,
    elements: state.elements,
    events: state.events,
    // A bare SMS is counted under the direction its numbers tell, as the sms section counts it.
    byType: { ...state.byType, SMSSent: smsCounts.sent, SMSReceived: smsCounts.received, SMS: smsCounts.unknown },
    duplicates: state.duplicates,
    invalid: state.invalid,
    undocumentedStatuses: state.undocumentedStatuses,
    inputErrors: state.inputErrors,
    unreadableFiles: [...state.unreadableFiles].map(unreadableOf),
    filteredOut: state.filteredOut,
    filters: {
      since: options.since === undefined ? null : isoOf(options.since),
      until: options.until === undefined ? null : isoOf(options.until),
      statuses: options.statuses ? [...options.statuses] : null,
    },
    timeRange: Number.isFinite(state.first.ms)
      ? {
          first: utcIsoOf(state.first.text, state.first.ms) ?? impossible(finiteBound),
          last: utcIsoOf(state.last.text, state.last.ms) ?? impossible(finiteBound),
        }
      : null,
    callComplete: {
      total: calls,
      byStatus,
      byGroup,
      byReason,
      byCampaign: {
        rows: keptCampaigns.map(([campaignId, c]) => ({
          campaignId,
          calls: c.calls,
          byStatus: shares(reportedStatuses, c.byStatus),
          humanSupportRequests: c.humanSupport,
        })),
        rest,
      },
      funnel: {
        rows: keptCampaigns.map(([campaignId, c]) => funnelOf(campaignId, c, top)),
        rest,
      },
      requests: {
        rows: keptRequests.map(([request, count]) => ({ request, calls: count })),
        rest: requestRest && { keys: requestRest.keys, calls: callsLeftOut(state.requestSets, keptRequests) },
      },
    },
    callAttempted: {
      total: attempts,
      success: attemptShares.success,
      failed: attemptShares.failed,
      byNote: {
        rows: notes.rows.map(({ key, count, percent }) => ({ note: key, count, percent })),
        rest: notes.rest,
      },
    },
    callReceived: {
      total: received,
      inbound: receivedShares.inbound,
      outboundCallback: receivedShares.outboundCallback,
    },
    sms: {
      total: smsCounts.sent + smsCounts.received + smsCounts.unknown,
      sent: smsShares.sent,
      received: smsShares.received,
      unknownDirection: smsShares.unknownDirection,
      inferred: smsCounts.inferred,
    },
    groups: by && by !== 'status' ? groupTable(state, by, directionOf, top) : null,
  };
}

/**
 * For `--by phone`, the bare SMS pairs by the row they are counted in, as `groupSmsPairs` holds
 * them for the other dimensions: their customer's number (`to` when sent, `from` when received, in
 * the spelling the calls gave it, as `+61…` and `61…` are one row), or one row of their own when
 * their direction stays unknown.
 */
function phoneSmsPairsOf(
  state: SummaryState,
  directionOf: (pair: string) => Direction,
): Map<string, Map<string, number>> {
  const customerOf = (pair: string) => {
    const direction = directionOf(pair);
    const [from, to] = pairNumbers(pair);
    return direction === 'sent' ? to : direction === 'received' ? from : unknownDirectionKey;
  };
  const numbers = new Set<string>();
  for (const pair of state.smsPairs.keys()) numbers.add(customerOf(pair));
  // Hint: only the SMS numbers are looked up, so only they are kept; a later spelling wins.
  const spelled = new Map<string, string>();
  if (numbers.size) {
    for (const key of state.groups.keys()) {
      const number = numberKey(key);
      if (numbers.has(number)) spelled.set(number, key);
    }
  }
  const rows = new Map<string, Map<string, number>>();
  for (const [pair, count] of state.smsPairs) {
    const number = customerOf(pair);
    const key = spelled.get(number) ?? number;
    let row = rows.get(key);
    if (!row) {
      row = new Map();
      rows.set(key, row);
    }
    row.set(pair, count);
  }
  return rows;
}

/**
 * The `--by` table, with every bare SMS counted under the type its direction tells, as the
 * report's own counts are: for `--by phone` in its customer's row (`phoneSmsPairsOf`), counted
 * there besides the calls, for the other dimensions in the group it was read in, already counted
 * in its events. Hint: ranking needs only each key's events, so only the kept rows are built, and
 * the rest is counted: `--by phone` over a million numbers builds ten.
 */
function groupTable(
  state: SummaryState,
  by: Exclude<SummaryDimension, 'status'>,
  directionOf: (pair: string) => Direction,
  top: number,
): GroupTable {
  const phone = by === 'phone';
  // Hint: a --by phone group holds no pairs of its own (see the accumulator).
  const smsPairs = phone ? phoneSmsPairsOf(state, directionOf) : state.groupSmsPairs;
  let keys = 0;
  let events = 0;
  const entryOf = (key: string): [key: string, events: number] => {
    let count = state.groups.get(key)?.events ?? 0;
    if (phone) for (const n of smsPairs.get(key)?.values() ?? []) count += n;
    keys++;
    events += count;
    return [key, count];
  };
  function* entries(): Generator<[key: string, events: number]> {
    for (const key of state.groups.keys()) yield entryOf(key);
    for (const key of smsPairs.keys()) if (!state.groups.has(key)) yield entryOf(key);
  }
  // Time keys read best in time order, and are never cut: a range is wanted whole.
  const timeOrdered = by === 'day' || by === 'hour';
  const kept = topOf(entries(), timeOrdered ? 0 : top, timeOrdered ? (a, b) => compareKeys(a[0], b[0]) : countThenKey);
  const keptEvents = kept.reduce((sum, [, count]) => sum + count, 0);
  return {
    by,
    rows: kept.map(([key, count]) => {
      const group = state.groups.get(key) ?? emptyGroup();
      const byType: Record<ReportedKind, number> = { ...group.byType, SMS: 0 };
      for (const [pair, n] of smsPairs.get(key) ?? []) byType[smsKindOf(directionOf(pair))] += n;
      const calls = byType.CallComplete;
      return {
        key,
        events: count,
        byType,
        byStatus: { ...group.byStatus },
        completeGroupPercent:
          calls === 0 ? null : groupShares(shares(reportedStatuses, group.byStatus)).Complete.percent,
        attemptsFailed: group.attemptsFailed,
      };
    }),
    rest: keys > kept.length ? { keys: keys - kept.length, events: events - keptEvents } : null,
  };
}

/**
 * The order of a funnel's questions: most reached first (a funnel narrows); of those reached by as
 * many calls, the one calls met after fewer steps on average first (the order of a flow), then by
 * text. Hint: of counts alone, not of the order events came in (a retried replay's capture), so
 * that one thread and two, and any order of the same events, list them the same way.
 */
function funnelOrder(
  [questionA, a]: readonly [string, QuestionState],
  [questionB, b]: readonly [string, QuestionState],
): number {
  return b.reached - a.reached || a.stepsBefore - b.stepsBefore || compareKeys(questionA, questionB);
}

function funnelOf(campaignId: string, campaign: CampaignState, top: number): CampaignFunnel {
  const kept = topOf(campaign.questions, top, funnelOrder);
  return {
    campaignId,
    calls: campaign.calls,
    partial: campaign.byStatus.Partial,
    steps: kept.map(([question, s]) => ({
      question,
      reached: s.reached,
      percent: percentOf(s.reached, campaign.calls),
      partialStops: s.partialStops,
    })),
    moreSteps: campaign.questions.size - kept.length,
  };
}
