import { describe, expect, it } from 'vitest';
import { CallhookError } from '../errors.js';
import {
  byteSize,
  decimal,
  durationMs,
  httpUrl,
  idPrefix,
  listOf,
  optional,
  parseAll,
  secretEnvName,
  signatureHeaderName,
  wholeNumber,
} from './options.js';

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

describe('wholeNumber', () => {
  it('names the largest number it takes when given a larger one, not only the smallest', () => {
    // `--count 9007199254740993` was told "must be a whole number of at least 0": it is one.
    expect(() => wholeNumber('--count', 0)('9007199254740993')).toThrow(
      '--count: must be a whole number from 0 to 9007199254740991 (got "9007199254740993")',
    );
    expect(() => wholeNumber('--count', 0)('-1')).toThrow('--count: must be a whole number of at least 0 (got "-1")');
    expect(wholeNumber('--count', 0)('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('listOf', () => {
  const statuses = listOf('--status', ['Complete', 'Partial', 'Not Complete'] as const);

  it('collects comma-separated choices across repeats, any case, a stray comma ignored', () => {
    expect(statuses('partial,NOT COMPLETE')).toEqual(['Partial', 'Not Complete']);
    expect(statuses('Complete,', ['Partial'])).toEqual(['Partial', 'Complete']);
  });

  it('names each choice once, however often it is given (summarise prints the list)', () => {
    // summarise's report said "--status Partial,Partial,Partial" for --status Partial,partial --status Partial.
    expect(statuses('Partial', statuses('Partial,partial'))).toEqual(['Partial']);
  });

  it('refuses a value naming no choice at all, which would select everything or nothing', () => {
    // summarise read `--status ""` as no filter and show as a filter nothing passes.
    for (const bad of ['', ',', ' , ']) {
      expect(() => statuses(bad), JSON.stringify(bad)).toThrow(
        `--status: must be one of Complete, Partial, Not Complete (got ${JSON.stringify(bad)})`,
      );
    }
  });
});

describe('idPrefix', () => {
  const parse = idPrefix('--campaign');
  it('reads a UUID or its start, in any case', () => {
    for (const id of ['d', 'D56B21AF', 'd56b21af-', 'd56b21af-4765-4f', ' d56b21af-4765-4f4f-bf8f-b530038383fe '])
      expect(parse(id), id).toBe(id.trim().toLowerCase());
  });
  it('refuses text that no UUID starts with, a dash out of place included, rather than matching nothing', () => {
    // A UUID written without its dashes (as some systems print it) is the commonest.
    for (const id of ['d56b21af4765', 'd56b21af47654f4fbf8fb530038383fe', '-', 'd56b-', 'd56b21af--', 'g', ''])
      expect(() => parse(id), id).toThrow(
        `--campaign: must be a UUID or the start of one, dashes included (8-4-4-4-12 hex digits) (got ${JSON.stringify(id)})`,
      );
  });
});

describe('the parsers listen, replay, verify and generate share', () => {
  it('read a number in time linear in its length', () => {
    // `[0-9]+\.?[0-9]*` tried every split of a run of digits that did not end the value: 7 s for
    // 100,000 zeros then an x (red team hT61), so days for these million.
    const rate = decimal('--rate', { min: 0, max: 1e6 });
    expect(() => rate(`${'0'.repeat(1_000_000)}x`)).toThrow(/^--rate: must be a number more than 0/);
    expect(rate(`${'0'.repeat(1_000_000)}1.5`)).toBe(1.5);
  });

  it('reads numbers, seconds, URLs and names, in the one message style', () => {
    const fraction = decimal('--fail-rate', { min: 0, max: 1, from: true, what: 'a fraction' });
    expect(fraction('0')).toBe(0);
    expect(fraction('.25')).toBe(0.25);
    expect(() => fraction('1.5')).toThrow('--fail-rate: must be a fraction from 0 to 1 (got "1.5")');
    expect(durationMs('--timeout')('0.5')).toBe(500);
    // Whole milliseconds rounded up, never 0 (node's "no timeout"), and without a float's error.
    for (const [text, ms] of [
      ['0.007', 7],
      ['1.13', 1130],
      ['1.005', 1005],
      ['0.0007', 1],
      ['0.0000000001', 1],
      ['0.0015', 2],
      ['86400', 86_400_000],
    ] as const)
      expect(durationMs('--timeout')(text), text).toBe(ms);
    for (const bad of ['0', '-1', '1e3', '86401', 'x', '']) expect(() => durationMs('--timeout')(bad), bad).toThrow();
    expect(() => durationMs('--timeout')('0')).toThrow(
      '--timeout: must be a number of seconds more than 0 and at most 86400 (a day) (got "0")',
    );
    expect(httpUrl('--url')('https://example.test/hook').host).toBe('example.test');
    expect(() => httpUrl('--url')('ftp://x')).toThrow('--url: must be an http(s) URL (got "ftp://x")');
    expect(secretEnvName('MY_SECRET')).toBe('MY_SECRET');
    expect(secretEnvName()).toBe('CALLHOOK_SECRET');
    expect(() => secretEnvName('1X')).toThrow('--secret-env: must be the name of an environment variable');
    expect(() => signatureHeaderName('X Sig')).toThrow('--signature-header: must be an HTTP header name');
    // A shell or CI quote kept: RFC 9110 admits `'` in a name, but no receiver reads this one (review hR38).
    expect(() => signatureHeaderName("'X-Signature'")).toThrow('--signature-header: must be an HTTP header name');
    // Each header the request sets itself, or that changes the exchange or how the body is read,
    // in any case (red team hT15 #4, review hR16: Content-Encoding, User-Agent, TE, Upgrade).
    for (const name of [
      'Content-Length',
      'Host',
      'Transfer-Encoding',
      'Trailer',
      'Content-Type',
      'Content-Encoding',
      'Connection',
      'Expect',
      'Upgrade',
      'TE',
      'user-agent',
      'Webhook-Signature',
      'webhook-id',
      'WEBHOOK-TIMESTAMP',
    ]) {
      expect(() => signatureHeaderName(name), name).toThrow(
        `--signature-header: must be a header the request does not set itself (not `,
      );
    }
    expect(signatureHeaderName('X-Hub-Signature-256')).toBe('X-Hub-Signature-256');
  });

  it('parseAll reports every bad option in one line, and lets other errors through', () => {
    const parsed = parseAll({
      port: () => wholeNumber('--port', 0, 65535)('80'),
      url: () => optional(undefined, String),
    });
    expect(parsed).toEqual({ port: 80, url: undefined });
    const both = () =>
      parseAll({ port: () => wholeNumber('--port', 0, 65535)('70000'), rate: () => durationMs('--rate')('0') }, [
        '--insecure: applies only with --forward',
      ]);
    expect(both).toThrow(
      new CallhookError(
        '--insecure: applies only with --forward; --port: must be a whole number from 0 to 65535 (got "70000"); --rate: must be a number of seconds more than 0 and at most 86400 (a day) (got "0")',
      ),
    );
    expect(() =>
      parseAll({
        bug: () => {
          throw new TypeError('a bug');
        },
      }),
    ).toThrow(TypeError);
  });
});
