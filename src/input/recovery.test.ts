/**
 * Damage stays inside the element that holds it: a file with one element cut short, truncated
 * or corrupted is read, everywhere else, exactly as the clean file is.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCalls } from '../core/generate.js';
import { type ReadOptions, readRecords } from './read.js';
import { braceLineTable, mayOpenEvent, nextElementLine } from './recovery.js';
import type { InputRecord } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-recovery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

interface Read {
  events: Array<{ offset: number; line: number; column: number; value: unknown }>;
  invalid: number;
  records: InputRecord[];
}

async function read(text: string | Buffer, options: ReadOptions = {}): Promise<Read> {
  const path = join(dir, `${files++}.json`);
  writeFileSync(path, text);
  const out: Read = { events: [], invalid: 0, records: [] };
  for await (const records of readRecords([path], options)) {
    for (const record of records) {
      out.records.push(record);
      if (record.kind === 'event') {
        const { offset, line, column } = record.element;
        out.events.push({ offset, line, column, value: record.value });
      } else if (record.kind === 'invalid') out.invalid++;
    }
  }
  return out;
}

/** Line and column (1-based, UTF-16) of byte offset `offset` of `bytes`. */
function positionAt(bytes: Buffer, offset: number): { line: number; column: number } {
  const before = bytes.subarray(0, offset).toString('utf8');
  const lines = before.split('\n');
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

const fixture = 'fixtures/valid/one-event-per-line.ndjson';

describe('a broken NDJSON line is one invalid element', () => {
  it('reads every other line of a file whose line 2 was cut to 40 bytes', async () => {
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(fixture, 'utf8').split('\n');
    lines[1] = lines[1]!.slice(0, 40);
    const result = await read(lines.join('\n'));
    expect(result.events).toHaveLength(5);
    expect(result.invalid).toBe(1);
    expect(result.events.map((e) => e.line)).toEqual([1, 3, 4, 5, 6]);
  });

  it('ends a string at the line break even after a trailing backslash', async () => {
    const text = '{"id":"a\\\n{"eventType":"SMSSent","data":{"from":"1"}}\n{"x":"\\\n';
    const result = await read(text);
    const lines = result.records.flatMap((r) => (r.kind === 'event' || r.kind === 'invalid' ? [r.element.line] : []));
    expect(lines).toEqual([1, 2, 3]);
  });

  it('ends a line left inside an unclosed bracket, with the reading fast path too', async () => {
    const { readFileSync } = await import('node:fs');
    const [first, second] = readFileSync(fixture, 'utf8').split('\n');
    const text = [first, '{"to":"61400000001","from":[{"a":', second, ''].join('\r\n');
    for (const warnings of [true, false]) {
      const result = await read(text, { warnings, readSize: 7 });
      expect(result.events.map((e) => e.line)).toEqual([1, 3]);
      expect(result.invalid).toBe(1);
    }
  });
});

describe('a line of NDJSON cut short, with the next line written onto it (a writer killed, then restarted)', () => {
  const events = [...generateCalls({ seed: 23, calls: 3, envelope: 'wire' })].slice(0, 6);

  it('reads the event written onto the cut line at its own place, every other as from the clean file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(events.length - 2),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.constantFrom('', ' ', '  '),
        fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constant(65536)),
        fc.boolean(),
        async (victim, where, crlf, blanks, chunk, warnings) => {
          const eol = crlf ? '\r\n' : '\n';
          const lines = events.map((value) => JSON.stringify(value));
          const cutLine = lines[victim]!;
          // Hint: a cut keeps at least the `{` and loses at least the closing `}`.
          const keep = 1 + Math.floor(where * (cutLine.length - 2));
          // Not where the cut value takes a value (after `:`, `[` or `,`): an event written there is
          // that value; nor a bare event right after a key, where a colon may be missing (see the
          // next tests). Inside a string these leave out cuts that would do.
          fc.pre(!/[:[,]$/.test(cutLine.slice(0, keep)));
          fc.pre(cutLine[keep] !== ':' || lines[victim + 1]!.includes('"eventType":'));
          const joined = [
            ...lines.slice(0, victim),
            cutLine.slice(0, keep) + blanks + lines[victim + 1],
            ...lines.slice(victim + 2),
          ];
          const damaged = Buffer.from(joined.join(eol) + eol);
          const values = events.filter((_, i) => i !== victim);
          let from = 0;
          const expected = values.map((value) => {
            const offset = damaged.indexOf(JSON.stringify(value), from);
            from = offset + 1;
            return { offset, ...positionAt(damaged, offset), value };
          });
          const result = await read(damaged, { readSize: chunk, chunkSize: chunk, warnings });
          expect(result.events).toEqual(expected);
          expect(result.invalid).toBe(1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('says where the cut value ends, and that the event after it is read', async () => {
    const [first, second] = events.map((value) => JSON.stringify(value));
    const result = await read(`${first!.slice(0, 30)}${second}\n`);
    const invalid = result.records.find((record) => record.kind === 'invalid');
    expect(invalid?.kind === 'invalid' && invalid.problems.map((p) => [p.line, p.message])).toEqual([
      [1, expect.stringMatching(/; an event written onto its line after it is read as the next value \(NDJSON/)],
    ]);
    expect(result.events.map((e) => [e.line, e.column])).toEqual([[1, 31]]);
  });

  it('takes no object the cut value holds as a value for the event: an envelope that lost only its last `}`', async () => {
    const enveloped = [...generateCalls({ seed: 23, calls: 2, envelope: 'all' })].map((value) => JSON.stringify(value));
    const [first, second] = enveloped;
    // Its `data` has a bare event's keys and closes at the line's end, but it is the value of `"data":`.
    expect(first).toMatch(/"data":\{.*\}\}$/);
    const result = await read(`${first!.slice(0, -1)}\n${second}\n`);
    expect(result.invalid).toBe(1);
    expect(result.events.map((e) => e.line)).toEqual([2]);
    // Cut right after its `"data":`, the event written onto it is taken for that value too: not recovered (README).
    const at = first!.indexOf('"data":') + '"data":'.length;
    const cutAtValue = await read(`${first!.slice(0, at)}${second}\n`);
    expect([cutAtValue.invalid, cutAtValue.events.length]).toEqual([1, 0]);
  });

  it('takes no event from a cut line that does not end with one, though it holds one', async () => {
    const [first, second, third] = events.map((value) => JSON.stringify(value));
    // An event-shaped object inside the cut value, closed before the cut: the line ends with a comma.
    const result = await read(`${first!.slice(0, -1)},"note":${second},\n${third}\n`);
    expect(result.invalid).toBe(1);
    expect(result.events.map((e) => [e.line, e.value])).toEqual([[2, events[2]]]);
  });

  // Red team hR132: a nested object that closes at the line's end and has an event's keys is no
  // event written onto the line when the line holds no cut before it, or one that reads otherwise.
  const enveloped = [...generateCalls({ seed: 23, calls: 3, envelope: 'all' })].map((value) => JSON.stringify(value));
  const [envelope, other] = enveloped as [string, string];
  const lostLastBrace = envelope.slice(0, -1);

  it('reads no object of the event after two cut ones, written whole on the next line, for a second copy', async () => {
    const line = `${other.slice(0, 20)}${lostLastBrace}`;
    const result = await read(`${line}\n${envelope}\n`);
    expect(result.invalid).toBe(1);
    expect(result.events.map((e) => e.line)).toEqual([2]);
  });

  it('takes no object for an event where a colon is missing, or a quote is stray, and keeps its own problem', async () => {
    for (const broken of [
      lostLastBrace.replace('"data":{', '"data"{'),
      lostLastBrace.replace(/("createdAt":"[^"]*")/, '$1"'),
    ]) {
      const result = await read(`${broken}\n${other}\n`);
      expect(result.invalid).toBe(1);
      expect(result.events.map((e) => e.line)).toEqual([2]);
      const invalid = result.records.find((record) => record.kind === 'invalid');
      expect(JSON.stringify(invalid?.kind === 'invalid' && invalid.problems)).not.toContain('written onto its line');
    }
    // An enveloped event right after a key is no `data`: it is read.
    const afterKey = await read(`${other.slice(0, other.indexOf('":') + 1)}${envelope}\n`);
    expect(afterKey.events.map((e) => [e.line, e.value])).toEqual([[1, JSON.parse(envelope)]]);
    const missingColon = await read(`${lostLastBrace.replace('"data":{', '"data"{')}\n`);
    const [problem] = missingColon.records.flatMap((record) => (record.kind === 'invalid' ? record.problems : []));
    expect(problem?.message).toMatch(/colon/);
  });

  it('splits no line that is only cut short, though a string in it holds the beginning of an object', async () => {
    const holding = lostLastBrace.replace('"data":{', '"data":{"error":"bad body {\\"id\\":\\"abc",');
    expect(() => JSON.parse(`${holding}}`)).not.toThrow();
    const result = await read(`${holding}\n${other}\n`);
    expect(result.invalid).toBe(1);
    const [problem] = result.records.flatMap((record) => (record.kind === 'invalid' ? record.problems : []));
    expect(problem?.message).toMatch(/^unexpected end of the line/);
  });

  it('places the event after a character cut short where the cut value ends, a column of its own', async () => {
    const [, bare] = events.map((value) => JSON.stringify(value));
    // 日 is E6 97 A5: cut after two of its bytes, which the reader shows as one U+FFFD.
    const text = Buffer.concat([Buffer.from('{"n":"a'), Buffer.from([0xe6, 0x97]), Buffer.from(`${bare}\n`)]);
    const result = await read(text);
    expect(result.events.map((e) => [e.line, e.column, e.offset])).toEqual([[1, 9, 9]]);
  });

  it('reads the event of a cut line whatever lines came before it: what one line yields is its own', async () => {
    const [first, second] = events.map((value) => JSON.stringify(value));
    // A cut line ending with `}`, with 1,500 `{` in a string, that earlier took the file's whole recovery budget.
    const eater = `{"id":"x","data":{"n":"${'{'.repeat(1500)}"}`;
    const glued = `${first!.slice(0, 30)}${second}`;
    const result = await read(`${[...Array(700).fill(eater), glued].join('\n')}\n`);
    expect(result.events.map((e) => e.line)).toEqual([701]);
  });
});

describe('the value of a key outside any object (review hR133, hR134)', () => {
  const [envelope, other, third] = [...generateCalls({ seed: 23, calls: 3, envelope: 'all' })].map((value) =>
    JSON.stringify(value),
  ) as [string, string, string];

  /** The lines of the events read from `text`, on the quick path and byte by byte (the same), and every problem's message. */
  async function readBothWays(text: string): Promise<{ lines: number[]; messages: string[] }> {
    const path = join(dir, `${files++}.ndjson`);
    writeFileSync(path, text);
    const seen: Array<{ lines: number[]; messages: string[] }> = [];
    for (const byteByByte of [false, true]) {
      const records: InputRecord[] = [];
      for await (const read of readRecords([path], {}, { byteByByte })) records.push(...read);
      seen.push({
        lines: records.flatMap((record) => (record.kind === 'event' ? [record.element.line] : [])),
        messages: records.flatMap((record) =>
          record.kind === 'invalid' ? record.problems.map((problem) => problem.message) : [],
        ),
      });
    }
    expect(seen[1]).toEqual(seen[0]);
    return seen[0] as { lines: number[]; messages: string[] };
  }

  it('reads no event from it: a stray `}` before `"data":`, or a lost `{`', async () => {
    for (const broken of [envelope.replace(',"data":', '},"data":'), envelope.slice(1)]) {
      const { lines, messages } = await readBothWays(`${other}\n${broken}\n${third}\n`);
      expect(lines).toEqual([1, 3]);
      expect(messages).toContainEqual(expect.stringMatching(/^the value of a key outside any object/));
    }
  });

  it('spoils no line of NDJSON after the key’s: each line is read on its own', async () => {
    for (const keyLine of ['"note":', '{"a":1}, "x":']) {
      const { lines } = await readBothWays(`${other}\n${keyLine}\n\n${third}\n`);
      expect(lines).toEqual([1, 4]);
    }
  });

  it('reads the values after one whose closing `}` is a `]`: a bracket of the wrong kind still ends it (hR134)', async () => {
    const pretty = [other, envelope, third].map((line) => JSON.stringify(JSON.parse(line), null, 2));
    pretty[1] = pretty[1]!.replace(/\n\}$/, '\n]');
    const { lines } = await readBothWays(`${pretty.join('\n')}\n`);
    expect(lines).toEqual([1, 1 + pretty[0]!.split('\n').length + pretty[1]!.split('\n').length]);
  });

  it('reads an enveloped event after a quoted key, as a log line’s prefix (`"event": {…}`), which no `data` is', async () => {
    const { lines } = await readBothWays(`"event": ${other}\n"event": ${third}\n`);
    expect(lines).toEqual([1, 2]);
  });
});

describe('a broken element of a batch with one compact element a line, at column 1, ends with its line', () => {
  const events = [...generateCalls({ seed: 5, calls: 6, envelope: 'all' })];
  const lines = events.map((event) => JSON.stringify(event));

  it('reads every other element when one is cut in half', async () => {
    const cut = lines.map((line, i) => (i === 2 ? line.slice(0, Math.floor(line.length / 2)) : line));
    const result = await read(`[\n${cut.join(',\n')}\n]\n`);
    expect(result.events.map((e) => e.line)).toEqual(lines.flatMap((_, i) => (i === 2 ? [] : [i + 2])));
    expect(result.events.map((e) => e.value)).toEqual(events.filter((_, i) => i !== 2));
    expect(result.invalid).toBe(1);
  });

  it('reads them when the first element is the one cut, or the last', async () => {
    for (const victim of [0, lines.length - 1]) {
      const cut = lines.map((line, i) => (i === victim ? line.slice(0, 50) : line));
      const result = await read(`[\r\n${cut.join(',\r\n')}\r\n]\r\n`);
      expect(result.events.map((e) => e.value)).toEqual(events.filter((_, i) => i !== victim));
      expect(result.invalid).toBe(1);
    }
  });

  it("reads every other element when the first element shares the `[`'s line and one after it is cut", async () => {
    // `[{…},` then one element a line: the watch for NDJSON of arrays (a later line opening `[`)
    // took the place of the watch for the next element, and every event after the cut was lost.
    for (const indent of ['', '  ', '\t']) {
      for (const victim of [1, 2, lines.length - 1]) {
        const cut = lines.map((line, i) => (i === victim ? line.slice(0, 60) : line));
        const result = await read(`[${cut.join(`,\n${indent}`)}]\n`);
        expect(result.events.map((e) => e.value)).toEqual(events.filter((_, i) => i !== victim));
        expect(result.invalid).toBe(1);
      }
    }
  });

  it('keeps an element whose nested objects open lines where elements do, and that misses a comma among them, one element', async () => {
    // With the first element on the `[`'s line, a flow step's line was taken for the next
    // element's: the event was split into its steps, its `]}},` closed the batch, and fix,
    // which had repaired the comma, refused the file.
    const step = (n: number) => `{"questionName": "q${n}", "response": "r${n}"}`;
    const flow = (indent: string) => `{"flow": [\n${indent}${step(1)}\n${indent}${step(2)}\n]}}`;
    const sms = (id: string) => `{"id": "${id}", "eventType": "SMSSent", "data": {}}`;
    /** Each element read, as its first 12 characters, and each problem between elements. */
    const elements = (records: InputRecord[]) =>
      records.flatMap((r) =>
        r.kind === 'event' || r.kind === 'invalid'
          ? [r.element.text.slice(0, 12)]
          : r.kind === 'problem'
            ? [r.problem.code]
            : [],
      );
    for (const indent of ['', '  ']) {
      for (const [text, expected] of [
        [
          `[{"id": "e1", "eventType": "CallComplete", "data": ${flow(indent)},\n${sms('e2')},\n${sms('e3')}]\n`,
          ['{"id": "e1",', '{"id": "e2",', '{"id": "e3",'],
        ],
        [
          `[${sms('e0')},\n{"id": "e1", "eventType": "CallComplete", "data": ${flow(indent)},\n${sms('e2')}]\n`,
          ['{"id": "e0",', '{"id": "e1",', '{"id": "e2",'],
        ],
      ] as const) {
        const whole = await read(text);
        expect(elements(whole.records), text).toEqual(expected);
        const broken = whole.records.find((r) => r.kind === 'invalid' && r.element.text.startsWith('{"id": "e1"'));
        expect(broken?.kind === 'invalid' && broken.problems.map((p) => p.code)).toEqual(['missing-comma']);
        // Past --max-element-size, the element is too large, and still one element, in any chunks.
        for (const chunk of [1, 7, 65536]) {
          const small = await read(text, { maxElementBytes: 60, readSize: chunk, chunkSize: chunk });
          // Hint: an element past the limit keeps none of its text.
          const got = elements(small.records).map((shown) => (shown === '' ? '{"id": "e1",' : shown));
          expect(got, `${text} in chunks of ${chunk}`).toEqual(expected);
        }
      }
    }
  });

  it('cuts no valid element at a nested object shaped like an event, while reading again or past the size limit', async () => {
    // A `data` object opening a line at the elements' column has an event's keys (`name`,
    // `sessionId`): past --max-element-size it cut its valid element there, in some chunk sizes;
    // and while the bytes after a recovered cut were read again, a valid element's flow step at
    // column 1 cut it, its `]}},` closing the batch.
    const sms = (id: string) => `{"id": "${id}", "eventType": "SMSSent", "data": {}}`;
    const dataLine = `[${sms('e0')},\n{"id": "e1", "eventType": "CallComplete", "data":\n{"name": "A", "sessionId": "s1", "flow": [{"questionName": "q1", "response": "r1"}]}},\n${sms('e2')}]\n`;
    /** Each element's pointer, and each problem between elements. */
    const shown = (records: InputRecord[]) =>
      records.flatMap((r) =>
        r.kind === 'event' || r.kind === 'invalid' ? [r.element.pointer] : r.kind === 'problem' ? [r.problem.code] : [],
      );
    for (const chunk of [1, 7, 65536]) {
      const small = await read(dataLine, { maxElementBytes: 100, readSize: chunk, chunkSize: chunk });
      expect(shown(small.records), `chunks of ${chunk}`).toEqual(['/0', '/1', '/2']);
    }
    const step = (n: number) => `{"questionName": "q${n}", "response": "r${n}"}`;
    const afterCut = [
      `[${sms('e0')},`,
      `{"id": "e1", "eventType": "CallComplete", "data": {"flow": [`,
      `${step(1)},`,
      '{"questionName": "q2", "re',
      ']}},',
      `${sms('e2')},`,
      `{"id": "e3", "eventType": "CallComplete", "data": {"flow": [`,
      step(1),
      ']}},',
      `${sms('e4')},`,
      `${sms('e5')}]`,
      '',
    ].join('\n');
    expect(shown((await read(afterCut)).records)).toEqual(['/0', '/1', '/2', '/3', '/4', '/5']);
  });

  it('does not cut a valid element laid out as the platform publishes them, every line at column 1', async () => {
    const text = JSON.stringify(events, null, 1).replace(/\n +/g, '\n');
    expect(text).toMatch(/\n\{\n"questionName"/);
    // As saved by an editor that leaves blanks after the `{`, with CRLF line ends, or both.
    for (const variant of [
      text,
      text.replaceAll('{\n', '{  \n'),
      text.replaceAll('\n', '\r\n').replaceAll('{\r', '{ \t\r'),
    ]) {
      const result = await read(variant);
      expect(result.events.map((e) => e.value)).toEqual(events);
      expect(result.invalid).toBe(0);
    }
  });
});

describe('a broken element of a pretty-printed batch ends where the next begins', () => {
  const events = [...generateCalls({ seed: 3, calls: 30, envelope: 'all' })];
  const clean = JSON.stringify(events, null, 2);

  it('reads the other elements when one misses its closing brace', async () => {
    // The 11th element's `},` line loses its brace.
    let at = -1;
    for (let n = 0; n <= 10; n++) at = clean.indexOf('\n  },\n', at + 1);
    const broken = `${clean.slice(0, at)}\n  ,\n${clean.slice(at + 6)}`;
    const result = await read(broken);
    expect(result.events).toHaveLength(events.length - 1);
    expect(result.invalid).toBe(1);
  });

  it('ends an element missing an inner brace where the next element begins', async () => {
    let at = -1;
    for (let n = 0; n <= 4; n++) at = clean.indexOf('\n    }\n  },\n', at + 1);
    const broken = `${clean.slice(0, at)}\n  },\n${clean.slice(at + 12)}`;
    const result = await read(broken);
    expect(result.events).toHaveLength(events.length - 1);
    expect(result.invalid).toBe(1);
  });
});

type Layout = 'pretty' | 'ndjson' | 'batch-lines' | 'compact-lines' | 'inline-lines' | 'inline-indented';

/** An export laid out as `layout`, with each element's byte span and the span of its damage unit. */
function layOut(values: unknown[], layout: Layout, crlf: boolean) {
  const eol = crlf ? '\r\n' : '\n';
  const parts: string[] = [];
  const spans: Array<{ start: number; end: number; unitStart: number; unitEnd: number }> = [];
  let length = 0;
  const add = (text: string) => {
    parts.push(text);
    length += Buffer.byteLength(text);
  };
  if (layout === 'pretty') {
    add(`[${eol}`);
    values.forEach((value, i) => {
      add('  ');
      const start = length;
      add(JSON.stringify(value, null, 2).replaceAll('\n', `${eol}  `));
      spans.push({ start, end: length, unitStart: start, unitEnd: length });
      add(i < values.length - 1 ? `,${eol}` : eol);
    });
    add(`]${eol}`);
  } else if (layout === 'compact-lines') {
    // A batch with one compact element a line, every line at column 1.
    add(`[${eol}`);
    values.forEach((value, i) => {
      const start = length;
      add(JSON.stringify(value));
      spans.push({ start, end: length, unitStart: start, unitEnd: length });
      add(i < values.length - 1 ? `,${eol}` : eol);
    });
    add(`]${eol}`);
  } else if (layout === 'inline-lines' || layout === 'inline-indented') {
    // The same, with the first element on the `[`'s line and the `]` on the last's, the next
    // elements at column 1 or indented by two.
    const indent = layout === 'inline-lines' ? '' : '  ';
    add('[');
    values.forEach((value, i) => {
      const start = length;
      add(JSON.stringify(value));
      spans.push({ start, end: length, unitStart: start, unitEnd: length });
      add(i < values.length - 1 ? `,${eol}${indent}` : `]${eol}`);
    });
  } else if (layout === 'ndjson') {
    for (const value of values) {
      const start = length;
      add(JSON.stringify(value));
      spans.push({ start, end: length, unitStart: start, unitEnd: length });
      add(eol);
    }
  } else {
    for (let i = 0; i < values.length; i += 3) {
      const unitStart = length;
      add('[');
      const line: Array<{ start: number; end: number }> = [];
      values.slice(i, i + 3).forEach((value, j) => {
        if (j > 0) add(',');
        const start = length;
        add(JSON.stringify(value));
        line.push({ start, end: length });
      });
      add(']');
      for (const span of line) spans.push({ ...span, unitStart, unitEnd: length });
      add(eol);
    }
  }
  return { bytes: Buffer.from(parts.join('')), spans };
}

const damages = ['cut', 'hole', 'byte'] as const;
const nasty = ['"', '\\', '{', '}', '[', ']', ',', ':', '\n', 'x', ' '];

describe('stray characters before the elements are no elements', () => {
  it('reads every element where it is, in every layout and chunk size, with one invalid-symbol a run', async () => {
    // No-break spaces pasted from a web page, a BOM where two exports were joined, a zero-width
    // space, an `@`: each was read as an element of its own, shifting every later pointer. So
    // was a no-break space saved as Windows-1252 or Latin-1, 0xA0, a byte that is not UTF-8 (red
    // team hR124), alone, doubled, or after a UTF-8 em space (U+2003).
    const events = [...generateCalls({ seed: 11, calls: 4, envelope: 'wire' })].slice(0, 6);
    const layouts: Layout[] = ['pretty', 'ndjson', 'compact-lines', 'inline-indented'];
    const notUtf8 = [Buffer.from([0xa0]), Buffer.from([0xa0, 0xa0]), Buffer.from([0xe2, 0x80, 0x83, 0xa0])];
    for (const stray of ['\u00a0\u00a0', '\ufeff', '\u200b', '@', ...notUtf8]) {
      for (const layout of layouts) {
        const { bytes, spans } = layOut(events, layout, false);
        // Before each element but one that begins the file, where a BOM is the file's own.
        const strays = spans.map((span) => span.start > 0);
        const parts: Buffer[] = [];
        let from = 0;
        for (const span of spans.filter((_, i) => strays[i])) {
          parts.push(bytes.subarray(from, span.start), Buffer.from(stray));
          from = span.start;
        }
        parts.push(bytes.subarray(from));
        const damaged = Buffer.concat(parts);
        const width = Buffer.byteLength(stray);
        const expected = events.map((value, i) => {
          const offset = spans[i]!.start + width * strays.slice(0, i + 1).filter(Boolean).length;
          return { offset, ...positionAt(damaged, offset), value };
        });
        for (const chunk of [1, 5, 64, 65536]) {
          const result = await read(damaged, { readSize: chunk, chunkSize: chunk });
          const problems = result.records.flatMap((record) =>
            record.kind === 'problem' ? [`${record.problem.code} ${record.problem.pointer}`] : [],
          );
          const pointers = events.map((_, i) => (layout === 'ndjson' ? '' : `/${i}`)).filter((_, i) => strays[i]);
          expect({ stray, layout, chunk, events: result.events, invalid: result.invalid, problems }).toEqual({
            stray,
            layout,
            chunk,
            events: expected,
            invalid: 0,
            problems: pointers.map((pointer) => `invalid-symbol ${pointer}`),
          });
        }
      }
    }
  });
});

describe('property: one damaged element leaves every other element as it was', () => {
  it('for every layout, damage and chunk size', async () => {
    const events = [...generateCalls({ seed: 11, calls: 4, envelope: 'wire' })].slice(0, 9);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Layout>('pretty', 'ndjson', 'batch-lines', 'compact-lines', 'inline-lines', 'inline-indented'),
        fc.boolean(),
        fc.nat(events.length - 1),
        fc.constantFrom(...damages),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(...nasty),
        fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constant(65536)),
        fc.boolean(),
        async (layout, crlf, victim, damage, where, howMuch, byte, chunk, warnings) => {
          const { bytes, spans } = layOut(events, layout, crlf);
          const span = spans[victim]!;
          const size = span.end - span.start;
          // Hint: a cut keeps at least the opening brace and loses at least the closing one.
          const at = span.start + 1 + Math.floor(where * (size - 2));
          let removed: number;
          let inserted: Buffer;
          if (damage === 'cut') {
            removed = span.end - at;
            inserted = Buffer.alloc(0);
          } else if (damage === 'hole') {
            removed = Math.min(span.end - at - 1, 1 + Math.floor(howMuch * 40));
            inserted = Buffer.alloc(0);
          } else {
            removed = 1;
            inserted = Buffer.from(byte);
          }
          const damaged = Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at + removed)]);
          const shift = inserted.length - removed;
          const unitEnd = span.unitEnd + shift;
          const expected = events.flatMap((value, i) => {
            const other = spans[i]!;
            if (other.unitStart === span.unitStart) return [];
            const offset = other.start > span.start ? other.start + shift : other.start;
            return [{ offset, ...positionAt(damaged, offset), value }];
          });
          const options = { readSize: chunk, chunkSize: chunk, warnings };
          const result = await read(damaged, options);
          const outside = result.events.filter((e) => e.offset < span.unitStart || e.offset >= unitEnd);
          expect(outside).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** A batch laid out as the platform's documentation prints one: every line of every element at column 1. */
function platformLayout(values: unknown[], eol = '\n'): { parts: string[]; text: (parts: string[]) => string } {
  const parts = values.map((value) => JSON.stringify(value, null, 2).replace(/\n +/g, '\n').replaceAll('\n', eol));
  return { parts, text: (list) => `[${eol}${list.join(`,${eol}`)}${eol}]${eol}` };
}

/** `part` (an element's lines) cut to its first `keep` lines, as a paste that dropped the rest would leave it. */
function cutLines(part: string, keep: number, eol = '\n'): string {
  return part.split(eol).slice(0, keep).join(eol);
}

/** What the elements other than `victims` of `parts` must read as, in `text`: their values, offsets, lines and columns. */
function othersIn(text: string, parts: string[], values: unknown[], victims: number[]) {
  const bytes = Buffer.from(text);
  let from = 0;
  return parts.flatMap((part, i) => {
    const offset = bytes.indexOf(part, from);
    from = offset + Buffer.byteLength(part);
    return victims.includes(i) ? [] : [{ offset, ...positionAt(bytes, offset), value: values[i] }];
  });
}

describe('a cut element of a batch laid out as the platform publishes it, every line at column 1', () => {
  const events = [...generateCalls({ seed: 3, calls: 5, envelope: 'all' })].slice(0, 5);
  const bare = [...generateCalls({ seed: 4, calls: 6, envelope: 'wire' })].slice(0, 7);
  const { parts, text } = platformLayout(events);

  /** Reads `parts` with those named in `cuts` cut to half their lines (or `keep` lines), and checks every other element. */
  async function expectOthersRead(values: unknown[], list: string[], cuts: Record<number, number | undefined>) {
    const victims = Object.keys(cuts).map(Number);
    const damaged = list.map((part, i) => {
      if (!victims.includes(i)) return part;
      const lines = part.split('\n').length;
      return cutLines(part, cuts[i] ?? Math.floor(lines / 2));
    });
    const file = text(damaged);
    const expected = othersIn(file, damaged, values, victims);
    for (const readSize of [7, 65536]) {
      const result = await read(file, { readSize, chunkSize: readSize });
      expect(result.events).toEqual(expected);
      expect(result.invalid).toBe(victims.length);
      const elements = result.records.flatMap((r) => (r.kind === 'event' || r.kind === 'invalid' ? [r.element] : []));
      expect(elements.map((e) => e.pointer)).toEqual(values.map((_, i) => `/${i}`));
      // The file's `]` is there: no "array not closed" beyond what the file really has.
      expect(result.records.filter((r) => r.kind === 'problem')).toEqual([]);
    }
    return file;
  }

  it('reads every element after one cut to half its lines, at their own lines', async () => {
    await expectOthersRead(events, parts, { 1: undefined });
  });

  it('reports the cut element’s problems at their real line and column', async () => {
    const file = await expectOthersRead(events, parts, { 1: undefined });
    const result = await read(file);
    const invalid = result.records.find((r) => r.kind === 'invalid');
    if (invalid?.kind !== 'invalid') throw new Error('no invalid element');
    expect(invalid.element.pointer).toBe('/1');
    expect(invalid.element.line).toBe(positionAt(Buffer.from(file), file.indexOf(cutLines(parts[1]!, 3))).line);
    const lines = file.split('\n');
    for (const problem of invalid.problems) {
      expect(problem.line).toBeGreaterThanOrEqual(invalid.element.line);
      expect(problem.line).toBeLessThan(result.events[1]!.line);
      expect(problem.column).toBeLessThanOrEqual(lines[problem.line - 1]!.length + 1);
    }
  });

  it('reads every element after a cut one when their keys tie two types, told apart by their values', async () => {
    // A CallReceived with a `to` ties with SMS (`type` against `to`); validate reads it as the one
    // type it is valid as, but the reader did not take it for an event, so the cut element before
    // swallowed the three after it, valid events lost to another's damage (review hR63).
    const tied = Array.from({ length: 5 }, (_, i) => ({
      time: `2022-09-01T00:0${i}:00Z`,
      phone: '61491570737',
      type: 'inbound',
      campaignId: `a087eaf3-00b3-49c9-8706-c4ebfb2627${String(i).padStart(2, '0')}`,
      to: '61491570006',
    }));
    const layout = platformLayout(tied);
    await expectOthersRead(tied, layout.parts, { 1: 3 });
  });

  it('reads them when the first element is the one cut, or the last but one, or two are', async () => {
    await expectOthersRead(events, parts, { 0: undefined });
    await expectOthersRead(events, parts, { 3: undefined });
    await expectOthersRead(events, parts, { 1: undefined, 3: 7 });
  });

  it('reads them when two elements side by side are cut', async () => {
    await expectOthersRead(events, parts, { 1: undefined, 2: 4 });
    // Hint: a cut element is told from a nested object by its own keys, so each keeps its `eventType` line.
    const few = (i: number, keep: number) => Math.min(keep, parts[i]!.split('\n').length - 1);
    await expectOthersRead(events, parts, { 1: few(1, 5), 2: few(2, 20), 3: few(3, 3) });
  });

  it('reads them when the last element lost only its last line, and the batch’s `]` closed it', async () => {
    const lines = parts[4]!.split('\n').length;
    await expectOthersRead(events, parts, { 4: lines - 1 });
    await expectOthersRead(events, parts, { 3: 8, 4: lines - 1 });
  });

  it('reads them when the cut element lost only its last line, or all but its `{`', async () => {
    const lines = parts[2]!.split('\n').length;
    await expectOthersRead(events, parts, { 2: lines - 1 });
    await expectOthersRead(events, parts, { 2: lines - 2 });
    await expectOthersRead(events, parts, { 2: 1 });
  });

  it('reads bare events, told by their shape, as the documentation’s examples have them', async () => {
    const layout = platformLayout(bare);
    await expectOthersRead(bare, layout.parts, { 1: undefined });
    await expectOthersRead(bare, layout.parts, { 0: 3, 4: undefined });
  });

  it('ends the cut element at the next event, not at a `{` line of a nested object', async () => {
    const file = text([cutLines(parts[0]!, 3), ...parts.slice(1)]);
    const result = await read(file);
    expect(result.events.map((e) => e.value)).toEqual(events.slice(1));
  });
});

describe('a Unicode blank at the head of a line in the platform’s layout, every line at column 1', () => {
  // One no-break space before `"id"` on an element's second line made the element no
  // pretty-printed object: its flow steps' `{` lines were read as elements, 11 events and 21
  // errors where there was one error (red team hR98). A space or a tab there was fine.
  const events = [...generateCalls({ seed: 3, calls: 5, envelope: 'all' })].slice(0, 5);
  const blanks = ['\u00a0', '\u200b', '\ufeff', '\u3000', '\u00a0\u3000'];

  /** The errors of each invalid element and each problem outside one, as `code line:column`. */
  const errorsOf = (result: Read) =>
    result.records.flatMap((r) =>
      r.kind === 'invalid'
        ? r.problems.map((p) => `${p.code} ${p.line}:${p.column}`)
        : r.kind === 'problem'
          ? [r.problem.code]
          : [],
    );

  it('is one invalid-symbol of its element, which alone is invalid, at every read size', async () => {
    const { parts, text } = platformLayout(events);
    for (const blank of blanks) {
      // A CallReceived, flat, and two CallCompletes, whose flow steps open `{` lines at column 1.
      for (const victim of [0, 1, 3]) {
        const damaged = parts.map((part, i) => (i === victim ? part.replace('\n', `\n${blank}`) : part));
        const file = text(damaged);
        const line = file.slice(0, file.indexOf(damaged[victim]!)).split('\n').length + 1;
        for (const readSize of [1, 2, 65536]) {
          const result = await read(file, { readSize, chunkSize: readSize });
          expect({ blank, victim, readSize, errors: errorsOf(result) }).toEqual({
            blank,
            victim,
            readSize,
            errors: [`invalid-symbol ${line}:1`],
          });
          expect(result.events).toEqual(othersIn(file, damaged, events, [victim]));
        }
      }
    }
  });

  it('is one invalid-symbol of a file that holds one event, at every read size', async () => {
    const file = `${platformLayout(events).parts[1]!.replace('\n', '\n\u00a0')}\n`;
    for (const readSize of [1, 3, 65536]) {
      const result = await read(file, { readSize, chunkSize: readSize });
      expect({ readSize, errors: errorsOf(result) }).toEqual({ readSize, errors: ['invalid-symbol 2:1'] });
    }
  });
});

describe('property: in the platform’s layout, a valid batch is read whole, and a cut element spoils only itself', () => {
  const values = [
    ...generateCalls({ seed: 21, calls: 4, envelope: 'wire' }),
    ...generateCalls({ seed: 22, calls: 3, envelope: 'all' }),
  ];

  it('reads a valid batch exactly as JSON.parse does, at every position', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(values, { minLength: 1 }),
        fc.boolean(),
        fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constant(65536)),
        async (list, crlf, chunk) => {
          const eol = crlf ? '\r\n' : '\n';
          const layout = platformLayout(list, eol);
          const file = layout.text(layout.parts);
          const result = await read(file, { readSize: chunk, chunkSize: chunk });
          expect(result.events).toEqual(othersIn(file, layout.parts, list, []));
          expect(result.invalid).toBe(0);
          expect(result.records.filter((r) => r.kind === 'problem')).toEqual([]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reads every other element when one is cut at any line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(values, { minLength: 2 }),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constant(65536)),
        async (list, crlf, which, where, chunk) => {
          const eol = crlf ? '\r\n' : '\n';
          const layout = platformLayout(list, eol);
          const victim = Math.floor(which * (list.length - 1));
          const lines = layout.parts[victim]!.split(eol).length;
          // Hint: at least its `{` line kept, at least its `}` line lost.
          const keep = 1 + Math.floor(where * (lines - 2));
          const damaged = layout.parts.map((part, i) => (i === victim ? cutLines(part, keep, eol) : part));
          const file = layout.text(damaged);
          const result = await read(file, { readSize: chunk, chunkSize: chunk });
          expect(result.events).toEqual(othersIn(file, damaged, list, [victim]));
          expect(result.invalid).toBe(1);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("a cut element in the column-1 layout, ended by the end of the file or by the batch's ]", () => {
  it('hands on the elements read again after it a slice at a time, not all at once', async () => {
    const event = (i: number) =>
      JSON.stringify({ eventType: 'SMSSent', id: `sms-${i}`, data: { message: 'hi', to: '61400000001' } }, null, 2)
        .split('\n')
        .map((line) => line.trimStart())
        .join('\n');
    const all = Array.from({ length: 400 }, (_, i) => event(i));
    // The first lost its closing `}`: it held every element after it, up to the end of the file
    // (it lost its `]` too) or to the batch's `]`, which closed it.
    all[0] = all[0]!.slice(0, all[0]!.lastIndexOf('\n'));
    for (const end of ['\n', '\n]\n']) {
      const path = join(dir, `${files++}.json`);
      writeFileSync(path, `[\n${all.join(',\n')}${end}`);
      const handedOn: number[] = [];
      for await (const records of readRecords([path], { chunkSize: 4096 })) {
        handedOn.push(records.filter((r) => r.kind === 'event' || r.kind === 'invalid').length);
      }
      expect(handedOn.reduce((a, b) => a + b)).toBe(400);
      // About 4096 / 100 bytes an element at a time, as the rest of the file is read.
      expect(Math.max(...handedOn), JSON.stringify(end)).toBeLessThan(100);
    }
  });
});

describe('a second cut element, among the bytes a cut one held, read again a slice at a time', () => {
  /** The elements read, with their problems: where, their text, and what and where each problem is. */
  const elementsOf = (result: Read) =>
    result.records.flatMap((r) =>
      r.kind === 'event' || r.kind === 'invalid'
        ? [
            {
              ...r.element,
              file: '',
              problems: r.kind === 'invalid' ? r.problems.map((p) => [p.code, p.offset, p.line, p.column]) : [],
            },
          ]
        : [],
    );
  const events = [...generateCalls({ seed: 3, calls: 5, envelope: 'all' })].slice(0, 5);

  it('leaves out the \\r of a CRLF line break that begins a slice, as it does at any other slice end', async () => {
    const eol = '\r\n';
    const { parts, text } = platformLayout(events, eol);
    const lines = (i: number) => parts[i]!.split(eol).length;
    // The first lost its last line, so the batch's `]` closed it; or it held the rest of the file.
    for (const end of [']', '']) {
      const damaged = parts.map((part, i) =>
        i === 0 ? cutLines(part, lines(0) - 1, eol) : i === 2 ? cutLines(part, 8, eol) : part,
      );
      let file = text(damaged);
      if (end === '') file = file.slice(0, file.lastIndexOf(']'));
      const whole = await read(file, { readSize: 65536, chunkSize: 65536 });
      const cut = whole.records.flatMap((r) => (r.kind === 'invalid' ? [r] : []));
      expect(cut.map((r) => r.element.pointer)).toEqual(['/0', '/2']);
      // It ends before the line break, with the comma that followed it.
      expect(cut[1]!.element.text).toBe(`${cutLines(parts[2]!, 8, eol)},`);
      for (const size of [1, 2, 3, 7, 64]) {
        const sliced = await read(file, { readSize: size, chunkSize: size });
        expect(elementsOf(sliced), `${JSON.stringify(end)} ${size}`).toEqual(elementsOf(whole));
      }
    }
  });
});

describe('only the first value decides that a file is NDJSON: a later one on one line makes no file of lines', () => {
  // Every later value that opened and closed on its line made the rest of the file NDJSON: a stray
  // `]` in a 136 MB export lost every event after it, and summarise exited 0 (helper-155).
  const pretty = (event: unknown) => `[\n${JSON.stringify(event, null, 2).replace(/^/gm, '  ')}\n]`;
  const events = [...generateCalls({ calls: 2, seed: 3 })].slice(0, 3);

  it('reads pretty batches around a compact value, a text line or a string, each event once', async () => {
    const [a, b, c] = events.map((event) => pretty(event));
    expect((await read(`${a}\n${JSON.stringify(events[1])}\n${c}\n`)).events.map((e) => e.value)).toEqual(events);
    for (const between of ['"x"', '42', '{}']) {
      const result = await read(`${a}\n${between}\n${b}\n`);
      expect(
        result.events.map((e) => e.value),
        between,
      ).toEqual([events[0], events[1]]);
      expect(result.invalid, between).toBe(1);
    }
  });

  it('reads the events after a stray `]` inside an element of a pretty batch', async () => {
    const batch = `[\n${events.map((event) => JSON.stringify(event, null, 2).replace(/^/gm, '  ')).join(',\n')}\n]\n`;
    const lines = batch.split('\n');
    // After the first member of the first element.
    lines.splice(3, 0, ']');
    const result = await read(lines.join('\n'));
    expect(result.events.map((e) => e.value)).toEqual(events.slice(1));
  });
});

describe('a file whose second line opens as its first did is NDJSON, whatever those lines hold', () => {
  // Guards of a change reverted (cda5028, f7c27ea): undoing the decision when line 2 did not
  // close lost the events of NDJSON whose first two lines were cut, or whose line 2 was a bare `{`.
  const events = [...generateCalls({ calls: 3, seed: 5 })].slice(0, 4);

  it('reads every other line of NDJSON whose first line, or first two, were cut', async () => {
    for (const cut of [1, 2]) {
      const lines = events.map((event, i) => (i < cut ? JSON.stringify(event).slice(0, 30) : JSON.stringify(event)));
      const result = await read(`${lines.join('\n')}\n`);
      expect(result.events.map((e) => e.value)).toEqual(events.slice(cut));
      expect(result.invalid).toBe(cut);
    }
  });

  it('reads the events after a cut first line and a bare opener on the second', async () => {
    for (const [first, second] of [
      ['{"id":"x', '{'],
      ['[', '['],
      ['{', '{'],
    ]) {
      const lines = [first, second, ...events.slice(1).map((event) => JSON.stringify(event))];
      const result = await read(`${lines.join('\n')}\n`);
      expect(
        result.events.map((e) => e.value),
        `${first} ${second}`,
      ).toEqual(events.slice(1));
    }
  });
});

describe('where the next element begins in the bytes of one cut short', () => {
  // An element that lost its closing `}}` ran on over a flow step at column 1 and two events.
  const held = Buffer.from(
    [
      '{',
      '"eventType":"a",',
      '"data":{"n":1',
      '{',
      '"step":1',
      '},',
      '{',
      '"eventType":"b"',
      '},',
      '{',
      '"eventType":"c"',
      '}',
    ].join('\n'),
  );
  const step = held.indexOf('\n{\n"step"') + 1;
  const b = held.indexOf('\n{\n"eventType":"b"') + 1;
  const c = held.indexOf('\n{\n"eventType":"c"') + 1;

  it('lists the `{` lines alone at column 1, and where each object ends', () => {
    const table = braceLineTable(held);
    expect(table?.opens).toEqual([step, b, c]);
    expect(table?.ends).toEqual([held.indexOf('}', step) + 1, held.indexOf('}', b) + 1, held.indexOf('}', c) + 1]);
  });

  it('takes the first event followed by a comma, not the flow step before it', () => {
    const table = braceLineTable(held);
    if (!table) throw new Error('no table');
    expect(nextElementLine(held, 0, held.length, false, table, { left: 2 ** 20 })).toBe(b);
    // A spent budget finds nothing, as a crafted file is read no further.
    expect(nextElementLine(held, 0, held.length, false, table, { left: 0 })).toBe(-1);
  });

  it('says an object may open an event by its own keys, or when it does not close', () => {
    const budget = { left: 2 ** 20 };
    expect(mayOpenEvent(held, step, budget)).toBe(false);
    expect(mayOpenEvent(held, b, budget)).toBe(true);
    expect(mayOpenEvent(held, 0, budget)).toBe(true);
  });
});
