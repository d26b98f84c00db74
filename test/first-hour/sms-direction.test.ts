/**
 * Issue 12, item 6: an SMS's direction told from the export itself. A number some call had as its
 * `phone` is a customer's: an SMS to it was sent, one from it received; `--org-number` names the
 * organisation's numbers outright. summarise counts, `--by phone` and show's labels use it.
 */
import { describe, expect, test } from 'vitest';
import { NumberBook } from '../../src/core/sms-direction.js';
import { SummaryAccumulator, summarise } from '../../src/core/summary.js';
import type { InputRecord } from '../../src/input/types.js';
import type { WebhookEvent } from '../../src/schema/events.js';
import { callAttempted, callComplete, sms } from '../helpers/events.js';
import { runCli } from '../helpers/run-cli.js';

const customer = '61491573087';
const org = '61291574000';
let offset = 0;

function rec(event: WebhookEvent): InputRecord {
  offset++;
  return {
    kind: 'event',
    event,
    value: event,
    element: { file: 'x.json', offset, line: offset, column: 1, length: 1, pointer: '' },
    problems: [],
    duplicate: false,
  } as unknown as InputRecord;
}

const bare = (from: string, to: string) => sms('SMS', { from, to });

describe('NumberBook', () => {
  test('a customer is a number some call had; the organisation’s numbers decide first', () => {
    const book = new NumberBook(['+61 2 9157 4000']);
    expect(book.direction('61400000001', '61400000002')).toBeUndefined();
    book.addCustomer('+61491573087');
    expect(book.direction(org, customer)).toBe('sent');
    expect(book.direction(customer, org)).toBe('received');
    expect(book.direction('61400000009', customer)).toBe('sent');
    expect(book.direction(customer, customer)).toBeUndefined();
  });
});

describe('summarise', () => {
  test('an SMS read before the call that shows the customer’s number is still told apart', () => {
    const report = summarise([
      rec(bare('61491570006', customer)), // before the call: to the customer, so sent
      rec(bare(customer, '61491570006')), // from the customer, so received
      rec(bare('61400000001', '61400000002')), // nobody known: unknown
      rec(callAttempted({ phone: customer })),
    ]);
    expect(report.sms).toEqual({
      total: 3,
      sent: { count: 1, percent: 33.4 },
      received: { count: 1, percent: 33.3 },
      unknownDirection: { count: 1, percent: 33.3 },
      inferred: 2,
    });
  });

  test('--org-number states the organisation’s numbers outright', () => {
    const report = summarise([rec(bare(org, '61400000002')), rec(bare('61400000003', org))], { orgNumbers: [org] });
    expect(report.sms.sent.count).toBe(1);
    expect(report.sms.received.count).toBe(1);
    expect(report.sms.inferred).toBe(2);
  });

  test('--by phone ranks customers’ numbers, never the organisation’s sender', () => {
    const events = [callComplete({ phone: customer })];
    for (let i = 0; i < 5; i++) events.push(bare(org, customer), bare(customer, org));
    const report = summarise(events.map(rec), { by: 'phone' });
    expect(report.groups!.rows.map((row) => [row.key, row.events, row.byType.SMSSent, row.byType.SMSReceived])).toEqual(
      [[customer, 11, 5, 5]],
    );
  });

  test('memory grows with distinct numbers, not with events', () => {
    const summary = new SummaryAccumulator({ by: 'phone' });
    summary.add(rec(callAttempted({ phone: customer })));
    for (let i = 0; i < 2000; i++) summary.add(rec(bare(i % 2 ? org : customer, i % 2 ? customer : org)));
    const state = summary.state();
    expect(state.smsPairs.size).toBe(2);
    expect(state.customers.size).toBe(1);
    expect(summary.report().sms.inferred).toBe(2000);
  });

  test('a --by group holds no map of its bare SMS: an empty Map in each of a million phone groups was 224 B each', () => {
    for (const by of ['phone', 'campaign'] as const) {
      const summary = new SummaryAccumulator({ by });
      summary.add(rec(callAttempted({ phone: customer })));
      summary.add(rec(bare(org, customer)));
      const groups = [...summary.state().groups.values()];
      expect(groups.length, by).toBeGreaterThan(0);
      for (const group of groups)
        expect(
          Object.values(group).filter((field) => field instanceof Map),
          by,
        ).toEqual([]);
      expect(
        summary.report().groups!.rows.map((row) => row.byType.SMSSent),
        by,
      ).toEqual([1]);
    }
  });

  test('two halves read apart merge into the report of one pass', () => {
    const first = [rec(bare(org, customer))];
    const second = [rec(callComplete({ phone: customer })), rec(bare(customer, org))];
    const whole = summarise([...first, ...second]);
    const a = new SummaryAccumulator();
    const b = new SummaryAccumulator();
    for (const r of first) a.add(r);
    for (const r of second) b.add(r);
    a.merge(b.state());
    expect(a.report().sms).toEqual(whole.sms);
    expect(whole.sms.inferred).toBe(2);
  });
});

describe('show', () => {
  test('labels a bare SMS by the direction its numbers tell, --org-number included', async () => {
    const input = JSON.stringify([bare(org, '61400000002').data, bare('61400000002', org).data]);
    const plain = await runCli(['show', '-', '--type', 'SMSSent', '--no-pager'], { input });
    expect(plain.stdout).toContain('SMSSent');
    const told = await runCli(['show', '-', '--org-number', org, '--no-pager'], { input });
    expect(told.stdout).toMatch(/UTC {2}SMS sent {7}61291574000 → 61400000002/);
    expect(told.stdout).toMatch(/UTC {2}SMS received {3}61400000002 → 61291574000/);
  });
});
