/**
 * Counters declared once. A state is a tree of tallies (counts, counts by fixed keys, maps of
 * tallies, sets, earliest and latest times, shapes of named tallies); its empty value, the merge of
 * two, the negation that takes one out of another and the forgetting of emptied keys all follow
 * from that declaration, so a counter added to it is merged and taken out with no other edit.
 *
 * Values are plain data (numbers, records, Maps, Sets): they cross threads by structured clone.
 */

/** A number that adds up. */
export interface Count {
  readonly kind: 'count';
}

/** Numbers by a fixed, known set of keys (a record with every key present). */
export interface Counts<K extends string> {
  readonly kind: 'counts';
  readonly keys: readonly K[];
}

/** A Map from keys to tallies of one kind; its insertion order (first seen first) is kept by merges. */
export interface Keyed<K, T extends Tally> {
  readonly kind: 'keyed';
  readonly of: T;
  /** Type only: the keys' type. */
  readonly key?: K;
}

/** A set of strings: merged by union. Holds no counts, so taking a state out leaves it as it is. */
export interface Members {
  readonly kind: 'set';
}

/** The earliest (or latest) instant seen and its text as written; on a tie the first one seen stays. */
export interface Bound {
  readonly kind: 'earliest' | 'latest';
}

/** Named tallies. */
export interface Shape<F extends Record<string, Tally>> {
  readonly kind: 'shape';
  readonly fields: F;
}

/** Any tally. */
export type Tally =
  | Count
  | Counts<string>
  // biome-ignore lint/suspicious/noExplicitAny: the tally of a Map's values is any tally
  | Keyed<any, any>
  | Members
  | Bound
  // biome-ignore lint/suspicious/noExplicitAny: the fields of a shape are any tallies
  | Shape<any>;

/** An instant (ms since the epoch, infinite when none was seen) and its text as written. */
export interface Instant {
  ms: number;
  text: string;
}

/** The value a tally declares. */
export type ValueOf<T> = T extends Count
  ? number
  : T extends Counts<infer K>
    ? Record<K, number>
    : T extends Keyed<infer K, infer I>
      ? Map<K, ValueOf<I>>
      : T extends Members
        ? Set<string>
        : T extends Bound
          ? Instant
          : T extends Shape<infer F>
            ? { -readonly [N in keyof F]: ValueOf<F[N]> }
            : never;

/** A number that adds up. */
export const count: Count = { kind: 'count' };
/** A set merged by union. */
export const members: Members = { kind: 'set' };
/** The earliest instant seen. */
export const earliest: Bound = { kind: 'earliest' };
/** The latest instant seen. */
export const latest: Bound = { kind: 'latest' };

/** Numbers by each of `keys`. */
export function counts<const K extends string>(keys: readonly K[]): Counts<K> {
  return { kind: 'counts', keys };
}

/** A Map keyed by `K` (named first, as `keyed<string>()(count)`, since the tally is inferred). */
export function keyed<K>(): <T extends Tally>(of: T) => Keyed<K, T> {
  return (of) => ({ kind: 'keyed', of });
}

/** Named tallies. */
export function shape<const F extends Record<string, Tally>>(fields: F): Shape<F> {
  return { kind: 'shape', fields };
}

// Hint: the functions below work on untyped values and are typed at the edges (`emptyOf`,
// `addInto`, ...): a tally's value type is a conditional type that TypeScript cannot narrow by kind.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Loose = any;

/** The value of `tally` before anything is counted. */
export function emptyOf<T extends Tally>(tally: T): ValueOf<T> {
  return empty(tally);
}

function empty(tally: Tally): Loose {
  switch (tally.kind) {
    case 'count':
      return 0;
    case 'counts': {
      const out: Record<string, number> = {};
      for (const key of tally.keys) out[key] = 0;
      return out;
    }
    case 'keyed':
      return new Map();
    case 'set':
      return new Set();
    case 'earliest':
      return { ms: Number.POSITIVE_INFINITY, text: '' };
    case 'latest':
      return { ms: Number.NEGATIVE_INFINITY, text: '' };
    case 'shape': {
      const out: Record<string, unknown> = {};
      for (const name of Object.keys(tally.fields)) out[name] = empty(tally.fields[name]);
      return out;
    }
  }
}

/** The value at `key` of a keyed tally's Map, added to it empty when new. */
export function entryOf<K, T extends Tally>(tally: Keyed<K, T>, map: Map<K, ValueOf<T>>, key: K): ValueOf<T> {
  let value = map.get(key);
  if (value === undefined) {
    value = emptyOf(tally.of);
    map.set(key, value);
  }
  return value;
}

/**
 * Adds `from` (counted after `into`) to `into` and returns the sum: `into` is updated in place
 * wherever it is not a bare number, and parts of `from` are adopted, not copied, so `from` must not
 * be used afterwards. The sum is what one tally counting both would hold, first-seen orders included.
 */
export function addInto<T extends Tally>(tally: T, into: ValueOf<T>, from: ValueOf<T>): ValueOf<T> {
  return add(tally, into, from);
}

function add(tally: Tally, into: Loose, from: Loose): Loose {
  switch (tally.kind) {
    case 'count':
      return into + from;
    case 'counts':
      for (const key of tally.keys) into[key] += from[key];
      return into;
    case 'keyed':
      for (const [key, value] of from as Map<unknown, unknown>) {
        const mine = into.get(key);
        // Hint: set on a key already there keeps its place, so the order stays first-seen first.
        into.set(key, mine === undefined ? value : add(tally.of, mine, value));
      }
      return into;
    case 'set':
      for (const member of from as Set<string>) into.add(member);
      return into;
    // Strict comparisons: on a tie the earlier reader's text stays, as it would in one pass.
    case 'earliest':
      return from.ms < into.ms ? from : into;
    case 'latest':
      return from.ms > into.ms ? from : into;
    case 'shape':
      for (const name of Object.keys(tally.fields)) into[name] = add(tally.fields[name], into[name], from[name]);
      return into;
  }
}

/**
 * A copy of `value` that, added to a state, takes `value`'s counts out of it: every count negated,
 * bounds and sets empty (they cannot be taken out; whoever takes out must prove they are unchanged).
 */
export function negatedOf<T extends Tally>(tally: T, value: ValueOf<T>): ValueOf<T> {
  return negate(tally, value);
}

function negate(tally: Tally, value: Loose): Loose {
  switch (tally.kind) {
    case 'count':
      return -value;
    case 'counts': {
      const out: Record<string, number> = {};
      for (const key of tally.keys) out[key] = -value[key];
      return out;
    }
    case 'keyed':
      return new Map([...(value as Map<unknown, unknown>)].map(([key, inner]) => [key, negate(tally.of, inner)]));
    case 'set':
    case 'earliest':
    case 'latest':
      return empty(tally);
    case 'shape': {
      const out: Record<string, unknown> = {};
      for (const name of Object.keys(tally.fields)) out[name] = negate(tally.fields[name], value[name]);
      return out;
    }
  }
}

/**
 * Forgets, in place, the Map entries whose tallies are all zero (counts taken out to nothing: one
 * pass would never have seen their keys). Returns whether `value` itself is all zero.
 */
export function pruneEmpty<T extends Tally>(tally: T, value: ValueOf<T>): boolean {
  return prune(tally, value);
}

function prune(tally: Tally, value: Loose): boolean {
  switch (tally.kind) {
    case 'count':
      return value === 0;
    case 'counts':
      return tally.keys.every((key) => value[key] === 0);
    case 'keyed':
      for (const [key, inner] of value as Map<unknown, unknown>) if (prune(tally.of, inner)) value.delete(key);
      return value.size === 0;
    case 'set':
      return value.size === 0;
    case 'earliest':
    case 'latest':
      return !Number.isFinite(value.ms);
    case 'shape': {
      let zero = true;
      // Every field is pruned, not only up to the first that is not zero.
      for (const name of Object.keys(tally.fields)) if (!prune(tally.fields[name], value[name])) zero = false;
      return zero;
    }
  }
}
