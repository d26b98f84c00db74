/**
 * Tells a file that is not text from JSON with a few bad bytes, by its first bytes: one clear
 * error for a binary file instead of one per element it seems to hold.
 */

import { impossible } from '../errors.js';
import { isSpace } from './bytes.js';

// Hint: these begin a JSON value; a binary format's magic number (PNG, ZIP, gzip...) is none.
const jsonStart = new Set([
  0x7b, 0x5b, 0x22, 0x2d, 0x74, 0x66, 0x6e, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
]);

/** The length of the UTF-8 sequence at `bytes[i]`: 0 when it is not one (or is cut by the end). */
function utf8Length(bytes: Buffer, i: number): number {
  // No byte (past the end) is no sequence: 0 is neither a lead nor a continuation byte.
  const lead = bytes[i] ?? 0;
  const length =
    lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || i + length > bytes.length) return 0;
  for (let k = 1; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return 0;
  return length;
}

/**
 * Why `sample`, the first bytes of a file (after any BOM, at `offset`), is not text, or undefined when it may
 * be JSON. Not text: a control character or a byte that is not UTF-8 where the file begins, or
 * such bytes making up more than an eighth of it. A few of them in text are left to the element
 * parser, which reports each where it is.
 */
export function notTextReason(sample: Buffer, offset = 0): string | undefined {
  let suspicious = 0;
  let first = -1;
  let end = sample.length;
  // A sequence cut by the end of the sample is not held against it.
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = sample[end - back] ?? 0;
    if (byte < 0x80) break;
    if (byte >= 0xc0) {
      end -= back;
      break;
    }
  }
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
      suspicious++;
      if (first === -1) first = i;
    }
    i += length;
  }
  if (suspicious === 0) return undefined;
  let start = 0;
  while (start < end && isSpace(sample[start])) start++;
  const head = sample[start];
  if (start < end && head !== undefined && jsonStart.has(head) && suspicious * 8 <= end) return undefined;
  const byte = (sample[first] ?? impossible('a suspicious byte was found')).toString(16).toUpperCase().padStart(2, '0');
  return `the file is not text: byte 0x${byte} at byte offset ${offset + first} is neither JSON nor UTF-8 (a binary file?)`;
}
