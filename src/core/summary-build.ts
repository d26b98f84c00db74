/**
 * The summary report of a summary state: shares, ranked lists cut to `top`, the funnel, SMS
 * directions told from the numbers, and the `--by` table. Pure: the state is not changed.
 */
import { impossible } from '../errors.js';
import { statusGroupOf } from '../schema/events.js';
import { isoOf, utcIsoOf } from './instant.js';
import { NumberBook, numberKey } from './sms-direction.js';
import { type ReportedStatus, reportedStatuses, type SummaryDimension } from './summary-names.js';
import { byCountThenKey, compareKeys, percentOf, rankWithShares, shares } from './summary-rank.js';
import type {
  GroupTable,
  ReportedGroup,
  ReportedKind,
  Share,
  SummaryOptions,
  SummaryReport,
} from './summary-report.js';
import { type CampaignState, emptyGroup, type GroupState, type SummaryState, unreadableOf } from './summary-state.js';

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

  const campaigns = [...state.campaigns].sort((a, b) => b[1].calls - a[1].calls || compareKeys(a[0], b[0]));
  const keptCampaigns = top > 0 ? campaigns.slice(0, top) : campaigns;
  const campaignRest = campaigns.length > keptCampaigns.length ? campaigns.slice(keptCampaigns.length) : [];
  const rest = campaignRest.length
    ? { keys: campaignRest.length, calls: campaignRest.reduce((sum, [, c]) => sum + c.calls, 0) }
    : null;

  const requests = byCountThenKey(state.requests);
  const keptRequests = top > 0 ? requests.slice(0, top) : requests;
  const requestRest = requests.slice(keptRequests.length);

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
  const attemptShares = shares(['success', 'failed'], { success: state.attemptsSuccess, failed: state.attemptsFailed });
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
        rest: requestRest.length
          ? { keys: requestRest.length, calls: requestRest.reduce((sum, [, count]) => sum + count, 0) }
          : null,
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
    groups: by && by !== 'status' ? groupTable(by, reportedGroupsOf(state, by, directionOf), top) : null,
  };
}

/** A `--by` group as reported: its counts with every bare SMS under the type its direction tells. */
interface ReportedGroupCounts {
  events: number;
  byType: Record<ReportedKind, number>;
  byStatus: GroupState['byStatus'];
  attemptsFailed: number;
}

/**
 * The `--by` groups with the bare SMS counted under the direction their numbers tell, as the
 * report's own counts are. For `--by phone` a bare SMS goes to its customer's number (`to` when
 * sent, `from` when received), or to one row of its own when its direction stays unknown; for the
 * other dimensions it stays in the group it was read in.
 */
function reportedGroupsOf(
  state: SummaryState,
  by: Exclude<SummaryDimension, 'status'>,
  directionOf: (pair: string) => Direction,
): Map<string, ReportedGroupCounts> {
  const groups = new Map<string, ReportedGroupCounts>();
  const reported = ({ events, byType, byStatus, attemptsFailed, smsPairs }: GroupState): ReportedGroupCounts => {
    const group = { events, byType: { ...byType, SMS: 0 }, byStatus: { ...byStatus }, attemptsFailed };
    for (const [pair, count] of smsPairs) group.byType[smsKindOf(directionOf(pair))] += count;
    return group;
  };
  // A bare SMS's number in the spelling the calls gave it (`+61…` and `61…` are one row).
  const spelled = new Map<string, string>();
  for (const [key, group] of state.groups) {
    groups.set(key, reported(group));
    spelled.set(numberKey(key), key);
  }
  if (by !== 'phone') return groups;
  for (const [pair, count] of state.smsPairs) {
    const direction = directionOf(pair);
    const [from, to] = pairNumbers(pair);
    const number = direction === 'sent' ? to : direction === 'received' ? from : unknownDirectionKey;
    const key = spelled.get(number) ?? number;
    let group = groups.get(key);
    if (!group) {
      group = reported(emptyGroup());
      groups.set(key, group);
    }
    group.events += count;
    group.byType[smsKindOf(direction)] += count;
  }
  return groups;
}

function groupTable(
  by: Exclude<SummaryDimension, 'status'>,
  groups: ReadonlyMap<string, ReportedGroupCounts>,
  top: number,
): GroupTable {
  const entries = [...groups];
  // Time keys read best in time order, and are never cut: a range is wanted whole.
  const timeOrdered = by === 'day' || by === 'hour';
  if (timeOrdered) entries.sort((a, b) => compareKeys(a[0], b[0]));
  else entries.sort((a, b) => b[1].events - a[1].events || compareKeys(a[0], b[0]));
  const kept = !timeOrdered && top > 0 ? entries.slice(0, top) : entries;
  const left = entries.slice(kept.length);
  return {
    by,
    rows: kept.map(([key, g]) => {
      const calls = g.byType.CallComplete;
      return {
        key,
        events: g.events,
        byType: { ...g.byType },
        byStatus: { ...g.byStatus },
        completeGroupPercent: calls === 0 ? null : groupShares(shares(reportedStatuses, g.byStatus)).Complete.percent,
        attemptsFailed: g.attemptsFailed,
      };
    }),
    rest: left.length ? { keys: left.length, events: left.reduce((sum, [, g]) => sum + g.events, 0) } : null,
  };
}

function funnelOf(campaignId: string, campaign: CampaignState, top: number): CampaignFunnel {
  // Most reached first (a funnel narrows); equal counts keep the order questions were first seen.
  const steps = [...campaign.questions].sort((a, b) => b[1].reached - a[1].reached);
  const kept = top > 0 ? steps.slice(0, top) : steps;
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
    moreSteps: steps.length - kept.length,
  };
}
