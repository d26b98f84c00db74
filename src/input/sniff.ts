/**
 * Tells a file that is not text from JSON with a few bad bytes, by its first bytes and then by each
 * later chunk: one clear error for a binary file instead of one per element it seems to hold.
 */

import { isUtf8 } from 'node:buffer';
import { impossible } from '../errors.js';
import { beginsJsonValue, isSpace, NEWLINE } from './bytes.js';

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
export function wholeEnd(bytes: Buffer, from: number): number {
  const end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= from; back++) {
    const byte = bytes[end - back] ?? 0;
    if (byte < 0x80) break;
    // Hint: a lead byte whose character would end past the end; not one that is no lead (0xFF).
    if (byte >= 0xc0) return sequenceLength(byte) > back ? end - back : end;
  }
  return end;
}

/** The length of the character at `bytes[i]`, or -1 for a byte that is not text. */
function textLength(bytes: Buffer, i: number): number {
  const byte = bytes[i] ?? impossible('i is within the bytes');
  if (byte >= 0x80) return utf8Length(bytes, i) || -1;
  return (byte < 0x20 && !isSpace(byte) && byte !== 0x0c) || byte === 0x7f ? -1 : 1;
}

/** The bytes of `sample` that are not text, how many and the first (-1 when none), and where its last whole character ends. */
function notTextBytes(sample: Buffer): { count: number; first: number; end: number } {
  let count = 0;
  let first = -1;
  // A sequence cut by the end of the sample is not held against it.
  const end = wholeEnd(sample, 0);
  for (let i = 0; i < end; ) {
    const length = textLength(sample, i);
    if (length === -1) {
      count++;
      if (first === -1) first = i;
    }
    i += Math.abs(length);
  }
  return { count, first, end };
}

/** Why the byte at `offset` (followed by the bytes `after`) shows the file (or a request's body, `body`) is not text. */
export function notTextMessage(byte: number, offset: number, after: Uint8Array, body = false): string {
  const next = after[0];
  const hex = byte.toString(16).toUpperCase().padStart(2, '0');
  // Hint: an export is often kept compressed, and a gzip file begins with 1F 8B.
  const [gzip, other] = body
    ? ['gzip? send it uncompressed', 'binary data?']
    : ['gzip? read it through gunzip -c', 'a binary file?'];
  // Hint: and text in UTF-16 appended to a UTF-8 file (PowerShell 5.1's `>>`) begins with its
  // byte order mark, FF FE or FE FF, as a file of it refused at its start does (red team hR124);
  // UTF-32's little-endian one begins as UTF-16's does, FF FE 00 00 (review hR126).
  const wide =
    byte === 0xff && next === 0xfe && after[1] === 0 && after[2] === 0
      ? 'UTF-32'
      : (byte === 0xff && next === 0xfe) || (byte === 0xfe && next === 0xff)
        ? 'UTF-16'
        : undefined;
  const hint =
    offset === 0 && byte === 0x1f && next === 0x8b
      ? gzip
      : wide
        ? `${wide} text from here, its byte order mark; JSON must be UTF-8${body ? '' : `: convert that part with iconv -f ${wide} -t UTF-8`}`
        : other;
  return `the ${body ? 'body' : 'file'} is not text: byte 0x${hex} at byte offset ${offset} is neither JSON nor UTF-8 (${hint})`;
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
  if (start < end && head !== undefined && beginsJsonValue(head) && count * 8 <= end) return -1;
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
  return beginsJsonValue(head[start]) && notTextBytes(head).count * 8 <= textSampleSize;
}

/** Where `chunk`'s first whole character from `from` begins: past the continuation bytes of one the chunk's edge cut. */
function wholeStart(chunk: Buffer, from: number): number {
  let start = from;
  while (start < from + 3 && ((chunk[start] ?? 0) & 0xc0) === 0x80) start++;
  return start;
}

/**
 * A window of `textSampleSize` bytes of a file, judged by its share of bytes that are not text:
 * where it begins, as an index into the chunk at hand (below 0 when it began in one before), and
 * how many of its bytes before the chunk were not text. Hint: windows begin at fixed offsets of
 * the file, and their counts go on across chunks, so that a verdict depends on the bytes alone,
 * not on where a read began.
 */
export interface TextWindow {
  start: number;
  count: number;
}

/** `window` moved on to the one `at` is in: its count is 0 if it is another. */
export function windowAt(window: TextWindow, at: number): TextWindow {
  if (at < window.start + textSampleSize) return window;
  return { start: window.start + Math.floor((at - window.start) / textSampleSize) * textSampleSize, count: 0 };
}

/**
 * Counts the bytes that are not text of `chunk` from `from` to `to` (whole characters) into the
 * windows `window` begins: where a window first has more than an eighth of them (the index of the
 * one that makes it so, or -1), and the window `to` is in, with its count.
 */
function countWindows(
  chunk: Buffer,
  from: number,
  to: number,
  window: TextWindow,
): { dense: number; window: TextWindow } {
  let { start, count } = window;
  for (let i = from; i < to; ) {
    if (i >= start + textSampleSize) {
      start += Math.floor((i - start) / textSampleSize) * textSampleSize;
      count = 0;
    }
    const length = textLength(chunk, i);
    if (length === -1 && ++count * 8 > textSampleSize) return { dense: i, window: { start, count } };
    i += Math.abs(length);
  }
  return { dense: -1, window: windowAt({ start, count }, to) };
}

/**
 * The window `to` is in, with the bytes that are not text of `chunk` from `from` to `to` counted
 * into it (see `countWindows`). Hint: only that window's bytes are counted, not the whole chunk
 * again, from 3 bytes before it, where a character that crosses into it may begin: UTF-8 falls
 * back into step within them.
 */
export function windowCountAt(chunk: Buffer, from: number, to: number, window: TextWindow): TextWindow {
  const last = windowAt(window, to);
  if (last.start <= from) return countWindows(chunk, from, to, window).window;
  const before = { start: last.start - textSampleSize, count: 0 };
  return countWindows(chunk, Math.max(from, last.start - 3), to, before).window;
}

/**
 * Whether `chunk` from `from` is text: UTF-8, but for a character its end cuts (and NUL bytes,
 * which are looked for apart). Hint: one native check tells text, the bulk of every file; the
 * windows (see `binaryStart`) are counted only when it fails. A chunk begins where a character
 * does: one its end cuts is held (see `unsettledTail`), so a continuation byte that begins it is
 * not text, as it is not in the file read at once.
 */
export function isText(chunk: Buffer, from: number): boolean {
  return isUtf8(chunk.subarray(from, wholeEnd(chunk, from)));
}

/**
 * Where binary data begins in a later chunk of a file, read from `from`, that is not text (see
 * `isText`): the first byte that is not text in its first window (see `TextWindow`) more than an
 * eighth of which are not, or -1. `lineBefore`: how many bytes of the line `from` is on came
 * before it, all of them text.
 */
export function binaryStart(chunk: Buffer, from: number, window: TextWindow, lineBefore = 0): number {
  const { dense } = countWindows(chunk, from, wholeEnd(chunk, from), window);
  if (dense === -1) return -1;
  // Hint: it begins on the first of the lines, up to the one where the window has its eighth,
  // more than an eighth of which are not text; not at the window's first such byte, which may be
  // on a line of Latin-1 text before.
  let line = Math.max(from, chunk.lastIndexOf(NEWLINE, dense) + 1);
  while (line > from) {
    // Hint: lastIndexOf reads a negative index from the end, so the first line is told apart.
    const before = line - 2 < from ? from : Math.max(from, chunk.lastIndexOf(NEWLINE, line - 2) + 1);
    // Measured with its line break, so that no lead byte at its end looks cut by the edge; a line
    // the chunk's start cuts, with its text before the chunk, as the file read at once has it.
    const length = line - 1 - before + (before === from ? lineBefore : 0);
    if (notTextBytes(chunk.subarray(before, line)).count * 8 <= length) break;
    line = before;
  }
  const first = notTextBytes(chunk.subarray(line, dense + 1)).first;
  return first === -1 ? dense : line + first;
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
  // Hint: a floor inside a character is past it; a chunk's start is never inside one (see `isText`).
  const floor = chunk.length - 2 * textSampleSize > from ? wholeStart(chunk, chunk.length - 2 * textSampleSize) : from;
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
