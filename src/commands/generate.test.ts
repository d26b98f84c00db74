import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { capture } from '../../test/helpers/capture.js';
import { CallhookError } from '../errors.js';
import { generate } from './generate.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-generate-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (out: string, force?: boolean) => ({ count: '3', seed: '1', format: 'json' as const, out, force });

describe('generate --out', () => {
  it('never replaces an existing file unless --force says so', async () => {
    const out = join(dir, 'export.json');
    writeFileSync(out, 'a real export\n', { mode: 0o640 });
    const refused = await capture(() => generate(options(out))).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CallhookError);
    expect((refused as CallhookError).exitCode).toBe(2);
    expect((refused as CallhookError).message).toBe(`${out}: already exists; --force replaces it`);
    expect(readFileSync(out, 'utf8')).toBe('a real export\n');

    await capture(() => generate(options(out, true)));
    expect(JSON.parse(readFileSync(out, 'utf8'))).toHaveLength(3);
    expect(statSync(out).mode & 0o777).toBe(0o640);
  });

  it('writes through a symlink whose target does not exist yet, keeping the symlink', async () => {
    const link = join(dir, 'dangling.json');
    symlinkSync('created.json', link);
    await capture(() => generate(options(link)));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'created.json'), 'utf8'))).toHaveLength(3);
  });

  it('writes into a FIFO (or a symlink to one, as /dev/stdout is) instead of replacing it with a file', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const link = join(dir, 'stdout-link');
    symlinkSync(fifo, link);
    for (const out of [fifo, link]) {
      const read = text(createReadStream(fifo));
      const printed = await capture(() => generate(options(out)));
      expect(JSON.parse(await read)).toHaveLength(3);
      expect(printed.stderr).toContain('generated 3 events');
    }
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});

describe('generate --campaigns', () => {
  it('is refused above 100000 with the one option message, exit 2', async () => {
    const refused = await generate({ count: '1', seed: '1', format: 'json', campaigns: '10000000' }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(CallhookError);
    expect((refused as CallhookError).message).toBe(
      '--campaigns: must be a whole number from 1 to 100000 (got "10000000")',
    );
  });
});
