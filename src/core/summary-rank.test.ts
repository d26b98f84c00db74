// Every ranked list of the report (reasons, campaigns, requests, notes, funnel steps, the --by
// table) is cut by topOf: it must keep exactly what a stable sort of everything, cut at `top`,
// keeps, in the same order, while holding at most twice `top`; restOf sums what it left out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countThenKey, restOf, topOf } from './summary-rank.js';

/** The straightforward way: all of them, stably sorted, then cut (0 keeps all). */
function sortedThenCut<T>(items: readonly T[], top: number, compare: (a: T, b: T) => number): T[] {
  const sorted = [...items].sort(compare);
  return top > 0 ? sorted.slice(0, top) : sorted;
}

// Few distinct counts and keys, so that ties are common (where an order can go wrong).
const entries = fc
  .uniqueArray(fc.tuple(fc.string({ maxLength: 2 }), fc.integer({ min: 1, max: 4 })), {
    selector: ([key]) => key,
    maxLength: 60,
  })
  .map((list) => new Map(list));

describe('topOf', () => {
  it('keeps what a stable sort cut at top keeps, equal items in their input order', () => {
    fc.assert(
      fc.property(entries, fc.integer({ min: 0, max: 12 }), (counts, top) => {
        // By count only: equal counts must keep the order the map holds them in.
        const byCount = (a: [string, number], b: [string, number]) => b[1] - a[1];
        expect(topOf(counts, top, byCount)).toEqual(sortedThenCut([...counts], top, byCount));
        expect(topOf(counts, top, countThenKey)).toEqual(sortedThenCut([...counts], top, countThenKey));
      }),
      { numRuns: 300 },
    );
  });
});

describe('restOf', () => {
  it('counts the keys left out and sums their counts; null when nothing was', () => {
    fc.assert(
      fc.property(entries, fc.integer({ min: 0, max: 12 }), (counts, top) => {
        const kept = topOf(counts, top, countThenKey);
        const left = [...counts].filter(([key]) => !kept.some(([k]) => k === key));
        const expected = left.length ? { keys: left.length, count: left.reduce((sum, [, n]) => sum + n, 0) } : null;
        expect(restOf(counts, kept, (n) => n)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
