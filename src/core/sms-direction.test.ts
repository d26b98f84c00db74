import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberKey } from './sms-direction.js';

describe('numberKey', () => {
  it('keeps the digits of any text, as the expression it skips for a number of digits only', () => {
    const texts = fc.oneof(
      fc.stringMatching(/^[0-9]{0,16}$/),
      fc.string({ unit: fc.constantFrom(...'0123456789 +-()/:٣'), maxLength: 20 }),
      fc.string({ unit: 'binary-ascii', maxLength: 12 }),
    );
    fc.assert(
      fc.property(texts, (text) => {
        expect(numberKey(text)).toBe(text.replace(/\D/g, ''));
      }),
      { numRuns: 200 },
    );
  });
});
