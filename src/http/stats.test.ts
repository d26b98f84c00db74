import { describe, expect, it } from 'vitest';
import { DeliveryStats, percentile } from './stats.js';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([], 50)).toBe(0);
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
