import { describe, expect, it } from 'vitest';
import { parseListenOptions, type RawListenOptions } from './listen-options.js';

const defaults: RawListenOptions = {
  port: '8787',
  host: '127.0.0.1',
  format: 'pretty',
  maxBody: '5mb',
  failRate: '0',
  delay: '0',
  headerTimeout: '10',
  requestTimeout: '30',
};
const parse = (over: Partial<RawListenOptions>) => parseListenOptions({ ...defaults, ...over });

describe('listen options', () => {
  it('reads sizes, answers and times', () => {
    expect(parse({}).maxBodyBytes).toBe(5 * 1024 * 1024);
    expect(parse({ maxBody: '512KB' }).maxBodyBytes).toBe(512 * 1024);
    expect(parse({ maxBody: '100' }).maxBodyBytes).toBe(100);
    expect(parse({ respond: 'RESET' }).respond).toBe('reset');
    expect(parse({ failCode: '429', failRate: '0.25' })).toMatchObject({ failCode: 429, failRate: 0.25 });
    expect(parse({ headerTimeout: '0.5' }).headersTimeoutMs).toBe(500);
    // node:http takes whole milliseconds (red team hT42 #1): rounded up, and never 0, which is no timeout.
    expect(parse({ headerTimeout: '0.75' }).headersTimeoutMs).toBe(750);
    expect(parse({ headerTimeout: '1', requestTimeout: '1.005' }).requestTimeoutMs).toBe(1005);
    expect(parse({ headerTimeout: '0.0001', requestTimeout: '0.0007' })).toMatchObject({
      headersTimeoutMs: 1,
      requestTimeoutMs: 1,
    });
    expect(parse({ forward: 'http://127.0.0.1:9/', forwardTimeout: '0.0025' }).forwardTimeoutMs).toBe(3);
    // The defaults, which commander no longer fills in, so that one given is told from one not.
    expect(parse({})).toMatchObject({ seed: 1, failCode: 503, forwardTimeoutMs: 30_000 });
    expect(parse({ out: 'cap' }).durable).toBe(false);
    expect(parse({ out: 'cap', durable: true }).durable).toBe(true);
    expect(parse({ forward: 'https://example.test/hook', insecure: true }).forward?.href).toBe(
      'https://example.test/hook',
    );
  });

  it('takes an IPv6 address in brackets, as a URL writes it', () => {
    // `--host '[::1]'` was "cannot listen on [::1]:0: no such host" (hT51 #8).
    expect(parse({ host: '[::1]' }).host).toBe('::1');
    expect(parse({ host: ' [fe80::1] ' }).host).toBe('fe80::1');
    expect(parse({ host: '::1' }).host).toBe('::1');
    expect(parse({ host: '[fe80::1%lo]' }).host).toBe('fe80::1%lo');
    // Brackets around what is no IPv6 address are left, for the error to show (review hR53).
    expect(parse({ host: '[cafe]' }).host).toBe('[cafe]');
  });

  it('lists every problem, each naming its option', () => {
    expect(() => parse({ port: '70000' })).toThrow('--port: must be a whole number from 0 to 65535 (got "70000")');
    expect(() => parse({ respond: '99' })).toThrow(
      '--respond: must be a status code from 200 to 599, or reset (got "99")',
    );
    expect(() => parse({ failRate: '1.5' })).toThrow('--fail-rate: must be a fraction from 0 to 1 (got "1.5")');
    expect(() => parse({ path: 'hook' })).toThrow(/--path: must be a path that starts with \//);
    // A request target is printable ASCII (node:http refuses the rest), so such a path never matches.
    for (const path of ['/a\u001b[2J', '/caf\u00e9', '/x\u009b', '/\u202e']) {
      expect(() => parse({ path })).toThrow(/--path: .*printable ASCII/);
    }
    expect(parse({ path: '/caf%C3%A9/hook' }).path).toBe('/caf%C3%A9/hook');
    expect(() => parse({ insecure: true })).toThrow('--insecure: applies only with --forward');
    // Taken without a word with an http:// upstream, where it does nothing, as replay's was (fixer hF62).
    expect(() => parse({ insecure: true, forward: 'HTTP://127.0.0.1:9/' })).toThrow(
      '--insecure: applies only with an https:// --forward',
    );
    expect(parse({ insecure: true, forward: 'https://127.0.0.1:9/' }).forward?.protocol).toBe('https:');
    expect(() => parse({ durable: true })).toThrow('--durable: applies only with --out');
    // Accepted and ignored, where --insecure and --retry-after alone were refused (hT57).
    expect(() => parse({ forwardTimeout: '5' })).toThrow('--forward-timeout: applies only with --forward');
    expect(() => parse({ seed: '7', failCode: '429' })).toThrow(
      '--seed: applies only with a --fail-rate above 0; --fail-code: applies only with a --fail-rate above 0',
    );
    // Said so where --fail-rate 0 was given: "applies only with --fail-rate" read as if it was not (review hR57).
    expect(() => parse({ seed: '7', failRate: '0' })).toThrow('--seed: applies only with a --fail-rate above 0');
    expect(parse({ seed: '7', failRate: '0.5' }).seed).toBe(7);
    // On Windows a folder's fsync fails (EPERM) and O_DSYNC does not exist: every delivery was a 500 (red team hT30).
    expect(() => parseListenOptions({ ...defaults, out: 'cap', durable: true }, 'win32')).toThrow(
      '--durable: not available on Windows, where a folder cannot be flushed to the disk',
    );
    // Hint: `--out "$DIR"` with DIR unset names no folder; capturing nothing would lose every delivery.
    expect(() => parse({ out: '' })).toThrow('--out: must be a folder name (got "")');
    expect(() => parse({ headerTimeout: '60' })).toThrow(
      '--header-timeout: must not be longer than --request-timeout ("60" and "30", as given or by default)',
    );
    // Said with the other problems, as every problem is (review hR21).
    expect(() => parse({ headerTimeout: '60', insecure: true })).toThrow(
      '--insecure: applies only with --forward; --header-timeout: must not be longer than --request-timeout ("60" and "30", as given or by default)',
    );
    // A bad value is said for itself alone, not also as longer than the other (hT24).
    expect(() => parse({ requestTimeout: '0' })).toThrow(
      /^--request-timeout: must be a number of seconds more than 0 and at most 86400 \(a day\) \(got "0"\)$/,
    );
    expect(() => parse({ maxBody: 'lots', forward: 'ftp://x' })).toThrow(
      /^--max-body: must be a size [^;]*; --forward: must be an http\(s\) URL \(got "ftp:\/\/x"\)$/,
    );
  });
});
