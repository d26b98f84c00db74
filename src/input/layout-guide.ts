/**
 * The quick path's guide: where an element ends, guessed from the file's layout alone instead of
 * reading its bytes one by one. In a pretty-printed batch an element ends at the next line that
 * holds its indentation and `}`; in NDJSON a value ends with its line. The splitter offers each
 * guess to its sink, which takes it only if its bytes parse (see `SplitSink.tryElement`), and
 * tells the guide; after a run of misses the guide is no longer asked.
 */

import { CLOSE_BRACE, isSpace, NEWLINE, SPACE, TAB } from './bytes.js';

// Guesses in a row that found no end or were refused, after which the guide is left.
const maxMisses = 16;

/** Finds elements' ends by the layout of the file. */
export class LayoutGuide {
  /** The line breaks inside the element `blockEnd` found last. */
  blockLines = 0;
  private readonly maxElementBytes: number;
  // The line that opens an element of the batch read last: a line break, the elements'
  // indentation, `{`.
  private opener: Buffer = Buffer.from('\n{');
  private misses = 0;

  constructor(maxElementBytes: number) {
    this.maxElementBytes = maxElementBytes;
  }

  /**
   * False after a run of misses. Hint: in a file whose elements are not laid out as `{` ... `}`
   * blocks (one element a line, say) every guess would search the rest of its chunk in vain.
   */
  get active(): boolean {
    return this.misses < maxMisses;
  }

  /** The last guess was taken. */
  hit(): void {
    this.misses = 0;
  }

  /** The last guess found no end, or was refused; returns -1, for the caller to return. */
  miss(): number {
    this.misses++;
    return -1;
  }

  /**
   * True when the `{` at `chunk[i]`, `indent` bytes into its line, opens that line after
   * indentation alone (which then becomes the elements' indentation).
   */
  opensBlock(chunk: Buffer, i: number, indent: number): boolean {
    const from = i - indent;
    if (from < 1 || chunk[from - 1] !== NEWLINE || indent > 32) return false;
    if (!this.indentedAt(chunk, from, indent)) {
      for (let k = from; k < i; k++) if (chunk[k] !== SPACE && chunk[k] !== TAB) return false;
      this.opener = Buffer.concat([chunk.subarray(from - 1, i), Buffer.from('{')]);
    }
    return true;
  }

  /**
   * The index just past the element that `opensBlock` accepted at `chunk[i]`: the end of the
   * next line with its indentation and `}` (with `blockLines` set), or -1 when the chunk holds
   * none within the size limit.
   */
  blockEnd(chunk: Buffer, i: number, indent: number): number {
    // Hint: the closing line is looked for line by line, counting the lines on the way: a raw
    // line break cannot be inside a JSON string, so each one in the text is a line.
    const limit = Math.min(chunk.length, i + this.maxElementBytes);
    let lines = 0;
    for (let k = chunk.indexOf(NEWLINE, i); k !== -1 && k < limit; k = chunk.indexOf(NEWLINE, k + 1)) {
      lines++;
      if (chunk[k + 1 + indent] === CLOSE_BRACE && this.indentedAt(chunk, k + 1, indent)) {
        const end = k + 2 + indent;
        if (end > limit) return -1;
        this.blockLines = lines;
        return end;
      }
    }
    return -1;
  }

  /**
   * The index just past the value at `chunk[i]` when it is the rest of its line, less the
   * spaces that end it (as each line of NDJSON is); -1 when the line does not end in the chunk,
   * or the value is over the size limit.
   */
  lineEnd(chunk: Buffer, i: number): number {
    const newline = chunk.indexOf(NEWLINE, i);
    if (newline === -1) return -1;
    let end = newline;
    while (end > i && isSpace(chunk[end - 1])) end--;
    return end - i > this.maxElementBytes ? -1 : end;
  }

  /**
   * Where to end a push of `chunk[from, to)`, `to` short of the chunk's end, so that the guide
   * finds no element cut in two: at the line break before the last line in it that opens an
   * element (in a batch), or after its last line break (at the top level, as in NDJSON); `to`
   * when it holds neither, or the guide is no longer asked.
   */
  pushEnd(chunk: Buffer, from: number, to: number, where: 'batch' | 'top' | 'element'): number {
    if (to >= chunk.length || !this.active) return to;
    if (where === 'batch') {
      const at = chunk.lastIndexOf(this.opener, to - this.opener.length);
      return at > from ? at : to;
    }
    if (where !== 'top') return to;
    const newline = chunk.lastIndexOf(NEWLINE, to - 1);
    return newline >= from ? newline + 1 : to;
  }

  /** True when `chunk` holds the elements' indentation, `indent` bytes, at `at`. */
  private indentedAt(chunk: Buffer, at: number, indent: number): boolean {
    const opener = this.opener;
    if (opener.length !== indent + 2) return false;
    for (let k = 0; k < indent; k++) if (chunk[at + k] !== opener[k + 1]) return false;
    return true;
  }
}
