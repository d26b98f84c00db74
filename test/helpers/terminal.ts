/** Runs the built binary in a real terminal (util-linux's `script`), as a user at one sees it. */
import { execFileSync, spawn } from 'node:child_process';
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

/** How `inTerminal` runs callhook: `env` adds to the environment (a name undefined unsets it). */
interface TerminalOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs callhook under `script` on a 10-row, 80-column terminal with `$PAGER` set (unset for undefined): all it printed, and its exit. */
export function inTerminal(
  args: string,
  pager: string | undefined,
  { env = {}, cwd = repoRoot, timeoutMs = 20_000 }: TerminalOptions = {},
): Promise<{ out: string; code: number | null }> {
  const command = `stty rows 10 cols 80; '${process.execPath}' '${binPath}' ${args}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd,
      env: { ...process.env, PAGER: pager, NO_COLOR: '1', FORCE_COLOR: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => out.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ out: Buffer.concat(out).toString(), code });
    });
  });
}
