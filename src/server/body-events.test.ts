import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../core/generate.js';
import { FingerprintSet } from '../input/fingerprint-set.js';
import { readRecords } from '../input/read.js';
import { maxDepth, type Problem } from '../input/types.js';
import type { EventType } from '../schema/events.js';
import {
  type BodyEvents,
  type BodyOptions,
  problemJson,
  problemsKept,
  readBodyEventsFully,
  readBodyEventsQuickly,
} from './body-events.js';

const fixtures = ['valid', 'invalid', 'doc-examples'].flatMap((folder) =>
  readdirSync(join('fixtures', folder))
    .filter((name) => !name.endsWith('.md'))
    .sort()
    .map((name) => ({ name: `${folder}/${name}`, bytes: readFileSync(join('fixtures', folder, name)) })),
);

/** Nests `value` in `levels` arrays. */
function nest(value: unknown, levels: number): unknown {
  let out = value;
  for (let i = 0; i < levels; i++) out = [out];
  return out;
}

/** Byte-level damage: cuts, deletions, stray bytes, a BOM, a second value, an outer array. */
function damaged(bytes: Buffer, random: () => number): Buffer[] {
  const at = () => Math.floor(random() * bytes.length);
  const out = [
    bytes.subarray(0, Math.floor((2 * bytes.length) / 3)),
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]),
    Buffer.concat([bytes, Buffer.from('\n'), bytes]),
    Buffer.concat([Buffer.from(' \r\n\t'), bytes, Buffer.from(' \r\n')]),
    Buffer.concat([Buffer.from('['), bytes, Buffer.from(']')]),
  ];
  const strays = ['"', ',', '}', ']', 'x', '\u0001', '\\'];
  const i = at();
  const stray = strays[Math.floor(random() * strays.length)]!;
  out.push(Buffer.concat([bytes.subarray(0, i), Buffer.from(stray), bytes.subarray(i)]));
  const j = at();
  out.push(Buffer.concat([bytes.subarray(0, j), Buffer.from([0xff]), bytes.subarray(j + 1)]));
  return out;
}

/** Value-level changes to a parsed body: fields removed, retyped, added (odd keys, deep values), repeated events. */
function changed(bytes: Buffer, random: () => number): Buffer[] {
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
    // Hint: a value too deep to write back (fixtures/invalid/deep-nesting.json) is damaged only.
    JSON.stringify(value);
  } catch {
    return [];
  }
  const events = (Array.isArray(value) ? value : [value]) as unknown[];
  const out: unknown[] = [[], 0, 'text', null, [null], [...events, ...events], [events[0], 7]];
  const first = events[0];
  if (typeof first !== 'object' || first === null || Array.isArray(first)) return out.map(encode);
  const target = (
    Object.hasOwn(first, 'data') && typeof (first as { data: unknown }).data === 'object'
      ? (first as { data: object }).data
      : first
  ) as Record<string, unknown>;
  const keys = Object.keys(target);
  const pick = () => keys[Math.floor(random() * keys.length)]!;
  const withChange = (change: (copy: Record<string, unknown>) => void) => {
    const parsed = JSON.parse(text) as unknown;
    const copy = (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
    const head = copy[0]!;
    change(
      (Object.hasOwn(head, 'data') && typeof head.data === 'object' ? head.data : head) as Record<string, unknown>,
    );
    return copy;
  };
  if (keys.length > 0) {
    out.push(
      withChange((t) => delete t[pick()]),
      withChange((t) => {
        t[pick()] = null;
      }),
      withChange((t) => {
        t[pick()] = 12345;
      }),
      withChange((t) => {
        t[pick()] = 'not what it should be';
      }),
    );
  }
  out.push(
    withChange((t) => {
      Object.defineProperty(t, 'constructor', { value: 'x', enumerable: true });
    }),
    withChange((t) => {
      Object.defineProperty(t, '__proto__', { value: { a: 1 }, enumerable: true });
    }),
  );
  for (const levels of [maxDepth - 3, maxDepth - 2, maxDepth - 1]) {
    out.push(
      withChange((t) => {
        t.extra = nest(1, levels);
      }),
    );
  }
  return out.map(encode);
}

function encode(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Every body the test reads: each fixture, and its damaged and changed copies. */
function bodies(damage = true): { name: string; bytes: Buffer }[] {
  const random = mulberry32(13);
  return fixtures.flatMap(({ name, bytes }) => [
    { name, bytes },
    ...(damage ? damaged(bytes, random) : []).map((b, i) => ({ name: `${name} damaged #${i}`, bytes: b })),
    ...changed(bytes, random).map((b, i) => ({ name: `${name} changed #${i}`, bytes: b })),
  ]);
}

/** A reading without its values: ids, redelivery marks, and the problems. */
function outline(read: BodyEvents) {
  return {
    ...read,
    events: read.events.map(({ event, duplicate }) => ({ type: event.type, id: event.id, duplicate })),
  };
}

/**
 * Reads the bodies in one run two ways: the quick path where it answers, the whole road
 * otherwise; and the whole road only. Then those the quick path answered once more, when each of
 * their ids is a redelivery. Returns how many the quick path answered the first time.
 */
async function compare(options: BodyOptions, all: { name: string; bytes: Buffer }[]): Promise<number> {
  const listenIds = new FingerprintSet();
  const validateIds = new FingerprintSet();
  const read = async (name: string, bytes: Buffer) => {
    const fast = readBodyEventsQuickly(bytes, options, listenIds);
    const got = fast ?? (await readBodyEventsFully(bytes, options, listenIds));
    const expected = await readBodyEventsFully(bytes, options, validateIds);
    if (fast) expect({ name, ...got }).toEqual({ name, ...expected });
    else {
      // Both from the whole road: what tells them apart is the set of ids the quick path left.
      // Hint: compared without the values, which may nest too deep for a deep comparison.
      expect({ name, ...outline(got) }).toEqual({ name, ...outline(expected) });
    }
    return fast !== undefined;
  };
  const quick: typeof all = [];
  for (const { name, bytes } of all) if (await read(name, bytes)) quick.push({ name, bytes });
  for (const { name, bytes } of quick) await read(`${name} again`, bytes);
  return quick.length;
}

describe('a problem as listen answers it (problemJson)', () => {
  it('shows a lone surrogate its message quotes as the visible \\ud83d, as validate and the other formats do', async () => {
    const body = Buffer.from('{"id": "\\ud83d", "eventType": "CallComplete"}');
    const found = await readBodyEventsFully(body, { type: undefined }, new FingerprintSet());
    const messages = found.problems.map((problem) => problemJson(problem).message);
    expect(messages.some((message) => message.includes('"\\ud83d"'))).toBe(true);
    expect(messages.filter((message) => /\p{Surrogate}/u.test(message))).toEqual([]);
  });
});

describe('a body read in one go', () => {
  it('gives what the input layer gives, over every fixture and mutations (problems, positions, pointers, redeliveries)', async () => {
    const quick = await compare({ type: undefined }, bodies());
    // The quick path must be taken, or this proves nothing.
    expect(quick).toBeGreaterThan(100);
  });

  it.each<EventType>(['CallAttempted', 'CallComplete'])('and with --type %s', async (type) => {
    await compare({ type }, bodies(false));
  });

  it('is taken for a valid batch, and left for anything the input layer must explain', () => {
    const ids = new FingerprintSet();
    const read = (name: string) =>
      readBodyEventsQuickly(readFileSync(join('fixtures', name)), { type: undefined }, ids);
    for (const name of ['valid/bare-types.json', 'valid/single-event-object.json', 'valid/every-status.json']) {
      expect(read(name)?.events.length, name).toBeGreaterThan(0);
    }
    for (const name of ['valid/utf8-bom.json', 'valid/one-event-per-line.ndjson', 'invalid/bad-status.json']) {
      expect(read(name), name).toBeUndefined();
    }
    expect(readBodyEventsQuickly(Buffer.alloc(0), { type: undefined }, ids)).toBeUndefined();
  });

  it('takes an event 256 levels deep and leaves one of 257 to the input layer, which refuses it', () => {
    // A bare event has no bracket of its own: in a batch, 257 levels are 258 brackets, and the
    // count that spares the walk must still send the body to it (no test held the bound).
    const [bare] = JSON.parse(readFileSync(join('fixtures', 'valid/bare-types.json'), 'utf8')) as object[];
    const body = (levels: number) =>
      Buffer.from(
        JSON.stringify([{ ...bare, extra: JSON.parse(`${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}`) }]),
      );
    expect(JSON.stringify(bare)).not.toMatch(/[[{].*[[{]/);
    expect(readBodyEventsQuickly(body(maxDepth), { type: undefined }, new FingerprintSet())?.events).toHaveLength(1);
    expect(readBodyEventsQuickly(body(maxDepth + 1), { type: undefined }, new FingerprintSet())).toBeUndefined();
  });
});

describe('a body of many problems', () => {
  it('counts the problems of elements past those it keeps, the same totals, without placing them', async () => {
    // 20,000 invalid elements: each one's problems were built and placed, then dropped (hT47 #3).
    const body = Buffer.from(JSON.stringify(Array(20_000).fill({ time: 'x', phone: 5, status: 'zz' })));
    const found = await readBodyEventsFully(body, { type: undefined }, new FingerprintSet());
    expect(found.invalid).toBe(20_000);
    expect(found.problems.map((p) => `${p.line}:${p.column} ${p.pointer} ${p.code}`)).toEqual([
      '1:2 /0/campaignId missing-field',
      '1:10 /0/time invalid-format',
      '1:22 /0/phone invalid-type',
      '1:33 /0/status invalid-value',
      '1:39 /1/campaignId missing-field',
    ]);
    const perElement = 4;
    expect(found.problems.length + found.omittedProblems).toBe(20_000 * perElement);
  });

  it('keeps the first stray bytes between elements framed, as reading every problem does, and counts the rest', async () => {
    // Each stray byte's problem was framed, kept or not: a 5 MB body of `]` held listen 39 s (red team hT61).
    const count = 5_000;
    for (const text of [']'.repeat(count), '}'.repeat(count), `[{}${','.repeat(count)}]`]) {
      const body = Buffer.from(text);
      const found = await readBodyEventsFully(body, { type: undefined }, new FingerprintSet());
      const every: Problem[] = [];
      for await (const records of readRecords(['-'], { stdin: Readable.from([body]), oneValue: true })) {
        for (const record of records) {
          const problems =
            record.kind === 'problem' ? [record.problem] : record.kind === 'invalid' ? record.problems : [];
          every.push(...problems.filter((problem) => problem.severity === 'error'));
        }
      }
      expect(found.problems, text.slice(0, 4)).toEqual(every.slice(0, problemsKept));
      expect(found.problems.length + found.omittedProblems).toBe(every.length);
      expect(every.length).toBeGreaterThanOrEqual(count);
    }
  });

  it('keeps the first problems listen shows and counts the rest, instead of holding every one', async () => {
    // A 4.5 MB body of one event with 1,500,000 empty flow steps held 3,000,000 problems:
    // listen grew past 3 GB and answered nothing in 90 s.
    const event = JSON.parse(readFileSync('fixtures/valid/single-event-object.json', 'utf8'));
    const body = Buffer.from(
      JSON.stringify([{ ...event, data: { ...event.data, flow: Array(300).fill({}) } }, {}, { ...event, id: 7 }]),
    );
    const found = await readBodyEventsFully(body, { type: undefined }, new FingerprintSet());
    // Each empty step lacks two fields; `{}` is not an event; an id must be a string.
    const all = 600 + 1 + 1;
    expect(found.problems).toHaveLength(problemsKept);
    expect(found.problems.length + found.omittedProblems).toBe(all);
    expect(found.problems.map((p) => p.pointer)).toEqual([
      '/0/data/flow/0/questionName',
      '/0/data/flow/0/response',
      '/0/data/flow/1/questionName',
      '/0/data/flow/1/response',
      '/0/data/flow/2/questionName',
    ]);
    expect(found.invalid).toBe(3);
  });
});

describe('a body larger than the input layer reads an element by default', () => {
  it('reads its one event, larger than 64 MiB, within the body listen took (--max-body 100M, hR101 F1)', async () => {
    // A 70 MiB event was refused as not JSON, told to raise --max-element-size, which listen lacks.
    const event = JSON.parse(readFileSync('fixtures/valid/single-event-object.json', 'utf8'));
    const body = Buffer.from(JSON.stringify([{ ...event, data: { ...event.data, name: 'x'.repeat(65 * 2 ** 20) } }]));
    const found = await readBodyEventsFully(body, { type: undefined }, new FingerprintSet());
    expect(found.problems.map((problem) => problem.message)).toEqual([]);
    expect({ syntax: found.syntax, invalid: found.invalid, events: found.events.length }).toEqual({
      syntax: false,
      invalid: 0,
      events: 1,
    });
  });
});
