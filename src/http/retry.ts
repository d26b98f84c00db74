/** The retry policy: which outcomes are retried, how long to wait, and what Retry-After asks for. Pure. */

/** Backoff settings in milliseconds. */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

/** Default backoff: 0.5 s doubling to at most 30 s. */
export const defaultBackoff: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** The longest Retry-After honoured, so one odd header cannot stall a run for hours. */
export const maxRetryAfterMs = 10 * 60_000;

/** Whether a status is worth another attempt: 408 and 429 (the receiver asks for it) and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * The wait before retry number `retry` (1-based): "full jitter", a uniform draw from
 * [0, min(cap, base·2^(retry-1))], which spreads out clients that failed together.
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** Milliseconds a Retry-After header asks to wait (delta-seconds or an HTTP date), or undefined if unusable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    // Hint: Date.parse accepts bare numbers like "-1" as years; an HTTP date always names a day or month.
    if (!/[a-z]/i.test(text)) return undefined;
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = Math.max(0, date - now);
  }
  return Math.min(ms, maxRetryAfterMs);
}
