/** End-to-end tests of `callhook trace`: one scheduled call's story, in time order, from the built binary. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'vitest';
import { repoRoot, runCli, unwrapped } from '../helpers/run-cli.js';

const story = 'fixtures/valid/outbound-with-reattempts.json';
const correlationId = '67765b6d-dc5e-4e7e-af59-63744b5116b8';
const storyEvents = JSON.parse(readFileSync(join(repoRoot, story), 'utf8')) as unknown[];
// Other calls' events around the story, which the trace must leave out.
const noise = JSON.parse(readFileSync(join(repoRoot, 'fixtures/valid/every-status.json'), 'utf8')) as unknown[];

interface TraceJson {
  correlationId: string;
  events: Array<{
    time: string;
    type: string;
    direction: 'sent' | 'received' | null;
    source: string;
    duplicate: boolean;
    conflict: boolean;
    event: unknown;
  }>;
  skipped: number;
}

/** What `trace --format json` printed says of each event, in its order: `[duplicate, conflict]`. */
const copyMarks = (stdout: string) =>
  (JSON.parse(stdout) as TraceJson).events.map((entry) => [entry.duplicate, entry.conflict]);

// Hint: `trace <id> <story> --format json` is read by two tests: one run serves both.
let storyJson: ReturnType<typeof runCli> | undefined;
const storyAsJson = () => (storyJson ??= runCli(['trace', correlationId, story, '--format', 'json']));

describe.concurrent('trace', () => {
  test('tells the story in time order whatever the input order, and leaves other calls out', async ({ expect }) => {
    const ordered = await runCli(['trace', correlationId, story, 'fixtures/valid/every-status.json']);
    expect(ordered.stderr).toBe('');
    expect(ordered.code).toBe(0);
    await expect(ordered.stdout).toMatchFileSnapshot('__snapshots__/trace/outbound-with-reattempts.pretty.txt');
    const lines = ordered.stdout.split('\n');
    const at = (text: string) => lines.findIndex((line) => line.includes(text));
    // attempts (with their failure notes) → callback → the call's result → SMS both ways
    const steps = ['failed: no answer', 'failed: busy', 'success', 'outbound callback', '[Complete] Jane Doe'];
    steps.push('"Hi Jane,', '"Thanks, see');
    const positions = steps.map(at);
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(ordered.stdout).not.toContain('Priya');

    // The same events shuffled in with other calls' events tell the same story.
    const shuffled = [...storyEvents].reverse().flatMap((event, index) => [event, noise[index % noise.length]]);
    const fromStdin = await runCli(['trace', '67765b6d', '-'], { input: JSON.stringify(shuffled) });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(ordered.stdout);
  });

  test('--format json gives the same timeline as data, each event as parsed with its source', async ({ expect }) => {
    const result = await runCli(['trace', '67765B6D', story, '--format', 'json']);
    expect(result.code).toBe(0);
    const trace = JSON.parse(result.stdout) as TraceJson;
    expect(trace.correlationId).toBe(correlationId);
    const times = trace.events.map((entry) => Date.parse(entry.time));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(trace.events.map((entry) => entry.type)).toEqual([
      'CallAttempted',
      'CallAttempted',
      'CallAttempted',
      'CallReceived',
      'CallComplete',
      'SMS',
      'SMS',
    ]);
    expect(new Set(trace.events.map((entry) => entry.event))).toEqual(new Set(storyEvents));
    expect(trace.events[0]?.source).toMatch(/^fixtures\/valid\/outbound-with-reattempts\.json:\d+:\d+$/);
    // Its time is UTC, written one way, whatever offset the event has: as written, four forms of
    // one instant sorted wrongly as text, and jq's fromdateiso8601 took none of them.
    const offsets = ['2022-09-01T10:00:00.000+00:00', '2022-09-01 09:00:00 -0100', '2022-09-01T20:00:00+10:00'];
    const input = offsets.map((time, i) => JSON.stringify({ ...(storyEvents[i] as object), time })).join('\n');
    const zoned = JSON.parse((await runCli(['trace', correlationId, '-', '--format', 'json'], { input })).stdout);
    expect(zoned.events.map((entry: { time: string }) => entry.time)).toEqual(
      Array(3).fill('2022-09-01T10:00:00.000Z'),
    );
  });

  test('markdown and --mask', async ({ expect }) => {
    const result = await runCli(['trace', correlationId, story, '--format', 'markdown', '--mask']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^## Trace `67765b6d-dc5e-4e7e-af59-63744b5116b8`$/m);
    expect(result.stdout).not.toContain('61491573087');
    expect(result.stdout).toContain('### Complete: J. D. (\\*\\*\\*\\*\\*\\*\\*\\*087)');
    await expect(result.stdout).toMatchFileSnapshot('__snapshots__/trace/outbound-with-reattempts.markdown.mask.txt');
  });

  test('--mask names each phone the call used in the heading, though they mask alike', async ({ expect }) => {
    // The heading said `phone ********274` once: the phones were deduplicated after masking.
    const attempt = (time: string, phone: string) => ({
      time,
      phone,
      status: 'failed',
      note: 'busy',
      campaignId: 'c9b2e4a7-5d18-4f3c-9e6b-1a7d3c8f2b05',
      correlationId: '11111111-2222-4333-8444-555555555555',
    });
    const input = JSON.stringify([
      attempt('2022-09-01T00:00:01Z', '61491602274'),
      attempt('2022-09-01T00:10:01Z', '61400000274'),
      attempt('2022-09-01T00:20:01Z', '61491602274'),
    ]);
    const plain = await runCli(['trace', '11111111', '-'], { input });
    expect(plain.stdout).toContain('phone 61491602274, 61400000274\n');
    const masked = await runCli(['trace', '11111111', '-', '--mask'], { input });
    expect(masked.code).toBe(0);
    expect(masked.stdout).toContain('phone ********274, ********274\n');
  });

  test('names campaigns that share their first characters apart, as written, in the heading and the call alike', async ({
    expect,
  }) => {
    // The heading said `campaign 3f8e2c1a, 3f8e2c1a` of two campaigns, and the call under it
    // `campaign 3F8E2C1A` (red team hR95): each is now as long as tells them apart, as git does.
    const correlation = '5f1c0d2e-1111-4222-8333-444455556666';
    const attempt = {
      time: '2022-09-06T08:20:00Z',
      phone: '61402881163',
      status: 'failed',
      note: 'busy',
      campaignId: '3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d31',
      correlationId: correlation,
    };
    const result = {
      id: 'a1b2c3d4-0000-4000-8000-000000000001',
      eventType: 'CallComplete',
      createdAt: '2022-09-06T08:30:12Z',
      data: {
        correlationId: correlation,
        sessionId: 'a1b2c3d4-0000-4000-8000-000000000002',
        callResultId: 'a1b2c3d4-0000-4000-8000-000000000003',
        campaignId: '3F8E2C1A-9B47-4D6E-8A15-C2B7E9F04D32',
        startedTime: '2022-09-06T08:28:44Z',
        name: 'Kate',
        phone: '61402881163',
        lastStepName: null,
        flow: [],
        requests: [],
        status: 'Not Complete',
        additionalInformation: 'No answer',
      },
    };
    const input = JSON.stringify([attempt, result]);
    const pretty = await runCli(['trace', '5f1c0d2e', '-', '--width', '200'], { input });
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toContain(
      '· campaign 3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d31, 3F8E2C1A-9B47-4D6E-8A15-C2B7E9F04D32 ·',
    );
    expect(pretty.stdout).toContain(
      '[Not Complete] Kate · 61402881163 · campaign 3F8E2C1A-9B47-4D6E-8A15-C2B7E9F04D32\n',
    );
    // Apart at their 11th character, each is shown to it; one campaign alone keeps the 8 people quote.
    const near = JSON.stringify([
      { ...attempt, campaignId: 'aaaaaaaa-b1aa-4aaa-8aaa-aaaaaaaaaaaa' },
      { ...result, data: { ...result.data, campaignId: 'AAAAAAAA-B2AA-4AAA-8AAA-AAAAAAAAAAAA' } },
    ]);
    const apart = await runCli(['trace', '5f1c0d2e', '-', '--width', '200'], { input: near });
    expect(apart.stdout).toContain('· campaign aaaaaaaa-b1, AAAAAAAA-B2 ·');
    expect(apart.stdout).toContain('· campaign AAAAAAAA-B2\n');
    const alone = await runCli(['trace', '5f1c0d2e', '-', '--width', '200'], {
      input: JSON.stringify([{ ...attempt, campaignId: result.data.campaignId }, result]),
    });
    expect(alone.stdout).toContain('· campaign 3F8E2C1A ·');
    expect(alone.stdout).toContain('· campaign 3F8E2C1A\n');
  });

  test('a redelivered call result is one line, not the flow again', async ({ expect }) => {
    const result = await runCli(['trace', correlationId, story, 'fixtures/valid/crlf-line-endings.json']);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/Am I speaking with Jane Doe/g)).toHaveLength(1);
    expect(result.stdout).toContain('redelivered: call result aa557b49 again');
  });

  test('every redelivered event is marked, and the heading counts events, not their copies', async ({ expect }) => {
    // Only a call result's copy was marked: enveloped attempts, callbacks and SMS delivered twice
    // read as twice as many, under a heading of "N events" that counted every copy.
    const types = ['CallAttempted', 'CallReceived', 'SMSSent', 'SMSReceived'];
    const enveloped = storyEvents.map((event, i) => {
      const e = event as Record<string, unknown>;
      if (e.eventType !== undefined) return e;
      const type = 'status' in e ? 'CallAttempted' : 'type' in e ? 'CallReceived' : types[2 + (i % 2)];
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      return { id, eventType: type, createdAt: e.time, data: e };
    });
    const input = enveloped
      .flatMap((event) => [event, event])
      .map((e) => JSON.stringify(e))
      .join('\n');
    const result = await runCli(['trace', correlationId, '-'], { input });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const copies = lines.filter((line) => /redelivered/.test(line));
    expect(copies).toHaveLength(storyEvents.length);
    expect(result.stdout).toContain(`${storyEvents.length} events and ${storyEvents.length} redeliveries · from`);
  });

  test("a redelivery is a copy of this call's event read before it, whatever the time order or other calls", async ({
    expect,
  }) => {
    // An id reused by another call made the heading read "0 events and 1 redelivery"; a copy whose
    // time came first was counted as an event while its first copy was marked.
    const sms = (correlation: string, time: string) => ({
      id: '51515151-5151-4151-8151-515151515151',
      eventType: 'SMSSent',
      createdAt: time,
      data: {
        time,
        from: '61291574000',
        to: '61491573087',
        message: 'Hi',
        campaignId: correlationId,
        correlationId: correlation,
      },
    });
    const other = 'aaaaaaaa-0000-4000-8000-000000000000';
    const reused = [sms(other, '2022-09-01T00:01:00Z'), sms(correlationId, '2022-09-01T00:02:00Z')];
    const first = await runCli(['trace', correlationId, '-'], {
      input: reused.map((e) => JSON.stringify(e)).join('\n'),
    });
    expect(first.stdout).toContain('1 event · at ');
    expect(first.stdout).not.toContain('redelivered');
    // Hint: a copy whose time differs is no copy (see the conflicting-copy test below), so the one
    // read second, though its time comes first, is the conflicting one; the trace is in time order.
    const reversed = [sms(correlationId, '2022-09-01T00:05:37Z'), sms(correlationId, '2022-09-01T00:01:37Z')];
    const input = reversed.map((e) => JSON.stringify(e)).join('\n');
    const second = await runCli(['trace', correlationId, '-'], { input });
    expect(second.stdout).toContain('1 event and 1 conflicting copy · from ');
    expect(second.stdout.match(/\(conflicting copy\)/g)).toHaveLength(1);
    expect(second.stdout).toMatch(/00:01:37 UTC {2}SMSSent[^\n]*\n +\(conflicting copy\)\n2022-09-01 00:05:37 UTC/);
    const json = JSON.parse((await runCli(['trace', correlationId, '-', '--format', 'json'], { input })).stdout);
    expect(json.events.map((entry: { conflict: boolean }) => entry.conflict)).toEqual([true, false]);
    // An identical copy read before the event in time order cannot be: it is at the same instant.
    const twice = [reversed[1], reversed[0], reversed[1]].map((e) => JSON.stringify(e)).join('\n');
    const third = await runCli(['trace', correlationId, '-', '--format', 'json'], { input: twice });
    expect(copyMarks(third.stdout)).toEqual([
      [false, false],
      [true, false],
      [false, true],
    ]);
  });

  test('one call whose events spell its id in another case is one call (UUIDs ignore case)', async ({ expect }) => {
    // A producer that writes upper-case UUIDs for some event types: the trace refused its own id
    // as "the start of several correlationIds", naming the same id twice.
    const shouted = storyEvents.map((event, i) =>
      i % 2 ? JSON.parse(JSON.stringify(event).replaceAll(correlationId, correlationId.toUpperCase())) : event,
    );
    const result = await runCli(['trace', correlationId, '-', '--format', 'json'], { input: JSON.stringify(shouted) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const trace = JSON.parse(result.stdout) as TraceJson;
    expect(trace.correlationId).toBe(correlationId);
    expect(trace.events).toHaveLength(storyEvents.length);
  });

  test("says, in the trace itself, that elements were skipped: the call's own events may be among them", async ({
    expect,
  }) => {
    // Said it only in warnings on stderr: a script reading the JSON, or a trace pasted into a
    // ticket, told a story with its end cut off as if it were whole.
    const text = readFileSync(join(repoRoot, story), 'utf8');
    const cut = text.slice(0, text.lastIndexOf('"campaignId"'));
    const [json, pretty, markdown] = await Promise.all(
      ['json', 'pretty', 'markdown'].map((format) =>
        runCli(['trace', '67765b6d', '-', '--format', format], { input: cut }),
      ),
    );
    expect(json?.code).toBe(0);
    const report = JSON.parse(json?.stdout ?? '') as TraceJson;
    expect(report.skipped).toBe(1);
    expect(json?.stderr).toMatch(/^callhook: warning: <stdin>:\d+:\d+: skipped an invalid event/);
    const note =
      "1 element of the input was skipped as invalid (see the warnings); this call's events may be among them.";
    // Wrapped at the width (80 when piped), as the rest of the trace is.
    expect(pretty?.stdout.trimEnd().split('\n\n').at(-1)?.replaceAll('\n', ' ')).toBe(note);
    expect(Math.max(...(pretty?.stdout.split('\n') ?? []).map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(markdown?.stdout.trimEnd().split('\n').at(-1)).toBe(`_${note}_`);
    // Whole input: no such line, and 0 in the JSON.
    const whole = await storyAsJson();
    expect((JSON.parse(whole.stdout) as TraceJson).skipped).toBe(0);
  });

  test('only an identical copy collapses to one line; a same-id event with other content is shown in full, flagged', async ({
    expect,
  }) => {
    // Any later event with the same id was one "again" line: a copy whose status, flow and outcome
    // had changed was hidden; one whose startedTime had changed was listed before the block it
    // "repeated" (JSON too); and a call result reusing an attempt's id was never shown at all.
    const result = storyEvents[6] as { id: string; data: Record<string, unknown> };
    const changed = (data: Record<string, unknown>) => ({ ...result, data: { ...result.data, ...data } });
    const run = (events: unknown[], format = 'pretty') =>
      runCli(['trace', correlationId, '-', '--format', format], {
        input: events.map((e) => JSON.stringify(e)).join('\n'),
      });
    const flowed = changed({ status: 'Partial', additionalInformation: 'Callback booked for Friday' });
    const [pretty, markdown, json] = await Promise.all([
      run([result, flowed]),
      run([result, flowed], 'markdown'),
      run([result, flowed], 'json'),
    ]);
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toContain('1 event and 1 conflicting copy · at 2022-09-01 00:49:11 UTC');
    expect(pretty.stdout).toContain('Outcome: Callback booked for Friday');
    expect(pretty.stdout).toContain('[Partial] Jane Doe · 61491573087 · campaign 3f8e2c1a · conflicting copy');
    expect(pretty.stdout).not.toContain('again');
    expect(markdown.stdout).toContain('1 event and 1 conflicting copy · at 2022-09-01 00:49:11 UTC');
    expect(markdown.stdout).toContain('- **Outcome:** Callback booked for Friday');
    expect(unwrapped(markdown.stdout)).toContain('(conflicting copy)');
    expect(copyMarks(json.stdout)).toEqual([
      [false, false],
      [false, true],
    ]);

    // A changed startedTime: shown in full at its own time, before the first copy, flagged.
    const earlier = await run([result, changed({ startedTime: '2022-09-01T00:10:00Z' })]);
    expect(earlier.stdout).toContain('1 event and 1 conflicting copy · from 2022-09-01 00:10:00 UTC to');
    expect(earlier.stdout.match(/Am I speaking with Jane Doe/g)).toHaveLength(2);
    expect(earlier.stdout.indexOf('conflicting copy\n')).toBeLessThan(earlier.stdout.indexOf('Sorry I missed'));

    // An attempt whose id the call result reuses: the result is shown, flagged.
    const attempt = {
      id: result.id,
      eventType: 'CallAttempted',
      createdAt: '2022-09-01T00:00:00Z',
      data: storyEvents[2],
    };
    const reused = await run([attempt, result]);
    expect(reused.stdout).toContain('Sorry I missed your calls earlier.');
    expect(reused.stdout).toContain('1 event and 1 conflicting copy · from');

    // An identical copy, keys in another order and written apart: one line, after its first copy.
    const reordered = Object.fromEntries(Object.entries(result).reverse());
    const copy = await run([reordered, attempt, result, flowed]);
    expect(copy.stdout).toContain('1 event, 2 conflicting copies and 1 redelivery');
    expect(copy.stdout.match(/redelivered: call result aa557b49 again/g)).toHaveLength(1);
    expect(copy.stdout.indexOf('again')).toBeGreaterThan(copy.stdout.indexOf('Sorry I missed'));

    // The first copy again after a conflicting copy at the same instant: its line follows the
    // result it repeats, not the conflicting copy read between them (in every format).
    const between = [result, flowed, result];
    const [afterPretty, afterMarkdown, afterJson] = await Promise.all([
      run(between),
      run(between, 'markdown'),
      run(between, 'json'),
    ]);
    expect(afterPretty.stdout).toContain('1 event, 1 conflicting copy and 1 redelivery');
    for (const { stdout } of [afterPretty, afterMarkdown]) {
      const again = stdout.indexOf('redelivered: call result aa557b49 again');
      expect(again).toBeGreaterThan(stdout.indexOf('Outcome:'));
      expect(again).toBeLessThan(stdout.indexOf('Callback booked for Friday'));
    }
    expect(copyMarks(afterJson.stdout)).toEqual([
      [false, false],
      [true, false],
      [false, true],
    ]);
  });

  test('markdown keeps "(undocumented)" on a redelivered call of an undocumented status', async ({ expect }) => {
    const result = storyEvents[6] as { data: Record<string, unknown> };
    const voicemail = { ...result, data: { ...result.data, status: 'C\u043emplete' } };
    const input = [voicemail, voicemail].map((e) => JSON.stringify(e)).join('\n');
    const markdown = await runCli(['trace', correlationId, '-', '--format', 'markdown'], { input });
    expect(markdown.stdout).toContain('### C\u043emplete (undocumented): Jane Doe');
    expect(markdown.stdout).toContain('- **C\u043emplete (undocumented)** · _redelivered: call result aa557b49 again');
  });

  test('one instant written two ways is "at" it, not "from" it "to" it', async ({ expect }) => {
    const input = [storyEvents[0], { ...(storyEvents[1] as object), time: '2022-09-01T10:05:02.114+10:00' }]
      .map((e) => JSON.stringify(e))
      .join('\n');
    const result = await runCli(['trace', correlationId, '-'], { input });
    expect(result.stdout).toContain('2 events · at 2022-09-01 00:05:02 UTC ·');
  });

  test('--format json gives the direction of an SMS as the pretty trace labels it', async ({ expect }) => {
    const json = JSON.parse((await storyAsJson()).stdout) as TraceJson;
    expect(json.events.map((entry) => entry.direction)).toEqual([null, null, null, null, null, 'sent', 'received']);
  });

  test('no such call exits 1; an ambiguous or malformed id exits 2', async ({ expect }) => {
    const missing = await runCli(['trace', 'ffffffff', story]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('callhook: no event has a correlationId starting with ffffffff\n');
    expect(missing.stdout).toBe('');
    // As JSON, the empty trace is printed (as show prints []), so a `| jq` after it reads a value.
    const missingJson = await runCli(['trace', 'ffffffff', story, '--format', 'json']);
    expect({ code: missingJson.code, stderr: missingJson.stderr }).toEqual({ code: 1, stderr: missing.stderr });
    expect(JSON.parse(missingJson.stdout)).toEqual({ correlationId: null, events: [], skipped: 0 });

    const ambiguous = await runCli(['trace', 'd', 'fixtures/valid/']);
    expect(ambiguous.code).toBe(2);
    // Reading stops at the second call the prefix matches, so the message names two, not a count.
    expect(ambiguous.stderr).toMatch(
      /^callhook: d is the start of several correlationIds \(d[0-9a-f-]{35}, d[0-9a-f-]{35}, and maybe more\)/,
    );

    const malformed = await runCli(['trace', 'not-an-id', story]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toBe(
      'callhook: correlationId: must be a UUID or the start of one, dashes included (8-4-4-4-12 hex digits) (got "not-an-id")\n',
    );
  });

  // Hint: that its help, and callhook's own, list every exit code it gives (Ctrl-C, SIGTERM and
  // SIGHUP included) is asserted on the help texts test/first-hour/options.test.ts runs once for
  // all its help tests ("trace's help, and callhook's own, list every exit code it gives").
});
