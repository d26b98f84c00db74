// The terminal closing under a run (its window closed, an ssh session dropped): the run ends as
// SIGHUP says, with no native stack. Node 20 restores the terminal's settings on the way out, and
// aborted on a terminal that had gone (nodejs/node#51519; review hR54).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { binPath, repoRoot } from '../helpers/run-cli.js';
import { hasScript } from '../helpers/terminal.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'callhook-terminal-gone-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Waits, at most `ms`, for `ready` to hold. */
async function until(ready: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await delay(25)) if (ready()) return true;
  return ready();
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Runs callhook `args` in a terminal (`script`), its stderr to a file, closes the terminal once
 * `started` holds of that stderr, and waits for callhook to end: what it said on stderr.
 */
async function closedUnder(name: string, args: string[], started: (stderr: string) => boolean, pager?: string) {
  const files = { pid: join(dir, `${name}.pid`), err: join(dir, `${name}.err`) };
  const quoted = [process.execPath, binPath, ...args].map((arg) => `'${arg}'`).join(' ');
  // Hint: `exec`, so that callhook is the terminal's own process, by the pid the shell wrote.
  const command = `echo $$ > '${files.pid}'; exec ${quoted} 2> '${files.err}'`;
  const terminal = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: repoRoot,
    env: { ...process.env, TERM: 'xterm', PAGER: pager, NO_COLOR: '1', FORCE_COLOR: undefined },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  try {
    const read = () => (existsSync(files.err) ? readFileSync(files.err, 'utf8') : '');
    expect(await until(() => existsSync(files.pid) && started(read()), 10_000)).toBe(true);
    const pid = Number(readFileSync(files.pid, 'utf8'));
    // The terminal closes: its other end gone, as a window closed.
    terminal.kill('SIGKILL');
    expect(await until(() => !alive(pid), 10_000)).toBe(true);
    return read();
  } finally {
    terminal.kill('SIGKILL');
  }
}

describe('the terminal closing under a run', () => {
  test.runIf(process.platform === 'linux' && hasScript)(
    'ends listen as SIGHUP does: its counts said, no native stack',
    async () => {
      const stderr = await closedUnder('listen', ['listen', '--port', '0'], (text) => text.includes('listening on'));
      expect(stderr).toMatch(/stopped: 0 requests, 0 events\n$/);
      expect(stderr).not.toMatch(/Native stack|Assertion failed/);
    },
  );

  test.runIf(process.platform === 'linux' && hasScript)('ends show while paging with no native stack', async () => {
    const pagerPid = join(dir, 'pager.pid');
    const pager = `sh -c 'echo $$ > "${pagerPid}"; exec sleep 30'`;
    const stderr = await closedUnder('show', ['show', 'fixtures/valid'], () => existsSync(pagerPid), pager);
    try {
      process.kill(Number(readFileSync(pagerPid, 'utf8')), 'SIGKILL');
    } catch {
      // ended with the terminal, as it should
    }
    expect(stderr).not.toMatch(/Native stack|Assertion failed/);
    expect(stderr).toBe('');
  });
});
