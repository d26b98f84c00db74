import { spawn, spawnSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { visit } from 'jsonc-parser';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { makeSocket } from '../../test/helpers/payloads.js';
import { holdsOpen } from '../../test/helpers/run-cli.js';
import { generateCalls } from '../core/generate.js';
import { codeFrame } from '../render/code-frame.js';
import { readChunks, readChunksOf, readRecords, readSources } from './read.js';
import type { InputRecord, Problem } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every record of `paths`, without warnings, which only a reading that looks for them has. */
async function recordsOf(paths: string[], warnings: boolean, sizes = { readSize: 4096 }): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const records of readRecords(paths, { warnings, ...sizes })) {
    for (const record of records) {
      if (record.kind === 'problem') {
        if (record.problem.severity === 'error') out.push(record);
      } else if (record.kind === 'event' || record.kind === 'invalid') {
        out.push({ ...record, problems: record.problems.filter((p) => p.severity === 'error') });
      } else out.push(record);
    }
  }
  return out;
}

async function valuesOf(path: string, readSize: number): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const records of readRecords([path], { readSize, chunkSize: readSize })) {
    for (const record of records as InputRecord[]) {
      if (record.kind === 'event' || record.kind === 'invalid') values.push(record.value);
    }
  }
  return values;
}

describe('readRecords', () => {
  it('reads an empty .ndjson or .jsonl file as NDJSON of no lines: no events, no problem; an empty .json file is one', async () => {
    const codes = async (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      const found: string[] = [];
      for await (const records of readRecords([path])) {
        for (const record of records) {
          if (record.kind === 'problem') found.push(record.problem.code);
          else if (record.kind === 'event' || record.kind === 'invalid') found.push(record.kind);
        }
      }
      return found;
    };
    expect(await codes('none.ndjson', '')).toEqual([]);
    expect(await codes('none.JSONL', '\n')).toEqual([]);
    // JSON text must hold a value: an empty .json file is cut short or was never written.
    expect(await codes('none.json', '')).toEqual(['empty']);
  });

  it('reads a file in reads of any size, reusing its buffers, into exactly the values JSON.parse sees', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 97 }),
        fc.constantFrom(0, 2),
        async (values, readSize, indent) => {
          const text = JSON.stringify(values, null, indent);
          const path = join(dir, `${run++}.json`);
          writeFileSync(path, text);
          expect(await valuesOf(path, readSize)).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reads the same records when it takes elements by their closing lines (no warnings looked for)', async () => {
    // A generated export with a redelivery, an invalid event, a broken element and a missing
    // comma, as a person saves it (pretty-printed): the quick path must refuse the last three,
    // and leave the rest (the redelivery too, less its warning) as the byte-by-byte path reads it.
    const events = [...generateCalls({ seed: 7, calls: 60, envelope: 'all' })] as Array<{
      eventType: string;
      data: { status?: string };
    }>;
    events.splice(40, 0, events[3]!);
    events.find((e, i) => i > 50 && e.eventType === 'CallComplete')!.data.status = 'Done';
    let text = JSON.stringify(events, null, 2);
    const broken = text.indexOf('"createdAt"', text.length >> 1);
    text = `${text.slice(0, broken)}"createdAt" "x",${text.slice(broken + 12)}`;
    const comma = text.indexOf('},\n  {', text.length >> 2);
    text = `${text.slice(0, comma + 1)}${text.slice(comma + 2)}`;
    const path = join(dir, 'export.json');
    writeFileSync(path, text);
    const fixtures = ['fixtures/valid', 'fixtures/invalid'].flatMap((folder) =>
      readdirSync(folder)
        .filter((name) => /\.(json|ndjson|jsonl)$/.test(name))
        .map((name) => join(folder, name)),
    );
    // Reads of 4 KiB; and reads of 64 KiB handed on in slices of ~3 KB, which end where no
    // element is cut in two (ElementSplitter.pushEnd).
    for (const sizes of [{ readSize: 4096 }, { readSize: 65536, chunkSize: 3000 }]) {
      for (const paths of [[path], fixtures]) {
        expect(await recordsOf(paths, false, sizes)).toEqual(await recordsOf(paths, true, sizes));
      }
    }
    const records = (await recordsOf([path], false)) as InputRecord[];
    expect(records.filter((r) => r.kind === 'invalid').length).toBe(2);
    expect(records.filter((r) => r.kind === 'event' && r.duplicate).length).toBe(1);
    expect(records.find((r) => r.kind === 'problem')).toMatchObject({ problem: { code: 'missing-comma' } });
  });

  it('marks a redelivery without its duplicate-id warning when no warnings are looked for, on either path', async () => {
    const events = [...generateCalls({ seed: 3, calls: 8, envelope: 'all' })];
    const path = join(dir, 'redelivered.json');
    // Pretty-printed, the quick path reads it; on one line, the byte-by-byte path.
    for (const indent of [2, 0]) {
      writeFileSync(path, JSON.stringify([...events, events[2], events[5]], null, indent));
      for (const warnings of [false, true]) {
        const redeliveries: InputRecord[] = [];
        for await (const records of readRecords([path], { warnings })) {
          redeliveries.push(...records.filter((r) => r.kind === 'event' && r.duplicate));
        }
        expect(redeliveries.length).toBe(2);
        const codes = redeliveries.map((r) => (r.kind === 'event' ? r.problems.map((p) => p.code) : []));
        expect(codes).toEqual(warnings ? [['duplicate-id'], ['duplicate-id']] : [[], []]);
      }
    }
  });
});

describe('a file of many tiny elements', () => {
  it('hands its records on a few hundred at a time, not a 64 KiB slice of them at once', async () => {
    // Hint: 64 KiB of `{}` are 21,000 records, alive together until handed on: they outlived the
    // young generation, and collecting them was most of the cost of `validate` on such a file.
    // The work is counted, not timed: the records alive at once.
    const files: Array<[string, string]> = [
      ['one-line.json', `[${Array(30_000).fill('{}').join(',')}]`],
      ['ones.json', `[${Array(30_000).fill('1').join(',')}]`],
      ['lines.ndjson', `${Array(30_000).fill('{}').join('\n')}\n`],
    ];
    for (const [name, text] of files) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const handedOn: number[] = [];
      for await (const records of readRecords([path])) {
        handedOn.push(records.filter((r) => r.kind === 'event' || r.kind === 'invalid').length);
      }
      expect(handedOn.reduce((a, b) => a + b)).toBe(30_000);
      expect(Math.max(...handedOn), name).toBeLessThanOrEqual(1_024);
    }
  });
});

describe('the element size limit', () => {
  async function problemsOf(text: string, options: Parameters<typeof readRecords>[1] = {}) {
    const path = join(dir, `limit-${Math.random()}.json`);
    writeFileSync(path, text);
    const out: Array<{ kind: string; code?: string; message?: string }> = [];
    for await (const records of readRecords([path], options)) {
      for (const record of records) {
        if (record.kind === 'invalid') {
          for (const p of record.problems) out.push({ kind: record.kind, code: p.code, message: p.message });
        } else if (record.kind === 'event') out.push({ kind: 'event' });
      }
    }
    return out;
  }
  const event = (transcript: string) =>
    JSON.stringify({
      time: '2022-09-05T00:00:01.100Z',
      phone: '61411223344',
      status: 'failed',
      note: transcript,
      campaignId: 'c9b2e4a7-5d18-4f3c-9e6b-1a7d3c8f2b05',
    });

  it('reads a closed element of 17 MiB at the default limit', async () => {
    expect(await problemsOf(`[${event('x'.repeat(17 * 2 ** 20))}]`)).toEqual([{ kind: 'event' }]);
  });

  it('says a closed element over the limit is too large, and names the option', async () => {
    const [problem] = await problemsOf(`[${event('x'.repeat(300))}, ${event('y')}]`, { maxElementBytes: 200 });
    expect(problem).toMatchObject({ code: 'element-too-large' });
    expect(problem!.message).toContain('--max-element-size');
    expect(problem!.message).not.toContain('unclosed');
  });

  it('suggests a limit the option takes: at most 511M, and none past it', async () => {
    // An element of 270 MiB was told to raise the limit to 512M, which --max-element-size refuses.
    const { limitFor } = await import('./element.js');
    expect([100, 3 * 2 ** 20, 300 * 2 ** 20, 511 * 2 ** 20].map(limitFor)).toEqual([
      2 ** 20,
      4 * 2 ** 20,
      511 * 2 ** 20,
      511 * 2 ** 20,
    ]);
    expect(limitFor(511 * 2 ** 20 + 1)).toBeUndefined();
  });

  it('says an element left open to the end of the file is an unclosed string or bracket', async () => {
    const string = await problemsOf(`[${event('y')}, {"a": "${'x'.repeat(300)}`, { maxElementBytes: 200 });
    expect(string.at(-1)!.message).toMatch(/unclosed string/);
    const bracket = await problemsOf(`[{"a": [${'1,'.repeat(300)}`, { maxElementBytes: 200 });
    expect(bracket.at(-1)!.message).toMatch(/unclosed bracket/);
    expect(bracket.at(-1)!.message).not.toContain('--max-element-size');
  });

  it('says a line of text over the limit is no JSON value, which no larger limit would help', async () => {
    // A 200 MB line of `a` was told to raise the limit to 256M (red team hT43).
    const texts: Array<[string, string]> = [
      ['a'.repeat(300), `"${'a'.repeat(40)}…"`],
      [`nullx${'a'.repeat(300)}`, `"nullx${'a'.repeat(35)}…"`],
      // A `-` begins a number only before a digit: this one was told to raise the limit.
      [`-${'a'.repeat(300)}`, '"-"'],
      [`- 1${'a'.repeat(300)}`, '"-"'],
    ];
    for (const [text, quoted] of texts) {
      expect(await problemsOf(`${text}\n`, { maxElementBytes: 200 })).toEqual([
        {
          kind: 'invalid',
          code: 'invalid-symbol',
          message: `unexpected ${quoted}: an element of ${text.length} bytes that is no JSON value, past the 200 limit (raising it would not help)`,
        },
      ]);
    }
    // A value too large still names the option.
    const [value] = await problemsOf(`-${'1'.repeat(300)}\n`, { maxElementBytes: 200 });
    expect(value).toMatchObject({
      code: 'element-too-large',
      message: expect.stringContaining('--max-element-size 1M'),
    });
  });
});

describe('a token a syntax error quotes', () => {
  async function messagesOf(text: string): Promise<string[]> {
    const path = join(dir, `token-${Math.random().toString(36).slice(2)}.ndjson`);
    writeFileSync(path, text);
    const out: string[] = [];
    for await (const records of readRecords([path])) {
      for (const record of records) {
        if (record.kind === 'invalid') out.push(...record.problems.map((p) => `${p.code} ${p.message}`));
      }
    }
    return out;
  }

  it('is quoted by its first 40 characters, however long it is', async () => {
    // A 1 MB line of `a` gave a "one-line" error of 1 MB; a word of 4.5 million combining marks
    // overflowed a regular expression's stack (red team hT43).
    expect(await messagesOf(`a${'\u0301'.repeat(4_500_000)}\n`)).toEqual([
      `invalid-symbol unexpected "a${'\u0301'.repeat(39)}…"`,
    ]);
    expect(await messagesOf(`${'a'.repeat(1_000_000)}\n`)).toEqual([`invalid-symbol unexpected "${'a'.repeat(40)}…"`]);
    expect(await messagesOf(`{${'1'.repeat(1000)}: 1}\n`)).toEqual([
      `unexpected-token expected a property name in double quotes, found "${'1'.repeat(40)}…"`,
      'after-syntax-error 1 more syntax error from here on, not listed: they may only follow from the one before',
    ]);
    // A short one whole, as before.
    expect(await messagesOf('abc\n')).toEqual(['invalid-symbol unexpected "abc"']);
  });
});

describe('an element cut short', () => {
  it('says it is not closed even when its last line holds an error of its own (a cut leaves one)', async () => {
    // A pretty-printed batch whose element /0 lost its lines after `{,`: the comma and the cut are
    // two mistakes, and the cut is the one that explains the element (fix cannot repair it).
    const path = join(dir, 'cut-after-error.json');
    const whole = (n: number) => `  {\n    "a": ${n},\n    "b": [\n      {\n        "c": 1\n      }\n    ]\n  }`;
    writeFileSync(path, `[\n  {\n    "a": 0,\n    "b": [\n      {,\n${whole(1)},\n${whole(2)}\n]\n`);
    const found: Array<{ kind: string; codes?: string[] }> = [];
    for await (const records of readRecords([path])) {
      for (const record of records) {
        if (record.kind === 'invalid') found.push({ kind: 'invalid', codes: record.problems.map((p) => p.code) });
        else if (record.kind === 'event' || record.kind === 'problem') found.push({ kind: record.kind });
      }
    }
    expect(found.filter((r) => r.kind === 'invalid')).toEqual([
      { kind: 'invalid', codes: ['unexpected-comma', 'unexpected-eof'] },
      { kind: 'invalid', codes: expect.any(Array) },
      { kind: 'invalid', codes: expect.any(Array) },
    ]);
  });
});

describe('a cut element closed by the `]` of its batch', () => {
  it('is ended the same, and so is the next one, when the bytes read again end in Latin-1 text', async () => {
    // Those bytes' last lines, held as if the next read followed them, were read with the rest of
    // the read as if they too were bytes read again: the next batch's cut element was not ended,
    // and every batch after it was read as elements of its array.
    const whole = '{\n"eventType": "CallComplete",\n"data": {\n"flow": [\n{\n"q": 1\n},\n{\n"q": "{"\n}\n]\n}\n}';
    const cut = whole.slice(0, whole.lastIndexOf('\n'));
    const batch = `[\n${whole},\n${cut},\n{\n"status": "failed",\n"note": "x"\n}\n]\n`;
    const text = batch + batch + '[\n{\n"status": "failed"\n}\n]\n'.repeat(400);
    const shapes: Record<string, string[]> = {};
    for (const [name, bytes] of [
      ['ascii', Buffer.from(text)],
      ['latin1', Buffer.from(text.replaceAll('"x"', '"\u00e9"'), 'latin1')],
    ] as const) {
      const path = join(dir, `cut-closed-${name}.json`);
      writeFileSync(path, bytes);
      shapes[name] = [];
      for await (const records of readRecords([path])) {
        for (const record of records) {
          if (record.kind === 'invalid' || record.kind === 'event') {
            const { batch: at, pointer, offset, line, column } = record.element;
            shapes[name]?.push(`${at} ${pointer} @${offset} ${line}:${column}`);
          } else if (record.kind === 'problem') shapes[name]?.push(`${record.problem.code} @${record.problem.offset}`);
        }
      }
    }
    expect(shapes.latin1).toEqual(shapes.ascii);
  });
});

describe('sources that are not regular files', () => {
  it('reads a FIFO (as /dev/stdin or <(...) are) as a stream', async () => {
    const { execFileSync } = await import('node:child_process');
    const { createWriteStream } = await import('node:fs');
    const fifo = join(dir, 'fifo.ndjson');
    execFileSync('mkfifo', [fifo]);
    const text = readFileSync('fixtures/valid/one-event-per-line.ndjson');
    const writer = createWriteStream(fifo);
    // Written in two parts, so that the reader sees more than one read.
    writer.write(text.subarray(0, 100));
    setTimeout(() => writer.end(text.subarray(100)), 20);
    let events = 0;
    for await (const records of readRecords([fifo], { readSize: 64 })) {
      events += records.filter((record) => record.kind === 'event').length;
    }
    expect(events).toBe(6);
  });

  it('lets go of a FIFO whose reading was given up while it was still being opened', async () => {
    // A run stopped by a signal lets go of its pipes; one whose open was still under way was added
    // after, never destroyed, and the run waited for a writer that never came (replay under load).
    const { execFileSync } = await import('node:child_process');
    const fifo = join(dir, 'never-written.fifo');
    execFileSync('mkfifo', [fifo]);
    const abandon = new AbortController();
    const reading = readChunks(fifo, 0, 64, abandon.signal);
    const first = reading.next();
    abandon.abort();
    const timer = new Promise((resolve) => setTimeout(resolve, 3_000, 'still waiting for a writer'));
    const result = await Promise.race([first, timer]);
    // Hint: a writer that comes and goes ends a read still waiting, so the test itself never hangs.
    if (result !== undefined && typeof result === 'string') {
      const { closeSync, constants, openSync } = await import('node:fs');
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    }
    await reading.return(undefined);
    expect(result).toEqual({ done: true, value: undefined });
  });
});

describe('a stream read until `stop`', () => {
  it('once stopped, hands on the events it had read and not yet split, then ends without reading more', async () => {
    // Stopped while a request was in flight, replay counted the events of the first slice of what
    // it had read from stdin, and none of the rest of that read, nor what the stream held buffered.
    const { PassThrough } = await import('node:stream');
    const line = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(100) })}\n`;
    const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => line(from + k)).join('');
    const later = join(dir, 'after-stdin.ndjson');
    writeFileSync(later, lines(100, 102));
    const stdin = new PassThrough();
    const stop = new AbortController();
    const reading = readRecords(['-', later], { stdin, stop: stop.signal, warnings: false });
    const elements = (records: readonly InputRecord[]) =>
      records.filter((r) => r.kind === 'event' || r.kind === 'invalid').map((r) => JSON.parse(r.element.text).n);
    const errors = (records: readonly InputRecord[]) =>
      records.filter((r) => r.kind === 'problem' && r.problem.severity === 'error');
    // 20 lines of about 120 bytes in one write: more than the first slice (1 KiB) splits.
    stdin.write(lines(0, 20));
    const first = await reading.next();
    const seen = elements(first.value ?? []);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(20);
    // Held in the stream's buffer, read from the pipe and not yet taken, with half a line after it.
    stdin.write(`${lines(20, 25)}{"n": 25, "pad": "x`);
    stop.abort();
    const rest: InputRecord[] = [];
    for (let turn = 0; turn < 100; turn++) {
      // Hint: bounded, so that a reading that waits for more input fails here instead of hanging.
      const next = await Promise.race([
        reading.next(),
        new Promise<'waiting'>((resolve) => setTimeout(resolve, 5000, 'waiting').unref()),
      ]);
      expect(next, 'still waiting for more input once stopped').not.toBe('waiting');
      if (next === 'waiting' || next.done) break;
      rest.push(...next.value);
    }
    // Every whole line read, each once, in order; the half line is no event and no problem; the
    // file after stdin is not opened.
    expect([...seen, ...elements(rest)]).toEqual(Array.from({ length: 25 }, (_, n) => n));
    expect(errors(rest)).toEqual([]);
    expect(stdin.destroyed || stdin.readableEnded).toBe(false);
  });
});

describe('a named pipe read until `stop`', () => {
  it('is closed once the reading returns after the abort, though its writer keeps it open and quiet', async () => {
    // A library caller's aborted read left the pipe's fd and socket open for as long as the writer
    // held the pipe: only the CLI's own release at exit closed it.
    const { spawn, execFileSync } = await import('node:child_process');
    const fifo = join(dir, 'quiet-writer.fifo');
    execFileSync('mkfifo', [fifo]);
    const line = join(dir, 'one-line.ndjson');
    writeFileSync(line, '{"n":1}\n');
    const writer = spawn('sh', ['-c', 'exec > "$1"; cat "$2"; exec sleep 20', 'sh', fifo, line], { stdio: 'ignore' });
    try {
      const stop = new AbortController();
      let elements = 0;
      for await (const records of readRecords([fifo], { stop: stop.signal, warnings: false })) {
        elements += records.filter((record) => record.kind === 'event' || record.kind === 'invalid').length;
        if (elements > 0) stop.abort();
      }
      expect(elements).toBe(1);
      // Hint: polled, bounded: the socket closes on the event loop's next turns, not in the same one.
      for (let turn = 0; turn < 100 && holdsOpen(process.pid, fifo); turn++) await delay(10);
      expect(holdsOpen(process.pid, fifo), 'the pipe is still open').toBe(false);
    } finally {
      writer.kill();
    }
  });
});

describe('reads sharing one `stop`', () => {
  it('add one listener to it, however many wait: 11 made node print MaxListenersExceededWarning', async () => {
    // The library prints nothing (README); a caller's shutdown signal shared by 11 reads, each
    // waiting on a quiet stream with a listener of its own, made node warn on stderr.
    const { PassThrough } = await import('node:stream');
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const stop = new AbortController();
      const readings = Array.from({ length: 11 }, () =>
        readRecords(['-'], { stdin: new PassThrough(), stop: stop.signal, warnings: false }),
      );
      // Each reading waits for its stream's first bytes.
      const firsts = readings.map((reading) => reading.next());
      await delay(50);
      expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
      stop.abort();
      for (const first of firsts) await first;
      for (const reading of readings) for await (const _ of reading);
      await delay(10);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });
});

describe('a read that fails part way', () => {
  it('hands on every element read before it, ends the source with one `unreadable` where reading stopped, and reads the next', async () => {
    // A stdin reset mid-read (ECONNRESET) threw out of the reader: the run failed with exit 2
    // and no report, the events read before it uncounted and the files after it unread.
    const { Readable } = await import('node:stream');
    const line = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(50) })}\n`;
    const later = join(dir, 'after-failing-stdin.ndjson');
    writeFileSync(later, line(100));
    for (const [shape, text] of [
      ['NDJSON', Array.from({ length: 40 }, (_, n) => line(n)).join('')],
      ['a batch', `[\n${Array.from({ length: 40 }, (_, n) => line(n).trimEnd()).join(',\n')}\n]\n`],
    ] as const) {
      // Cut inside the 31st element's line, in reads of 100 bytes.
      const lines = text.split('\n');
      const stopLine = shape === 'NDJSON' ? 31 : 32;
      const at = lines.slice(0, stopLine - 1).join('\n').length + 1 + 20;
      async function* failing() {
        for (let from = 0; from < at; from += 100) yield Buffer.from(text.slice(from, Math.min(at, from + 100)));
        throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });
      }
      const seen: number[] = [];
      const problems: unknown[] = [];
      const ends: unknown[] = [];
      for await (const records of readRecords(['-', later], { stdin: Readable.from(failing()), warnings: false })) {
        for (const record of records) {
          if (record.kind === 'event' || record.kind === 'invalid') seen.push(JSON.parse(record.element.text).n);
          else if (record.kind === 'problem') {
            const { file, line, column, offset, code, message, fatal } = record.problem;
            problems.push({ file, line, column, offset, code, message, fatal });
          } else if (record.kind === 'file-end') ends.push({ file: record.file, bytes: record.bytes });
        }
      }
      expect(seen, shape).toEqual([...Array.from({ length: 30 }, (_, n) => n), 100]);
      expect(problems, shape).toEqual([
        {
          file: '<stdin>',
          line: stopLine,
          column: 21,
          offset: at,
          code: 'unreadable',
          message: 'cannot be read: connection reset by the other end',
          fatal: true,
        },
      ]);
      expect(ends, shape).toEqual([
        { file: '<stdin>', bytes: at },
        { file: later, bytes: line(100).length },
      ]);
    }
  });
});

describe("a folder's small file, read whole at once", () => {
  // A folder's file that one read takes whole is read with calls that wait for the system (the
  // thread pool's round trips cost ten times the reads on a folder of 20,000 small files): it must
  // give what the general reading gives, and be checked as that reading checks.
  const event = (n: number) => JSON.stringify({ eventType: 'CallAttempted', data: { n } });
  const folder = join(dir, 'small-files');
  const readSize = 256;
  /** A file of about `size` bytes: events one a line, the last cut short when it does not fit. */
  const fileOf = (size: number) => {
    let text = '';
    for (let n = 0; text.length < size; n++) text += `${event(n)}\n`;
    return text.slice(0, size);
  };

  it('gives the records a file named on its own gives, at every size around one read', async () => {
    mkdirSync(folder);
    const sizes = [0, 1, 2, readSize - 1, readSize, readSize + 1, 3 * readSize + 7];
    const names = sizes.map((size, i) => {
      const name = join(folder, `${i}.ndjson`);
      writeFileSync(name, fileOf(size));
      return name;
    });
    writeFileSync(join(folder, '7.json'), `[${event(1)},${event(2)}]`);
    names.push(join(folder, '7.json'));
    for (const sizes of [{ readSize }, { readSize: 65536, chunkSize: 100 }]) {
      const whole = await recordsOf([folder], true, sizes);
      expect(whole).toEqual(await recordsOf(names, true, sizes));
      expect(whole.filter((r) => (r as InputRecord).kind === 'invalid').length).toBeGreaterThan(8);
    }
  });

  it('lets timers, signals and a `stop` run while a folder of small files is read', async () => {
    // Read with calls that wait, every file of a folder was read before a timer could run: a
    // library caller's `stop` did nothing, and replay's Ctrl-C waited for the whole folder (review hR73).
    const many = join(dir, 'many-small');
    mkdirSync(many);
    for (let n = 0; n < 3000; n++) writeFileSync(join(many, `${n}.ndjson`), `${event(n)}\n`);
    const stop = new AbortController();
    let ticking: NodeJS.Timeout | undefined;
    let read = 0;
    try {
      for await (const records of readRecords([many], { stop: stop.signal })) {
        // A timer set once the files are being read: it stops the reading when it runs.
        ticking ??= setInterval(() => stop.abort(), 1);
        read += records.filter((r) => r.kind === 'invalid').length;
      }
    } finally {
      clearInterval(ticking);
    }
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(3000);
  });

  it('is checked as any file read is: marked by fix --write, cut short, rewritten, or grown meanwhile', async () => {
    const path = join(dir, 'small-checked.ndjson');
    const read = async (meanwhile: () => void) => {
      writeFileSync(path, fileOf(200));
      utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of readChunks(path, 0, readSize, undefined, meanwhile, true)) chunks.push(chunk);
      } catch (error) {
        return (error as Error).message;
      } finally {
        for (const left of ['.fix-in-progress', '.bak']) rmSync(`${path}${left}`, { force: true });
      }
      return Buffer.concat(chunks).toString();
    };
    expect(await read(() => {})).toBe(fileOf(200));
    // Hint: 200 bytes end part way through a line, which the append ends: read on to its end, no further.
    expect(await read(() => appendFileSync(path, 'more\nand more\n'))).toBe(`${fileOf(200)}more\n`);
    expect(await read(() => truncateSync(path, 50))).toBe(
      'the file was cut short while it was read (from 200 to 50 bytes)',
    );
    const rewrite = () => {
      const fd = openSync(path, 'r+');
      writeSync(fd, fileOf(200).toUpperCase(), 0);
      closeSync(fd);
    };
    expect(await read(rewrite)).toBe('the file was rewritten while it was read');
    const fixed = () => {
      rewrite();
      writeFileSync(`${path}.bak`, fileOf(200));
    };
    expect(await read(fixed)).toBe(
      `the file was rewritten by fix --write while it was read (its backup ${path}.bak was made meanwhile)`,
    );
    expect(await read(() => writeFileSync(`${path}.fix-in-progress`, `${path}.bak`))).toMatch(
      /^the file is marked as being rewritten by fix --write/,
    );
  });
});

describe('a file that changes while it is read', () => {
  // A file whose size is not its length (procfs says 0, sysfs 4096) was said to be "rewritten
  // while it was read" once read whole, exit 2 (review hR22).
  it.skipIf(!existsSync('/proc/self/status'))(
    'takes a file whose size is not its length as it is, unchanged',
    async () => {
      const problems: string[] = [];
      for await (const records of readRecords(['/proc/self/status'], { warnings: false })) {
        for (const record of records) if (record.kind === 'problem') problems.push(record.problem.message);
      }
      expect(problems.filter((message) => message.includes('while it was read'))).toEqual([]);
    },
  );

  // Lines of one length, so that where reading stopped says how many events came before it.
  const line = (n: number, pad = 'x') => `${JSON.stringify({ n, pad: pad.repeat(40) })}\n`;
  const width = line(0).length;
  const lines = (count: number, pad = 'x') => Array.from({ length: count }, (_, n) => line(n % 10, pad)).join('');
  /** Writes `text` over the file from its first byte, as fix --write rewrites one: its inode kept. */
  const rewriteInPlace = (path: string, text: string) => {
    const fd = openSync(path, 'r+');
    try {
      writeSync(fd, text, 0);
    } finally {
      closeSync(fd);
    }
  };
  /** Reads `path` in reads of 1 KiB, calling `meanwhile` once the first records are handed on, and `each` at every later batch. */
  async function readWhile(path: string, meanwhile: () => void, each = () => {}) {
    const seen: number[] = [];
    const problems: Pick<Problem, 'line' | 'column' | 'offset' | 'code' | 'message' | 'fatal'>[] = [];
    let bytes = -1;
    let changed = false;
    for await (const records of readRecords([path], { readSize: 1024, chunkSize: 1024, warnings: false })) {
      for (const record of records) {
        // A line that is no JSON (a cut one) is -1.
        if (record.kind === 'event' || record.kind === 'invalid') {
          seen.push((record.value as { n?: number } | undefined)?.n ?? -1);
        } else if (record.kind === 'problem') {
          const { line, column, offset, code, message, fatal } = record.problem;
          problems.push({ line, column, offset, code, message, fatal });
        } else if (record.kind === 'file-end') bytes = record.bytes;
      }
      if (changed) each();
      else if (seen.length > 0) {
        changed = true;
        meanwhile();
      }
    }
    return { seen, problems, bytes };
  }
  /** The one problem of a file read up to `bytes` (a cut line there is no element). */
  const stoppedAt = (bytes: number, message: string) => [
    {
      line: Math.floor(bytes / width) + 1,
      column: (bytes % width) + 1,
      offset: bytes,
      code: 'unreadable',
      message,
      fatal: true,
    },
  ];

  it('is one `unreadable` where reading stopped when it is cut short behind the reader, not a syntax error', async () => {
    // Cut to 500 bytes once 1 KiB or 2 KiB were read, a file was an `unterminated string` at a
    // line it no longer has (exit 1), or mixed counts (exit 0), as the line read last ended.
    const path = join(dir, 'cut-while-read.ndjson');
    const text = lines(200);
    writeFileSync(path, text);
    const { seen, problems, bytes } = await readWhile(path, () => truncateSync(path, 500));
    expect(bytes).toBeGreaterThan(500);
    expect(seen).toEqual(Array.from({ length: Math.floor(bytes / width) }, (_, n) => n % 10));
    expect(problems).toEqual(
      stoppedAt(bytes, `cannot be read: the file was cut short while it was read (from ${text.length} to 500 bytes)`),
    );
  });

  it('is one `unreadable` where reading stopped when it is rewritten in place, not the events of two versions', async () => {
    const path = join(dir, 'rewritten-while-read.ndjson');
    const text = lines(200);
    writeFileSync(path, text);
    // Hint: a time is kept to the kernel's clock tick: the file is dated in the past, so that the
    // rewrite dates it anew however soon after the open it comes.
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const { seen, problems, bytes } = await readWhile(path, () => rewriteInPlace(path, lines(200, 'y')));
    expect(bytes).toBe(text.length);
    expect(seen).toHaveLength(200);
    expect(problems).toEqual(stoppedAt(bytes, 'cannot be read: the file was rewritten while it was read'));
  });

  it('reads a file that grows while it is read as it was when opened, and stops there (an export still being appended to)', async () => {
    // Read on to its end, a file each read made longer was never done: `replay` of a capture folder
    // into the `listen` writing it sent its own deliveries back for ever, and filled the disk.
    const path = join(dir, 'grown-while-read.ndjson');
    writeFileSync(path, lines(200));
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    let appended = 0;
    const { seen, problems, bytes } = await readWhile(
      path,
      () => appendFileSync(path, lines(50)),
      () => {
        if (appended++ < 1000) appendFileSync(path, lines(1));
      },
    );
    expect(problems).toEqual([]);
    expect(bytes).toBe(200 * width);
    expect(seen).toHaveLength(200);
  });

  it('reads a source no further than its `size`, grown before or while it is read, from a folder or not (replay --journal)', async () => {
    // The sending read on past the size a replay journal's fingerprint covered (red team hR119).
    const path = join(dir, 'covered.ndjson');
    for (const inFolder of [false, true]) {
      writeFileSync(path, lines(200));
      utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
      let appended = 0;
      const seen: number[] = [];
      const problems: string[] = [];
      const source = { path, name: path, size: 120 * width, ...(inFolder ? { inFolder: true as const } : {}) };
      for await (const records of readSources([source], { readSize: 1024, chunkSize: 1024, warnings: false })) {
        for (const record of records) {
          if (record.kind === 'event' || record.kind === 'invalid') seen.push((record.value as { n: number }).n);
          else if (record.kind === 'problem') problems.push(record.problem.message);
        }
        if (appended++ < 50) appendFileSync(path, lines(1));
      }
      expect({ inFolder, problems, seen: seen.length }).toEqual({ inFolder, problems: [], seen: 120 });
      // Its size part way through a line then written on (review hR121): the whole elements of the
      // half line went out and the rest was skipped as invalid, exit 0. Shorter than its size: cut since.
      for (const [size, message] of [
        [
          120 * width - 7,
          `being written when its size was taken, part way through a line at byte ${120 * width - 7}: read it again once it is written`,
        ],
        [300 * width, `cut short while it was read (from ${300 * width} to ${200 * width} bytes)`],
      ] as const) {
        writeFileSync(path, lines(200));
        const read: Array<string | number> = [];
        for await (const records of readSources([{ ...source, size }], { warnings: false })) {
          for (const record of records) {
            if (record.kind === 'event' || record.kind === 'invalid') read.push(record.element.offset);
            else if (record.kind === 'problem') read.push(record.problem.message);
          }
        }
        expect({ inFolder, size, read }).toEqual({ inFolder, size, read: [`cannot be read: the file was ${message}`] });
      }
    }
  });

  it('is one `unreadable` when fix --write rewrote the file whole between two reads, its mark made and gone', async () => {
    // A rewrite done between two reads (replay waits on its receiver between them) left no mark to
    // see: the file, grown by the repair, was taken as grown, and read part old, part new, exit 0.
    const path = join(dir, 'fixed-between-reads.ndjson');
    const text = lines(200);
    writeFileSync(path, text);
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const { seen, problems, bytes } = await readWhile(path, () => {
      copyFileSync(path, `${path}.bak`);
      rewriteInPlace(path, lines(201, 'y'));
    });
    expect(problems).toEqual(
      stoppedAt(
        bytes,
        `cannot be read: the file was rewritten by fix --write while it was read (its backup ${path}.bak was made meanwhile)`,
      ),
    );
    expect(seen.length).toBeLessThan(200);
  });

  it('reads on, as it was when opened, a file appended to beside a copy of it made by hand before the read began', async () => {
    // fix --write marked the file only once it had backed it up, so a backup of the file as it was
    // opened, made since it last changed, was taken for fix's: `cp f f.bak` before an append
    // refused the read as "rewritten by fix --write". It now marks first (see fix.ts, `writeRepaired`).
    const path = join(dir, 'copied-by-hand.ndjson');
    writeFileSync(path, lines(200));
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    copyFileSync(path, `${path}.bak`);
    await delay(120);
    const { seen, problems } = await readWhile(path, () => appendFileSync(path, lines(50)));
    expect(problems).toEqual([]);
    expect(seen).toHaveLength(200);
  });

  it('reads on, as it was when opened, a file appended to beside a .bak of another version made since it last changed', async () => {
    // `sed -i.bak` (and tar, rsync -a, cp -p) leave a .bak newer than the file: taken for fix's,
    // an append during the read was refused as "rewritten by fix --write" (review hR27).
    const path = join(dir, 'sed-edited.ndjson');
    writeFileSync(path, lines(200));
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    writeFileSync(`${path}.bak`, lines(190));
    await delay(120);
    const { seen, problems } = await readWhile(path, () => appendFileSync(path, lines(50)));
    expect(problems).toEqual([]);
    expect(seen).toHaveLength(200);
  });

  it('reads on, as it was when opened, a file whose name leaves no room for a backup, while it is appended to', async () => {
    // Its backup's name looked for, too long (ENAMETOOLONG), failed the read: "cannot be read: name too long" (review hR26).
    const path = join(dir, `${'a'.repeat(248)}.ndjson`);
    writeFileSync(path, lines(200));
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const { seen, problems } = await readWhile(path, () => appendFileSync(path, lines(50)));
    expect(problems).toEqual([]);
    expect(seen).toHaveLength(200);
  });

  it('reads on to the end of the line being written when the file was opened, and no further', async () => {
    // Opened while `listen --out` appended a body (its size taken part way through the write),
    // a capture's .ndjson was read to half a line: a syntax error, and half a batch's events
    // counted (red team hR97). Small (read at once, in a folder) and streamed alike.
    const half = '{"a":1}\n{"b":[1,2,';
    const rest = '3]}\n{"c":3}\n';
    for (const [inFolder, readSize] of [
      [true, 1 << 16],
      [false, 4],
    ] as const) {
      const path = join(dir, `half-line-at-open-${inFolder}.ndjson`);
      writeFileSync(path, half);
      utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
      const chunks: Buffer[] = [];
      const reading = readChunks(path, 0, readSize, undefined, () => appendFileSync(path, rest), inFolder);
      for await (const chunk of reading) chunks.push(Buffer.from(chunk));
      expect(Buffer.concat(chunks).toString()).toBe('{"a":1}\n{"b":[1,2,3]}\n');
    }
  });

  it('fails a file opened part way through a line that stops growing without ending it, two seconds on', async () => {
    // Taken as it was once it stopped growing for 200 ms, half a batch line was counted, exit 0,
    // when its writer paused 250 ms between writes (review hR102).
    const path = join(dir, 'line-never-ended.ndjson');
    writeFileSync(path, '{"a":1}\n{"b":');
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const started = Date.now();
    const reading = async () => {
      for await (const _ of readChunks(path, 0, 4, undefined, () => appendFileSync(path, '[1]}'))) {
        // Read to its end.
      }
    };
    await expect(reading()).rejects.toMatchObject({
      code: 'ECHANGED',
      message:
        'the file was being written while it was read, part way through a line not ended 2 s on: read it again once it is written',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('fails a file that goes on growing part way through a line, once followed for two seconds', async () => {
    // A writer that stays ahead of the reader and never ends its line was followed for as long as
    // it wrote: 6 GB read in 20 s (review hR100).
    const path = join(dir, 'line-growing-on.ndjson');
    writeFileSync(path, '{"a":1}\n{"b":"');
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    let writer: NodeJS.Timeout | undefined;
    const started = Date.now();
    let read = 0;
    const reading = async () => {
      const grow = () => {
        appendFileSync(path, 'x');
        writer = setInterval(() => appendFileSync(path, 'x'.repeat(1000)), 20);
      };
      for await (const chunk of readChunks(path, 0, 4096, undefined, grow)) read += chunk.length;
    };
    try {
      await expect(reading()).rejects.toMatchObject({
        code: 'ECHANGED',
        message:
          'the file was being written while it was read, part way through a line not ended 2 s on: read it again once it is written',
      });
    } finally {
      clearInterval(writer);
    }
    expect(Date.now() - started).toBeLessThan(5000);
    expect(read).toBeGreaterThan(15);
  });

  it('fails a file cut short while it reads on to the end of a line being written', async () => {
    const path = join(dir, 'cut-while-read-on.ndjson');
    writeFileSync(path, '{"a":1}\n{"b":');
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const opened = () => {
      appendFileSync(path, '[1,');
      setTimeout(() => truncateSync(path, 4), 50);
    };
    const reading = async () => {
      for await (const _ of readChunks(path, 0, 4, undefined, opened)) {
        // Read to its end.
      }
    };
    await expect(reading()).rejects.toMatchObject({
      code: 'ECHANGED',
      message: 'the file was cut short while it was read (from 16 to 4 bytes)',
    });
  });

  it('reads a file empty when opened as empty, whatever is appended after the open', async () => {
    // Its size 0 taken for a file of procfs (whose size says nothing), it was read on to its end:
    // an empty capture segment that replay's deliveries made longer was never done.
    const path = join(dir, 'empty-at-open.ndjson');
    writeFileSync(path, '');
    const chunks: Buffer[] = [];
    for await (const chunk of readChunks(path, 0, 64, undefined, () => appendFileSync(path, lines(5))))
      chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('');
  });

  it('is one `unreadable` when fix --write has marked the file as being rewritten, at the open or while it is read', async () => {
    // Read through the rewrite, a file grown by its repair was read part old, part new, exit 0:
    // replay delivered an event neither version holds.
    const path = join(dir, 'fixed-while-read.ndjson');
    const text = lines(200);
    writeFileSync(path, text);
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const marked =
      'cannot be read: the file is marked as being rewritten by fix --write (its .fix-in-progress mark is beside it, or beside its target if it is a symbolic link): read it once the rewrite is done; with none running, one was stopped part way: copy the backup the mark names, if it is still there, back over the file (with cp, which keeps its mode and hard links), then delete the mark';
    const during = await readWhile(path, () => {
      writeFileSync(`${path}.fix-in-progress`, `${path}.bak`);
      rewriteInPlace(path, lines(201, 'y'));
    });
    expect(during.problems).toEqual(stoppedAt(during.bytes, marked));
    expect(during.seen.length).toBeLessThan(200);
    const atOpen = await readWhile(path, () => {});
    expect(atOpen.problems).toEqual(stoppedAt(0, marked));
    expect(atOpen.seen).toEqual([]);
  });

  it('says of a mark that names no backup yet that the file was not changed, and to delete the mark if no fix runs', async () => {
    // fix --write marks the file before it backs it up: killed while backing up (the longest
    // step of a big file), it left an empty mark, and every reader said "read it once the rewrite
    // is done", of a rewrite that never began (review hR34).
    const path = join(dir, 'marked-not-begun.ndjson');
    writeFileSync(path, lines(20));
    writeFileSync(`${path}.fix-in-progress`, '');
    const { seen, problems } = await readWhile(path, () => {});
    expect(problems).toEqual(
      stoppedAt(
        0,
        'cannot be read: the file is marked as being rewritten by fix --write (its .fix-in-progress mark is beside it, or beside its target if it is a symbolic link, naming no backup yet: a fix --write is backing it up, or one was stopped before it changed the file): read it once that run is done, or, with none running, delete the mark',
      ),
    );
    expect(seen).toEqual([]);
  });
});

describe("callhook's own failure while reading", () => {
  it('surfaces, with or without an errno code, instead of being told as the source being unreadable', async () => {
    // Only an error out of the source says the source failed: a Node error our code raised (it
    // carries a code, as ERR_INVALID_ARG_TYPE does) ended the source as `unreadable`, hiding the bug.
    const { Readable } = await import('node:stream');
    const { ElementSplitter } = await import('./split.js');
    const file = join(dir, 'bug.json');
    writeFileSync(file, '{"a":1}\n');
    for (const bug of [
      new Error('invariant broken: a bug'),
      Object.assign(new TypeError('a bug with a code'), { code: 'ERR_INVALID_ARG_TYPE' }),
    ]) {
      const push = vi.spyOn(ElementSplitter.prototype, 'push').mockImplementation(() => {
        throw bug;
      });
      try {
        const stdin = Readable.from([Buffer.from('{"a":1}\n')]);
        const reading = (async () => {
          for await (const _ of readRecords(['-'], { stdin })) {
          }
        })();
        await expect(reading, bug.message).rejects.toBe(bug);
        await expect(recordsOf([file], false), bug.message).rejects.toBe(bug);
      } finally {
        push.mockRestore();
      }
    }
  });
});

describe('paths checked before anything is read', () => {
  it('refuses a folder holding a dangling or looping *.json symlink, naming it, with exit 2', async () => {
    const { mkdirSync, symlinkSync } = await import('node:fs');
    const { CallhookError } = await import('../errors.js');
    const { listSources } = await import('./read.js');
    for (const [name, target] of [
      ['dangling.json', 'nowhere.json'],
      ['loop.json', 'loop.json'],
    ] as const) {
      const folder = join(dir, `links-${name}`);
      mkdirSync(folder);
      writeFileSync(join(folder, 'a.json'), '{}');
      symlinkSync(target, join(folder, name));
      const error = await listSources([folder]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CallhookError);
      expect((error as InstanceType<typeof CallhookError>).exitCode).toBe(2);
      expect((error as Error).message).toContain(name);
    }
  });

  it('refuses a folder holding a *.json that is a named pipe or a socket, naming it, with exit 2 (no wait for a writer)', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdirSync } = await import('node:fs');
    const { CallhookError } = await import('../errors.js');
    const { listSources } = await import('./read.js');
    const pipes = join(dir, 'pipes');
    mkdirSync(pipes);
    writeFileSync(join(pipes, 'a.json'), '{}');
    execFileSync('mkfifo', [join(pipes, 'b.json')]);
    const sockets = join(dir, 'sockets');
    mkdirSync(sockets);
    writeFileSync(join(sockets, 'a.json'), '{}');
    makeSocket(sockets, 'b.json');
    for (const [folder, what] of [
      [pipes, 'a named pipe'],
      [sockets, 'a socket'],
    ] as const) {
      const error = await listSources([folder]).catch((e: unknown) => e);
      expect(error, what).toBeInstanceOf(CallhookError);
      expect((error as InstanceType<typeof CallhookError>).exitCode, what).toBe(2);
      expect((error as Error).message, what).toContain(`${join(folder, 'b.json')}: ${what}`);
    }
  });

  it('says a chain of more than 40 symbolic links is too many, not that it loops, as none does', async () => {
    // `a symbolic link that loops` was said of 41 links leading to a file (red team hF58).
    const { mkdirSync, symlinkSync } = await import('node:fs');
    const { listSources } = await import('./read.js');
    const folder = join(dir, 'long-chain');
    mkdirSync(folder);
    writeFileSync(join(folder, 'end.json'), '{}');
    for (let n = 0; n <= 40; n++) symlinkSync(n === 0 ? 'end.json' : `${n - 1}.link`, join(folder, `${n}.link`));
    const head = join(folder, '40.link');
    const error = await listSources([head]).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`${head}: too many symbolic links (a loop, or more than 40)`);
    // One fewer is followed to its file.
    expect((await listSources([join(folder, '39.link')])).map((source) => source.name)).toEqual([
      join(folder, '39.link'),
    ]);
  });

  it('refuses a socket named on its own, with exit 2, before any file is read', async () => {
    // `replay sock.json one.ndjson` sent one.ndjson's batches, then said `sock.json:1:1: cannot be
    // read: no such device or address` (exit 2): a socket can never be opened, so it is a mistake
    // to say at once, as every path's (red team hF58).
    const { mkdirSync } = await import('node:fs');
    const { CallhookError } = await import('../errors.js');
    const { listSources } = await import('./read.js');
    const folder = join(dir, 'named-socket');
    mkdirSync(folder);
    writeFileSync(join(folder, 'one.ndjson'), '{}\n');
    makeSocket(folder, 'sock.json');
    const socket = join(folder, 'sock.json');
    for (const paths of [
      [socket, join(folder, 'one.ndjson')],
      [join(folder, 'one.ndjson'), socket],
    ]) {
      const error = await listSources(paths).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CallhookError);
      expect((error as InstanceType<typeof CallhookError>).exitCode).toBe(2);
      expect((error as Error).message).toBe(`${socket}: a socket, not a file or a named pipe: it cannot be read`);
    }
  });

  it('fails a file of a folder that became a named pipe or a socket since the folder was listed, rather than wait for a writer for ever', async () => {
    // The check was made only as the folder was walked: a *.json swapped for a FIFO before its
    // turn was opened as a stream, and the run hung (red team hT77).
    const { execFileSync } = await import('node:child_process');
    const { mkdirSync, rmSync } = await import('node:fs');
    for (const what of ['a named pipe', 'a socket'] as const) {
      const folder = join(dir, `swapped-${what.slice(2, 7)}`);
      mkdirSync(folder);
      writeFileSync(join(folder, 'a.json'), '{"a": 1}\n');
      writeFileSync(join(folder, 'b.json'), '{"b": 2}\n');
      writeFileSync(join(folder, 'c.json'), '{"c": 3}\n');
      const seen: string[] = [];
      for await (const records of readRecords([folder], { warnings: false })) {
        for (const record of records) {
          if (record.kind === 'problem') seen.push(`${record.problem.code} ${record.problem.message}`);
          if (record.kind !== 'event' && record.kind !== 'invalid') continue;
          seen.push(record.element.file);
          if (record.element.file.endsWith('a.json')) {
            rmSync(join(folder, 'b.json'));
            if (what === 'a named pipe') execFileSync('mkfifo', [join(folder, 'b.json')]);
            else makeSocket(folder, 'b.json');
          }
        }
      }
      expect(seen, what).toEqual([
        join(folder, 'a.json'),
        `unreadable cannot be read: ${what}, not a regular file; in a folder only regular files are read`,
        join(folder, 'c.json'),
      ]);
    }
  });

  it.skipIf(spawnSync('python3', ['-c', 'import fcntl; fcntl.F_SETLEASE']).status !== 0)(
    "reads a folder's file under another's write lease once it is let go, as a file named is read",
    async () => {
      // Opened without waiting (O_NONBLOCK), a file under a lease (Samba's oplocks, an NFS
      // server's delegations) failed with EAGAIN, where it used to be read (review hR68).
      const { mkdirSync } = await import('node:fs');
      const folder = join(dir, 'leased');
      mkdirSync(folder);
      const file = join(folder, 'a.json');
      writeFileSync(file, '{"a": 1}\n');
      const holder = spawn('python3', [
        '-c',
        `import fcntl, os, signal, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
signal.signal(signal.SIGIO, lambda *_: (time.sleep(0.2), fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)))
fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
print('leased', flush=True)
time.sleep(10)`,
        file,
      ]);
      try {
        await new Promise((resolve) => holder.stdout.once('data', resolve));
        const seen: string[] = [];
        for await (const records of readRecords([folder], { warnings: false })) {
          for (const record of records) {
            if (record.kind === 'problem') seen.push(record.problem.message);
            if (record.kind === 'invalid' || record.kind === 'event') seen.push(record.element.text);
          }
        }
        expect(seen).toEqual(['{"a": 1}']);
      } finally {
        holder.kill();
      }
    },
  );

  it("skips what macOS leaves beside files: `._x.json` resource forks and a zip's __MACOSX folder, as hidden ones", async () => {
    // Read as input, a `._a.json` (binary, under a.json's extension) failed validate, summarise and
    // fix --write of a folder of valid exports copied from a USB stick or a Finder zip (red team hT30).
    const { mkdirSync } = await import('node:fs');
    const { listSources } = await import('./read.js');
    const folder = join(dir, 'from-a-mac');
    mkdirSync(join(folder, '__MACOSX'), { recursive: true });
    writeFileSync(join(folder, 'a.json'), '[]');
    writeFileSync(join(folder, '._a.json'), Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]));
    writeFileSync(join(folder, '.hidden.json'), '[]');
    writeFileSync(join(folder, '__MACOSX', '._a.json'), Buffer.from([0, 5, 22, 7]));
    expect((await listSources([folder])).map((source) => source.name)).toEqual([join(folder, 'a.json')]);
    // Named on its own, a hidden file is read as any file named.
    expect((await listSources([join(folder, '.hidden.json')])).map((source) => source.name)).toEqual([
      join(folder, '.hidden.json'),
    ]);
  });

  it("names each of a folder's compressed files and archives in one warning, once, with how to read it; reads every extension in any case", async () => {
    // `validate exp` said "valid 1 file, 30 events" of a folder holding two .ndjson.gz exports
    // more, and exited 0: 100 of 130 events unread without a word (red team hF58).
    const { mkdirSync } = await import('node:fs');
    const { CallhookError } = await import('../errors.js');
    const { listSources } = await import('./read.js');
    const folder = join(dir, 'compressed');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    for (const name of [
      'a.ndjson',
      'b.JSON',
      'c.ndjson.gz',
      'd.json.GZ',
      'e.zip',
      'f.tgz',
      'notes.txt',
      '.g.json.gz',
    ]) {
      writeFileSync(join(folder, name), '[]');
    }
    for (const name of ['h.jsonl.bz2', 'i.json.xz', 'j.json.zst', 'k.tar.gz', 'l.tar.bz2', 'm.tar.xz', 'n.tar.zst'])
      writeFileSync(join(folder, 'sub', name), '');
    const warnings: [string, string[]][] = [];
    const sources = await listSources([folder, folder], (message, names) => warnings.push([message, names]));
    expect(sources.map((source) => source.name)).toEqual([join(folder, 'a.ndjson'), join(folder, 'b.JSON')]);
    const skipped = (name: string, tool: string) => [
      `${join(folder, name)}: compressed, so skipped: read it through ${tool}, as stdin (${tool} FILE | callhook … -)`,
      [join(folder, name), `${tool} FILE | callhook … -`],
    ];
    expect(warnings).toEqual([
      skipped('c.ndjson.gz', 'gunzip -c'),
      skipped('d.json.GZ', 'gunzip -c'),
      skipped('e.zip', 'unzip -p'),
      skipped('f.tgz', 'tar -xzOf'),
      skipped(join('sub', 'h.jsonl.bz2'), 'bunzip2 -c'),
      skipped(join('sub', 'i.json.xz'), 'xz -dc'),
      skipped(join('sub', 'j.json.zst'), 'zstd -dc'),
      skipped(join('sub', 'k.tar.gz'), 'tar -xzOf'),
      // Not bunzip2 -c and the like, which would hand on tar's bytes (review hR68).
      skipped(join('sub', 'l.tar.bz2'), 'tar -xjOf'),
      skipped(join('sub', 'm.tar.xz'), 'tar -xJOf'),
      skipped(join('sub', 'n.tar.zst'), 'tar -I zstd -xOf'),
      [`${folder} is named twice; read once`, [folder]],
    ]);
    // A folder holding only compressed files names them, and says why nothing is read.
    const only = join(folder, 'sub');
    warnings.length = 0;
    const error = await listSources([only], (message, names) => warnings.push([message, names])).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CallhookError);
    expect((error as InstanceType<typeof CallhookError>).exitCode).toBe(2);
    expect((error as Error).message).toBe(
      `${only}: no .json, .ndjson or .jsonl files in this folder, only 7 compressed files or archives, which are not read`,
    );
    expect(warnings.map(([, names]) => names[0])).toEqual(
      ['h.jsonl.bz2', 'i.json.xz', 'j.json.zst', 'k.tar.gz', 'l.tar.bz2', 'm.tar.xz', 'n.tar.zst'].map((name) =>
        join(only, name),
      ),
    );
  });

  it("names a folder's .7z, .rar, .lz4, .br, .tzst and .tar.lz4 files too, each with the program that writes what it holds to stdout", async () => {
    // Each was passed over without a word, as the .gz were before (review hF61).
    const { mkdirSync } = await import('node:fs');
    const { listSources } = await import('./read.js');
    const folder = join(dir, 'compressed-more');
    mkdirSync(folder);
    const tools = {
      'a.json.7z': '7z e -so',
      'b.ndjson.rar': 'unrar p -inul',
      'c.ndjson.lz4': 'lz4 -dc',
      'd.json.br': 'brotli -dc',
      'e.tzst': 'tar -I zstd -xOf',
      // Not lz4 -dc, which would hand on tar's bytes.
      'f.tar.lz4': 'tar -I lz4 -xOf',
      'g.JSON.BR': 'brotli -dc',
    };
    writeFileSync(join(folder, 'x.json'), '[]');
    for (const name of Object.keys(tools)) writeFileSync(join(folder, name), '');
    const warnings: string[] = [];
    await listSources([folder], (message) => warnings.push(message));
    expect(warnings).toEqual(
      Object.entries(tools).map(
        ([name, tool]) =>
          `${join(folder, name)}: compressed, so skipped: read it through ${tool}, as stdin (${tool} FILE | callhook … -)`,
      ),
    );
  });

  it('names a compressed file reached again by another name of a folder (a symlink to it) in no second warning', async () => {
    // `validate exports exports-link` warned of day2.ndjson.gz under both names, beside the one
    // warning for the folder named again, and counted 3 warnings (red team hR101 F6).
    const { symlinkSync } = await import('node:fs');
    const { listSources } = await import('./read.js');
    const folder = mkdtempSync(join(dir, 'compressed-linked-'));
    writeFileSync(join(folder, 'a.json'), '[]');
    writeFileSync(join(folder, 'day2.ndjson.gz'), '');
    symlinkSync(folder, `${folder}-link`);
    const warnings: string[] = [];
    await listSources([folder, `${folder}-link`], (message) => warnings.push(message));
    expect(warnings).toEqual([
      `${join(folder, 'day2.ndjson.gz')}: compressed, so skipped: read it through gunzip -c, as stdin (gunzip -c FILE | callhook … -)`,
      `${folder}-link holds only files named already (through ${folder}); read once`,
    ]);
  });

  it('says a listen capture has no accepted delivery, in words true whether it refused any or received none', async () => {
    // "no .json, .ndjson or .jsonl files in this folder" was all a user saw for the folder of a
    // listen whose deliveries were all refused (a wrong secret: every one a 401, kept as .body).
    const { mkdirSync } = await import('node:fs');
    const { CallhookError } = await import('../errors.js');
    const { listSources } = await import('./read.js');
    // A listen that received nothing leaves its log alone: it was told of refused bodies it never had.
    const refused = join(dir, 'refused-capture');
    const untouched = join(dir, 'untouched-capture');
    for (const capture of [refused, untouched]) {
      mkdirSync(capture);
      writeFileSync(join(capture, 'deliveries.meta'), capture === refused ? '{}\n' : '');
    }
    writeFileSync(join(refused, '000001.body'), '[]');
    for (const capture of [refused, untouched]) {
      const error = await listSources([capture]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CallhookError);
      expect((error as InstanceType<typeof CallhookError>).exitCode).toBe(2);
      expect((error as Error).message).toBe(
        `${capture}: a listen capture with no accepted delivery (a body listen refused is kept as a .body file, which is not read as an event)`,
      );
    }
  });

  it('says a folder deleted while it is open was deleted, not that it holds no event files', async () => {
    // `validate .` in a shell whose folder another window removed said "no .json, .ndjson or
    // .jsonl files in this folder" (red team hR125). Held open here as the shell holds it.
    const { CallhookError } = await import('../errors.js');
    const { listSources } = await import('./read.js');
    const gone = join(dir, 'deleted-folder');
    mkdirSync(gone);
    writeFileSync(join(gone, 'a.json'), '[]');
    const fd = openSync(gone, 'r');
    try {
      rmSync(gone, { recursive: true });
      const path = `/proc/self/fd/${fd}`;
      const error = await listSources([path]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CallhookError);
      expect((error as InstanceType<typeof CallhookError>).exitCode).toBe(2);
      expect((error as Error).message).toBe(
        `${path}: this folder no longer exists (it was deleted); cd to one that does`,
      );
    } finally {
      closeSync(fd);
    }
  });

  it('gives one error for a file that is not text, even without a NUL byte', async () => {
    const bytes = Buffer.alloc(3000);
    let seed = 7;
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = 1 + (seed % 255);
    }
    const path = join(dir, 'random.json');
    writeFileSync(path, bytes);
    const problems: string[] = [];
    for await (const records of readRecords([path])) {
      for (const record of records) {
        if (record.kind === 'problem') problems.push(record.problem.code);
        if (record.kind === 'invalid') problems.push(...record.problems.map((p) => p.code));
      }
    }
    expect(problems).toEqual(['binary']);
  });

  it('reads no event of a file with a NUL or binary data in its first 4 KiB, however its slices fall (a long line after a short one)', async () => {
    // The first slice ended at the first line break before 1 KiB, and its event was handed on
    // before the NUL after it refused the file: show, summarise and replay read the event that
    // validate did not (helper-155).
    const event =
      '{"time":"2022-09-01T00:00:00.000Z","phone":"61491577426","type":"inbound","campaignId":"31e6080f-1566-47d5-b6ba-c53d7a0ad947"}';
    const path = join(dir, 'nul-in-head.json');
    // A NUL in a string, and a PNG's signature and bytes after a line of text.
    const bytes = Buffer.from(Array.from({ length: 1500 }, (_, i) => (i % 2 === 0 ? 0xfe : 0x01)));
    const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), bytes]);
    for (const [head, size] of [
      [Buffer.from(`[\n${event},\n{"note":"\0`), 1025],
      [Buffer.from(`[\n${event},\n{"note":"\0`), 3000],
      [Buffer.from(`[\n${event},\n{"note":"\0`), 4096],
      [Buffer.concat([Buffer.from(`[\n${event},\n`), png]), 2000],
    ] as const) {
      writeFileSync(path, Buffer.concat([head, Buffer.alloc(size - head.length, 'x')]));
      for (const warnings of [true, false]) {
        const kinds: string[] = [];
        for await (const records of readRecords([path], { warnings })) {
          for (const record of records) {
            if (record.kind === 'problem') kinds.push(record.problem.code);
            else if (record.kind !== 'file-start' && record.kind !== 'file-end') kinds.push(record.kind);
          }
        }
        expect(kinds, `${size} bytes, warnings ${warnings}`).toEqual(['binary']);
      }
    }
  });
});

describe('a folder listed', () => {
  it('gives the files listen numbers in the order of their numbers, past 999999 too, and the others in name order', async () => {
    // listen pads its numbers to 6 digits: by name, `1000000.json` came before `999999.json`, so
    // replay sent the first delivery last and took the later copy of an event for the first.
    const { mkdirSync } = await import('node:fs');
    const { listSources } = await import('./read.js');
    const folder = join(dir, 'numbered');
    mkdirSync(folder);
    const names = ['b.json', '1000001.ndjson', '999999.json', '10.json', 'a.jsonl', '1000000.json', '9.json'];
    for (const name of names) writeFileSync(join(folder, name), '[]');
    expect((await listSources([folder])).map((source) => source.name)).toEqual(
      ['9.json', '10.json', '999999.json', '1000000.json', '1000001.ndjson', 'a.jsonl', 'b.json'].map((name) =>
        join(folder, name),
      ),
    );
  });
});

describe('a folder listed, its names numbered in any case and with any ending read', () => {
  it('gives `9.JSON` before `10.JSON`, and `9.jsonl` before `10.jsonl`, as `9.json` before `10.json`', async () => {
    // The order by number held for `.json` alone: `10.JSON` came before `9.JSON` (red team hF58).
    const { mkdirSync } = await import('node:fs');
    const { listSources } = await import('./read.js');
    const folder = join(dir, 'numbered-any-case');
    mkdirSync(folder);
    const names = ['10.jsonl', '10.JSON', '9.jsonl', '2.Json', '9.JSON', '10.json', '100.NDJSON'];
    for (const name of names) writeFileSync(join(folder, name), '[]');
    expect((await listSources([folder])).map((source) => source.name)).toEqual(
      ['2.Json', '9.JSON', '9.jsonl', '10.JSON', '10.json', '10.jsonl', '100.NDJSON'].map((name) => join(folder, name)),
    );
  });
});

describe('amongSources', () => {
  it('tells whether a file, existing or not, is or would be read as one of the sources the paths name', async () => {
    const { linkSync, mkdirSync, symlinkSync } = await import('node:fs');
    const { amongSources } = await import('./read.js');
    const folder = join(dir, 'among');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    mkdirSync(join(folder, '.hidden'));
    mkdirSync(join(folder, 'node_modules'));
    writeFileSync(join(folder, 'a.json'), '{}');
    writeFileSync(join(folder, 'sub', 'b.ndjson'), '{}');
    // Hard links: another name of an input is that input (replay's --report emptied it in place).
    linkSync(join(folder, 'a.json'), join(dir, 'report-a.json'));
    linkSync(join(folder, 'sub', 'b.ndjson'), join(dir, 'report-b.log'));
    writeFileSync(join(dir, 'other.json'), '{}');
    linkSync(join(dir, 'other.json'), join(dir, 'other-link.json'));
    // A symlink to a folder within the input, and a path back up from it (spelt out: join() would
    // take `..` as text): the file opened is beside the target, in the input.
    symlinkSync(join(folder, 'sub'), join(dir, 'to-sub'));
    const cases: [string[], string, 'read' | 'linked' | undefined][] = [
      [[folder], join(folder, 'run.jsonl'), 'read'],
      [[folder], join(folder, 'sub', 'report.JSON'), 'read'],
      [[folder], join(folder, 'sub', '..', 'x.ndjson'), 'read'],
      [[folder], join(folder, 'run.log'), undefined],
      [[folder], join(folder, '.hidden', 'run.jsonl'), undefined],
      [[folder], join(folder, 'node_modules', 'run.jsonl'), undefined],
      [[folder], join(dir, 'run.jsonl'), undefined],
      [[join(folder, 'a.json')], join(folder, 'a.json'), 'read'],
      [[join(folder, 'a.json')], join(folder, 'b.json'), undefined],
      [['-'], join(folder, 'a.json'), undefined],
      [[folder], join(dir, 'report-a.json'), 'linked'],
      [[folder], join(dir, 'report-b.log'), 'linked'],
      [[join(folder, 'a.json')], join(dir, 'report-a.json'), 'linked'],
      [[join(folder, 'sub', 'b.ndjson')], join(dir, 'report-a.json'), undefined],
      [[folder], join(dir, 'other-link.json'), undefined],
      [[folder], `${dir}/to-sub/../run.jsonl`, 'read'],
      [[join(folder, 'a.json')], `${dir}/to-sub/../a.json`, 'read'],
      [[`${dir}/to-sub/../a.json`], join(folder, 'a.json'), 'read'],
    ];
    for (const [paths, candidate, expected] of cases) {
      expect({ candidate, among: await amongSources(paths, candidate) }).toEqual({ candidate, among: expected });
    }
  });
});

describe('a folder named through a symlink and back up (link/..)', () => {
  it('lists and reads the files of the folder the system reaches, not of the one join() would name', async () => {
    // `validate link/../data` listed there/data and then opened here/data/<name>: no such file,
    // or another folder's file of the same name (helper-194's `..` after a symlink).
    const { mkdirSync, symlinkSync } = await import('node:fs');
    const { listSources } = await import('./read.js');
    const top = mkdtempSync(join(dir, 'upward-'));
    mkdirSync(join(top, 'there', 'inner'), { recursive: true });
    mkdirSync(join(top, 'there', 'data'));
    mkdirSync(join(top, 'here', 'data'), { recursive: true });
    symlinkSync(join(top, 'there', 'inner'), join(top, 'here', 'link'));
    writeFileSync(join(top, 'there', 'data', 'a.json'), readFileSync(join('fixtures', 'valid', 'bare-types.json')));
    writeFileSync(join(top, 'here', 'data', 'a.json'), '[]');
    const sources = await listSources([`${top}/here/link/../data`]);
    expect(sources.map((source) => source.name)).toEqual([join(top, 'there', 'data', 'a.json')]);
    let events = 0;
    for await (const records of readRecords([`${top}/here/link/../data`])) {
      for (const record of records) if (record.kind === 'event') events++;
    }
    expect(events).toBe(4);
    // Without a symlink before it, `..` is kept as given.
    expect((await listSources([`${top}/here/data/../data`])).map((source) => source.name)).toEqual([
      join(top, 'here', 'data', 'a.json'),
    ]);
  });
});

describe('an element that is not UTF-8', () => {
  it('is placed at its first bad byte (line, UTF-16 column, offset), not at the element', async () => {
    const line2 = Buffer.concat([
      Buffer.from('{"name": "Zo\u00eb \u{1F600} T'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('m"}'),
    ]);
    const pretty = Buffer.concat([
      Buffer.from('[\n  {\n    "a": "\u00e9",\n    "b": "x'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"\n  }\n]\n'),
    ]);
    const cases: [string, Buffer, { line: number; column: number; offset: number }][] = [
      [
        'ndjson',
        Buffer.concat([Buffer.from('{"a": 1}\n'), line2, Buffer.from('\n{"b": 2}\n')]),
        { line: 2, column: 19, offset: 30 },
      ],
      ['pretty', pretty, { line: 4, column: 12, offset: 32 }],
    ];
    for (const [name, bytes, at] of cases) {
      const path = join(dir, `not-utf8-${name}.json`);
      writeFileSync(path, bytes);
      const problems: unknown[] = [];
      for await (const records of readRecords([path])) {
        for (const record of records) {
          if (record.kind === 'invalid' && record.problems[0]?.code === 'invalid-utf8')
            problems.push(...record.problems.map(({ line, column, offset, code }) => ({ line, column, offset, code })));
        }
      }
      expect({ name, problems }).toEqual({ name, problems: [{ ...at, code: 'invalid-utf8' }] });
    }
  });
});

describe('a key given twice', () => {
  it("is quoted as every message quotes payload text: a line break as \\u000a, not as JSON's \\n", async () => {
    // The duplicate's warning showed "x\x5cny" beside "x\u000ay" in the next message.
    const path = join(dir, 'duplicate-newline-key.json');
    writeFileSync(path, '{"x\\ny": 1, "x\\ny": 2}');
    const messages: string[] = [];
    for await (const records of readRecords([path])) {
      for (const record of records) {
        if (record.kind === 'invalid') messages.push(...record.problems.map((problem) => problem.message));
      }
    }
    expect(messages.find((message) => message.includes('given'))).toMatch(/^"x\\u000ay" given twice/);
  });

  it('is quoted by its first 40 characters, however long: one warning was 2 MB for a key of 1 MB', async () => {
    const key = 'k'.repeat(1_000_000);
    const path = join(dir, 'duplicate-long-key.json');
    writeFileSync(path, `{"${key}": 1, "${key}": 2, "status": "x"}`);
    const messages: string[] = [];
    for await (const records of readRecords([path])) {
      for (const record of records) {
        if (record.kind === 'invalid') messages.push(...record.problems.map((problem) => problem.message));
      }
    }
    const warning = messages.find((message) => message.includes('given twice'));
    expect(warning).toBe(
      `"${'k'.repeat(40)}…" given twice: parsers keep only the last; first given at line 1, column 2`,
    );
  });
});

/** Each problem of a file `name` holding `text`, in elements and between them, as `code line:column pointer` or as `show` says. */
async function problemsOf(
  name: string,
  text: string,
  show = (p: Problem) => `${p.code} ${p.line}:${p.column} ${p.pointer}`,
): Promise<string[]> {
  const path = join(dir, name);
  writeFileSync(path, text);
  const listed: string[] = [];
  for await (const records of readRecords([path])) {
    for (const record of records) {
      const problems = record.kind === 'problem' ? [record.problem] : 'problems' in record ? record.problems : [];
      for (const p of problems) listed.push(show(p));
    }
  }
  return listed;
}

describe('a number written with a leading zero', () => {
  it('is said to be one, with no repair, not a missing comma: fix made [0123] two numbers, [0,123], and exited 0', async () => {
    // jsonc-parser reads `0123` as `0` and `123`, and expects a comma between them (red team hT76).
    const show = (p: Problem) => `${p.code} ${p.line}:${p.column} ${p.message}${p.repair ? ' (repair)' : ''}`;
    const cases: [string, string][] = [
      ['{"phone":0491573087}\n', '"0491573087"'],
      ['{"codes":[0123]}\n', '"0123"'],
      ['{"n":-01.5}\n', '"-01.5"'],
      ['{"n":00}\n', '"00"'],
    ];
    for (const [text, quoted] of cases) {
      const at = text.indexOf(':') + (text.includes('[') ? 3 : 2);
      expect(await problemsOf('leading-zero.json', text, show)).toEqual([
        `syntax 1:${at} a number cannot begin with 0: put a phone number or an id in quotes (${quoted}), or leave out the 0`,
      ]);
    }
    // An element that is one, in a batch or on a line of NDJSON (review hR67).
    expect(await problemsOf('leading-zero-element.json', '[{"a": 1}, 0123]\n', show)).toEqual([
      'unknown-shape 1:2 cannot tell the event type from keys "a"',
      'syntax 1:12 a number cannot begin with 0: put a phone number or an id in quotes ("0123"), or leave out the 0',
    ]);
    expect(await problemsOf('leading-zero-line.ndjson', '{"a": 1}\n-00\n', show)).toEqual([
      'unknown-shape 1:1 cannot tell the event type from keys "a"',
      'syntax 2:1 a number cannot begin with 0: put a phone number or an id in quotes ("-00"), or leave out the 0',
    ]);
    // A 0 and a number apart are two values, a comma missing between them, as before.
    expect(await problemsOf('zero-apart.json', '{"codes":[0 123]}\n', show)).toEqual([
      'missing-comma 1:12 missing comma between array elements (repair)',
    ]);
  });
});

describe('an invalid escape in a string', () => {
  it('is placed at its backslash and quoted, not at the start of the string', async () => {
    // Placed at the string's opening quote and quoting its first 20 characters, an escape deep in a
    // long transcript could not be found from what was printed.
    const long = 'word '.repeat(40);
    const cases: [string, string][] = [
      [`{"note":"${long}\\q end"}\n`, `syntax 1:${10 + long.length} invalid escape \\q in a string`],
      [`{"note":"${long}\\\\q \\x41"}\n`, `syntax 1:${14 + long.length} invalid escape \\x in a string`],
      [`{"note":"ab\\u12G4"}\n`, 'syntax 1:12 invalid \\u escape \\u12G4 in a string'],
      // What the string holds of it, not its closing quote.
      [`{"note":"ab\\u12"}\n`, 'syntax 1:12 invalid \\u escape \\u12 in a string'],
      // The character after the backslash quoted whole, not half an emoji's UTF-16 pair.
      [`{"note":"ab\\😀"}\n`, 'syntax 1:12 invalid escape \\😀 in a string'],
    ];
    const show = (p: Problem) =>
      `${p.code} ${p.line}:${p.column} ${p.message.replace(/ in a string.*/, ' in a string')}`;
    for (const [index, [text, expected]] of cases.entries()) {
      expect(await problemsOf(`escape-${index}.ndjson`, text, show), text.slice(-20)).toEqual([expected]);
    }
  });
});

describe('a raw control character in a string', () => {
  it('is named and placed at itself (UTF-16 column, byte offset), however many astral characters precede it', async () => {
    // The index was counted in code points and used in UTF-16 units: after an emoji it named
    // the emoji's low surrogate (`U+DE00`) one column early, and the frame split the emoji.
    const cases: [string, { line: number; column: number; offset: number; message: string }][] = [
      ['{"a":"\u{1F600}\t"}\n', { line: 1, column: 9, offset: 10, message: 'U+0009' }],
      ['{"a":"\u{1F600}x\u{1F601}\u0001"}\n', { line: 1, column: 12, offset: 15, message: 'U+0001' }],
      ['[\r\n{"a": "\u00e9\u{1F600}\u001f"}]\n', { line: 2, column: 11, offset: 16, message: 'U+001F' }],
    ];
    for (const [index, [text, at]] of cases.entries()) {
      const path = join(dir, `control-${index}.json`);
      writeFileSync(path, text);
      const problems: unknown[] = [];
      for await (const records of readRecords([path])) {
        for (const record of records) {
          if (record.kind !== 'invalid') continue;
          for (const { line, column, offset, code, message } of record.problems) {
            if (code === 'control-character')
              problems.push({ line, column, offset, message: /U\+[0-9A-F]{4}/.exec(message)?.[0] });
          }
        }
      }
      expect({ text, problems }).toEqual({ text, problems: [at] });
    }
  });
  it('leaves the error right after it listed: a missing comma or colon is no knock-on of a string read whole', async () => {
    // jsonc-parser reads the string to its end and reports the comma missing after it; taken for a
    // knock-on of the control character, it went unlisted until the tab was replaced.
    const cases: [string, string[]][] = [
      ['[\n  {"a":"x\ty" "b":1, "c":2,}\n]\n', ['control-character 2:10', 'missing-comma 2:13', 'trailing-comma 2:26']],
      ['[\n  {"a\tq" 1, "b":2}\n]\n', ['control-character 2:6', 'missing-colon 2:9']],
      ['[\n  {"a":"x\u0001y" "b":1}\n]\n', ['control-character 2:10', 'missing-comma 2:13']],
      ['[\n  ["x\ty" "z"]\n]\n', ['control-character 2:6', 'missing-comma 2:9']],
    ];
    for (const [index, [text, expected]] of cases.entries()) {
      const path = join(dir, `control-then-${index}.json`);
      writeFileSync(path, text);
      const found: string[] = [];
      for await (const records of readRecords([path])) {
        for (const record of records) {
          if (record.kind === 'invalid')
            found.push(...record.problems.map(({ code, line, column }) => `${code} ${line}:${column}`));
        }
      }
      expect({ text, found }).toEqual({ text, found: expected });
    }
  });
});

describe('a number a schema message quotes', () => {
  it('is quoted as the file writes it, not as JavaScript prints the parsed number', async () => {
    // `preview` printed String(value): 1e400 as Infinity, -0 as 0, a 30-digit id rounded, 1.0 as 1,
    // so the quoted value was nowhere in the file. A key given twice is quoted as its last copy.
    const path = join(dir, 'numbers-as-written.ndjson');
    const event =
      '{"id":1e400,"eventType":"SMSSent","createdAt":-0,"data":{"correlationId":123456789012345678901234567890,' +
      '"campaignId":1.0,"from":-1e-400,"to":2.50,"to":61491570737,"message":"hi","time":"2022-09-01T00:00:00Z"}}';
    writeFileSync(path, `${event}\n{"eventType":1E+2,"data":{}}\n`);
    const messages: string[] = [];
    for await (const records of readRecords([path])) {
      for (const record of records) {
        if (record.kind === 'invalid') messages.push(...record.problems.map((problem) => problem.message));
      }
    }
    expect(messages.map((message) => message.replace(/;.*/, ''))).toEqual([
      '"id": expected string, received number 1e400',
      '"createdAt": expected string, received number -0',
      '"correlationId": expected string, received number 123456789012345678901234567890',
      '"campaignId": expected string, received number 1.0',
      '"from": expected string, received number -1e-400',
      '"to" given twice: parsers keep only the last',
      '"to": expected string, received number 61491570737',
      'unknown eventType 1E+2',
    ]);
  });
});

describe('firstNonUtf8Byte', () => {
  it('agrees with the UTF-8 check: -1 exactly for UTF-8, else the end of the longest well-formed prefix', async () => {
    const { isUtf8 } = await import('node:buffer');
    const { firstNonUtf8Byte } = await import('./element.js');
    const byte = fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0xff }),
      fc.constantFrom(0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0x80, 0xbf),
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 10 }), (values) => {
        const bytes = Buffer.from(values);
        const at = firstNonUtf8Byte(bytes);
        if (isUtf8(bytes)) return at === -1;
        if (at < 0 || !isUtf8(bytes.subarray(0, at))) return false;
        // No well-formed character (1 to 4 bytes) starts at `at`.
        for (let k = 1; k <= 4 && at + k <= bytes.length; k++) if (isUtf8(bytes.subarray(at, at + k))) return false;
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe('stdin named twice', () => {
  it('is refused (exit 2) rather than read as a second, empty input', async () => {
    const { CallhookError } = await import('../errors.js');
    const { listSources } = await import('./read.js');
    for (const paths of [
      ['-', '-'],
      ['-', '-', '-'],
    ]) {
      const error = await listSources(paths).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CallhookError);
      expect((error as InstanceType<typeof CallhookError>).exitCode).toBe(2);
      expect((error as Error).message).toBe('-: stdin is named twice, and can be read only once');
    }
  });
});

describe('a file named more than once', () => {
  it('is listed once, by its first name, with one warning naming where else it was named (by path, folder or symlink)', async () => {
    const { listSources } = await import('./read.js');
    const { symlinkSync } = await import('node:fs');
    const folder = mkdtempSync(join(dir, 'named-twice-'));
    const [a, b, alias] = [join(folder, 'a.json'), join(folder, 'b.json'), `${folder}-alias.json`];
    writeFileSync(a, '[]');
    writeFileSync(b, '[]');
    symlinkSync(a, alias);
    const listed = async (paths: string[]) => {
      const warnings: string[] = [];
      const names = (await listSources(paths, (message) => warnings.push(message))).map((s) => s.name);
      return { names, warnings };
    };
    expect(await listed([a, a])).toEqual({ names: [a], warnings: [`${a} is named twice; read once`] });
    expect(await listed([folder, b])).toEqual({
      names: [a, b],
      warnings: [`${b} is named twice (also as ${folder}); read once`],
    });
    expect(await listed([b, folder])).toEqual({
      names: [b, a],
      warnings: [`${b} is named twice (also as ${folder}); read once`],
    });
    expect(await listed([a, alias])).toEqual({
      names: [a],
      warnings: [`${alias} is the same file as ${a}; read once`],
    });
    expect(await listed([folder, folder])).toEqual({
      names: [a, b],
      warnings: [`${folder} is named twice; read once`],
    });
    // A folder named once, whose files were each named before it: the folder was not named twice.
    expect(await listed([a, b, folder])).toEqual({
      names: [a, b],
      warnings: [`${folder} holds only files named already (through ${a}, ${b}); read once`],
    });
    expect(await listed([folder, alias, b])).toEqual({
      names: [a, b],
      warnings: [`${alias} is the same file as ${a}; read once`, `${b} is named twice (also as ${folder}); read once`],
    });
    // A folder whose every file was named already by other names (a symlink to a folder named
    // before, one file linked from another) is one warning, as a folder named twice is, not one
    // a file.
    const [links, other] = [mkdtempSync(join(dir, 'links-')), mkdtempSync(join(dir, 'other-'))];
    writeFileSync(join(other, 't.json'), '[]');
    symlinkSync(join(other, 't.json'), join(links, 'l.json'));
    expect(await listed([links, other])).toEqual({
      names: [join(links, 'l.json')],
      warnings: [`${other} holds only files named already (through ${links}); read once`],
    });
    symlinkSync(folder, `${folder}-link`);
    expect(await listed([folder, `${folder}-link`])).toEqual({
      names: [a, b],
      warnings: [`${folder}-link holds only files named already (through ${folder}); read once`],
    });
    expect(await listed([a, b, `${folder}-link`])).toEqual({
      names: [a, b],
      warnings: [`${folder}-link holds only files named already (through ${a}, ${b}); read once`],
    });
    // Some of its files new: each file read before is named, not the folder.
    writeFileSync(join(links, 'n.json'), '[]');
    expect(await listed([other, links])).toEqual({
      names: [join(other, 't.json'), join(links, 'n.json')],
      warnings: [`${join(links, 'l.json')} is the same file as ${join(other, 't.json')}; read once`],
    });
  });

  it('is listed once when one folder reaches it by two names (a symlink, a hard link), also below it', async () => {
    // summarise of a folder with `latest.json -> export.json` counted every event twice, and
    // replay sent each batch twice: files of one path given were compared only with earlier paths'.
    const { listSources } = await import('./read.js');
    const { linkSync, mkdirSync, symlinkSync } = await import('node:fs');
    const folder = mkdtempSync(join(dir, 'one-folder-'));
    const [exported, latest, below] = [join(folder, 'export.json'), join(folder, 'latest.json'), join(folder, 's')];
    writeFileSync(exported, '[]');
    symlinkSync('export.json', latest);
    mkdirSync(below);
    linkSync(exported, join(below, 'y.json'));
    const warnings: string[] = [];
    const names = (await listSources([folder], (message) => warnings.push(message))).map((s) => s.name);
    expect(names).toEqual([exported]);
    expect(warnings).toEqual([
      `${latest} is the same file as ${exported}; read once`,
      `${join(below, 'y.json')} is the same file as ${exported}; read once`,
    ]);
    // Named once more after the folder, by either name, it is still the first name's file.
    warnings.length = 0;
    expect((await listSources([folder, latest], (message) => warnings.push(message))).map((s) => s.name)).toEqual([
      exported,
    ]);
    expect(warnings.at(-1)).toBe(`${latest} is named twice (also as ${folder}); read once`);
    // The folder named twice is one warning, links and all, as one without links is.
    warnings.length = 0;
    expect((await listSources([folder, folder], (message) => warnings.push(message))).map((s) => s.name)).toEqual([
      exported,
    ]);
    expect(warnings.slice(2)).toEqual([`${folder} is named twice; read once`]);
  });
});

describe('syntax errors in one element', () => {
  /** The error problems of each element of `text`, as [code, line, column] (NDJSON: a line each). */
  async function errorsOf(text: string): Promise<Array<Array<[string, number, number]>>> {
    const path = join(dir, `syntax-${Math.random().toString(36).slice(2)}.ndjson`);
    writeFileSync(path, text);
    const out: Array<Array<[string, number, number]>> = [];
    for await (const records of readRecords([path], { warnings: true })) {
      for (const record of records) {
        if (record.kind !== 'event' && record.kind !== 'invalid') continue;
        out.push(record.problems.filter((p) => p.severity === 'error').map((p) => [p.code, p.line, p.column]));
      }
    }
    return out;
  }

  const event = JSON.stringify({
    id: '0b6d1e1c-1f1a-4f7e-9c1a-000000000001',
    eventType: 'CallAttempted',
    createdAt: '2022-09-01T00:00:01.000Z',
    data: { time: '2022-09-01T00:00:01.000Z', phone: '61491573087', status: 'success', campaignId: 'c' },
  });

  it('lists what follows an error it cannot repair as one line, not as errors of their own', async () => {
    // A doubled comma and a stray quote: every string after them is read out of step, and
    // jsonc-parser goes on to find "errors" in each of them (13 were listed).
    const broken = event.replace('"CallAttempted"', '"CallAttempted",,"');
    const [problems] = await errorsOf(`${broken}\n`);
    const comma = broken.indexOf(',,') + 2;
    expect(problems?.map(([code]) => code)).toEqual(['unexpected-comma', 'invalid-symbol', 'after-syntax-error']);
    expect(problems?.[0]).toEqual(['unexpected-comma', 1, comma]);
  });

  it('points the note on the errors after one it cannot repair at that one, not at a key read out of step', async () => {
    // After the stray quote every string is read inside out, and a string read as a key named
    // the note's place: `/1/data/data` here, `/0/data/, ` in another, naming no place in the file.
    const broken = event.replace('"status":"success"', '"status":"succ"ess"');
    const path = join(dir, 'knock-on.json');
    // Hint: on one line: with one element a line, the broken one ends with its line (recovery.test.ts).
    writeFileSync(path, `[${event},${broken},${event}]\n`);
    const problems: string[] = [];
    for await (const records of readRecords([path])) {
      for (const record of records) {
        if (record.kind !== 'invalid' || record.element.pointer !== '/1') continue;
        problems.push(...record.problems.map((p) => `${p.code} ${p.pointer}`));
      }
    }
    expect(problems).toEqual(['invalid-symbol /1/data/status', 'after-syntax-error /1/data/status']);
  });

  it('points a missing comma at the item or member before it, counting the items a comma is missing between', async () => {
    // An array's items were counted by their commas, so every one after a missing comma kept the
    // index before it (`/1/b/0` twice); and one after a `}` named that object's last key (`/1/b/0/x`).
    const listed = await problemsOf(
      'missing-commas.json',
      '[{"a":1},\n{"b":[{"x":1} {"y":2} {"z":3}],"c":[1 2, 3 4],"d":{"e":{}} "f":[[] []]}]\n',
    );
    const pointers = listed.filter((p) => p.startsWith('missing-comma ')).map((p) => p.split(' ')[2]);
    expect(pointers).toEqual(['/1/b/0', '/1/b/1', '/1/c/0', '/1/c/2', '/1/d', '/1/f/0']);
  });

  it('points a comma missing between top-level elements at the element before it, as one inside an element', async () => {
    // Between top-level elements the pointer named the next element (`/1` for the comma missing
    // after `/0`), inside one the member before: one missing comma, two conventions.
    const missing = async (name: string, text: string) =>
      (await problemsOf(name, text)).filter((p) => p.startsWith('missing-comma ')).map((p) => p.slice(14));
    const items = '[\n  {"n":1}\n  {"n":2} {"n":3}\n]';
    expect(await missing('top-level-missing.json', `${items}\n`)).toEqual(['2:10 /0', '3:10 /1']);
    expect(await missing('inner-missing.json', `{"a":${items}}\n`)).toEqual(['2:10 /a/0', '3:10 /a/1']);
  });

  it('points a comma missing after a one-character value that touches the value before it at that value', async () => {
    // The pointer was read at the value's first character, which is also where the value before
    // it ends: `2` in `"x"2"y"` was named `/a/1`, the `"x"` before it.
    expect(await problemsOf('missing-commas-touching.ndjson', '{"a":[1"x"2"y"],"b":[[]2 3],"c":[{}7 8]}\n')).toEqual([
      'missing-comma 1:8 /a/0',
      'missing-comma 1:11 /a/1',
      'missing-comma 1:12 /a/2',
      'missing-comma 1:24 /b/0',
      'missing-comma 1:25 /b/1',
      'missing-comma 1:36 /c/0',
      'missing-comma 1:37 /c/1',
    ]);
  });

  it('lists every comma missing between values of an array in a row, each at its own place', async () => {
    // After a missing comma before a value such as `2`, the next error came with only blanks
    // between, and was taken for a knock-on of the first: `[1 2 3 4]` listed one of three.
    const text = '{"a":[1 2 3 4],"b":["x" "y"\n"z"],"c":[true false null],"d":[{} {} {}],"e":[1 {} 2 [] 3]}\n';
    expect(await problemsOf('missing-commas-in-a-row.ndjson', text)).toEqual([
      'missing-comma 1:8 /a/0',
      'missing-comma 1:10 /a/1',
      'missing-comma 1:12 /a/2',
      'missing-comma 1:24 /b/0',
      'missing-comma 1:28 /b/1',
      'missing-comma 2:15 /c/0',
      'missing-comma 2:21 /c/1',
      'missing-comma 2:35 /d/0',
      'missing-comma 2:38 /d/1',
      'missing-comma 2:49 /e/0',
      'missing-comma 2:52 /e/1',
      'missing-comma 2:54 /e/2',
      'missing-comma 2:57 /e/3',
    ]);
  });

  it('lists the mistake right after a blank run, a comment or a missing comma, in an object as in an array (red team hR98)', async () => {
    // jsonc-parser reads on past each of these in step, but the next error, with only blanks
    // between, was taken for a knock-on: `{"a": "x"\n<NBSP>"b": 1}` listed the no-break space
    // and not the comma, and fix refused the file; only a top-level batch, split into its
    // elements first, was read right.
    const cases: [string, string[]][] = [
      ['{"a": "x"\n\u00a0"b": 1}', ['invalid-symbol 2:1 /a', 'missing-comma 1:10 /a']],
      ['{"a":\u00a0 \u00a0"x"}', ['invalid-symbol 1:6 /a', 'invalid-symbol 1:8 /a']],
      ['{"a": "x"\n"b" "y"}', ['missing-comma 1:10 /a', 'missing-colon 2:4 /b']],
      ['{"a": 1 /* c */ "b": 2}', ['comment 1:9 /a', 'missing-comma 1:16 /a']],
      [
        '{"l": ["x"\n\u00a0"y"], "m": [1 /* c */ 2]}',
        ['invalid-symbol 2:1 /l/0', 'missing-comma 1:11 /l/0', 'comment 2:16 /m/0', 'missing-comma 2:23 /m/0'],
      ],
    ];
    for (const [index, [text, expected]] of cases.entries()) {
      const found = await problemsOf(`after-in-step-${index}.json`, `${text}\n`);
      expect({ text, found }).toEqual({ text, found: expected });
    }
  });

  it('points a run of trailing commas at the member before the first, as one trailing comma', async () => {
    // After the second comma the pointer named one past the last item (`/a/2`), or the object (`/a`).
    const text = '{"a":[1,2,]}\n{"a":[1,2,,]}\n{"a":{"b":1,}}\n{"a":{"b":1 , , }}\n';
    expect(await problemsOf('trailing-commas.ndjson', text)).toEqual([
      'trailing-comma 1:10 /a/1',
      'trailing-comma 2:10 /a/1',
      'trailing-comma 3:12 /a/b',
      'trailing-comma 4:13 /a/b',
    ]);
  });

  it('says a string left open where a key goes is a property name cut off, and points at its object', async () => {
    // `{"id": "x", "da` said "unterminated string" with pointer /id, a member the cut string is not.
    const show = (p: Problem) => `${p.code} ${p.line}:${p.column} ${p.pointer} ${p.message}`;
    expect(await problemsOf('cut-key.json', '{"id": "x", "da', show)).toEqual([
      'unterminated-string 1:13  unterminated property name: the key is cut off',
    ]);
    expect(await problemsOf('cut-key.ndjson', '{"id": "x", "data": {"a": 1, "b\n{"c": "d\n', show)).toEqual([
      'unterminated-string 1:30 /data unterminated property name: the line ends inside the key (NDJSON: one value a line)',
      // A value cut short is still a string.
      'unterminated-string 2:7 /c unterminated string: the line ends inside it (NDJSON: one value a line)',
    ]);
  });

  it('says a line of NDJSON cut anywhere is one problem, with the NDJSON hint, whether a line break or the end of the file ends it', async () => {
    // Cut inside a string it lost the hint ("unterminated string"); cut at the end of a file with
    // no last line break it lost it too, and a batch's element cut there was two problems, the
    // element's and "the array opened at line 2, column 1 is not closed" (fixer hF62 #3).
    const show = (p: Problem) => `${p.code} ${p.line}:${p.column} ${p.pointer} ${p.message}`;
    const line = readFileSync('fixtures/valid/one-event-per-line.ndjson', 'utf8').split('\n')[0];
    const hint = '(NDJSON: one value a line)';
    const cuts = [
      '{"eventType":"CallAttempted","data":{"x":"abc',
      '{"eventType":"CallAttempted","data":{"x',
      '{"eventType":"CallAttempted","data":{"x":',
      '{"eventType":"CallAttempted","data":{"x":[1, 2',
      `[${line},{"eventType":"Call`,
      `[${line},{"eventType":`,
      `[${line},{"eventType":"CallAttempted","data":{"x":"abc`,
      // Cut between elements: the array's problem, as a line break gives it (review hR74 #2).
      `[${line},${line},`,
      `[${line},${line}`,
      `[${line}, `,
    ];
    for (const [n, cut] of cuts.entries()) {
      const [inTheMiddle, atTheEnd, withoutLineBreak] = await Promise.all([
        problemsOf(`cut-${n}-middle.ndjson`, `${line}\n${cut}\n${line}\n`, show),
        problemsOf(`cut-${n}-end.ndjson`, `${line}\n${cut}\n`, show),
        problemsOf(`cut-${n}-no-line-break.ndjson`, `${line}\n${cut}`, show),
      ]);
      // Hint: the lines around it are valid events: every problem is the cut's.
      expect(inTheMiddle, cut).toHaveLength(1);
      expect(inTheMiddle[0], cut).toContain(hint);
      expect(atTheEnd, cut).toEqual(inTheMiddle);
      expect(withoutLineBreak, cut).toEqual(inTheMiddle);
    }
  });

  it('says a bracket closes what the other kind opened, once, at that bracket, naming where it opened', async () => {
    // `{"a": [1, 2}` was "missing comma between array elements" at the `}` (/a/1), which fix "repaired".
    const messages = (name: string, text: string) =>
      problemsOf(name, text, (p) => `${p.line}:${p.column} ${p.pointer} ${p.message}${p.repair ? ' (repair)' : ''}`);
    expect(await messages('mismatch-array.json', '{"a": [1, 2}\n')).toEqual([
      '1:12 /a expected "]" to close the array opened at line 1, column 7, found "}"',
    ]);
    expect(await messages('mismatch-array.ndjson', '{"a": [1, 2}\n')).toEqual([
      '1:12 /a expected "]" to close the array opened at line 1, column 7, found "}"',
    ]);
    expect(await messages('mismatch-empty.json', '{"a":\n  [}\n')).toEqual([
      '2:4 /a expected "]" to close the array opened at line 2, column 3, found "}"',
    ]);
    expect(await messages('mismatch-object.ndjson', '{"a": {"b": 1]}\n{"b": 2, ]\n')).toEqual([
      '1:14 /a expected "}" to close the object opened at line 1, column 7, found "]"',
      '2:10  expected "}" to close the object opened at line 2, column 1, found "]"',
    ]);
  });

  it('says so of any closing bracket of a value turned into the other kind, first, and repairs nothing', async () => {
    const container = fc.oneof(
      fc.array(fc.jsonValue({ maxDepth: 2 })),
      fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(container, fc.nat(), async (value, pick) => {
        // Inside an element: a line's own brackets are the splitter's to judge.
        const text = JSON.stringify({ v: value });
        // The closing brackets outside strings, the element's own left out.
        const closers: number[] = [];
        visit(text, {
          onObjectEnd: (offset) => void closers.push(offset),
          onArrayEnd: (offset) => void closers.push(offset),
        });
        closers.pop();
        const at = closers[pick % closers.length] as number;
        const swapped = `${text.slice(0, at)}${text[at] === '}' ? ']' : '}'}${text.slice(at + 1)}`;
        const path = join(dir, `swapped-${run++}.ndjson`);
        writeFileSync(path, `${swapped}\n`);
        const problems: Array<{ code: string; column: number; message: string; repair?: unknown }> = [];
        for await (const records of readRecords([path])) {
          for (const record of records) if (record.kind === 'invalid') problems.push(...record.problems);
        }
        expect(problems[0]).toMatchObject({ code: 'unexpected-token', column: at + 1 });
        expect(problems[0]?.message).toMatch(
          /^expected "[\]}]" to close the (array|object) opened at line 1, column \d+, found "[\]}]"$/,
        );
        expect(problems.filter((problem) => problem.repair)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  /** The first problem's message of each invalid element of `text`, read as an NDJSON file. */
  const messages = async (text: string) => {
    const path = join(dir, `pasted-${Math.random().toString(36).slice(2)}.ndjson`);
    writeFileSync(path, text);
    const out: string[] = [];
    for await (const records of readRecords([path], { warnings: true })) {
      for (const record of records) {
        if (record.kind === 'invalid') out.push(record.problems[0]?.message ?? '');
      }
    }
    return out;
  };

  it('names a signed Infinity or NaN as Infinity is named, and a number written with a +', async () => {
    // `-Infinity` was only `unexpected "-"`, and `"phone": +6149…` only `unexpected "+"` (red team hF59).
    expect(
      await messages(
        [
          '{"a": -Infinity}',
          '{"a": +Infinity}',
          '{"a": -NaN}',
          '{"a": Infinity}',
          '{"phone": +61491570156}',
          '{"a": +1.5}',
          '{"a": -x}',
          '{"a": -Infinityx}',
        ].join('\n'),
      ),
    ).toEqual([
      '-Infinity is not a JSON value; use null or a number',
      '+Infinity is not a JSON value; use null or a number',
      '-NaN is not a JSON value; use null or a number',
      'Infinity is not a JSON value; use null or a number',
      'unexpected "+": a number cannot begin with +; put a phone number in quotes',
      'unexpected "+": a number cannot begin with +; put a phone number in quotes',
      'unexpected "-"',
      'unexpected "-"',
    ]);
  });

  it('names what a web page puts into JSON pasted from it: a no-break space, curly quotes', async () => {
    // `unexpected " "` showed a no-break space as a space, which is all a reader could see.
    expect(
      await messages(
        [
          event.replace('"eventType":', '"eventType":\u00a0'),
          event.replace('"eventType"', '\u201ceventType\u201d'),
          event.replace('"eventType"', '\u2018eventType\u2019'),
          event.replace('"eventType":', '"eventType":\u3000'),
          event.replace('"eventType":', '"eventType":\u200b'),
          event.replace('"eventType":', '"eventType":\ufeff'),
          // A character of more than one UTF-16 unit, or of a letter and its marks, is named whole
          // (an emoji was named by half of itself, `\ud83d`, and a decomposed é as `e`).
          event.replace('"eventType":', '"eventType":\u{1F600}'),
          event.replace('"eventType":', '"eventType":e\u0301\u0301x'),
          event.replace('"eventType":', '"eventType":\u{1F44B}\u{1F3FD}'),
          event.replace('"eventType":', '"eventType":\u{1F1E6}\u{1F1FA}'),
        ].join('\n'),
      ),
    ).toEqual([
      'unexpected no-break space (U+00A0): between tokens JSON takes only spaces, tabs and line breaks',
      'strings and property names need straight double quotes ("), not curly ones',
      'strings and property names need double quotes',
      'unexpected Unicode space (U+3000): between tokens JSON takes only spaces, tabs and line breaks',
      'unexpected invisible character (U+200B): between tokens JSON takes only spaces, tabs and line breaks',
      'unexpected byte order mark (U+FEFF): between tokens JSON takes only spaces, tabs and line breaks',
      'unexpected "\u{1F600}"',
      'unexpected "e\u0301\u0301x"',
      'unexpected "\u{1F44B}\u{1F3FD}"',
      'unexpected "\u{1F1E6}\u{1F1FA}"',
    ]);
  });

  it('still lists every error it can repair, each on its own (fix repairs them all)', async () => {
    const broken = event
      .replace('"eventType"', ',"eventType"')
      .replace('"createdAt"', ',"createdAt"')
      .replace('"data"', ',"data"');
    const [problems] = await errorsOf(`${broken}\n`);
    expect(problems?.map(([code]) => code)).toEqual(['unexpected-comma', 'unexpected-comma', 'unexpected-comma']);
  });
});

describe('a problem under an object key made of digits', () => {
  it('is placed at that key, not at the object holding it', async () => {
    // A pointer's segments have no types: `/flow/0/7` names key "7" of the step object; read as
    // an array index, it found nothing and the problem was placed at the step's `{`.
    const event = [...generateCalls({ seed: 1, calls: 4, envelope: 'all' })].find(
      (e) => e.eventType === 'CallComplete',
    );
    const text = JSON.stringify([event], null, 2).replace(
      '"questionName":',
      '"7": 1,\n          "7": {"x": 2},\n          "questionName":',
    );
    const path = join(dir, 'digit-keys.json');
    writeFileSync(path, text);
    const lines = text.split('\n');
    const places: Array<[string, string, number, number]> = [];
    for await (const records of readRecords([path], { warnings: true, strict: true })) {
      for (const record of records) {
        if (record.kind !== 'invalid') continue;
        for (const p of record.problems) places.push([p.severity, p.pointer, p.line, p.column]);
      }
    }
    // The unknown field is the copy JSON.parse keeps, the last, where its duplicate-key warning is too.
    const last = lines.findIndex((line) => line.includes('"7": {')) + 1;
    expect(places).toEqual([
      ['error', '/0/data/flow/0/7', last, 11],
      ['warning', '/0/data/flow/0/7', last, 11],
    ]);
  });
});

describe('the code frame of a problem on the first line of an element', () => {
  const bom = '\uFEFF';
  const files: Array<[string, string]> = [
    ['after-another.json', '[{"x":1},{"a":1 "b":2}]\n'],
    ['pretty.json', '[\n  {"a":1 "b":2}\n]\n'],
    ['tabs.json', '[\n\t{"a":1 "b":2},\t{"c":1 "d":2}\n]\n'],
    ['second-on-line.ndjson', '{"x":1}\n{"y":1} {"a":1 "b":2}\n'],
    ['crlf.json', '[{"x":1},\r\n{"y":2}, {"a":1 "b":2}]\r\n'],
    ['bom.json', `${bom}[{"x":1},{"a":1 "b":2}]`],
    ['wide.json', '[{"é":"日本😀"},{"a":1 "b":2}]'],
    ['duplicate.json', '[{"x":1}, {"a":1,"a":2}]'],
    ['minified.json', `[${'{"x":1},'.repeat(300)}{"a":1 "b":2}]`],
    ['long-element.json', `[{"x":1},{"a":1 "b":2,"t":"${'x'.repeat(3000)}"}]`],
    ['long-line.json', `[${'{"x":1},'.repeat(30)}{"a":1 "b":2,"t":"${'日'.repeat(2000)}"}]`],
    // On its second line, the line before is its first, as it is.
    ['second-line.json', '[{"x":1},{"a":1,\n"b" 2}]'],
    ['pretty-second-line.json', '[\n  {\n    "a" 1\n  }\n]\n'],
  ];

  /** The problem's line and the caret under it, as drawn from `frame`. */
  const lastRows = (frame: string) => frame.split('\n').slice(-2).join('\n');

  /**
   * The frame of each problem of an element of `path` (read in chunks of `size`), and the frame
   * drawn from the whole file with the rest of the element's last line left out (an excerpt does
   * not hold it); on the element's first line, without the line before (nor does it hold that).
   */
  async function framesOf(path: string, size: number): Promise<{ frames: string[]; expected: string[] }> {
    const bytes = readFileSync(path);
    const skipped = bytes.subarray(0, 3).equals(Buffer.from(bom)) ? 3 : 0;
    const whole = bytes.toString('utf8', skipped);
    const indexOf = (offset: number) => bytes.toString('utf8', skipped, offset).length;
    const frames: string[] = [];
    const expected: string[] = [];
    for await (const records of readRecords([path], { readSize: size, chunkSize: size })) {
      for (const record of records) {
        if (record.kind !== 'event' && record.kind !== 'invalid') continue;
        const end = indexOf(record.element.offset) + record.element.text.length;
        const lineEnd = whole.indexOf('\n', end);
        const upToElement = whole.slice(0, end) + (lineEnd === -1 ? '' : whole.slice(lineEnd));
        for (const { excerpt, line, column, offset } of record.problems) {
          if (!excerpt) continue;
          const rows = line === record.element.line ? lastRows : (frame: string) => frame;
          frames.push(rows(codeFrame(excerpt, line, column)));
          expected.push(rows(codeFrame({ text: upToElement, index: indexOf(offset) }, line, column)));
        }
      }
    }
    return { frames, expected };
  }

  it.each(files)('shows the line as it is in %s, however the file is cut into chunks', async (name, text) => {
    // The nine columns before `{"a"` in `[{"x":1},{"a":1 "b":2}]` were drawn as blanks.
    const path = join(dir, name);
    writeFileSync(path, text);
    // Hint: a byte a chunk takes long on a long file; 7 bytes cut it as often as needed.
    for (const size of text.length < 1000 ? [1, 2, 3, 7, 64, 4096] : [7, 64, 1000, 4096]) {
      const { frames, expected } = await framesOf(path, size);
      expect(frames.length, `${name} in chunks of ${size}`).toBeGreaterThan(0);
      expect(frames, `${name} in chunks of ${size}`).toEqual(expected);
    }
  });

  it('opens the line before with `…` when it is the first line of the element, and its start is too far to keep', async () => {
    const path = join(dir, 'far-second-line.json');
    writeFileSync(path, `[${'{"x":1},'.repeat(150)}{"a":1,\n"b" 2}]`);
    for (const size of [7, 4096]) {
      const { frames } = await framesOf(path, size);
      expect(frames.at(-1)?.split('\n')[0], `in chunks of ${size}`).toMatch(/^ {2}1 \| …\{"x":1\},\{"x":1\},/);
    }
  });
});

describe('a file read in chunks of any size', () => {
  // Hint: U+E000 stands for a Latin-1 byte (0xE9), which no string can hold as it is in the file.
  const latin1 = '\uE000';
  const encode = (text: string) =>
    Buffer.concat(text.split(latin1).flatMap((part, i) => [...(i === 0 ? [] : [Buffer.of(0xe9)]), Buffer.from(part)]));
  const word = fc.constantFrom(
    'a',
    'é',
    '日本',
    '😀',
    `x${latin1}y`,
    'x'.repeat(900),
    '日'.repeat(300),
    '😀'.repeat(210),
  );
  const element = fc.oneof(
    word.map((w) => `{"k":"${w}"}`),
    word.map((w) => `{"a":1 "b":"${w}"}`),
    word.map((w) => `{"t":"${w}","a" 1}`),
    word.map((w) => `{"t":"${w}",,"b":2}`),
    word.map((w) => `{"a":1,"a":"${w}"}`),
    word.map((w) => `{"t":"${w}","a":tru}`),
    word.map((w) => `{"t":"${w}",\n"b" 2}`),
    word.map((w) => `{\n  "t": "${w}" "b": 2\n}`),
    word.map((w) => `{\n"t": "${w}",\n"b" 2\n}`),
    word.map((w) => `{"t":"${w}"`),
  );
  const separator = fc.constantFrom(',', ', ', ',\n', ',\n  ', ',\n\t', ' ', ',,', ',\n\n', '\n');
  const file = fc.record({
    bom: fc.boolean(),
    crlf: fc.boolean(),
    ndjson: fc.boolean(),
    open: fc.constantFrom('', ' ', '\n', '\n  '),
    first: element,
    more: fc.array(fc.tuple(separator, element), { maxLength: 6 }),
    // Where the file was cut short, if it was.
    cut: fc.option(fc.nat()),
    binary: fc.boolean(),
  });

  /** The bytes of a file drawn from `file`. */
  function bytesOf(drawn: typeof file extends fc.Arbitrary<infer T> ? T : never): Buffer {
    const { bom, crlf, ndjson, open, first, more, cut, binary } = drawn;
    let body = first;
    for (const [between, next] of more) body += (ndjson ? between.replaceAll(',', '') || ' ' : between) + next;
    // One line ending a file: in a file of both, a repair's line break may take either.
    let text = encode(`${ndjson ? body : `[${open}${body}]`}\n`.replaceAll('\n', crlf ? '\r\n' : '\n'));
    if (cut !== null) text = text.subarray(0, cut % (text.length + 1));
    // Binary data past the file's first 4 KiB ends it where it begins, however it is read.
    const tail = binary
      ? [Buffer.from(`${' '.repeat(79)}${crlf ? '\r\n' : '\n'}`.repeat(60)), Buffer.alloc(700, 0)]
      : [];
    return Buffer.concat([Buffer.from(bom ? '\uFEFF' : ''), text, ...tail]);
  }

  /** The records of `path` read `readSize` bytes at a time, handed on `chunkSize` at a time, and every problem's frame. */
  async function readAll(path: string, readSize: number, chunkSize: number, warnings: boolean) {
    const records: InputRecord[] = [];
    const frames: string[] = [];
    const firstLineEnding = /\r?\n/.exec(readFileSync(path, 'latin1'))?.[0];
    for await (const batch of readRecords([path], { readSize, chunkSize, warnings, firstLineEnding })) {
      for (const record of batch) {
        // Hint: a problem between elements is framed from the lines before it as the file has them,
        // but from what follows it on its line only as far as the chunk it was found in reaches,
        // which a frame's window then shifts to: not looked at here (see 'frames a problem between
        // elements after a long line as one chunk does').
        if (record.kind === 'problem') records.push({ ...record, problem: { ...record.problem, excerpt: undefined } });
        else records.push(record);
        const problems = 'problems' in record ? record.problems : [];
        for (const { excerpt, line, column } of problems) if (excerpt) frames.push(codeFrame(excerpt, line, column));
      }
    }
    return { records, frames };
  }

  /**
   * The frame of each problem on the first line of an element of `bytes` (the problem's line and
   * the caret), and the frame drawn from the whole file, with the rest of the element's last line
   * left out (an excerpt does not hold it), where the line before the element is short enough to keep.
   */
  function firstLineFrames(bytes: Buffer, records: InputRecord[]): { frames: string[]; expected: string[] } {
    const skipped = bytes.subarray(0, 3).equals(Buffer.from('\uFEFF')) ? 3 : 0;
    const whole = bytes.toString('utf8', skipped);
    const indexOf = (offset: number) => bytes.toString('utf8', skipped, offset).length;
    const lastRows = (frame: string) => frame.split('\n').slice(-2).join('\n');
    const frames: string[] = [];
    const expected: string[] = [];
    for (const record of records) {
      if (record.kind !== 'event' && record.kind !== 'invalid') continue;
      const { offset, text, line: elementLine } = record.element;
      const lineStart = Math.max(skipped, bytes.lastIndexOf(0x0a, offset - 1) + 1);
      if (offset - lineStart > 800) continue;
      const end = indexOf(offset) + text.length;
      const lineEnd = whole.indexOf('\n', end);
      const upToElement = whole.slice(0, end) + (lineEnd === -1 ? '' : whole.slice(lineEnd));
      for (const problem of record.problems) {
        if (!problem.excerpt || problem.line !== elementLine) continue;
        frames.push(lastRows(codeFrame(problem.excerpt, problem.line, problem.column)));
        const at = { text: upToElement, index: indexOf(problem.offset) };
        expected.push(lastRows(codeFrame(at, problem.line, problem.column)));
      }
    }
    return { frames, expected };
  }

  it('frames a problem between elements after a long line as one chunk does, wherever a chunk begins', async () => {
    // The frame began where the chunk the problem was found in began: a chunk that began on the
    // line before showed that line from there, as if it began there (`66","pad":…`), and one that
    // began on the problem's line showed no line before. Each line ends where its problem is.
    const lines = Array.from({ length: 40 }, (_, i) => `  {"n":${i},"pad":"${'x'.repeat(100 + 13 * i)}"}`);
    const path = join(dir, 'long-lines.json');
    writeFileSync(path, `[\n${lines.join('\n')}\n]\n`);
    const betweenFrames = async (size: number) => {
      const frames: string[] = [];
      for await (const batch of readRecords([path], { readSize: size, chunkSize: size })) {
        for (const record of batch) {
          if (record.kind !== 'problem' || !record.problem.excerpt) continue;
          const { excerpt, line, column } = record.problem;
          frames.push(codeFrame(excerpt, line, column));
        }
      }
      return frames;
    };
    const whole = await betweenFrames(2 ** 22);
    expect(whole).toHaveLength(39);
    expect(whole[10]?.split('\n')[0]).toMatch(/^ {2}11 \| …x{20}/);
    for (const size of [1, 7, 64, 333, 1000, 4096])
      expect(await betweenFrames(size), `chunks of ${size}`).toEqual(whole);
  });

  it('judges the first bytes of a file read a few at a time as it judges them read at once', async () => {
    // A character cut short near the start (two bytes not UTF-8) is a few bad bytes in a first
    // sample of 4 KiB, but more than an eighth of a first read of 10 bytes: read so, the file was
    // refused as binary at byte 7, where read at once it is read up to its NUL byte.
    const path = join(dir, 'cut-character.json');
    const text = Buffer.from(`[{"t":"${'😀'.repeat(3)}"}]\n`).subarray(0, 9);
    writeFileSync(path, Buffer.concat([text, Buffer.from(`${' '.repeat(79)}\n`.repeat(60)), Buffer.alloc(700, 0)]));
    const whole = await readAll(path, 2 ** 22, 2 ** 22, true);
    expect(whole.records.find((record) => record.kind === 'problem')).toMatchObject({
      problem: { code: 'binary', offset: 4809 },
    });
    for (const size of [1, 9, 10, 11, 100, 4095]) {
      expect({ size, records: (await readAll(path, size, size, true)).records }).toEqual({
        size,
        records: whole.records,
      });
    }
  });

  it('judges the bytes held after a byte that is not UTF-8, handed back at the end of the file, as it judges them read at once', async () => {
    // The line from the 0xFF byte on was held to the end of the file, then read again a slice at a
    // time with no character held at a slice's end: each emoji a slice's end cut counted as bytes
    // that are not text, and in reads of 8 the file was refused as binary at byte 1062.
    const path = join(dir, 'emoji-after-latin1.json');
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from('[{"a":1,"b":"x'),
        Buffer.of(0xff),
        Buffer.from(`y"},{"a":1,"b":"${'😀'.repeat(300)}"}]`),
      ]),
    );
    const whole = await readAll(path, 2 ** 22, 2 ** 22, true);
    expect(whole.records.map((record) => record.kind)).toEqual(['file-start', 'invalid', 'invalid', 'file-end']);
    for (let size = 1; size <= 16; size++) {
      expect({ size, ...(await readAll(path, size, size, true)) }).toEqual({ size, ...whole });
    }
  });

  it('frames an element that begins the last chunk, cut short by the end of the file, with its line', async () => {
    // The end of the file let go of the chunk, and its first byte was taken for the chunk at hand's:
    // the frame showed `…{"t":"a"`.
    const path = join(dir, 'last-chunk.json');
    writeFileSync(path, '[{"x":1},{"t":"a"');
    const { frames } = await readAll(path, 9, 9, true);
    expect(frames).toEqual([['> 1 | [{"x":1},{"t":"a"', `    | ${' '.repeat(17)}^`].join('\n')]);
  });

  it('gives every problem the frame, and every element the record, it has when the file is read at once', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        file,
        fc.integer({ min: 1, max: 65536 }),
        fc.integer({ min: 1, max: 65536 }),
        fc.boolean(),
        fc.boolean(),
        async (drawn, read, slice, within, warnings) => {
          const bytes = bytesOf(drawn);
          const path = join(dir, `chunks-${run++}.${drawn.ndjson ? 'ndjson' : 'json'}`);
          writeFileSync(path, bytes);
          // Hint: a chunk edge at an element's first byte, or the last chunk's, needs a size within the file's.
          const readSize = within ? 1 + (read % Math.max(1, bytes.length)) : read;
          const whole = await readAll(path, 2 ** 22, 2 ** 22, warnings);
          const cut = await readAll(path, readSize, Math.min(readSize, slice), warnings);
          expect(cut.frames).toEqual(whole.frames);
          expect(cut.records).toEqual(whole.records);
          const { frames, expected } = firstLineFrames(bytes, whole.records);
          expect(frames).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** The problems reading `path` in reads of `readSize` finds, as `code line:column`. */
async function problemsIn(path: string, readSize: number): Promise<string[]> {
  const found: string[] = [];
  for await (const records of readRecords([path], { readSize, chunkSize: readSize })) {
    for (const record of records) {
      const problems = record.kind === 'problem' ? [record.problem] : 'problems' in record ? record.problems : [];
      for (const p of problems) found.push(`${p.code} ${p.line}:${p.column}`);
    }
  }
  return found;
}

describe('an NDJSON line that ends inside an element of its batch', () => {
  it("is one problem, the element's, not a second for the array at the same place", async () => {
    // `[{"b":` on a line was unexpected-eof and unexpected-eol at 2:7, both "unexpected end of the
    // line" (red team hF59). An array left open after a closed element still says so.
    const files: Array<[string, string, string[]]> = [
      ['cut-element.ndjson', '[{"a":1}]\n[{"b":\n', ['unknown-shape 1:2', 'unexpected-eof 2:7']],
      [
        'open-array.ndjson',
        '[{"a":1}]\n[{"b":1},\n',
        ['unknown-shape 1:2', 'unknown-shape 2:2', 'unexpected-eol 2:10'],
      ],
    ];
    for (const [name, text, expected] of files) {
      const path = join(dir, name);
      writeFileSync(path, text);
      for (const readSize of [1, 3, 4096]) {
        expect(await problemsIn(path, readSize), `${name} in reads of ${readSize}`).toEqual(expected);
      }
    }
  });
});

describe('a value cut before blank lines', () => {
  it('is cut where its own last line ends, read in reads of any size', async () => {
    // The blank line moved the cut to itself: 2:1 (3:1 after two), not 1:12.
    const files: Array<[string, string, string[]]> = [
      ['open-then-blank.ndjson', '{"id": "x",\n\n\n{"id": "y"}\n', ['unexpected-eof 1:12', 'unknown-shape 4:1']],
      ['cut-then-blank.json', '[\n  {"a": 1,\n\n  {"b": 2}\n]\n', ['unexpected-eof 2:11', 'unknown-shape 4:3']],
      [
        'cut-then-blank-crlf.json',
        '[\r\n  {"a": 1,\r\n\r\n  {"b": 2}\r\n]\r\n',
        ['unexpected-eof 2:11', 'unknown-shape 4:3'],
      ],
    ];
    for (const [name, text, expected] of files) {
      const path = join(dir, name);
      writeFileSync(path, text);
      for (const readSize of [1, 2, 3, 5, 8, 13, 4096]) {
        expect(await problemsIn(path, readSize), `${name} in reads of ${readSize}`).toEqual(expected);
      }
    }
  });
});

describe('a line of blanks alone in a batch', () => {
  /** Each record of `text` read in reads of `readSize`: its kind, and its problems as `code line:column pointer`. */
  async function recordsOf(name: string, text: string, readSize: number): Promise<string[]> {
    const path = join(dir, name);
    writeFileSync(path, text);
    const found: string[] = [];
    for await (const records of readRecords([path], { readSize, chunkSize: readSize })) {
      for (const record of records) {
        const problems = record.kind === 'problem' ? [record.problem] : 'problems' in record ? record.problems : [];
        const where = problems.map((p) => `${p.code} ${p.line}:${p.column} ${p.pointer}`);
        found.push(`${record.kind}${where.length > 0 ? `: ${where.join(', ')}` : ''}`);
      }
    }
    return found;
  }

  it('decides nothing, as a blank line does: the file reads as it does without it, the lines after it one further', async () => {
    // A line of blanks indented deeper than the element was passed over by the scanner, which
    // stopped only at its end; the element cut before it was cut there (4:7), not where its own
    // last line ends (3:12).
    const event =
      '{"time": "2022-08-31T21:46:58.621Z", "phone": "61491573087", "status": "success", "campaignId": "x"}';
    // `@` is where the line goes; the line ends as the file's lines do.
    const files = [
      '[\n  {\n    "a": 1,\n@\n  {\n    "b": 2\n  }\n]\n',
      `[\n  {\n    "a": {\n@\n  ${event}\n]\n`,
      '[\n  {"a": [1,\n@\n  {"b": 2}\n]\n',
      '[\n  {\n    "a": 1,\n@\n]\n',
      '[\r\n  {"a": 1,\r\n@\r\n  {"b": 2}\r\n]\r\n',
    ];
    const lines = [' ', '  ', '   ', '      ', '\t', ' \t \t'];
    for (const [n, file] of files.entries()) {
      const at = file.slice(0, file.indexOf('@')).split('\n').length;
      const lineEnd = file.includes('\r\n') ? '\r\n' : '\n';
      for (const readSize of [1, 2, 3, 5, 8, 13, 4096]) {
        const without = await recordsOf(`without-${n}.json`, file.replace(`@${lineEnd}`, ''), readSize);
        // Past the line, a line further on.
        const shifted = without.map((record) =>
          record.replace(
            / (\d+):(\d+)/g,
            (_, line, column) => ` ${Number(line) >= at ? Number(line) + 1 : line}:${column}`,
          ),
        );
        for (const line of lines) {
          const name = `blanks-${n}-${line.length}.json`;
          const found = await recordsOf(name, file.replace('@', line), readSize);
          expect(found, `${JSON.stringify(file.replace('@', line))} in reads of ${readSize}`).toEqual(shifted);
        }
      }
    }
  });
});

describe('the problems an element keeps under maxIssues', () => {
  /** The problems of each element of `text` read with `options`, as `severity pointer line:column`. */
  async function keptOf(name: string, text: string, options: { maxIssues?: number; strict?: boolean }) {
    const path = join(dir, name);
    writeFileSync(path, text);
    const kept: string[][] = [];
    for await (const records of readRecords([path], { warnings: true, ...options })) {
      for (const record of records) {
        if (record.kind !== 'event' && record.kind !== 'invalid') continue;
        kept.push(record.problems.map((p) => `${p.severity} ${p.pointer} ${p.line}:${p.column}`));
      }
    }
    return kept;
  }

  /** The first `limit` errors and the first `limit` warnings of each list, in its order. */
  const firstOf = (lists: string[][], limit: number) =>
    lists.map((list) => {
      const counts = { error: 0, warning: 0 };
      return list.filter((p) => counts[p.split(' ')[0] as 'error' | 'warning']++ < limit);
    });

  const attempted = {
    time: '2022-08-31T21:46:58.621Z',
    phone: '61491573087',
    status: 'success',
    campaignId: '5dd7681b-2188-49fc-8fc0-87b57056f436',
  };
  const envelope = (data: string) =>
    `{\n  "id": "d07b9760-9c74-4c12-919b-3b88adbf5863",\n  "eventType": "CallAttempted",\n  "createdAt": "2022-08-31T21:46:58.621Z",\n  "data": ${data}\n}\n`;

  it('are the first in the text, past keys made of digits, which JavaScript lists first', async () => {
    // `validate --strict --max-problems 1` listed `/data/2` at line 7, not `/data/10` at line 6.
    const data = `{\n    "10": 1,\n    "2": 2,\n    "a": 3,\n${JSON.stringify(attempted).slice(1, -1)}\n  }`;
    const text = envelope(data);
    expect(await keptOf('digit-keys-kept.json', text, { strict: true, maxIssues: 1 })).toEqual([
      ['error /data/10 6:5'],
    ]);
  });

  /** The one element of `text`, read with `options`: its problems and what it counted but did not keep. */
  async function elementOf(name: string, text: string, options: { maxIssues?: number; strict?: boolean }) {
    const path = join(dir, name);
    writeFileSync(path, text);
    const elements: Array<{ problems: Problem[]; omitted?: unknown }> = [];
    for await (const records of readRecords([path], { warnings: true, ...options })) {
      for (const record of records) {
        if (record.kind === 'event' || record.kind === 'invalid') elements.push(record);
      }
    }
    expect(elements).toHaveLength(1);
    const [{ problems, omitted } = { problems: [], omitted: undefined }] = elements;
    return { problems: problems.map((p) => [`${p.code} ${p.pointer} ${p.line}:${p.column}`, p.message]), omitted };
  }

  it('are, of keys given more than twice, one warning a key at its last copy, the first of them by that place', async () => {
    // "x" three times and "y" twice gave three warnings, "x" given twice at its second copy (line
    // 8) among them; under a limit of one that was kept, not "y" at line 9, the first last copy.
    const data = `{\n    "x": 1,\n    "y": 1,\n    "x": 2,\n    "y": 2,\n    "x": 3,\n${JSON.stringify(attempted).slice(1, -1)}\n  }`;
    const text = envelope(data);
    const x = [
      'duplicate-key /data/x 10:5',
      '"x" given 3 times: parsers keep only the last; first given at line 6, column 5',
    ];
    const y = [
      'duplicate-key /data/y 9:5',
      '"y" given twice: parsers keep only the last; first given at line 7, column 5',
    ];
    expect(await elementOf('thrice.json', text, {})).toEqual({ problems: [y, x], omitted: undefined });
    expect(await elementOf('thrice.json', text, { maxIssues: 1 })).toEqual({
      problems: [y],
      omitted: { errors: 0, warnings: 1 },
    });
  });

  it('are, of its duplicate-key and `__proto__` warnings together, the first `maxIssues`, not so many of each', async () => {
    // Each kind was kept to the limit on its own: two warnings under a limit of one.
    const data = `{\n    "__proto__": 0,\n    "phone": "1",\n${JSON.stringify(attempted).slice(1, -1)}\n  }`;
    const text = envelope(data);
    expect(await keptOf('proto-and-duplicate.json', text, { maxIssues: 1 })).toEqual([['warning /data/__proto__ 6:5']]);
    expect(await keptOf('proto-and-duplicate.json', text, {})).toEqual([
      ['warning /data/__proto__ 6:5', 'warning /data/phone 8:35'],
    ]);
  });

  it('are, of its duplicate-key and consistency warnings together, the first `maxIssues`, the rest counted', async () => {
    // Each was kept to the limit on its own: a failed attempt without a note, with a key given
    // twice, kept two warnings under a limit of one.
    const failed = JSON.stringify({ ...attempted, status: 'failed' }).slice(1, -1);
    const text = envelope(`{\n    "x": 1,\n    "x": 2,\n    "y": 1,\n    "y": 2,\n${failed}\n  }`);
    const note = ['missing-note /data 5:11', 'a failed attempt should carry a note with the reason'];
    const x = ['duplicate-key /data/x 7:5', expect.stringContaining('"x" given twice')];
    const y = ['duplicate-key /data/y 9:5', expect.stringContaining('"y" given twice')];
    expect(await elementOf('failed.json', text, {})).toEqual({ problems: [note, x, y], omitted: undefined });
    expect(await elementOf('failed.json', text, { maxIssues: 1 })).toEqual({
      problems: [note],
      omitted: { errors: 0, warnings: 2 },
    });
    expect(await elementOf('failed.json', text, { maxIssues: 2 })).toEqual({
      problems: [note, x],
      omitted: { errors: 0, warnings: 1 },
    });
  });

  it('are the first of the uncapped list, whatever keys an object has and in whatever order', async () => {
    const key = fc.constantFrom('10', '2', '0', 'a', 'b', '07', '4294967294', '4294967295', 'status', 'phone');
    const member = fc.tuple(
      key,
      fc.constantFrom('1', '"x"', '{"3": 1, "z": 2}', '[{"1": 0, "y": 0}]', '{"__proto__": 0, "1": {"__proto__": 1}}'),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(member, { maxLength: 8 }), fc.integer({ min: 1, max: 4 }), async (members, limit) => {
        const extra = members.map(([k, value]) => `\n    ${JSON.stringify(k)}: ${value}`).join(',');
        const base = JSON.stringify(attempted).slice(1, -1);
        const text = envelope(`{${extra}${extra ? ',' : ''}\n    ${base}\n  }`);
        const name = `kept-${run++}.json`;
        const every = await keptOf(name, text, { strict: true });
        expect(await keptOf(name, text, { strict: true, maxIssues: limit })).toEqual(firstOf(every, limit));
      }),
      { numRuns: 60 },
    );
  });
});

describe('readChunksOf', () => {
  it('fails with a read that fails while its caller works on the chunk before, never as an unhandled rejection', async () => {
    // The next chunk is read ahead; one that failed while fix awaited a write was a rejection no
    // one watched, and Node ended the process with a stack, the file half rewritten (review hR66).
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    let reads = 0;
    const handle = {
      read: (into: Buffer) => {
        reads++;
        if (reads === 1) return Promise.resolve({ bytesRead: into.length, buffer: into });
        return new Promise((_, reject) => setTimeout(() => reject(new Error('i/o error')), 5));
      },
    } as unknown as import('node:fs/promises').FileHandle;
    try {
      const chunks = readChunksOf(handle, 0, 16);
      expect((await chunks.next()).value).toHaveLength(16);
      await delay(50);
      await expect(chunks.next()).rejects.toThrow('i/o error');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
