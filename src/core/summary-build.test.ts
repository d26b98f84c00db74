// The --by table keeps its top rows without building a row for every key: it must list exactly
// the rows, in the order, and the rest that a table built the straightforward way lists (every
// group copied with its bare SMS told apart, all of them sorted, then cut).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InputRecord } from '../input/types.js';
import type { WebhookEvent } from '../schema/events.js';
import { NumberBook, numberKey } from './sms-direction.js';
import { SummaryAccumulator, type SummaryOptions } from './summary.js';
import { compareKeys } from './summary-rank.js';
import type { SummaryState } from './summary-state.js';

const unknownDirectionKey = '(SMS of unknown direction)';
const kinds = ['CallComplete', 'CallAttempted', 'CallReceived', 'SMSSent', 'SMSReceived', 'SMS'] as const;
const statuses = ['Complete', 'Partial', 'Not Complete', 'Other'] as const;
type Counted = Record<(typeof kinds)[number] | (typeof statuses)[number] | 'events' | 'attemptsFailed', number>;

/** The --by table the straightforward way: every key's counts, all sorted, then cut at `top`. */
function referenceTable(state: SummaryState, options: SummaryOptions) {
  const by = options.by;
  const top = options.top ?? 10;
  const book = new NumberBook(options.orgNumbers, state.customers);
  const told = (pair: string) => {
    const [from = '', to = ''] = pair.split('\u0000');
    const direction = book.direction(from, to);
    return { from, to, direction, kind: direction === 'sent' ? 'SMSSent' : direction ? 'SMSReceived' : 'SMS' } as const;
  };
  const zero = (): Counted =>
    Object.fromEntries([...kinds, ...statuses, 'events', 'attemptsFailed'].map((name) => [name, 0])) as Counted;
  const rows = new Map<string, Counted>();
  const spelled = new Map<string, string>();
  for (const [key, group] of state.groups) {
    const row = zero();
    row.events = group.events;
    row.attemptsFailed = group.attemptsFailed;
    for (const kind of kinds) if (kind !== 'SMS') row[kind] = group.byType[kind];
    for (const status of statuses) row[status] = group.byStatus[status];
    for (const [pair, count] of state.groupSmsPairs.get(key) ?? []) row[told(pair).kind] += count;
    rows.set(key, row);
    spelled.set(numberKey(key), key);
  }
  if (by === 'phone') {
    for (const [pair, count] of state.smsPairs) {
      const { from, to, direction, kind } = told(pair);
      const number = direction === 'sent' ? to : direction === 'received' ? from : unknownDirectionKey;
      const key = spelled.get(number) ?? number;
      const row = rows.get(key) ?? zero();
      rows.set(key, row);
      row.events += count;
      row[kind] += count;
    }
  }
  const timeOrdered = by === 'day' || by === 'hour';
  const sorted = [...rows].sort((a, b) =>
    timeOrdered ? compareKeys(a[0], b[0]) : b[1].events - a[1].events || compareKeys(a[0], b[0]),
  );
  const kept = timeOrdered || top === 0 ? sorted : sorted.slice(0, top);
  const left = sorted.slice(kept.length);
  return {
    rows: kept.map(([key, row]) => ({ key, ...row })),
    rest: left.length ? { keys: left.length, events: left.reduce((sum, [, row]) => sum + row.events, 0) } : null,
  };
}

/** A report's --by table in the reference's terms. */
function tableOf(report: ReturnType<SummaryAccumulator['report']>) {
  const groups = report.groups;
  if (!groups) return null;
  return {
    rows: groups.rows.map(({ key, events, byType, byStatus, attemptsFailed }) => ({
      key,
      ...byType,
      ...byStatus,
      events,
      attemptsFailed,
    })),
    rest: groups.rest,
  };
}

const campaigns = ['5dd7681b-2188-49fc-8fc0-87b57056f436', '0B0B0B0B-2188-49FC-8FC0-87B57056F436'];
const times = ['2022-09-01T00:29:12.000Z', '2022-08-31T21:46:58.621Z', '2022-09-02T10:00:00+10:00'];
// Numbers from a small pool, some spelled two ways, so that counts tie and a bare SMS meets a
// call's number; SMS also use numbers no call has, so that many have a direction to tell.
const numberOf = (max: number) =>
  fc
    .tuple(fc.integer({ min: 0, max }), fc.constantFrom('', '+', '0'))
    .map(([n, prefix]) => `${prefix === '0' ? '0' : `${prefix}61`}4915700${String(n).padStart(2, '0')}`);
const number = numberOf(24);
const smsNumber = numberOf(49);
const at = fc.record({ campaignId: fc.constantFrom(...campaigns), time: fc.constantFrom(...times) });

const event: fc.Arbitrary<WebhookEvent> = fc.oneof(
  fc.tuple(at, number, fc.constantFrom('Complete', 'Partial', 'Not Complete') as fc.Arbitrary<'Complete'>).map(
    ([{ campaignId, time }, phone, status]): WebhookEvent => ({
      type: 'CallComplete',
      data: {
        sessionId: campaigns[0]!,
        callResultId: campaigns[0]!,
        name: 'A',
        phone,
        campaignId,
        lastStepName: null,
        startedTime: time,
        flow: [],
        requests: [],
        status,
      },
    }),
  ),
  fc
    .tuple(at, number, fc.constantFrom('success', 'failed') as fc.Arbitrary<'success' | 'failed'>)
    .map(([data, phone, status]): WebhookEvent => ({ type: 'CallAttempted', data: { ...data, phone, status } })),
  fc
    .tuple(at, number)
    .map(([data, phone]): WebhookEvent => ({ type: 'CallReceived', data: { ...data, phone, type: 'inbound' } })),
  fc
    .tuple(
      at,
      smsNumber,
      smsNumber,
      fc.constantFrom('SMSSent', 'SMSReceived', 'SMS', 'SMS', 'SMS') as fc.Arbitrary<'SMS'>,
    )
    .map(([data, from, to, type]): WebhookEvent => ({ type, data: { ...data, from, to, message: 'hi' } })),
);

function record(event: WebhookEvent): InputRecord {
  const element = { file: 'x.json', line: 1, column: 1, offset: 0, pointer: '', index: 0, batch: 0, text: '' };
  return { kind: 'event', element, event, value: {}, problems: [], duplicate: false };
}

describe('the --by table', () => {
  it('keeps the rows and the rest of a table built from every key, sorted whole', () => {
    const options = fc.record({
      by: fc.constantFrom('phone', 'campaign', 'day', 'hour') as fc.Arbitrary<SummaryOptions['by']>,
      top: fc.constantFrom(0, 1, 2, 10),
      orgNumbers: fc.constantFrom(undefined, ['61491570000'], ['+61491570003', '61491570024']),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 150, size: 'max' }), options, (events, opts) => {
        const summary = new SummaryAccumulator(opts);
        for (const e of events) summary.add(record(e));
        expect(tableOf(summary.report())).toEqual(referenceTable(summary.state(), opts));
      }),
      { numRuns: 400 },
    );
  });
});
