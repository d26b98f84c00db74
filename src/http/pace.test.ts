import { setMaxListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPacer } from './pace.js';

// Hint: the pacer reads vitest's clock, moved by its timers, plus `stalled`: time that passed with
// no timer run, as when the process stood still (SIGSTOP, a long GC).
let stalled = 0;
const clock = () => Date.now() + stalled;
const running = new AbortController().signal;
// Hint: every turn asked here waits on this one signal, as replay's workers share its stop signal
// (deliver.ts lifts the limit there too); 12 at once made Node warn of a listener leak.
setMaxListeners(0, running);

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** Asks for `count` turns at once; returns when each was let go (clock ms), in the order asked. */
function ask(pacer: ReturnType<typeof createPacer>, count: number, signal = running): Array<number | false> {
  const started: Array<number | false> = [];
  for (let i = 0; i < count; i++) {
    void pacer.turn(signal).then((go) => {
      started[i] = go ? clock() : false;
    });
  }
  return started;
}

describe('createPacer', () => {
  beforeEach(() => {
    stalled = 0;
    vi.useFakeTimers({ now: 1000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('spaces starts 1/rate apart and does not save up unused time', async () => {
    const pacer = createPacer(4, clock);
    const first = ask(pacer, 3);
    await advance(600);
    expect(first).toEqual([1000, 1250, 1500]);
    // Long idle: the next start goes at once, the one after waits a full interval.
    await advance(4000);
    const later = ask(pacer, 2);
    await advance(300);
    expect(later).toEqual([5600, 5850]);
  });

  it('handles rates below one per second', async () => {
    const pacer = createPacer(0.5, clock);
    const started = ask(pacer, 2);
    await advance(1999);
    expect(started).toEqual([1000]);
    await advance(1);
    expect(started).toEqual([1000, 3000]);
  });

  it('after a stall, lets go one start at a time, not every one whose time has passed', async () => {
    // Each worker's own timer for a slot reserved ahead fired with all the others after a stall
    // (SIGSTOP, a long GC): 12 requests within 6 ms at --rate 2 (red-team report hF54).
    const pacer = createPacer(2, clock);
    const started = ask(pacer, 12);
    await advance(0);
    expect(started).toEqual([1000]);
    stalled += 10_000;
    await advance(500);
    expect(started).toEqual([1000, 11_500]);
    await advance(1000);
    expect(started).toEqual([1000, 11_500, 12_000, 12_500]);
  });

  it('makes up a start late by up to half an interval, keeping the rate, and not one later than that', async () => {
    // Counted from when each really started, every timer's lateness was lost for good: --rate
    // 300 gave 177-221 requests a second (review hR69).
    const pacer = createPacer(10, clock);
    const started = ask(pacer, 5);
    await advance(0);
    // The timer runs 30 ms late: the start after it is due when it was, 100 ms after the one before.
    stalled += 30;
    await advance(100);
    expect(started).toEqual([1000, 1130]);
    await advance(70);
    expect(started).toEqual([1000, 1130, 1200]);
    // Run 60 ms late, more than half an interval: the next waits a whole interval from then, not
    // 40 ms (a stall sent two requests 88 ms apart at --rate 0.5; review hR71).
    stalled += 60;
    await advance(100);
    expect(started).toEqual([1000, 1130, 1200, 1360]);
    await advance(100);
    expect(started).toEqual([1000, 1130, 1200, 1360, 1460]);
  });

  it('keeps the rate over many starts, its timers whole milliseconds', async () => {
    const pacer = createPacer(300, clock);
    const started = ask(pacer, 301);
    await advance(1000);
    expect(started.filter((at) => typeof at === 'number' && at <= 2000)).toHaveLength(301);
    // Never two closer than a millisecond short of the interval.
    const gaps = (started as number[]).slice(1).map((at, i) => at - (started[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000 / 300 - 1);
  });

  it('above 1000 a second, lets go the starts of a millisecond together, and no more', async () => {
    const pacer = createPacer(4000, clock);
    const started = ask(pacer, 16);
    await advance(0);
    expect(started.filter((at) => at === 1000)).toHaveLength(4);
    await advance(1);
    expect(started.filter((at) => at === 1001)).toHaveLength(4);
    // After a stall, still a millisecond's starts at once, not the stall's.
    stalled += 5000;
    await advance(1);
    expect(started.filter((at) => at === 6002)).toHaveLength(4);
  });

  it('lets a caller give up waiting, keeps the order of the rest, and leaves no timer behind', async () => {
    const pacer = createPacer(1, clock);
    const stop = new AbortController();
    const first = ask(pacer, 1);
    const givingUp = ask(pacer, 1, stop.signal);
    const last = ask(pacer, 1);
    await advance(0);
    stop.abort();
    await advance(1000);
    expect([first, givingUp, last]).toEqual([[1000], [false], [2000]]);
    // Nobody waits: no timer holds the process.
    const alone = ask(pacer, 2, stop.signal);
    await advance(0);
    expect(alone).toEqual([false, false]);
    const once = new AbortController();
    ask(pacer, 2, once.signal);
    await advance(0);
    expect(vi.getTimerCount()).toBe(1);
    // The last waiters give up while their timer is set: the timer goes too.
    once.abort();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('createPacer on the real clock', () => {
  it('is not held by a wall clock stepped back (NTP, a manual change): it reads the monotonic one', async () => {
    // Reading Date.now, a step back of 20 s held the run 20 s (review hR71).
    const realNow = Date.now;
    let step = 0;
    Date.now = () => realNow() + step;
    const pacer = createPacer(20);
    const signal = new AbortController().signal;
    try {
      expect(await pacer.turn(signal)).toBe(true);
      step = -20_000;
      const asked = performance.now();
      expect(await pacer.turn(signal)).toBe(true);
      expect(performance.now() - asked).toBeLessThan(2_000);
    } finally {
      Date.now = realNow;
    }
  });
});
