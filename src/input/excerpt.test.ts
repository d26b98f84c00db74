import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeFrame } from '../render/code-frame.js';
import { excerptAt } from './excerpt.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const clustersOf = (text: string) => Array.from(segmenter.segment(text), ({ segment }) => segment);

describe('excerptAt', () => {
  it('cuts lines only between whole grapheme clusters, so a frame shows only what the file holds', () => {
    // A frame showed 🇺🇦 where the file holds 🇦🇺, 👍 without its skin tone, `\udc66` where a family
    // emoji was cut, and a combining accent drawn on the `…`: each cut fell at a fixed UTF-16 offset.
    const pieces = ['a', 'e\u0301', '👨\u200d👩\u200d👧\u200d👦', '🇦🇺', '👍🏽', '"', ' '];
    const run = fc.tuple(fc.constantFrom(...pieces), fc.integer({ min: 1, max: 60 })).map(([c, n]) => c.repeat(n));
    const line = fc.array(run, { minLength: 1, maxLength: 3 }).map((runs) => runs.join(''));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 3 }), line, fc.nat(), (lines, lead, at) => {
        const text = lines.join('\n');
        // A problem is at a character, never inside one.
        const bounds = Array.from(segmenter.segment(text), ({ index }) => index);
        const index = bounds[at % bounds.length] ?? 0;
        for (const given of ['', lead]) {
          const excerpt = excerptAt(text, index, given);
          for (const row of excerpt.text.split('\n')) {
            const shown = row.replace(/^…|…$/g, '');
            for (const cluster of clustersOf(shown)) expect(pieces, `${JSON.stringify(row)}`).toContain(cluster);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the flags of a long line paired as the file pairs them, at any width', () => {
    const line = `{"note": "x${'🇦🇺'.repeat(100)}" "y": 1}`;
    const index = line.indexOf('"y"');
    for (const width of [80, 200, 600]) {
      const [shown] = codeFrame(excerptAt(line, index), 1, index + 1, width).split('\n');
      expect(clustersOf(shown ?? '')).not.toContain('🇺🇦');
      expect(shown).not.toMatch(/\\ud[89a-f]/);
    }
  });
});
