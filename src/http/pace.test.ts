import { describe, expect, it } from 'vitest';
import { createPacer } from './pace.js';

describe('createPacer', () => {
  it('spaces starts 1/rate apart and does not save up unused time', () => {
    const pacer = createPacer(4);
    expect(pacer.reserve(1000)).toBe(0);
    expect(pacer.reserve(1000)).toBe(250);
    expect(pacer.reserve(1000)).toBe(500);
    // Long idle: the next request goes at once, the one after waits a full interval.
    expect(pacer.reserve(5000)).toBe(0);
    expect(pacer.reserve(5000)).toBe(250);
  });
  it('handles rates below one per second', () => {
    const pacer = createPacer(0.5);
    pacer.reserve(0);
    expect(pacer.reserve(0)).toBe(2000);
  });
});
