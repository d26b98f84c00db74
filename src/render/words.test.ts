import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { longestNormalised } from '../core/timeline.js';
import { graphemeSegments } from '../input/clusters.js';
import { escapeTerminal, ownNotes, readableEscape } from './escape.js';
import { blankEnds } from './terminal.js';
import { grouped, moreNote, plural, readsAsOwnNote, textApart } from './words.js';

describe('grouped', () => {
  const intl = new Intl.NumberFormat('en-US');

  it('groups any count as Intl does in en-US, by hand or not', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.nat(),
          fc.maxSafeNat(),
          fc.integer(),
          fc.double({ noNaN: true }).filter((v) => !Object.is(v, -0)),
        ),
        (value) => {
          expect(grouped(value)).toBe(intl.format(value));
        },
      ),
      { numRuns: 300 },
    );
    for (const value of [0, 999, 1000, 12_345, 1_000_000, Number.MAX_SAFE_INTEGER, -1234, 1.5]) {
      expect(grouped(value)).toBe(intl.format(value));
    }
    // No count is minus zero; were one, it would read 0 (Intl writes -0).
    expect(grouped(-0)).toBe('0');
  });

  it('plural puts the grouped count before its noun', () => {
    expect([plural(1, 'event'), plural(1234, 'event'), plural(2, 'reply', 'replies')]).toEqual([
      '1 event',
      '1,234 events',
      '2 replies',
    ]);
  });
});

describe('readsAsOwnNote', () => {
  it('knows every note callhook writes in a table, and no text that only looks a little like one', () => {
    const written: string[] = [...Object.values(ownNotes)];
    for (const count of [0, 1, 3, 1234]) {
      written.push(moreNote(count));
      for (const noun of ['reason', 'request type']) written.push(moreNote(count, noun));
    }
    expect(written).toContain('(1,234 more request types)');
    for (const note of written) expect(readsAsOwnNote(note), note).toBe(true);
    for (const text of ['none', '(none) ', '(see notes)', '(more)', 'x (2 more)', '(2 more (x))']) {
      expect(readsAsOwnNote(text), text).toBe(false);
    }
  });
});

describe('textApart', () => {
  it('shows a text apart from its NFC twin, in time linear in a run of marks however long', () => {
    // NFC sorts a run of marks by insertion: a reason of one letter and 240,000 marks took
    // summarise 23 s (review hR35), and a 5 MB one would take tens of minutes; this test fails
    // by taking that long on the old code, not by a timed assertion.
    expect(textApart('Cafe\u0301')).toBe('Cafe\\u0301');
    expect(textApart('Caf\u00e9')).toBe('Caf\u00e9');
    const long = `a${'\u0301\u0316'.repeat(120_000)}`;
    expect(textApart(long)).toBe(`a${'\\u0301\\u0316'.repeat(120_000)}`);
    expect(textApart(`x ${long} y`)).toBe(`x a${'\\u0301\\u0316'.repeat(120_000)} y`);
    // A long cluster of no long run of marks is left as NFC leaves it: eight families joined by
    // ZWJ stayed whole only when nothing else in the text was out of NFC (review hR37).
    const family = '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}\u200d\u{1f466}';
    const chain = Array.from({ length: 8 }, () => family).join('\u200d');
    expect(chain.length).toBeGreaterThan(64);
    expect(textApart(`Cafe\u0301 ${chain}`)).toBe(`Cafe\\u0301 ${chain}`);
  });
});

describe('textApart, as it was written before it kept the text between as offsets', () => {
  // The code before 2026-12-07 (it built the text between a character at a time, which took
  // summarise 2.4 GB for a 30 MB reason: red team hR114): the new one must show every text alike.
  const spaceSeparator = /\p{Zs}/u;
  const longMarkRun = new RegExp(`\\p{M}{${longestNormalised}}`, 'u');
  const mark = /^\p{M}/u;
  function before(text: string): string {
    const { start, end } = blankEnds(text, (unit) => spaceSeparator.test(unit));
    let shown = '';
    let payload = '';
    let blankBefore = false;
    const apart = (char: string) => {
      shown += escapeTerminal(payload) + readableEscape(char);
      payload = '';
      blankBefore = false;
    };
    const keep = (char: string) => {
      const blank = spaceSeparator.test(char);
      if (blank && (blankBefore || char !== ' ')) apart(char);
      else payload += char;
      blankBefore = blank;
    };
    for (const char of text.slice(0, start)) apart(char);
    const middle = text.slice(start, end);
    if (!longMarkRun.test(text) && text.normalize('NFC') === text) for (const char of middle) keep(char);
    else {
      for (const { segment } of graphemeSegments(middle)) {
        const stays = !longMarkRun.test(segment) && segment.normalize('NFC') === segment;
        for (const [i, c] of [...segment].entries()) {
          if (stays || (i === 0 && !mark.test(c) && c.normalize('NFC') === c)) keep(c);
          else apart(c);
        }
      }
    }
    for (const char of text.slice(end)) apart(char);
    shown += escapeTerminal(payload);
    return readsAsOwnNote(shown) ? readableEscape(shown.charAt(0)) + shown.slice(1) : shown;
  }
  const units = [
    ...'ab ',
    ' ',
    '\u00a0',
    '\u3000',
    '\u0301',
    'e',
    '\u00e9',
    '東',
    'ש',
    'ل',
    '😀',
    '\u{1f468}\u200d\u{1f469}',
    '\t',
    '\u001b',
    '\\x20',
    '(',
    ')',
    'none',
    '\ud83d',
    '\ufe0f',
  ];
  it('shows every text as before', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...units), { maxLength: 24 }), (parts) => {
        const text = parts.join('');
        expect(textApart(text)).toBe(before(text));
      }),
      { numRuns: 3000 },
    );
  });
});
