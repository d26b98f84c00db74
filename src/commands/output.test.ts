import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Output, pagerCommand } from './output.js';

/** A stand-in for process.stdout: a terminal of `rows` rows 80 columns wide, or a pipe. */
function fakeStdout(isTTY: boolean, rows = 5) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as Writable & { isTTY: boolean; rows: number; columns: number };
  stream.isTTY = isTTY;
  stream.rows = rows;
  stream.columns = 80;
  return { stream, text: () => chunks.join('') };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'callhook-pager-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (count: number) => Array.from({ length: count }, (_, i) => `line ${i + 1}\n`).join('');

describe('Output', () => {
  test('on a terminal, output longer than the screen goes through $PAGER, and nothing to stdout', async () => {
    const paged = join(dir, 'paged.txt');
    const stdout = fakeStdout(true, 5);
    const output = new Output(stdout.stream, { pager: true, env: { ...process.env, PAGER: `cat > '${paged}'` } });
    await output.write(lines(3));
    await output.write(lines(10));
    await output.end();
    expect(readFileSync(paged, 'utf8')).toBe(lines(3) + lines(10));
    expect(stdout.text()).toBe('');
  });

  test('counts the rows a line longer than the screen is wide takes, and a wide character as two columns', async () => {
    // A 10,000-character URL, one line of text, filled 125 rows of an 80-column terminal unpaged.
    const paged = join(dir, 'paged.txt');
    const env = { ...process.env, PAGER: `cat > '${paged}'` };
    for (const text of [`${'x'.repeat(10_000)}\n`, `${'日'.repeat(200)}\n`]) {
      const stdout = fakeStdout(true, 5);
      const output = new Output(stdout.stream, { pager: true, env });
      await output.write(text);
      await output.end();
      expect(readFileSync(paged, 'utf8')).toBe(text);
      expect(stdout.text()).toBe('');
      rmSync(paged);
    }
  });

  test('output that fits the screen, piped output and --no-pager are printed directly', async () => {
    const paged = join(dir, 'paged.txt');
    const env = { ...process.env, PAGER: `cat > '${paged}'` };
    for (const [isTTY, pager, count] of [
      [true, true, 3],
      [false, true, 50],
      [true, false, 50],
    ] as const) {
      const stdout = fakeStdout(isTTY, 5);
      const output = new Output(stdout.stream, { pager, env });
      await output.write(lines(count));
      await output.end();
      expect(stdout.text()).toBe(lines(count));
    }
    expect(existsSync(paged)).toBe(false);
  });

  test('a terminal that reports 0 rows (script, docker -t) pages only what passes 24 lines', async () => {
    // A height of 0 sent a 22-line trace into less, which then waited for a key.
    const paged = join(dir, 'paged.txt');
    const env = { ...process.env, PAGER: `cat > '${paged}'` };
    const short = fakeStdout(true, 0);
    const output = new Output(short.stream, { pager: true, env });
    await output.write(lines(22));
    await output.end();
    expect(short.text()).toBe(lines(22));
    expect(existsSync(paged)).toBe(false);
  });

  test('when the pager quits early (q in less), the output says it is closed so reading can stop', async () => {
    const stdout = fakeStdout(true, 5);
    const output = new Output(stdout.stream, { pager: true, env: { ...process.env, PAGER: 'head -c 1 >/dev/null' } });
    for (let i = 0; i < 2000 && !output.closed; i++) {
      await output.write(lines(100));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(output.closed).toBe(true);
    await output.end();
    expect(output.error).toBeUndefined();
    expect(output.pagerFailed).toBeUndefined();
  });

  test('EPIPE on stdout (| head) closes the output quietly; another write error is kept', () => {
    const stdout = fakeStdout(false);
    const output = new Output(stdout.stream, { pager: false });
    stdout.stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(output.closed).toBe(true);
    expect(output.error).toBeUndefined();

    const other = fakeStdout(false);
    const failing = new Output(other.stream, { pager: false });
    other.stream.emit('error', Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' }));
    expect(failing.error?.code).toBe('ENOSPC');
  });
});

describe('pagerCommand', () => {
  const tty = { isTTY: true };
  test('less -R by default; none for an empty PAGER, cat, or a pager that is not installed', () => {
    const path = process.env.PATH;
    expect(pagerCommand(tty, { PATH: path, PAGER: '' })).toBeUndefined();
    expect(pagerCommand(tty, { PATH: path, PAGER: 'cat' })).toBeUndefined();
    expect(pagerCommand(tty, { PATH: path, PAGER: 'no-such-pager-here --flag' })).toBeUndefined();
    expect(pagerCommand(tty, { PATH: '/usr/bin:/bin', PAGER: 'sh -c true' })).toBe('sh -c true');
    expect(pagerCommand(tty, { PATH: dir, TERM: 'xterm' })).toBeUndefined();
  });

  test('no default pager on a terminal that says it cannot run one (TERM=dumb); a PAGER asked for still runs', () => {
    // less on TERM=dumb printed "terminal is not fully functional" and waited for RETURN.
    const path = '/usr/bin:/bin';
    expect(pagerCommand(tty, { PATH: path, TERM: 'xterm' })).toBe('less -R');
    expect(pagerCommand(tty, { PATH: path, TERM: 'dumb' })).toBeUndefined();
    expect(pagerCommand(tty, { PATH: path, TERM: 'dumb', PAGER: 'sh -c true' })).toBe('sh -c true');
  });

  test('none where stdout is not a terminal', () => {
    expect(
      pagerCommand({ isTTY: false }, { PATH: '/usr/bin:/bin', TERM: 'xterm', PAGER: 'sh -c true' }),
    ).toBeUndefined();
  });

  test('no default pager where TERM is unset or empty, as on TERM=dumb; a PAGER asked for still runs', () => {
    // With no TERM, less too said "WARNING: terminal is not fully functional" and waited for RETURN.
    const path = '/usr/bin:/bin';
    expect(pagerCommand(tty, { PATH: path })).toBeUndefined();
    expect(pagerCommand(tty, { PATH: path, TERM: '' })).toBeUndefined();
    expect(pagerCommand(tty, { PATH: path, PAGER: 'sh -c true' })).toBe('sh -c true');
    expect(pagerCommand(tty, { PATH: path, TERM: '', PAGER: 'sh -c true' })).toBe('sh -c true');
  });

  test('a PAGER with a / in its program is a path, relative to the current folder, as sh and git take it', () => {
    // `PAGER=./mypager` was looked for on PATH, not found, and silently not used.
    const pager = join(dir, 'mypager');
    writeFileSync(pager, '#!/bin/sh\ncat\n', { mode: 0o755 });
    const relativePager = relative(process.cwd(), pager);
    expect(relativePager).toMatch(/^\.\.\//);
    // Hint: no PATH, so that no folder on it joined with the `../..` finds the file instead.
    const env = { PATH: '', TERM: 'xterm' };
    expect(pagerCommand(tty, { ...env, PAGER: `${relativePager} -x` })).toBe(`${relativePager} -x`);
    // One not there (or not executable) is not run; a name without a / is still looked for on PATH.
    expect(pagerCommand(tty, { ...env, PAGER: `${relativePager}-not-there` })).toBeUndefined();
    writeFileSync(join(dir, 'plain'), '', { mode: 0o644 });
    expect(pagerCommand(tty, { ...env, PAGER: relative(process.cwd(), join(dir, 'plain')) })).toBeUndefined();
    expect(pagerCommand(tty, { ...env, PAGER: 'mypager' })).toBeUndefined();
    expect(pagerCommand(tty, { ...env, PATH: dir, PAGER: 'mypager' })).toBe('mypager');
  });

  test('a PAGER whose path holds letters beyond ASCII (/home/josé/bin/mypager) is a path too: one not there is not run', () => {
    // Taken for shell syntax, it was run as it was, there or not: `sh: 1: …/josé/…: not found`,
    // where a missing pager means none (found under TMPDIR=/tmp/é).
    const folder = join(dir, 'josé', '空');
    mkdirSync(folder, { recursive: true });
    const pager = join(folder, 'mypager');
    writeFileSync(pager, '#!/bin/sh\ncat\n', { mode: 0o755 });
    const env = { PATH: '', TERM: 'xterm' };
    expect(pagerCommand(tty, { ...env, PAGER: `${pager} -x` })).toBe(`${pager} -x`);
    expect(pagerCommand(tty, { ...env, PAGER: `${pager}-not-there` })).toBeUndefined();
    expect(pagerCommand(tty, { ...env, PATH: folder, PAGER: 'mypager' })).toBe('mypager');
  });
});
