import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteScanner } from './scanner.js';
import { ElementSplitter, type SplitProblem } from './split.js';

/** The problems of `text` split in chunks of `size` bytes. */
function problemsOf(text: string | Buffer, size: number): SplitProblem[] {
  const problems: SplitProblem[] = [];
  const splitter = new ElementSplitter(
    { element: () => {}, problem: (p) => problems.push(p) },
    { maxElementBytes: 1 << 20 },
  );
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < bytes.length; i += size) splitter.push(bytes.subarray(i, i + size));
  splitter.end();
  return problems;
}

describe('ByteScanner, under the splitter', () => {
  // Hint: the missing comma is placed where the element before ends, so its column shows how
  // the scanner counted the multi-byte characters inside that element.
  const cases = [
    ['multi-byte characters in a string', '[{"a": "é😀ü"}'],
    ['a backslash before a multi-byte character', '[{"a": "\\é"}'],
    ['multi-byte characters outside strings', '[{"a": 1 é}'],
    ['an escaped quote and backslash', '[{"a": "\\"\\\\😀"}'],
  ] as const;
  for (const [what, first] of cases) {
    it(`counts columns in UTF-16 units across ${what}, for any chunk size`, () => {
      const text = `${first} {"b": 2}]`;
      for (let size = 1; size <= Buffer.byteLength(text); size++) {
        const problems = problemsOf(text, size);
        expect(problems.map((p) => [p.code, p.line, p.column])).toEqual([['missing-comma', 1, first.length + 1]]);
      }
    });
  }
});

describe('ByteScanner, on bytes that are not UTF-8', () => {
  // Hint: each is as many units as WHATWG's decoder (an editor) makes of it, one U+FFFD for each
  // maximal bad run; a lone continuation byte counted none, so every column after it on its
  // line was one short (red team hR124: a Windows-1252 no-break space, 0xA0).
  const cases: [string, number[]][] = [
    ['a lone continuation byte (a Windows-1252 no-break space)', [0xa0]],
    ["Windows-1252's curly quotes", [0x93, 0x68, 0x69, 0x94]],
    ['a Latin-1 é before ASCII', [0xe9, 0x74]],
    ['a Latin-1 é before a continuation byte', [0xe9, 0x80, 0x74]],
    ['a 3-byte character cut in two', [0xe2, 0x80, 0x74]],
    ['a 4-byte character cut short, then another whole', [0xf0, 0x9f, 0x98, 0xf0, 0x9f, 0x98, 0x80]],
    ['an overlong lead and its continuation', [0xc0, 0x80]],
    ['a surrogate encoded in UTF-8', [0xed, 0xa0, 0x80]],
    ['a lead past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['an overlong 3-byte lead', [0xe0, 0x80, 0x80]],
    ['bytes 0xF5 to 0xFF', [0xf5, 0xfe, 0xff]],
  ];
  for (const [what, bad] of cases) {
    it(`counts ${what} as its decoder does, for any chunk size`, () => {
      const first = Buffer.concat([Buffer.from('[{"a": "x'), Buffer.from(bad), Buffer.from('"}')]);
      const text = Buffer.concat([first, Buffer.from(' {"b": 2}]')]);
      const column = new TextDecoder().decode(first).length + 1;
      for (let size = 1; size <= text.length; size++) {
        const problems = problemsOf(text, size).filter((p) => p.code === 'missing-comma');
        expect(
          problems.map((p) => [p.line, p.column]),
          `${size}`,
        ).toEqual([[1, column]]);
      }
    });
  }
});

describe('ByteScanner, on any bytes in a string', () => {
  it('counts the columns after them as the decoder counts the characters (property, 300 runs)', () => {
    // Hint: no `"`, `\\` or DEL (a control character, said apart), and enough text before them that
    // the file is not taken for binary (more than an eighth of its first 4 KiB not UTF-8).
    const inString = fc
      .integer({ min: 0x20, max: 0xff })
      .filter((byte) => byte !== 0x22 && byte !== 0x5c && byte !== 0x7f);
    fc.assert(
      fc.property(fc.array(inString, { maxLength: 24 }), fc.integer({ min: 1, max: 16 }), (bad, size) => {
        const first = Buffer.concat([
          Buffer.from(`[{"p": "${'x'.repeat(300)}", "a": "`),
          Buffer.from(bad),
          Buffer.from('"}'),
        ]);
        const text = Buffer.concat([first, Buffer.from(' {"b": 2}]')]);
        const problems = problemsOf(text, size).filter((p) => p.code === 'missing-comma');
        expect(problems.map((p) => [p.line, p.column])).toEqual([[1, new TextDecoder().decode(first).length + 1]]);
      }),
      { numRuns: 300, seed: 124 },
    );
  });
});

describe('ByteScanner.passOver, where fix places a read that stopped', () => {
  it('places the end of bytes passed over as the decoder does: inside a character cut short, at it (property, 300 runs)', () => {
    // Review hR126: a lead out of range (0xC0, 0xF5) or one whose next byte is out of its range
    // (0xE0 0x80, 0xED 0xA0, 0xF4 0x90) was taken for a character left open, one column short.
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0x20, max: 0xff }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        (tail, size) => {
          const bytes = Buffer.concat([Buffer.from('ab'), Buffer.from(tail)]);
          const scanner = new ByteScanner();
          for (let at = 0; at < bytes.length; at += size) scanner.passOver(bytes.subarray(at, at + size), at);
          const column = new TextDecoder().decode(bytes, { stream: true }).length + 1;
          expect(scanner.passedAt(bytes.length)).toMatchObject({ line: 1, column });
        },
      ),
      { numRuns: 300, seed: 126 },
    );
  });
});
