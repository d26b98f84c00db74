import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { undocumentedStatusCall } from '../input/records.js';
import type { ElementInfo, InputRecord, Problem } from '../input/types.js';
import type { CallCompleteData, WebhookEvent } from '../schema/events.js';
import { instantOf } from './instant.js';
import { largestRemainderPercents, SummaryAccumulator, summarise, summaryExitCode } from './summary.js';

const campaignA = '5dd7681b-2188-49fc-8fc0-87b57056f436';
const campaignB = '0b0b0b0b-2188-49fc-8fc0-87b57056f436';
const uuid = '6d5e9bcd-3477-45a7-bca5-b67fae83c974';

let ordinal = 0;
function element(): ElementInfo {
  const index = ordinal++;
  return { file: 'x.json', line: 1, column: 1, offset: 0, pointer: `/${index}`, index, batch: 0, text: '{}' };
}

function call(overrides: Partial<CallCompleteData> = {}, id?: string): WebhookEvent {
  const flow = overrides.flow ?? [
    { questionName: 'Q1', response: 'Other' },
    { questionName: 'Q2', response: 'Other' },
  ];
  return {
    type: 'CallComplete',
    id: id ?? `id-${ordinal}`,
    createdAt: '2022-09-01T00:30:48.567Z',
    data: {
      sessionId: uuid,
      callResultId: uuid,
      name: 'Jane Doe',
      phone: '61491573087',
      campaignId: campaignA,
      lastStepName: flow.at(-1)?.questionName ?? null,
      startedTime: '2022-09-01T00:29:12.000Z',
      flow,
      requests: [],
      status: 'Complete',
      ...overrides,
    },
  };
}

function attempt(status: 'success' | 'failed', note?: string, time = '2022-08-31T21:46:58.621Z'): WebhookEvent {
  return {
    type: 'CallAttempted',
    data: { time, phone: '61491570001', status, campaignId: campaignA, ...(note === undefined ? {} : { note }) },
  };
}

function received(type: 'inbound' | 'outbound-callback'): WebhookEvent {
  return {
    type: 'CallReceived',
    data: { time: '2022-08-31T21:46:58.621Z', phone: '61491570002', type, campaignId: campaignA },
  };
}

function sms(type: 'SMSSent' | 'SMSReceived' | 'SMS'): WebhookEvent {
  return {
    type,
    data: {
      time: '2022-08-31T21:46:58.621Z',
      from: '61491570003',
      to: '61491570004',
      message: 'hi',
      campaignId: campaignB,
    },
  };
}

function rec(event: WebhookEvent, duplicate = false): InputRecord {
  return { kind: 'event', element: element(), event, value: {}, problems: [], duplicate };
}

function problem(code: string, pointer: string, severity: Problem['severity'] = 'error'): Problem {
  return { file: 'x.json', line: 1, column: 1, offset: 0, pointer, severity, code, message: code };
}

/** An invalid element as the input layer reads it: a call of an undocumented status among them (`duplicate` when redelivered). */
function invalid(
  problems: Problem[],
  value: unknown = {},
  eventKind: 'CallComplete' | undefined = undefined,
  duplicate = false,
): InputRecord {
  const call = undocumentedStatusCall(eventKind, value, problems);
  return { kind: 'invalid', element: element(), eventKind, value, problems, call, duplicate: call && duplicate };
}

const sumOf = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 10) / 10;

describe('largestRemainderPercents', () => {
  it('gives the leftover tenth to the largest remainder, so thirds add up to 100', () => {
    expect(largestRemainderPercents([1, 1, 1])).toEqual([33.4, 33.3, 33.3]);
    expect(largestRemainderPercents([2, 1])).toEqual([66.7, 33.3]);
    expect(largestRemainderPercents([1, 2])).toEqual([33.3, 66.7]);
  });

  it('breaks equal remainders toward the larger count', () => {
    // 1/6 and 5/6 -> 16.666… and 83.333…: the larger remainder wins, not the row order.
    expect(largestRemainderPercents([1, 5])).toEqual([16.7, 83.3]);
    // 4/6, 1/6, 1/6 leave equal remainders: the larger count wins, whatever floating point says.
    expect(largestRemainderPercents([4, 1, 1])).toEqual([66.7, 16.7, 16.6]);
    expect(largestRemainderPercents([1, 1, 4])).toEqual([16.7, 16.6, 66.7]);
    // 1/7 = 14.2857…, 2/7 = 28.5714…, 4/7 = 57.1428…: units 142+285+571 = 998, two tenths to hand out.
    expect(largestRemainderPercents([1, 2, 4])).toEqual([14.3, 28.6, 57.1]);
  });

  it('returns zeros for an empty whole, and never gives a zero count a share', () => {
    expect(largestRemainderPercents([0, 0, 0])).toEqual([0, 0, 0]);
    expect(largestRemainderPercents([])).toEqual([]);
    expect(largestRemainderPercents([0, 1, 1, 1, 0])).toEqual([0, 33.4, 33.3, 33.3, 0]);
  });

  it('always adds up to exactly 100.0 and stays within a tenth of the exact share', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 12 }), (counts) => {
        const total = counts.reduce((a, b) => a + b, 0);
        fc.pre(total > 0);
        const percents = largestRemainderPercents(counts);
        const tenths = percents.map((p) => Math.round(p * 10));
        expect(tenths.reduce((a, b) => a + b, 0)).toBe(1000);
        percents.forEach((p, i) => {
          expect(Math.abs(p - (counts[i]! * 100) / total)).toBeLessThan(0.1 + 1e-9);
        });
      }),
    );
  });
});

describe('summarise', () => {
  it('reports zeros for empty input', () => {
    const report = summarise([
      { kind: 'file-start', file: 'empty.json' },
      { kind: 'file-end', file: 'empty.json', elements: 0, bytes: 2 },
    ]);
    expect(report.files).toBe(1);
    expect(report.bytes).toBe(2);
    expect(report.events).toBe(0);
    expect(report.timeRange).toBeNull();
    expect(report.callComplete.total).toBe(0);
    expect(report.callComplete.byStatus.Complete).toEqual({ count: 0, percent: 0 });
    expect(report.callComplete.byGroup.Failed).toEqual({ count: 0, percent: 0 });
    expect(report.callComplete.byCampaign).toEqual({ rows: [], rest: null });
    expect(report.callComplete.byReason['Not Complete']).toEqual({ calls: 0, rows: [], rest: null });
    expect(report.sms.total).toBe(0);
    expect(report.groups).toBeNull();
    expect(summaryExitCode(report, true)).toBe(0);
  });

  it('counts events by type, keeping an SMS of unknown direction apart from sent and received', () => {
    const report = summarise(
      [call(), attempt('success'), received('inbound'), sms('SMSSent'), sms('SMSReceived'), sms('SMS'), sms('SMS')].map(
        (e) => rec(e),
      ),
    );
    expect(report.events).toBe(7);
    expect(report.byType).toEqual({
      CallComplete: 1,
      CallAttempted: 1,
      CallReceived: 1,
      SMSSent: 1,
      SMSReceived: 1,
      SMS: 2,
    });
    expect(report.sms).toEqual({
      total: 4,
      sent: { count: 1, percent: 25 },
      received: { count: 1, percent: 25 },
      unknownDirection: { count: 2, percent: 50 },
      // No call has either number as its phone, and no --org-number: nothing to infer from.
      inferred: 0,
    });
  });

  it('counts a redelivered event once and reports the redelivery', () => {
    const first = call({ status: 'Partial' }, 'same');
    const report = summarise([rec(first), rec(first, true), rec(first, true)]);
    expect(report.events).toBe(1);
    expect(report.elements).toBe(3);
    expect(report.duplicates).toBe(2);
    expect(report.callComplete.byStatus.Partial).toEqual({ count: 1, percent: 100 });
  });

  it('counts invalid elements and input errors, skips them, and fails only under strict', () => {
    const report = summarise([
      rec(call()),
      invalid([problem('missing-field', '/1/data/phone')], { data: {} }, 'CallComplete'),
      invalid([problem('missing-comma', '/2')], undefined),
      { kind: 'problem', problem: problem('unclosed-array', '') },
      { kind: 'problem', problem: problem('something', '', 'warning') },
    ]);
    expect(report.events).toBe(1);
    expect(report.invalid).toBe(2);
    expect(report.inputErrors).toBe(1);
    expect(summaryExitCode(report, false)).toBe(0);
    expect(summaryExitCode(report, true)).toBe(1);
  });

  it('fails under strict on a problem between elements alone, every element valid', () => {
    // An NDJSON line `@{...}`: its event is read, and the `@` is a problem outside any event, which
    // --help says --strict fails on; above, invalid elements failed the run too (red team hT52, mutant E03).
    const report = summarise([rec(call()), rec(call()), { kind: 'problem', problem: problem('unexpected-token', '') }]);
    expect([report.events, report.invalid, report.undocumentedStatuses, report.inputErrors]).toEqual([2, 0, 0, 1]);
    expect(summaryExitCode(report, false)).toBe(0);
    expect(summaryExitCode(report, true)).toBe(1);
  });

  it('puts an undocumented status in an Other row instead of skipping the call', () => {
    const value = { id: 'x', eventType: 'CallComplete', createdAt: '2022-09-01T00:30:48.567Z', data: call().data };
    (value.data as { status: string }).status = 'Busy';
    const report = summarise([
      rec(call({ status: 'Complete' })),
      invalid(
        [problem('invalid-value', '/1/data/status'), problem('last-step', '/1/data', 'warning')],
        value,
        'CallComplete',
      ),
      // Another error besides the status: a plain invalid event.
      invalid(
        [problem('invalid-value', '/2/data/status'), problem('missing-field', '/2/data/phone')],
        value,
        'CallComplete',
      ),
    ]);
    expect(report.invalid).toBe(1);
    expect(report.undocumentedStatuses).toBe(1);
    expect(report.callComplete.byStatus.Other).toEqual({ count: 1, percent: 50 });
    expect(report.callComplete.byGroup).toEqual({
      Complete: { count: 1, percent: 50 },
      Failed: { count: 0, percent: 0 },
      Other: { count: 1, percent: 50 },
    });
    expect(report.callComplete.byCampaign.rows[0]!.byStatus.Other.count).toBe(1);
    expect(summaryExitCode(report, false)).toBe(0);
    expect(summaryExitCode({ ...report, invalid: 0 }, true)).toBe(1);
  });

  it('counts a redelivered call of an undocumented status once, as a redelivery of a valid event is', () => {
    const value = { id: 'x', eventType: 'CallComplete', createdAt: '2022-09-01T00:30:48.567Z', data: call().data };
    (value.data as { status: string }).status = 'Busy';
    const status = [problem('invalid-value', '/0/data/status')];
    const report = summarise([invalid(status, value, 'CallComplete'), invalid(status, value, 'CallComplete', true)]);
    expect(report.elements).toBe(2);
    expect(report.events).toBe(1);
    expect(report.duplicates).toBe(1);
    expect(report.undocumentedStatuses).toBe(1);
    expect(report.invalid).toBe(0);
    expect(report.callComplete.byStatus.Other.count).toBe(1);
  });

  it('splits outcomes by status and group with percentages that add up to 100', () => {
    const statuses = ['Complete', 'Complete', 'Partial', 'Not Complete', 'Not Complete', 'Not Complete'] as const;
    const report = summarise([...statuses.map((status) => rec(call({ status }))), rec(call({ status: 'Partial' }))]);
    const { byStatus, byGroup, total } = report.callComplete;
    expect(total).toBe(7);
    // 2/7, 2/7, 3/7 = 28.571…, 28.571…, 42.857…: 285 + 285 + 428 = 998 tenths; the two largest remainders get one.
    expect(byStatus).toEqual({
      Complete: { count: 2, percent: 28.6 },
      Partial: { count: 2, percent: 28.6 },
      'Not Complete': { count: 3, percent: 42.8 },
      Other: { count: 0, percent: 0 },
    });
    expect(sumOf(Object.values(byStatus).map((s) => s.percent))).toBe(100);
    // A group is the sum of its statuses, in both columns: the two tables never tell one call
    // apart (Failed read 42.9 while Not Complete, the same calls, read 42.8).
    expect(byGroup.Complete).toEqual({ count: 4, percent: 57.2 });
    expect(byGroup.Failed).toEqual({ count: 3, percent: 42.8 });
    expect(sumOf(Object.values(byGroup).map((s) => s.percent))).toBe(100);
  });

  it("gives each group the sum of its statuses' rounded shares, to one decimal", () => {
    const statuses = ['Complete', 'Partial', 'Partial', 'Partial', 'Partial', 'Not Complete'] as const;
    const { byStatus, byGroup } = summarise(statuses.map((status) => rec(call({ status })))).callComplete;
    expect([byStatus.Complete.percent, byStatus.Partial.percent, byStatus['Not Complete'].percent]).toEqual([
      16.7, 66.7, 16.6,
    ]);
    expect(byGroup).toEqual({
      Complete: { count: 5, percent: 83.4 },
      Failed: { count: 1, percent: 16.6 },
      Other: { count: 0, percent: 0 },
    });
  });

  it('ranks reasons per status, keeps the top N and folds the rest into one row', () => {
    const reasons = ['Voicemail', 'Voicemail', 'Voicemail', 'Busy', 'Busy', 'No answer', undefined];
    const records = reasons.map((additionalInformation) =>
      rec(
        call({
          status: 'Not Complete',
          flow: [],
          lastStepName: null,
          ...(additionalInformation ? { additionalInformation } : {}),
        }),
      ),
    );
    records.push(rec(call({ status: 'Complete', additionalInformation: 'No further action' })));
    const report = summarise(records, { top: 2 });
    const notComplete = report.callComplete.byReason['Not Complete'];
    expect(notComplete.calls).toBe(7);
    // 3/7, 2/7 and the folded 2/7: 428.57 + 285.71 + 285.71 tenths; the two .71 remainders round up.
    expect(notComplete.rows).toEqual([
      { reason: 'Voicemail', count: 3, percent: 42.8 },
      { reason: 'Busy', count: 2, percent: 28.6 },
    ]);
    expect(notComplete.rest).toEqual({ keys: 2, count: 2, percent: 28.6 });
    expect(report.callComplete.byReason.Complete.rows).toEqual([
      { reason: 'No further action', count: 1, percent: 100 },
    ]);
    // top 0 keeps every reason; a call without one is a null reason, listed last among equals.
    const all = summarise(records, { top: 0 }).callComplete.byReason['Not Complete'];
    expect(all.rows.map((r) => r.reason)).toEqual(['Voicemail', 'Busy', 'No answer', null]);
    expect(all.rest).toBeNull();
  });

  it('reports per-campaign outcomes and human-support requests, busiest campaign first', () => {
    const report = summarise([
      rec(call({ campaignId: campaignB, status: 'Complete' })),
      rec(call({ status: 'Complete', requests: ['humanSupportRequest', 'humanSupportRequest'] })),
      rec(call({ status: 'Partial', requests: ['humanSupportRequest', 'callbackRequest'] })),
      rec(call({ status: 'Not Complete', flow: [], lastStepName: null })),
    ]);
    const { rows, rest } = report.callComplete.byCampaign;
    expect(rest).toBeNull();
    expect(rows.map((r) => [r.campaignId, r.calls, r.humanSupportRequests])).toEqual([
      [campaignA, 3, 2],
      [campaignB, 1, 0],
    ]);
    expect(rows[0]!.byStatus).toEqual({
      Complete: { count: 1, percent: 33.4 },
      Partial: { count: 1, percent: 33.3 },
      'Not Complete': { count: 1, percent: 33.3 },
      Other: { count: 0, percent: 0 },
    });
    // A request made twice in one call counts once: requests count calls.
    expect(report.callComplete.requests.rows).toEqual([
      { request: 'humanSupportRequest', calls: 2 },
      { request: 'callbackRequest', calls: 1 },
    ]);
    // The rest row counts the calls that made any request left out, each call once (red team
    // hT83: one call that made two requests left out was two calls).
    const requested = (requests: string[]) => rec(call({ requests }));
    const folded = summarise(
      [
        requested(['callbackRequest']),
        requested(['callbackRequest', 'humanSupportRequest', 'refundRequest']),
        requested(['refundRequest', 'humanSupportRequest']),
        requested(['callbackRequest']),
        requested(['callbackRequest', 'refundRequest', 'refundRequest']),
      ],
      { top: 1 },
    ).callComplete.requests;
    expect(folded.rows).toEqual([{ request: 'callbackRequest', calls: 4 }]);
    expect(folded.rest).toEqual({ keys: 2, calls: 3 });
    const top1 = summarise([rec(call({ campaignId: campaignB })), rec(call()), rec(call())], { top: 1 });
    expect(top1.callComplete.byCampaign.rest).toEqual({ keys: 1, calls: 1 });
    expect(top1.callComplete.funnel.rest).toEqual({ keys: 1, calls: 1 });
  });

  it('builds a drop-off funnel from flows and lastStepName, with where Partial calls stopped', () => {
    const step = (questionName: string) => ({ questionName, response: 'Other' });
    const report = summarise([
      rec(call({ status: 'Complete', flow: [step('Q1'), step('Q2'), step('Q3')] })),
      rec(call({ status: 'Partial', flow: [step('Q1'), step('Q2')] })),
      rec(call({ status: 'Partial', flow: [step('Q1')] })),
      // A question asked twice is reached once.
      rec(call({ status: 'Partial', flow: [step('Q1'), step('Q1')] })),
      // lastStepName past the end of the flow still counts as reached, and as where it stopped.
      rec(call({ status: 'Partial', flow: [step('Q1')], lastStepName: 'Q2' })),
      rec(call({ status: 'Not Complete', flow: [], lastStepName: null })),
    ]);
    const [funnel] = report.callComplete.funnel.rows;
    expect(funnel).toEqual({
      campaignId: campaignA,
      calls: 6,
      partial: 4,
      steps: [
        { question: 'Q1', reached: 5, percent: 83.3, partialStops: 2 },
        { question: 'Q2', reached: 3, percent: 50, partialStops: 2 },
        { question: 'Q3', reached: 1, percent: 16.7, partialStops: 0 },
      ],
      moreSteps: 0,
    });
    const cut = summarise([rec(call({ flow: [step('Q1'), step('Q2'), step('Q3')] }))], { top: 2 });
    expect(cut.callComplete.funnel.rows[0]!.steps.map((s) => s.question)).toEqual(['Q1', 'Q2']);
    expect(cut.callComplete.funnel.rows[0]!.moreSteps).toBe(1);
  });

  it('orders questions reached by as many calls by where calls met them, then by their text, in any input order (red team hR98)', () => {
    // Equal counts kept the order questions were first seen: the same events in another order
    // (a retried replay's capture) gave another `--top 2`, ["Q1","Q3"] against ["Q1","Q2"].
    const step = (questionName: string) => ({ questionName, response: 'Other' });
    const calls = [
      call({ status: 'Partial', flow: [step('Start'), step('Zeta')] }),
      call({ status: 'Partial', flow: [step('Start'), step('Next'), step('Alpha')] }),
      // A lastStepName past the end of the flow is met a step after its last.
      call({ status: 'Partial', flow: [step('Start'), step('Mid')], lastStepName: 'Stop' }),
    ];
    const questionsOf = (report: ReturnType<typeof summarise>) =>
      report.callComplete.funnel.rows[0]!.steps.map((s) => s.question);
    const expected = ['Start', 'Mid', 'Next', 'Zeta', 'Alpha', 'Stop'];
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
    ]) {
      const events = order.map((i) => calls[i]!);
      expect({
        order,
        questions: questionsOf(
          summarise(
            events.map((e) => rec(e)),
            { top: 0 },
          ),
        ),
      }).toEqual({
        order,
        questions: expected,
      });
      // Two threads: the second half's counts merged into the first's.
      const first = new SummaryAccumulator({ top: 0 });
      const second = new SummaryAccumulator({ top: 0 });
      first.add(rec(events[0]!));
      for (const event of events.slice(1)) second.add(rec(event));
      first.merge(second.state());
      expect({ order, questions: questionsOf(first.report()) }).toEqual({ order, questions: expected });
    }
  });

  it('reads each step of a long flow a bounded number of times to find the questions it reached', () => {
    // Hint: counting reads of questionName, not time: a flow of thousands of steps must not be
    // compared step against step (a flow of n steps was read about n²/2 times).
    let reads = 0;
    const steps = 4000;
    const flow = Array.from({ length: steps }, (_, i) => ({
      response: 'Other',
      get questionName() {
        reads++;
        return `Q${i % (steps / 2)}`;
      },
    }));
    const report = summarise([rec(call({ status: 'Partial', flow, lastStepName: 'Q0' }))], { top: 0 });
    const funnel = report.callComplete.funnel.rows[0]!;
    expect(funnel.steps.length).toBe(steps / 2);
    expect(funnel.steps.every((s) => s.reached === 1)).toBe(true);
    expect(funnel.steps.find((s) => s.question === 'Q0')?.partialStops).toBe(1);
    expect(reads).toBeLessThan(10 * steps);
  });

  it('counts attempts with their failure notes, and inbound calls apart from callbacks', () => {
    const report = summarise(
      [
        attempt('success'),
        attempt('failed', 'invalid phone'),
        attempt('failed', 'invalid phone'),
        attempt('failed'),
        received('inbound'),
        received('outbound-callback'),
        received('outbound-callback'),
      ].map((e) => rec(e)),
    );
    expect(report.callAttempted).toEqual({
      total: 4,
      success: { count: 1, percent: 25 },
      failed: { count: 3, percent: 75 },
      byNote: {
        rows: [
          { note: 'invalid phone', count: 2, percent: 66.7 },
          { note: null, count: 1, percent: 33.3 },
        ],
        rest: null,
      },
    });
    expect(report.callReceived).toEqual({
      total: 3,
      inbound: { count: 1, percent: 33.3 },
      outboundCallback: { count: 2, percent: 66.7 },
    });
  });

  it('keeps events in [since, until) and reports the time range of what it kept', () => {
    const events = [
      attempt('success', undefined, '2022-08-31T23:59:59.999Z'),
      attempt('success', undefined, '2022-09-01T00:00:00.000Z'),
      attempt('success', undefined, '2022-09-01T12:00:00.000Z'),
      attempt('success', undefined, '2022-09-02T00:00:00.000Z'),
    ].map((e) => rec(e));
    const report = summarise(events, { since: Date.parse('2022-09-01'), until: Date.parse('2022-09-02') });
    expect(report.events).toBe(2);
    expect(report.filteredOut).toBe(2);
    expect(report.timeRange).toEqual({ first: '2022-09-01T00:00:00.000Z', last: '2022-09-01T12:00:00.000Z' });
  });

  it('normalises a timestamp with an offset to UTC in the time range and day keys', () => {
    const report = summarise([rec(attempt('success', undefined, '2022-09-01T09:30:00+10:00'))], { by: 'day' });
    expect(report.timeRange).toEqual({ first: '2022-08-31T23:30:00.000Z', last: '2022-08-31T23:30:00.000Z' });
    expect(report.groups!.rows.map((r) => r.key)).toEqual(['2022-08-31']);
  });

  it('reads every timestamp form the schema accepts, Date.parse or not', () => {
    expect(instantOf('2022-09-01T09:30:00+10:00')).toBe(Date.parse('2022-08-31T23:30:00Z'));
    expect(instantOf('2022-09-01T09:30:00 +10:00')).toBe(Date.parse('2022-08-31T23:30:00Z'));
    expect(instantOf('2022-09-01T09:30:00+10')).toBe(Date.parse('2022-08-31T23:30:00Z'));
    expect(instantOf('2022-09-01 09:30:00 +1000')).toBe(Date.parse('2022-08-31T23:30:00Z'));
    expect(instantOf('2022-09-01T09:30:00.123456789Z')).toBe(Date.parse('2022-09-01T09:30:00.123Z'));
    expect(instantOf('not a time')).toBeNaN();
    const report = summarise(
      [
        rec(attempt('success', undefined, '2022-09-01 09:30:00.000Z')),
        rec(attempt('success', undefined, '2022-09-01T19:30:00 +10')),
        rec(attempt('success', undefined, 'not a time')),
      ],
      { by: 'hour' },
    );
    expect(report.groups!.rows.map((r) => r.key)).toEqual(['(unknown time)', '2022-09-01T09:00Z']);
    expect(report.groups!.rows[1]!.events).toBe(2);
    expect(report.timeRange).toEqual({ first: '2022-09-01T09:30:00.000Z', last: '2022-09-01T09:30:00.000Z' });
    expect(summarise([rec(attempt('success', undefined, 'not a time'))]).timeRange).toBeNull();
  });

  it('keeps only CallComplete events of the --status statuses', () => {
    const report = summarise(
      [
        call({ status: 'Partial' }),
        call({ status: 'Complete' }),
        call({ status: 'Not Complete' }),
        attempt('success'),
      ].map((e) => rec(e)),
      { statuses: ['Partial', 'Not Complete'] },
    );
    expect(report.events).toBe(2);
    expect(report.filteredOut).toBe(2);
    expect(report.byType.CallAttempted).toBe(0);
    expect(report.callComplete.byStatus.Partial.percent).toBe(50);
  });

  it('groups by campaign, busiest first, cut at top N', () => {
    const report = summarise(
      [
        call({ status: 'Complete' }),
        call({ status: 'Not Complete', flow: [], lastStepName: null }),
        attempt('failed', 'busy'),
        sms('SMSSent'),
      ].map((e) => rec(e)),
      { by: 'campaign', top: 1 },
    );
    expect(report.groups).toEqual({
      by: 'campaign',
      rows: [
        {
          key: campaignA,
          events: 3,
          byType: { CallComplete: 2, CallAttempted: 1, CallReceived: 0, SMSSent: 0, SMSReceived: 0, SMS: 0 },
          byStatus: { Complete: 1, Partial: 0, 'Not Complete': 1, Other: 0 },
          completeGroupPercent: 50,
          attemptsFailed: 1,
        },
      ],
      rest: { keys: 1, events: 1 },
    });
  });

  it("gives a --by row the Complete group's share the group table gives: Complete's plus Partial's", () => {
    // 1 Complete, 4 Partial, 1 Not Complete: the group table said 83.4 (16.7 + 66.7), the --by
    // row 83.3 (5/6 rounded on its own), for the same calls.
    const statuses = ['Complete', 'Partial', 'Partial', 'Partial', 'Partial', 'Not Complete'] as const;
    const report = summarise(
      statuses.map((status) => rec(call({ status }))),
      { by: 'campaign' },
    );
    expect(report.callComplete.byGroup.Complete.percent).toBe(83.4);
    expect(report.groups?.rows[0]?.completeGroupPercent).toBe(83.4);
  });

  it('groups by hour and day in time order, never cut', () => {
    const times = ['2022-09-01T10:59:59.000Z', '2022-08-31T23:00:00.000Z', '2022-09-01T10:00:00.000Z'];
    const events = times.map((t) => rec(attempt('success', undefined, t)));
    const hours = summarise(events, { by: 'hour', top: 1 }).groups!;
    expect(hours.rows.map((r) => [r.key, r.events])).toEqual([
      ['2022-08-31T23:00Z', 1],
      ['2022-09-01T10:00Z', 2],
    ]);
    expect(hours.rest).toBeNull();
    expect(hours.rows[0]!.completeGroupPercent).toBeNull();
    const days = summarise(events, { by: 'day' }).groups!;
    expect(days.rows.map((r) => [r.key, r.events])).toEqual([
      ['2022-08-31', 1],
      ['2022-09-01', 2],
    ]);
  });

  it("groups by the customer's phone: the callee of a call, the far end of an SMS", () => {
    const report = summarise(
      [call(), sms('SMSSent'), sms('SMSReceived'), sms('SMS')].map((e) => rec(e)),
      { by: 'phone' },
    );
    // The bare SMS's numbers are no call's phone: which end is the customer's stays unknown.
    expect(report.groups!.rows.map((r) => [r.key, r.events])).toEqual([
      ['(SMS of unknown direction)', 1],
      ['61491570003', 1],
      ['61491570004', 1],
      ['61491573087', 1],
    ]);
  });

  it('tells a bare SMS its direction in every --by table, as the report above them does', () => {
    // The call makes 61491570004 a customer's number: the bare SMS to it was sent.
    const events = [call({ phone: '61491570004' }), sms('SMS'), sms('SMS')].map((e) => rec(e));
    for (const by of ['campaign', 'day', 'hour', 'phone'] as const) {
      const report = summarise(events, { by, top: 0 });
      expect(report.byType, by).toMatchObject({ SMSSent: 2, SMS: 0 });
      const total = { CallComplete: 0, CallAttempted: 0, CallReceived: 0, SMSSent: 0, SMSReceived: 0, SMS: 0 };
      for (const row of report.groups!.rows) {
        for (const type of Object.keys(total) as (keyof typeof total)[]) total[type] += row.byType[type];
      }
      expect(total, by).toEqual(report.byType);
    }
    const campaigns = summarise(events, { by: 'campaign' }).groups!.rows;
    expect(campaigns.find((row) => row.key === campaignB)!.byType).toMatchObject({ SMSSent: 2, SMS: 0 });
  });

  it('counts a campaign once whatever the case its id is written in (UUIDs ignore case)', () => {
    const shouted = campaignA.toUpperCase();
    const events = [call(), call({ campaignId: shouted, status: 'Partial' }), attempt('failed', 'busy')];
    const report = summarise(
      events.map((e) => rec(e)),
      { by: 'campaign' },
    );
    expect(report.callComplete.byCampaign.rows.map((row) => [row.campaignId, row.calls])).toEqual([[campaignA, 2]]);
    expect(report.callComplete.funnel.rows.map((row) => [row.campaignId, row.calls])).toEqual([[campaignA, 2]]);
    expect(report.groups!.rows.map((row) => [row.key, row.events])).toEqual([[campaignA, 3]]);
  });

  it('adds no group table for --by status: the outcomes table already is one', () => {
    expect(summarise([rec(call())], { by: 'status' }).groups).toBeNull();
  });

  it('merges two halves read apart into the report of one pass, whatever the records and the cut', () => {
    const time = fc.constantFrom('2022-09-01T00:29:12.000Z', '2022-08-31T21:46:58.621Z', '2022-09-02T10:00:00+10:00');
    const question = fc.constantFrom('Q1', 'Q2', 'Q3');
    const event = fc.oneof(
      fc
        .record({
          status: fc.constantFrom('Complete', 'Partial', 'Not Complete'),
          campaignId: fc.constantFrom(campaignA, campaignB),
          reason: fc.option(fc.constantFrom('Voicemail', 'Busy', 'Done'), { nil: undefined }),
          questions: fc.array(question, { maxLength: 3 }),
          requests: fc.array(fc.constantFrom('humanSupportRequest', 'callback'), { maxLength: 2 }),
          phone: fc.constantFrom('61491570001', '61491570002'),
          time,
        })
        .map(({ questions, reason, time, ...data }) =>
          call({
            ...data,
            startedTime: time,
            flow: questions.map((questionName) => ({ questionName, response: 'Other' })),
            lastStepName: questions.at(-1) ?? null,
            ...(reason === undefined ? {} : { additionalInformation: reason }),
          }),
        ),
      fc
        .tuple(
          fc.constantFrom('success', 'failed') as fc.Arbitrary<'success' | 'failed'>,
          fc.option(fc.string(), { nil: undefined }),
          time,
        )
        .map(([status, note, at]) => attempt(status, note, at)),
      fc.constantFrom('inbound', 'outbound-callback').map((type) => received(type as 'inbound' | 'outbound-callback')),
      fc.constantFrom('SMSSent', 'SMSReceived', 'SMS').map((type) => sms(type as 'SMSSent' | 'SMSReceived' | 'SMS')),
    );
    const record = fc.oneof(
      { weight: 8, arbitrary: fc.tuple(event, fc.boolean()).map(([e, duplicate]) => rec(e, duplicate)) },
      { weight: 1, arbitrary: fc.constant(invalid([problem('missing-field', '/0/data/name')])) },
      { weight: 1, arbitrary: fc.constant<InputRecord>({ kind: 'problem', problem: problem('missing-comma', '/1') }) },
    );
    const options = fc.record({
      by: fc.constantFrom(undefined, 'campaign', 'day', 'hour', 'phone', 'status'),
      top: fc.constantFrom(0, 1, 10),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), fc.nat(), options, (records, cut, opts) => {
        const at = records.length === 0 ? 0 : cut % (records.length + 1);
        const file: InputRecord[] = [{ kind: 'file-start', file: 'x.json' }, ...records];
        const first = new SummaryAccumulator(opts);
        const second = new SummaryAccumulator(opts);
        for (const r of file.slice(0, at + 1)) first.add(r);
        for (const r of file.slice(at + 1)) second.add(r);
        first.add({ kind: 'file-end', file: 'x.json', elements: at, bytes: 10 });
        second.add({ kind: 'file-end', file: 'x.json', elements: records.length - at, bytes: 5 });
        // The state crosses threads by structured clone, so it is cloned here too.
        first.merge(structuredClone(second.state()));
        const whole = summarise(
          [...file, { kind: 'file-end', file: 'x.json', elements: records.length, bytes: 15 }],
          opts,
        );
        expect(first.report()).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('accumulates across chunks the same as in one go', () => {
    const records = [call(), call({ status: 'Partial' }), attempt('failed', 'x'), sms('SMS')].map((e) => rec(e));
    const accumulator = new SummaryAccumulator({ by: 'campaign' });
    for (const r of records.slice(0, 2)) accumulator.add(r);
    const partial = accumulator.report();
    for (const r of records.slice(2)) accumulator.add(r);
    expect(partial.events).toBe(2);
    expect(accumulator.report()).toEqual(summarise(records, { by: 'campaign' }));
  });
});
