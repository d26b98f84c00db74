/** `--rate`: a token bucket that spaces request starts evenly. Pure: the caller supplies the clock. */

/** Hands out start times no closer together than 1/rate seconds. */
interface Pacer {
  /** Reserves the next slot; returns how many ms to wait from `now` before starting. */
  reserve(now: number): number;
}

/**
 * A token bucket holding one token, refilled at `ratePerSecond`: each request takes the token,
 * so starts are spaced evenly. Hint: a larger bucket would allow bursts of several requests at
 * once, which is not what "requests per second" means to someone protecting a fragile receiver.
 */
export function createPacer(ratePerSecond: number): Pacer {
  const interval = 1000 / ratePerSecond;
  let next = Number.NEGATIVE_INFINITY;
  return {
    reserve(now) {
      const start = Math.max(now, next);
      next = start + interval;
      return start - now;
    },
  };
}
