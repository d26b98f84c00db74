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
