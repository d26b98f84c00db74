import { describe, expect, it } from 'vitest';
import { generateEvents } from '../core/generate.js';
import { checkEvent, detectTypeByShape, envelopeMarksOf, isEnvelope, pointerSegment } from './check.js';
import { statusGroupOf } from './events.js';

const uuid = (n: number) => `5dd7681b-2188-49fc-8fc0-${String(n).padStart(12, '0')}`;

function callComplete(data: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}) {
  return {
    id: uuid(1),
    eventType: 'CallComplete',
    createdAt: '2022-09-01T00:30:48.567Z',
    data: {
      sessionId: uuid(2),
      callResultId: uuid(3),
      name: 'Jane Doe',
      phone: '61491573087',
      campaignId: uuid(4),
      lastStepName: 'Question 1?',
      startedTime: '2022-09-01T00:29:12.000Z',
      flow: [{ questionName: 'Question 1?', response: 'Other', transcript: 'Yes' }],
      requests: [],
      status: 'Complete',
      additionalInformation: 'No further action',
      ...data,
    },
    ...envelope,
  };
}

const attempted = { time: '2022-08-31T21:46:58.621Z', phone: '61491573087', status: 'success', campaignId: uuid(4) };
const received = { time: '2022-08-31T21:46:58.621Z', phone: '61491573087', type: 'inbound', campaignId: uuid(4) };
const sms = {
  time: '2022-08-31T21:46:58.621Z',
  from: '61491573087',
  to: '61491570006',
  message: 'Hi',
  campaignId: uuid(4),
};

const codes = (value: unknown, options = {}) => checkEvent(value, options).issues.map((i) => `${i.code} ${i.pointer}`);

describe('checkEvent', () => {
  it('accepts an enveloped CallComplete and keeps its envelope', () => {
    const result = checkEvent(callComplete());
    expect(result.issues).toEqual([]);
    expect(result.event).toMatchObject({ type: 'CallComplete', id: uuid(1), data: { status: 'Complete' } });
  });

  it('accepts the bare forms and classifies them by shape', () => {
    expect(checkEvent(attempted).event?.type).toBe('CallAttempted');
    expect(checkEvent(received).event?.type).toBe('CallReceived');
    expect(checkEvent(callComplete().data).event?.type).toBe('CallComplete');
  });

  it('calls a bare SMS "SMS" unless --type names its direction', () => {
    expect(checkEvent(sms).event?.type).toBe('SMS');
    expect(checkEvent(sms, { type: 'SMSReceived' }).event?.type).toBe('SMSReceived');
    const enveloped = { id: uuid(9), eventType: 'SMSSent', createdAt: '2022-08-31T21:46:58.621Z', data: sms };
    expect(checkEvent(enveloped).event?.type).toBe('SMSSent');
  });

  it('points at every schema error with a JSON pointer, expected vs received', () => {
    const result = checkEvent(callComplete({ sessionId: 'nope', phone: 61491573087, status: 'Done' }));
    expect(result.event).toBeUndefined();
    expect(result.issues.map((i) => [i.code, i.pointer])).toEqual([
      ['invalid-format', '/data/sessionId'],
      ['invalid-type', '/data/phone'],
      ['invalid-value', '/data/status'],
    ]);
    expect(result.issues[2]!.message).toBe(
      '"status" must be ("Complete" | "Partial" | "Not Complete"); received "Done"',
    );
    expect(result.issues[1]!.message).toBe('"phone": expected string, received number 61491573087');
  });

  it('names an array item by its index when the item itself is wrong', () => {
    const result = checkEvent(callComplete({ flow: [{ questionName: 'Q', response: 'R' }, 7], requests: ['a', 8] }));
    expect(result.issues.map((i) => [i.pointer, i.message])).toEqual([
      ['/data/flow/1', 'item 1 of "flow": expected object, received number 7'],
      ['/data/requests/1', 'item 1 of "requests": expected string, received number 8'],
    ]);
  });

  it('names a missing required field', () => {
    const event = callComplete();
    delete (event.data as Record<string, unknown>).callResultId;
    expect(checkEvent(event).issues).toEqual([
      {
        severity: 'error',
        code: 'missing-field',
        message: 'missing required field "callResultId"',
        pointer: '/data/callResultId',
      },
    ]);
  });

  it('refuses phones with a plus and timestamps that are not ISO-8601', () => {
    expect(codes({ ...attempted, phone: '+61491573087' })).toEqual(['invalid-format /phone']);
    expect(codes({ ...attempted, time: '31/08/2022' })).toEqual(['invalid-format /time']);
  });

  it("holds a CallComplete's phone to international format, as PAYLOADS gives it: 5 to 15 digits, not starting with 0", () => {
    // A national number (0491573087) or a dialling prefix (0061…) passed validate and the schema.
    const call = (phone: string) => callComplete({ phone });
    for (const [phone, valid] of [
      ['0491573087', false],
      ['0061491573087', false],
      ['6149', false],
      ['61491', true],
      ['614915730871234', true],
      ['6149157308712345', false],
      ['+61491573087', false],
    ] as const) {
      expect(codes(call(phone)), phone).toEqual(valid ? [] : ['invalid-format /data/phone']);
    }
    expect(checkEvent(call('0491573087')).issues[0]?.message).toMatch(/not starting with 0/);
  });

  it("takes the other types' numbers as digits, as PAYLOADS gives them, warning of one not in international format", () => {
    // A short code (`to: "1234"`) or a national number in an SMS or an attempt was refused, and
    // listen answered 422, which no sender retries; PAYLOADS says only "digits" of them (red team hT65).
    for (const phone of ['1234', '0491573087', '6149157308712345']) {
      expect(codes({ ...attempted, phone }), phone).toEqual(['phone-format /phone']);
      expect(codes({ ...received, phone }), phone).toEqual(['phone-format /phone']);
      expect(codes({ ...sms, from: phone }), phone).toEqual(['phone-format /from']);
      expect(codes({ ...sms, to: phone }), phone).toEqual(['phone-format /to']);
    }
    expect(checkEvent({ ...sms, to: '1234' }).issues[0]?.message).toBe(
      '"1234" is not in international format without "+" (5 to 15 digits, not starting with 0), as the platform sends numbers: a short code, or a national number?',
    );
    for (const phone of ['61491', '614915730871234']) expect(codes({ ...attempted, phone }), phone).toEqual([]);
    for (const phone of ['+61491573087', '0491 573 087', '', '６１４９１５７３０８７']) {
      expect(codes({ ...attempted, phone }), phone).toEqual(['invalid-format /phone']);
      expect(codes({ ...sms, to: phone }), phone).toEqual(['invalid-format /to']);
    }
  });

  it('names the keys it saw when the type cannot be told, and an unknown eventType', () => {
    const unknown = checkEvent({ time: 'x', phone: '1', durationSeconds: 3 });
    expect(unknown.issues[0]).toMatchObject({ code: 'unknown-shape', pointer: '' });
    expect(unknown.issues[0]!.message).toContain('"durationSeconds"');
    const bad = checkEvent(callComplete({}, { eventType: 'CallStarted' }));
    expect(bad.issues[0]).toMatchObject({ code: 'unknown-event-type', pointer: '/eventType' });
  });

  it('reads a bare event whose added field ties it with another type as the one type it is valid as', () => {
    // Producers add fields, and by default they are accepted; but a CallReceived given a `to`
    // tied with SMS (`type` against `to`), and was refused as a shape no type matches: listen
    // answered 422, which no sender retries (red team hT65).
    const cases = [
      [{ ...received, to: '61491570006' }, 'CallReceived'],
      [{ ...attempted, message: 'hi' }, 'CallAttempted'],
      [{ ...sms, note: 'x' }, 'SMS'],
      [{ ...received, status: 'ringing' }, 'CallReceived'],
    ] as const;
    for (const [value, kind] of cases) {
      const result = checkEvent(value);
      expect(result.issues, JSON.stringify(value)).toEqual([]);
      expect(result.kind).toBe(kind);
      // --strict still refuses the added field, now named as such.
      expect(checkEvent(value, { strict: true }).issues.map((issue) => issue.code)).toEqual(['unknown-field']);
    }
    // Valid as both, or as neither: the type still cannot be told.
    expect(checkEvent({ ...attempted, type: 'inbound' }).issues[0]).toMatchObject({ code: 'unknown-shape' });
    expect(checkEvent({ ...received, to: 'x', type: 'nope' }).issues[0]).toMatchObject({ code: 'unknown-shape' });
  });

  it('says a captured HTTP request (a request bin dump) is one, and that its body is what to read', () => {
    const body = JSON.stringify([callComplete({})]);
    for (const dump of [
      { method: 'POST', headers: { 'content-type': 'application/json' }, body },
      { headers: {}, body: [callComplete({})] },
      { request: { method: 'POST' }, body },
    ]) {
      const result = checkEvent(dump);
      expect(result.issues, JSON.stringify(Object.keys(dump))).toMatchObject([{ code: 'http-request', pointer: '' }]);
      expect(result.issues[0]!.message).toMatch(
        /^a captured HTTP request \(keys .*"body"\), not an event: read its body/,
      );
    }
    // A body alone, or headers alone, say nothing of a request: the shape is unknown, as before.
    expect(checkEvent({ body: 'x' }).issues[0]).toMatchObject({ code: 'unknown-shape' });
    expect(checkEvent({ headers: {}, foo: 1 }).issues[0]).toMatchObject({ code: 'unknown-shape' });
  });

  it('refuses values that are not objects', () => {
    expect(codes(42)).toEqual(['not-an-object ']);
    expect(codes([attempted])).toEqual(['not-an-object ']);
  });

  it('refuses an envelope whose data is an array (valibot takes an array for an object)', () => {
    for (const data of [[], [attempted]]) {
      const result = checkEvent({ ...callComplete(), data });
      expect(result.event).toBeUndefined();
      expect(result.issues.map((i) => `${i.code} ${i.pointer} ${i.message}`)).toEqual([
        'invalid-type /data "data": expected object, received array',
      ]);
    }
  });

  it('lets --type force a type, and refuses a contradicting eventType', () => {
    expect(codes(attempted, { type: 'CallReceived' })).toEqual(['missing-field /type']);
    expect(codes(callComplete(), { type: 'SMSSent' })).toEqual(['type-mismatch /eventType']);
  });

  it('accepts unknown fields unless strict, and then reports every one', () => {
    const event = callComplete(
      { extra: 1, flow: [{ questionName: 'Question 1?', response: 'Other', mood: 'x' }] },
      { v: 2 },
    );
    expect(checkEvent(event).event).toBeDefined();
    // In the value's order, as a file shows them: `v` is the envelope's last key.
    expect(codes(event, { strict: true })).toEqual([
      'unknown-field /data/flow/0/mood',
      'unknown-field /data/extra',
      'unknown-field /v',
    ]);
  });

  it("quotes payload text in a message with every control character as \\u00XX, never as JSON's \\n, \\r or \\t", async () => {
    // Those read as the terminal's own escapes of a character, so the terminal showed JSON's
    // backslash as one in the key (`field "a\x5cnb"` for a key holding a line break).
    const { escapeTerminal } = await import('../render/escape.js');
    const shown = (event: object, strict = true) =>
      checkEvent(event, { strict }).issues.map((issue) => escapeTerminal(issue.message));
    expect(shown(callComplete({}, { 'a\nb\r\t\b\f': 1 }))).toEqual([
      'field "a\\u000ab\\u000d\\u0009\\u0008\\u000c" is not in the documented payload',
    ]);
    // A backslash the key holds is \u005c: JSON's `\\` before an `n` read as two backslashes (`"a\\x5cnb"`).
    expect(shown(callComplete({}, { 'a\\nb': 1 }))).toEqual(['field "a\\u005cnb" is not in the documented payload']);
    expect(shown({ 'x\ny': 1 }, false)).toEqual(['cannot tell the event type from keys "x\\u000ay"']);
    // A lone surrogate reads as the terminal writes one (`\ud800`), not as a backslash the key holds.
    expect(shown(callComplete({}, { 'g\ud800h': 1 }))).toEqual(['field "g\\ud800h" is not in the documented payload']);
    expect(shown(callComplete({ lastStepName: 'Q\t9?' }), false)).toEqual([
      'lastStepName "Q\\u00099?" is not the last step\'s questionName "Question 1?"',
    ]);
  });

  it('skips the consistency rules when asked for no warnings, but not the errors', () => {
    const quiet = checkEvent(callComplete({ lastStepName: 'Question 9?' }), { warnings: false });
    expect(quiet.issues).toEqual([]);
    expect(quiet.event).toBeDefined();
    expect(codes(callComplete({ status: 'Done' }), { warnings: false })).toEqual(['invalid-value /data/status']);
  });

  it('warns about the consistency rules of PAYLOADS.md without failing the event', () => {
    expect(codes(callComplete({ flow: [], lastStepName: null }))).toEqual(['status-flow /data/status']);
    expect(codes(callComplete({ lastStepName: 'Question 9?' }))).toEqual(['last-step /data/lastStepName']);
    expect(codes(callComplete({ flow: [], lastStepName: 'Q', status: 'Not Complete' }))).toEqual([
      'last-step /data/lastStepName',
    ]);
    // "Not Complete: the first question was not answered". A transcript says it was; so does a
    // flow that went on to a second question, transcripts or not (the platform may leave them out).
    const steps = [
      { questionName: 'Question 1?', response: 'Yes' },
      { questionName: 'Question 2?', response: 'No' },
    ];
    expect(codes(callComplete({ flow: steps, lastStepName: 'Question 2?', status: 'Not Complete' }))).toEqual([
      'status-flow /data/flow/1',
    ]);
    expect(codes(callComplete({ flow: steps.slice(0, 1), status: 'Not Complete' }))).toEqual([]);
    expect(codes(callComplete({ startedTime: '2022-09-01T01:00:00.000Z' }))).toEqual(['time-order /data/startedTime']);
    // Times with offsets are compared as instants: 10:00+10:00 is before 00:30Z, 10:31+10:00 after.
    expect(codes(callComplete({ startedTime: '2022-09-01T10:00:00+10:00' }))).toEqual([]);
    expect(codes(callComplete({ startedTime: '2022-09-01T10:31:00+10:00' }))).toEqual(['time-order /data/startedTime']);
    expect(codes({ ...attempted, status: 'failed' })).toEqual(['missing-note ']);
    expect(codes({ ...received, type: 'outbound-callback' })).toEqual(['missing-correlation ']);
    const warned = checkEvent(callComplete({ lastStepName: 'Question 9?' }));
    expect(warned.event).toBeDefined();
    expect(warned.issues[0]!.severity).toBe('warning');
  });

  it('warns of a startedTime after createdAt, not of one at the same instant', () => {
    // Red team hT52, mutant S09: `>=` for `>` warned of a call that started as its event was made.
    expect(codes(callComplete({ startedTime: '2022-09-01T00:30:48.567Z' }))).toEqual([]);
    expect(codes(callComplete({ startedTime: '2022-09-01T10:30:48.567+10:00' }))).toEqual([]);
    expect(codes(callComplete({ startedTime: '2022-09-01T00:30:48.568Z' }))).toEqual(['time-order /data/startedTime']);
  });

  it('reads an empty note as no note, and a blank transcript as no answer', () => {
    // Red team hT52, mutants S13 (`note === undefined` for `!note`) and S14 (`.trim()` left out).
    expect(codes({ ...attempted, status: 'failed', note: '' })).toEqual(['missing-note ']);
    expect(codes({ ...attempted, status: 'failed', note: 'No answer' })).toEqual([]);
    // A note of blanks carries no reason either, as a transcript of blanks is no answer.
    expect(codes({ ...attempted, status: 'failed', note: ' \t ' })).toEqual(['missing-note ']);
    const step = { questionName: 'Question 1?', response: 'No' };
    expect(codes(callComplete({ flow: [{ ...step, transcript: ' \t ' }], status: 'Not Complete' }))).toEqual([]);
    expect(codes(callComplete({ flow: [{ ...step, transcript: ' No ' }], status: 'Not Complete' }))).toEqual([
      'status-flow /data/flow/0/transcript',
    ]);
  });
  it("keeps the first maxIssues issues of each severity in the value's order, and counts every one", () => {
    // 3,000 empty flow steps: 6,000 missing fields, after a bad name and before a bad status.
    const event = callComplete({ name: 7, flow: Array(3_000).fill({}), status: 'Done' });
    const every = checkEvent(event);
    expect(every.issues).toHaveLength(6_002);
    expect(every.errors).toBe(6_002);
    const capped = checkEvent(event, { maxIssues: 3 });
    expect(capped.errors).toBe(6_002);
    expect(capped.warnings).toBe(0);
    expect(capped.issues).toEqual(every.issues.slice(0, 3));
    expect(capped.issues.map((i) => i.pointer)).toEqual([
      '/data/name',
      '/data/flow/0/questionName',
      '/data/flow/0/response',
    ]);
    // Warnings are kept apart from errors: a caller that lists only one kind still has its first.
    const warned = checkEvent(callComplete({ lastStepName: 'Q', startedTime: '2022-09-01T01:00:00.000Z' }), {
      maxIssues: 1,
    });
    expect(warned.warnings).toBe(2);
    expect(warned.issues.map((i) => i.code)).toEqual(['last-step']);
  });
});

describe('detectTypeByShape', () => {
  it('picks the type whose own keys the object carries most', () => {
    expect(detectTypeByShape({ status: 'failed', note: 'x' })).toBe('CallAttempted');
    // SMSSent and SMSReceived have the same keys: a bare SMS is `SMS`, as checkEvent names it.
    expect(detectTypeByShape({ from: '1', to: '2', message: 'm' })).toBe('SMS');
    expect(detectTypeByShape({ a: 1 })).toBeUndefined();
    // A tie is no answer.
    expect(detectTypeByShape({ type: 'inbound', status: 'failed' })).toBeUndefined();
  });

  it('names a bare event as checkEvent does: a bare SMS was SMSSent here and SMS there (red team hF57)', () => {
    const bare = [...generateEvents({ count: 60, seed: 7 })]
      .map((delivery) => delivery.event)
      .filter((event) => !('eventType' in event));
    // CallAttempted, CallReceived and an SMS: CallComplete comes in its envelope.
    expect(new Set(bare.map((event) => detectTypeByShape(event))).size).toBe(3);
    for (const event of bare) expect(detectTypeByShape(event)).toBe(checkEvent(event).kind);
  });

  it('takes any parsed JSON value, as a library caller holds it: what is not an object has no type', () => {
    for (const value of [null, undefined, 42, 'status', [{ status: 'failed', note: 'x' }]]) {
      expect(detectTypeByShape(value)).toBeUndefined();
    }
  });
});

describe('statusGroupOf', () => {
  it('groups Complete and Partial as Complete, Not Complete as Failed', () => {
    expect(statusGroupOf('Complete')).toBe('Complete');
    expect(statusGroupOf('Partial')).toBe('Complete');
    expect(statusGroupOf('Not Complete')).toBe('Failed');
    expect(statusGroupOf('Done')).toBeUndefined();
  });
});

describe('pointerSegment', () => {
  it('escapes ~ and / as RFC 6901 says, ~ first, and leaves other keys and indexes as they are', () => {
    expect(['a', 'a/b', 'a~b', '~1', '/~', '', 'constructor', 0, 12].map(pointerSegment)).toEqual([
      'a',
      'a~1b',
      'a~0b',
      '~01',
      '~1~0',
      '',
      'constructor',
      '0',
      '12',
    ]);
  });
});

describe('envelopeMarksOf', () => {
  it('names the fields that make a value an envelope exactly when isEnvelope says it is one', () => {
    const fields = { eventType: 'X', data: {}, createdAt: 't' };
    const values = [
      {},
      { id: 'x' },
      { data: 1, createdAt: 't' },
      { data: [], createdAt: 't' },
      { data: null, createdAt: 't' },
    ];
    // Every mix of the three fields, data an object or not.
    for (let mask = 0; mask < 8; mask++) {
      const value: Record<string, unknown> = {};
      for (const [i, [key, field]] of Object.entries(fields).entries()) if (mask & (1 << i)) value[key] = field;
      values.push(value as never, { ...value, data: 'text' } as never);
    }
    for (const value of values) {
      expect(envelopeMarksOf(value).length > 0, JSON.stringify(value)).toBe(isEnvelope(value));
    }
    expect(envelopeMarksOf({ eventType: 'X', createdAt: 't', data: 1 })).toEqual(['eventType']);
    expect(envelopeMarksOf({ data: {}, createdAt: 't' })).toEqual(['data', 'createdAt']);
  });
});
