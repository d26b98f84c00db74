// summarise reads one large export on two threads. Whatever the file, the report must be the one
// a single thread gives. Most tests here run both readings in this process on small files (with
// CALLHOOK_THREADS=2, which asks for two threads below the 48 MiB from which they pay, and tiny
// reads, so that each side of the cut still takes many): the second half is read by a function
// on this thread instead of a worker, through the same code. The last test runs the built CLI,
// where the second half is a real worker thread.
import { renameSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { summaryConsumerOf } from '../../src/commands/summarise-worker.js';
import { generateCalls, type WireEvent } from '../../src/core/generate.js';
import { SummaryAccumulator, type SummaryOptions, summaryExitCode } from '../../src/core/summary.js';
import { findMidpoint, readHalf, readInHalves } from '../../src/input/halves.js';
import { type ReadOptions, readRecords } from '../../src/input/read.js';
import { renderSummaryJsonParts } from '../../src/render/summary-json.js';
import { detectTypeByShape } from '../../src/schema/check.js';
import { garbageBytes } from '../helpers/garbage.js';
import { runCli } from '../helpers/run-cli.js';
import { blanksAfterElements, useTwoThreads } from '../helpers/two-threads.js';

/** The report as summarise writes it in JSON, its pieces joined. */
const renderSummaryJson = (report: Parameters<typeof renderSummaryJsonParts>[0]) =>
  [...renderSummaryJsonParts(report)].join('');

const write = useTwoThreads('callhook-threads-');
let events: WireEvent[];
beforeAll(() => {
  events = [...generateCalls({ seed: 11, calls: 120, envelope: 'all' })];
});

const pretty = (list: unknown[]) => JSON.stringify(list, null, 2);
const ndjson = (list: unknown[]) => `${list.map((event) => JSON.stringify(event)).join('\n')}\n`;

// Tiny reads: each half takes many of them, and elements are cut across them.
const tiny: ReadOptions = { warnings: false, readSize: 4096, chunkSize: 1000 };

/** The report and its JSON, on two threads (if `readInHalves` takes the file) and on one. */
async function both(path: string, options: SummaryOptions = {}, read: ReadOptions = tiny) {
  const two = new SummaryAccumulator(options);
  const outcome = await readInHalves(path, read, summaryConsumerOf(two), {
    read: (from, halfOptions) =>
      readHalf(path, from, { ...read, ...halfOptions }, summaryConsumerOf(new SummaryAccumulator(options))),
  });
  if (!outcome.consumed) for await (const records of readRecords([path], read)) for (const r of records) two.add(r);
  const one = new SummaryAccumulator(options);
  for await (const records of readRecords([path], read)) for (const r of records) one.add(r);
  return { how: outcome.how, two: two.report(), one: one.report() };
}

/** Expects the two readings to give the same report, to the byte of its JSON, and returns it. */
async function expectSame(path: string, how: RegExp, options: SummaryOptions = {}, read?: ReadOptions) {
  const run = await both(path, options, read);
  expect(run.how).toMatch(how);
  expect(run.two).toEqual(run.one);
  expect(renderSummaryJson(run.two)).toBe(renderSummaryJson(run.one));
  return run.one;
}

const twoThreads = /^two threads \(the second from byte \d+\)$/;
const takenOut = (n: number) =>
  new RegExp(
    `^two threads \\(the second from byte \\d+, ${n} redelivered event\\(s\\) across the halves taken out\\)$`,
  );

/** Redeliveries spread through the file at `path`: one thread and two agree under each of `optionsList`. */
async function expectSpread(path: string, optionsList: SummaryOptions[], duplicates: number) {
  for (const options of optionsList) {
    const run = await both(path, options);
    expect(run.how).toMatch(
      /^two threads \(the second from byte \d+(, \d+ redelivered event\(s\) across the halves taken out)?\)$/,
    );
    expect(renderSummaryJson(run.two)).toBe(renderSummaryJson(run.one));
    expect(run.one.duplicates).toBe(duplicates);
  }
}

/** The first half of `list` twice: every event of the second half redelivers one of the first. */
async function expectDoubled(name: string, list: WireEvent[]) {
  const half = Math.floor(list.length / 2);
  const doubled = write(name, pretty([...list.slice(0, half), ...list.slice(0, half)]));
  const report = await expectSame(doubled, /^two threads .*taken out\)$/, { by: 'campaign', top: 0 });
  expect(report.duplicates).toBe(half);
}

/** `list` with a copy of each event at `from` (an index into `list`) inserted `after` positions later. */
function redeliver(list: WireEvent[], copies: { from: number; after: number }[]): WireEvent[] {
  const out = [...list];
  // From the last insertion point backwards, so that earlier indices stay right.
  const inserts = copies.map(({ from, after }) => ({ at: from + after + 1, event: list[from]! }));
  inserts.sort((a, b) => b.at - a.at);
  for (const { at, event } of inserts) out.splice(Math.min(at, out.length), 0, event);
  return out;
}

/** The index in `list` of the element at the byte where the second half starts. */
async function cutIndex(list: WireEvent[], text: (list: WireEvent[]) => string): Promise<number> {
  const path = write('probe.json', text(list));
  const from = await findMidpoint(path, Buffer.byteLength(text(list)));
  expect(from).toBeDefined();
  const head = Buffer.from(text(list)).subarray(0, from!.offset).toString();
  // Each element holds its id once; count the ids before the cut.
  return head.split('"id": ').length - 1 + (head.split('"id":"').length - 1);
}

/**
 * A file whose second half starts at the element of index `cut` of the list `build(cut)` makes
 * (`cut` is also the index of that element in `events`: `build` inserts its copies there or
 * later). The copies move the middle of the file, so blank lines at its end move it back.
 */
async function aroundCut(
  name: string,
  build: (cut: number) => WireEvent[],
  text: (list: WireEvent[]) => string,
  base: WireEvent[] = events,
): Promise<{ path: string; list: WireEvent[]; cut: number }> {
  const needle = text === pretty ? '\n  {' : '\n{';
  for (let cut = (await cutIndex(base, text)) - 6; cut < base.length; cut++) {
    const list = build(cut);
    const body = text(list);
    const bytes = Buffer.from(body);
    // Where the line break before each element is, in bytes (in NDJSON, the first element has none).
    const starts = text === pretty ? [] : [-1];
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) starts.push(at);
    for (let pad = 0; pad < 4000; pad++) {
      // As findMidpoint computes it (these files are far below 80 MiB).
      const size = bytes.length + pad;
      const middle = Math.floor(size / 2) + Math.floor(size / 20);
      if (middle > starts[cut]!) break;
      if (middle <= starts[cut - 1]!) continue;
      const path = write(name, body + '\n'.repeat(pad));
      expect(await cutIndex(list, () => body + '\n'.repeat(pad))).toBe(cut);
      return { path, list, cut };
    }
  }
  throw new Error('no cut where the copies were meant to be');
}

describe('summarise on two threads', () => {
  it('reads an export in two halves and reports exactly what one thread does', async () => {
    const path = write('export.json', pretty(events));
    for (const options of [{}, { by: 'campaign' as const }, { by: 'hour' as const, top: 0 }]) {
      const report = await expectSame(path, twoThreads, options);
      expect(report.elements).toBe(events.length);
      expect(report.duplicates).toBe(0);
    }
  });

  it('counts invalid events and problems between elements in the second half the same way', async () => {
    // A missing comma, and then an event without its id, both well past the middle.
    const text = pretty(events);
    const between = '\n  },\n  {';
    const at = text.indexOf(between, Math.floor(text.length * 0.8));
    let broken = `${text.slice(0, at)}\n  }\n  {${text.slice(at + between.length)}`;
    const id = broken.indexOf('\n    "id": ', Math.floor(broken.length * 0.9));
    broken = broken.slice(0, id) + broken.slice(broken.indexOf('\n', id + 1));
    const report = await expectSame(write('broken.json', broken), twoThreads);
    expect(report.inputErrors).toBe(1);
    expect(report.invalid).toBe(1);
  });

  it('counts the bytes of a file refused as binary up to where the binary data begins, however it is read', async () => {
    // The bytes counted were those of the reads made before the refusal: 5,505,024 on one thread
    // and 5,407,873 on two for the same file.
    const text = ndjson(events);
    const garbage = garbageBytes(5, 0x80, 128, 64 * 1024);
    // Well past the middle, where the second half is.
    const at = text.indexOf('\n', Math.floor(text.length * 0.9)) + 1;
    const path = write('binary-end.ndjson', '');
    writeFileSync(path, Buffer.concat([Buffer.from(text.slice(0, at)), garbage, Buffer.from(text.slice(at))]));
    for (const read of [tiny, { ...tiny, readSize: 1 << 18, chunkSize: 64 * 1024 }]) {
      const report = await expectSame(path, twoThreads, {}, read);
      expect({ bytes: report.bytes, elements: report.elements }).toEqual({
        bytes: Buffer.byteLength(text.slice(0, at)),
        elements: text.slice(0, at).split('\n').length - 1,
      });
      // The file is named as not read to its end, on either thread, so the run fails (exit 2).
      const offset = Buffer.byteLength(text.slice(0, at));
      expect(report.unreadableFiles).toEqual([
        {
          file: path,
          line: text.slice(0, at).split('\n').length,
          column: 1,
          message: `the file is not text: byte 0xFF at byte offset ${offset} is neither JSON nor UTF-8 (a binary file?)`,
        },
      ]);
      expect(summaryExitCode(report, false)).toBe(2);
    }
  });

  it('still reads in two halves an export with a Latin-1 byte in some of its events', async () => {
    // Bytes near the cut held as where binary data might begin made the first thread read on
    // alone: slower than one thread on an export with an é written as the byte E9 every few lines.
    const lines = ndjson(events)
      .split('\n')
      .map((line, i) =>
        i % 5 === 0 ? Buffer.from(line.replace('"time":"', '"time":"\xe9'), 'latin1') : Buffer.from(line),
      );
    const path = write('latin1.ndjson', '');
    writeFileSync(path, Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')])));
    const report = await expectSame(path, twoThreads, {}, { ...tiny, readSize: 1 << 16, chunkSize: 1 << 14 });
    expect(report.elements).toBe(events.length);
  });

  describe('with redeliveries across the cut, taken out of the second half instead of reading on alone', () => {
    it('at the cut, just before and after it, and at the end', async () => {
      // The element that starts the second half redelivers the one before the cut; the next ones
      // redeliver events a few places back; the last redelivers the first event of the file.
      const { path, list, cut } = await aroundCut(
        'at-cut.json',
        (cut) =>
          redeliver(events, [
            { from: cut - 1, after: 0 },
            { from: cut - 3, after: 3 },
            { from: cut - 6, after: 8 },
            { from: 0, after: events.length },
          ]),
        pretty,
      );
      expect(cut).toBeGreaterThan(10);
      expect(list[cut]).toBe(events[cut - 1]);
      const report = await expectSame(path, takenOut(4));
      expect(report.duplicates).toBe(4);
      expect(report.elements).toBe(list.length);
      expect((await both(path, { by: 'campaign', top: 0 })).how).toMatch(takenOut(4));
    });

    it('spread through the file, 2% of events redelivered 20 places later, some twice', async () => {
      const copies = [];
      for (let i = 3; i < events.length; i += 37) copies.push({ from: i, after: 20 });
      for (let i = 5; i < events.length; i += 111) copies.push({ from: i, after: 25 });
      const list = redeliver(events, copies);
      const path = write('spread.json', pretty(list));
      await expectSpread(path, [{}, { by: 'day' }, { by: 'phone', top: 3 }], copies.length);
      // Redelivered the other way round too: every event of the second half redelivers one of the first.
      await expectDoubled('doubled.json', events);
    });

    it('with filters, where a redelivery taken out was filtered out on the other side', async () => {
      const { path } = await aroundCut(
        'filtered.json',
        (cut) =>
          redeliver(events, [
            { from: cut - 1, after: 0 },
            { from: cut - 2, after: 2 },
            { from: cut - 4, after: 5 },
          ]),
        pretty,
      );
      for (const options of [
        { statuses: ['Complete' as const] },
        { since: Date.parse('2022-09-01T06:00:00Z'), until: Date.parse('2022-09-03T00:00:00Z') },
      ]) {
        const report = await expectSame(path, takenOut(3), options);
        expect(report.duplicates).toBe(3);
      }
    });

    it('takes out what the second copy said, not the first, when a redelivery differs', async () => {
      const changedCopy = (cut: number) => {
        const call = events.findLastIndex((e, i) => i < cut && 'eventType' in e && e.eventType === 'CallComplete');
        const original = events[call] as WireEvent & { data: { status: string; campaignId: string } };
        return {
          ...original,
          data: { ...original.data, status: 'Not Complete', campaignId: '00000000-0000-4000-8000-00000000c0de' },
        };
      };
      const { path } = await aroundCut(
        'differs.json',
        (cut) => [...events.slice(0, cut), changedCopy(cut) as WireEvent, ...events.slice(cut)],
        pretty,
      );
      const report = await expectSame(path, takenOut(1), { by: 'campaign', top: 0 });
      expect(report.groups?.rows.map((row) => row.key)).not.toContain('00000000-0000-4000-8000-00000000c0de');
    });

    it("takes a second copy's phone out of the customers, whose numbers tell which way an SMS went", async () => {
      // The copy calls a number no call of the file has; a bare SMS to that number is of unknown
      // direction on one thread, where the copy is a redelivery and its number never a customer's.
      const phone = '61400000999';
      const changedPhone = (cut: number) => {
        const call = events.findLastIndex((e, i) => i < cut && 'eventType' in e && e.eventType === 'CallComplete');
        const original = events[call] as WireEvent & { data: object };
        return { ...original, data: { ...original.data, phone } } as WireEvent;
      };
      const sms = {
        time: '2022-09-01T12:00:00.000Z',
        from: '61400000123',
        to: phone,
        message: 'Hello',
        campaignId: '00000000-0000-4000-8000-00000000c0de',
      } as unknown as WireEvent;
      const { path } = await aroundCut(
        'phone.json',
        (cut) => [...events.slice(0, cut), changedPhone(cut), ...events.slice(cut), sms],
        pretty,
      );
      // Hint: a set holds no counts, so the number cannot be taken out: one thread reads on alone.
      const alone = /^one thread \(the redeliveries across the halves could not be taken out exactly\)$/;
      for (const options of [{}, { by: 'phone' as const, top: 0 }]) {
        const report = await expectSame(path, alone, options);
        expect(report.duplicates).toBe(1);
        expect(report.sms.unknownDirection.count).toBe(1);
      }
    });

    it('reads on alone, still exact, when taking out would leave the time range unknown', async () => {
      // A second copy dated before everything: the second half's earliest time was the copy's,
      // and which of its events comes next is unknown without reading it again.
      const earlyCopy = (cut: number) => {
        const original = events[cut - 1] as WireEvent & { createdAt: string; data: Record<string, unknown> };
        const early = { ...original, createdAt: '2001-01-01T00:00:00.000Z', data: { ...original.data } };
        if ('startedTime' in early.data) early.data.startedTime = '2001-01-01T00:00:00.000Z';
        else early.data.time = '2001-01-01T00:00:00.000Z';
        return early as WireEvent;
      };
      const { path } = await aroundCut(
        'early.json',
        (cut) => [...events.slice(0, cut), earlyCopy(cut), ...events.slice(cut)],
        pretty,
      );
      const report = await expectSame(
        path,
        /^one thread \(the redeliveries across the halves could not be taken out exactly\)$/,
      );
      expect(report.duplicates).toBe(1);
      expect(report.timeRange?.first).not.toBe('2001-01-01T00:00:00.000Z');
    });
  });

  describe('with redelivered calls of an undocumented status (counted as Other, so once per id)', () => {
    // Every other call result has a status the documentation does not list: each fails
    // validation, yet is counted (as Other), so its redelivered copies must be counted once too.
    let odd: WireEvent[];
    beforeAll(() => {
      let calls = 0;
      odd = events.map((event) =>
        'eventType' in event && event.eventType === 'CallComplete' && calls++ % 2 === 0
          ? ({ ...event, data: { ...(event.data as object), status: 'Voicemail' } } as WireEvent)
          : event,
      );
    });
    const isOdd = (event: WireEvent | undefined) =>
      (event as { data?: { status?: string } } | undefined)?.data?.status === 'Voicemail';
    /** The index of the last undocumented-status call before `before`. */
    const lastOdd = (before: number) => odd.findLastIndex((event, i) => i < before && isOdd(event));
    const lastValid = (before: number) => odd.findLastIndex((event, i) => i < before && !isOdd(event));

    it('on one thread: each copy after the first is a redelivery, in every file layout', async () => {
      const copies = odd.flatMap((event, from) => (isOdd(event) ? [{ from, after: 4 }] : []));
      const list = redeliver(odd, copies);
      for (const text of [pretty, ndjson]) {
        const one = new SummaryAccumulator();
        const path = write('odd-one.json', text(list));
        for await (const records of readRecords([path], tiny)) for (const r of records) one.add(r);
        const report = one.report();
        expect(report.duplicates).toBe(copies.length);
        expect(report.events).toBe(odd.length);
        expect(report.undocumentedStatuses).toBe(copies.length);
        expect(report.callComplete.byStatus.Other.count).toBe(copies.length);
      }
    });

    it('at the cut, just before and after it, and at the end', async () => {
      const { path, list, cut } = await aroundCut(
        'odd-at-cut.json',
        (cut) =>
          redeliver(odd, [
            { from: lastOdd(cut), after: cut - 1 - lastOdd(cut) },
            { from: lastOdd(lastOdd(cut)), after: cut + 2 - lastOdd(lastOdd(cut)) },
            // and a valid event among them.
            { from: lastValid(cut), after: cut + 3 - lastValid(cut) },
            { from: odd.findIndex(isOdd), after: odd.length },
          ]),
        pretty,
        odd,
      );
      expect(isOdd(list[cut])).toBe(true);
      const report = await expectSame(path, takenOut(4));
      expect(report.duplicates).toBe(4);
      expect(report.elements).toBe(list.length);
      expect((await both(path, { by: 'campaign', top: 0 })).how).toMatch(takenOut(4));
      expect(await expectSame(path, takenOut(4), { statuses: ['Other'] })).toMatchObject({ duplicates: 4 });
    });

    it('takes out a copy that differs from its first by an undocumented status, and the other way round', async () => {
      const withStatus = (event: WireEvent, status: string) =>
        ({ ...event, data: { ...(event.data as object), status } }) as WireEvent;
      for (const [name, status] of [
        ['to-undocumented.json', 'Voicemail'],
        ['to-documented.json', 'Complete'],
      ] as const) {
        // The second half begins with a copy of the last call before the cut, its status changed.
        const { path } = await aroundCut(
          name,
          (cut) => {
            const call = odd.findLastIndex((e, i) => i < cut && 'eventType' in e && e.eventType === 'CallComplete');
            return [...odd.slice(0, cut), withStatus(odd[call]!, status), ...odd.slice(cut)];
          },
          pretty,
          odd,
        );
        const report = await expectSame(path, takenOut(1));
        expect(report.duplicates).toBe(1);
        expect(report.undocumentedStatuses).toBe(odd.filter(isOdd).length);
      }
    });

    it('spread through the file, in a pretty array and in NDJSON', async () => {
      // A third of the undocumented calls redelivered 20 places later, and a few valid events.
      const oddAt = odd.flatMap((event, i) => (isOdd(event) ? [i] : []));
      const copies = oddAt.filter((_, k) => k % 3 === 1).map((from) => ({ from, after: 20 }));
      for (let i = 5; i < odd.length; i += 41) copies.push({ from: i, after: 25 });
      const list = redeliver(odd, copies);
      for (const text of [pretty, ndjson]) {
        const path = write('odd-spread.json', text(list));
        await expectSpread(path, [{}, { by: 'day' }, { statuses: ['Other'] }], copies.length);
      }
      // Every event of the second half redelivers one of the first.
      await expectDoubled('odd-doubled.json', odd);
    });
  });

  it('reads on alone when more event ids are in both halves than are worth reading again (an export joined to itself)', async () => {
    // Hint: each id in both halves is read again on its own, which costs as much as reading
    // dozens of events in a row: thousands of them (two overlapping exports joined) took 8 times
    // as long as one thread, and 17 times the memory (hR84). Past 256 (in a file this small),
    // this thread reads the second half itself.
    const many = [...generateCalls({ seed: 12, calls: 400, envelope: 'all' })];
    const half = Math.floor(many.length / 2);
    expect(half).toBeGreaterThan(256);
    const doubled = write('joined-to-itself.json', pretty([...many.slice(0, half), ...many.slice(0, half)]));
    const report = await expectSame(
      doubled,
      /^one thread \(\d+ event ids were seen in both halves, more than the 256 worth reading again\)$/,
      { by: 'campaign', top: 0 },
    );
    expect(report.duplicates).toBe(half);
    // At or below the limit they are still taken out, as the tests above show at the cut.
    await expectDoubled('doubled-under-limit.json', many.slice(0, 500));
  });

  it('reads on alone when the guessed start is not between two elements', async () => {
    // Elements indented by three spaces after the first, flow steps by two and keyed as events
    // are: every line past the middle that looks like an element's start at the first element's
    // indentation is a step.
    const text = pretty(events)
      .replaceAll('\n  {', '\n   {')
      .replace('\n   {', '\n  {')
      .replaceAll('\n        {', '\n  {')
      .replaceAll('"questionName"', '"eventType"');
    await expectSame(
      write('misleading.json', text),
      /^one thread \(byte \d+ is not between two elements of the top-level array\)$/,
    );
  });

  it('reads the platform layout (every line at column 1) in two halves, cut where an event begins', async () => {
    // Flow steps open lines at column 1 too: the cut skips them for the next object that is an event.
    const text = pretty(events).replace(/^ +/gm, '');
    expect(text.match(/^\{$/gm)!.length).toBeGreaterThan(events.length + 100);
    await expectSame(write('column-1.json', text), twoThreads);
    await expectSame(write('column-1.json', text), twoThreads, { by: 'campaign', top: 0 });
  });

  it('reads an indented export of elements whose keys name no type (read with --type) in two halves', async () => {
    // Hint: only at column 1 can a line opening an object be a flow step; at the first element's
    // indentation (2 here), it is an element, whatever its keys.
    const bare = events.map((event, i) => ({ id: `e${i}`, memo: `call ${i}`, at: event.createdAt }));
    for (const element of bare) expect(detectTypeByShape(element)).toBeUndefined();
    const path = write('typed.json', pretty(bare));
    const run = await expectSame(path, twoThreads, {}, { ...tiny, type: 'CallReceived' });
    expect(run.elements).toBe(events.length);
  });

  it('counts no element for a stray blank after one, in either half, as one thread does', async () => {
    // A no-break space or form feed before the `,` or `]`, or ending NDJSON, was counted as an
    // element (see `blanksAfterElements` for where the cut falls).
    const { batch, ndjson } = blanksAfterElements(events, ['\u00a0', '\f', '\u2028', '\ufeff']);
    for (const [name, text] of [
      ['blanks-after.json', batch],
      ['blanks-after.ndjson', ndjson],
    ] as const) {
      expect((await expectSame(write(name, text), twoThreads)).elements).toBe(events.length);
    }
  });

  it('leaves a minified export, with no line to start at, to one thread', async () => {
    await expectSame(
      write('minified.json', JSON.stringify(events)),
      /^one thread \(no element boundary found past the middle\)$/,
    );
  });

  it('reads NDJSON in two halves too, from a line past the middle, and reports what one thread does', async () => {
    const path = write('export.ndjson', ndjson(events));
    for (const options of [{}, { by: 'day' as const }]) await expectSame(path, twoThreads, options);
    // A broken line and an invalid event in the second half.
    const lines = ndjson(events).split('\n');
    const late = Math.floor(lines.length * 0.8);
    lines[late] = lines[late]!.replace('":', '" ');
    lines[late + 1] = lines[late + 1]!.replace('"id":', '"ID":');
    expect(await expectSame(write('broken.ndjson', lines.join('\n')), twoThreads)).toMatchObject({ invalid: 2 });
    // Redeliveries across the halves: at the cut and at the end.
    const { path: redelivered } = await aroundCut(
      'redelivered.ndjson',
      (cut) =>
        redeliver(events, [
          { from: cut - 1, after: 0 },
          { from: 0, after: events.length },
        ]),
      ndjson,
    );
    expect(await expectSame(redelivered, takenOut(2))).toMatchObject({ duplicates: 2 });
    // A batch a line, as generate --batch-size writes, each line past 4 KiB: the second line was
    // looked for in the first 4 KiB only, so one thread read it all (red team hT83).
    const batches: WireEvent[][] = [];
    for (let at = 0; at < events.length; at += 20) batches.push(events.slice(at, at + 20));
    expect(ndjson(batches).indexOf('\n')).toBeGreaterThan(4096);
    await expectSame(write('batches.ndjson', ndjson(batches)), twoThreads);
    // A comma between two values before the middle leaves the file to one thread.
    const comma = ndjson(events).replace('}\n', '},\n');
    await expectSame(write('comma.ndjson', comma), /^one thread \(byte \d+ is not between two top-level values\)$/);
  });

  it('reads on alone when the file is replaced by a rename (an editor saving) once this thread has opened it', async () => {
    const path = write('saved.ndjson', ndjson(events));
    const alone = await both(path);
    // The new version: every success a failure, each line as long as before (the cut is a line start in both).
    const saved = ndjson(events).replaceAll('"status":"success"', '"status":"failed" ');
    const other = write('saved.new', saved);
    expect(saved.length).toBe(ndjson(events).length);
    const two = new SummaryAccumulator();
    const consumer = summaryConsumerOf(two);
    let opened = () => {};
    const reading = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const outcome = await readInHalves(
      path,
      tiny,
      {
        ...consumer,
        add: (records) => {
          opened();
          consumer.add(records);
        },
      },
      {
        read: async (from, halfOptions) => {
          // Hint: renamed over once this thread has the old file open, before the second half is read.
          await reading;
          renameSync(other, path);
          return readHalf(path, from, { ...tiny, ...halfOptions }, summaryConsumerOf(new SummaryAccumulator()));
        },
      },
    );
    expect(outcome).toMatchObject({ consumed: true, how: 'one thread (the file changed while it was read)' });
    // The old version, every event of it, as the one thread that opened it read it.
    expect(renderSummaryJson(two.report())).toBe(renderSummaryJson(alone.one));
  });

  it('starts the second half past any byte a worker names: at the first element that begins after it', async () => {
    // A worker names the middle of what the main thread has left to read (see chooseCut).
    for (const text of [pretty, ndjson]) {
      const path = write('midpoints.json', text(events));
      const bytes = Buffer.from(text(events));
      const needle = text === pretty ? '\n  {' : '\n{';
      const starts: number[] = [];
      for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) starts.push(at);
      const middles = [1, starts[10]!, starts[10]! + 1, Math.floor(bytes.length * 0.7), bytes.length - 10];
      for (const middle of [...middles, bytes.length, bytes.length + 5]) {
        const next = starts.find((at) => at >= middle);
        const from = await findMidpoint(path, bytes.length, middle);
        expect(from?.offset).toBe(next === undefined ? undefined : next + needle.length - 1);
      }
    }
  });

  it('the built CLI: a real worker, redeliveries across the halves, the same JSON as one thread', async () => {
    const copies = [];
    for (let i = 1; i < events.length; i += 25) copies.push({ from: i, after: 30 });
    const path = write('cli.json', pretty(redeliver(events, copies)));
    const run = (env: string) => runCli(['summarise', path, '--format', 'json'], { env: { CALLHOOK_THREADS: env } });
    const [two, one, alone] = await Promise.all([run('2,trace,times'), run('1'), run('trace')]);
    expect(two.stderr).toMatch(
      /^callhook: read on two threads \(the second from byte \d+, \d+ redelivered event\(s\) across the halves taken out\)\ncallhook: times \(ms since start\): main began \d+, .*worker ended \d+.*; .*main cpu ms \d+.*\n$/,
    );
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(JSON.parse(two.stdout).duplicates).toBe(copies.length);
    // Left to itself, it keeps a file this small on one thread, where one is faster.
    expect(alone.stderr).toBe('callhook: read on one thread (not a regular file of 48 MiB or more)\n');
  });
});
