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

describe('LineSplitter positions', () => {
  it('says where each line it ends begins and how many bytes it holds, a line past the limit too', () => {
    const text = 'ab\n日本\n\nmuch too long\nok\n';
    for (let size = 1; size <= Buffer.byteLength(text); size++) {
      const bytes = Buffer.from(text);
      const lines = new LineSplitter(8);
      const places: [number, number][] = [];
      for (let at = 0; at < bytes.length; at += size) {
        for (const _ of lines.push(bytes.subarray(at, at + size))) places.push([lines.lineAt, lines.lineBytes]);
      }
      expect(places, `pieces of ${size}`).toEqual([
        [0, 2],
        [3, 6],
        [10, 0],
        [11, 13],
        [25, 2],
      ]);
    }
  });
});
