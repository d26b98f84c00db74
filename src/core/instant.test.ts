import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalInstant } from './instant.js';

describe('canonicalInstant', () => {
  it('gives the instant Date.parse gives for any timestamp in the platform shape, leap days and year 0000 included', () => {
    const two = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        two(1, 12),
        two(1, 31),
        two(0, 23),
        two(0, 59),
        two(0, 59),
        fc.integer({ min: 0, max: 999 }),
        (year, month, day, hour, minute, second, ms) => {
          const text = `${String(year).padStart(4, '0')}-${month}-${day}T${hour}:${minute}:${second}.${String(ms).padStart(3, '0')}Z`;
          expect(canonicalInstant(text)).toBe(Date.parse(text));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('leaves anything else to Date.parse', () => {
    for (const text of [
      '2022-13-01T00:00:00.000Z',
      '2022-09-00T00:00:00.000Z',
      '2022-09-01T24:00:00.000Z',
      '2022-09-01T00:60:00.000Z',
      '2022-09-01T00:00:60.000Z',
      '2022-09-01T00:00:00.0a0Z',
      '2022-09-01T00:00:00Z',
      '2022-09-01 00:00:00.000Z',
      '2022-09-01T00:00:00.000+00',
    ]) {
      expect(canonicalInstant(text)).toBeUndefined();
    }
  });
});
