import { describe, expect, it } from 'vitest';
import { callAttempted, callComplete } from '../../test/helpers/events.js';
import { summarise } from '../core/summary.js';
import type { ElementInfo, InputRecord } from '../input/types.js';
import type { WebhookEvent } from '../schema/events.js';
import { maskedReport, summaryDiagnostics } from './summarise.js';

describe('summarise diagnostics beside a machine-readable report', () => {
  // Hint: an undocumented status alone makes --strict exit 1, so stderr must say it, as the
  // pretty overview does; it said nothing under --format json or csv.
  const withOther = (read: number, counted: number) => {
    const empty = summarise([]);
    const byStatus = { ...empty.callComplete.byStatus, Other: { count: counted, percent: counted ? 100 : 0 } };
    return { ...empty, undocumentedStatuses: read, callComplete: { ...empty.callComplete, byStatus } };
  };
  const report = withOther(2, 2);

  it('names the calls with an undocumented status for json and csv, not for the formats whose overview does', () => {
    for (const format of ['json', 'csv'] as const) {
      expect(summaryDiagnostics(report, format, undefined), format).toEqual([
        '2 calls with an undocumented status, counted as Other',
      ]);
    }
    expect(summaryDiagnostics(report, 'pretty', undefined)).toEqual([]);
    expect(summaryDiagnostics(report, 'markdown', undefined)).toEqual([]);
    expect(summaryDiagnostics(summarise([]), 'json', undefined)).toEqual([]);
  });

  it('under --strict, says in every format what failed the run: pretty and Markdown exited 1 saying nothing on stderr', () => {
    const failing = { ...withOther(2, 2), invalid: 3, inputErrors: 1 };
    for (const format of ['pretty', 'markdown', 'json', 'csv'] as const) {
      expect(summaryDiagnostics(failing, format, undefined, true), format).toEqual([
        'skipped 3 invalid elements; run `callhook validate` for details',
        '2 calls with an undocumented status, counted as Other',
        '1 problem outside any event; run `callhook validate` for details',
      ]);
      expect(summaryDiagnostics(summarise([]), format, undefined, true), format).toEqual([]);
    }
  });

  it('counts in words, one or many, not `(s)`', () => {
    // `1 problem(s)`, `skipped 1 invalid element(s)`, `call(s)`, `row(s)` (red team hF59).
    const one = { ...withOther(1, 1), invalid: 1, inputErrors: 2 };
    expect(summaryDiagnostics(one, 'json', undefined)).toEqual([
      'skipped 1 invalid element; run `callhook validate` for details',
      '1 call with an undocumented status, counted as Other',
      '2 problems outside any event; run `callhook validate` for details',
    ]);
    const empty = summarise([]);
    for (const [keys, rows] of [
      [1, '1 phone row'],
      [1200, '1,200 phone rows'],
    ] as const) {
      const cut = { ...empty, groups: { rest: { keys } } } as unknown as typeof empty;
      expect(summaryDiagnostics(cut, 'csv', 'phone')).toEqual([`--top left out ${rows}; --top 0 keeps them all`]);
    }
  });

  it('says how many of them a filter (--status, --since, --until) left out of Other', () => {
    expect(summaryDiagnostics(withOther(2, 1), 'json', undefined)).toEqual([
      '2 calls with an undocumented status, 1 counted as Other, the rest filtered out',
    ]);
  });
});

describe('summarise --mask', () => {
  const element = (index: number): ElementInfo => ({
    file: 'x.json',
    line: 1,
    column: 1,
    offset: 0,
    pointer: `/${index}`,
    index,
    batch: 0,
    text: '{}',
  });
  const records: InputRecord[] = [
    {
      type: 'CallAttempted',
      data: { time: '2022-09-01T00:00:01.000Z', phone: '61491573087', status: 'failed', campaignId: 'c' },
    },
    {
      type: 'SMSSent',
      data: {
        time: '2022-09-01T00:00:02.000Z',
        from: '61400000001',
        to: '61491573087',
        message: 'hi',
        campaignId: 'c',
      },
    },
    {
      type: 'SMS',
      data: {
        time: '2022-09-01T00:00:03.000Z',
        from: '61422222222',
        to: '61433333333',
        message: 'who?',
        campaignId: 'c',
      },
    },
  ].map((event, index) => ({
    kind: 'event',
    element: element(index),
    event: event as WebhookEvent,
    value: {},
    problems: [],
    duplicate: false,
  }));

  it("hides the customers' numbers of a --by phone table, keeping the last 3 digits and the other rows", () => {
    const report = summarise(records, { by: 'phone' });
    expect(report.groups?.rows.map((row) => row.key)).toContain('61491573087');
    const masked = maskedReport(report);
    const keys = masked.groups?.rows.map((row) => row.key) ?? [];
    expect(keys).toContain('********087');
    expect(keys.filter((key) => /\d{4}/.test(key))).toEqual([]);
    expect(keys).toHaveLength(report.groups?.rows.length ?? -1);
    // The counts are the report's own; only the keys change, and the report given is left as it was.
    expect(masked.groups?.rows.map((row) => row.events)).toEqual(report.groups?.rows.map((row) => row.events));
    expect(report.groups?.rows.map((row) => row.key)).toContain('61491573087');
  });

  it('tells apart rows that mask alike, as show --mask tells keys apart: (2), (3)', () => {
    // Two customers ending in 087 read as two rows `********087` (red team hR91); show --mask
    // names the second `********087 (2)`. Counts stay each row's own.
    const attempt = (phone: string) =>
      ({
        ...records[0]!,
        event: {
          ...(records[0] as { event: WebhookEvent }).event,
          data: { ...(records[0] as { event: { data: object } }).event.data, phone },
        },
      }) as InputRecord;
    const report = summarise(
      [attempt('61491573087'), attempt('61491573087'), attempt('61400000087'), attempt('61411111087')],
      { by: 'phone' },
    );
    expect(maskedReport(report).groups?.rows.map((row) => [row.key, row.events])).toEqual([
      ['********087', 2],
      ['********087 (2)', 1],
      ['********087 (3)', 1],
    ]);
  });

  it('hides a number in the name of a file read no further, as stderr does', () => {
    // `summarise exp --mask --format json` printed `"file": "exp/cust-61491573087.json"`.
    const report = summarise(records);
    const unreadable = { file: 'exp/cust-61491573087.json', line: 1, column: 1, message: 'the file is not text' };
    const masked = maskedReport({ ...report, unreadableFiles: [unreadable] });
    expect(masked.unreadableFiles).toEqual([{ ...unreadable, file: 'exp/cust-********087.json' }]);
  });

  it('hides a number written in a reason or a failure note, as show --mask does', () => {
    // They were printed whole: `Call back on 0491 573 087` in Reasons, in every format.
    const written = [
      callComplete({ additionalInformation: 'Call back on 0491 573 087 after 5pm' }),
      callAttempted({ note: 'invalid phone 61491573087' }),
    ].map((event, index) => ({ ...records[0], element: element(index), event }) as InputRecord);
    const masked = JSON.stringify(maskedReport(summarise(written)));
    expect(masked).toContain('Call back on **** *** 087 after 5pm');
    expect(masked).toContain('invalid phone ********087');
    expect(masked).not.toMatch(/0491 573|61491573087/);
  });

  it('hides a number written in a question of the drop-off funnel or in a request, as show --mask does', () => {
    // They were printed whole: `Best number? 0491573087` in the funnel, `call 0491573087` in Requests.
    const written = [
      callComplete({
        lastStepName: 'Best number? 0491573087',
        flow: [{ questionName: 'Best number? 0491573087', response: '0491573087' }],
        requests: ['call 0491573087'],
      }),
    ].map((event, index) => ({ ...records[0], element: element(index), event }) as InputRecord);
    const report = summarise(written);
    const masked = JSON.stringify(maskedReport(report));
    expect(masked).toContain('"question":"Best number? *******087"');
    expect(masked).toContain('"request":"call *******087"');
    expect(masked).not.toContain('0491573087');
    expect(JSON.stringify(report)).toContain('0491573087');
  });

  it('tells apart reasons, notes, questions and requests that mask alike, as it tells apart customers', () => {
    // Two reasons, `Call back on 0491 573 087` and `Call back on 0491 111 087`, were two rows both
    // named `Call back on **** *** 087`: keyed by reason (jq from_entries), one count was lost, and
    // a reason that said `**** *** 087` itself read as one of them (red team hR103 F1).
    const written = [
      callComplete({
        additionalInformation: 'Call back on 0491 573 087',
        flow: [{ questionName: 'Is 0491573087 yours?', response: 'Yes' }],
        lastStepName: 'Is 0491573087 yours?',
        requests: ['sms 0491573087', 'sms 0491111087'],
      }),
      callComplete({
        additionalInformation: 'Call back on 0491 111 087',
        flow: [
          { questionName: 'Is 0491573087 yours?', response: 'No' },
          { questionName: 'Is 0491111087 yours?', response: 'Yes' },
        ],
        lastStepName: 'Is 0491111087 yours?',
      }),
      callComplete({ additionalInformation: 'Call back on 0491 573 087' }),
      callComplete({ additionalInformation: 'Call back on **** *** 087' }),
      callAttempted({ note: 'wrong number 61491573087' }),
      callAttempted({ note: 'wrong number 61491111087' }),
    ].map((event, index) => ({ ...records[0], element: element(index), event }) as InputRecord);
    const report = summarise(written);
    const masked = maskedReport(report);
    const names = [
      ...Object.values(masked.callComplete.byReason).map(({ rows }) => rows.map((row) => row.reason)),
      masked.callAttempted.byNote.rows.map((row) => row.note),
      ...masked.callComplete.funnel.rows.map((row) => row.steps.map((step) => step.question)),
      masked.callComplete.requests.rows.map((row) => row.request),
    ].filter((list) => list.length > 1);
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const list of names) expect(new Set(list).size, list.join(' | ')).toBe(list.length);
    expect(JSON.stringify(masked)).not.toMatch(/0491 ?573|0491 ?111|61491573087|61491111087/);
    // The reason written masked keeps its name, though a row before it masks alike; those two are told apart.
    const reasonsOf = ({ callComplete }: typeof report) =>
      Object.values(callComplete.byReason).flatMap(({ rows }) => rows.map((row) => row.reason));
    const literal = reasonsOf(report).indexOf('Call back on **** *** 087');
    expect(literal).toBeGreaterThan(0);
    expect(reasonsOf(masked)[literal]).toBe('Call back on **** *** 087');
    expect(reasonsOf(masked).filter((reason) => reason?.startsWith('Call back on **** *** 087 ('))).toHaveLength(2);
  });

  it('gives a text one masked name in every table of the report', () => {
    // Told apart table by table, `Call back on **** *** 087` named one number among Complete's
    // reasons and the other among Partial's, where each ranked its rows the other way (review hR107).
    const [a, b] = ['Call back on 0491 573 087', 'Call back on 0491 111 087'];
    const reasons: Array<[string, string]> = [
      ['Complete', a],
      ['Complete', a],
      ['Complete', b],
      ['Partial', b],
      ['Partial', b],
      ['Partial', a],
    ];
    const written = reasons
      .map(([status, additionalInformation]) => callComplete({ status, additionalInformation } as never))
      .map((event, index) => ({ ...records[0], element: element(index), event }) as InputRecord);
    const report = summarise(written);
    const named = (r: typeof report) =>
      Object.fromEntries(
        Object.entries(r.callComplete.byReason).map(([status, { rows }]) => [status, rows.map((row) => row.reason)]),
      );
    const [plain, masked] = [named(report), named(maskedReport(report))];
    const nameOf = new Map<string | null, string | null>();
    for (const status of Object.keys(plain)) {
      for (const [i, text] of (plain[status] ?? []).entries()) {
        const name = masked[status]?.[i] ?? null;
        if (nameOf.has(text)) expect(name, `${text} in ${status}`).toBe(nameOf.get(text));
        nameOf.set(text, name);
      }
    }
    expect(new Set(nameOf.values()).size).toBe(2);
    expect(nameOf.has(a) && nameOf.has(b)).toBe(true);
  });

  it("never gives a customer's number and a number in a text one masked name", () => {
    // `--by phone --mask` named the customer 61491570737 `********737`, and a reason naming
    // 61491333737 `********737` too: two numbers, one name, in two tables (review hR108).
    const written = [callComplete({ phone: '61491570737', additionalInformation: '61491333737' })].map(
      (event, index) => ({ ...records[0], element: element(index), event }) as InputRecord,
    );
    const masked = maskedReport(summarise(written, { by: 'phone' }));
    const keys = masked.groups?.rows.map((row) => row.key) ?? [];
    const reasons = Object.values(masked.callComplete.byReason).flatMap(({ rows }) => rows.map((row) => row.reason));
    expect(keys).toHaveLength(1);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).not.toBe(keys[0]);
    expect(`${keys[0]} ${reasons[0]}`).not.toMatch(/61491570|61491333/);
  });

  it('leaves a table by anything else as it is', () => {
    const report = summarise(records, { by: 'campaign' });
    expect(maskedReport(report)).toEqual(report);
  });
});
