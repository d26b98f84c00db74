import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { capture } from '../../test/helpers/capture.js';
import { callComplete } from '../../test/helpers/events.js';
import { replayDefaults } from '../../test/helpers/replay-options.js';
import { unwrapped } from '../../test/helpers/run-cli.js';
import { HalfValidationCollector, ValidationCollector, type ValidationHalf } from '../core/validation.js';

// Hint: placing a problem inside an element reads its text again with jsonc-parser's `visit`;
// counting those reads shows the work an element costs without timing anything.
const reads = vi.hoisted(() => ({ count: 0 }));
vi.mock('jsonc-parser', async (importOriginal) => {
  const original = await importOriginal<typeof import('jsonc-parser')>();
  return {
    ...original,
    visit: (...args: Parameters<typeof original.visit>) => {
      reads.count++;
      return original.visit(...args);
    },
  };
});
// Hint: the workers share modules between files (isolate: false), so read.js may already be
// loaded with the real jsonc-parser; loading it afresh here gives it the mock.
vi.resetModules();
// Hint: the workers share modules between files (isolate: false): the mock, and what was loaded
// with it, go with this file, so the next file loads the real ones.
afterAll(() => {
  vi.doUnmock('jsonc-parser');
  vi.resetModules();
});
const { readRecords } = await import('./read.js');
const { validate } = await import('../commands/validate.js');
const { show } = await import('../commands/show.js');
const { replayCommand } = await import('../commands/replay.js');
const { readHalf, readInHalves } = await import('./halves.js');

const dir = mkdtempSync(join(tmpdir(), 'callhook-text-reads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How many times the text of an element of `text` was read again, and the problems found. */
async function readsOf(name: string, text: string): Promise<{ reads: number; problems: number }> {
  const path = join(dir, name);
  writeFileSync(path, text);
  reads.count = 0;
  let problems = 0;
  for await (const records of readRecords([path])) {
    for (const record of records) if (record.kind === 'invalid') problems += record.problems.length;
  }
  return { reads: reads.count, problems };
}

describe('an element that is no event at all', () => {
  it('is told where it begins without reading its text again', async () => {
    for (const [name, text] of [
      ['objects.json', `[${Array(1_000).fill('{}').join(',')}]`],
      ['numbers.json', `[${Array(1_000).fill('1').join(',')}]`],
      ['lines.ndjson', `${Array(1_000).fill('{}').join('\n')}\n`],
    ] as const) {
      expect(await readsOf(name, text), name).toEqual({ reads: 0, problems: 1_000 });
    }
    // A problem inside an element is placed by reading it: the count sees those reads.
    const inside = JSON.stringify({ eventType: 'CallComplete', data: {} });
    expect((await readsOf('inside.ndjson', `${inside}\n${inside}\n`)).reads).toBe(2);
  });
});

describe('validate, once it has listed --max-problems problems', () => {
  afterEach(() => {
    process.exitCode = undefined;
    vi.unstubAllEnvs();
  });

  it('counts the problems of the elements after them without reading any again to place them', async () => {
    // Before, every element's problems were built and placed, only for the report to count them.
    const { type: _, ...rest } = callComplete();
    const event = JSON.stringify({ ...rest, eventType: 'CallComplete' });
    const n = 10_000;
    for (const [name, text, totals] of [
      // Ten missing fields each under --type CallComplete.
      ['objects.json', `[${Array(n).fill('{}').join(',')}]`, { errors: 10 * n, warnings: 0 }],
      // Ten elements of errors, then the same event over and over: each copy a redelivery's warning.
      [
        'redelivered.json',
        `[${[...Array(10).fill('{}'), ...Array(n).fill(event)].join(',\n')}]`,
        { errors: 100, warnings: n - 1 },
      ],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, text);
      reads.count = 0;
      const { stdout } = await capture(() =>
        validate([path], { format: 'json', maxProblems: 5, type: 'CallComplete' }),
      );
      expect(JSON.parse(stdout).totals, name).toMatchObject(totals);
      // Hint: the reader hands records on a slice at a time, so the elements of the first slice are
      // read before the report has listed any; none after.
      expect(reads.count, name).toBeLessThan(n / 10);
    }
  });

  it('counts them in both halves of a file read on two threads', async () => {
    vi.stubEnv('CALLHOOK_THREADS', '2');
    const n = 10_000;
    const path = join(dir, 'halves.json');
    writeFileSync(path, `[\n${Array(n).fill('  {}').join(',\n')}\n]\n`);
    // As validate reads: each side's collector tells its reader where it lists no more.
    const options = { maxProblems: 5 };
    const read = { type: 'CallComplete', maxIssues: 5 } as const;
    const collector = new ValidationCollector(options);
    reads.count = 0;
    const outcome = await readInHalves(
      path,
      read,
      {
        add: (records) => {
          for (const record of records) collector.add(record);
        },
        state: () => {
          throw new Error('the main side sends no state');
        },
        merge: (half: ValidationHalf, redeliveries, cut) => collector.mergeHalf(half, redeliveries, cut),
        mayListFrom: (at) => collector.mayListFrom(at),
      },
      {
        read: (from, halfOptions) => {
          const half = new HalfValidationCollector(path, options);
          return readHalf(path, from, halfOptions, {
            add: (records) => {
              for (const record of records) half.add(record);
            },
            state: () => half.state(),
            merge: () => 'a worker merges nothing',
            mayListFrom: (at) => half.mayListFrom(at),
          });
        },
      },
    );
    expect(outcome.how).toMatch(/^two threads/);
    expect(collector.report().totals).toMatchObject({ invalid: n, errors: 10 * n });
    expect(reads.count).toBeLessThan(n / 10);
  });
});

describe('show, trace and replay, which print no warning of a valid event', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('read no element again to find or place one', async () => {
    // Each copy after the first is a redelivery, whose warning is placed by reading it again; a
    // duplicate key is found by reading its element again.
    const { type: _, ...rest } = callComplete();
    const event = JSON.stringify({ ...rest, eventType: 'CallComplete' }).replace('"name":', '"name":"x","name":');
    const n = 1_000;
    const path = join(dir, 'show.json');
    writeFileSync(path, `[${Array(n).fill(event).join(',\n')}]`);
    reads.count = 0;
    const { stdout } = await capture(() => show([path], { format: 'json', pager: false }));
    expect(JSON.parse(stdout)).toHaveLength(n);
    expect(reads.count).toBe(0);
  });

  it('nor does replay, which names only the first error of an element it skips and counts the rest', async () => {
    const { type: _, ...rest } = callComplete();
    const event = JSON.stringify({ ...rest, eventType: 'CallComplete' }).replace('"name":', '"name":"x","name":');
    const n = 1_000;
    const path = join(dir, 'replay.json');
    // Three errors: a missing createdAt, a name and a phone of the wrong types.
    const invalid = JSON.stringify({
      ...rest,
      createdAt: undefined,
      eventType: 'CallComplete',
      data: { ...rest.data, name: 1, phone: 2 },
    });
    writeFileSync(path, `[${[...Array(n).fill(event), invalid].join(',\n')}]`);
    reads.count = 0;
    const options = { ...replayDefaults, dryRun: true, format: 'json' } as const;
    const { stdout, stderr } = await capture(() => replayCommand([path], options));
    expect(stdout.trim().split('\n')).toHaveLength(1);
    // Hint: as show says it (a304b03), pointing at validate for the rest.
    expect(unwrapped(stderr)).toMatch(
      new RegExp(`replay\\.json:${n + 1}:1: .*\\(and 2 more; see callhook validate\\)`),
    );
    // The skipped element's first error, placed: one read.
    expect(reads.count).toBe(1);
  });
});
