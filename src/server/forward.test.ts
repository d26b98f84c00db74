import { describe, expect, it } from 'vitest';
import { endToEndHeaders, headerPairs } from './forward.js';

describe('headerPairs', () => {
  it('pairs a raw header list in order, names in the case received, a dangling name left out', () => {
    expect(headerPairs(['Content-Type', 'application/json', 'X-A', '1', 'x-a', '2', 'Dangling'])).toEqual([
      ['Content-Type', 'application/json'],
      ['X-A', '1'],
      ['x-a', '2'],
    ]);
    expect(headerPairs([])).toEqual([]);
  });
});

describe('endToEndHeaders', () => {
  it('leaves out hop-by-hop headers, those Connection names (any case) and the dropped ones', () => {
    const raw = [
      'Host',
      'a.test',
      'Connection',
      'keep-alive, X-Hop',
      'Keep-Alive',
      'timeout=5',
      'x-hop',
      'secret',
      'Transfer-Encoding',
      'chunked',
      'X-Signature',
      'v1,abc',
      'constructor',
      'x',
    ];
    expect(endToEndHeaders(raw, ['host'])).toEqual([
      ['X-Signature', 'v1,abc'],
      ['constructor', 'x'],
    ]);
  });
});
