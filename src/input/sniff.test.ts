import { describe, expect, it } from 'vitest';
import { binaryStart } from './sniff.js';

/** Bytes that are not UTF-8: lead and continuation bytes in no valid order. */
/** A window that begins with the chunk, none of its bytes counted yet. */
const window = { start: 0, count: 0 };

const high = (length: number) => Buffer.from(Array.from({ length }, (_, i) => 0x80 + ((i * 37) % 128)));

describe('binaryStart', () => {
  it('places binary data at its first byte when the chunk begins with a line break, and ends', () => {
    // A later chunk that began with "\n" then garbage looped for ever: the walk back asked for the
    // line break before index -1, which Buffer.lastIndexOf reads from the chunk's end.
    const garbage = high(8192);
    garbage[0] = 0xff;
    expect(binaryStart(Buffer.concat([Buffer.from('\n'), garbage]), 0, window)).toBe(1);
    expect(binaryStart(Buffer.concat([Buffer.from('\r\n'), garbage]), 0, window)).toBe(2);
    expect(binaryStart(Buffer.concat([Buffer.from('{"a": 1}\n\n'), garbage]), 0, window)).toBe(10);
  });

  it('walks back over a short line of garbage that ends in a lead byte, which no cut made', () => {
    // Measured without its line break, `e9 a8` at a line's end looked cut by the edge, uncounted,
    // so the walk stopped inside the garbage.
    const text = Buffer.from('{"a": 1}\n');
    const garbage = Buffer.concat([Buffer.alloc(20, 0xff), Buffer.from([0x0a, 0x6c, 0xe9, 0xa8, 0x0a]), high(8192)]);
    expect(binaryStart(Buffer.concat([text, garbage]), 0, window)).toBe(text.length);
  });
});
