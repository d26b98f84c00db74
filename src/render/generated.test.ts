import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateEvents } from '../core/generate.js';
import { type GenerateFormat, generateFormats, largestSeed } from '../core/generate-names.js';
import { readRecords } from '../input/read.js';
import { eventTypes } from '../schema/names.js';
import { blockCount, escapedFor, GeneratedTextWriter, generateBlocks } from './generated.js';

function render(count: number, seed: number, format: GenerateFormat, batchSize?: number, defects = 0) {
  const writer = new GeneratedTextWriter({ format, batchSize, defects, seed });
  let text = '';
  for (const { event } of generateEvents({ count, seed, redeliveries: 0.05 })) text += writer.push(event);
  return { text: text + writer.end(), defects: writer.defects };
}

/** What validate reads in the text: each problem as `line:column code pointer`, and the counts. */
async function validateText(text: string) {
  const problems: string[] = [];
  let valid = 0;
  let invalid = 0;
  const batches = new Set<number>();
  const stdin = Readable.from([Buffer.from(text)]);
  for await (const records of readRecords(['-'], { stdin })) {
    for (const record of records) {
      if (record.kind === 'problem')
        problems.push(`${record.problem.line}:${record.problem.column} ${record.problem.code}`);
      if (record.kind === 'event' || record.kind === 'invalid') {
        batches.add(record.element.batch);
        for (const p of record.problems) {
          if (p.severity === 'error') problems.push(`${p.line}:${p.column} ${p.code} ${p.pointer}`);
        }
        if (record.kind === 'event') valid++;
        else invalid++;
      }
    }
  }
  return { problems: problems.sort(), valid, invalid, batches: batches.size };
}

/** The values in generated `text`, one per element. */
function readBack(text: string, format: GenerateFormat, batchSize: number | undefined): unknown[] {
  return format === 'json' || batchSize !== undefined
    ? text.split(/\n(?=\[)/).flatMap((batch) => (batch.trim() ? JSON.parse(batch) : []))
    : text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
}

const layouts: Array<[GenerateFormat, number | undefined]> = [
  ['json', undefined],
  ['json', 7],
  ['ndjson', undefined],
  ['ndjson', 5],
];

describe('GeneratedTextWriter', () => {
  it.each(layouts)('writes %s (batch size %s) that validate reads back whole and valid', async (format, batchSize) => {
    const { text } = render(60, 3, format, batchSize);
    const read = await validateText(text);
    expect(read).toMatchObject({ problems: [], valid: 60, invalid: 0 });
    if (batchSize) expect(read.batches).toBe(Math.ceil(60 / batchSize));
    if (format === 'json' && !batchSize) expect(JSON.parse(text)).toHaveLength(60);
    if (format === 'ndjson' && !batchSize) expect(text.split('\n')).toHaveLength(61);
  });

  it.each(layouts)(
    'puts each defect of %s (batch size %s) where validate finds it, and validate finds no other',
    async (format, batchSize) => {
      for (const seed of [1, 2, 3]) {
        const { text, defects } = render(120, seed, format, batchSize, 0.3);
        expect(defects.length).toBeGreaterThan(15);
        expect(new Set(defects.map((d) => d.code))).toEqual(
          new Set(['missing-comma', 'trailing-comma', 'missing-colon']),
        );
        const read = await validateText(text);
        expect(read.problems).toEqual(defects.map((d) => `${d.line}:${d.column} ${d.code} ${d.pointer}`).sort());
        expect(read.invalid).toBe(defects.length);
        expect(read.valid).toBe(120 - defects.length);
      }
    },
  );

  it('keeps the events of a seed the same with and without defects', () => {
    const clean = render(50, 8, 'ndjson').text.split('\n');
    const damaged = render(50, 8, 'ndjson', undefined, 0.5).text.split('\n');
    const same = clean.filter((line, index) => line === damaged[index]).length;
    expect(same).toBeGreaterThan(10);
    expect(same).toBeLessThan(50);
  });

  it('writes what a --set value holds that a terminal would hide or obey as \\uXXXX, with or without defects', async () => {
    // `generate --set 'data.name=a<U+202E>b::error::x'` printed the U+202E raw, which reverses
    // the rest of a terminal's line, and `::error::` (a workflow command in a CI log) (hT46 #3).
    const set = [
      { path: ['data', 'name'], value: 'a\u202eb::error::x' },
      { path: ['data', 'x::notice::'], value: 1 },
    ];
    expect(escapedFor(set)).toBe(true);
    expect(escapedFor([{ path: ['data', 'name'], value: 'Zoë [::1] ❤️' }])).toBe(false);
    for (const [format, batchSize] of layouts) {
      for (const defects of [0, 0.5]) {
        const writer = new GeneratedTextWriter({ format, batchSize, defects, seed: 5, escaped: true });
        const objects = [...generateEvents({ count: 20, seed: 5, set, types: ['CallComplete'] })].map((e) => e.event);
        const text = objects.map((event) => writer.push(event)).join('') + writer.end();
        expect(text).not.toMatch(/\u202e|::[a-z]/);
        expect(text).toContain('a\\u202eb\\u003a:error\\u003a:x');
        // Each defect is where validate reports it, and the rest reads back as generated.
        const read = await validateText(text);
        expect(writer.defects.length > 0).toBe(defects > 0);
        expect(read.problems).toEqual(writer.defects.map((d) => `${d.line}:${d.column} ${d.code} ${d.pointer}`).sort());
        if (defects === 0) expect(readBack(text, format, batchSize)).toEqual(objects);
      }
    }
  });

  it('writes an empty export as [] and an empty NDJSON file as nothing', () => {
    expect(new GeneratedTextWriter({ format: 'json' }).end()).toBe('[]\n');
    expect(new GeneratedTextWriter({ format: 'ndjson' }).end()).toBe('');
  });
});

describe('generateBlocks', () => {
  const decoder = new TextDecoder();
  const layoutsWithCounts: Array<[GenerateFormat, number | undefined, number]> = [
    ['json', undefined, 0],
    ['json', undefined, 70],
    ['json', 7, 64],
    ['ndjson', undefined, 33],
    ['ndjson', 5, 48],
  ];

  it.each(layoutsWithCounts)(
    'writes %s (batch size %s, %s events) byte for byte as one writer does, whichever part writes each block',
    (format, batchSize, count) => {
      for (const seed of [1, 9]) {
        const events = { count, seed, redeliveries: 0.05 };
        const text = { format, batchSize, seed };
        let whole = '';
        const writer = new GeneratedTextWriter(text);
        for (const { event } of generateEvents(events)) whole += writer.push(event);
        whole += writer.end();
        for (const [blockSize, stride] of [
          [16, 1],
          [16, 2],
          [5, 3],
        ] as const) {
          const parts = Array.from({ length: stride }, (_, part) => [
            ...generateBlocks({ events, text, blockSize, stride, part }),
          ]);
          const blocks = parts.flat().sort((a, b) => a.index - b.index);
          expect(blocks.map((block) => block.index)).toEqual([...Array(blockCount(count, blockSize)).keys()]);
          expect(blocks.map((block) => decoder.decode(block.bytes)).join('')).toBe(whole);
          const redelivered = [...generateEvents(events)].filter((delivery) => delivery.redelivery).length;
          expect(blocks.reduce((sum, block) => sum + block.redeliveries, 0)).toBe(redelivered);
        }
      }
    },
  );

  it('writes, for any options and any split among threads, the events generateEvents yields, byte for byte as one writer does', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: largestSeed }),
          count: fc.nat(60),
          types: fc.option(fc.subarray([...eventTypes], { minLength: 1 }), { nil: undefined }),
          redeliveries: fc.constantFrom(0, 0.1),
          set: fc.constantFrom(
            [],
            [{ path: ['data', 'status'], value: 'Partial' }],
            [{ path: ['extra'], value: { n: 1 } }],
            [{ path: ['extra', '::warning::k'], value: ['a\u202eb', '::error::x'] }],
          ),
          format: fc.constantFrom(...generateFormats),
          batchSize: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
          blockSize: fc.integer({ min: 1, max: 12 }),
          stride: fc.integer({ min: 1, max: 3 }),
        }),
        ({ seed, count, types, redeliveries, set, format, batchSize, blockSize, stride }) => {
          // Hint: `data.status` is a field of call results and attempts only; set with neither generated, it is refused.
          const statusless =
            types !== undefined && !types.some((type) => type === 'CallComplete' || type === 'CallAttempted');
          fc.pre(!(statusless && set.length > 0 && set[0]?.path[0] === 'data'));
          const events = { count, seed, types, redeliveries, set };
          const text = { format, batchSize, seed, escaped: escapedFor(set) };
          const writer = new GeneratedTextWriter(text);
          const objects = [...generateEvents(events)].map(({ event }) => event);
          const whole = objects.map((event) => writer.push(event)).join('') + writer.end();
          const blocks = Array.from({ length: stride }, (_, part) => [
            ...generateBlocks({ events, text, blockSize, stride, part }),
          ])
            .flat()
            .sort((a, b) => a.index - b.index);
          const written = blocks.map((block) => decoder.decode(block.bytes)).join('');
          expect(written).toBe(whole);
          // Read back, the text holds exactly the generated objects.
          expect(readBack(written, format, batchSize)).toEqual(objects);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reports each defect with the block it is in, as one writer places it', () => {
    const events = { count: 90, seed: 4 };
    const text = { format: 'json' as const, defects: 0.2, seed: 4 };
    const writer = new GeneratedTextWriter(text);
    for (const { event } of generateEvents(events)) writer.push(event);
    const blocks = [...generateBlocks({ events, text, blockSize: 16 })];
    expect(blocks.flatMap((block) => block.defects)).toEqual(writer.defects);
    expect(() => [...generateBlocks({ events, text, blockSize: 16, stride: 2, part: 1 })]).toThrow(/defects/);
  });
});
