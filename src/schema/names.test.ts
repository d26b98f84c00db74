import { describe, expect, it } from 'vitest';
import { callStatuses, isCallStatus, kindOf, shownValue } from './names.js';

describe('isCallStatus', () => {
  it('says yes to the documented statuses only, spelled exactly', () => {
    for (const status of callStatuses) expect(isCallStatus(status), status).toBe(true);
    for (const status of ['complete', 'Complete ', 'NotComplete', 'Other', '', 'constructor', '__proto__']) {
      expect(isCallStatus(status), status).toBe(false);
    }
  });
});

describe('kindOf', () => {
  it('names the kind of a payload by its prototype, never by an own key of the payload', () => {
    // An own `constructor` key, which JSON.parse makes as any other, named the kind: "Array" for
    // `{"constructor": {"name": "Array"}}`, and "object" for one whose constructor was a string (fixer hF62 #4).
    for (const text of [
      '{"constructor": {"name": "Array"}}',
      '{"constructor": "Buffer"}',
      '{"constructor": {"name": {"toString": 1}}}',
      '{"constructor": null}',
      '{"__proto__": {"constructor": {"name": "Date"}}}',
    ]) {
      expect(kindOf(JSON.parse(text)), text).toBe('Object');
      expect(shownValue(JSON.parse(text)), text).toBe('Object');
    }
    expect(kindOf(JSON.parse('[{"constructor": {"name": "Map"}}]'))).toBe('Array');
    // Not even read: a getter there is never run.
    const watched = Object.defineProperty({}, 'constructor', {
      get: () => {
        throw new Error('read');
      },
    });
    expect(kindOf(watched)).toBe('Object');
  });

  it('still names what a caller gives by its kind', () => {
    expect([null, undefined, 1, 'x', 1n, true, Symbol('s'), () => 1].map(kindOf)).toEqual([
      'null',
      'undefined',
      'number',
      'string',
      'bigint',
      'boolean',
      'symbol',
      'function',
    ]);
    expect(
      [
        {},
        [],
        Buffer.from('x'),
        new Uint8Array(1),
        new Date(0),
        new Map(),
        Object.create(null),
        new (class Step {})(),
      ].map(kindOf),
    ).toEqual(['Object', 'Array', 'Buffer', 'Uint8Array', 'Date', 'Map', 'object', 'Step']);
  });
});
