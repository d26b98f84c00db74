/**
 * Ranking and shares for the summary report: percentages that add up to 100, and ranked lists cut
 * to `top` rows with the rest folded into one. Pure functions of counts.
 */
import type { Rest, Share } from './summary-report.js';

/**
 * Rounds the shares of `counts` to `decimals` places so that they add up to exactly 100 (when the
 * total is not 0): largest-remainder rounding, ties to the larger count, then to the earlier row.
 */
export function largestRemainderPercents(counts: readonly number[], decimals = 1): number[] {
  return withPercents(
    counts.map((count) => ({ count })),
    decimals,
  ).map((row) => row.percent);
}

/** Each row with its `percent` of the rows' summed counts, as `largestRemainderPercents` rounds them. */
function withPercents<R extends { count: number }>(rows: readonly R[], decimals = 1): (R & { percent: number })[] {
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  if (total === 0) return rows.map((row) => ({ ...row, percent: 0 }));
  const unit = 10 ** decimals;
  const scale = 100 * unit;
  // Hint: remainders in integers (count × scale mod total), not as fractions of floats, so that
  // equal shares tie exactly (4/6 and 1/6 both leave 4000 mod 6 = 1000 mod 6 = 4).
  const places = rows.map((row, index) => {
    const remainder = (row.count * scale) % total;
    return { row, index, remainder, units: (row.count * scale - remainder) / total };
  });
  let left = scale - places.reduce((sum, place) => sum + place.units, 0);
  const order = [...places].sort((a, b) => b.remainder - a.remainder || b.row.count - a.row.count || a.index - b.index);
  for (const place of order) {
    if (left <= 0) break;
    place.units++;
    left--;
  }
  return places.map(({ row, units }) => ({ ...row, percent: units / unit }));
}

/** Percent of a part that is not a partition (e.g. calls reaching a question), one decimal. */
export function percentOf(count: number, total: number): number {
  return total === 0 ? 0 : Math.round((count * 1000) / total) / 10;
}

/** Each key's count and its share of their sum (largest-remainder rounded, so they add up to 100). */
export function shares<K extends string>(keys: readonly K[], counts: Record<K, number>): Record<K, Share> {
  const out = {} as Record<K, Share>;
  for (const { key, count, percent } of withPercents(keys.map((key) => ({ key, count: counts[key] })))) {
    out[key] = { count, percent };
  }
  return out;
}

/** The order of counted entries: most frequent first, then by key, so that equal counts list the same way every run. */
export function countThenKey<T>(a: readonly [T, number], b: readonly [T, number]): number {
  return b[1] - a[1] || compareKeys(a[0], b[0]);
}

/**
 * The first `top` of `items` in `compare`'s order, or all of them when `top` is 0 (`--top 0`);
 * equal items keep their order in `items`. At most twice `top` are held at a time. Hint: a sort
 * and cut each time twice `top` are held keeps the time O(n log top), and once cut, an item not
 * before the last kept is passed over.
 */
export function topOf<T>(items: Iterable<T>, top: number, compare: (a: T, b: T) => number): T[] {
  const count = top > 0 ? top : Number.POSITIVE_INFINITY;
  const kept: T[] = [];
  let last: T | undefined;
  for (const item of items) {
    if (last !== undefined && compare(item, last) >= 0) continue;
    kept.push(item);
    if (kept.length === 2 * count) {
      kept.sort(compare);
      kept.length = count;
      last = kept[count - 1];
    }
  }
  kept.sort(compare);
  if (kept.length > count) kept.length = count;
  return kept;
}

/**
 * What `topOf` left out of `all`: how many keys, and the sum of their `count`; null when nothing.
 */
export function restOf<K, V>(
  all: ReadonlyMap<K, V>,
  kept: readonly (readonly [K, V])[],
  count: (value: V) => number,
): { keys: number; count: number } | null {
  const keys = all.size - kept.length;
  if (keys === 0) return null;
  let left = 0;
  for (const value of all.values()) left += count(value);
  for (const [, value] of kept) left -= count(value);
  return { keys, count: left };
}

/** Orders keys as text, null (no reason, no note) last. */
export function compareKeys(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return String(a) < String(b) ? -1 : 1;
}

/**
 * Ranks a count map and keeps `top` rows; the rest is folded into one row so that the
 * percentages shown (the kept rows and the rest) still add up to 100.
 */
export function rankWithShares<T>(
  counts: Map<T, number>,
  top: number,
): { rows: { key: T; count: number; percent: number }[]; rest: Rest | null } {
  const kept = topOf(counts, top, countThenKey);
  const left = restOf(counts, kept, (count) => count);
  // The rest is rounded with the kept rows, so that the percentages shown add up to 100.
  const ranked: ({ rest: false; key: T; count: number } | { rest: true; keys: number; count: number })[] = kept.map(
    ([key, count]) => ({ rest: false, key, count }),
  );
  if (left) ranked.push({ rest: true, keys: left.keys, count: left.count });
  const rows = withPercents(ranked);
  let rest: Rest | null = null;
  const keptRows: { key: T; count: number; percent: number }[] = [];
  for (const row of rows) {
    if (row.rest) rest = { keys: row.keys, count: row.count, percent: row.percent };
    else keptRows.push({ key: row.key, count: row.count, percent: row.percent });
  }
  return { rows: keptRows, rest };
}
