import { describe, expect, it } from 'vitest';
import { parseHeaderLines } from './verify.js';

describe('verify --headers', () => {
  it('reads "Name: value" lines, skipping a request or status line', () => {
    expect(parseHeaderLines('POST /hook HTTP/1.1\r\nwebhook-id:  msg_1 \r\nX-A: b: c\r\n\r\n', 'h')).toEqual([
      ['webhook-id', 'msg_1'],
      ['X-A', 'b: c'],
    ]);
    expect(parseHeaderLines('HTTP/1.1 200 OK\nA: 1\n', 'h')).toEqual([['A', '1']]);
  });

  it('names the line that is not a header', () => {
    expect(() => parseHeaderLines('A: 1\nnot a header\n', 'head.txt')).toThrow('head.txt:2: expected "Name: value"');
  });
});
