import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableStatus, maxRetryAfterMs, parseRetryAfter } from './retry.js';

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
  it('ignores nonsense and caps what it honours', () => {
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('999999', now)).toBe(maxRetryAfterMs);
  });
});
