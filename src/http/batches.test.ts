import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type InputRecord, stdinName } from '../input/types.js';
import {
  type OutboundBatch,
  planBatches,
  type ReplayEvent,
  type ReplayItem,
  replayEventsFromRecords,
} from './batches.js';

/** An event of `file`, each file a source of its own (numbered by its name's first letter). */
function event(file: string, batch: number, n: number): ReplayEvent {
  return {
    file,
    source: file.charCodeAt(0),
    batch,
    location: `${file}:${n}:1`,
    offset: n,
    text: `{"n": ${n}}`,
    inArray: true,
    value: { n },
  };
}

async function* chunks<T>(...groups: T[][]): AsyncGenerator<T[]> {
  for (const group of groups) yield group;
}

async function collect(source: AsyncIterable<OutboundBatch>): Promise<OutboundBatch[]> {
  const out: OutboundBatch[] = [];
  for await (const batch of source) out.push(batch);
  return out;
}

const bodies = (batches: OutboundBatch[]) => batches.map((b) => b.body.toString());

/** An item's event text, or `]` for an array's end. */
const textOf = (item: ReplayItem) => ('arrayEnd' in item ? ']' : item.text);

describe('planBatches', () => {
  it('sends input batches as they are, wrapping a lone event in an array, even across chunks', async () => {
    const out = await collect(
      planBatches(
        chunks([event('a', 0, 1), event('a', 0, 2)], [event('a', 0, 3), event('a', 1, 4)], [event('b', 0, 5)]),
      ),
    );
    expect(bodies(out)).toEqual(['[{"n": 1},{"n": 2},{"n": 3}]', '[{"n": 4}]', '[{"n": 5}]']);
    expect(out.map((b) => b.events)).toEqual([3, 1, 1]);
    expect(out[0]!.source).toBe('a:1:1');
  });

  it('re-chunks into arrays of at most --batch-size, keeping order across batches, each of one file', async () => {
    const out = await collect(
      planBatches(
        chunks([event('a', 0, 1), event('a', 0, 2), event('a', 1, 3)], [event('b', 0, 4), event('b', 0, 5)]),
        {
          batchSize: 2,
        },
      ),
    );
    // Hint: never the end of one file and the start of the next: a file that could not be read
    // part way moved every later cut, and --resume sent delivered events again (review hR75).
    expect(bodies(out)).toEqual(['[{"n": 1},{"n": 2}]', '[{"n": 3}]', '[{"n": 4},{"n": 5}]']);
    // A journal before version 4 cut them across files: resumed, its batches are made as it made them.
    const old = await collect(
      planBatches(
        chunks([event('a', 0, 1), event('a', 0, 2), event('a', 1, 3)], [event('b', 0, 4), event('b', 0, 5)]),
        {
          batchSize: 2,
          acrossFiles: true,
        },
      ),
    );
    expect(bodies(old)).toEqual(['[{"n": 1},{"n": 2}]', '[{"n": 3},{"n": 4}]', '[{"n": 5}]']);
  });

  it("cuts a resumed run's batches where its journal recorded them, whatever cut them then, and the rest as a new run would", async () => {
    // Cut anew, batches a pause had cut (--linger) matched no key of the journal, and --resume
    // sent every delivered event again (red team hR88).
    const events = Array.from({ length: 12 }, (_, k) => event('a', 0, k + 1));
    const at = (n: number) => `${'a'.charCodeAt(0)}_${n}`;
    const keysOf = async (...groups: number[][]) => {
      const out: string[] = [];
      for (const group of groups) {
        const [batch] = await collect(planBatches(chunks(group.map((n) => event('a', 0, n))), { batchSize: 5 }));
        out.push(batch!.key);
      }
      return out;
    };
    const recorded = new Map([
      [at(1), 3],
      [at(4), 5],
      [at(9), 1],
    ]);
    const out = await collect(planBatches(chunks(events), { batchSize: 5, recorded }));
    expect(out.map((b) => b.events)).toEqual([3, 5, 1, 3]);
    expect(out.slice(0, 3).map((b) => b.key)).toEqual(await keysOf([1, 2, 3], [4, 5, 6, 7, 8], [9]));
    // A batch of this run's own ends where one the journal records begins.
    const cut = await collect(planBatches(chunks(events), { batchSize: 5, recorded: new Map([[at(6), 2]]) }));
    expect(cut.map((b) => b.events)).toEqual([5, 2, 5]);
    const before = await collect(planBatches(chunks(events), { batchSize: 5, recorded: new Map([[at(4), 2]]) }));
    expect(before.map((b) => b.events)).toEqual([3, 2, 5, 2]);
    // Without --batch-size too: an input array a pause cut in two (before --linger cut only
    // --batch-size batches) is made again in two.
    const array = await collect(
      planBatches(chunks(events.slice(0, 4)), {
        recorded: new Map([
          [at(1), 1],
          [at(2), 3],
        ]),
      }),
    );
    expect(array.map((b) => b.events)).toEqual([1, 3]);
    // A count past what a batch may hold (a journal edited by hand) is not followed.
    const edited = await collect(planBatches(chunks(events), { batchSize: 5, recorded: new Map([[at(1), 50]]) }));
    expect(edited.map((b) => b.events)).toEqual([5, 5, 2]);
  });

  it('holds a batch the journal records until it is whole, however long --linger has waited', async () => {
    // Cut by a pause, a delivered batch made again under another key is sent again.
    async function* paused(): AsyncGenerator<ReplayEvent[]> {
      yield [event('-', 0, 1), event('-', 0, 2)];
      await new Promise((resolve) => setTimeout(resolve, 100));
      yield [event('-', 0, 3), event('-', 0, 4)];
    }
    const recorded = new Map([[`${'-'.charCodeAt(0)}_1`, 3]]);
    const out = await collect(planBatches(paused(), { batchSize: 5, lingerMs: 20, recorded }));
    expect(out.map((b) => b.events)).toEqual([3, 1]);
  });

  it('names where each batch ends in its file, so progress follows the batches taken, not the events parsed ahead', async () => {
    const out = await collect(
      planBatches(chunks([event('a', 0, 10), event('a', 0, 20), event('a', 0, 30)], [event('b', 0, 5)]), {
        batchSize: 2,
      }),
    );
    // The end of its last event, not where that event starts: a first batch ending at byte 0 said
    // no part of the file was read, and the progress showed `0/1+`, as for stdin.
    expect(out.map((b) => b.last)).toEqual([
      { file: 'a', offset: 20 + '{"n": 20}'.length },
      { file: 'a', offset: 30 + '{"n": 30}'.length },
      { file: 'b', offset: 5 + '{"n": 5}'.length },
    ]);
  });

  it('gives stable keys and webhook ids, distinct for identical batches at different places', async () => {
    // The same text again further on in its file (two values never start at one byte of it).
    const input = () => chunks([event('a', 0, 1)], [{ ...event('a', 1, 1), offset: 20 }]);
    const first = await collect(planBatches(input()));
    const again = await collect(planBatches(input()));
    expect(first.map((b) => b.key)).toEqual(again.map((b) => b.key));
    expect(first.map((b) => b.webhookId)).toEqual(again.map((b) => b.webhookId));
    expect(first[0]!.key).not.toBe(first[1]!.key);
    expect(first[0]!.webhookId).not.toBe(first[1]!.webhookId);
    // Its file (a digest of its absolute path), where it starts in it, and its content.
    expect(first[0]!.webhookId).toMatch(/^msg_[0-9a-f]{16}_1_[0-9a-f]{32}$/);
    // Its source's place instead of its file, as journals before version 5 named them, for --resume of one.
    const bySource = await collect(planBatches(input(), { idBySource: true }));
    expect(bySource[0]!.webhookId).toMatch(/^msg_97_1_[0-9a-f]{32}$/);
    // Placed in the run, as a journal before version 3 keyed them, for --resume of one.
    const placed = await collect(planBatches(input(), { placedInRun: true }));
    expect(placed.map((b) => b.key.split('-')[0])).toEqual(['0', '1']);
    expect(placed[0]!.webhookId).toBe(`msg_0_${first[0]!.key.split('-')[1]}`);
  });

  it("names a batch's webhook-id by its file and where it starts in it, whatever else the run reads", async () => {
    // `replay a.json b.json` and `replay b.json` gave b's batches other webhook-ids (its place among
    // the inputs), so a receiver dropping duplicates by webhook-id took a rerun's batches twice (red team hR93).
    const at = (file: string, source: number) => ({ ...event(file, 0, 1), source });
    for (const rewrite of [undefined, (_value: unknown, text: string) => text]) {
      const ids = async (...events: ReplayEvent[]) =>
        (await collect(planBatches(chunks(events), { rewrite }))).map((b) => b.webhookId);
      const [, second] = await ids(at('a.json', 0), at('b.json', 1));
      const [alone] = await ids(at('b.json', 0));
      expect(second).toBe(alone);
      // The same file by another name, or from another folder, is the same file.
      expect(await ids(at('./b.json', 0))).toEqual([alone]);
      expect(await ids(at(join(process.cwd(), 'b.json'), 0))).toEqual([alone]);
      // Another file, with the same text at the same byte, is another batch; stdin is one source wherever it comes.
      expect(await ids(at('c.json', 0))).not.toEqual([alone]);
      expect((await ids(at('a.json', 0), at(stdinName, 1)))[1]).toBe((await ids(at(stdinName, 0)))[0]);
      // A journal before version 5 is resumed with the webhook-ids its run sent, named by the source's place.
      const old = await collect(planBatches(chunks([at('a.json', 0), at('b.json', 1)]), { rewrite, idBySource: true }));
      if (!rewrite) expect(old.map((b) => b.webhookId)).toEqual(old.map((b) => `msg_${b.key.replace('-', '_')}`));
      expect(old[1]!.webhookId).not.toBe(second);
    }
  });

  it('keys a batch by where it starts in its file: a file before it read in part, or not at all, changes neither key nor webhook-id', async () => {
    // A folder's file deleted mid-run and put back: every later batch moved to another key, and
    // --resume sent them again under new webhook-ids (red team hF69).
    // Files of 3 events in batches of 2: filled across files, the cuts after the file read in part
    // moved too, and --resume sent the end of one file and the start of the next again (review hR75).
    const file = (name: string) => [event(name, 0, 1), event(name, 0, 2), event(name, 0, 3)];
    for (const rewrite of [undefined, (_value: unknown, text: string) => text]) {
      const whole = await collect(planBatches(chunks(file('a'), file('b'), file('c')), { batchSize: 2, rewrite }));
      const partly = await collect(
        planBatches(chunks(file('a'), file('b').slice(0, 2), file('c')), { batchSize: 2, rewrite }),
      );
      const skipped = await collect(planBatches(chunks(file('a'), file('c')), { batchSize: 2, rewrite }));
      const named = (batches: OutboundBatch[]) => batches.map((b) => `${b.source} ${b.key} ${b.webhookId}`);
      expect(named(partly)).toEqual(named([...whole.slice(0, 3), ...whole.slice(4)]));
      expect(named(skipped)).toEqual(named([...whole.slice(0, 2), ...whole.slice(4)]));
    }
  });

  it('keys on the original text, so --fresh --resume still matches', async () => {
    const plain = await collect(planBatches(chunks([event('a', 0, 1)])));
    const fresh = await collect(planBatches(chunks([event('a', 0, 1)]), { rewrite: () => '{"n":2}' }));
    expect(fresh[0]!.key).toBe(plain[0]!.key);
    expect(fresh[0]!.body.toString()).toBe('[{"n":2}]');
    expect(fresh[0]!.webhookId).not.toBe(plain[0]!.webhookId);
  });

  it('refuses to hold an oversized input batch and asks for --batch-size', async () => {
    const big = [event('a', 0, 1), event('a', 0, 2), event('a', 0, 3)];
    await expect(collect(planBatches(chunks(big), { maxInputBatch: 2 }))).rejects.toThrow(/--batch-size/);
    await expect(collect(planBatches(chunks(big), { maxInputBatch: 2, batchSize: 2 }))).resolves.toHaveLength(2);
  });

  it('pulls no further than the batch being built needs', async () => {
    let pulled = 0;
    async function* counted() {
      for (let n = 0; n < 100; n++) {
        pulled++;
        yield [event('a', n, n)];
      }
    }
    const iterator = planBatches(counted(), { batchSize: 5 });
    await iterator.next();
    expect(pulled).toBe(5);
    await iterator.return(undefined);
  });
});

describe('replayEventsFromRecords', () => {
  const element = (n: number, text: string) => ({
    file: 'f.json',
    line: n,
    column: 3,
    offset: 0,
    pointer: `/${n}`,
    index: n,
    batch: 0,
    text,
  });
  const records: InputRecord[] = [
    { kind: 'file-start', file: 'f.json' },
    {
      kind: 'event',
      element: element(1, '{"a":1}'),
      event: {} as never,
      value: { a: 1 },
      problems: [],
      duplicate: false,
    },
    {
      kind: 'invalid',
      element: element(2, '{"b":2}'),
      eventKind: undefined,
      value: { b: 2 },
      problems: [
        { ...element(2, ''), severity: 'error', code: 'missing-field', message: 'missing required field "x"' },
      ],
    },
    {
      kind: 'invalid',
      element: element(3, '{"c":'),
      eventKind: undefined,
      value: undefined,
      problems: [{ ...element(3, ''), severity: 'error', code: 'unexpected-end', message: 'unexpected end' }],
    },
    { kind: 'file-end', file: 'f.json', elements: 3, bytes: 30 },
  ];

  it('keeps valid events and lists the invalid ones it skips', async () => {
    const skipped: string[] = [];
    const out: ReplayItem[] = [];
    for await (const chunk of replayEventsFromRecords(chunks(records), {
      validate: true,
      onSkip: (s) => skipped.push(`${s.location} ${s.message}`),
    }))
      out.push(...chunk);
    expect(out.map(textOf)).toEqual(['{"a":1}']);
    expect(skipped).toEqual(['f.json:2:3 missing required field "x"', 'f.json:3:3 unexpected end']);
  });

  it('names a skipped element by where its first error is, as validate and show do', async () => {
    // "skipped a.json:2:1: trailing comma before }" sent the reader to the element's start; the comma is at 7:53.
    const trailing = {
      kind: 'invalid',
      element: element(2, ''),
      eventKind: undefined,
      value: undefined,
      problems: [
        {
          ...element(2, ''),
          line: 7,
          column: 53,
          severity: 'error',
          code: 'trailing-comma',
          message: 'trailing comma',
        },
      ],
    } satisfies InputRecord;
    const skipped: string[] = [];
    for await (const _ of replayEventsFromRecords(chunks([trailing]), {
      validate: true,
      onSkip: (s) => skipped.push(`${s.location} ${s.message}`),
    }));
    expect(skipped).toEqual(['f.json:7:53 trailing comma']);
  });

  it('keeps two sources apart even when they go by the same name: their batches never fuse', async () => {
    // Hint: each source is a batch of one event at ordinal 0, in a file named alike (two streams, say).
    const oneSource: InputRecord[] = [records[0]!, records[1]!, records.at(-1)!];
    const events = replayEventsFromRecords(chunks([...oneSource, ...oneSource]), { validate: true });
    expect(bodies(await collect(planBatches(events)))).toEqual(['[{"a":1}]', '[{"a":1}]']);
  });

  it('with --no-validate sends schema-invalid events but never unparsable text', async () => {
    const out: ReplayItem[] = [];
    for await (const chunk of replayEventsFromRecords(chunks(records), { validate: false })) out.push(...chunk);
    expect(out.map(textOf)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("passes on where an input array ends, with its events' source and batch", async () => {
    const end = { kind: 'array-end', file: 'f.json', batch: 0, line: 1, column: 1, elements: 1 } as const;
    const ended: InputRecord[] = [records[0]!, records[1]!, end];
    const out: ReplayItem[] = [];
    const empty: InputRecord[] = [];
    const onEmptyArray = (record: InputRecord) => empty.push(record);
    for await (const chunk of replayEventsFromRecords(chunks(ended), { validate: true, onEmptyArray }))
      out.push(...chunk);
    expect(out.map(textOf)).toEqual(['{"a":1}', ']']);
    expect(out[1]).toEqual({ arrayEnd: true, source: 0, batch: 0 });
    expect(empty).toEqual([]);
  });

  it('tells of an input array that holds no element: no request is made of it', async () => {
    // A capture of a `[]` delivery was replayed as nothing, unsaid (red team hR118).
    const empty: InputRecord = { kind: 'array-end', file: 'f.json', batch: 1, line: 3, column: 2, elements: 0 };
    const told: InputRecord[] = [];
    const onEmptyArray = (record: InputRecord) => told.push(record);
    const events = replayEventsFromRecords(chunks([records[0]!, records[1]!, empty]), { validate: true, onEmptyArray });
    expect(bodies(await collect(planBatches(events)))).toEqual(['[{"a":1}]']);
    expect(told).toEqual([empty]);
  });
});

describe('planBatches with lingerMs', () => {
  it('(6) sends a partial batch after a quiet spell, without waiting for the input to end', async () => {
    let release: () => void = () => {};
    const quiet = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slow(): AsyncGenerator<ReplayEvent[]> {
      yield [event('-', 0, 1), event('-', 0, 2)];
      await quiet;
      yield [event('-', 1, 3)];
    }
    const planner = planBatches(slow(), { batchSize: 10, lingerMs: 20 });
    const first = await planner.next();
    expect(first.done).toBe(false);
    expect((first.value as OutboundBatch).body.toString()).toBe('[{"n": 1},{"n": 2}]');
    release();
    expect(bodies(await collect(planner))).toEqual(['[{"n": 3}]']);
  });

  it('does not split a batch whose events keep coming', async () => {
    const out = await collect(planBatches(chunks([event('a', 0, 1)], [event('a', 0, 2)]), { lingerMs: 1000 }));
    expect(bodies(out)).toEqual(['[{"n": 1},{"n": 2}]']);
  });

  it('without --batch-size, keeps an input array one batch however long its stream pauses in it', async () => {
    // `[ev1,` … 1.5 s … `ev2]` on stdin went as two requests under two keys, though an input
    // array stays one request (red team hR88): --linger cuts only --batch-size batches.
    async function* paused(): AsyncGenerator<ReplayEvent[]> {
      yield [event('-', 0, 1)];
      await new Promise((resolve) => setTimeout(resolve, 100));
      yield [event('-', 0, 2)];
    }
    const out = await collect(planBatches(paused(), { lingerMs: 20 }));
    expect(bodies(out)).toEqual(['[{"n": 1},{"n": 2}]']);
  });

  it('without --batch-size, sends a lone value as soon as it is read: it is a whole input batch', async () => {
    // Held until the next value came, or --linger passed; now a quiet stream's last line goes at once.
    let release: () => void = () => {};
    const quiet = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* quietAfterOne(): AsyncGenerator<ReplayEvent[]> {
      yield [{ ...event('-', 0, 1), inArray: false }];
      await quiet;
    }
    const planner = planBatches(quietAfterOne());
    const first = await Promise.race([planner.next(), new Promise((resolve) => setTimeout(resolve, 1000, 'waited'))]);
    release();
    expect(first).not.toBe('waited');
    expect(((first as IteratorResult<OutboundBatch>).value as OutboundBatch).body.toString()).toBe('[{"n": 1}]');
    expect(await collect(planner)).toEqual([]);
  });

  it('without --batch-size, sends an input array as soon as its end is read, not once the next value is', async () => {
    // A producer writing one array per webhook and then waiting had each sent when the next came (hF80 #1).
    let release: () => void = () => {};
    const quiet = new Promise<void>((resolve) => {
      release = resolve;
    });
    const end = { arrayEnd: true, source: '-'.charCodeAt(0), batch: 0 } as const;
    async function* quietAfterArray(): AsyncGenerator<ReplayItem[]> {
      yield [event('-', 0, 1), event('-', 0, 2)];
      yield [end];
      await quiet;
      yield [event('-', 1, 3), { ...end, batch: 1 }];
    }
    const planner = planBatches(quietAfterArray(), { lingerMs: 20 });
    const first = await Promise.race([planner.next(), new Promise((resolve) => setTimeout(resolve, 1000, 'waited'))]);
    release();
    expect(first).not.toBe('waited');
    expect(((first as IteratorResult<OutboundBatch>).value as OutboundBatch).body.toString()).toBe(
      '[{"n": 1},{"n": 2}]',
    );
    expect(bodies(await collect(planner))).toEqual(['[{"n": 3}]']);
    // With --batch-size an array's end cuts nothing: the batch fills on, or lingers, as before.
    const sized = planBatches(chunks<ReplayItem>([event('-', 0, 1)], [end], [event('-', 1, 2)]), { batchSize: 2 });
    expect(bodies(await collect(sized))).toEqual(['[{"n": 1},{"n": 2}]']);
  });
});
