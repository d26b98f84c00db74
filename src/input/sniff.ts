/**
 * Tells a file that is not text from JSON with a few bad bytes, by its first bytes and then by each
 * later chunk: one clear error for a binary file instead of one per element it seems to hold.
 */

import { isUtf8 } from 'node:buffer';
import { impossible } from '../errors.js';
import { isSpace, NEWLINE } from './bytes.js';

// Hint: these begin a JSON value; a binary format's magic number (PNG, ZIP, gzip...) is none.
const jsonStart = new Set([
  0x7b, 0x5b, 0x22, 0x2d, 0x74, 0x66, 0x6e, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
]);

/** The length of the UTF-8 sequence `lead` begins: 0 when it begins none. */
function sequenceLength(lead: number): number {
  return lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
}

/** The length of the UTF-8 sequence at `bytes[i]`: 0 when it is not one (or is cut by the end). */
function utf8Length(bytes: Buffer, i: number): number {
  // No byte (past the end) is no sequence: 0 is neither a lead nor a continuation byte.
  const length = sequenceLength(bytes[i] ?? 0);
  if (length === 0 || i + length > bytes.length) return 0;
  for (let k = 1; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return 0;
  return length;
}

/** Where `bytes` from `from` ends short of a character the end may cut: before the lead byte of a last character its end cuts. */
function wholeEnd(bytes: Buffer, from: number): number {
  const end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= from; back++) {
    const byte = bytes[end - back] ?? 0;
    if (byte < 0x80) break;
    // Hint: a lead byte whose character would end past the end; not one that is no lead (0xFF).
    if (byte >= 0xc0) return sequenceLength(byte) > back ? end - back : end;
  }
  return end;
}

/** The bytes of `sample` that are not text, how many and the first (-1 when none), and where its last whole character ends. */
function notTextBytes(sample: Buffer): { count: number; first: number; end: number } {
  let count = 0;
  let first = -1;
  // A sequence cut by the end of the sample is not held against it.
  const end = wholeEnd(sample, 0);
  for (let i = 0; i < end; ) {
    const byte = sample[i] ?? impossible('i is below end, which is at most the sample length');
    let bad = false;
    let length = 1;
    if (byte >= 0x80) {
      length = utf8Length(sample, i);
      bad = length === 0;
      if (bad) length = 1;
    } else bad = (byte < 0x20 && !isSpace(byte) && byte !== 0x0c) || byte === 0x7f;
    if (bad) {
      count++;
      if (first === -1) first = i;
    }
    i += length;
  }
  return { count, first, end };
}

/** Why the byte at `offset` (followed by `next`) shows the file is not text. */
export function notTextMessage(byte: number, offset: number, next: number | undefined): string {
  const hex = byte.toString(16).toUpperCase().padStart(2, '0');
  // Hint: an export is often kept compressed, and a gzip file begins with 1F 8B.
  const hint = offset === 0 && byte === 0x1f && next === 0x8b ? 'gzip? read it through gunzip -c' : 'a binary file?';
  return `the file is not text: byte 0x${hex} at byte offset ${offset} is neither JSON nor UTF-8 (${hint})`;
}

/** The bytes of a file judged at a time: its first ones, then each window of a later chunk. */
export const textSampleSize = 4096;

/**
 * Where, in the first bytes of a file (`sample`, after any BOM), the bytes that show it is not
 * text begin, or -1 when it may be JSON. Not text: a control character or a byte that is not
 * UTF-8 where the file begins, or such bytes making up more than an eighth of it. A few of them in
 * text are left to the element parser, which reports each where it is.
 */
export function notTextStart(sample: Buffer): number {
  const { count, first, end } = notTextBytes(sample);
  if (count === 0) return -1;
  let start = 0;
  while (start < end && isSpace(sample[start])) start++;
  const head = sample[start];
  if (start < end && head !== undefined && jsonStart.has(head) && count * 8 <= end) return -1;
  return first;
}

/**
 * Whether the first bytes of a file, fewer than a sample (`head`), cannot be judged by
 * `notTextStart` yet: they begin as JSON does and hold no NUL, their share of bytes that are not
 * text would refuse them, and a whole sample's might not. Hint: a character cut in two in a first
 * read of 10 bytes is more than an eighth of it; the file read at once is read up to where it
 * stops being text. What begins as no JSON does, holds a NUL, or is dense enough to refuse in any
 * sample is judged at once: a pipe that is never closed waits for nothing.
 */
export function headUndecided(head: Buffer): boolean {
  if (head.length >= textSampleSize || head.includes(0) || notTextStart(head) === -1) return false;
  let start = 0;
  while (start < head.length && isSpace(head[start])) start++;
  return jsonStart.has(head[start] ?? 0) && notTextBytes(head).count * 8 <= textSampleSize;
}

/** Where `chunk`'s first whole character from `from` begins: past the continuation bytes of one the chunk's edge cut. */
function wholeStart(chunk: Buffer, from: number): number {
  let start = from;
  while (start < from + 3 && ((chunk[start] ?? 0) & 0xc0) === 0x80) start++;
  return start;
}

/** `chunk` from `from` without the bytes of a character cut by either end. */
function wholeCharacters(chunk: Buffer, from: number): Buffer {
  const start = wholeStart(chunk, from);
  return chunk.subarray(start, Math.max(start, wholeEnd(chunk, start)));
}

/**
 * Where binary data begins in a later chunk of a file, read from `from`: the first byte that is not
 * text in its first window of `textSampleSize` bytes more than an eighth of which are not, or -1.
 * `lineBefore`: how many bytes of the line `from` is on came before it, all of them text.
 * Hint: text (UTF-8, the bulk of every file) is told by one native check of the whole chunk; the
 * windows are counted only when that fails, and a window is never judged as less than a sample,
 * so that a few bad bytes in a small chunk (a pipe written to a little at a time) are not binary.
 */
export function binaryStart(chunk: Buffer, from: number, lineBefore = 0): number {
  if (isUtf8(wholeCharacters(chunk, from))) return -1;
  for (let at = from; at < chunk.length; at += textSampleSize) {
    const window = chunk.subarray(at, at + textSampleSize);
    const { count } = notTextBytes(window);
    if (count * 8 <= textSampleSize) continue;
    // Hint: it begins on the first of the lines, up to the one where the window has its eighth,
    // more than an eighth of which are not text; not at the window's first such byte, which may be
    // on a line of Latin-1 text before, where a window begins being where the chunk does.
    // Hint: a chunk may begin inside a character; its first whole one is where lines can begin.
    const start = wholeStart(chunk, from);
    const dense = at + bytesUntil(window, textSampleSize / 8 + 1);
    let line = Math.max(start, chunk.lastIndexOf(NEWLINE, dense) + 1);
    while (line > start) {
      // Hint: lastIndexOf reads a negative index from the end, so the first line is told apart.
      const before = line - 2 < start ? start : Math.max(start, chunk.lastIndexOf(NEWLINE, line - 2) + 1);
      // Measured with its line break, so that no lead byte at its end looks cut by the edge; a line
      // the chunk's start cuts, with its text before the chunk, as the file read at once has it.
      const length = line - 1 - before + (before === start && start === from ? lineBefore : 0);
      if (notTextBytes(chunk.subarray(before, line)).count * 8 <= length) break;
      line = before;
    }
    const first = notTextBytes(chunk.subarray(line, dense + 1)).first;
    return first === -1 ? dense : line + first;
  }
  return -1;
}

/**
 * Where the bytes at the end of `chunk` (read from `from`) begin that may be where binary data
 * begins, too few to judge yet; `chunk.length` when there are none. Hint: a walk back from a
 * window judged binary stops at its chunk's start (see `binaryStart`), so what it could walk back
 * to is held, to be in the same chunk as the bytes that follow: the last line from its first
 * byte that is not text (or a character the end cuts), and the lines before it, within its last
 * two windows, more than an eighth of each of which is not text, as the walk judges them. Text
 * with a few bytes that are not UTF-8 (Latin-1) is not held: a pipe's last line is read as it comes.
 */
export function unsettledTail(chunk: Buffer, from: number): number {
  const floor = wholeStart(chunk, Math.max(from, chunk.length - 2 * textSampleSize));
  const end = wholeEnd(chunk, floor);
  // Text, the bulk of every file, is told by one native check of its end.
  if (isUtf8(chunk.subarray(floor, end))) return end;
  let line = Math.max(floor, chunk.lastIndexOf(NEWLINE) + 1);
  const first = notTextBytes(chunk.subarray(line)).first;
  let held = first === -1 ? end : line + first;
  while (line > floor) {
    // Hint: lastIndexOf reads a negative index from the end, so the first line is told apart.
    const before = line - 2 < floor ? floor : Math.max(floor, chunk.lastIndexOf(NEWLINE, line - 2) + 1);
    if (notTextBytes(chunk.subarray(before, line)).count * 8 <= line - 1 - before) break;
    held = before;
    line = before;
  }
  return held;
}

/** How many of `sample`'s bytes hold its first `count` bytes that are not text, less one: the index of the last of them. */
function bytesUntil(sample: Buffer, count: number): number {
  let low = 0;
  let high = sample.length;
  // Hint: a window judged binary is rare; halving it, each half counted whole, is short and plain.
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (notTextBytes(sample.subarray(0, middle)).count >= count) high = middle;
    else low = middle;
  }
  return low;
}
