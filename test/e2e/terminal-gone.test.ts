// The terminal closing under a run (its window closed, an ssh session dropped): the run ends as
// SIGHUP says, with no native stack. Node 20 restores the terminal's settings on the way out, and
// aborted on a terminal that had gone (nodejs/node#51519; review hR54).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Runs callhook `args` in a terminal (`script`), its stderr there too or to a file (`stderrTo`),
 * closes the terminal once `started` holds of what it showed (or of that file), and waits for
 * callhook to end: its exit code, and what it said in that file.
 */
async function closedUnder(
  name: string,
  args: string[],
  started: (shown: string) => boolean,
  { pager, stderrToFile = false }: { pager?: string; stderrToFile?: boolean } = {},
) {
  const files = { code: join(dir, `${name}.code`), err: join(dir, `${name}.err`), hook: join(dir, 'exit-code.cjs') };
  // Hint: callhook is the terminal's own process (`exec`), as a shell's command is once the shell
  // has gone; its exit code is written as it exits, by a hook that runs after callhook's own
  // (registered once those are), none when it is killed (the native abort).
  writeFileSync(
    files.hook,
    `setTimeout(() => process.on('exit', () => require('node:fs').writeFileSync(process.env.CODE_FILE, String(process.exitCode ?? 0))), 300).unref();`,
  );
  const quoted = [process.execPath, '--require', files.hook, binPath, ...args].map((arg) => `'${arg}'`).join(' ');
  const command = `exec ${quoted}${stderrToFile ? ` 2> '${files.err}'` : ''}`;
  const terminal = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: repoRoot,
    env: { ...process.env, TERM: 'xterm', PAGER: pager, NO_COLOR: '1', FORCE_COLOR: undefined, CODE_FILE: files.code },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let shown = '';
  terminal.stdout.on('data', (chunk: Buffer) => {
    shown += chunk.toString();
  });
  const read = () => (existsSync(files.err) ? readFileSync(files.err, 'utf8') : '');
  try {
    expect(await until(() => started(stderrToFile ? read() : shown), 10_000)).toBe(true);
    // Hint: past the hook's 300 ms, so that it is there to write the exit code.
    await delay(500);
    // The terminal closes: its other end gone, as a window closed.
    terminal.kill('SIGKILL');
    expect(await until(() => existsSync(files.code) && readFileSync(files.code, 'utf8') !== '', 10_000)).toBe(true);
    return { code: Number(readFileSync(files.code, 'utf8')), stderr: read() };
  } finally {
    terminal.kill('SIGKILL');
  }
}

describe('the terminal closing under a run', () => {
  test.runIf(process.platform === 'linux' && hasScript)(
    'ends listen as SIGHUP does, exit 0 as its help says, its stderr on that terminal too',
    async () => {
      // Its "stopped" line to the terminal gone failed with EIO, which made it exit 2 (review hR55).
      const run = await closedUnder('listen', ['listen', '--port', '0'], (shown) => shown.includes('listening on'));
      expect(run.code).toBe(0);
    },
  );

  test.runIf(process.platform === 'linux' && hasScript)(
    'ends listen with its counts said and no native stack, its stderr to a file',
    async () => {
      const run = await closedUnder('listen-err', ['listen', '--port', '0'], (text) => text.includes('listening on'), {
        stderrToFile: true,
      });
      expect(run.stderr).toMatch(/stopped: 0 requests, 0 events\n$/);
      expect(run.stderr).not.toMatch(/Native stack|Assertion failed/);
      expect(run.code).toBe(0);
    },
  );

  test.runIf(process.platform === 'linux' && hasScript)(
    'ends generate writing to it with 129, as SIGHUP says, as every other command',
    async () => {
      // The terminal's write failed with EIO before the SIGHUP handler ran, and the run ended at
      // once with the exit code set so far: 0, a pass for a run cut short (red team hF66).
      const run = await closedUnder('generate', ['generate', '--count', '100000000'], (shown) => shown.length > 0);
      expect(run.code).toBe(129);
    },
  );

  test.runIf(process.platform === 'linux' && hasScript)(
    'ends show while paging with 129 and no native stack',
    async () => {
      const pagerPid = join(dir, 'pager.pid');
      const pager = `sh -c 'echo $$ > "${pagerPid}"; exec sleep 30'`;
      const run = await closedUnder('show', ['show', 'fixtures/valid'], () => existsSync(pagerPid), {
        pager,
        stderrToFile: true,
      });
      try {
        process.kill(Number(readFileSync(pagerPid, 'utf8')), 'SIGKILL');
      } catch {
        // ended with the terminal, as it should
      }
      expect(run.stderr).toBe('');
      expect(run.code).toBe(129);
    },
  );
});
