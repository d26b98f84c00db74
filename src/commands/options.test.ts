import { describe, expect, it } from 'vitest';
import { CallhookError } from '../errors.js';
import { byteSize } from './options.js';

const parseByteSize = byteSize('--max-element-size');

describe('byteSize', () => {
  it('reads bytes with k, M and G suffixes (powers of 1024), with or without iB or B', () => {
    expect(parseByteSize('1000')).toBe(1000);
    expect(parseByteSize('64M')).toBe(64 * 2 ** 20);
    expect(parseByteSize('64MiB')).toBe(64 * 2 ** 20);
    expect(parseByteSize('512k')).toBe(512 * 1024);
    expect(parseByteSize('512KB')).toBe(512 * 1024);
    expect(parseByteSize('0.25G')).toBe(2 ** 28);
    expect(parseByteSize(' 511 m ')).toBe(511 * 2 ** 20);
  });

  it('refuses what is not a size of at least one byte, in the one message style', () => {
    for (const bad of ['', '0', '-1', 'M', '12X', '1e3', '0.1', 'Infinity', '64 MB extra', '512M', '1G']) {
      expect(() => parseByteSize(bad), bad).toThrow(CallhookError);
    }
    expect(() => parseByteSize('1G')).toThrow(
      '--max-element-size: must be a size in bytes from 1 to 511M, such as 65536, 512k or 64M (got "1G")',
    );
  });
});
