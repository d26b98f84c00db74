import { describe, expect, it } from 'vitest';
import { blankRepair, symbolMessage } from './element.js';

describe('blankCharacters', () => {
  it("takes every character of Unicode's White_Space but a tab and line breaks, and every invisible one, as a blank (red team hF60)", () => {
    // U+0085 (next line), a space by White_Space, was `unexpected "\x85"` and left unrepaired,
    // while U+2028 beside it was a Unicode space, made a space.
    const missed: string[] = [];
    for (let point = 0; point <= 0x10ffff; point++) {
      if (point >= 0xd800 && point <= 0xdfff) continue;
      const char = String.fromCodePoint(point);
      const json = char === '\t' || char === '\n' || char === '\r';
      const blank = /\p{White_Space}|\p{Default_Ignorable_Code_Point}|\p{Cf}/u.test(char) && !json;
      if (blank !== (blankRepair(0, char) !== undefined)) missed.push(`U+${point.toString(16).toUpperCase()}`);
    }
    expect(missed).toEqual([]);
  });

  it('names a space by White_Space a Unicode space, and any other blank an invisible character', () => {
    const end = ': between tokens JSON takes only spaces, tabs and line breaks';
    expect(symbolMessage('\u0085')).toBe(`unexpected Unicode space (U+0085)${end}`);
    expect(symbolMessage('\u2028')).toBe(`unexpected Unicode space (U+2028)${end}`);
    expect(symbolMessage('\u180e')).toBe(`unexpected invisible character (U+180E)${end}`);
    expect(symbolMessage('\u2060')).toBe(`unexpected invisible character (U+2060)${end}`);
    expect(symbolMessage('\u3164')).toBe(`unexpected invisible character (U+3164)${end}`);
    expect(symbolMessage('\ufeff')).toBe(`unexpected byte order mark (U+FEFF)${end}`);
  });
});
