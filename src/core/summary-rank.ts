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
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return counts.map(() => 0);
  const unit = 10 ** decimals;
  const scale = 100 * unit;
  // Hint: remainders in integers (count × scale mod total), not as fractions of floats, so that
  // equal shares tie exactly (4/6 and 1/6 both leave 4000 mod 6 = 1000 mod 6 = 4).
  const remainders = counts.map((count) => (count * scale) % total);
  const units = counts.map((count, i) => (count * scale - remainders[i]!) / total);
  let left = scale - units.reduce((a, b) => a + b, 0);
  const order = counts
    .map((_, i) => i)
    .sort((a, b) => remainders[b]! - remainders[a]! || counts[b]! - counts[a]! || a - b);
  for (const i of order) {
    if (left <= 0) break;
    units[i]!++;
    left--;
  }
  return units.map((u) => u / unit);
}

/** Percent of a part that is not a partition (e.g. calls reaching a question), one decimal. */
export function percentOf(count: number, total: number): number {
  return total === 0 ? 0 : Math.round((count * 1000) / total) / 10;
}

/** Each key's count and its share of their sum (largest-remainder rounded, so they add up to 100). */
export function shares<K extends string>(keys: readonly K[], counts: Record<K, number>): Record<K, Share> {
  const percents = largestRemainderPercents(keys.map((k) => counts[k]));
  const out = {} as Record<K, Share>;
  keys.forEach((key, i) => {
    out[key] = { count: counts[key], percent: percents[i]! };
  });
  return out;
}

/** Most frequent first, then by key, so that equal counts list the same way every run. */
export function byCountThenKey<T>(entries: Iterable<[T, number]>): [T, number][] {
  return [...entries].sort((a, b) => b[1] - a[1] || compareKeys(a[0], b[0]));
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
  const sorted = byCountThenKey(counts);
  const kept = top > 0 ? sorted.slice(0, top) : sorted;
  const left = sorted.slice(kept.length);
  const restCount = left.reduce((sum, [, count]) => sum + count, 0);
  const percents = largestRemainderPercents([...kept.map(([, count]) => count), ...(left.length ? [restCount] : [])]);
  return {
    rows: kept.map(([key, count], i) => ({ key, count, percent: percents[i]! })),
    rest: left.length ? { keys: left.length, count: restCount, percent: percents[kept.length]! } : null,
  };
}
