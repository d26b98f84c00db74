import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  test('less -R by default; none for an empty PAGER, cat, or a pager that is not installed', () => {
    const path = process.env.PATH;
    expect(pagerCommand({ PATH: path, PAGER: '' })).toBeUndefined();
    expect(pagerCommand({ PATH: path, PAGER: 'cat' })).toBeUndefined();
    expect(pagerCommand({ PATH: path, PAGER: 'no-such-pager-here --flag' })).toBeUndefined();
    expect(pagerCommand({ PATH: '/usr/bin:/bin', PAGER: 'sh -c true' })).toBe('sh -c true');
    expect(pagerCommand({ PATH: dir })).toBeUndefined();
  });

  test('no default pager on a terminal that says it cannot run one (TERM=dumb); a PAGER asked for still runs', () => {
    // less on TERM=dumb printed "terminal is not fully functional" and waited for RETURN.
    const path = '/usr/bin:/bin';
    expect(pagerCommand({ PATH: path, TERM: 'xterm' })).toBe('less -R');
    expect(pagerCommand({ PATH: path, TERM: 'dumb' })).toBeUndefined();
    expect(pagerCommand({ PATH: path, TERM: 'dumb', PAGER: 'sh -c true' })).toBe('sh -c true');
  });
});
