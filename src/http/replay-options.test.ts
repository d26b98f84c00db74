import { describe, expect, it } from 'vitest';
import { parseReplayOptions, type RawReplayOptions } from './replay-options.js';

const base: RawReplayOptions = {
  url: 'http://127.0.0.1:9/hook',
  validate: true,
  concurrency: '4',
  timeout: '30',
  retries: '5',
  secretEnv: 'CALLHOOK_SECRET',
  signatureHeader: 'X-Signature',
  header: [],
  method: 'POST',
  format: 'pretty',
};

describe('parseReplayOptions', () => {
  it('turns strings into settings with the documented defaults', () => {
    const s = parseReplayOptions({ ...base, header: ['Authorization: Bearer x:y', 'X-Env:test'], timeout: '0.5' });
    expect(s).toMatchObject({
      concurrency: 4,
      retries: 5,
      timeoutMs: 500,
      batchSize: undefined,
      headers: { authorization: 'Bearer x:y', 'x-env': 'test' },
      backoff: { baseMs: 500, capMs: 30_000 },
    });
  });

  it('lists every problem, each naming its option', () => {
    expect(() =>
      parseReplayOptions({
        ...base,
        url: 'ftp://x',
        concurrency: '0',
        batchSize: 'ten',
        rate: '-1',
        header: ['no colon'],
        format: 'curl',
        resume: true,
      }),
    ).toThrow(
      /--url must be an http\(s\) URL[\s\S]*--batch-size must be a whole number[\s\S]*--concurrency must be at least 1[\s\S]*--rate must be a number[\s\S]*--header must look like[\s\S]*--format curl needs --dry-run[\s\S]*--resume needs --journal/,
    );
  });

  it('requires --url', () => {
    expect(() => parseReplayOptions({ ...base, url: undefined })).toThrow('--url is required');
  });
});

describe('parseReplayOptions, checks before the first request', () => {
  it('(11) keeps --rate, --timeout and --linger within their documented ranges', () => {
    expect(parseReplayOptions({ ...base, rate: '0.001' }).rate).toBe(0.001);
    expect(parseReplayOptions({ ...base, rate: '100000' }).rate).toBe(100_000);
    expect(() => parseReplayOptions({ ...base, rate: '0.0000000001' })).toThrow(
      '--rate must be between 0.001 and 100000 requests per second',
    );
    expect(() => parseReplayOptions({ ...base, rate: '100001' })).toThrow(/--rate must be between/);
    expect(() => parseReplayOptions({ ...base, timeout: '99999999999' })).toThrow(/--timeout must be .* at most 86400/);
    expect(parseReplayOptions(base).lingerMs).toBe(1000);
    expect(parseReplayOptions({ ...base, linger: '0.2' }).lingerMs).toBe(200);
    expect(() => parseReplayOptions({ ...base, linger: '0' })).toThrow(/--linger must be more than 0/);
  });

  it('(11) finds an unwritable --report or --journal at once', () => {
    expect(() => parseReplayOptions({ ...base, report: '/no/such/folder/report.json' })).toThrow(
      '--report /no/such/folder/report.json: cannot create it in /no/such/folder: no such directory',
    );
    expect(() => parseReplayOptions({ ...base, journal: '/tmp' })).toThrow('--journal /tmp: is a directory');
    // A dry run writes no journal.
    expect(() => parseReplayOptions({ ...base, journal: '/tmp', dryRun: true })).not.toThrow();
  });

  it('accepts Expect: 100-continue and refuses any other expectation', () => {
    expect(parseReplayOptions({ ...base, header: ['Expect: 100-continue'] }).headers.expect).toBe('100-continue');
    expect(() => parseReplayOptions({ ...base, header: ['Expect: something-else'] })).toThrow(
      '--header: the only Expect replay supports is "Expect: 100-continue"',
    );
  });
});
