import { serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeliveryStats } from './stats.js';

/** The latencies `stats` holds, to 0.1 ms as printed and reported. */
const latencyOf = (latencies: readonly number[]) => {
  const stats = new DeliveryStats();
  for (const ms of latencies) stats.attempt('200', ms);
  return stats.latency();
};

/** Exactly, with every latency kept and sorted: the nearest rank, to 0.1 ms. */
function exactLatency(latencies: readonly number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] ?? 0;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), max: round(at(100)) };
}

describe('latency percentiles', () => {
  it('use the nearest rank', () => {
    expect(latencyOf(Array.from({ length: 100 }, (_, i) => 100 - i))).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
    expect(latencyOf([])).toBeNull();
  });

  it('are exact to 0.1 ms below 409.6 ms, and above it never high and less than 0.05% low; the max is exact', () => {
    const latency = fc.oneof(
      fc.double({ min: 0, max: 500, noNaN: true }),
      fc.double({ min: 0, max: 86_400_000, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 300 }), (latencies) => {
        const got = latencyOf(latencies);
        const exact = exactLatency(latencies);
        expect(got?.max).toBe(exact.max);
        for (const p of ['p50', 'p95', 'p99'] as const) {
          const [gotTenths, exactTenths] = [Math.round((got?.[p] ?? Number.NaN) * 10), Math.round(exact[p] * 10)];
          if (exactTenths < 4096) expect(got?.[p], p).toBe(exact[p]);
          expect(gotTenths, p).toBeLessThanOrEqual(exactTenths);
          expect(gotTenths, p).toBeGreaterThan(exactTenths * (1 - 1 / 2048) - 1e-9);
        }
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('take room that does not grow with the run: under 64 KiB after 300,000 attempts of up to 86 s', () => {
    // Hint: every latency was kept to sort at the end, 8 bytes each (2.4 MB here; 10 million
    // attempts took 224 MiB more).
    const stats = new DeliveryStats();
    for (let i = 0; i < 300_000; i++) stats.attempt('200', (i % 997) * 86.7 + (i % 13) / 10);
    expect(serialize(stats).length).toBeLessThan(64 * 1024);
  });
});

describe('DeliveryStats', () => {
  it('counts batches, events, retries and attempts by outcome', () => {
    const stats = new DeliveryStats();
    stats.attempt('500', 5);
    stats.attempt('200', 1);
    stats.attempt('ECONNRESET');
    stats.finish({ key: 'a', status: 'delivered', attempts: 2, events: 3, source: 's', at: '' });
    stats.finish({ key: 'b', status: 'failed', attempts: 1, events: 2, source: 't', at: '', code: 400, reason: 'x' });
    stats.resumed(4);
    stats.notSent(6);
    const report = stats.report('http://127.0.0.1/', 'POST');
    expect(report.batches).toEqual({ delivered: 1, failed: 1, undelivered: 0, notSent: 1, resumed: 1, retried: 1 });
    expect(report.events).toMatchObject({ delivered: 3, failed: 2, notSent: 6, resumed: 4 });
    expect(report.statusCodes).toEqual({ '500': 1, '200': 1, ECONNRESET: 1 });
    expect(report.retries).toBe(1);
    expect(report.latencyMs).toEqual({ p50: 1, p95: 5, p99: 5, max: 5 });
    expect(report.undelivered).toEqual([
      { key: 'b', source: 't', status: 'failed', code: 400, attempts: 1, events: 2, reason: 'x' },
    ]);
  });

  it('gives the request rate over the intervals between starts: at --rate 0.5, 0.5, however long the last took', () => {
    // 4 requests 2 s apart read 0.7 req/s: 4 over the 6 s from the first to the last, which are
    // 3 intervals, and the last's answer (red-team report hF54).
    const stats = new DeliveryStats();
    for (const at of [10_000, 12_000, 14_000, 16_000]) {
      stats.requestStarted(at);
      stats.attempt('200', 900);
    }
    expect(stats.report('http://127.0.0.1/', 'POST').requestRate).toBe(0.5);
    // Slower than one a twentieth of a second: two figures, not 0 (review hR69).
    const slow = new DeliveryStats();
    for (const at of [10_000, 35_000]) slow.requestStarted(at);
    expect(slow.report('http://127.0.0.1/', 'POST').requestRate).toBe(0.04);
  });

  it('gives no request rate with fewer than two starts apart: 0', () => {
    const stats = new DeliveryStats();
    expect(stats.report('http://127.0.0.1/', 'POST').requestRate).toBe(0);
    stats.requestStarted(5000);
    expect(stats.report('http://127.0.0.1/', 'POST').requestRate).toBe(0);
    stats.requestStarted(5000);
    expect(stats.report('http://127.0.0.1/', 'POST').requestRate).toBe(0);
  });

  it('lists the batches not delivered in the order of the input, not the order they finished in', () => {
    // Against a receiver failing every batch, concurrency and retries listed b10.ndjson:2, :4, :4, :3, … (hT59).
    const stats = new DeliveryStats();
    for (const ordinal of [10, 2, 11, 0, 7]) {
      const key = `${ordinal}-${'0'.repeat(32)}`;
      stats.finish({ key, status: 'failed', attempts: 1, events: 1, source: `s:${ordinal}`, at: '', reason: 'x' });
    }
    expect(stats.report('http://127.0.0.1/', 'POST').undelivered.map((u) => u.source)).toEqual([
      's:0',
      's:2',
      's:7',
      's:10',
      's:11',
    ]);
    // Keyed by where each batch starts (its source, and its first event's byte in it).
    const placed = new DeliveryStats();
    for (const place of ['1_40', '0_900', '1_7', '0_85', '2_0']) {
      const key = `${place}-${'0'.repeat(32)}`;
      placed.finish({ key, status: 'failed', attempts: 1, events: 1, source: place, at: '', reason: 'x' });
    }
    expect(placed.report('http://127.0.0.1/', 'POST').undelivered.map((u) => u.source)).toEqual([
      '0_85',
      '0_900',
      '1_7',
      '1_40',
      '2_0',
    ]);
  });

  it('counts a batch whose attempt failed as retrying until it finishes, so the progress line is not "0 errors"', () => {
    const stats = new DeliveryStats();
    stats.attempt('503', 1);
    stats.retrying('a');
    stats.attempt('503', 1);
    stats.retrying('a');
    stats.attempt('503', 1);
    stats.retrying('b');
    expect(stats.snapshot()).toMatchObject({ errors: 0, retrying: 2, failedAttempts: 3 });
    stats.finish({ key: 'a', status: 'delivered', attempts: 3, events: 1, source: 's', at: '' });
    expect(stats.snapshot()).toMatchObject({ errors: 0, retrying: 1 });
    stats.finish({ key: 'b', status: 'failed', attempts: 2, events: 1, source: 's', at: '', reason: 'x' });
    expect(stats.snapshot()).toMatchObject({ errors: 1, retrying: 0 });
  });
});

describe('the time a Retry-After paused the run', () => {
  it('counts each moment once, however the pauses and the paused workers overlap', () => {
    const stats = new DeliveryStats();
    const t0 = Date.now() - 10_000;
    stats.pauseUntil(t0 + 1000, false, t0);
    stats.pauseUntil(t0 + 800, false, t0 + 100);
    // The workers it paused come back spread over half as long again.
    stats.pauseUntil(t0 + 1500, true, t0 + 200);
    stats.pauseUntil(t0 + 4000, false, t0 + 3000);
    expect(stats.snapshot()).toMatchObject({ pausedMs: 0, pausedSoFarMs: 2500 });
  });
});
