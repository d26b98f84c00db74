import { describe, expect, it } from 'vitest';
import { ElementSplitter, type SplitProblem } from './split.js';

/** The problems of `text` split in chunks of `size` bytes. */
function problemsOf(text: string, size: number): SplitProblem[] {
  const problems: SplitProblem[] = [];
  const splitter = new ElementSplitter(
    { element: () => {}, problem: (p) => problems.push(p) },
    { maxElementBytes: 1 << 20 },
  );
  const bytes = Buffer.from(text);
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
