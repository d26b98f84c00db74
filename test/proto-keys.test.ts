/**
 * Payload keys are data: every name Object.prototype has, used as a field, a request, a campaign
 * id, a reason, a note, a question and a status, goes through every command and format without
 * being mistaken for a property of every object.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { show } from '../src/commands/show.js';
import { type SummariseCliOptions, summarise } from '../src/commands/summarise.js';
import { trace } from '../src/commands/trace.js';
import { validate } from '../src/commands/validate.js';
import { type Captured, capture } from './helpers/capture.js';

const names = Object.getOwnPropertyNames(Object.prototype);
const correlationId = 'd07b9760-9c74-4c12-919b-3b88adbf5863';
const campaignId = '5dd7681b-2188-49fc-8fc0-87b57056f436';

// Hint: Object.fromEntries makes `__proto__` an own key, so JSON.stringify writes it as data.
const withKey = (base: Record<string, unknown>, key: string, value: unknown) =>
  Object.fromEntries([...Object.entries(base), [key, value]]);

function eventsFor(name: string, n: number): unknown[] {
  const hex = n.toString(16).padStart(12, '0');
  const step = withKey({ questionName: name, response: name, transcript: `${name} 0491 573 087` }, name, name);
  const data = withKey(
    {
      correlationId,
      sessionId: `ef925557-2fd4-4bb0-abee-${hex}`,
      callResultId: `94c9dda8-6a72-40d6-ac7e-${hex}`,
      name,
      phone: '61491573087',
      campaignId,
      status: 'Partial',
      additionalInformation: name,
      lastStepName: name,
      startedTime: '2022-08-31T21:46:51.000Z',
      flow: [step],
      requests: [name],
    },
    name,
    { [name]: name },
  );
  const envelope = withKey(
    { id: `d07b9760-9c74-4c12-919b-${hex}`, eventType: 'CallComplete', createdAt: '2022-08-31T21:46:58.621Z', data },
    name,
    name,
  );
  const attempt = withKey(
    { time: '2022-08-31T21:40:00.000Z', phone: '61491573087', status: 'failed', note: name, campaignId, correlationId },
    name,
    name,
  );
  // An undocumented status and a campaign id that is not a UUID: invalid, but still printed.
  const odd = { ...attempt, campaignId: name };
  const oddCall = { ...envelope, id: `d07b9760-9c74-4c12-919c-${hex}`, data: { ...data, status: name } };
  return [envelope, attempt, odd, oddCall];
}

let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'callhook-proto-'));
  file = join(dir, 'proto.json');
  writeFileSync(
    file,
    JSON.stringify(
      names.flatMap((name, i) => eventsFor(name, i)),
      null,
      2,
    ),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(command: () => Promise<void>): Promise<Captured> {
  const result = await capture(command);
  // What a prototype property looks like when it is mistaken for data.
  expect(result.stdout + result.stderr).not.toMatch(/native code|\[object Object\]|function \w*\(|=> /);
  return result;
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('Object.prototype names in payloads', () => {
  it('validate --strict reports each as an undocumented field, in the envelope too (pretty and json)', async () => {
    const { stdout } = await run(() => validate([file], { strict: true, format: 'json', maxProblems: 100_000 }));
    const report = JSON.parse(stdout) as { files: Array<{ problems: Array<{ code: string; pointer: string }> }> };
    // The envelopes are every fourth element: their own keys, not a bare event's.
    const unknown = new Set(
      report.files[0]!.problems.filter(
        (p) => p.code === 'unknown-field' && Number(/^\/(\d+)/.exec(p.pointer)?.[1]) % 4 === 0,
      ).map((p) => p.pointer.replace(/^\/\d+/, '')),
    );
    for (const name of names) {
      const key = name.replaceAll('~', '~0').replaceAll('/', '~1');
      for (const at of [`/${key}`, `/data/${key}`, `/data/flow/0/${key}`]) expect(unknown, at).toContain(at);
    }
    const pretty = await run(() => validate([file], { strict: true, format: 'pretty', maxProblems: 100_000 }));
    // Hint: problem lines wrap to the terminal's width (80 when piped): compare with the breaks undone.
    expect(pretty.stdout.replace(/\s+/g, ' ')).toContain('field "constructor" is not in the documented payload');
  });

  it('show prints and masks them in every format', async () => {
    for (const format of ['pretty', 'json', 'markdown'] as const) {
      for (const mask of [false, true]) {
        const { stdout } = await run(() => show([file], { format, mask, pager: false, width: 100 }));
        for (const name of ['constructor', 'toString', 'hasOwnProperty']) expect(stdout).toContain(name);
        if (format === 'json') {
          const events = JSON.parse(stdout) as Array<Record<string, unknown>>;
          // Every field is kept as data, __proto__ included, masked or not.
          const first = events[0] as { data: Record<string, unknown> };
          expect(Object.keys(first)).toContain('constructor');
          const proto = events.find((e) => Object.hasOwn(e, '__proto__')) as { data: Record<string, unknown> };
          expect(proto).toBeDefined();
          expect(Object.hasOwn(proto.data, '__proto__')).toBe(true);
          expect(proto.data.name).toBe(mask ? 'P.' : '__proto__');
        } else {
          expect(stdout).toContain('request: constructor');
        }
      }
    }
  });

  it('trace prints them in every format', async () => {
    for (const format of ['pretty', 'json', 'markdown'] as const) {
      const { stdout } = await run(() =>
        trace(correlationId.slice(0, 8), [file], { format, pager: false, width: 100 }),
      );
      expect(stdout).toContain('valueOf');
    }
  });

  it('summarise counts them as reasons, requests, notes, questions and statuses, in every format and --by', async () => {
    const { stdout } = await run(() => summarise([file], { format: 'json', top: 0 }));
    const report = JSON.parse(stdout);
    const requests = new Map(
      report.callComplete.requests.rows.map((r: { request: string; calls: number }) => [r.request, r.calls]),
    );
    const notes = new Map(
      report.callAttempted.byNote.rows.map((r: { note: string; count: number }) => [r.note, r.count]),
    );
    const reasons = new Map(
      report.callComplete.byReason.Partial.rows.map((r: { reason: string; count: number }) => [r.reason, r.count]),
    );
    const questions = new Set(report.callComplete.funnel.rows[0].steps.map((s: { question: string }) => s.question));
    for (const name of names) {
      // The call with an undocumented status is counted too, under Other.
      expect(requests.get(name), name).toBe(2);
      expect(notes.get(name), name).toBe(1);
      expect(reasons.get(name), name).toBe(1);
      expect(questions.has(name), name).toBe(true);
    }
    expect(report.callComplete.byStatus.Other.count).toBe(names.length);
    for (const format of ['pretty', 'csv', 'markdown', 'json'] as const) {
      for (const by of [undefined, 'campaign', 'day', 'hour', 'phone'] as const) {
        const { stdout } = await run(() => summarise([file], { format, by, top: 0 } satisfies SummariseCliOptions));
        if (format !== 'csv') expect(stdout).toContain('isPrototypeOf');
      }
    }
  });
});
