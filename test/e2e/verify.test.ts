/** `verify --body` and `--headers` as a process: what it reads of a file that does not end. */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binPath, repoRoot, runCli } from '../helpers/run-cli.js';

const env = { CALLHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };

/**
 * Runs `callhook ...args` with `fifo` (a named pipe) fed zeros, 64 KiB at a time, until the
 * process closes it or `most` bytes went in (then it ends). Says how many bytes went in, the
 * exit code and stderr. Hint: a named pipe, since a child's stdin from node is a socket, which
 * /dev/stdin cannot open.
 */
async function feedingZeros(fifo: string, args: readonly string[], most: number) {
  execFileSync('mkfifo', [fifo]);
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const err: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      running = false;
      resolve(code);
    }),
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  // Hint: opening a pipe to write waits for a reader: a process that ends without opening it
  // would leave the open waiting for ever, so one is opened here then.
  void exited.then(() => closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)));
  const pipe = await open(fifo, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let fed = 0;
  try {
    while (running && fed < most) fed += (await pipe.write(chunk)).bytesWritten;
  } catch {
    // EPIPE: the reader closed it.
  }
  await pipe.close().catch(() => {});
  const code = await exited;
  clearTimeout(timer);
  return { fed, code, stderr: Buffer.concat(err).toString() };
}

describe('verify reads at most what listen would have received', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callhook-verify-e2e-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  // A body or headers file that never ends (/dev/zero, /dev/urandom) was read whole into
  // memory: 4.6 GB in 15 s. Here a pipe that would give 64 MiB stands in for it.
  const most = 64 * 2 ** 20;
  const slack = 2 ** 20;

  it('stops reading --body past --max-body (default 5 MiB, as listen), one line, exit 2', async () => {
    const run = await feedingZeros(
      join(dir, 'body'),
      ['verify', '--body', join(dir, 'body'), '--header', 'webhook-id: x'],
      most,
    );
    expect(run.stderr).toBe(
      `callhook: ${join(dir, 'body')}: a body of more than --max-body (5M), which listen would refuse (413); raise --max-body to check it\n`,
    );
    expect(run.code).toBe(2);
    expect(run.fed).toBeLessThan(5 * 2 ** 20 + slack);
  });

  it('stops reading --headers past the 16 KiB of a request head listen reads, one line, exit 2', async () => {
    const run = await feedingZeros(
      join(dir, 'head'),
      ['verify', '--body', 'fixtures/valid/sms-sent.json', '--headers', join(dir, 'head')],
      most,
    );
    expect(run.stderr).toBe(
      `callhook: ${join(dir, 'head')}: more than 16k of headers, which listen would refuse (431)\n`,
    );
    expect(run.code).toBe(2);
    expect(run.fed).toBeLessThan(16 * 2 ** 10 + slack);
  });

  it('takes a body of exactly its size, and refuses one byte more', async () => {
    const body = join(dir, 'body.json');
    const args = ['verify', '--body', body, '--header', 'webhook-id: x', '--max-body', '1k'];
    writeFileSync(body, Buffer.alloc(1024, 0x20));
    const fits = await runCli(args, { env });
    expect(fits.stdout).toContain('FAIL');
    expect(fits.code).toBe(1);
    writeFileSync(body, Buffer.alloc(1025, 0x20));
    const over = await runCli(args, { env });
    expect(over.stderr).toBe(
      `callhook: ${body}: a body of more than --max-body (1k), which listen would refuse (413); raise --max-body to check it\n`,
    );
    expect(over.code).toBe(2);
  });
});
