import { describe, expect, it } from 'vitest';
import type { Attempt } from './attempt.js';
import { backoffDelay, isRetryableStatus, maxRetryAfterMs, nextStep, parseRetryAfter } from './retry.js';

describe('isRetryableStatus', () => {
  it('retries 408, 429 and 5xx only', () => {
    expect([408, 429, 500, 502, 503, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 301, 400, 401, 404, 409, 410, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe('backoffDelay', () => {
  const options = { baseMs: 100, capMs: 1000 };
  it('draws from [0, base·2^(n-1)] and never past the cap', () => {
    expect(backoffDelay(1, options, () => 0.999)).toBe(99);
    expect(backoffDelay(3, options, () => 0.5)).toBe(200);
    expect(backoffDelay(10, options, () => 0.999)).toBe(999);
    expect(backoffDelay(4, options, () => 0)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(['0'], now)).toBe(0);
  });
  it('reads an HTTP date, in the past meaning now', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });
  it('reads all three HTTP-date forms as UTC, in any time zone (RFC 9110, 5.6.7)', () => {
    const zone = process.env.TZ;
    try {
      for (const tz of ['UTC', 'America/St_Johns', 'Pacific/Chatham']) {
        process.env.TZ = tz;
        expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now), tz).toBe(60_000);
        expect(parseRetryAfter('Thursday, 01-Jan-26 00:01:00 GMT', now), tz).toBe(60_000);
        expect(parseRetryAfter('Thu Jan  1 00:01:00 2026', now), tz).toBe(60_000);
        expect(parseRetryAfter('Thu Jan 11 00:00:00 2026', now), tz).toBe(maxRetryAfterMs);
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    // RFC 850's two-digit year more than 50 years ahead is the last such year past.
    expect(parseRetryAfter('Friday, 01-Jan-99 00:00:00 GMT', now)).toBe(0);
  });
  it('takes no other text for a date, however Date.parse reads it: the backoff applies', () => {
    for (const text of [
      'x 5',
      'Z 1',
      '2026-01-01T00:01:00',
      '2026-01-01T00:01:00Z',
      'Thu, 01 Jan 2026 00:01:00',
      'Thu, 01 Jan 2026 00:01:00 UTC',
      'Thu, 32 Jan 2026 00:01:00 GMT',
      'Thu, 01 Jan 2026 24:01:00 GMT',
      'Thu, 1 Jan 2026 00:01:00 GMT',
      'Jan 1 2026',
    ]) {
      expect(parseRetryAfter(text, now), text).toBeUndefined();
    }
  });
  it('ignores nonsense and caps what it honours', () => {
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('999999', now)).toBe(maxRetryAfterMs);
  });
});

describe('nextStep', () => {
  const policy = { retries: 2, backoff: { baseMs: 100, capMs: 1000 }, random: () => 0.5 };
  const response = (status: number, more: Partial<Attempt & { kind: 'response' }> = {}): Attempt => ({
    kind: 'response',
    status,
    accepted: false,
    retryable: isRetryableStatus(status),
    latencyMs: 12.34,
    detail: '',
    ...more,
  });
  const failure = (outcome: string, retryable: boolean): Attempt => ({
    kind: 'error',
    outcome,
    retryable,
    detail: 'x',
  });

  it('ends a batch that was accepted, with its status, attempts and latency to 0.1 ms', () => {
    expect(nextStep(response(200, { accepted: true }), 1, policy)).toEqual({
      kind: 'done',
      outcome: { status: 'delivered', code: 200, attempts: 1, latencyMs: 12.3 },
      stopsRun: false,
    });
  });

  it('ends the batch and the run on 410 Gone', () => {
    expect(nextStep(response(410), 1, policy)).toMatchObject({
      outcome: { status: 'gone', code: 410, reason: '410 Gone' },
      stopsRun: true,
    });
  });

  it('fails at once what a retry cannot fix', () => {
    expect(nextStep(response(400, { detail: 'bad field' }), 1, policy)).toMatchObject({
      kind: 'done',
      outcome: { status: 'failed', code: 400, attempts: 1, reason: 'HTTP 400: bad field' },
    });
    expect(nextStep(failure('DEPTH_ZERO_SELF_SIGNED_CERT', false), 1, policy)).toMatchObject({
      outcome: { status: 'failed', attempts: 1, reason: 'DEPTH_ZERO_SELF_SIGNED_CERT: x' },
    });
  });

  it("ends a batch that met this machine's limit undelivered, not failed: the run stopped it, not the receiver", () => {
    const local: Attempt = { kind: 'error', outcome: 'EMFILE', retryable: false, detail: 'x (EMFILE)', local: 'y' };
    expect(nextStep(local, 1, policy)).toEqual({
      kind: 'done',
      outcome: { status: 'undelivered', attempts: 1, reason: 'x (EMFILE)' },
      stopsRun: false,
    });
  });

  it('retries after a backoff until the retries are spent, then gives up saying so', () => {
    expect(nextStep(response(500), 1, policy)).toEqual({ kind: 'retry', waitMs: 50, pauseAllMs: undefined });
    expect(nextStep(failure('ECONNRESET', true), 2, policy)).toEqual({
      kind: 'retry',
      waitMs: 100,
      pauseAllMs: undefined,
    });
    expect(nextStep(response(500), 3, policy)).toMatchObject({
      outcome: { status: 'failed', code: 500, attempts: 3, reason: 'HTTP 500 (gave up after 3 attempts)' },
    });
    expect(nextStep(failure('timeout', true), 3, policy)).toMatchObject({
      outcome: { status: 'failed', reason: 'timeout: x (gave up after 3 attempts)' },
    });
    // --retries 0: one attempt, said in the singular.
    expect(nextStep(response(500), 1, { ...policy, retries: 0 })).toMatchObject({
      outcome: { reason: 'HTTP 500 (gave up after 1 attempt)' },
    });
  });

  it('waits what Retry-After asks; on 429 and 503 every worker waits with it', () => {
    expect(nextStep(response(429, { retryAfterMs: 3000 }), 1, policy)).toEqual({
      kind: 'retry',
      waitMs: 3000,
      pauseAllMs: 3000,
    });
    expect(nextStep(response(503, { retryAfterMs: 0 }), 1, policy)).toMatchObject({ waitMs: 0, pauseAllMs: 0 });
    expect(nextStep(response(500, { retryAfterMs: 3000 }), 1, policy)).toEqual({
      kind: 'retry',
      waitMs: 3000,
      pauseAllMs: undefined,
    });
  });

  it('ends an aborted attempt as undelivered, never retried', () => {
    expect(
      nextStep(
        { kind: 'error', outcome: 'aborted', retryable: false, detail: 'aborted by a second signal' },
        1,
        policy,
      ),
    ).toEqual({
      kind: 'done',
      outcome: { status: 'undelivered', attempts: 1, reason: 'aborted by a second signal' },
      stopsRun: false,
    });
  });
});
