/**
 * A batch sent as it is, byte for byte: when replay sends an input array whole (no
 * `--batch-size`, no `--fresh`), the request body is the array's own bytes from its file,
 * whitespace between elements included, rather than its elements joined with commas. A capture
 * of `listen --out` (or any sender's body kept in a file) is then replayed unchanged.
 *
 * The array's bytes are used only when they hold exactly the elements being sent: `[`, the
 * elements at their offsets with their texts, commas, whitespace, `]`; an array alone in its file
 * is sent as the whole file, the whitespace around it (a last newline) included, as a captured
 * body is kept, but for a file of lines (`.ndjson`, `.jsonl`), whose line break ends the body
 * on its one line (listen's capture of one delivery). Anything else (an element
 * skipped as invalid, a trailing comma, a lone object, a stream that cannot be read again, a file
 * changed since) leaves the body to be built from the elements, as before.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { CLOSE_BRACKET, COMMA, isSpace, OPEN_BRACKET } from './bytes.js';
import { openablePath } from './file-names.js';
import { lineDelimitedNames } from './types.js';

/** An element of a batch: where it begins in its file, and its exact text. */
export interface SpanElement {
  offset: number;
  text: string;
}

/**
 * Where the array that holds exactly `elements` begins and ends (`end` past its `]`), in file
 * offsets, given `bytes`: the file's bytes from offset `base`. Undefined when the bytes around
 * and between the elements are not only `[`, whitespace, commas and `]`, or when an element's
 * text is not at its offset.
 */
export function arraySpan(
  bytes: Buffer,
  base: number,
  elements: readonly SpanElement[],
): { start: number; end: number } | undefined {
  const first = elements[0];
  if (first === undefined) return undefined;
  let at = first.offset - base - 1;
  while (at >= 0 && isSpace(bytes[at])) at--;
  if (at < 0 || bytes[at] !== OPEN_BRACKET) return undefined;
  const start = base + at;
  for (const [k, element] of elements.entries()) {
    const from = element.offset - base;
    const to = from + Buffer.byteLength(element.text);
    if (from < 0 || to > bytes.length || bytes.toString('utf8', from, to) !== element.text) return undefined;
    at = to;
    while (isSpace(bytes[at])) at++;
    const next = elements[k + 1];
    if (next === undefined) return bytes[at] === CLOSE_BRACKET ? { start, end: base + at + 1 } : undefined;
    if (bytes[at] !== COMMA) return undefined;
    at++;
    while (isSpace(bytes[at])) at++;
    if (base + at !== next.offset) return undefined;
  }
  return undefined;
}

/**
 * `span` widened to the whole file (`size` bytes) when the array is alone in it, only whitespace
 * around it; `span` otherwise. `bytes`: the file's bytes from offset `base`, which must reach the
 * file's ends for the span to be widened. Hint: a byte order mark that begins the file is left
 * out, as the reader leaves it: many receivers' JSON parsers refuse one, and an export saved by
 * a Windows tool would then fail everywhere.
 */
function wholeFileSpan(
  bytes: Buffer,
  base: number,
  size: number,
  span: { start: number; end: number },
): { start: number; end: number } {
  if (base !== 0 || bytes.length !== size) return span;
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let at = start;
  while (at < span.start && isSpace(bytes[at])) at++;
  if (at !== span.start) return span;
  at = span.end;
  while (at < size && isSpace(bytes[at])) at++;
  return at === size ? { start, end: size } : span;
}

/** Whitespace read on either side of a batch's elements, looking for its brackets. */
const margin = 4096;

/**
 * Reads batches' bytes back from their files: one file open at a time (input is read file by
 * file), regular files only. `close()` when done.
 */
export class SourceBytes {
  private file: string | undefined;
  private fd: number | undefined;
  private size = 0;

  /**
   * The exact bytes of the array holding `elements` in `file`, or undefined when they cannot
   * be had (see `arraySpan`), or the file is not a regular file that can be read again.
   */
  arrayOf(file: string, elements: readonly SpanElement[]): Buffer | undefined {
    const first = elements[0];
    const last = elements.at(-1);
    if (first === undefined || last === undefined || !this.open(file) || this.fd === undefined) return undefined;
    const base = Math.max(0, first.offset - margin);
    const end = Math.min(this.size, last.offset + Buffer.byteLength(last.text) + margin);
    if (end <= base) return undefined;
    const bytes = Buffer.allocUnsafe(end - base);
    let read = 0;
    try {
      while (read < bytes.length) {
        const n = readSync(this.fd, bytes, read, bytes.length - read, base + read);
        if (n === 0) break;
        read += n;
      }
    } catch {
      return undefined;
    }
    const span = arraySpan(bytes.subarray(0, read), base, elements);
    if (!span) return undefined;
    const whole = lineDelimitedNames.test(file) ? span : wholeFileSpan(bytes.subarray(0, read), base, this.size, span);
    return bytes.subarray(whole.start - base, whole.end - base);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.file = undefined;
  }

  /** Opens `file` (closing the previous one); false when it is not a regular file that can be read. */
  private open(file: string): boolean {
    if (this.file === file) return this.fd !== undefined;
    this.close();
    this.file = file;
    try {
      // Hint: `file` is a source's name; one that is not UTF-8 opens by its bytes (input/file-names.ts).
      const fd = openSync(openablePath(file), constants.O_RDONLY | constants.O_NONBLOCK);
      const stat = fstatSync(fd);
      if (!stat.isFile()) {
        closeSync(fd);
        return false;
      }
      this.fd = fd;
      this.size = stat.size;
      return true;
    } catch {
      return false;
    }
  }
}
