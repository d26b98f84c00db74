import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { Delivery } from './listen.js';
import {
  drawDeliveries,
  maskedDelivery,
  renderCounts,
  renderDeliveryJson,
  renderDeliveryLine,
  renderDeliveryProblems,
  renderExposedWarning,
  renderListeningJson,
  renderVerifyLine,
  renderVerifyTotals,
} from './render.js';

const plain = new Chalk({ level: 0 });
const delivery = (over: Partial<Delivery> = {}): Delivery => ({
  time: Date.UTC(2024, 0, 1, 12, 30, 5),
  method: 'POST',
  path: '/hook',
  status: 200,
  bytes: 10,
  webhookId: 'msg_1',
  signature: { ok: true, secretIndex: 0 },
  events: [],
  invalid: 0,
  problems: [],
  repeatedWebhookId: false,
  repeatedEvents: 0,
  ...over,
});

describe('listen output', () => {
  it('draws a delivery its drawing fails on as one warning naming it, and goes on with the next', () => {
    // A renderer that threw (a stack overflow on a 10 MB word, red team hT43) ended listen with a
    // raw stack trace, the deliveries after it refused.
    const draw = (d: Delivery) => {
      if (d.path === '/bad') throw new RangeError('Maximum call stack size exceeded');
      return `${d.path}\n`;
    };
    const deliveries = [delivery(), delivery({ path: '/bad', captured: '000002.json' }), delivery({ path: '/next' })];
    expect(drawDeliveries(deliveries, draw)).toEqual({
      text: '/hook\n/next\n',
      failures: [
        '12:30:05Z POST /bad: could not show this delivery (internal error: Maximum call stack size exceeded); it was answered 200 and captured as 000002.json',
      ],
    });
  });

  it("tells the operator the flag for a type it cannot tell, which the 422's body does not tell the sender", () => {
    const problem = { line: 1, column: 2, offset: 1, pointer: '/0', severity: 'error' as const };
    const refused = delivery({
      status: 422,
      problems: [
        { ...problem, file: '', code: 'unknown-shape', message: 'cannot tell the event type from keys "foo"' },
      ],
    });
    expect(renderDeliveryProblems(refused, plain)).toBe(
      '  1:2 /0 cannot tell the event type from keys "foo"; pass --type\n',
    );
  });

  it("shows a pointer to a key of megabytes by its segments' first 40 characters, as validate does", () => {
    // A key of 100,000 characters made one line of 100,012 (review hR67).
    const key = 'k'.repeat(100_000);
    const problem = { file: '', line: 1, column: 2, offset: 1, severity: 'error' as const, code: 'c', message: 'm' };
    const refused = delivery({ status: 422, problems: [{ ...problem, pointer: `/data/${key}/a` }] });
    expect(renderDeliveryProblems(refused, plain)).toBe(`  1:2 /data/${'k'.repeat(40)}…/a m\n`);
  });

  it('counts the problems a body had past those kept among the ones it leaves out', () => {
    const problem = { file: '', line: 1, column: 2, offset: 1, severity: 'error' as const, code: 'c', message: 'm' };
    const problems = [0, 1, 2, 3, 4].map((i) => ({ ...problem, pointer: `/${i}` }));
    expect(renderDeliveryProblems(delivery({ status: 422, problems, omittedProblems: 995 }), plain)).toBe(
      '  1:2 /0 m\n  1:2 /1 m\n  1:2 /2 m\n  … and 997 more\n',
    );
  });

  it("wraps a refused delivery's problems to the width, their indent kept, losing nothing", () => {
    // Piped (80 columns) these came out at 118 and 112 columns: escaped, never wrapped.
    const signature = {
      ok: false as const,
      reason: 'wrong-secret' as const,
      message:
        'the secret does not produce the v1 signature: the secret is wrong (or the id, timestamp or body changed after signing)',
    };
    const received = `"${'x'.repeat(40)}…"`;
    const problems = [
      {
        file: '',
        line: 1,
        column: 64,
        offset: 63,
        pointer: '/0/status',
        severity: 'error' as const,
        code: 'invalid-value',
        message: `"status" must be ("success" | "failed"); received ${received}`,
      },
    ];
    const refused = delivery({ status: 401, signature, problems });
    const whole = renderDeliveryProblems(refused, plain);
    const wrapped = renderDeliveryProblems(refused, plain, 80);
    const lines = wrapped.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(whole.trimEnd().split('\n').length);
    expect(lines.filter((line) => line.length > 80)).toEqual([]);
    expect(lines.every((line) => line.startsWith('  '))).toBe(true);
    // Each problem starts a line of its own at the usual indent; its later lines hang under it.
    expect(lines.filter((line) => !line.startsWith('   ')).map((line) => line.slice(2, 12))).toEqual([
      'the secret',
      '1:64 /0/st',
    ]);
    expect(wrapped.split(/\s+/).join(' ')).toBe(whole.split(/\s+/).join(' '));
    expect(wrapped).toContain(received);
  });

  it('shows time, answer, path, events, id, signature and the redelivery mark on one line', () => {
    const line = renderDeliveryLine(delivery({ repeatedWebhookId: true, captured: '000001.json' }), plain);
    expect(line).toBe('12:30:05Z  200  POST /hook  0 events  id msg_1  signature ok  ↻ redelivery  → 000001.json\n');
    const refused = renderDeliveryLine(
      delivery({ status: 401, signature: { ok: false, reason: 'wrong-secret', message: 'm' }, error: 'signature: x' }),
      plain,
    );
    // A body refused on its signature is not read for events: no count, rather than "0 events" (helper-199).
    expect(refused).toContain('401  POST /hook  id msg_1  signature wrong-secret\n');
    expect(renderDeliveryLine(delivery({ status: 503, checkedStatus: 200 }), plain)).toContain('503  (checks: 200)');
    // A head node:http could not read has no request line to show, and no gap where it would be.
    const headless = delivery({ status: 400, method: '', path: '', bytes: 0, webhookId: undefined, error: 'bad head' });
    expect(renderDeliveryLine({ ...headless, signature: undefined }, plain)).toBe(
      '12:30:05Z  400  0 events  bad head\n',
    );
  });

  it('wraps a line longer than the width under what follows the time, losing nothing', () => {
    const long = delivery({
      webhookId: `msg_0_${'a'.repeat(32)}`,
      captured: '000001.ndjson:12',
      repeatedWebhookId: true,
    });
    const whole = renderDeliveryLine(long, plain);
    const wrapped = renderDeliveryLine(long, plain, 80);
    const lines = wrapped.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((line) => line.length <= 80)).toBe(true);
    expect(lines.slice(1).every((line) => line.startsWith(' '.repeat(10)) && line[10] !== ' ')).toBe(true);
    const words = (text: string) => text.trim().split(/\s+/);
    expect(words(wrapped)).toEqual(words(whole));
    // In colour, no style runs past the end of a line.
    const coloured = renderDeliveryLine(long, new Chalk({ level: 2 }), 80).split('\n');
    expect(coloured.every((line) => !/\u001b\[(?!0?m|39m|22m)[0-9;]*m[^\u001b]*$/.test(line))).toBe(true);
  });

  it('escapes what the sender controls, in lines and in NDJSON', () => {
    const hostile = delivery({ path: '/a\u001b[2J\u202eb\u{e0041}', webhookId: 'msg_\u001b]0;pwn\u0007\u00ad' });
    const line = renderDeliveryLine(hostile, plain);
    expect(line).not.toMatch(/[\u001b\u0007\u202e\u00ad\u{e0041}]/u);
    expect(line).toContain('/a\\e[2J\\u202eb\\u{e0041}');
    const json = renderDeliveryJson(hostile);
    expect(json).not.toMatch(/[\u001b\u0007\u202e\u00ad\u{e0041}]/u);
    expect(JSON.parse(json)).toMatchObject({ path: hostile.path, webhookId: hostile.webhookId });
  });

  it('--mask masks a number in every text of a delivery it shows: method, webhook-id, signature failure, error, capture', () => {
    // The webhook-id was shown whole in both formats (red team hT36), and a method the sender made up (review hR36).
    const masked = maskedDelivery(
      delivery({
        status: 401,
        method: 'X61400318857',
        webhookId: 'msg_61400318857',
        signature: { ok: false, reason: 'wrong-secret', message: 'id msg_61400318857 signed otherwise' },
        error: "internal: ENOSPC, write 'cust-61400318857/a.body'",
        captured: '61400318857.body',
      }),
    );
    const shown =
      renderDeliveryLine(masked, plain) + renderDeliveryProblems(masked, plain) + renderDeliveryJson(masked);
    expect(shown).not.toContain('61400318857');
    expect(masked).toMatchObject({
      method: 'X********857',
      webhookId: 'msg_********857',
      signature: { ok: false, reason: 'wrong-secret', message: 'id msg_********857 signed otherwise' },
      error: "internal: ENOSPC, write 'cust-********857/a.body'",
      captured: '********857.body',
    });
    expect(maskedDelivery(delivery({ webhookId: undefined })).webhookId).toBeUndefined();
  });

  it('names the events by type, most frequent first, equal counts in the order summaries list types', () => {
    const of = (...types: string[]) =>
      types.map((type) => ({ event: { type }, value: {}, duplicate: false })) as unknown as Delivery['events'];
    const line = (events: Delivery['events']) => renderDeliveryLine(delivery({ events }), plain);
    expect(line(of('SMSSent', 'SMSSent'))).toContain('  2 events (2 SMSSent)  ');
    expect(line(of('SMSSent', 'CallComplete', 'CallComplete'))).toContain('  3 events (2 CallComplete, 1 SMSSent)  ');
    // Two batches of the same mix read alike, whichever type came first (it followed arrival).
    for (const events of [
      of('CallReceived', 'CallAttempted', 'CallComplete'),
      of('CallAttempted', 'CallReceived', 'CallComplete'),
    ]) {
      expect(line(events)).toContain('  3 events (1 CallComplete, 1 CallAttempted, 1 CallReceived)  ');
    }
    // Grouped as the total is: it read `2,500 events (1117 CallAttempted, …)` (hT59).
    const many = (type: string, n: number) => of(...Array.from({ length: n }, () => type));
    expect(line(many('SMSSent', 1200))).toContain('  1,200 events (1,200 SMSSent)  ');
    expect(line([...many('CallAttempted', 1117), ...many('SMSSent', 3)])).toContain(
      '  1,120 events (1,117 CallAttempted, 3 SMSSent)  ',
    );
  });

  it('keeps each count with its noun when the line wraps, at any width', () => {
    const events = ['SMSSent', 'CallComplete', 'CallComplete', 'CallAttempted'].map((type) => ({
      event: { type },
      value: {},
      duplicate: false,
    })) as unknown as Delivery['events'];
    const busy = delivery({ events, invalid: 12, webhookId: 'msg_2fQ9x', repeatedWebhookId: true });
    // From the width where the widest, "(2 CallComplete,", fits under the indent of 10.
    for (let width = 26; width <= 90; width++) {
      const text = renderDeliveryLine(busy, plain, width);
      for (const line of text.trimEnd().split('\n')) {
        expect(line, `width ${width}`).not.toMatch(/(^|[\s(])[\d,]+$/);
        expect(line.length, `width ${width}`).toBeLessThanOrEqual(width);
      }
      expect(text.replace(/\s+/g, ' '), `width ${width}`).toContain(
        '4 events (2 CallComplete, 1 CallAttempted, 1 SMSSent) 12 invalid',
      );
    }
  });

  it("draws each line's own second, whatever was drawn before (the clock is kept per second)", () => {
    // In UTC, said (`Z`): a listen in another zone printed UTC times that read as its own (red team hT17).
    const at = (time: number) => renderDeliveryLine(delivery({ time }), plain).slice(0, 9);
    const noon = Date.UTC(2024, 0, 1, 12, 0, 0);
    expect([noon, noon + 999, noon + 1000, noon - 1, noon + 86_400_000 + 61_000].map(at)).toEqual([
      '12:00:00Z',
      '12:00:00Z',
      '12:00:01Z',
      '11:59:59Z',
      '12:01:01Z',
    ]);
  });

  it('counts the run', () => {
    expect(
      renderCounts({
        requests: 1234,
        byStatus: { '200': 999 },
        events: 1,
        redeliveries: 0,
        repeatedWebhookIds: 0,
        repeatedEventIds: 0,
        captured: 0,
      }),
    ).toBe('stopped: 1,234 requests (999 × 200), 1 event\n');
    expect(
      renderCounts({
        requests: 3,
        byStatus: { '200': 2, '503': 1 },
        events: 4,
        redeliveries: 0,
        repeatedWebhookIds: 1,
        repeatedEventIds: 1,
        captured: 2,
      }),
    ).toBe(
      'stopped: 3 requests (2 × 200, 1 × 503), 4 events, 1 repeated webhook-id, 1 repeated event id, 2 captured\n',
    );
    // Past the width, wrapped under the counts, losing nothing.
    const long = renderCounts(
      {
        requests: 1161,
        byStatus: { '200': 1100, '503': 61 },
        events: 5805,
        redeliveries: 0,
        repeatedWebhookIds: 61,
        repeatedEventIds: 305,
        captured: 1161,
      },
      80,
    );
    expect(long).toBe(
      'stopped: 1,161 requests (1,100 × 200, 61 × 503), 5,805 events,\n' +
        '  61 repeated webhook-ids, 305 repeated event ids, 1,161 captured\n',
    );
    // A count stays with what it counts, at every width.
    const counts = {
      ...{ requests: 1161, events: 5805, captured: 1161 },
      redeliveries: 0,
      repeatedWebhookIds: 61,
      repeatedEventIds: 305,
    };
    for (let width = 30; width <= 100; width++) {
      const text = renderCounts({ ...counts, byStatus: { '200': 1100, '503': 61 } }, width);
      for (const line of text.trimEnd().split('\n')) {
        // A status after its × ends a count whole (`1,100 × 200,`); any other number ending a line is cut from its noun.
        expect(line.replace(/× \d+\)?,?$/, ''), `width ${width}`).not.toMatch(/(^|[\s(])[\d,]+( ×)?$/);
        expect(line, `width ${width}`).not.toMatch(/^\s*(×|event|repeated|captured|requests)/);
        expect(line.length, `width ${width}`).toBeLessThanOrEqual(width);
      }
    }
    // Every count of the line is grouped alike, not only those plural() writes.
    expect(
      renderCounts({
        requests: 1161,
        byStatus: { '200': 1161 },
        events: 5805,
        redeliveries: 0,
        repeatedWebhookIds: 0,
        repeatedEventIds: 0,
        captured: 1161,
      }),
    ).toBe('stopped: 1,161 requests (1,161 × 200), 5,805 events, 1,161 captured\n');
  });
});

describe('listen start-up', () => {
  it('warns of an address other machines reach within the width, losing nothing', () => {
    const text = renderExposedWarning('0.0.0.0', 80);
    for (const line of text.trimEnd().split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(text.replace(/\s+/g, ' ')).toBe(
      'callhook: warning: listening on 0.0.0.0, reachable from other machines; deliveries are not authenticated unless --sign is given ',
    );
    expect(renderExposedWarning('host\u001b[2J', 200)).toContain('listening on host\\e[2J,');
  });

  it('writes the capture folder of the listening line with the untrusted-text escapes, as every JSON line', () => {
    const line = renderListeningJson({ url: 'http://127.0.0.1:1/', port: 1, out: 'cap\u202e\u009b\u2028' });
    expect(line).toBe('{"kind":"listening","url":"http://127.0.0.1:1/","port":1,"out":"cap\\u202e\\u009b\\u2028"}\n');
    expect(JSON.parse(line).out).toBe('cap\u202e\u009b\u2028');
  });
});

describe('verify output', () => {
  it('wraps a failure longer than the width under the name, losing nothing, and keeps a short line whole', () => {
    const failed = {
      name: 'captured/000021.json',
      webhookId: 'msg_0_1d3eaacd962a63697c6e056b1630e676',
      result: {
        ok: false as const,
        reason: 'wrong-secret' as const,
        message: 'the secret does not produce the v1 signature: the secret is wrong',
      },
    };
    const whole = renderVerifyLine(failed, plain);
    expect(whole.trimEnd().split('\n')).toHaveLength(1);
    const wrapped = renderVerifyLine(failed, plain, 80);
    const lines = wrapped.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((line) => line.length <= 80)).toBe(true);
    expect(lines[0]).toMatch(/^FAIL {2}captured\/000021\.json {2}msg_0_/);
    expect(lines.slice(1).every((line) => line.startsWith(' '.repeat(6)) && line[6] !== ' ')).toBe(true);
    const words = (text: string) => text.trim().split(/\s+/);
    expect(words(wrapped)).toEqual(words(whole));
    const ok = { name: 'captured/000001.json', webhookId: 'msg_1', result: { ok: true as const, secretIndex: 0 } };
    expect(renderVerifyLine(ok, plain, 80)).toBe('ok    captured/000001.json  msg_1  secret #1\n');
  });

  it('keeps "secret #N" together when an ok line wraps', () => {
    // A capture's line of an NDJSON file, with replay's webhook-id, is 81 columns: "secret" ended
    // the line and "#1" stood alone under the name.
    const ok = {
      name: 'captured/000002.ndjson:2',
      webhookId: 'msg_2_4be2873cca9054a5489ff29b2239d75d',
      result: { ok: true as const, secretIndex: 0 },
    };
    expect(renderVerifyLine(ok, plain, 80)).toBe(
      'ok    captured/000002.ndjson:2  msg_2_4be2873cca9054a5489ff29b2239d75d\n      secret #1\n',
    );
  });

  it('never breaks a name across lines, one with spaces or wide (CJK) characters too: only what follows it wraps', () => {
    // Such a name was broken at a space, or between two wide characters, as words are: one could
    // not copy it from the terminal.
    const failed = (name: string) => ({
      name,
      webhookId: 'msg_1',
      result: { ok: false as const, reason: 'wrong-secret' as const, message: 'the secret is wrong '.repeat(4) },
    });
    for (const name of ['my captures/000001.json', '受信した配達の記録/000001.json']) {
      for (const width of [20, 40]) {
        const lines = renderVerifyLine(failed(name), plain, width).trimEnd().split('\n');
        const [first = ''] = lines;
        expect(first.slice(0, 6 + name.length)).toBe(`FAIL  ${name}`);
        expect(first[6 + name.length] ?? ' ').toBe(' ');
        expect(lines.slice(1).every((line) => line.startsWith(' '.repeat(6)) && line[6] !== ' ')).toBe(true);
      }
    }
  });

  it('groups the digits of every count in its totals', () => {
    const plain = new Chalk({ level: 0 });
    expect(renderVerifyTotals({ checked: 20_000, failed: 0 }, plain)).toBe('\n20,000 of 20,000 signatures valid\n');
    expect(renderVerifyTotals({ checked: 20_000, failed: 1_500 }, plain)).toBe(
      '\n18,500 of 20,000 signatures valid, 1,500 failed\n',
    );
  });

  it('counts in its totals the deliveries it could not check, whose lines of the log were unreadable', () => {
    // "59 of 59 signatures valid" said nothing of a 60th delivery whose description was cut.
    const plain = new Chalk({ level: 0 });
    expect(renderVerifyTotals({ checked: 59, failed: 0, unreadable: 1 }, plain)).toBe(
      '\n59 of 59 signatures valid; 1 delivery not checked (its description unreadable)\n',
    );
    expect(renderVerifyTotals({ checked: 59, failed: 2, unreadable: 3 }, plain)).toBe(
      '\n57 of 59 signatures valid, 2 failed; 3 deliveries not checked (their descriptions unreadable)\n',
    );
  });

  it('wraps its totals to the width, as it wraps every other line, each count with its noun', () => {
    // At --width 20 and 80 the totals were one line of 102 columns (red team hR95).
    const totals = { checked: 6, failed: 3, undescribed: 1, unreadable: 1 };
    const whole =
      '3 of 6 signatures valid, 3 failed; 1 not captured; 1 delivery not checked (its description unreadable)';
    expect(renderVerifyTotals(totals, plain)).toBe(`\n${whole}\n`);
    expect(renderVerifyTotals(totals, plain, 80)).toBe(
      '\n3 of 6 signatures valid, 3 failed; 1 not captured; 1 delivery not checked (its\n  description unreadable)\n',
    );
    for (const width of [20, 30, 40, 60]) {
      const lines = renderVerifyTotals(totals, plain, width).slice(1).trimEnd().split('\n');
      expect(lines.join(' ').replace(/ {2,}/g, ' '), `width ${width}`).toBe(whole);
      for (const line of lines) {
        expect(line.length, `width ${width}`).toBeLessThanOrEqual(width);
        expect(line, `width ${width}`).not.toMatch(/(^|\s)\d+$/);
      }
    }
    // Each line's part of a coloured count is coloured on its own: no colour runs into an indent.
    const coloured = renderVerifyTotals(totals, new Chalk({ level: 1 }), 20);
    for (const line of coloured.slice(1).trimEnd().split('\n')) expect(line).not.toMatch(/^\s*\u001b\[39m/);
  });

  it('counts apart the deliveries not checked since their bodies could not be read', () => {
    const plain = new Chalk({ level: 0 });
    expect(renderVerifyTotals({ checked: 59, failed: 0, unreadable: 1, unreadableBodies: 2 }, plain)).toBe(
      '\n59 of 59 signatures valid; 1 delivery not checked (its description unreadable); 2 deliveries not checked (their bodies unreadable)\n',
    );
  });
});
