// A state declared as tallies is merged, taken out and pruned from its declaration alone: a counter
// added to the declaration needs no other edit to be merged and taken out.
import { describe, expect, it } from 'vitest';
import {
  addInto,
  count,
  counts,
  earliest,
  emptyOf,
  entryOf,
  keyed,
  latest,
  members,
  negatedOf,
  pruneEmpty,
  shape,
  type Tally,
  type ValueOf,
} from './tally.js';

const before = shape({ n: count, byKey: keyed<string>()(shape({ hits: count })) });
// The same declaration with one counter of each kind added.
const after = shape({
  ...before.fields,
  added: count,
  addedByColour: counts(['red', 'blue']),
  addedByKey: keyed<string | null>()(count),
  addedSet: members,
  first: earliest,
  last: latest,
});

function sample(n: number, keys: string[], ms: number) {
  const value = emptyOf(after);
  value.n = n;
  for (const key of keys) value.byKey.set(key, { hits: n });
  value.added = 2 * n;
  value.addedByColour.blue = n;
  for (const key of keys) value.addedByKey.set(key, n);
  value.addedByKey.set(null, 1);
  for (const key of keys) value.addedSet.add(key);
  value.first = { ms, text: `t${ms}` };
  value.last = { ms, text: `t${ms}` };
  return value;
}

/** `a` and then `b` added into a copy of `a`, as a reader merges a worker's counts (`addInto`). */
const merged = <T extends Tally>(tally: T, a: ValueOf<T>, b: ValueOf<T>) =>
  addInto(tally, structuredClone(a), structuredClone(b));

describe('tallies', () => {
  it('start empty', () => {
    expect(emptyOf(after)).toEqual({
      n: 0,
      byKey: new Map(),
      added: 0,
      addedByColour: { red: 0, blue: 0 },
      addedByKey: new Map(),
      addedSet: new Set(),
      first: { ms: Number.POSITIVE_INFINITY, text: '' },
      last: { ms: Number.NEGATIVE_INFINITY, text: '' },
    });
  });

  it('add a key empty as declared the first time it is asked for, and give the same entry after', () => {
    const state = emptyOf(after);
    const entry = entryOf(after.fields.byKey, state.byKey, 'x');
    expect(entry).toEqual({ hits: 0 });
    entry.hits++;
    expect(entryOf(after.fields.byKey, state.byKey, 'x')).toBe(entry);
    expect(entryOf(after.fields.byKey, state.byKey, 'y')).toEqual({ hits: 0 });
    expect([...state.byKey]).toEqual([
      ['x', { hits: 1 }],
      ['y', { hits: 0 }],
    ]);
  });

  it('merge every counter declared, first-seen key order kept', () => {
    const a = sample(1, ['x', 'y'], 20);
    const b = sample(3, ['z', 'x'], 10);
    const sum = merged(after, a, b);
    expect(sum.n).toBe(4);
    expect([...sum.byKey]).toEqual([
      ['x', { hits: 4 }],
      ['y', { hits: 1 }],
      ['z', { hits: 3 }],
    ]);
    expect(sum.added).toBe(8);
    expect(sum.addedByColour).toEqual({ red: 0, blue: 4 });
    expect([...sum.addedByKey]).toEqual([
      ['x', 4],
      ['y', 1],
      [null, 2],
      ['z', 3],
    ]);
    expect([...sum.addedSet]).toEqual(['x', 'y', 'z']);
    expect(sum.first).toEqual({ ms: 10, text: 't10' });
    expect(sum.last).toEqual({ ms: 20, text: 't20' });
  });

  it('keep the first text on a tie of bounds', () => {
    const a = sample(1, [], 5);
    const b = { ...sample(1, [], 5), first: { ms: 5, text: 'other' }, last: { ms: 5, text: 'other' } };
    const sum = merged(after, a, b);
    expect([sum.first.text, sum.last.text]).toEqual(['t5', 't5']);
  });

  it('take out every counter declared, forgetting keys left at zero; sets and bounds stay', () => {
    const a = sample(1, ['x', 'y'], 20);
    const b = sample(3, ['z', 'x'], 10);
    const sum = merged(after, a, b);
    addInto(after, sum, negatedOf(after, b));
    expect(pruneEmpty(after, sum)).toBe(false);
    expect(sum).toEqual({ ...a, addedSet: new Set(['x', 'y', 'z']), first: { ms: 10, text: 't10' } });
    // Taking everything out leaves the value empty but for what cannot be taken out.
    const none = merged(after, a, emptyOf(after));
    addInto(after, none, negatedOf(after, a));
    pruneEmpty(after, none);
    expect(none).toEqual({ ...emptyOf(after), addedSet: a.addedSet, first: a.first, last: a.last });
  });
});
