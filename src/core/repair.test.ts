import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { InputRecord, Problem, Repair } from '../input/types.js';
import { RepairPlanner } from './repair.js';

// Hint: a fresh context sees the flag; this one was made before it was set.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
/** Memory in use after a full collection, strings made from bytes (as element texts are) included. */
function memoryInUse(): number {
  collectGarbage();
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** A distinct text of `size` bytes, made from bytes as the input layer makes an element's. */
function textOf(index: number, size: number): string {
  const bytes = Buffer.alloc(size, ' ');
  bytes.write(`{"n":${index}}`);
  return bytes.toString('utf8');
}

/** A valid event's record whose element has `text`: the planner looks at nothing else of it. */
function eventRecord(index: number, text: string): InputRecord {
  const element = { file: 'x.ndjson', line: index + 1, column: 1, offset: index * text.length, pointer: '' };
  return {
    kind: 'event',
    element: { ...element, index, batch: index, text },
    event: {} as never,
    value: undefined,
    problems: [],
    duplicate: false,
  };
}

describe('RepairPlanner', () => {
  it('keeps memory bounded: an element it no longer needs is not held (a 2 GB export is planned in bounded memory)', () => {
    const planner = new RepairPlanner();
    const size = 1 << 20;
    const before = memoryInUse();
    for (let i = 0; i < 100; i++) planner.add(eventRecord(i, textOf(i, size)));
    const held = memoryInUse() - before;
    // 100 elements of 1 MiB each: the last two (the end of the file may cut the last) are all it
    // needs. Hint: the bytes of the others may be given back to the system late, so not exactly 2.
    expect(held).toBeLessThan(48 * size);
    planner.add({ kind: 'file-end', file: 'x.ndjson', elements: 100, bytes: 100 * size });
    expect(planner.plan()).toEqual({ repairs: [], unrepairable: [] });
  });

  it('plans 150,000 repairs between elements, and as many it cannot make: more than a call takes arguments', () => {
    // Events copied without their [ ] (a comma between each), or NDJSON with no line breaks: past
    // ~120,000 repairs between elements `fix` said "internal error: Maximum call stack size
    // exceeded", exit 2 (red team hT45).
    const count = 150_000;
    const planner = new RepairPlanner();
    const between = (offset: number, repair?: Repair): InputRecord => ({
      kind: 'problem',
      problem: {
        file: 'x.json',
        line: 1,
        column: offset + 1,
        offset,
        pointer: '',
        severity: 'error',
        code: 'x',
        message: 'x',
        repair,
      },
    });
    for (let i = 0; i < count; i++) {
      planner.add(between(2 * i, { offset: 2 * i, deleteBytes: 1, insert: '' }));
      planner.add(between(2 * i + 1));
    }
    planner.add({ kind: 'file-end', file: 'x.json', elements: 0, bytes: 2 * count });
    const plan = planner.plan();
    expect([plan.repairs.length, plan.unrepairable.length]).toEqual([count, count]);
    expect(plan.repairs.at(-1)?.repair.offset).toBe(2 * (count - 1));
  });

  it('looks at each problem of an element a few times, not once for each missing colon in it', () => {
    // Hint: each missing colon looked through every problem of its element for one no edit
    // repairs after it: fix of 66,667 missing colons in one element (400 KB) took 17 s, of 1 MB
    // over 30 s (red team hT61). Counted, not timed: how often a problem's `repair` is read.
    const count = 1000;
    let reads = 0;
    const problemAt = (offset: number, repairable: boolean): Problem => {
      const repair = repairable ? { offset, deleteBytes: 0, insert: ':' } : undefined;
      const problem = { file: 'x.json', line: 1, column: offset + 1, offset, pointer: '', severity: 'error' as const };
      const described = { ...problem, code: repairable ? 'missing-colon' : 'x', message: 'x' };
      return Object.defineProperty(described, 'repair', {
        enumerable: true,
        get: () => {
          reads++;
          return repair;
        },
      });
    };
    const planner = new RepairPlanner();
    // Three elements: one planned as it goes, and the last two, kept to the end of the file.
    for (let index = 0; index < 3; index++) {
      const start = index * 10 * count;
      const problems = Array.from({ length: count }, (_, i) => problemAt(start + 10 * i, true));
      // Between the colons: the first half come before it, and may be what it follows from.
      problems.push(problemAt(start + 10 * (count / 2) - 5, false));
      const element = { file: 'x.json', line: 1, column: start + 1, offset: start, pointer: '', index, batch: 0 };
      planner.add({
        kind: 'invalid',
        element: { ...element, text: '{}' },
        eventKind: undefined,
        value: undefined,
        problems,
      });
    }
    planner.add({ kind: 'file-end', file: 'x.json', elements: 3, bytes: 40 * count });
    const plan = planner.plan();
    expect([plan.repairs.length, plan.unrepairable.length]).toEqual([3 * count, 3]);
    expect(plan.repairs.filter((planned) => planned.beforeUnrepairable).length).toBe((3 * count) / 2);
    expect(reads).toBeLessThan(10 * 3 * (count + 1));
  });
});
