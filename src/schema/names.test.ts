import { describe, expect, it } from 'vitest';
import { callStatuses, excerpt, isCallStatus, kindOf, shownValue } from './names.js';

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

describe('excerpt', () => {
  it('quotes the first 40 units of a long text in whole characters, never one cut in two', () => {
    // `received "a👍🏽…👍…"` lost the last skin tone, a flag was split, a family emoji ended in `\u200d`.
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    for (const piece of ['😀', '👍🏽', '🇦🇺', '👨\u200d👩\u200d👧\u200d👦', 'e\u0301']) {
      for (const lead of ['a', 'ab', 'abc']) {
        const text = `${lead}${piece.repeat(30)}`;
        const quoted = excerpt(text);
        expect(quoted.endsWith('…')).toBe(true);
        const shown = quoted.slice(0, -1);
        expect(text.startsWith(shown)).toBe(true);
        expect(shown.length).toBeLessThanOrEqual(40);
        expect(shown.length).toBeGreaterThan(40 - piece.length);
        for (const { segment } of segmenter.segment(shown.slice(lead.length))) expect(segment, piece).toBe(piece);
      }
    }
  });

  it('quotes a first character longer than 40 units by its start, cut between code points', () => {
    const zalgo = `Z${'\u0301'.repeat(60)}algo`;
    expect(excerpt(zalgo)).toBe(`${zalgo.slice(0, 40)}…`);
    const family = `${'👨\u200d'.repeat(20)}👨`;
    expect(excerpt(family)).toBe(`${family.slice(0, 39)}…`);
  });
});
