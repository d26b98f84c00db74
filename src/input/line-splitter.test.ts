import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

/** The lines of `text` given `size` bytes at a time, with the line left open at the end. */
function linesOf(text: string, size: number, limit?: number): (string | undefined)[] {
  const bytes = Buffer.from(text);
  const lines = new LineSplitter(limit);
  const out: (string | undefined)[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    // Hint: one buffer, overwritten for each piece, as a reader that reuses its memory does.
    const piece = Buffer.alloc(Math.min(size, bytes.length - at));
    bytes.copy(piece, 0, at, at + piece.length);
    out.push(...lines.push(piece));
    piece.fill(0x78);
  }
  out.push(lines.end());
  return out;
}

describe('LineSplitter', () => {
  it('gives the lines split() gives, in pieces of any size, characters split across pieces whole', () => {
    const text = 'a\n日本😀\n\nlast';
    for (let size = 1; size <= Buffer.byteLength(text); size++) {
      expect(linesOf(text, size), `pieces of ${size}`).toEqual(text.split('\n'));
    }
  });

  it('gives a line past the limit as undefined, the lines around it whole', () => {
    const text = 'short\nmuch too long\nok\n';
    for (let size = 1; size <= text.length; size++) {
      expect(linesOf(text, size, 5), `pieces of ${size}`).toEqual(['short', undefined, 'ok', '']);
    }
  });
});
