/**
 * Counting for the summary: records go in one at a time and are counted into a plain state
 * (summary-state.ts); `report()` turns the state into the report (summary-build.ts). Nothing per
 * event is kept once it has been counted.
 */
import { impossible } from '../errors.js';
import { undocumentedAsEvent } from '../input/records.js';
import { type InputRecord, type Problem, stdinName } from '../input/types.js';
import { type CallCompleteData, eventTime, type FlowStep, isCallStatus, type WebhookEvent } from '../schema/events.js';
import { instantOf, isoOf } from './instant.js';
import { NumberBook, numberKey } from './sms-direction.js';
import { summaryReportOf } from './summary-build.js';
import type { ReportedStatus, SummaryDimension } from './summary-names.js';
import type { SummaryOptions, SummaryReport } from './summary-report.js';
import {
  addSummaryState,
  type CampaignState,
  campaignTally,
  emptySummaryState,
  requestSetKey,
  type SummaryState,
  summaryTally,
  takeOutSummaryState,
  unreadableKey,
  unreadableOf,
} from './summary-state.js';
import { entryOf } from './tally.js';

/** Where an error is, and what it says. */
type ErrorPlace = Pick<Problem, 'file' | 'line' | 'column' | 'message'>;

const humanSupportRequest = 'humanSupportRequest';
const { fields } = summaryTally;
// The --by day/hour key of an event whose time cannot be read (the schema makes this unlikely).
const unknownTime = '(unknown time)';

function increment<T>(map: Map<T, number>, key: T): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Maps a status to its report row: the documented three, or `Other`. */
function reportedStatusOf(status: string): ReportedStatus {
  return isCallStatus(status) ? status : 'Other';
}

/** The key a bare SMS is counted under: its `from` and `to` digits joined with a NUL. */
function smsPairKey(from: string, to: string): string {
  return `${numberKey(from)}\u0000${numberKey(to)}`;
}

/**
 * The key a campaign is counted under: its id in lower case, as a UUID is the same whatever its
 * case (RFC 9562) and producers differ in how they write it.
 */
function campaignKey(campaignId: string): string {
  return campaignId.toLowerCase();
}

/** Whether one of the first `count` steps of `flow` asked `question`. */
function askedAmong(flow: readonly FlowStep[], count: number, question: string): boolean {
  for (let i = 0; i < count; i++) if (flow[i]?.questionName === question) return true;
  return false;
}

/** Counts one more call reaching `question`, after `stepsBefore` steps. */
function reach(questions: CampaignState['questions'], question: string, stepsBefore: number): void {
  const entry = entryOf(campaignTally.fields.questions, questions, question);
  entry.reached++;
  entry.stepsBefore += stepsBefore;
}

/**
 * Counts records one at a time; `report()` returns the summary so far. One instance per run:
 * feed it every record `readRecords` yields, in order.
 */
export class SummaryAccumulator {
  readonly #by: SummaryDimension | undefined;
  readonly #since: number;
  readonly #until: number;
  readonly #statuses: ReadonlySet<ReportedStatus> | undefined;
  readonly #options: SummaryOptions;
  readonly #state: SummaryState = emptySummaryState();
  // Hint: an SMS may come before the call that shows whose number it went to, so bare SMS are
  // counted per pair of numbers and their direction told at the end; both grow with numbers only.
  readonly #numbers: NumberBook;
  // The `--by day` or `--by hour` keys made so far, by the number of the day or hour since 1970.
  readonly #timeKeys = new Map<number, string>();
  #firstError: ErrorPlace | undefined;

  constructor(options: SummaryOptions = {}) {
    this.#options = options;
    this.#numbers = new NumberBook(options.orgNumbers, this.#state.customers);
    this.#by = options.by;
    this.#since = options.since ?? Number.NEGATIVE_INFINITY;
    this.#until = options.until ?? Number.POSITIVE_INFINITY;
    this.#statuses = options.statuses?.length ? new Set(options.statuses) : undefined;
  }

  /** Counts one record of the input stream. */
  add(record: InputRecord): void {
    const state = this.#state;
    switch (record.kind) {
      case 'event':
        state.elements++;
        // Hint: a redelivery is dropped before the filters, so `duplicates` does not depend on them.
        if (record.duplicate) state.duplicates++;
        else {
          this.#addEvent(record.event);
        }
        return;
      case 'invalid': {
        state.elements++;
        // A call of an undocumented status is counted (as Other), once per id as a valid event is.
        const call = record.call;
        if (!call) {
          state.invalid++;
          this.#firstError ??= record.problems.find((p) => p.severity === 'error') ?? {
            ...record.element,
            message: 'not a valid event',
          };
        } else if (record.duplicate) state.duplicates++;
        else {
          this.#addEvent(undocumentedAsEvent(call));
        }
        return;
      }
      case 'problem': {
        const { problem } = record;
        if (problem.fatal) state.unreadableFiles.add(unreadableKey(problem));
        else if (problem.severity === 'error') {
          state.inputErrors++;
          this.#firstError ??= problem;
        }
        return;
      }
      case 'file-start':
        state.files++;
        if (record.file === stdinName) state.stdin++;
        return;
      case 'file-end':
        state.bytes += record.bytes;
        return;
    }
  }

  #noteCustomer(event: WebhookEvent): void {
    if (event.type === 'CallComplete' || event.type === 'CallAttempted' || event.type === 'CallReceived') {
      this.#numbers.addCustomer(event.data.phone);
    }
  }

  /**
   * Counts one event that is not a redelivery: a valid one, or a call of an undocumented status
   * (counted as such, and its customer noted, whatever the filters; they apply to the rest).
   */
  #addEvent(event: WebhookEvent): void {
    this.#noteCustomer(event);
    const state = this.#state;
    const time = eventTime(event);
    const ms = instantOf(time);
    const status = event.type === 'CallComplete' ? reportedStatusOf(event.data.status) : undefined;
    if (status === 'Other') state.undocumentedStatuses++;
    if (
      ms < this.#since ||
      ms >= this.#until ||
      (this.#statuses && (status === undefined || !this.#statuses.has(status)))
    ) {
      state.filteredOut++;
      return;
    }

    state.events++;
    state.byType[event.type]++;
    if (ms < state.first.ms) state.first = { ms, text: time };
    if (ms > state.last.ms) state.last = { ms, text: time };

    let smsPair: string | undefined;
    switch (event.type) {
      case 'CallComplete':
        this.#addCall(event.data, status ?? impossible('a CallComplete has a reported status'));
        break;
      case 'CallAttempted':
        if (event.data.status === 'success') state.attemptsSuccess++;
        else {
          state.attemptsFailed++;
          increment(state.notes, event.data.note ?? null);
        }
        break;
      case 'CallReceived':
        if (event.data.type === 'inbound') state.inbound++;
        else state.outboundCallback++;
        break;
      case 'SMS':
        smsPair = smsPairKey(event.data.from, event.data.to);
        increment(state.smsPairs, smsPair);
        // Its customer's number is known only at the end: see summary-build.ts.
        if (this.#by === 'phone') return;
        break;
      default:
        break;
    }
    if (this.#by && this.#by !== 'status') this.#addToGroup(event, ms, status, smsPair);
  }

  #addCall(data: CallCompleteData, status: ReportedStatus): void {
    const state = this.#state;
    state.byStatus[status]++;

    increment(entryOf(fields.reasons, state.reasons, status), data.additionalInformation ?? null);

    const campaign = entryOf(fields.campaigns, state.campaigns, campaignKey(data.campaignId));
    campaign.calls++;
    campaign.byStatus[status]++;

    // A request type counts once per call, however many times the call made it.
    const requests = data.requests.length > 1 ? new Set(data.requests) : data.requests;
    for (const request of requests) {
      increment(state.requests, request);
      if (request === humanSupportRequest) campaign.humanSupport++;
    }
    if (data.requests.length > 0) increment(state.requestSets, requestSetKey(requests));

    // A call reached every question of its flow, and its lastStepName even when the flow
    // (inconsistently) does not end there; a question asked twice is reached once.
    const questions = campaign.questions;
    const flow = data.flow;
    // Hint: flows are a handful of steps, so looking back beats allocating a Set per call; a long
    // one (a flow may hold thousands) would be compared step against step, so it gets a Set. The
    // steps are read in place: an array of their names and a closure per call, and an empty
    // flow's array of another kind, cost more than the counting and had V8 recompile this.
    const asked = flow.length > 16 ? new Set<string>() : undefined;
    for (const [i, { questionName }] of flow.entries()) {
      if (asked ? !asked.has(questionName) && asked.add(questionName) : !askedAmong(flow, i, questionName)) {
        reach(questions, questionName, i);
      }
    }
    const last = flow.at(-1)?.questionName;
    const stop = data.lastStepName ?? last ?? null;
    if (stop !== null && stop !== last && !(asked ? asked.has(stop) : askedAmong(flow, flow.length, stop))) {
      reach(questions, stop, flow.length);
    }
    if (status === 'Partial' && stop !== null) {
      (questions.get(stop) ?? impossible('the stop was reached just above')).partialStops++;
    }
  }

  /**
   * The `--by day` or `--by hour` key of instant `ms`: its UTC day (`2022-09-01`) or hour
   * (`2022-09-01T10:00Z`). Hint: made once for each day or hour seen, found by its number, not
   * written out again for every event (a new string to hash before the groups' lookup).
   */
  #timeKeyOf(ms: number, by: 'day' | 'hour'): string {
    if (Number.isNaN(ms)) return unknownTime;
    const unit = by === 'day' ? 86_400_000 : 3_600_000;
    const number = Math.floor(ms / unit);
    let key = this.#timeKeys.get(number);
    if (key === undefined) {
      const iso = isoOf(number * unit);
      key = by === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 13)}:00Z`;
      this.#timeKeys.set(number, key);
    }
    return key;
  }

  /** Counts `event` in its `--by` group; `smsPair`: a bare SMS's pair key, made once by `#addEvent`. */
  #addToGroup(event: WebhookEvent, ms: number, status: ReportedStatus | undefined, smsPair?: string): void {
    let key: string;
    switch (this.#by) {
      case 'campaign':
        key = campaignKey(event.data.campaignId);
        break;
      case 'day':
      case 'hour':
        key = this.#timeKeyOf(ms, this.#by);
        break;
      default:
        // The customer's number: the callee or caller of a call, the other end of a typed SMS
        // (a bare SMS waits for the end, when its direction can be told).
        if (event.type === 'CallComplete' || event.type === 'CallAttempted' || event.type === 'CallReceived') {
          key = event.data.phone;
        } else key = event.type === 'SMSReceived' ? event.data.from : event.data.to;
    }
    const group = entryOf(fields.groups, this.#state.groups, key);
    group.events++;
    // Hint: a bare SMS's direction is told at the end, as for the whole report (memory grows with
    // the pairs of numbers in each group: a conversation falls in one campaign and a few hours).
    if (event.type === 'SMS') {
      const pairs = entryOf(fields.groupSmsPairs, this.#state.groupSmsPairs, key);
      increment(pairs, smsPair ?? smsPairKey(event.data.from, event.data.to));
    } else group.byType[event.type]++;
    if (status) group.byStatus[status]++;
    if (event.type === 'CallAttempted' && event.data.status === 'failed') group.attemptsFailed++;
  }

  /**
   * The first error this accumulator counted (an invalid element or a problem between elements),
   * to say where when the input holds nothing to summarise. Hint: not part of the state, so a
   * worker's is not merged: the main thread reads a file from its start, where the first one is.
   */
  get firstError(): ErrorPlace | undefined {
    return this.#firstError;
  }

  /**
   * Everything counted so far, as plain data another thread can send back (see `merge`). It is
   * this accumulator's own state, not a copy: counting more changes it.
   */
  state(): SummaryState {
    return this.#state;
  }

  /**
   * Adds the counts of another accumulator (with the same options) that read the records right
   * after this one's: the report is then the one a single accumulator reading both would give,
   * a tied time bound's text, the first seen, included. `other` is consumed: do not use it afterwards.
   * `from` is where in the file the other began reading, when its lines count from there.
   */
  merge(other: SummaryState, from?: { line: number; column: number }): void {
    if (from) {
      // Hint: the other thread's places count from its first byte: line 1, column 1 is `from`.
      const places = [...other.unreadableFiles].map((key) => {
        const { line, column, ...rest } = unreadableOf(key);
        const at = { line: from.line + line - 1, column: line === 1 ? from.column + column - 1 : column };
        return unreadableKey({ ...rest, ...at });
      });
      other.unreadableFiles = new Set(places);
    }
    addSummaryState(this.#state, other);
  }

  /**
   * `merge`, when some events the other accumulator counted first were redeliveries of events this
   * one had counted (another thread read them; their ids were seen on both sides): they are taken
   * out of its counts and counted as redeliveries, as one accumulator reading both would have.
   * Returns false, merging nothing, in the rare case where taking them out cannot be proved to give
   * that same report (see `#exactWithout`); the caller then reads the other part itself.
   */
  mergeWithout(
    other: SummaryState,
    redeliveries: readonly WebhookEvent[],
    from?: { line: number; column: number },
  ): boolean {
    const removed = new SummaryAccumulator(this.#options);
    for (const event of redeliveries) {
      removed.#addEvent(event);
    }
    const gone = removed.state();
    if (!this.#exactWithout(other, gone)) return false;
    this.merge(other, from);
    // The bounds are left alone (`#exactWithout` proved them unchanged).
    takeOutSummaryState(this.#state, gone);
    this.#state.duplicates += redeliveries.length;
    return true;
  }

  /**
   * Whether taking `gone` (counted by `other`) out of `other` before merging it gives the report of
   * one pass. Sums can always be taken out (the funnel's tie-break is one, see `funnelOrder`); two
   * things depend on more than sums. The customers' numbers, a set: a number `gone` noted that this
   * accumulator has not may have been noted by `other` only for an event taken out (a copy calling
   * another number than its first). The time range: when the earliest (latest) of `other`'s events
   * was one taken out and was earlier (later) than all of this accumulator's, the next one is unknown.
   */
  #exactWithout(other: SummaryState, gone: SummaryState): boolean {
    const state = this.#state;
    for (const customer of gone.customers) if (!state.customers.has(customer)) return false;
    if (gone.first.ms === other.first.ms && other.first.ms < state.first.ms) return false;
    return !(gone.last.ms === other.last.ms && other.last.ms > state.last.ms);
  }

  /** The summary of everything counted so far. */
  report(): SummaryReport {
    return summaryReportOf(this.#state, this.#options);
  }
}
