// validate reads one large export on two threads, and must report exactly what one thread does:
// the same problems, at the same lines, columns and pointers, in the same order, and the same
// totals. As in summarise-threads.test.ts, most tests run both readings in this process on small
// files (CALLHOOK_THREADS=2 asks for two threads on them, tiny reads cut elements across reads),
// the second half read by a function on this thread through the worker's code; the last runs the
// built CLI with a real worker.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCalls, type WireEvent } from '../../src/core/generate.js';
import {
  HalfValidationCollector,
  ValidationCollector,
  type ValidationHalf,
  type ValidationOptions,
} from '../../src/core/validation.js';
import { nameFirstCopies } from '../../src/input/first-copies.js';
import { type MergingConsumer, readHalf, readInHalves } from '../../src/input/halves.js';
import { type ReadOptions, readRecords } from '../../src/input/read.js';
import { renderFilePretty, renderValidationJson } from '../../src/render/validation.js';
import { binPath, runCli } from '../helpers/run-cli.js';
import { blanksAfterElements, useTwoThreads } from '../helpers/two-threads.js';

const write = useTwoThreads('callhook-validate-threads-');
let events: WireEvent[];
beforeAll(() => {
  events = [...generateCalls({ seed: 5, calls: 100, envelope: 'all' })];
});

// As validate reads: naming a redelivery's first copy at once when it was among the last first seen.
const withRing: ReadOptions = { readSize: 4096, chunkSize: 1000, firstCopies: true };

/** Validates `path` on two threads (when `readInHalves` takes it) and on one. */
async function both(path: string, options: ValidationOptions = {}, tiny = withRing) {
  const two = new ValidationCollector(options);
  const consumer: MergingConsumer<ValidationHalf> = {
    add: (records) => {
      for (const record of records) two.add(record);
    },
    state: () => {
      throw new Error('not asked of the main side');
    },
    merge: (half, redeliveries, cut) => two.mergeHalf(half, redeliveries, cut),
    // As validate reads: what the report will not list is counted, not built (see `ReadOptions.mayListFrom`).
    mayListFrom: (at) => two.mayListFrom(at),
  };
  const outcome = await readInHalves(path, tiny, consumer, {
    read: (from, halfOptions) => {
      const half = new HalfValidationCollector(path, options);
      return readHalf(
        path,
        from,
        { ...tiny, ...halfOptions },
        {
          add: (records) => {
            for (const record of records) half.add(record);
          },
          state: () => half.state(),
          merge: () => 'a worker merges nothing',
          mayListFrom: (at) => half.mayListFrom(at),
        },
      );
    },
  });
  if (!outcome.consumed) {
    for await (const records of readRecords([path], { ...tiny, mayListFrom: consumer.mayListFrom }))
      consumer.add(records);
  }
  const one = new ValidationCollector(options);
  for await (const records of readRecords([path], tiny)) for (const record of records) one.add(record);
  // As validate does once a file is read: the redeliveries' warnings name their first copies.
  for (const report of [one.report(), two.report()]) await nameFirstCopies(report.files[0]!.problems, [path]);
  return { how: outcome.how, two: two.report(), one: one.report() };
}

async function expectSame(path: string, how: RegExp, options: ValidationOptions = {}, read = withRing) {
  const run = await both(path, options, read);
  expect(run.how).toMatch(how);
  expect(renderValidationJson(run.two)).toBe(renderValidationJson(run.one));
  // The pretty report too, code frames and all.
  const plain = new Proxy({}, { get: () => (text: string) => text }) as Parameters<typeof renderFilePretty>[1];
  expect(renderFilePretty(run.two.files[0]!, plain)).toBe(renderFilePretty(run.one.files[0]!, plain));
  return run.one;
}

const twoThreads = /^two threads \(the second from byte \d+\)$/;
const pastItsArray = /^one thread \(the second half read on past the top-level array it began in\)$/;
const pretty = (list: unknown[]) => JSON.stringify(list, null, 2);

/**
 * The duplicate-id message of a redelivery of `id` in `text` (pretty-printed `list`, saved at
 * `path`): an element begins (at column 3) on the line before its id's, and the first with that id is named.
 */
function redeliveryOf(path: string, text: string, list: WireEvent[]) {
  const lines = text.split('\n');
  const first = (id: unknown) => {
    const index = list.findIndex((event) => event.id === id);
    return `${path}:${lines.findIndex((line) => line.includes(`"id": "${id}"`))}:3 (/${index})`;
  };
  return (id: unknown) => `event id ${id} was seen before: a redelivery of the event at ${first(id)}`;
}

/**
 * The export with problems spread through it: every 9th event has a duplicate key (a warning),
 * every 13th lacks its createdAt (an error), every 17th an unknown event type (an error), every
 * 5th is redelivered 7 events later (a `duplicate-id` warning: wherever the halves are cut, a
 * pair falls on both sides of it, as the data once gave only by chance), and the second half has a
 * missing comma and an element cut short.
 */
function damaged(): string {
  const list: WireEvent[] = [];
  events.forEach((event, i) => {
    let copy = event as Record<string, unknown>;
    if (i % 13 === 5) {
      const { createdAt: _, ...rest } = copy;
      copy = rest;
    }
    if (i % 17 === 3) copy = { ...copy, eventType: 'CallCompleted' };
    list.push(copy as WireEvent);
  });
  for (let i = list.length - 1; i >= 0; i--) if (i % 5 === 2) list.splice(Math.min(i + 8, list.length), 0, list[i]!);
  let text = pretty(list);
  let n = 0;
  text = text.replaceAll('"eventType": ', (key) => (n++ % 9 === 4 ? `"eventType": "CallComplete",\n    ${key}` : key));
  const between = '\n  },\n  {';
  const comma = text.indexOf(between, Math.floor(text.length * 0.75));
  text = `${text.slice(0, comma)}\n  }\n  {${text.slice(comma + between.length)}`;
  const cut = text.indexOf('\n    "data": {', Math.floor(text.length * 0.9));
  return `${text.slice(0, cut)}\n    "data": {"status": \n  },${text.slice(text.indexOf('\n  },\n  {', cut) + 5)}`;
}

describe('validate on two threads', () => {
  it('reads a clean export in two halves and reports exactly what one thread does', async () => {
    const report = await expectSame(write('clean.json', pretty(events)), twoThreads);
    expect(report.totals).toMatchObject({ events: events.length, errors: 0, warnings: 0 });
  });

  it('moves the second half’s problems to their lines, columns and pointers, and adds the redeliveries’ warnings', async () => {
    const path = write('damaged.json', damaged());
    const report = await expectSame(path, /^two threads \(the second from byte \d+, \d+ redelivered event\(s\)/);
    const codes = new Set(report.files[0]!.problems.map((p) => p.code));
    for (const code of ['duplicate-id', 'duplicate-key', 'missing-field', 'unknown-event-type', 'missing-comma']) {
      expect(codes).toContain(code);
    }
    // With --max-problems, whether the budget runs out in the first half or the second.
    const total = report.totals.errors + report.totals.warnings;
    for (const maxProblems of [0, 3, Math.floor(total / 2), Math.floor(total * 0.8), total + 5]) {
      await expectSame(path, /^two threads/, { maxProblems });
    }
  });

  it('says where each redelivery’s first copy was: in the first half, or in the second', async () => {
    // events[2] (first half) is redelivered twice in the second half, a late event once there.
    const at = (fraction: number) => Math.floor(events.length * fraction);
    const late = events[at(0.8)]!;
    const list: WireEvent[] = [...events];
    list.splice(at(0.95), 0, late);
    list.splice(at(0.9), 0, events[2]!);
    list.splice(at(0.7), 0, events[2]!);
    const text = pretty(list);
    const path = write('first-copies.json', text);
    const report = await expectSame(path, /^two threads \(the second from byte \d+, 1 redelivered event\(s\)/);
    const messages = report.files[0]!.problems.filter((p) => p.code === 'duplicate-id').map((p) => p.message);
    const named = redeliveryOf(path, text, list);
    expect(messages).toEqual([named(events[2]!.id), named(events[2]!.id), named(late.id)]);
    // With --max-problems 2, the third is counted, not named; the two kept are named as before.
    const kept = await expectSame(path, /^two threads/, { maxProblems: 2 });
    expect(kept.files[0]!.problems.map((p) => p.message)).toEqual([named(events[2]!.id), named(events[2]!.id)]);
    // Found by reading again alone (as when the first copy is not among the last first seen).
    const again = await expectSame(path, /^two threads/, {}, { ...withRing, firstCopies: false });
    expect(again.files[0]!.problems.map((p) => p.message)).toEqual(messages);
  });

  it('warns of a redelivered call of an undocumented status (counted, so once per id) in either half', async () => {
    // Calls of an undocumented status fail validation but are counted (summarise's Other), so a
    // later copy is a redelivery as for a valid event: one of the first half redelivered twice in
    // the second (the second time with a documented status), and a late one in the second half.
    const voicemail = (event: WireEvent) => ({ ...event, data: { ...(event.data as object), status: 'Voicemail' } });
    const isCall = (event: WireEvent) => 'eventType' in event && event.eventType === 'CallComplete';
    const at = (fraction: number) => Math.floor(events.length * fraction);
    const early = events.findIndex((event, i) => i > 2 && isCall(event));
    const late = events.findIndex((event, i) => i > at(0.8) && isCall(event));
    const list: WireEvent[] = events.map((event, i) =>
      i === early || i === late ? voicemail(event) : event,
    ) as WireEvent[];
    list.splice(at(0.95), 0, list[late]!);
    list.splice(at(0.9), 0, events[early]!);
    list.splice(at(0.7), 0, list[early]!);
    const text = pretty(list);
    const path = write('undocumented.json', text);
    const report = await expectSame(path, /^two threads \(the second from byte \d+, 1 redelivered event\(s\)/);
    const named = redeliveryOf(path, text, list);
    const messages = report.files[0]!.problems.filter((p) => p.code === 'duplicate-id').map((p) => p.message);
    expect(messages).toEqual([named(events[early]!.id), named(events[early]!.id), named(events[late]!.id)]);
    expect(report.totals).toMatchObject({ invalid: 4, warnings: 3 });
    // Found by reading again alone (as when the first copy is not among the last first seen).
    const again = await expectSame(path, /^two threads/, {}, { ...withRing, firstCopies: false });
    expect(again.files[0]!.problems.filter((p) => p.code === 'duplicate-id').map((p) => p.message)).toEqual(messages);
  });

  it('counts lines and columns the same with CRLF line ends and text outside ASCII', async () => {
    // Columns count UTF-16 code units: an astral character is two, a 2-byte one is one.
    const text = damaged().replaceAll('"name": "', '"name": "Zoë 😀 ').replaceAll('\n', '\r\n');
    const report = await expectSame(
      write('crlf.json', text),
      /^two threads \(the second from byte \d+, \d+ redelivered/,
    );
    expect(report.totals.warnings).toBeGreaterThan(5);
  });

  it('reads NDJSON in two halves, a line batch and redeliveries among them', async () => {
    // Text outside ASCII before the redelivery in the line batch: its column counts UTF-16 units.
    const lines = events.map((event) => JSON.stringify(event).replaceAll('"name":"', '"name":"Zoë 😀 '));
    const late = Math.floor(lines.length * 0.8);
    lines.splice(late, 2, `[${lines[late]}, ${lines[late + 1]}, ${lines[3]}]`);
    lines.push(lines[1]!, lines[Math.floor(lines.length * 0.55)]!);
    lines[late + 5] = lines[late + 5]!.replace('"id":', '"id": 1, "x":');
    const report = await expectSame(write('export.ndjson', `${lines.join('\n')}\n`), /^two threads/);
    expect(report.totals.warnings).toBeGreaterThanOrEqual(3);
  });

  it('points a redelivery across the halves at its element in a line batch, whatever its place among the events first seen', async () => {
    // NDJSON of batches, then the same again: the half kept each first-seen event's index as its
    // gap from its count, -1 meaning a lone value, so an element whose index was its count less
    // one got pointer `/id` for `/0/id` (helper-157): here each second batch of the half.
    for (const size of [1, 3, 4]) {
      const batches: string[] = [];
      for (let i = 0; i + size <= 32; i += size) batches.push(JSON.stringify(events.slice(i, i + size)));
      const text = `${batches.join('\n')}\n${batches.join('\n')}\n`;
      const report = await expectSame(write(`batches-${size}.ndjson`, text), /^two threads/);
      expect(report.totals.warnings).toBe(batches.length * size);
    }
  });

  it('names the line where a batch the second half reads opened, in its message, as one thread does', async () => {
    // "the array opened at line 2" counted the second half's lines from where it began (helper-157).
    const batches: string[] = [];
    for (let i = 0; i + 3 <= 48; i += 3) batches.push(JSON.stringify(events.slice(i, i + 3)));
    const late = Math.floor(batches.length * 0.8);
    batches[late] = batches[late]!.slice(0, 300);
    // Hint: the line cuts an element there, which says so (one problem); the next is left open
    // after a whole element, and its line says where the array opened (red team hF59).
    batches[late + 1] = batches[late + 1]!.slice(0, -1);
    const report = await expectSame(write('cut-batches.ndjson', `${batches.join('\n')}\n`), /^two threads/);
    expect(report.files[0]!.problems.map((p) => p.message).join('\n')).toMatch(/opened at line \d+, column 1\b/);
    // And the top-level array the second half began in, opened where its reader never was.
    const unclosed = `\uFEFF\n\n  ${pretty(events.slice(0, 40)).replace(/\n\]$/, '\n')}`;
    const pretty2 = await expectSame(write('unclosed.json', unclosed), twoThreads);
    expect(pretty2.files[0]!.problems.map((p) => p.message)).toContain(
      'unexpected end of file: the array opened at line 3, column 3 is not closed',
    );
    // A key that says the same is payload, quoted as it is.
    const keyed = events
      .slice(0, 40)
      .map((event, i) => (i === 35 ? { ...event, 'the array opened at line 2, column 9': 1 } : event));
    const quoted = await expectSame(write('keyed.json', pretty(keyed)), twoThreads, {}, { ...withRing, strict: true });
    expect(quoted.files[0]!.problems.map((p) => p.message).join('\n')).toContain(
      '"the array opened at line 2, column 9"',
    );
  });

  it('frames a trailing comma at the very end of the file, read by the second half, as one thread does', async () => {
    const lines = events.map((event) => JSON.stringify(event));
    for (const [name, text] of [
      ['trailing.ndjson', `${lines.join('\n')},\n`],
      ['trailing-open.json', pretty(events).replace(/\n]$/, ',\n')],
    ] as const) {
      const report = await expectSame(write(name, text), twoThreads);
      expect(report.files[0]!.problems.map((p) => p.code)).toContain('trailing-comma');
    }
  });

  it('frames a problem on the first line of the element the second half begins with, and of one after it there, as one thread does', async () => {
    // The second thread starts at an element's `{`: the blanks before it are its line's too.
    const lines = Array.from({ length: 300 }, (_, i) => `  {"a":${i} "b":2}, {"c":1 "d":2}`);
    const report = await expectSame(write('first-lines.json', `[\n${lines.join(',\n')}\n]\n`), twoThreads);
    expect(report.files[0]!.problems.filter((p) => p.code === 'missing-comma')).toHaveLength(2 * lines.length);
  });

  it('reads a batch of one compact element a line, every other one cut, as one thread does', async () => {
    // Whichever element the second thread starts with, half the time it is a cut one: it must end
    // with its line, as the first thread ends it, not run on to the end of the file.
    const lines = events.map((event) => JSON.stringify(event));
    const firstLines: string[] = [];
    for (const parity of [0, 1]) {
      const cut = lines.map((line, i) => (i % 2 === parity ? line.slice(0, 60) : line));
      const text = `[\n${cut.join(',\n')}\n]\n`;
      const run = await both(write(`compact-${parity}.json`, text));
      expect(renderValidationJson(run.two)).toBe(renderValidationJson(run.one));
      expect(run.one.totals.invalid).toBe(lines.filter((_, i) => i % 2 === parity).length);
      const from = /second from byte (\d+)/.exec(run.how)?.[1];
      if (from !== undefined) firstLines.push(Buffer.from(text).subarray(Number(from)).toString().split('\n')[0] ?? '');
    }
    // Hint: said outright, as the data once gave it only by chance: the case this test is for
    // came up, a second thread starting with a cut element (a whole one ends its line with `}`).
    expect(firstLines.some((line) => !/\},?$/.test(line))).toBe(true);
  });

  it('reads a batch laid out as the platform prints one, every line at column 1, cut elements and all, as one thread does', async () => {
    // Its nested `{` lines (flow steps) are at column 1 too, so the second thread's guess may fall
    // on one; a cut element, in either half, ends where the next event begins on both readings.
    const parts = events.map((event) => JSON.stringify(event, null, 2).replace(/\n +/g, '\n'));
    const cut = (part: string) => part.split('\n').slice(0, 9).join('\n');
    // Hint: a cut element in the first half is open where the second thread began, so the first
    // reads on alone; one in the second half is ended by the second thread.
    const cases: Array<[number[], RegExp]> = [
      [[], twoThreads],
      [[20], /^one thread \(byte \d+ is not between two elements/],
      [[200], twoThreads],
      [[199, 200, 240], twoThreads],
    ];
    for (const [victims, how] of cases) {
      const list = parts.map((part, i) => (victims.includes(i) ? cut(part) : part));
      const path = write(`column1-${victims.join('-')}.json`, `[\n${list.join(',\n')}\n]\n`);
      const report = await expectSame(path, how);
      expect(report.totals).toMatchObject({ events: events.length, invalid: victims.length });
    }
  });

  it('reads stray characters before elements (no-break spaces, a BOM, an `@`) as one thread does, each no element', async () => {
    // Each was an element of its own, with a false missing comma: every later pointer was one off.
    // (A symbol is stray only right before the value: `@ {` stands where a value does.)
    // Every fourth element, the first too, is left as it was: the second thread begins at one.
    const lines = pretty(events).split('\n');
    let n = 0;
    const text = lines
      .map((line) => (line === '  {' ? `${['  ', '\u00a0\u00a0', '\ufeff', ' @'][n++ % 4]}{` : line))
      .join('\n');
    const report = await expectSame(write('stray-characters.json', text), twoThreads);
    expect(report.totals).toMatchObject({ events: events.length, invalid: 0, errors: n - Math.ceil(n / 4) });
    const codes = new Set(report.files[0]!.problems.map((problem) => problem.code));
    expect([...codes]).toEqual(['invalid-symbol']);
  });

  it('reads stray blanks after elements (before the `,` or `]`, or ending NDJSON) as one thread does, each no element', async () => {
    // Each was an element of its own after a false missing comma (see `blanksAfterElements` for where the cut falls).
    const { batch, ndjson } = blanksAfterElements(events, ['\u00a0', '\f', '\u2028', '\ufeff', '\v\u200b']);
    const report = await expectSame(write('blanks-after.json', batch), twoThreads);
    expect(report.totals).toMatchObject({ events: events.length, invalid: 0, errors: events.length });
    expect(new Set(report.files[0]!.problems.map((problem) => problem.code))).toEqual(new Set(['invalid-symbol']));
    // Hint: the JSON only, as for other problems between two values: a code frame shows what the
    // read in hand holds of the line before, which one thread and two may cut apart.
    const lines = await both(write('blanks-after.ndjson', ndjson));
    expect(lines.how).toMatch(twoThreads);
    expect(renderValidationJson(lines.two)).toBe(renderValidationJson(lines.one));
    expect(lines.one.totals).toMatchObject({ events: events.length, invalid: 0, errors: events.length + 1 });
  });

  it('reads a block comment over the middle of the file as one thread does, the second half begun inside it or not', async () => {
    // The second thread began at an element inside the comment, and the first took it for where
    // the second began: the comment's elements were counted, its close an invalid element, and its
    // own problem lost (review hR67).
    const lines = pretty(events).split('\n');
    const starts = lines.flatMap((line, i) => (line === '  {' ? [i] : []));
    const [from, to] = [starts[Math.floor(starts.length * 0.3)]!, starts[Math.floor(starts.length * 0.8)]!];
    const text = [
      ...lines.slice(0, from),
      '  /* old events, kept for reference:',
      ...lines.slice(from, to),
      '  */',
      ...lines.slice(to),
    ].join('\n');
    const report = await expectSame(write('block-comment.json', text), /./);
    expect(report.totals.events).toBe(
      events.length - (Math.floor(starts.length * 0.8) - Math.floor(starts.length * 0.3)),
    );
    expect(report.files[0]!.problems.map((problem) => problem.code)).toEqual(['comment']);
  });

  it('reads on alone when the second half reads on past its top-level array', async () => {
    const half = Math.floor(events.length * 0.6);
    const text = `${pretty(events.slice(0, half))}\n${pretty(events.slice(half, half + 3))}\n`;
    // Said as what happened: there were no redeliveries to take out (review hR85).
    await expectSame(write('two-arrays.json', text), pastItsArray);
  });

  it('reads the batch after one that lost its "]" as a batch of its own, as one thread does', async () => {
    // The first export without its last line, the second after it: the second half reads on past
    // the first array, at the `]` lost, so one thread reads on alone; nested, 20 events were one (red team hR84).
    const half = Math.floor(events.length * 0.8);
    const first = pretty(events.slice(0, half));
    const text = `${first.slice(0, first.lastIndexOf('\n]'))}\n${pretty(events.slice(half))}\n`;
    const report = await expectSame(write('lost-bracket.json', text), pastItsArray);
    expect(report.totals).toMatchObject({ events: events.length, invalid: 0, errors: 1 });
    expect(report.files[0]!.problems.map((p) => [p.code, p.pointer])).toEqual([['unexpected-token', '']]);
  });

  it('with -q and --max-problems, lists the errors past warnings of the second half, and counts no warning as not shown', async () => {
    // A clean first half; in the second, redeliveries (warnings -q does not list), then errors.
    const n = events.length;
    const list: WireEvent[] = events.map((event, i) => {
      if (i >= n - 10) return { ...event, eventType: 'CallCompleted' } as WireEvent;
      if (i >= n - 40 && i < n - 35) return { ...event, id: events[n - 41]!.id } as WireEvent;
      return event;
    });
    const path = write('quiet.json', pretty(list));
    const quiet = { maxProblems: 3, listWarnings: false };
    const report = await expectSame(path, twoThreads, quiet);
    expect(report.files[0]).toMatchObject({ errors: 10, warnings: 5, omitted: 7 });
    expect(report.files[0]!.problems.map((problem) => problem.code)).toEqual(Array(3).fill('unknown-event-type'));
    // validate -q itself: the worker is told too.
    const run = (env: string) =>
      runCli(['validate', path, '-q', '--max-problems', '3', '--no-color'], { env: { CALLHOOK_THREADS: env } });
    const [two, one] = await Promise.all([run('2,trace'), run('1')]);
    expect(two.stderr).toMatch(/^callhook: read on two threads/);
    expect(two.stdout).toBe(one.stdout);
    expect(one.stdout).toContain('7 more problems not shown (--max-problems)');
  });

  it('once --max-problems are listed, counts the rest in either half as one thread reading every problem reports', async () => {
    const typed: ReadOptions = { ...withRing, type: 'CallComplete' };
    const n = 600;
    const late = '{"a":1},,\n[{"a":1},{"b":2}],,\n'.repeat(n / 2);
    const files: Array<[string, string, ReadOptions]> = [
      // Ten missing fields each, with --type CallComplete.
      ['objects.json', `[\n${Array(n).fill('  {}').join(',\n')}\n]\n`, typed],
      // A trailing comma is found after the doubled comma that follows it, but placed before it.
      // Hint: only after the cut: a top-level comma before it keeps the second thread out.
      ['late.ndjson', `${events.map((event) => JSON.stringify(event)).join('\n')}\n${late}`, withRing],
    ];
    for (const [name, text, read] of files) {
      const path = write(name, text);
      const { errors, warnings } = (await both(path, {}, read)).one.totals;
      const total = errors + warnings;
      // Filled in the first half, at a problem found late in the second, or in the second.
      for (const maxProblems of [1, 2, 3, 11, Math.floor(total * 0.3), Math.floor(total * 0.7)]) {
        for (const listWarnings of [true, false]) {
          // Hint: the JSON only: the code frame of a problem between two values shows what the
          // read in hand holds of the line before, which one thread and two may cut apart.
          const run = await both(path, { maxProblems, listWarnings }, read);
          expect(run.how, name).toMatch(twoThreads);
          expect(renderValidationJson(run.two), `${name} ${maxProblems}`).toBe(renderValidationJson(run.one));
        }
      }
    }
  });

  it('the built CLI, its address space limited (ulimit -v): validate, summarise and generate keep to one thread', () => {
    // A worker could not reserve its code space there: V8 aborted the process (exit 133, a native
    // stack) where one thread runs, even asked for two.
    // Hint: 1.3 GB, where one thread runs and a worker cannot start (here a worker needs about
    // 1.5 GB, and Node alone about 0.95: at 1 GB the one-bundle CLI ran out of room to start its
    // own threads in two runs of six, ci-CI).
    const path = write('limited.json', damaged());
    const limited = (...args: string[]) =>
      spawnSync('bash', ['-c', 'ulimit -v 1300000 && exec "$@"', 'limited', process.execPath, binPath, ...args], {
        encoding: 'utf8',
        env: { ...process.env, CALLHOOK_THREADS: '2,trace', NO_COLOR: '1' },
      });
    const reason = 'one thread (its address space is limited: ulimit -v)';
    for (const [command, status] of [
      ['validate', 1],
      ['summarise', 0],
    ] as const) {
      const run = limited(command, path, '--format', 'json');
      expect([run.stderr.split('\n')[0], run.status]).toEqual([`callhook: read on ${reason}`, status]);
    }
    const generated = limited('generate', '--count', '3');
    expect([generated.stderr.split('\n')[0], generated.status]).toEqual([`callhook: generated on ${reason}`, 0]);
  });

  it('the built CLI: a word CALLHOOK_THREADS does not take, or 1 with 2, is warned of, not ignored unsaid', async () => {
    // `CALLHOOK_THREADS=3` (three threads?) or a typo changed nothing, and nothing said so; nor
    // that `1` had overruled `2` in `2,1,trace`, read on one thread (red team hR91).
    for (const [words, warning] of [
      ['3,trace, tarce', "'3', 'tarce' are none of 1, 2, trace, times, and ignored"],
      ['2,1,trace', "'1' and '2' both given: '1' is followed (one thread)"],
      [
        '1,2,3,trace',
        "'3' is none of 1, 2, trace, times, and ignored; '1' and '2' both given: '1' is followed (one thread)",
      ],
      // A long word by its first 40 characters, and the first 3 words of many: 100 KB or 5,000
      // odd words were said whole, on every run (red team hR125).
      [`${'x'.repeat(100_000)},trace`, `'${'x'.repeat(40)}…' is none of 1, 2, trace, times, and ignored`],
      [
        `${Array.from({ length: 5000 }, (_, i) => `w${i}`).join(',')},trace`,
        "'w0', 'w1', 'w2' and 4,997 more are none of 1, 2, trace, times, and ignored",
      ],
    ] as const) {
      const env = { CALLHOOK_THREADS: words };
      const runs = await Promise.all([
        runCli(['validate', 'fixtures/valid/bare-types.json', '-q'], { env }),
        runCli(['summarise', 'fixtures/valid/bare-types.json', '--format', 'json'], { env }),
        runCli(['generate', '--count', '1'], { env }),
      ]);
      // Unwrapped: a warning is wrapped to 80 columns, its later lines indented.
      const lines = runs.map((run) => run.stderr.replaceAll('\n  ', ' ').split('\n'));
      expect(runs.map((run, n) => [lines[n]?.[0], run.code])).toEqual(
        runs.map(() => [`callhook: warning: CALLHOOK_THREADS: ${warning}`, 0]),
      );
      // The words it takes still act: trace says which way each ran.
      const [read, generated] = words.split(',').includes('1')
        ? ['(CALLHOOK_THREADS=1)', '(CALLHOOK_THREADS=1)']
        : ['(not a regular file of 48 MiB or more)', '(fewer than 50000 events)'];
      expect(lines.map((line) => line[1])).toEqual([
        `callhook: read on one thread ${read}`,
        `callhook: read on one thread ${read}`,
        `callhook: generated on one thread ${generated}`,
      ]);
    }
  });

  it('the built CLI: a real worker, the same JSON and pretty report as one thread', async () => {
    const path = write('cli.json', damaged());
    const run = (env: string, format: string, file = path) =>
      runCli(['validate', file, '--format', format], { env: { CALLHOOK_THREADS: env } });
    // Hint: the CLI on one thread, beside it: the --max-problems runs below leave problems out of
    // this file's 122, so they cannot show the whole default report equal (review hR81).
    const [two, one] = await Promise.all([run('2,trace,times', 'json'), run('1', 'json')]);
    expect(two.stderr).toMatch(/^callhook: read on two threads \(the second from byte \d+, \d+ redelivered/);
    // `times` as summarise says them: validate took the word and said nothing (red team hR118).
    expect(two.stderr).toMatch(
      /\ncallhook: times \(ms since start\): main began \d+, .*worker ended \d+.*; .*main cpu ms \d+.*\n$/,
    );
    expect(two.code).toBe(1);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stdout).toBe(renderValidationJson((await both(path)).one));
    // A worker chooses its own cut: the array it is in still opened where the file says.
    const unclosed = write('unclosed-cli.json', `\uFEFF\n  ${pretty(events.slice(0, 60)).replace(/\n\]$/, '\n')}`);
    const [twoOpen, oneOpen] = await Promise.all([run('2,trace', 'json', unclosed), run('1', 'json', unclosed)]);
    expect(twoOpen.stderr).toMatch(/^callhook: read on two threads/);
    expect(twoOpen.stdout).toContain('the array opened at line 2, column 3 is not closed');
    expect(twoOpen.stdout).toBe(oneOpen.stdout);
    // Code frames too: those of commas missing between elements after lines longer than a frame
    // shows began where a read began (a line before shown from its middle, or not at all), and
    // asked for two threads the reads fall elsewhere: the worker's, or the first thread's up to its cut.
    const lines = Array.from({ length: 600 }, (_, i) => `  {"id":"${i}","pad":"${'x'.repeat(100 + (i % 7))}"}`);
    const long = write(
      'long-lines.json',
      `[\n${lines.slice(0, 200).join(',\n')},\n${lines.slice(200).join('\n')}\n]\n`,
    );
    for (const file of [path, long]) {
      const [twoPretty, onePretty] = await Promise.all([run('2', 'pretty', file), run('1', 'pretty', file)]);
      expect(twoPretty.stdout).toContain('missing comma');
      expect(twoPretty.stdout).toBe(onePretty.stdout);
    }
    const batched = await runCli(['validate', path, '--batch-size', '10', '--format', 'json'], {
      env: { CALLHOOK_THREADS: '2,trace' },
    });
    expect(batched.stderr).toBe('callhook: read on one thread (--batch-size counts each batch whole)\n');
    // With --max-problems, which the reader of each half is told of: what one thread reading every problem reports.
    for (const maxProblems of [1, 60]) {
      const args = ['validate', path, '--format', 'json', '--max-problems', String(maxProblems)];
      const [capped, cappedOne] = await Promise.all(
        ['2,trace', '1'].map((env) => runCli(args, { env: { CALLHOOK_THREADS: env } })),
      );
      expect(capped!.stderr).toMatch(/^callhook: read on two threads \(the second from byte \d+, \d+ redelivered/);
      const every = renderValidationJson((await both(path, { maxProblems })).one);
      expect(capped!.stdout).toBe(every);
      expect(cappedOne!.stdout).toBe(every);
    }
  });
});
