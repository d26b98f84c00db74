import { describe, expect, it } from 'vitest';
import { FingerprintSet } from './fingerprint-set.js';

describe('FingerprintSet', () => {
  it('adds each key once, through growth', () => {
    const set = new FingerprintSet();
    for (let i = 0; i < 10_000; i++) expect(set.add(`id-${i}`)).toBe(true);
    for (let i = 0; i < 10_000; i += 7) expect(set.add(`id-${i}`)).toBe(false);
    expect(set.count).toBe(10_000);
  });

  it("tells whether another set's snapshot shares a key with it", () => {
    const mine = new FingerprintSet();
    const theirs = new FingerprintSet();
    for (let i = 0; i < 5000; i++) mine.add(`a-${i}`);
    for (let i = 0; i < 3000; i++) theirs.add(`b-${i}`);
    expect(mine.shared(theirs.snapshot())).toEqual([]);
    theirs.add('a-4999');
    expect(mine.shared(theirs.snapshot())).toHaveLength(1);
    expect(mine.shared(new FingerprintSet().snapshot())).toEqual([]);
  });

  it('names the shared keys by the order in which the other set first added them, through its growth', () => {
    const mine = new FingerprintSet();
    const theirs = new FingerprintSet({ ordered: true });
    for (let i = 0; i < 5000; i++) mine.add(`a-${i}`);
    for (let i = 0; i < 3000; i++) theirs.add(i % 1000 === 7 ? `a-${i}` : `b-${i}`);
    theirs.add('a-7'); // already there: keeps its first place
    theirs.add('a-4999');
    expect(mine.shared(theirs.snapshot())).toEqual([7, 1007, 2007, 3000]);
  });
});
