/** Runs the built binary the way a user would and captures everything it says. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import stringWidth from 'string-width';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI entry point (run `npm run build` first; `npm test` does). */
export const binPath = fileURLToPath(new URL('../../bin/callhook.cjs', import.meta.url));

/** What one run of the CLI printed and how it ended. */
export interface CliResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options for `runCli`. */
export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Text written to the CLI's stdin (stdin is closed either way). */
  input?: string | Buffer;
  timeoutMs?: number;
  /** Called with the process once started, to signal it while it runs. */
  started?: (child: ChildProcess) => void;
  /** Runs the CLI under `ulimit -n` this low, as a user with a small limit on open files does. */
  maxOpenFiles?: number;
  /** Runs the CLI as this user id (and group id), with no other groups, through `setpriv`: root alone may. */
  runAs?: number;
  /** Runs the CLI under `ulimit -f` this low, in KiB: a write past it fails (EFBIG), as on a disk that fills. */
  maxFileKiB?: number;
}

/** Spawns `node bin/callhook.cjs ...args` with colour off unless `env` says otherwise. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, binPath, ...args];
    // Hint: SIGXFSZ ignored, as Node ignores it, so that a write past `ulimit -f` fails instead of killing the shell.
    const limits = [
      ...(options.maxOpenFiles === undefined ? [] : [`ulimit -n ${options.maxOpenFiles}`]),
      ...(options.maxFileKiB === undefined ? [] : [`trap "" XFSZ && ulimit -f ${options.maxFileKiB}`]),
    ];
    const limited = limits.length === 0 ? [] : ['bash', '-c', `${limits.join(' && ')} && exec "$@"`, 'bash'];
    const as =
      options.runAs === undefined
        ? []
        : ['setpriv', `--reuid=${options.runAs}`, `--regid=${options.runAs}`, '--clear-groups'];
    const [file = '', ...rest] = [...as, ...limited, ...command];
    const child = spawn(file, rest, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    options.started?.(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code, signal });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);
  });
}

/**
 * Runs the CLI like `callhook … | head`: its stdout's reader goes away once `lines` lines have come
 * (or at once when it writes nothing more). `env` adds to the environment, as in `runCli`.
 */
export function runThenClose(
  args: readonly string[],
  lines: number,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stderr: string; head: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    let head = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      head += chunk;
      if (head.split('\n').length > lines) child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, head });
    });
  });
}

/**
 * Diagnostics one line each, as before callhook wrapped them to the width (it indents the lines
 * after the first by two spaces). Hint: a line broken after a CJK character lost no space, and
 * comes back with one: compare a message that holds a path (a TMPDIR such as `/tmp/a ß 空`) with
 * `warningLine`'s, wrapped as callhook wraps it, or leave the blanks out of both.
 */
export function unwrapped(text: string): string {
  return text.replace(/\n {2}/g, ' ');
}

/** `text` as a regular expression's source that matches it literally (a path in a pattern). */
export function literally(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `text` with every run of blanks (a line broken and indented) as one space, to compare words
 * however they were wrapped. Hint: not a path that may hold CJK (see `unwrapped`).
 */
export function spaced(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/**
 * The lines of `text` wider than `width` columns that could have been broken: all but a single
 * unbreakable word, each of `whole` (a file name kept whole though it holds a space, as the README
 * says) counting as one.
 */
export function overlong(text: string, width: number, whole: readonly string[] = []): string[] {
  return text.split('\n').filter((line) => {
    if (stringWidth(line) <= width) return false;
    const words = whole.reduce((rest, name) => (name === '' ? rest : rest.replaceAll(name, 'x')), line);
    return / \S/.test(words.trim());
  });
}

/**
 * Whether process `pid` has taken the CLI's stop signals (`onStopSignals`): a test that signals a
 * run waiting on nothing it holds open waits for this instead (see `holdsOpen`). Hint: SIGHUP's
 * bit in SigCgt (Linux: its status), not SIGTERM's or SIGINT's: node catches those two from its
 * first moment (to reset the terminal, then die by the signal), so their bits said "handled"
 * before the run had a handler, and a SIGTERM then killed it by the signal, not with 143 (a
 * loaded machine, generate's stderr test). SIGHUP is taken with the others, in one call.
 */
export function handlesStopSignals(pid: number | undefined): boolean {
  try {
    const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '0';
    return ((BigInt(`0x${caught}`) >> BigInt(constants.signals.SIGHUP - 1)) & 1n) === 1n;
  } catch {
    return false;
  }
}

/**
 * Whether process `pid` holds `path` open (Linux: its links in /proc): a test that signals a run
 * once it has reached a file waits for this rather than a fixed delay, which a loaded machine
 * outlasts (node still starting, the signal's default action kills it).
 */
export function holdsOpen(pid: number | undefined, path: string): boolean {
  const fds = `/proc/${pid}/fd`;
  try {
    return readdirSync(fds).some((fd) => {
      try {
        return readlinkSync(join(fds, fd)) === path;
      } catch {
        return false; // closed since it was listed
      }
    });
  } catch {
    return false;
  }
}
