import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grouped, plural } from './words.js';

describe('grouped', () => {
  const intl = new Intl.NumberFormat('en-US');

  it('groups any count as Intl does in en-US, by hand or not', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.nat(),
          fc.maxSafeNat(),
          fc.integer(),
          fc.double({ noNaN: true }).filter((v) => !Object.is(v, -0)),
        ),
        (value) => {
          expect(grouped(value)).toBe(intl.format(value));
        },
      ),
      { numRuns: 300 },
    );
    for (const value of [0, 999, 1000, 12_345, 1_000_000, Number.MAX_SAFE_INTEGER, -1234, 1.5]) {
      expect(grouped(value)).toBe(intl.format(value));
    }
    // No count is minus zero; were one, it would read 0 (Intl writes -0).
    expect(grouped(-0)).toBe('0');
  });

  it('plural puts the grouped count before its noun', () => {
    expect([plural(1, 'event'), plural(1234, 'event'), plural(2, 'reply', 'replies')]).toEqual([
      '1 event',
      '1,234 events',
      '2 replies',
    ]);
  });
});
