import { describe, expect, it } from 'vitest';
import { sameContent } from '../core/copies.js';
import { maskPayload } from '../core/timeline.js';
import { exactValue } from './exact-value.js';
import { decimalOf, withSourceNumbers } from './source-number.js';

/** A value as toSafeJson writes it, before its escaping for a terminal. */
const stringifyExact = (value: unknown, space?: number) => withSourceNumbers(JSON.stringify(value, null, space));

/** The value read from `text` as show and trace hold it, written as their JSON writes it. */
const written = (text: string) => stringifyExact(exactValue(JSON.parse(text), text), 2);

describe('numbers as the file writes them', () => {
  it('writes a number a double cannot hold as it was read, in objects and arrays, at any depth', () => {
    const text =
      '{"externalId":12345678901234567891,"orderNo":9007199254740993,"score":1e400,"tiny":-1e-400,' +
      '"list":[1.5,0.1000000000000000055511151231257827021181583404541015625,{"deep":123456789.12345678901}],' +
      // Integers JSON.stringify writes otherwise: `1e+23`, 99999999999999991611392 to a reader of
      // integers such as Python's (hT46 #1); 2^60 as 1152921504606847000, other digits (hR50).
      '"big":100000000000000000000000,"bigger":-1000000000000000000000000000000,' +
      '"twoToSixty":1152921504606846976,"twoToSeventy":1180591620717411303424,"tenToTwentyTwo":10000000000000000000000}';
    const out = JSON.parse(written(text).replace(/(-?\d[\d.eE+-]*)/g, '"$1"'));
    expect(out).toEqual({
      externalId: '12345678901234567891',
      orderNo: '9007199254740993',
      score: '1e400',
      tiny: '-1e-400',
      list: ['1.5', '0.1000000000000000055511151231257827021181583404541015625', { deep: '123456789.12345678901' }],
      big: '100000000000000000000000',
      bigger: '-1000000000000000000000000000000',
      twoToSixty: '1152921504606846976',
      twoToSeventy: '1180591620717411303424',
      tenToTwentyTwo: '10000000000000000000000',
    });
  });

  it('leaves a value whose numbers a double holds as JSON.parse reads it, and writes it as JSON.stringify does', () => {
    for (const text of [
      '{"a":1.50,"b":1e5,"c":-0,"d":"12345678901234567891","e":"3e400","f":[]}',
      '[{"__proto__":{"x":1},"constructor":2,"toJSON":3}]',
      '{"phone":"61491573087","n":123456789012345}',
      // Integers JSON.stringify writes with the same digits: 2^53 + 2, 10^20.
      '{"n":9007199254740994,"m":100000000000000000000,"o":-4503599627370497}',
    ]) {
      const value = JSON.parse(text);
      expect(exactValue(value, text), text).toBe(value);
      expect(stringifyExact(value, 2)).toBe(JSON.stringify(value, null, 2));
    }
  });

  it('keeps an own __proto__ key as data, and key order, duplicates as JSON.parse does', () => {
    const text = '{"b":1,"__proto__":{"n":12345678901234567891},"a":2,"b":3}';
    const value = exactValue(JSON.parse(text), text) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['b', '__proto__', 'a']);
    expect(written(text)).toBe('{\n  "b": 3,\n  "__proto__": {\n    "n": 12345678901234567891\n  },\n  "a": 2\n}');
  });

  it('tells copies apart by the numbers they wrote, one value however written, and masks the digits written', () => {
    const exact = (text: string) => exactValue(JSON.parse(text), text);
    const one = '{"id":"x","n":12345678901234567891}';
    const two = '{"id":"x","n":12345678901234567892}';
    expect(sameContent(exact(one), exact(two))).toBe(false);
    expect(sameContent(exact(one), exact(one))).toBe(true);
    // One value written two ways is one content, as 1 and 1.0 are (review hR16).
    expect(sameContent(exact(one), exact('{"id":"x","n":12345678901234567891.0}'))).toBe(true);
    expect(sameContent(exact('{"n":1e400}'), exact('{"n":1E+400}'))).toBe(true);
    expect(sameContent(exact('{"n":1e400}'), exact('{"n":2e400}'))).toBe(false);
    const masked = stringifyExact(maskPayload(exactValue(JSON.parse(one), one)));
    expect(masked).toBe('{"id":"x","n":"*****************891"}');
  });

  it('cannot be made to write text of a payload unquoted', () => {
    // A payload's string never becomes a number, whatever it holds.
    for (const text of ['{"s":"\\u0000","n":1e400}', '{"s":"\\u0000 1e400","n":1e400}', '{"n":1e400,"s":"1e400"}']) {
      const value = JSON.parse(text);
      const out = written(text);
      expect(JSON.parse(out.replace(/: 1e400/g, ': "N"'))).toEqual({ ...value, n: 'N' });
    }
  });
});

describe('decimalOf', () => {
  it('cuts trailing zeros, in time linear in the digits', () => {
    // `/0+$/` took 5.4 s on 80,000 zeros before a last digit, quadratic: show and trace stalled on one number (review hR32).
    expect(decimalOf('1.000')).toBe('1e0');
    expect(decimalOf('-0.0100e2')).toBe('-1e0');
    // Hint: 250,000: the old regex took about 47 s here, past the test's timeout; 1,000,000 took 13 minutes.
    const zeros = '0'.repeat(250_000);
    expect(decimalOf(`1.${zeros}1`)).toBe(`1${zeros}1e-250001`);
  });

  it('keeps an exponent past what a double holds exact, so that two such numbers differ', () => {
    // As a double, 1e99999999999999999999 and …98 gave one value, and a copy with the other was
    // shown as an identical redelivery (review hR33).
    expect(decimalOf('1e99999999999999999999')).not.toBe(decimalOf('1e99999999999999999998'));
    expect(decimalOf('1.5e9007199254740993')).toBe('15e9007199254740992');
    expect(decimalOf(`1e${'9'.repeat(400)}`)).toBe(`1e${'9'.repeat(400)}`);
    expect(decimalOf('-0.0100e+2')).toBe('-1e0');
  });
});
