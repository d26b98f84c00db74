/** `--rate`: a token bucket that spaces request starts evenly. */

/** Lets requests start no closer together than 1/rate seconds, in the order they asked. */
export interface Pacer {
  /** Waits for this caller's start: true when it may start, false when `signal` aborted first. */
  turn(signal: AbortSignal): Promise<boolean>;
}

/**
 * A token bucket holding one token, refilled at `ratePerSecond`: each start takes the token, so
 * starts are spaced evenly, counted from when each really started. Hint: a larger bucket would
 * allow bursts of several requests at once, which is not what "requests per second" means to
 * someone protecting a fragile receiver. So the callers wait in one queue, let go by one timer:
 * each caller's own timer for a slot reserved ahead fired with all the others after a stall
 * (SIGSTOP, a long GC), as many requests at once as --concurrency. Above 1000 a second, where a
 * timer cannot wake more often, the starts of a millisecond go together.
 */
export function createPacer(ratePerSecond: number, now: () => number = Date.now): Pacer {
  const interval = 1000 / ratePerSecond;
  const slack = Math.max(0, 1 - interval);
  // The earliest next start, and who waits for one, in the order they asked.
  let next = Number.NEGATIVE_INFINITY;
  const waiting = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  const letGo = () => {
    timer = undefined;
    for (const start of waiting) {
      const at = now();
      if (at < next) {
        timer = setTimeout(letGo, next - at);
        return;
      }
      waiting.delete(start);
      // Hint: from when it started, not when it was due: unused time is not saved up.
      next = Math.max(next, at - slack) + interval;
      start();
    }
  };
  return {
    turn(signal) {
      if (signal.aborted) return Promise.resolve(false);
      return new Promise((resolve) => {
        const start = () => {
          signal.removeEventListener('abort', giveUp);
          resolve(true);
        };
        const giveUp = () => {
          waiting.delete(start);
          // Hint: nobody left to let go: a timer 1000 s long (--rate 0.001) would hold the process.
          if (waiting.size === 0) {
            clearTimeout(timer);
            timer = undefined;
          }
          resolve(false);
        };
        signal.addEventListener('abort', giveUp, { once: true });
        waiting.add(start);
        if (timer === undefined) letGo();
      });
    },
  };
}
