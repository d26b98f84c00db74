/**
 * The summary of a stream of webhook events: outcomes, reasons, campaigns, drop-off, requests,
 * attempts and contacts. Pure: records go in one at a time, a plain report comes out.
 *
 * Memory grows only with the number of distinct keys (campaigns, reasons, questions, notes,
 * request types, and the `--by` dimension's keys), never with the number of events: nothing
 * per event is kept once it has been counted.
 */
import type { InputRecord } from '../input/types.js';
import {
  type CallCompleteData,
  type CallStatus,
  callStatuses,
  type EventKind,
  eventTime,
  statusGroupOf,
  type WebhookEvent,
} from '../schema/events.js';
import { instantOf, utcIsoOf } from './instant.js';
import { NumberBook, numberKey } from './sms-direction.js';
import { type ReportedStatus, reportedStatuses, type SummaryDimension } from './summary-names.js';

export { type ReportedStatus, reportedStatuses, type SummaryDimension } from './summary-names.js';

/** The status groups a report lists: the documented two, then `Other` for undocumented statuses. */
export const reportedGroups = ['Complete', 'Failed', 'Other'] as const;
/** A status group row of a report. */
export type ReportedGroup = (typeof reportedGroups)[number];

/** The event kinds a report counts, in the order it lists them (`SMS`: direction unknown). */
const reportedKinds = [
  'CallComplete',
  'CallAttempted',
  'CallReceived',
  'SMSSent',
  'SMSReceived',
  'SMS',
] as const satisfies readonly EventKind[];

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
interface Rest {
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
  byType: Record<(typeof reportedKinds)[number], number>;
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
  bytes: number;
  /** Elements read, valid or not, before filters. */
  elements: number;
  /** Events counted: valid, not redelivered, kept by the filters. */
  events: number;
  byType: Record<(typeof reportedKinds)[number], number>;
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
  /** Valid events left out by `--since`, `--until` or `--status`. */
  filteredOut: number;
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
 * Rounds the shares of `counts` to `decimals` places so that they add up to exactly 100 (when the
 * total is not 0): largest-remainder rounding, ties to the larger count, then to the earlier row.
 */
export function largestRemainderPercents(counts: readonly number[], decimals = 1): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return counts.map(() => 0);
  const unit = 10 ** decimals;
  const scale = 100 * unit;
  // Hint: remainders in integers (count × scale mod total), not as fractions of floats, so that
  // equal shares tie exactly (4/6 and 1/6 both leave 4000 mod 6 = 1000 mod 6 = 4).
  const remainders = counts.map((count) => (count * scale) % total);
  const units = counts.map((count, i) => (count * scale - remainders[i]!) / total);
  let left = scale - units.reduce((a, b) => a + b, 0);
  const order = counts
    .map((_, i) => i)
    .sort((a, b) => remainders[b]! - remainders[a]! || counts[b]! - counts[a]! || a - b);
  for (const i of order) {
    if (left <= 0) break;
    units[i]!++;
    left--;
  }
  return units.map((u) => u / unit);
}

/** Percent of a part that is not a partition (e.g. calls reaching a question), one decimal. */
function percentOf(count: number, total: number): number {
  return total === 0 ? 0 : Math.round((count * 1000) / total) / 10;
}

function shares<K extends string>(keys: readonly K[], counts: Record<K, number>): Record<K, Share> {
  const percents = largestRemainderPercents(keys.map((k) => counts[k]));
  const out = {} as Record<K, Share>;
  keys.forEach((key, i) => {
    out[key] = { count: counts[key], percent: percents[i]! };
  });
  return out;
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of keys) out[key] = 0;
  return out;
}

/** Most frequent first, then by key, so that equal counts list the same way every run. */
function byCountThenKey<T>(entries: Iterable<[T, number]>): [T, number][] {
  return [...entries].sort((a, b) => b[1] - a[1] || compareKeys(a[0], b[0]));
}

function compareKeys(a: unknown, b: unknown): number {
  // null (no reason, no note) sorts last among equals.
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return String(a) < String(b) ? -1 : 1;
}

/**
 * Ranks a count map and keeps `top` rows; the rest is folded into one row so that the
 * percentages shown (the kept rows and the rest) still add up to 100.
 */
function rankWithShares<T>(
  counts: Map<T, number>,
  top: number,
): { rows: { key: T; count: number; percent: number }[]; rest: Rest | null } {
  const sorted = byCountThenKey(counts);
  const kept = top > 0 ? sorted.slice(0, top) : sorted;
  const left = sorted.slice(kept.length);
  const restCount = left.reduce((sum, [, count]) => sum + count, 0);
  const percents = largestRemainderPercents([...kept.map(([, count]) => count), ...(left.length ? [restCount] : [])]);
  return {
    rows: kept.map(([key, count], i) => ({ key, count, percent: percents[i]! })),
    rest: left.length ? { keys: left.length, count: restCount, percent: percents[kept.length]! } : null,
  };
}

function increment<T>(map: Map<T, number>, key: T, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Maps a status to its report row: the documented three, or `Other`. */
function reportedStatusOf(status: string): ReportedStatus {
  return (callStatuses as readonly string[]).includes(status) ? (status as CallStatus) : 'Other';
}

/** One campaign's counts while reading. */
interface CampaignState {
  calls: number;
  byStatus: Record<ReportedStatus, number>;
  humanSupport: number;
  // Insertion order is the order questions were first seen: the tie-break of the funnel.
  questions: Map<string, { reached: number; partialStops: number }>;
}

/** An accumulator's counts as plain data (`SummaryAccumulator.state`), for `merge`. */
export interface SummaryState {
  files: number;
  bytes: number;
  elements: number;
  events: number;
  duplicates: number;
  invalid: number;
  undocumentedStatuses: number;
  inputErrors: number;
  filteredOut: number;
  first: number;
  firstText: string;
  last: number;
  lastText: string;
  byType: Record<(typeof reportedKinds)[number], number>;
  byStatus: Record<ReportedStatus, number>;
  reasons: Map<ReportedStatus, Map<string | null, number>>;
  campaigns: Map<string, CampaignState>;
  requests: Map<string, number>;
  attemptsSuccess: number;
  attemptsFailed: number;
  notes: Map<string | null, number>;
  inbound: number;
  outboundCallback: number;
  groups: Map<string, GroupState>;
  /** Customers' numbers (digits), from calls. */
  customers: Set<string>;
  /** Bare SMS counted, by `from` and `to` digits joined with a NUL: directions are told at the end. */
  smsPairs: Map<string, number>;
}

function addCounts<K extends string>(into: Record<K, number>, from: Record<K, number>): void {
  for (const key of Object.keys(from) as K[]) into[key] += from[key];
}

/** A copy of counts (numbers, records and maps of them) with every number negated; text kept. */
function negatedCounts(value: unknown): unknown {
  if (typeof value === 'number') return -value;
  // A set holds no counts (the customers' numbers): a copy taken out leaves it as it is.
  if (value instanceof Set) return new Set();
  if (value instanceof Map) return new Map([...value].map(([key, inner]) => [key, negatedCounts(inner)]));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, negatedCounts(inner)]));
  }
  return value;
}

/** Deletes the entries of `map` whose count (as `countOf` reads it) is 0. */
function dropZeros<K, V>(map: Map<K, V>, countOf: (value: V) => number): void {
  for (const [key, value] of map) if (countOf(value) === 0) map.delete(key);
}

/** One --by group's counts while reading. */
interface GroupState {
  events: number;
  byType: Record<(typeof reportedKinds)[number], number>;
  byStatus: Record<ReportedStatus, number>;
  attemptsFailed: number;
}

const humanSupportRequest = 'humanSupportRequest';
// The --by day/hour key of an event whose time cannot be read (the schema makes this unlikely).
const unknownTime = '(unknown time)';

// The --by phone row of the bare SMS whose numbers do not tell which is the customer's.
const unknownDirectionKey = '(SMS of unknown direction)';

function smsPairKey(from: string, to: string): string {
  return `${numberKey(from)}\u0000${numberKey(to)}`;
}

function groupOf(groups: Map<string, GroupState>, key: string): GroupState {
  let group = groups.get(key);
  if (!group) {
    group = { events: 0, byType: zeros(reportedKinds), byStatus: zeros(reportedStatuses), attemptsFailed: 0 };
    groups.set(key, group);
  }
  return group;
}

/** Counts one more call reaching `question`. */
function reach(questions: CampaignState['questions'], question: string): void {
  const step = questions.get(question);
  if (step) step.reached++;
  else questions.set(question, { reached: 1, partialStops: 0 });
}

/**
 * Counts records one at a time; `report()` returns the summary so far. One instance per run:
 * feed it every record `readRecords` yields, in order.
 */
export class SummaryAccumulator {
  readonly #by: SummaryDimension | undefined;
  readonly #top: number;
  readonly #since: number;
  readonly #until: number;
  readonly #statuses: ReadonlySet<ReportedStatus> | undefined;

  #files = 0;
  #bytes = 0;
  #elements = 0;
  #events = 0;
  #duplicates = 0;
  #invalid = 0;
  #undocumentedStatuses = 0;
  #inputErrors = 0;
  #filteredOut = 0;
  #first = Number.POSITIVE_INFINITY;
  #firstText = '';
  #last = Number.NEGATIVE_INFINITY;
  #lastText = '';
  readonly #byType = zeros(reportedKinds);
  readonly #byStatus = zeros(reportedStatuses);
  readonly #reasons = new Map<ReportedStatus, Map<string | null, number>>();
  readonly #campaigns = new Map<string, CampaignState>();
  readonly #requests = new Map<string, number>();
  #attemptsSuccess = 0;
  #attemptsFailed = 0;
  readonly #notes = new Map<string | null, number>();
  #inbound = 0;
  #outboundCallback = 0;
  readonly #groups = new Map<string, GroupState>();
  readonly #options: SummaryOptions;
  // Hint: an SMS may come before the call that shows whose number it went to, so bare SMS are
  // counted per pair of numbers and their direction told at the end; both grow with numbers only.
  readonly #numbers: NumberBook;
  readonly #smsPairs = new Map<string, number>();

  constructor(options: SummaryOptions = {}) {
    this.#options = options;
    this.#numbers = new NumberBook(options.orgNumbers);
    this.#by = options.by;
    this.#top = options.top ?? 10;
    this.#since = options.since ?? Number.NEGATIVE_INFINITY;
    this.#until = options.until ?? Number.POSITIVE_INFINITY;
    this.#statuses = options.statuses?.length ? new Set(options.statuses) : undefined;
  }

  /** Counts one record of the input stream. */
  add(record: InputRecord): void {
    switch (record.kind) {
      case 'event':
        this.#elements++;
        // Hint: a redelivery is dropped before the filters, so `duplicates` does not depend on them.
        if (record.duplicate) this.#duplicates++;
        else {
          this.#noteCustomer(record.event);
          this.addEvent(record.event);
        }
        return;
      case 'invalid': {
        this.#elements++;
        const call = undocumentedStatusCall(record);
        if (call) {
          this.#undocumentedStatuses++;
          this.#noteCustomer(call);
          this.addEvent(call);
        } else this.#invalid++;
        return;
      }
      case 'problem':
        if (record.problem.severity === 'error') this.#inputErrors++;
        return;
      case 'file-start':
        this.#files++;
        return;
      case 'file-end':
        this.#bytes += record.bytes;
        return;
    }
  }

  #noteCustomer(event: WebhookEvent): void {
    if (event.type === 'CallComplete' || event.type === 'CallAttempted' || event.type === 'CallReceived') {
      this.#numbers.addCustomer(event.data.phone);
    }
  }

  /** Counts one valid event that is not a redelivery (the filters still apply). */
  addEvent(event: WebhookEvent): void {
    const time = eventTime(event);
    const ms = instantOf(time);
    const status = event.type === 'CallComplete' ? reportedStatusOf(event.data.status) : undefined;
    if (
      ms < this.#since ||
      ms >= this.#until ||
      (this.#statuses && (status === undefined || !this.#statuses.has(status)))
    ) {
      this.#filteredOut++;
      return;
    }

    this.#events++;
    this.#byType[event.type]++;
    if (ms < this.#first) {
      this.#first = ms;
      this.#firstText = time;
    }
    if (ms > this.#last) {
      this.#last = ms;
      this.#lastText = time;
    }

    switch (event.type) {
      case 'CallComplete':
        this.#addCall(event.data, status!);
        break;
      case 'CallAttempted':
        if (event.data.status === 'success') this.#attemptsSuccess++;
        else {
          this.#attemptsFailed++;
          increment(this.#notes, event.data.note ?? null);
        }
        break;
      case 'CallReceived':
        if (event.data.type === 'inbound') this.#inbound++;
        else this.#outboundCallback++;
        break;
      case 'SMS':
        increment(this.#smsPairs, smsPairKey(event.data.from, event.data.to));
        // Its customer's number is known only at the end: see #phoneGroups.
        if (this.#by === 'phone') return;
        break;
      default:
        break;
    }
    if (this.#by && this.#by !== 'status') this.#addToGroup(event, time, ms, status);
  }

  #addCall(data: CallCompleteData, status: ReportedStatus): void {
    this.#byStatus[status]++;

    let reasons = this.#reasons.get(status);
    if (!reasons) {
      reasons = new Map();
      this.#reasons.set(status, reasons);
    }
    increment(reasons, data.additionalInformation ?? null);

    let campaign = this.#campaigns.get(data.campaignId);
    if (!campaign) {
      campaign = { calls: 0, byStatus: zeros(reportedStatuses), humanSupport: 0, questions: new Map() };
      this.#campaigns.set(data.campaignId, campaign);
    }
    campaign.calls++;
    campaign.byStatus[status]++;

    // A request type counts once per call, however many times the call made it.
    const requests = data.requests.length > 1 ? new Set(data.requests) : data.requests;
    for (const request of requests) {
      increment(this.#requests, request);
      if (request === humanSupportRequest) campaign.humanSupport++;
    }

    // A call reached every question of its flow, and its lastStepName even when the flow
    // (inconsistently) does not end there; a question asked twice is reached once.
    const questions = campaign.questions;
    const flow = data.flow;
    for (let i = 0; i < flow.length; i++) {
      const name = flow[i]!.questionName;
      // Hint: flows are a handful of steps, so looking back beats allocating a Set per call.
      let asked = false;
      for (let j = 0; j < i && !asked; j++) asked = flow[j]!.questionName === name;
      if (!asked) reach(questions, name);
    }
    const last = flow.at(-1)?.questionName;
    const stop = data.lastStepName ?? last ?? null;
    if (stop !== null && stop !== last && !flow.some((step) => step.questionName === stop)) reach(questions, stop);
    if (status === 'Partial' && stop !== null) questions.get(stop)!.partialStops++;
  }

  #addToGroup(event: WebhookEvent, time: string, ms: number, status: ReportedStatus | undefined): void {
    let key: string;
    switch (this.#by) {
      case 'campaign':
        key = event.data.campaignId;
        break;
      case 'day':
        key = utcIsoOf(time, ms)?.slice(0, 10) ?? unknownTime;
        break;
      case 'hour': {
        const iso = utcIsoOf(time, ms);
        key = iso ? `${iso.slice(0, 13)}:00Z` : unknownTime;
        break;
      }
      default:
        // The customer's number: the callee or caller of a call, the other end of a typed SMS
        // (a bare SMS waits for the end, when its direction can be told).
        if (event.type === 'CallComplete' || event.type === 'CallAttempted' || event.type === 'CallReceived') {
          key = event.data.phone;
        } else key = event.type === 'SMSReceived' ? event.data.from : event.data.to;
    }
    const group = groupOf(this.#groups, key);
    group.events++;
    group.byType[event.type]++;
    if (status) group.byStatus[status]++;
    if (event.type === 'CallAttempted' && event.data.status === 'failed') group.attemptsFailed++;
  }

  /** Everything counted so far, as plain data another thread can send back (see `merge`). */
  state(): SummaryState {
    return {
      files: this.#files,
      bytes: this.#bytes,
      elements: this.#elements,
      events: this.#events,
      duplicates: this.#duplicates,
      invalid: this.#invalid,
      undocumentedStatuses: this.#undocumentedStatuses,
      inputErrors: this.#inputErrors,
      filteredOut: this.#filteredOut,
      first: this.#first,
      firstText: this.#firstText,
      last: this.#last,
      lastText: this.#lastText,
      byType: this.#byType,
      byStatus: this.#byStatus,
      reasons: this.#reasons,
      campaigns: this.#campaigns,
      requests: this.#requests,
      attemptsSuccess: this.#attemptsSuccess,
      attemptsFailed: this.#attemptsFailed,
      notes: this.#notes,
      inbound: this.#inbound,
      outboundCallback: this.#outboundCallback,
      groups: this.#groups,
      customers: this.#numbers.customers,
      smsPairs: this.#smsPairs,
    };
  }

  /**
   * Adds the counts of another accumulator (with the same options) that read the records right
   * after this one's: the report is then the one a single accumulator reading both would give,
   * first-seen orders (the tie-breaks) included.
   */
  merge(other: SummaryState): void {
    this.#files += other.files;
    this.#bytes += other.bytes;
    this.#elements += other.elements;
    this.#events += other.events;
    this.#duplicates += other.duplicates;
    this.#invalid += other.invalid;
    this.#undocumentedStatuses += other.undocumentedStatuses;
    this.#inputErrors += other.inputErrors;
    this.#filteredOut += other.filteredOut;
    // Strict comparisons: on a tie the earlier reader's text stays, as it would in one pass.
    if (other.first < this.#first) {
      this.#first = other.first;
      this.#firstText = other.firstText;
    }
    if (other.last > this.#last) {
      this.#last = other.last;
      this.#lastText = other.lastText;
    }
    addCounts(this.#byType, other.byType);
    addCounts(this.#byStatus, other.byStatus);
    for (const [status, reasons] of other.reasons) {
      const mine = this.#reasons.get(status);
      if (mine) for (const [reason, count] of reasons) increment(mine, reason, count);
      else this.#reasons.set(status, reasons);
    }
    for (const [id, campaign] of other.campaigns) {
      const mine = this.#campaigns.get(id);
      if (!mine) {
        this.#campaigns.set(id, campaign);
        continue;
      }
      mine.calls += campaign.calls;
      mine.humanSupport += campaign.humanSupport;
      addCounts(mine.byStatus, campaign.byStatus);
      for (const [question, step] of campaign.questions) {
        const known = mine.questions.get(question);
        if (known) {
          known.reached += step.reached;
          known.partialStops += step.partialStops;
        } else mine.questions.set(question, step);
      }
    }
    for (const [request, count] of other.requests) increment(this.#requests, request, count);
    this.#attemptsSuccess += other.attemptsSuccess;
    this.#attemptsFailed += other.attemptsFailed;
    for (const [note, count] of other.notes) increment(this.#notes, note, count);
    this.#inbound += other.inbound;
    this.#outboundCallback += other.outboundCallback;
    for (const phone of other.customers) this.#numbers.customers.add(phone);
    for (const [pair, count] of other.smsPairs) increment(this.#smsPairs, pair, count);
    for (const [key, group] of other.groups) {
      const mine = this.#groups.get(key);
      if (!mine) {
        this.#groups.set(key, group);
        continue;
      }
      mine.events += group.events;
      mine.attemptsFailed += group.attemptsFailed;
      addCounts(mine.byType, group.byType);
      addCounts(mine.byStatus, group.byStatus);
    }
  }

  /**
   * `merge`, when some events the other accumulator counted first were redeliveries of events this
   * one had counted (another thread read them; their ids were seen on both sides): they are taken
   * out of its counts and counted as redeliveries, as one accumulator reading both would have.
   * Returns false, merging nothing, in the rare case where taking them out cannot be proved to give
   * that same report (see `#exactWithout`); the caller then reads the other part itself.
   */
  mergeWithout(other: SummaryState, redeliveries: readonly WebhookEvent[]): boolean {
    const removed = new SummaryAccumulator(this.#options);
    for (const event of redeliveries) removed.addEvent(event);
    const gone = removed.state();
    if (!this.#exactWithout(other, gone)) return false;
    this.merge(other);
    // Hint: taking out is merging the negated counts, so that a counter added to `merge` is taken
    // out too. The bounds are left alone (`#exactWithout` proved them unchanged).
    const negated = negatedCounts(gone) as SummaryState;
    negated.first = Number.POSITIVE_INFINITY;
    negated.last = Number.NEGATIVE_INFINITY;
    negated.duplicates = redeliveries.length;
    this.merge(negated);
    this.#dropEmptyKeys();
    return true;
  }

  /**
   * Whether taking `gone` (counted by `other`) out of `other` before merging it gives the report of
   * one pass. Sums can always be taken out; two things depend on more than sums. The time range:
   * when the earliest (latest) of `other`'s events was one taken out and was earlier (later) than
   * all of this accumulator's, the next one is unknown. The funnel's tie-break, the order questions
   * were first seen: a question this one has not seen is placed where `other` first saw it, and if
   * that was in an event taken out, its true place is unknown; it matters only when the question's
   * count ties that of another question new to this one in the campaign.
   */
  #exactWithout(other: SummaryState, gone: SummaryState): boolean {
    if (gone.first === other.first && other.first < this.#first) return false;
    if (gone.last === other.last && other.last > this.#last) return false;
    const reached = (campaign: CampaignState | undefined, question: string) =>
      campaign?.questions.get(question)?.reached ?? 0;
    for (const [id, goneCampaign] of gone.campaigns) {
      const mine = this.#campaigns.get(id);
      const theirs = other.campaigns.get(id);
      for (const question of goneCampaign.questions.keys()) {
        if (mine?.questions.has(question)) continue;
        const left = reached(theirs, question) - reached(goneCampaign, question);
        if (left === 0) continue;
        // Hint: this one's questions come first either way; only those new to it can swap with it.
        for (const name of theirs?.questions.keys() ?? []) {
          if (name === question || mine?.questions.has(name)) continue;
          if (reached(theirs, name) - reached(goneCampaign, name) === left) return false;
        }
      }
    }
    return true;
  }

  /** Forgets the keys whose counts were all taken out: one pass would never have seen them. */
  #dropEmptyKeys(): void {
    for (const reasons of this.#reasons.values()) dropZeros(reasons, (count) => count);
    dropZeros(this.#campaigns, (campaign) => campaign.calls);
    for (const campaign of this.#campaigns.values()) dropZeros(campaign.questions, (step) => step.reached);
    dropZeros(this.#requests, (count) => count);
    dropZeros(this.#notes, (count) => count);
    dropZeros(this.#groups, (group) => group.events);
    dropZeros(this.#smsPairs, (count) => count);
  }

  /** The summary of everything counted so far. */
  report(): SummaryReport {
    const top = this.#top;
    const calls = this.#byType.CallComplete;
    const groupCounts: Record<ReportedGroup, number> = { Complete: 0, Failed: 0, Other: 0 };
    for (const status of reportedStatuses) groupCounts[statusGroupOf(status) ?? 'Other'] += this.#byStatus[status];

    const byReason = {} as Record<ReportedStatus, ReasonsOfStatus>;
    for (const status of reportedStatuses) {
      const ranked = rankWithShares(this.#reasons.get(status) ?? new Map<string | null, number>(), top);
      byReason[status] = {
        calls: this.#byStatus[status],
        rows: ranked.rows.map(({ key, count, percent }) => ({ reason: key, count, percent })),
        rest: ranked.rest,
      };
    }

    const campaigns = [...this.#campaigns].sort((a, b) => b[1].calls - a[1].calls || compareKeys(a[0], b[0]));
    const keptCampaigns = top > 0 ? campaigns.slice(0, top) : campaigns;
    const campaignRest = campaigns.length > keptCampaigns.length ? campaigns.slice(keptCampaigns.length) : [];
    const rest = campaignRest.length
      ? { keys: campaignRest.length, calls: campaignRest.reduce((sum, [, c]) => sum + c.calls, 0) }
      : null;

    const requests = byCountThenKey(this.#requests);
    const keptRequests = top > 0 ? requests.slice(0, top) : requests;
    const requestRest = requests.slice(keptRequests.length);

    const notes = rankWithShares(this.#notes, top);
    const attempts = this.#attemptsSuccess + this.#attemptsFailed;
    const received = this.#inbound + this.#outboundCallback;
    const smsCounts = { sent: this.#byType.SMSSent, received: this.#byType.SMSReceived, unknown: 0, inferred: 0 };
    for (const [pair, count] of this.#smsPairs) {
      const direction = this.#directionOf(pair);
      if (direction === undefined) smsCounts.unknown += count;
      else {
        smsCounts[direction] += count;
        smsCounts.inferred += count;
      }
    }
    const smsShares = largestRemainderPercents([smsCounts.sent, smsCounts.received, smsCounts.unknown]);
    const attemptShares = largestRemainderPercents([this.#attemptsSuccess, this.#attemptsFailed]);
    const receivedShares = largestRemainderPercents([this.#inbound, this.#outboundCallback]);

    return {
      schemaVersion: 1,
      files: this.#files,
      bytes: this.#bytes,
      elements: this.#elements,
      events: this.#events,
      // A bare SMS is counted under the direction its numbers tell, as the sms section counts it.
      byType: { ...this.#byType, SMSSent: smsCounts.sent, SMSReceived: smsCounts.received, SMS: smsCounts.unknown },
      duplicates: this.#duplicates,
      invalid: this.#invalid,
      undocumentedStatuses: this.#undocumentedStatuses,
      inputErrors: this.#inputErrors,
      filteredOut: this.#filteredOut,
      // Finite bounds have readable times, so utcIso returns a string for them.
      timeRange: Number.isFinite(this.#first)
        ? { first: utcIsoOf(this.#firstText, this.#first)!, last: utcIsoOf(this.#lastText, this.#last)! }
        : null,
      callComplete: {
        total: calls,
        byStatus: shares(reportedStatuses, this.#byStatus),
        byGroup: shares(reportedGroups, groupCounts),
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
        success: { count: this.#attemptsSuccess, percent: attemptShares[0]! },
        failed: { count: this.#attemptsFailed, percent: attemptShares[1]! },
        byNote: {
          rows: notes.rows.map(({ key, count, percent }) => ({ note: key, count, percent })),
          rest: notes.rest,
        },
      },
      callReceived: {
        total: received,
        inbound: { count: this.#inbound, percent: receivedShares[0]! },
        outboundCallback: { count: this.#outboundCallback, percent: receivedShares[1]! },
      },
      sms: {
        total: smsCounts.sent + smsCounts.received + smsCounts.unknown,
        sent: { count: smsCounts.sent, percent: smsShares[0]! },
        received: { count: smsCounts.received, percent: smsShares[1]! },
        unknownDirection: { count: smsCounts.unknown, percent: smsShares[2]! },
        inferred: smsCounts.inferred,
      },
      groups: this.#by && this.#by !== 'status' ? this.#groupTable(this.#by) : null,
    };
  }

  #directionOf(pair: string): 'sent' | 'received' | undefined {
    const [from, to] = pair.split('\u0000') as [string, string];
    return this.#numbers.direction(from, to);
  }

  /**
   * The --by phone groups with the bare SMS added to their customer's number (`to` when sent,
   * `from` when received); those whose direction stays unknown go to one row of their own.
   */
  #phoneGroups(): Map<string, GroupState> {
    const groups = new Map<string, GroupState>();
    // A bare SMS's number in the spelling the calls gave it (`+61…` and `61…` are one row).
    const spelled = new Map<string, string>();
    for (const [key, group] of this.#groups) {
      groups.set(key, { ...group, byType: { ...group.byType }, byStatus: { ...group.byStatus } });
      spelled.set(numberKey(key), key);
    }
    for (const [pair, count] of this.#smsPairs) {
      const direction = this.#directionOf(pair);
      const [from, to] = pair.split('\u0000') as [string, string];
      const key = direction === 'sent' ? to : direction === 'received' ? from : unknownDirectionKey;
      const group = groupOf(groups, spelled.get(key) ?? key);
      group.events += count;
      group.byType[direction === 'sent' ? 'SMSSent' : direction === 'received' ? 'SMSReceived' : 'SMS'] += count;
    }
    return groups;
  }

  #groupTable(by: Exclude<SummaryDimension, 'status'>): GroupTable {
    const entries = [...(by === 'phone' ? this.#phoneGroups() : this.#groups)];
    // Time keys read best in time order, and are never cut: a range is wanted whole.
    const timeOrdered = by === 'day' || by === 'hour';
    if (timeOrdered) entries.sort((a, b) => compareKeys(a[0], b[0]));
    else entries.sort((a, b) => b[1].events - a[1].events || compareKeys(a[0], b[0]));
    const kept = !timeOrdered && this.#top > 0 ? entries.slice(0, this.#top) : entries;
    const left = entries.slice(kept.length);
    return {
      by,
      rows: kept.map(([key, g]) => {
        const calls = g.byType.CallComplete;
        const completeGroup = g.byStatus.Complete + g.byStatus.Partial;
        return {
          key,
          events: g.events,
          byType: { ...g.byType },
          byStatus: { ...g.byStatus },
          completeGroupPercent: calls === 0 ? null : percentOf(completeGroup, calls),
          attemptsFailed: g.attemptsFailed,
        };
      }),
      rest: left.length ? { keys: left.length, events: left.reduce((sum, [, g]) => sum + g.events, 0) } : null,
    };
  }
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

/**
 * The CallComplete event inside an invalid record whose only errors are an undocumented
 * `status` (the schema's picklist rejects it), or undefined for any other invalid record.
 */
export function undocumentedStatusCall(record: InputRecord & { kind: 'invalid' }): WebhookEvent | undefined {
  if (record.eventKind !== 'CallComplete' || !isObject(record.value)) return undefined;
  let statusError = false;
  for (const problem of record.problems) {
    if (problem.severity !== 'error') continue;
    if (problem.code !== 'invalid-value' || !problem.pointer.endsWith('/status')) return undefined;
    statusError = true;
  }
  if (!statusError) return undefined;
  const value = record.value;
  const enveloped = isObject(value.data);
  const data = (enveloped ? value.data : value) as Record<string, unknown>;
  if (typeof data.status !== 'string') return undefined;
  return {
    type: 'CallComplete',
    id: enveloped ? (value.id as string) : undefined,
    createdAt: enveloped ? (value.createdAt as string) : undefined,
    data: data as unknown as CallCompleteData,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Summarises records in one go: convenient for tests and small inputs. */
export function summarise(records: Iterable<InputRecord>, options: SummaryOptions = {}): SummaryReport {
  const summary = new SummaryAccumulator(options);
  for (const record of records) summary.add(record);
  return summary.report();
}

/**
 * The exit code a summary ends with: 1 under `--strict` when anything failed validation
 * (an undocumented status included, as `validate` would fail it), else 0.
 */
export function summaryExitCode(report: SummaryReport, strict: boolean): 0 | 1 {
  return strict && report.invalid + report.undocumentedStatuses + report.inputErrors > 0 ? 1 : 0;
}
