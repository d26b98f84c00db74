import { describe, expect, it } from 'vitest';
import { FingerprintSet, fingerprintSeed, useFingerprintSeed } from './fingerprint-set.js';

describe('FingerprintSet', () => {
  it('adds each key once, through growth', () => {
    const set = new FingerprintSet();
    for (let i = 0; i < 10_000; i++) expect(set.add(`id-${i}`)).toBe(true);
    for (let i = 0; i < 10_000; i += 7) expect(set.add(`id-${i}`)).toBe(false);
    expect(set.count).toBe(10_000);
  });

  it('tells whether it holds a key without adding it', () => {
    const set = new FingerprintSet();
    for (let i = 0; i < 5000; i++) set.add(`id-${i}`);
    expect([set.holds('id-4999'), set.holds('id-5000'), set.holds('id-5000')]).toEqual([true, false, false]);
    expect(set.count).toBe(5000);
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

  it('fingerprints under a seed: ids made to collide under one seed need not under another', () => {
    const keys = Array.from({ length: 100 }, (_, i) => `4bedc375-528a-4af2-9eab-ac08876709${i}`);
    const tableUnder = (seed: number) => {
      const set = new FingerprintSet({ seed });
      for (const key of keys) set.add(key);
      return Array.from(set.snapshot().table);
    };
    expect(tableUnder(1)).toEqual(tableUnder(1));
    expect(tableUnder(1)).not.toEqual(tableUnder(2));
    // A set made without a seed takes the process's, which a worker sets to its parent's.
    const before = fingerprintSeed();
    try {
      useFingerprintSeed(7);
      const set = new FingerprintSet();
      for (const key of keys) set.add(key);
      expect(Array.from(set.snapshot().table)).toEqual(tableUnder(7));
    } finally {
      useFingerprintSeed(before);
    }
  });
});
