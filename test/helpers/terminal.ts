/** Runs the built binary in a real terminal (util-linux's `script`), as a user at one sees it. */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { binPath, repoRoot } from './run-cli.js';

/** Whether util-linux's `script` is there to run a command in a terminal (Debian's bsdutils, an essential package). */
export const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * How `inTerminal` runs callhook: `env` adds to the environment (a name undefined unsets it); a
 * path goes there too, named in `args` as `"$NAME"`, never put into the shell's text, where a
 * space or a quote in it (a TMPDIR such as `/tmp/a ß 空`) split it. `signal` ends the terminal and
 * everything started in it, as the bound `timeoutMs` does: a test aborts it in a `finally`.
 */
interface TerminalOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The processes whose environment holds `marker` (Linux: /proc). Hint: found so, not as children
 * of `script`: a pager its callhook left behind is re-parented once that ends.
 */
function processesMarked(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`).includes(marker)) pids.push(Number(name));
    } catch {
      // ended since listed, or another user's
    }
  }
  return pids;
}

/**
 * Runs callhook under `script` on a 10-row, 80-column terminal with `$PAGER` set (unset for
 * undefined): all it printed, and its exit. Whatever it started is killed once `script` ends, so
 * that no pager or callhook a failing test left outlives it.
 */
export function inTerminal(
  args: string,
  pager: string | undefined,
  { env = {}, cwd = repoRoot, timeoutMs = 20_000, signal }: TerminalOptions = {},
): Promise<{ out: string; code: number | null }> {
  const command = `stty rows 10 cols 80; "$CALLHOOK_NODE" "$CALLHOOK_BIN" ${args}`;
  const terminal = randomUUID();
  const killAll = () => {
    for (const pid of processesMarked(`CALLHOOK_TERMINAL=${terminal}`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ended since found
      }
    }
  };
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd,
      env: {
        ...process.env,
        PAGER: pager,
        NO_COLOR: '1',
        FORCE_COLOR: undefined,
        CALLHOOK_NODE: process.execPath,
        CALLHOOK_BIN: binPath,
        CALLHOOK_TERMINAL: terminal,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => out.push(chunk));
    const timer = setTimeout(killAll, timeoutMs);
    signal?.addEventListener('abort', killAll);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', killAll);
      killAll();
      resolve({ out: Buffer.concat(out).toString(), code });
    });
  });
}
