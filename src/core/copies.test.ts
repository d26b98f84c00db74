import { describe, expect, it } from 'vitest';
import { Copies, sameContent } from './copies.js';

describe('Copies', () => {
  it('tells a copy by id and parsed value, keys in any order', () => {
    const copies = new Copies();
    expect(copies.note('a', { x: 1, y: [1, { z: 2 }] })).toEqual({ duplicate: false, conflict: false });
    expect(copies.note('a', JSON.parse('{"y":[1.0,{"z":2}],"x":1}'))).toEqual({ duplicate: true, conflict: false });
    expect(copies.note('a', { x: 2, y: [1, { z: 2 }] })).toEqual({ duplicate: false, conflict: true });
    expect(copies.note(undefined, { x: 1 })).toEqual({ duplicate: false, conflict: false });
  });

  it('tells a number too large for a double (Infinity as parsed) from null, which JSON.stringify writes both as', () => {
    // `"extra":1e400` after `"extra":null` was marked a redelivery.
    const copies = new Copies();
    copies.note('a', JSON.parse('{"extra":null}'));
    expect(copies.note('a', JSON.parse('{"extra":1e400}'))).toEqual({ duplicate: false, conflict: true });
    expect(copies.note('a', JSON.parse('{"extra":1e401}'))).toEqual({ duplicate: true, conflict: false });
    expect(copies.note('a', JSON.parse('{"extra":-1e400}'))).toEqual({ duplicate: false, conflict: true });
    expect(sameContent(JSON.parse('[null]'), JSON.parse('[1e400]'))).toBe(false);
    expect(sameContent({ b: 1, a: 2 }, { a: 2, b: 1 })).toBe(true);
  });

  it('marks an event whose id the filters left out before as a conflicting copy: the copy left out differs, or it would be shown', () => {
    // `show --since` showed an event's second copy unmarked, where summarise counts its first (hR113).
    const copies = new Copies();
    copies.leaveOut('a');
    expect(copies.note('a', { x: 2 })).toEqual({ duplicate: false, conflict: true });
    expect(copies.note('a', { x: 2 })).toEqual({ duplicate: true, conflict: false });
    copies.leaveOut(undefined);
    expect(copies.note('b', { x: 1 })).toEqual({ duplicate: false, conflict: false });
    copies.leaveOut('b');
    expect(copies.note('b', { x: 1 })).toEqual({ duplicate: true, conflict: false });
  });
});
