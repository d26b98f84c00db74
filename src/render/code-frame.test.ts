import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { excerptAt } from '../input/excerpt.js';
import { codeFrame } from './code-frame.js';
import { displayWidth } from './terminal.js';

describe('codeFrame', () => {
  it('draws the line before and the problem line, with a caret under the column', () => {
    const text = '[\n  {"a": 1}\n  {"b": 2}\n]';
    expect(codeFrame({ text, index: 12 }, 2, 11)).toBe(['  1 | [', '> 2 |   {"a": 1}', '    |           ^'].join('\n'));
  });

  it('puts the caret under the column after a symbol terminals draw one column wide', () => {
    // ✔ ⚠ © ↔ have text presentation: a terminal draws each in one column unless U+FE0F follows,
    // and the caret landed one column right of `tru` per symbol before it.
    const text = '{"note": "✔ ⚠ © ↔", "x": tru}';
    const frame = codeFrame({ text, index: text.indexOf('tru') }, 1, text.indexOf('tru') + 1);
    expect(frame).toBe(['> 1 | {"note": "✔ ⚠ © ↔", "x": tru}', `    | ${' '.repeat(text.indexOf('tru'))}^`].join('\n'));
  });

  it('marks the part of a line its excerpt does not hold with `…`, never with blanks it cannot know are there', () => {
    // An element after another on its line (`[{"x":1},{"a":1 "b":2}]`) was drawn with nine blanks
    // where `[{"x":1},` stands.
    const text = '{"a":1 "b":2}';
    expect(codeFrame({ text, index: 7 }, 1, 16)).toBe(['> 1 | …{"a":1 "b":2}', `    | ${' '.repeat(8)}^`].join('\n'));
  });

  it('marks with `…` a line longer than its excerpt holds on the right, however wide the frame', () => {
    // At --width 300 the line stopped at what the excerpt held, with no mark: it read as whole.
    const line = `{"a":1 "b":"${'x'.repeat(450)}END"}`;
    for (const width of [80, 300, 600]) {
      const [shown] = codeFrame(excerptAt(line, 7), 1, 8, width).split('\n');
      expect(shown, `${width}`).toMatch(/x…$/);
      expect(shown).not.toContain('END');
    }
    // A line the excerpt holds whole is drawn whole.
    const short = `{"a":1 "b":"${'x'.repeat(150)}"}`;
    expect(codeFrame(excerptAt(short, 7), 1, 8, 600).split('\n')[0]).toBe(`> 1 | ${short}`);
  });

  it('draws from an excerpt given the text before it on its first line the frame drawn from the whole line', () => {
    const char = fc.constantFrom('a', ' ', '\t', 'é', '日', '😀', '{', '"', ',');
    const part = fc.oneof(
      fc.array(char, { maxLength: 12 }).map((chars) => chars.join('')),
      fc.tuple(char, fc.integer({ min: 70, max: 700 })).map(([c, n]) => c.repeat(n)),
    );
    fc.assert(
      fc.property(part, part, fc.array(part, { maxLength: 2 }), fc.nat(), (lead, first, more, at) => {
        const text = [first, ...more].join('\n');
        // A problem is at a character, never inside one.
        const index = [...text].slice(0, at % ([...text].length + 1)).join('').length;
        const whole = `${lead}${text}`;
        const lineStart = whole.lastIndexOf('\n', lead.length + index - 1) + 1;
        const line = whole.slice(0, lineStart).split('\n').length;
        const column = lead.length + index - lineStart + 1;
        const expected = codeFrame({ text: whole, index: lead.length + index }, line, column);
        expect(codeFrame(excerptAt(text, index, lead), line, column)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('cuts a long line to a window around the caret', () => {
    const text = `${'x'.repeat(300)}!${'y'.repeat(300)}`;
    const frame = codeFrame({ text, index: 300 }, 1, 301);
    expect(frame).toContain('…');
    expect(frame.split('\n')[0]!.length).toBeLessThan(90);
  });

  it('draws from an excerpt the frame it draws from the whole text', () => {
    const char = fc.constantFrom('a', ' ', '\t', '\r', '\n', 'é', '😀', '{', '"');
    const line = fc.oneof(
      fc.array(char, { maxLength: 12 }).map((chars) => chars.join('')),
      fc.tuple(fc.constantFrom('a', ' ', 'é'), fc.integer({ min: 70, max: 700 })).map(([c, n]) => c.repeat(n)),
    );
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 6 }).map((lines) => lines.join('\n')),
        fc.nat(),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 900 }),
        (text, at, lineNumber, column) => {
          const index = at % (text.length + 1);
          const whole = codeFrame({ text, index }, lineNumber, column);
          expect(codeFrame(excerptAt(text, index), lineNumber, column)).toBe(whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('puts the caret under the character, and keeps to the window, whatever the width of those before it', () => {
    // After CJK text the caret landed 6 columns left of the comma it named, and an escape code
    // before it (drawn as `\\e`, two columns) moved it one more.
    const char = fc.constantFrom('a', ' ', '\t', '日', '😀', '👨‍👩‍👧', '\u001b', '\u202e', 'é', '\r');
    const line = fc.oneof(
      fc.array(char, { maxLength: 20 }).map((chars) => chars.join('')),
      fc.tuple(char, fc.integer({ min: 30, max: 300 })).map(([c, n]) => c.repeat(n)),
    );
    const marker = '¤';
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(), (given, pick, at) => {
        const lines = [...given];
        const row = pick % lines.length;
        const target = (lines[row] ?? '').replace(/\r$/, '');
        const cut = [...target].slice(0, at % ([...target].length + 1)).join('').length;
        lines[row] = `${target.slice(0, cut)}${marker}${target.slice(cut)}`;
        const text = lines.join('\n');
        const index = text.indexOf(marker);
        const frame = codeFrame({ text, index }, row + 1, cut + 1).split('\n');
        const current = frame.find((r) => r.startsWith('>')) ?? '';
        const caret = frame.at(-1) ?? '';
        expect(caret.indexOf('^')).toBe(displayWidth(current.slice(0, current.indexOf(marker))));
        for (const shown of frame) expect(displayWidth(shown)).toBeLessThanOrEqual(6 + 78);
        expect(frame.join('\n')).not.toMatch(/[\u001b\u202e]/);
      }),
      { numRuns: 400 },
    );
  });

  it.each([40, 80, 120])('keeps every row within %i columns, whatever the characters of a long line', (width) => {
    // On an 80-column terminal a row was 84 columns, 88 under validate's indent: the window was
    // 76 columns whatever the width, and the gutter and the two ellipses came on top.
    const char = fc.constantFrom('a', ' ', '日', '😀', '👨‍👩‍👧', '\u001b', '\u{e0041}', '\u00ad', 'é');
    const long = fc.tuple(char, fc.integer({ min: 30, max: 300 })).map(([c, n]) => c.repeat(n));
    fc.assert(
      fc.property(
        fc.array(long, { minLength: 2, maxLength: 2 }),
        fc.nat(),
        fc.integer({ min: 1, max: 99_999 }),
        (parts, at, lineNumber) => {
          const line = parts.join('');
          // A problem is at a character, never inside one.
          const index = [...line].slice(0, at % ([...line].length + 1)).join('').length;
          const text = `${line}\n${line}`;
          const frame = codeFrame({ text, index: line.length + 1 + index }, lineNumber + 1, index + 1, width);
          for (const row of frame.split('\n')) expect(displayWidth(row)).toBeLessThanOrEqual(width);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('cuts a line before or after an escape shown for a character, never inside one', () => {
    // `\x07` was cut to `\x…` (and `\e[2J` to `\e[2…` is fine: `[2J` is text), reading as other text.
    const whole = /^(?:\\(?:[bentr]|x[0-9a-f]{2}|u[0-9a-f]{4}|u\{[0-9a-f]+\})|[^\\])*$/;
    const controls = '\u0007\u009b\u202e\u{e0041}\u001b';
    for (let lead = 0; lead < 12; lead++) {
      for (const width of [20, 33, 40, 41, 42]) {
        const right = `[{"name": "${'a'.repeat(lead)}${controls.repeat(6)}${'b'.repeat(40)}", "x": 1 "y": 2}]`;
        const left = `[{"x": "${'b'.repeat(40)}${controls.repeat(6)}${'a'.repeat(lead)}" "y": 2}]`;
        for (const [text, at] of [
          [right, right.indexOf('"y"')],
          [right, 3],
          [left, left.indexOf('" "') + 1],
        ] as const) {
          const [current] = codeFrame({ text, index: at }, 1, at + 1, width).split('\n');
          const shown = (current ?? '').slice('> 1 | '.length).replaceAll('…', '');
          expect(shown, `${lead} ${width}: ${current}`).toMatch(whole);
        }
      }
    }
  });

  it('keeps an excerpt short whatever the length of the lines', () => {
    const text = `${'a'.repeat(5000)}\n${'b'.repeat(5000)}`;
    expect(excerptAt(text, 7500).text.length).toBeLessThan(500);
  });
});

describe('codeFrame of right-to-left text cut to the width', () => {
  it('opens again an isolate whose opening was cut off, and closes one the cut left open, before its `…`', () => {
    // A frame cut inside a Hebrew string kept a close whose open was cut off, or an open whose
    // close was, and a bidi terminal then laid the whole line out right to left (review hR117).
    const hebrew = 'שלום עולם מה שלומך היום תודה רבה '.repeat(12);
    for (const text of [`{"a": "${hebrew}" x}`, `{"a" x "${hebrew}"}`, `{"a": "${hebrew}" x "${hebrew}"}`]) {
      const at = text.indexOf(' x') + 1;
      for (const width of [30, 60, 90]) {
        const lines = codeFrame({ text, index: at }, 1, at + 1, width).split('\n');
        for (const line of lines) {
          let depth = 0;
          for (const char of line) {
            if (char === '\u2068') depth++;
            if (char === '\u2069') depth--;
            expect(depth, `${width}: ${line}`).toBeGreaterThanOrEqual(0);
          }
          expect(depth, `${width}: ${line}`).toBe(0);
        }
      }
    }
  });
});
