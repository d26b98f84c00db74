import { describe, expect, it } from 'vitest';
import { parseHeaderLines, parseHeaderOption, verify } from './verify.js';

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

describe('verify --header', () => {
  it('reads one "Name: value"', () => {
    expect(parseHeaderOption('webhook-id:msg_1 ', 0)).toEqual(['webhook-id', 'msg_1']);
  });

  it('refuses anything else in the one option-error style, naming which --header and quoting it', () => {
    // It said `--header #2:1: expected "Name: value"`: a line number of a one-line value, nothing quoted.
    expect(() => parseHeaderOption('nocolon', 1)).toThrow('--header #2: must be "Name: value" (got "nocolon")');
    expect(() => parseHeaderOption('', 0)).toThrow('--header #1: must be "Name: value" (got "")');
    expect(() => parseHeaderOption('a: 1\nb: 2', 0)).toThrow('--header #1: must be "Name: value" (got "a: 1\\nb: 2")');
  });
});

describe('verify options', () => {
  it('checks --secret-env and --signature-header as replay and listen do, before looking for a secret', async () => {
    // It took both unchecked: "needs a secret in the environment variable 1BAD", or a header
    // name that no request can carry, reported later as missing.
    const raw = {
      sign: 'hmac',
      secretEnv: '1BAD',
      signatureHeader: 'X Sig',
      tolerance: '300',
      format: 'pretty',
    } as const;
    await expect(verify(['captured'], raw)).rejects.toThrow(
      '--secret-env: must be the name of an environment variable (got "1BAD"); --signature-header: must be an HTTP header name (got "X Sig")',
    );
  });
});
