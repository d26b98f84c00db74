/** `--rate`: a token bucket that spaces request starts evenly. */

/** Lets requests start no closer together than 1/rate seconds, in the order they asked. */
export interface Pacer {
  /** Waits for this caller's start: true when it may start, false when `signal` aborted first. */
  turn(signal: AbortSignal): Promise<boolean>;
}

/**
 * A token bucket holding one token, refilled at `ratePerSecond`: each start takes the token, so
 * starts are spaced evenly. Hint: a larger bucket would allow bursts of several requests at once,
 * which is not what "requests per second" means to someone protecting a fragile receiver.
 * - Each start is counted from when the one before was due, so that a timer's lateness (a
 *   millisecond or two, more under load) is made up and the rate kept: counted from when each
 *   really started, --rate 300 gave 177-221 a second (review hR69).
 * - Only a start late by half an interval at most (2 ms above 250 a second) is made up, so two are
 *   never closer than that: after a longer wait (a stall, an idle spell) the next is counted from
 *   when it really started.
 *   Made up for a whole interval, a stall sent two requests 88 ms apart at --rate 0.5 (hR71).
 * - The callers wait in one queue, let go by one timer: each caller's own timer for a slot
 *   reserved ahead fired with all the others after a stall (SIGSTOP, a long GC), as many
 *   requests at once as --concurrency.
 * - The clock is the monotonic one: a wall clock stepped back 20 s (NTP, a manual change) held
 *   the run 20 s.
 * - Above 1000 a second, where a timer cannot wake more often, the starts of a millisecond go
 *   together.
 */
export function createPacer(ratePerSecond: number, now: () => number = () => performance.now()): Pacer {
  const interval = 1000 / ratePerSecond;
  // How early a start may go: the starts of a millisecond go together above 1000 a second.
  const slack = Math.max(0, 1 - interval);
  // How late a start may be and still be made up for: half an interval, or 2 ms above 250 a
  // second, where a timer's own lateness (up to a millisecond and more) is that much or more, and
  // the rate fell to 504 a second at --rate 600 (review hR72).
  const catchUp = Math.max(interval / 2, 2);
  // The earliest next start, and who waits for one, in the order they asked.
  let next = Number.NEGATIVE_INFINITY;
  const waiting = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  const letGo = () => {
    timer = undefined;
    for (const start of waiting) {
      const at = now();
      if (at < next - slack) {
        // Hint: a whole millisecond: Node truncates a delay, and a timer that ran early was set again.
        timer = setTimeout(letGo, Math.ceil(next - at));
        return;
      }
      waiting.delete(start);
      // Hint: unused time is not saved up into a burst: after a longer wait, from now.
      next = (at - next > catchUp ? at : next) + interval;
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
